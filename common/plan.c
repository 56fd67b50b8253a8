/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "output.h"
#include "pagemap.h"
#include "path.h"
#include "plan.h"
#include "procs.h"
#include "scan.h"
#include "strutil.h"
#include "sysinfo.h"

/* Spreading splits runs into pieces of at most this many bytes so that the
 * proportions can be met even when one mapping holds most of the memory. */
#define PLAN_SPREAD_CHUNK (32ULL << 20)

static const char *const plan_class_names[] = {
	[PLAN_BASE] = "base", [PLAN_THP] = "thp", [PLAN_HUGETLB] = "hugetlb",
};

const char *plan_class_name(enum plan_class c)
{
	return (unsigned)c <= PLAN_HUGETLB ? plan_class_names[c] : "?";
}

int plan_class_parse(const char *s, enum plan_class *out)
{
	for (int c = PLAN_BASE; c <= PLAN_HUGETLB; c++)
		if (strcmp(s, plan_class_names[c]) == 0) {
			*out = (enum plan_class)c;
			return 0;
		}
	return -EINVAL;
}

uint64_t plan_run_bytes(const struct plan_run *r, uint64_t page_size)
{
	return r->pages * page_size;
}

uint64_t plan_run_entries(const struct plan_run *r, uint64_t page_size)
{
	uint64_t bytes = r->pages * page_size;

	if (r->flags & PLAN_RUN_COARSE)     /* the whole mapping is queried */
		return (r->map_end - r->map_start) / r->step;
	return (bytes + r->step - 1) / r->step;
}

/* ---- --vma filters ------------------------------------------------------ */

static int plan_parse_addr(const char *s, uint64_t *out)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int plan_vma_parse(const char *spec, struct plan_vma *out, char *err, size_t errlen)
{
	static const struct { const char *name; enum plan_vma_kind kind; } words[] = {
		{ "heap", VMA_HEAP }, { "stack", VMA_STACK }, { "anon", VMA_ANON },
		{ "file", VMA_FILE }, { "shm", VMA_SHM },
	};
	const char *dash;
	char a[64];

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(spec, words[i].name) == 0) {
			out->kind = words[i].kind;
			return 0;
		}
	if (strncmp(spec, "file=", 5) == 0) {
		if (!spec[5] || strlen(spec + 5) >= sizeof(out->glob)) {
			snprintf(err, errlen, "bad --vma '%s': expected file=GLOB", spec);
			return -EINVAL;
		}
		out->kind = VMA_FILE_GLOB;
		strcpy(out->glob, spec + 5);
		return 0;
	}
	dash = strchr(spec, '-');
	if (dash && (size_t)(dash - spec) < sizeof(a)) {
		memcpy(a, spec, (size_t)(dash - spec));
		a[dash - spec] = '\0';
		if (plan_parse_addr(a, &out->start) == 0 &&
		    plan_parse_addr(dash + 1, &out->end) == 0) {
			if (out->end <= out->start) {
				snprintf(err, errlen, "bad --vma '%s': range end is not after its start", spec);
				return -EINVAL;
			}
			out->kind = VMA_RANGE;
			return 0;
		}
	}
	snprintf(err, errlen, "bad --vma '%s': expected heap, stack, anon, file, "
		 "file=GLOB, shm or START-END", spec);
	return -EINVAL;
}

static bool plan_vma_match_one(const struct plan_vma *v, const struct mapping *m)
{
	switch (v->kind) {
	case VMA_HEAP:  return m->kind == MAPKIND_HEAP;
	case VMA_STACK: return m->kind == MAPKIND_STACK;
	case VMA_ANON:  return m->kind == MAPKIND_ANON || m->kind == MAPKIND_HEAP || m->kind == MAPKIND_STACK;
	case VMA_FILE:  return m->kind == MAPKIND_FILE;
	case VMA_SHM:   return m->kind == MAPKIND_SHM;
	case VMA_FILE_GLOB:
		return m->kind == MAPKIND_FILE && m->path && fnmatch(v->glob, m->path, 0) == 0;
	case VMA_RANGE: return m->start < v->end && v->start < m->end;
	}
	return false;
}

bool plan_vma_match(const struct plan_vma *v, size_t n, const struct mapping *m)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (plan_vma_match_one(&v[i], m))
			return true;
	return false;
}

/* ---- node mapping ------------------------------------------------------- */

int plan_opts_nodes(struct plan_opts *o, const struct ns_topology *topo,
		    const char *from, const char *to, char *err, size_t len)
{
	char why[256];

	o->topo = topo;
	if (topo_parse_nodes(topo, to, &o->to, why, sizeof(why)) < 0)
		return str_invalid(err, len, "bad --to: %s", why);
	o->spread = !from;
	if (!from)
		return 0;
	if (topo_parse_nodes(topo, from, &o->from, why, sizeof(why)) < 0)
		return str_invalid(err, len, "bad --from: %s", why);
	if (nodeset_equal(&o->from, &o->to))
		return str_invalid(err, len, "source and target nodes are the same (%s): nothing "
				   "would move", from);
	return 0;
}

