/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exec: the check afterwards: where the planned pages are now (exec_int.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "exec_int.h"
#include "pagemap.h"
#include "procs.h"

/* ---- afterwards: where the planned pages are now ---------------------------- */

static int exec_residual_add(struct exec_result *r, int node, uint64_t pages)
{
	if (node < 0 || node >= NS_MAX_NODES)
		return 0;
	if (node >= r->residual_slots) {
		uint64_t *v = realloc(r->residual, (size_t)(node + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memset(v + r->residual_slots, 0, (size_t)(node + 1 - r->residual_slots) * sizeof(*v));
		r->residual = v;
		r->residual_slots = node + 1;
	}
	r->residual[node] += pages;
	return 0;
}

static int exec_residual(const struct plan *p, const struct plan_proc *pp,
			 struct exec_result *r, size_t batch)
{
	void **addr = calloc(batch, sizeof(*addr));
	int *q = calloc(batch, sizeof(int));
	int rc = 0;

	if (!addr || !q) {
		free(addr);
		free(q);
		return -ENOMEM;
	}
	for (size_t i = 0; i < pp->nruns && rc == 0; i++) {
		const struct plan_run *run = &pp->runs[i];
		uint64_t nent = plan_run_entries(run, p->page_size);
		uint64_t base = (run->flags & PLAN_RUN_COARSE) ? run->map_start : run->start;
		uint64_t per = run->step / p->page_size;

		if ((rc = exec_residual_add(r, run->src, 0)))
			break;
		for (uint64_t e = 0; e < nent && rc == 0; ) {
			size_t n = 0;

			while (e < nent && n < batch)
				addr[n++] = (void *)(uintptr_t)(base + e++ * run->step);
			if (exec_sys_move_pages(pp->id.pid, n, addr, NULL, q, 0) < 0) {
				rc = -errno;
				break;
			}
			for (size_t k = 0; k < n; k++)
				if (q[k] == run->src)
					r->residual[run->src] += per;
		}
	}
	free(addr);
	free(q);
	if (rc == 0)
		r->residual_known = true;
	return rc;
}

struct exec_after_walk {
	const struct plan_run *run;
	uint64_t on_src, thp_on_dst;
};

static int exec_after_run(void *ud, const struct page_run *pr)
{
	struct exec_after_walk *w = ud;

	if (!(pr->flags & RUN_PRESENT))
		return 0;
	if (pr->node == w->run->src)
		w->on_src += pr->pages;
	if ((pr->flags & RUN_KPF) && (pr->flags & RUN_THP) && pr->node == w->run->dst)
		w->thp_on_dst += pr->pages;
	return 0;
}

static void exec_thp_result(const struct plan *p, const struct plan_proc *pp,
			    struct exec_result *r, uint64_t thp_pages)
{
	uint64_t whole = thp_pages / (p->thp_size / p->page_size), moved = 0;

	for (size_t k = 0; k < r->npairs; k++)
		moved += r->pairs[k].thp_moved;
	r->thp_whole = whole < moved ? whole : moved;
	r->thp_split = moved - r->thp_whole;
	r->thp_known = true;
}

/* Where the planned pages are afterwards, from one pagemap walk (PFN to
 * node as root; THPs from kpageflags).  -EOPNOTSUPP without PFNs: the
 * caller then queries with move_pages. */
static int exec_after_pagemap(const struct plan *p, const struct plan_proc *pp,
			      struct exec_result *r)
{
	struct pm_reader *pm;
	uint64_t thp_pages = 0;
	int rc = 0;

	/* kpageflags only count THPs that arrived whole: none planned, none read */
	if (pm_open(&pm, pp->id.pid, PM_WANT_NODE | (pp->thp_entries ? PM_WANT_KPF | PM_WANT_THP_ONLY : 0)) < 0)
		return -EOPNOTSUPP;
	if (!pm_has_pfn(pm)) {
		pm_close(pm);
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < pp->nruns && rc == 0; i++) {
		const struct plan_run *run = &pp->runs[i];
		struct exec_after_walk w = { run, 0, 0 };
		bool coarse = run->flags & PLAN_RUN_COARSE;
		uint64_t start = coarse ? run->map_start : run->start;
		uint64_t end = coarse ? run->map_end : run->start + run->pages * p->page_size;

		rc = pm_walk(pm, start, end, exec_after_run, &w);
		if (rc == 0)
			rc = exec_residual_add(r, run->src, w.on_src);
		if (run->cls == PLAN_THP)
			thp_pages += w.thp_on_dst;
	}
	if (rc == 0) {
		r->residual_known = true;
		if (pm_has_kpf(pm) && pp->thp_entries && p->thp_size)
			exec_thp_result(p, pp, r, thp_pages);
	}
	pm_close(pm);
	return rc;
}

void exec_after(const struct plan *p, const struct plan_proc *pp,
		       struct exec_result *r, size_t batch)
{
	if (exec_after_pagemap(p, pp, r) == 0)
		return;
	if (r->residual)
		memset(r->residual, 0, (size_t)r->residual_slots * sizeof(*r->residual));
	exec_residual(p, pp, r, batch);
}
