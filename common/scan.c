/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* scan: one process's memory per node, from the /proc files asked for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"

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
	rc = scan_read(out, what, &w);
	out->warnings = w.count;
	if (rc == 0)
		rc = scan_node_totals(out);
	/* the files were read by PID: make sure it is still the process that
	 * was selected, not a new one that reused the PID */
	if (rc == 0 && id->start_time)
		rc = procs_check_same(id);
	if (rc < 0) {
		scan_free(out);
		return rc;
	}
	out->have = what & (SCAN_NUMA | SCAN_SMAPS | SCAN_ROLLUP | SCAN_MAPS);
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