int plan_target(const struct plan_opts *o, int src)
{
	int k = 0, n, nto;

	if (src < 0 || src >= NS_MAX_NODES)
		return -1;
	if (o->spread)
		return nodeset_has(&o->to, src) ? -1 : -2;   /* -2: chosen by spread */
	if (!nodeset_has(&o->from, src))
		return -1;
	nodeset_foreach(n, &o->from) {
		if (n == src)
			break;
		k++;
	}
	nto = nodeset_count(&o->to);
	if (nto == 0)
		return -1;
	n = nodeset_nth(&o->to, k % nto);
	return n == src ? -1 : n;
}

/* The page on src is where the user wants it (counted as already there). */
static bool plan_on_target(const struct plan_opts *o, int src)
{
	if (o->spread)
		return nodeset_has(&o->to, src);
	if (!nodeset_has(&o->from, src))
		return false;
	return plan_target(o, src) < 0;
}

/* ---- building ------------------------------------------------------------ */

void plan_init(struct plan *p, const struct plan_opts *o)
{
	memset(p, 0, sizeof(*p));
	p->schema_version = PLAN_SCHEMA_VERSION;
	if (sys_boot_id(p->boot_id, sizeof(p->boot_id)) < 0)
		p->boot_id[0] = '\0';
	p->page_size = o && o->topo && o->topo->page_size ? o->topo->page_size : sys_page_size();
	p->thp_size = o && o->topo ? o->topo->thp_size : sys_thp_size();
	if (o) {
		p->from = o->from;
		p->to = o->to;
		p->spread = o->spread;
		p->filtered = o->nvma > 0;
	}
}

struct plan_proc *plan_proc_new(struct plan *p, const struct proc_id *id)
{
	struct plan_proc *pp;

