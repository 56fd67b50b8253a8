/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* scan: one process's memory per node, from the /proc files asked for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pagemap.h"
#include "scan.h"
#include "sysinfo.h"

/* Counts malformed lines and passes them on to the caller's callback. */
struct scan_warn_ctx {
	maps_warn_fn warn;
	void *ud;
	unsigned count;
};

static void scan_warn(void *ud, const char *file, unsigned line, const char *msg)
{
	struct scan_warn_ctx *w = ud;

	w->count++;
	if (w->warn)
		w->warn(w->ud, file, line, msg);
}

/* Per-node totals: numa_maps pages times each mapping's own page size, so
 * hugetlb pages count at their real size. */
static int scan_node_totals(struct scan_proc *s)
{
	int slots = 0;

	for (size_t i = 0; i < s->maps.n; i++)
		if (s->maps.v[i].node_slots > slots)
			slots = s->maps.v[i].node_slots;
	s->node_slots = slots;
	s->total = 0;
	if (slots == 0)
		return 0;
	s->node_bytes = calloc((size_t)slots, sizeof(*s->node_bytes));
	if (!s->node_bytes)
		return -ENOMEM;
	for (size_t i = 0; i < s->maps.n; i++)
		for (int n = 0; n < s->maps.v[i].node_slots; n++) {
			uint64_t b = mapping_node_bytes(&s->maps.v[i], n);

			s->node_bytes[n] += b;
			s->total += b;
		}
	return 0;
}

/* Per-node totals from a pagemap walk of the mappings read (scan.h). */
struct scan_pm_sum {
	uint64_t *node_bytes;
	int slots;
	uint64_t page_size;
	uint64_t total;
	bool query;   /* nodes from move_pages(2) queries, not PFNs */
};

/* scan_pagemap_totals: pagemap cannot give every page's node */
#define SCAN_NEED_NUMA 1