	if (p->nprocs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		struct plan_proc *v = realloc(p->procs, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->procs = v;
		p->cap = cap;
	}
	pp = &p->procs[p->nprocs++];
	memset(pp, 0, sizeof(*pp));
	if (id)
		pp->id = *id;
	return pp;
}

int plan_add_run(struct plan_proc *pp, const struct plan_run *r)
{
	if (r->pages == 0)
		return 0;
	if (pp->nruns == pp->cap) {
		size_t cap = pp->cap ? pp->cap * 2 : 16;
		struct plan_run *v = realloc(pp->runs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pp->runs = v;
		pp->cap = cap;
	}
	pp->runs[pp->nruns++] = *r;
	if (r->flags & PLAN_RUN_COARSE)
		pp->coarse = true;
	return 0;
}

static int plan_run_cmp(const void *a, const void *b)
{
	const struct plan_run *x = a, *y = b;

	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->src < y->src ? -1 : x->src > y->src;
}

static bool plan_runs_join(const struct plan_run *a, const struct plan_run *b,
			   uint64_t page_size)
{
	return a->dst == b->dst && a->src == b->src && a->cls == b->cls &&
	       a->step == b->step && a->flags == b->flags &&
	       !(a->flags & PLAN_RUN_COARSE) &&
	       a->map_start == b->map_start && a->map_end == b->map_end &&
	       a->start + a->pages * page_size == b->start;
}

void plan_proc_finish(struct plan_proc *pp, uint64_t page_size)
{
	size_t w = 0;

	if (pp->nruns == 0)
		return;
	qsort(pp->runs, pp->nruns, sizeof(pp->runs[0]), plan_run_cmp);
	for (size_t i = 1; i < pp->nruns; i++) {
		if (plan_runs_join(&pp->runs[w], &pp->runs[i], page_size))
			pp->runs[w].pages += pp->runs[i].pages;
		else
			pp->runs[++w] = pp->runs[i];
	}
	pp->nruns = w + 1;
	pp->thp_entries = 0;
	for (size_t i = 0; i < pp->nruns; i++)
		if (pp->runs[i].cls == PLAN_THP)
			pp->thp_entries += plan_run_entries(&pp->runs[i], page_size);
}

/* Spread: the target with the lowest share of its free memory used so far. */
static int plan_spread_pick(struct plan *p, const struct plan_opts *o, uint64_t bytes)
{
	const struct ns_node *nd;
	double best_load = 0;
	int n, best = -1;

	nodeset_foreach(n, &o->to) {
		double freeb = 1, load;

		nd = o->topo ? topo_node(o->topo, n) : NULL;
		if (nd && nd->mem_free)
			freeb = (double)nd->mem_free;
		load = ((double)(n < p->spread_slots ? p->spread_assigned[n] : 0) +
			(double)bytes) / freeb;
		if (best < 0 || load < best_load) {
			best = n;
			best_load = load;
		}
	}
	if (best < 0)
		return -1;
	if (best >= p->spread_slots) {
		uint64_t *v = realloc(p->spread_assigned, (size_t)(best + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memset(v + p->spread_slots, 0, (size_t)(best + 1 - p->spread_slots) * sizeof(*v));
		p->spread_assigned = v;
		p->spread_slots = best + 1;
	}
	p->spread_assigned[best] += bytes;
	return best;
}

/* Add a run with dst chosen (splitting it into chunks when spreading). */
static int plan_put(struct plan *p, struct plan_proc *pp, const struct plan_opts *o,
		    struct plan_run r)
{
	uint64_t chunk_pages;

	if (r.dst != -2)
		return plan_add_run(pp, &r);
	if (r.flags & PLAN_RUN_COARSE) {
		r.dst = plan_spread_pick(p, o, r.pages * p->page_size);
		return r.dst < 0 ? (r.dst == -ENOMEM ? -ENOMEM : 0) : plan_add_run(pp, &r);
	}
	chunk_pages = PLAN_SPREAD_CHUNK / r.step * (r.step / p->page_size);
	if (chunk_pages == 0)
		chunk_pages = r.step / p->page_size;
	while (r.pages) {
		struct plan_run c = r;
		int rc;

		c.pages = r.pages < chunk_pages ? r.pages : chunk_pages;
		c.dst = plan_spread_pick(p, o, c.pages * p->page_size);
		if (c.dst < 0)
			return c.dst == -ENOMEM ? -ENOMEM : 0;
		rc = plan_add_run(pp, &c);
		if (rc)
			return rc;
		r.start += c.pages * p->page_size;
		r.pages -= c.pages;
	}
	return 0;
}

struct plan_walk {
	struct plan *p;
	struct plan_proc *pp;
	const struct plan_opts *o;
	const struct mapping *m;
	bool unknown;            /* a present run had no node */
	bool query;              /* nodes from move_pages(2) queries: unknown is unmovable */
	struct plan_run *tmp;    /* runs of this mapping before they are kept */
	size_t ntmp, cap;
	uint64_t already, shared;
};

static int plan_walk_push(struct plan_walk *w, const struct plan_run *r)
{
	if (r->pages == 0)
		return 0;
	if (w->ntmp == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct plan_run *v = realloc(w->tmp, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->tmp = v;
		w->cap = cap;
	}
	w->tmp[w->ntmp++] = *r;
	return 0;
}

/* A THP run: the whole THP-aligned middle gets one entry per THP; the ends
 * (pieces of THPs cut by the mapping, or PTE-mapped pieces) base entries. */
static int plan_walk_thp(struct plan_walk *w, struct plan_run r)
{
	uint64_t ps = w->p->page_size, thp = w->p->thp_size;
	uint64_t s = r.start, e = r.start + r.pages * ps;
	uint64_t a = (s + thp - 1) / thp * thp, b = e / thp * thp;
	struct plan_run x = r;
	int rc;

	if (a >= b)
		return plan_walk_push(w, &r);
	x.pages = (a - s) / ps;
	if ((rc = plan_walk_push(w, &x)))
		return rc;
	x.start = a;
	x.pages = (b - a) / ps;
	x.cls = PLAN_THP;
	x.step = thp;
	if ((rc = plan_walk_push(w, &x)))
		return rc;
	x.start = b;
	x.pages = (e - b) / ps;
	x.cls = PLAN_BASE;
	x.step = ps;
	return plan_walk_push(w, &x);
}

static int plan_walk_run(void *ud, const struct page_run *pr)
{
	struct plan_walk *w = ud;
	const struct mapping *m = w->m;
	struct plan_run r;
	int dst;

	/* the shared zero page (known as root) never moves */
	if (!(pr->flags & RUN_PRESENT) || pr->node == RUN_NODE_NONE || (pr->flags & RUN_ZERO))
		return 0;
	if (pr->node == RUN_NODE_UNKNOWN) {
		if (w->query)           /* move_pages(2) could not move it either */
			return 0;
		w->unknown = true;
		return 1;
	}
	if (plan_on_target(w->o, pr->node)) {
		w->already += pr->pages;
		return 0;
	}
	dst = plan_target(w->o, pr->node);
	if (dst == -1)
		return 0;
	if (!(pr->flags & RUN_EXCLUSIVE) && !w->o->move_all) {
		w->shared += pr->pages;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.map_start = m->start;
	r.map_end = m->end;
	r.start = pr->start;
	r.pages = pr->pages;
	r.step = w->p->page_size;
	r.cls = PLAN_BASE;
	r.src = pr->node;
	r.dst = dst;
	if (!(pr->flags & RUN_EXCLUSIVE))
		r.flags |= PLAN_RUN_SHARED;
	if ((pr->flags & RUN_FILE) || m->kind == MAPKIND_FILE || m->kind == MAPKIND_SHM)
		r.flags |= PLAN_RUN_FILE;
	if (m->kind == MAPKIND_HUGETLB || m->huge) {
		r.cls = PLAN_HUGETLB;
		r.step = m->page_size > w->p->page_size ? m->page_size : w->p->page_size;
		return plan_walk_push(w, &r);
	}
	if ((pr->flags & (RUN_KPF | RUN_THP_SCAN)) && (pr->flags & RUN_THP) &&
	    w->p->thp_size > w->p->page_size)
		return plan_walk_thp(w, r);
	return plan_walk_push(w, &r);
}

/* Runs of a mapping from numa_maps counts alone: the executor queries. */
static int plan_mapping_coarse(struct plan *p, struct plan_proc *pp,
			       const struct plan_opts *o, const struct mapping *m)
{
	uint64_t psz = m->page_size ? m->page_size : p->page_size;
	bool huge = m->kind == MAPKIND_HUGETLB || m->huge;

	for (int n = 0; n < m->node_slots; n++) {
		struct plan_run r;
		uint64_t pages;
		int rc;

		if (!m->node_pages[n])
			continue;
		pages = m->node_pages[n] * (psz / p->page_size);
		if (plan_on_target(o, n)) {
			pp->already_pages += pages;
			continue;
		}
		r = (struct plan_run){
			.map_start = m->start, .map_end = m->end, .start = m->start,
			.pages = pages, .step = huge ? psz : p->page_size,
			.cls = huge ? PLAN_HUGETLB : PLAN_BASE,
			.src = n, .dst = plan_target(o, n), .flags = PLAN_RUN_COARSE,
		};
		if (r.dst == -1)
			continue;
		if (m->kind == MAPKIND_FILE || m->kind == MAPKIND_SHM)
			r.flags |= PLAN_RUN_FILE;
		if ((rc = plan_put(p, pp, o, r)))
			return rc;
	}
	return 0;
}

static bool plan_mapping_has_work(const struct plan_opts *o, const struct mapping *m)
{
	for (int n = 0; n < m->node_slots; n++)
		if (m->node_pages[n] && (plan_target(o, n) != -1 || plan_on_target(o, n)))
			return true;
	return false;
}

/* "bind:0-1" / "prefer:0": the nodes of the policy do not include dst. */
static void plan_check_policy(struct plan_proc *pp, const struct plan_opts *o,
			      const struct mapping *m)
{
	const char *pol = m->policy, *colon;
	struct ns_nodeset ns;
	int n;

	if (pp->policy_warn[0] || !pol)
		return;
	if (strncmp(pol, "bind:", 5) && strncmp(pol, "prefer:", 7))
		return;
	colon = strchr(pol, ':');
	if (nodeset_parse_list(colon + 1, &ns) < 0)
		return;
	nodeset_foreach(n, &o->to)
		if (!nodeset_has(&ns, n)) {
			snprintf(pp->policy_warn, sizeof(pp->policy_warn),
				 "mapping %" PRIx64 " has policy %s", m->start, pol);
			return;
		}
}

/* plan_mapping: the coarse runs need numa_maps, which was not read */
#define PLAN_NEED_NUMA 1

static int plan_mapping(struct plan *p, struct plan_proc *pp, const struct plan_opts *o,
			const struct mapping *m, struct pm_reader *pm)
{
	struct plan_walk w = { .p = p, .pp = pp, .o = o, .m = m,
			       .query = pm && path_is_live() && !pm_has_pfn(pm) };
	int rc;

	if (m->end <= m->start || !plan_vma_match(o->vma, o->nvma, m))
		return 0;
	/* without numa_maps the walk itself finds the work; but [vdso] and
	 * the kernel's other special mappings hold the kernel's own pages,
	 * which numa_maps does not count (PageReserved) and move_pages(2)
	 * refuses (-EBUSY): numa_maps alone may say that one has pages */
	if (m->have & MAP_F_NUMA ? !plan_mapping_has_work(o, m) : m->kind == MAPKIND_SPECIAL)
		return 0;
	plan_check_policy(pp, o, m);
	if (!pm)
		return plan_mapping_coarse(p, pp, o, m);
	rc = pm_walk(pm, m->start, m->end, plan_walk_run, &w);
	if (rc == -ESRCH || rc == -ENOMEM) {
		free(w.tmp);
		return rc;
	}
	if (rc != 0 || w.unknown) {       /* no page-level truth: query later */
		free(w.tmp);
		if (!(m->have & MAP_F_NUMA))
			return PLAN_NEED_NUMA;
		return plan_mapping_coarse(p, pp, o, m);
	}
	pp->already_pages += w.already;
	pp->shared_pages += w.shared;
	for (size_t i = 0; i < w.ntmp && rc == 0; i++)
		rc = plan_put(p, pp, o, w.tmp[i]);
	free(w.tmp);
	return rc;
}

/* The maps of a process: from maps alone when pagemap gives every page's
 * node and no mapping may be hugetlb (plan.h), else numa_maps and maps
 * (numa_maps has no end address: maps gives it). */
static int plan_scan(const struct plan_opts *o, const struct proc_id *id,
		     struct pm_reader *pm, struct scan_proc *s, maps_warn_fn warn, void *ud)
{
	struct maps_hugetlb_devs hd;
	int rc;

	if (!pm || o->check_policy || !path_is_live())
		return scan_process(id, SCAN_NUMA | SCAN_MAPS, s, warn, ud);
	rc = scan_process(id, SCAN_MAPS, s, warn, ud);
	if (rc < 0)
		return rc;
	if (maps_hugetlb_devs(id->pid, &hd) == 0) {
		size_t i;

		for (i = 0; i < s->maps.n; i++)
			if (maps_may_be_hugetlb(&s->maps.v[i], &hd))
				break;
		maps_hugetlb_devs_free(&hd);
		if (i == s->maps.n)
			return 0;
	}
	scan_free(s);
	return scan_process(id, SCAN_NUMA | SCAN_MAPS, s, warn, ud);
}

int plan_add_process(struct plan *p, const struct plan_opts *o,
		     const struct proc_id *id, maps_warn_fn warn, void *ud)
{
	struct scan_proc s;
	struct pm_reader *pm = NULL;
	struct plan_proc *pp;
	double t0 = sys_now();
	int rc;

	memset(&s, 0, sizeof(s));
	if (o->use_pagemap && pm_open(&pm, id->pid, PM_WANT_NODE | PM_WANT_KPF | PM_WANT_THP_ONLY) < 0)
		pm = NULL;
	rc = plan_scan(o, id, pm, &s, warn, ud);
	if (rc < 0) {
		if (pm)
			pm_close(pm);
		return rc;
	}
	pp = plan_proc_new(p, &s.id);
	if (!pp) {
		if (pm)
			pm_close(pm);
		scan_free(&s);
		return -ENOMEM;
	}
	if (!pp->id.pid)
		pp->id = *id;
	pp->kpf = pm && pm_has_thp(pm);
	pp->numa_maps = (s.have & SCAN_NUMA) != 0;
	rc = 0;
	for (size_t i = 0; i < s.maps.n && rc == 0; i++) {
		uint64_t start = s.maps.v[i].start;
		struct mapping *m;

		rc = plan_mapping(p, pp, o, &s.maps.v[i], pm);
		if (rc != PLAN_NEED_NUMA)
			continue;
		if (pp->numa_maps) {    /* read, and it no longer lists it: gone */
			rc = 0;
			continue;
		}
		/* merged in by start address: find the mapping again */
		pp->numa_maps = true;
		rc = maps_read_numa_maps(id->pid, &s.maps, warn, ud);
		if (rc == 0 && id->start_time)
			rc = procs_check_same(id);
		m = rc == 0 ? maps_find(&s.maps, start) : NULL;
		if (m && (rc = plan_mapping(p, pp, o, m, pm)) == PLAN_NEED_NUMA)
			rc = 0;
		i = m ? (size_t)(m - s.maps.v) : i;
	}
	if (pm)
		pm_close(pm);
	scan_free(&s);
	plan_proc_finish(pp, p->page_size);
	pp->plan_seconds = sys_now() - t0;
	return rc;
}

/* ---- totals ------------------------------------------------------------- */

uint64_t plan_bytes_to(const struct plan *p, const struct plan_proc *pp, int dst,
		       enum plan_class cls, bool all_classes)
{
	uint64_t sum = 0;

	for (size_t k = 0; k < p->nprocs; k++) {
		const struct plan_proc *q = &p->procs[k];

		if (pp && q != pp)
			continue;
		for (size_t i = 0; i < q->nruns; i++) {
			const struct plan_run *r = &q->runs[i];

			if ((dst < 0 || r->dst == dst) && (all_classes || r->cls == cls))
				sum += plan_run_bytes(r, p->page_size);
		}
	}
	return sum;
}

uint64_t plan_total_bytes(const struct plan *p, const struct plan_proc *pp)
{
	return plan_bytes_to(p, pp, -1, PLAN_BASE, true);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nprocs; i++)
		free(p->procs[i].runs);
	free(p->procs);
	free(p->spread_assigned);
	memset(p, 0, sizeof(*p));
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *plan_nodes_json(const struct ns_nodeset *s)
{
	char buf[4096];

	nodeset_format(s, buf, sizeof(buf));
	return json_string(buf);
}

/* Addresses are strings "0x7f..." in every numashift document (docs/json.md). */
static json_t *plan_addr_json(uint64_t a)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, a);
	return json_string(buf);
}

static json_t *plan_run_json(const struct plan_run *r)
{
	return json_pack("{s:o,s:o,s:o,s:I,s:s,s:I,s:i,s:i,s:b,s:b,s:b}",
			 "map_start", plan_addr_json(r->map_start),
			 "map_end", plan_addr_json(r->map_end),
			 "start", plan_addr_json(r->start), "pages", (json_int_t)r->pages,
			 "class", plan_class_name(r->cls), "step", (json_int_t)r->step,
			 "from", r->src, "to", r->dst,
			 "coarse", !!(r->flags & PLAN_RUN_COARSE),
			 "shared", !!(r->flags & PLAN_RUN_SHARED),
			 "file", !!(r->flags & PLAN_RUN_FILE));
}

static json_t *plan_proc_json(const struct plan *p, const struct plan_proc *pp)
{
	json_t *o, *runs = json_array();

	for (size_t i = 0; i < pp->nruns; i++)
		json_array_append_new(runs, plan_run_json(&pp->runs[i]));
	o = json_pack("{s:i,s:I,s:s,s:i,s:I,s:I,s:I,s:I,s:b,s:b,s:o}",
		      "pid", (int)pp->id.pid, "start_time", (json_int_t)pp->id.start_time,
		      "comm", pp->id.comm, "uid", (int)pp->id.uid,
		      "planned_pages", (json_int_t)(plan_total_bytes(p, pp) / p->page_size),
		      "already_pages", (json_int_t)pp->already_pages,
		      "shared_pages", (json_int_t)pp->shared_pages,
		      "thp_entries", (json_int_t)pp->thp_entries,
		      "folios_known", pp->kpf, "numa_maps", pp->numa_maps, "runs", runs);
	if (o && pp->policy_warn[0])
		json_object_set_new(o, "policy_warning", json_string(pp->policy_warn));
	return o;
}

json_t *plan_to_json(const struct plan *p)
{
	json_t *procs = json_array();

	for (size_t i = 0; i < p->nprocs; i++)
		json_array_append_new(procs, plan_proc_json(p, &p->procs[i]));
	return json_pack("{s:i,s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:b,s:o}",
			 "schema_version", p->schema_version, "tool", "mmigrate",
			 "version", NS_VERSION,
			 "boot_id", p->boot_id, "page_size", (json_int_t)p->page_size,
			 "thp_size", (json_int_t)p->thp_size,
			 "from", plan_nodes_json(&p->from), "to", plan_nodes_json(&p->to),
			 "spread", p->spread, "processes", procs);
}

int plan_save(const struct plan *p, const char *path)
{
	json_t *doc = plan_to_json(p);
	int rc;

	if (!doc)
		return -ENOMEM;
	rc = out_write_json_file(doc, path);
	json_decref(doc);
	return rc;
}

/* Validation: every error names the field. */
struct plan_vctx {
	char *err;
	size_t errlen;
	const char *where;
};

static int plan_bad(struct plan_vctx *v, const char *what)
{
	snprintf(v->err, v->errlen, "bad plan: %s%s", v->where, what);
	return -EINVAL;
}

static int plan_get_u64(struct plan_vctx *v, const json_t *o, const char *key, uint64_t *out)
{
	json_t *x = json_object_get(o, key);
	char msg[128];

	if (!json_is_integer(x) || json_integer_value(x) < 0) {
		snprintf(msg, sizeof(msg), "'%s' must be a non-negative integer", key);
		return plan_bad(v, msg);
	}
	*out = (uint64_t)json_integer_value(x);
	return 0;
}

static int plan_get_addr(struct plan_vctx *v, const json_t *o, const char *key, uint64_t *out)
{
	json_t *x = json_object_get(o, key);
	const char *str = json_string_value(x);
	char msg[128], *end;

	if (!str || strncmp(str, "0x", 2) != 0 || !str[2])
		goto bad;
	errno = 0;
	*out = strtoull(str + 2, &end, 16);
	if (errno || *end)
		goto bad;
	return 0;
bad:
	snprintf(msg, sizeof(msg), "'%s' must be an address string \"0x...\"", key);
	return plan_bad(v, msg);
}

static int plan_get_int(struct plan_vctx *v, const json_t *o, const char *key,
			int min, int max, int *out)
{
	json_t *x = json_object_get(o, key);
	char msg[128];

	if (!json_is_integer(x) || json_integer_value(x) < min || json_integer_value(x) > max) {
		snprintf(msg, sizeof(msg), "'%s' must be an integer from %d to %d", key, min, max);
		return plan_bad(v, msg);
	}
	*out = (int)json_integer_value(x);
	return 0;
}

static int plan_get_str(struct plan_vctx *v, const json_t *o, const char *key,
			char *buf, size_t len)
{
	json_t *x = json_object_get(o, key);
	char msg[128];

	if (!json_is_string(x) || strlen(json_string_value(x)) >= len) {
		snprintf(msg, sizeof(msg), "'%s' must be a string", key);
		return plan_bad(v, msg);
	}
	strcpy(buf, json_string_value(x));
	return 0;
}

static int plan_get_bool(struct plan_vctx *v, const json_t *o, const char *key, bool *out)
{
	json_t *x = json_object_get(o, key);
	char msg[128];

	if (!x) {
		*out = false;
		return 0;
	}
	if (!json_is_boolean(x)) {
		snprintf(msg, sizeof(msg), "'%s' must be true or false", key);
		return plan_bad(v, msg);
	}
	*out = json_is_true(x);
	return 0;
}

static bool plan_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int plan_run_from_json(struct plan_vctx *v, const struct plan *p,
			      const json_t *o, struct plan_run *r)
{
	char cls[16];
	bool coarse, shared, file;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o))
		return plan_bad(v, "a run must be an object");
	if ((rc = plan_get_addr(v, o, "map_start", &r->map_start)) ||
	    (rc = plan_get_addr(v, o, "map_end", &r->map_end)) ||
	    (rc = plan_get_addr(v, o, "start", &r->start)) ||
	    (rc = plan_get_u64(v, o, "pages", &r->pages)) ||
	    (rc = plan_get_u64(v, o, "step", &r->step)) ||
	    (rc = plan_get_str(v, o, "class", cls, sizeof(cls))) ||
	    (rc = plan_get_int(v, o, "from", 0, NS_MAX_NODES - 1, &r->src)) ||
	    (rc = plan_get_int(v, o, "to", 0, NS_MAX_NODES - 1, &r->dst)) ||
	    (rc = plan_get_bool(v, o, "coarse", &coarse)) ||
	    (rc = plan_get_bool(v, o, "shared", &shared)) ||
	    (rc = plan_get_bool(v, o, "file", &file)))
		return rc;
	if (plan_class_parse(cls, &r->cls) < 0)
		return plan_bad(v, "'class' must be base, thp or hugetlb");
	if (!plan_pow2(r->step) || r->step < p->page_size)
		return plan_bad(v, "'step' must be a power of two of at least the page size");
	if (r->pages == 0 || r->pages > (UINT64_MAX / p->page_size))
		return plan_bad(v, "'pages' must be positive");
	if (r->map_start % p->page_size || r->map_end % p->page_size || r->start % r->step ||
	    r->map_end <= r->map_start || r->start < r->map_start ||
	    r->start + r->pages * p->page_size > r->map_end ||
	    r->start + r->pages * p->page_size < r->start)
		return plan_bad(v, "run is not page aligned or not inside its mapping");
	if (r->src == r->dst)
		return plan_bad(v, "run moves to the node it is on");
	r->flags = (coarse ? PLAN_RUN_COARSE : 0) | (shared ? PLAN_RUN_SHARED : 0) |
		   (file ? PLAN_RUN_FILE : 0);
	return 0;
}

static int plan_proc_from_json(struct plan_vctx *v, struct plan *p, const json_t *o)
{
	struct proc_id id;
	struct plan_proc *pp;
	json_t *runs;
	int pid, uid, rc;
	uint64_t already, shared = 0;

	if (!json_is_object(o))
		return plan_bad(v, "a process must be an object");
	memset(&id, 0, sizeof(id));
	if ((rc = plan_get_int(v, o, "pid", 1, 0x3fffffff, &pid)) ||
	    (rc = plan_get_u64(v, o, "start_time", &id.start_time)) ||
	    (rc = plan_get_str(v, o, "comm", id.comm, sizeof(id.comm))) ||
	    (rc = plan_get_int(v, o, "uid", 0, 0x7fffffff, &uid)) ||
	    (rc = plan_get_u64(v, o, "already_pages", &already)))
		return rc;
	if (json_object_get(o, "shared_pages") &&
	    (rc = plan_get_u64(v, o, "shared_pages", &shared)))
		return rc;
	id.pid = pid;
	id.uid = (uid_t)uid;
	runs = json_object_get(o, "runs");
	if (!json_is_array(runs))
		return plan_bad(v, "'runs' must be an array");
	pp = plan_proc_new(p, &id);
	if (!pp)
		return -ENOMEM;
	pp->plan_seconds = -1;   /* planned by another run */
	pp->already_pages = already;
	pp->shared_pages = shared;
	for (size_t i = 0; i < json_array_size(runs); i++) {
		struct plan_run r;

		if ((rc = plan_run_from_json(v, p, json_array_get(runs, i), &r)))
			return rc;
		if ((rc = plan_add_run(pp, &r)))
			return rc;
	}
	plan_proc_finish(pp, p->page_size);
	return 0;
}

static int plan_nodes_from_json(struct plan_vctx *v, const json_t *o, const char *key,
				struct ns_nodeset *out)
{
	char buf[4096], msg[128];

	if (plan_get_str(v, o, key, buf, sizeof(buf)) < 0)
		return -EINVAL;
	if (nodeset_parse_list(buf, out) < 0) {
		snprintf(msg, sizeof(msg), "'%s' is not a node list", key);
		return plan_bad(v, msg);
	}
	return 0;
}

static int plan_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* A process listed twice would be locked twice by one run (and waited for
 * forever with --wait), and its pages planned twice. */
static int plan_check_procs(struct plan_vctx *v, const struct plan *p)
{
	pid_t *pids;
	char msg[128];
	int rc = 0;

	if (p->nprocs == 0)
		return plan_bad(v, "it lists no process");
	pids = malloc(p->nprocs * sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	for (size_t i = 0; i < p->nprocs; i++)
		pids[i] = p->procs[i].id.pid;
	qsort(pids, p->nprocs, sizeof(*pids), plan_cmp_pid);
	for (size_t i = 1; i < p->nprocs && !rc; i++)
		if (pids[i] == pids[i - 1]) {
			snprintf(msg, sizeof(msg), "process %d is listed twice", (int)pids[i]);
			rc = plan_bad(v, msg);
		}
	free(pids);
	return rc;
}

int plan_from_json(const json_t *doc, struct plan *out, char *err, size_t errlen)
{
	struct plan_vctx v = { err, errlen, "" };
	char tool[32];
	json_t *procs;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc))
		return plan_bad(&v, "not a JSON object");
	if ((rc = plan_get_int(&v, doc, "schema_version", 0, 1 << 30, &out->schema_version)))
		return rc;
	if (out->schema_version != PLAN_SCHEMA_VERSION && out->schema_version != 1) {
		snprintf(err, errlen, "bad plan: schema_version %d is not 1 or %d (made by another version?)",
			 out->schema_version, PLAN_SCHEMA_VERSION);
		return -EINVAL;
	}
	if ((rc = plan_get_str(&v, doc, "tool", tool, sizeof(tool))))
		return rc;
	if (strcmp(tool, "mmigrate"))
		return plan_bad(&v, "'tool' is not mmigrate");
	if ((rc = plan_get_str(&v, doc, "boot_id", out->boot_id, sizeof(out->boot_id))) ||
	    (rc = plan_get_u64(&v, doc, "page_size", &out->page_size)) ||
	    (rc = plan_get_u64(&v, doc, "thp_size", &out->thp_size)) ||
	    (rc = plan_nodes_from_json(&v, doc, "from", &out->from)) ||
	    (rc = plan_nodes_from_json(&v, doc, "to", &out->to)) ||
	    (rc = plan_get_bool(&v, doc, "spread", &out->spread)))
		goto fail;
	if (!plan_pow2(out->page_size)) {
		rc = plan_bad(&v, "'page_size' must be a power of two");
		goto fail;
	}
	procs = json_object_get(doc, "processes");
	if (!json_is_array(procs)) {
		rc = plan_bad(&v, "'processes' must be an array");
		goto fail;
	}
	for (size_t i = 0; i < json_array_size(procs); i++) {
		char where[64];

		snprintf(where, sizeof(where), "process %zu: ", i);
		v.where = where;
		if ((rc = plan_proc_from_json(&v, out, json_array_get(procs, i))))
			goto fail;
	}
	v.where = "";
	if ((rc = plan_check_procs(&v, out)))
		goto fail;
	return 0;
fail:
	plan_free(out);
	return rc;
}

/* Reads a plan file for json_load_callback, never more than PLAN_FILE_MAX
 * bytes: a file that grows while it is read is cut off and refused. */
struct plan_reader {
	int fd;
	size_t total;
	bool too_large;
};

static size_t plan_read_cb(void *buf, size_t len, void *data)
{
	struct plan_reader *r = data;
	ssize_t n;

	if (len > PLAN_FILE_MAX + 1 - r->total)
		len = PLAN_FILE_MAX + 1 - r->total;
	do
		n = read(r->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return (size_t)-1;
	r->total += (size_t)n;
	if (r->total > PLAN_FILE_MAX) {
		r->too_large = true;
		return (size_t)-1;
	}
	return (size_t)n;
}

/* Open a plan: a regular file (a FIFO would block, a device never end) no
 * larger than PLAN_FILE_MAX.  Returns the fd or -errno (-EINVAL: err says). */
static int plan_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot read plan %s: %s", path, strerror(errno));
		return rc;
	}
	rc = 0;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if ((uint64_t)st.st_size > PLAN_FILE_MAX)
		rc = -EFBIG;
	if (rc == -EINVAL)
		snprintf(err, errlen, "bad plan %s: not a regular file", path);
	else if (rc == -EFBIG)
		snprintf(err, errlen, "bad plan %s: too large (%lld bytes, at most %llu)",
			 path, (long long)st.st_size, (unsigned long long)PLAN_FILE_MAX);
	else if (rc < 0)
		snprintf(err, errlen, "cannot read plan %s: %s", path, strerror(-rc));
	if (rc < 0) {
		close(fd);
		return rc == -EFBIG ? -EINVAL : rc;
	}
	return fd;
}