static int scan_pm_run(void *ud, const struct page_run *r)
{
	struct scan_pm_sum *c = ud;
	uint64_t bytes = r->pages * c->page_size;

	/* as numa_maps: the shared zero page is nobody's resident memory */
	if (!(r->flags & RUN_PRESENT) || (r->flags & RUN_ZERO) || r->node == RUN_NODE_NONE)
		return 0;
	/* a query's unknown node is a page numa_maps does not count either
	 * (the zero page, a device's); a PFN outside the memory blocks is not
	 * known to be one: numa_maps, as the planner does */
	if (r->node < 0)
		return c->query ? 0 : SCAN_NEED_NUMA;
	if (r->node >= c->slots) {
		uint64_t *v = realloc(c->node_bytes, (size_t)(r->node + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memset(v + c->slots, 0, (size_t)(r->node + 1 - c->slots) * sizeof(*v));
		c->node_bytes = v;
		c->slots = r->node + 1;
	}
	c->node_bytes[r->node] += bytes;
	c->total += bytes;
	return 0;
}

/* Per-node totals from pagemap (scan.h); SCAN_NEED_NUMA when pagemap
 * cannot be read or give a present page's node, as the planner falls back
 * (a seccomp filter that refuses the move_pages(2) query, an I/O page). */
static int scan_pagemap_totals(struct scan_proc *s)
{
	struct scan_pm_sum c = { .page_size = sys_page_size() };
	struct pm_reader *pm;
	int rc = pm_open(&pm, s->id.pid, PM_WANT_NODE | PM_WANT_KPF | PM_WANT_THP_ONLY);

	if (rc == -ESRCH || rc == -ENOMEM)
		return rc;
	if (rc < 0)
		return SCAN_NEED_NUMA;
	c.query = !pm_has_pfn(pm);
	for (size_t i = 0; i < s->maps.n && rc == 0; i++) {
		const struct mapping *m = &s->maps.v[i];

		/* [vdso] and friends: the kernel's own pages, which numa_maps
		 * does not count either (PageReserved) */
		if (m->kind != MAPKIND_SPECIAL && m->end > m->start)
			rc = pm_walk(pm, m->start, m->end, scan_pm_run, &c);
	}
	pm_close(pm);
	if (rc != 0) {
		free(c.node_bytes);
		return rc == -ESRCH || rc == -ENOMEM ? rc : SCAN_NEED_NUMA;
	}
	s->node_bytes = c.node_bytes;
	s->node_slots = c.slots;
	s->total = c.total;
	return 0;
}

/* The process totals summed from smaps when smaps_rollup was not read.
 * smaps has no per-mapping "Anonymous" figure in the mapping model, so
 * rollup.anon stays 0 there. */
static void scan_sum_smaps(struct scan_proc *s)
{
	struct smaps_rollup *r = &s->rollup;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < s->maps.n; i++) {
		const struct mapping *m = &s->maps.v[i];

		if (!(m->have & MAP_F_SMAPS))
			continue;
		r->rss += m->rss;
		r->pss += m->pss;
		r->lazyfree += m->lazyfree;
		r->anon_huge += m->anon_huge;
		r->shmem_huge += m->shmem_huge;
		r->file_huge += m->file_huge;
		r->swap += m->swap;
		r->locked += m->locked;
	}
}

static int scan_read(struct scan_proc *s, unsigned what, struct scan_warn_ctx *w)
{
	pid_t pid = s->id.pid;
	int rc = 0;

	if (what & SCAN_NUMA)
		rc = maps_read_numa_maps(pid, &s->maps, scan_warn, w);
	if (rc == 0 && (what & SCAN_SMAPS))
		rc = maps_read_smaps(pid, &s->maps, scan_warn, w);
	if (rc == 0 && (what & SCAN_MAPS))
		rc = maps_read_maps(pid, &s->maps, scan_warn, w);
	if (rc == 0 && (what & SCAN_ROLLUP))
		rc = maps_read_rollup(pid, &s->rollup, scan_warn, w);
	return rc;
}

int scan_process(const struct proc_id *id, unsigned what,
		 struct scan_proc *out, maps_warn_fn warn, void *ud)
{
	struct scan_warn_ctx w = { warn, ud, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->id = *id;
	if (what & SCAN_NUMA)        /* its totals win (scan.h) */
		what &= ~SCAN_PAGEMAP;
	if (what & SCAN_PAGEMAP)     /* the mappings to walk */
		what |= SCAN_MAPS;
	rc = scan_read(out, what, &w);
	if (rc == 0 && (what & SCAN_PAGEMAP) &&
	    (rc = scan_pagemap_totals(out)) == SCAN_NEED_NUMA) {
		what = (what & ~SCAN_PAGEMAP) | SCAN_NUMA;
		rc = maps_read_numa_maps(id->pid, &out->maps, scan_warn, &w);
	}
	out->warnings = w.count;
	if (rc == 0 && !(what & SCAN_PAGEMAP))
		rc = scan_node_totals(out);
	/* the files were read by PID: make sure it is still the process that
	 * was selected, not a new one that reused the PID */
	if (rc == 0 && id->start_time)
		rc = procs_check_same(id);
	if (rc < 0) {
		scan_free(out);
		return rc;
	}
	out->have = what & (SCAN_NUMA | SCAN_SMAPS | SCAN_ROLLUP | SCAN_MAPS | SCAN_PAGEMAP);
	if ((what & SCAN_SMAPS) && !(what & SCAN_ROLLUP))
		scan_sum_smaps(out);
	return 0;
}

int scan_main_node(const struct scan_proc *s)
{
	int best = -1;

	for (int n = 0; n < s->node_slots; n++)
		if (s->node_bytes[n] && (best < 0 || s->node_bytes[n] > s->node_bytes[best]))
			best = n;
	return best;
}

uint64_t scan_node_bytes(const struct scan_proc *s, int node)
{
	if (node < 0 || node >= s->node_slots)
		return 0;
	return s->node_bytes[node];
}

void scan_free(struct scan_proc *s)
{
	maps_free(&s->maps);
	free(s->node_bytes);
	s->node_bytes = NULL;
	s->node_slots = 0;
	s->total = 0;
}