int plan_load(const char *path, struct plan *out, char *err, size_t errlen)
{
	struct plan_reader r = { 0 };
	json_error_t je;
	json_t *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	r.fd = plan_open(path, err, errlen);
	if (r.fd < 0)
		return r.fd;
	doc = json_load_callback(plan_read_cb, &r, JSON_REJECT_DUPLICATES, &je);
	close(r.fd);
	if (r.too_large) {
		json_decref(doc);
		snprintf(err, errlen, "bad plan %s: too large (more than %llu bytes)",
			 path, (unsigned long long)PLAN_FILE_MAX);
		return -EINVAL;
	}
	if (!doc) {
		snprintf(err, errlen, "bad plan %s: line %d: %s", path, je.line, je.text);
		return -EINVAL;
	}
	rc = plan_from_json(doc, out, err, errlen);
	json_decref(doc);
	return rc;
}

int plan_check_current(const struct plan *p, const char *name, char *err, size_t errlen)
{
	char boot[64] = "";

	if (p->page_size != sys_page_size()) {
		snprintf(err, errlen, "plan %s was made on a machine with another page size", name);
		return -EINVAL;
	}
	sys_boot_id(boot, sizeof(boot));
	if (strcmp(boot, p->boot_id) != 0) {
		snprintf(err, errlen, "plan %s was made in another boot (boot id %s, now %s)", name,
			 p->boot_id, boot);
		return -EINVAL;
	}
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct proc_id *want = &p->procs[i].id;
		struct proc_id now;

		if (procs_identify(want->pid, &now) < 0) {
			snprintf(err, errlen, "process %d (%s) of plan %s no longer exists",
				 (int)want->pid, want->comm, name);
			return -ESRCH;
		}
		if (now.start_time != want->start_time || strcmp(now.comm, want->comm) != 0) {
			snprintf(err, errlen, "PID %d is now another process (%s, started at tick %" PRIu64
				 "; the plan is for %s, started at tick %" PRIu64 "): refusing a reused PID",
				 (int)want->pid, now.comm, now.start_time, want->comm, want->start_time);
			return -EINVAL;
		}
	}
	return 0;
}

int plan_groups(const struct plan *p, struct plan_group **out, size_t *n)
{
	struct plan_group *g = NULL;
	size_t ng = 0, cap = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct plan_proc *pp = &p->procs[i];
		size_t first = ng;     /* this process's groups: few (nodes^2 x classes) */

		for (size_t k = 0; k < pp->nruns; k++) {
			const struct plan_run *r = &pp->runs[k];
			struct plan_group *x = NULL;

			for (size_t j = first; j < ng && !x; j++)
				if (g[j].src == r->src && g[j].dst == r->dst && g[j].cls == r->cls)
					x = &g[j];
			if (!x) {
				if (ng == cap) {
					size_t c = cap ? cap * 2 : 16;
					struct plan_group *v = realloc(g, c * sizeof(*v));

					if (!v) {
						free(g);
						return -ENOMEM;
					}
					g = v;
					cap = c;
				}
				x = &g[ng++];
				*x = (struct plan_group){ .pp = pp, .src = r->src, .dst = r->dst, .cls = r->cls };
			}
			x->runs++;
			x->entries += plan_run_bytes(r, p->page_size) / r->step;
			x->bytes += plan_run_bytes(r, p->page_size);
		}
	}
	*out = g;
	*n = ng;
	return 0;
}
