/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exec: --discard-lazyfree, the discard thread beside the workers (exec_int.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "discard.h"
#include "exec_int.h"
#include "sysinfo.h"

/* ---- lazyfree pages: discarded instead of copied ----------------------------- */

struct exec_discard_ud {
	const struct plan_proc *pp;
};

static bool exec_discard_vma(void *ud, const struct mapping *m)
{
	const struct exec_discard_ud *d = ud;

	for (size_t i = 0; i < d->pp->nruns; i++)
		if (d->pp->runs[i].map_start == m->start)
			return true;
	return false;
}

static bool exec_discard_stop(void *ud)
{
	const struct exec_opts *o = ud;

	return (o->stop && *o->stop) || (o->deadline > 0 && sys_now() >= o->deadline);
}

/* The discard step, run in a thread of its own beside pass 1. */
struct exec_discard_job {
	struct exec_ctx *c;
	int pidfd;
	struct discard_opts dopt;
	struct exec_discard_ud dud;
	struct discard_set set;
	struct discard_result res;
	size_t seen;               /* ranges of set already in c->gone (the last may grow) */
	int find_rc, apply_rc;
};

/* discard_find's listener: the ranges found so far become spans pass 1
 * leaves out, and pass 1 may take entries below 'upto'.  Ranges ascend, so
 * each one extends the last span or follows it. */
static int exec_discard_scanned(void *ud, const struct discard_set *s, uint64_t upto)
{
	struct exec_discard_job *j = ud;
	struct exec_ctx *c = j->c;
	int rc = 0;

	/* mapping mode with swap would swap out live pages: not run */
	if (s->warn & DISCARD_W_SWAP)
		return -ECANCELED;
	pthread_mutex_lock(&c->lock);
	for (size_t i = j->seen ? j->seen - 1 : 0; i < s->n; i++) {
		uint64_t a = s->v[i].start, e = a + s->v[i].len;
		struct exec_span *last = c->ngone ? &c->gone[c->ngone - 1] : NULL;

		if (last && a <= last->end) {
			if (e > last->end)
				last->end = e;
			continue;
		}
		if (c->ngone == c->gone_cap) {
			size_t cap = c->gone_cap ? c->gone_cap * 2 : 64;
			struct exec_span *v = realloc(c->gone, cap * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			c->gone = v;
			c->gone_cap = cap;
		}
		c->gone[c->ngone++] = (struct exec_span){ a, e };
	}
	j->seen = s->n;
	if (rc == 0 && upto > c->scanned)
		c->scanned = upto;
	pthread_cond_broadcast(&c->scan_cv);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* The scan is over (done or failed): pass 1 may take every entry. */
static void exec_discard_scan_end(struct exec_ctx *c)
{
	pthread_mutex_lock(&c->lock);
	c->scanned = UINT64_MAX;
	pthread_cond_broadcast(&c->scan_cv);
	pthread_mutex_unlock(&c->lock);
}

/* Find the lazyfree ranges of the planned mappings (published to pass 1 as
 * the scan goes), then page them out. */
static void *exec_discard_thread(void *arg)
{
	struct exec_discard_job *j = arg;
	struct exec_ctx *c = j->c;

	if (c->renice)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), c->nice);
	j->dud.pp = c->pp;
	j->dopt = (struct discard_opts){
		.mode = DISCARD_AUTO, .thp = DISCARD_THP_COLLAPSE, .limit_nodes = true,
		.vma_filter = exec_discard_vma, .vma_ud = &j->dud,
		.stop = exec_discard_stop, .stop_ud = (void *)c->o,
		.scanned = exec_discard_scanned, .scanned_ud = j,
		.no_totals = true,   /* the pairs count what went, from the set */
		.max_stall = c->o->max_stall,
	};
	nodeset_zero(&j->dopt.nodes);
	for (size_t i = 0; i < c->pp->nruns; i++)
		nodeset_add(&j->dopt.nodes, c->pp->runs[i].src);
	j->find_rc = discard_find(&c->pp->id, &j->dopt, &j->set);
	exec_discard_scan_end(c);
	if (j->find_rc < 0)
		return NULL;
	memset(&j->res, 0, sizeof(j->res));
	j->apply_rc = discard_apply(j->pidfd, &j->set, &j->dopt, &j->res);
	return NULL;
}

/* After the discard: what it dropped, per source node, into the pairs. */
static void exec_discard_count(struct exec_ctx *c, const struct exec_discard_job *j)
{
	for (int n = 0; n < j->set.node_slots; n++) {
		uint64_t pages = j->set.node[n].discarded / c->p->page_size;

		for (size_t k = 0; k < c->r->npairs && pages; k++)
			if (c->r->pairs[k].src == n) {
				uint64_t take = pages < c->r->pairs[k].planned ?
						pages : c->r->pairs[k].planned;
				c->r->pairs[k].discarded += take;
				pages -= take;
			}
	}
	c->r->discard_done = true;
}

/* Discarded pages are no longer present: their batches counted them as
 * gone, which is what discarded means here. */
void exec_discard_fix(struct exec_result *r)
{
	for (size_t k = 0; k < r->npairs; k++) {
		struct exec_pair *x = &r->pairs[k];
		uint64_t d = x->discarded < x->gone ? x->discarded : x->gone;

		x->gone -= d;
		x->discarded = d;
	}
}

/* --discard-lazyfree: a thread scans for the lazyfree ranges and pages them
 * out; pass 1 meanwhile moves every entry outside them (an entry is taken
 * only once the scan has gone past it; disjoint pages, so the two kernel
 * paths run side by side); pass 2 then queries the entries inside them and
 * moves what the discard kept (written again since MADV_FREE). */
int exec_discard_run(struct exec_ctx *c, int pidfd)
{
	struct exec_discard_job *j = calloc(1, sizeof(*j));
	pthread_t tid;
	int rc;

	if (!j)
		return -ENOMEM;
	j->c = c;
	j->pidfd = pidfd;
	c->pass = 1;
	c->scanned = 0;
	if (pthread_create(&tid, NULL, exec_discard_thread, j) != 0) {
		exec_in_caller(c, exec_discard_thread, j);  /* no thread: scan and discard first */
		rc = exec_start_threads(c, c->threads);
	} else {
		rc = exec_start_threads(c, c->threads);
		pthread_join(tid, NULL);
	}
	if (j->find_rc == -ECANCELED) {
		c->r->discard_skipped = true;
	} else if (j->find_rc == -ESRCH || j->apply_rc == -ESRCH) {
		exec_stop_locked(c, EXS_GONE, -ESRCH);
	} else if (j->find_rc < 0 || j->apply_rc < 0) {
		c->r->discard_err = j->find_rc < 0 ? j->find_rc : j->apply_rc;
	} else {
		exec_discard_count(c, j);
	}
	pthread_mutex_lock(&c->lock);
	if (stall_merge(&c->r->stall, &j->res.stall) < 0)
		exec_stop_locked(c, EXS_ERROR, -ENOMEM);
	pthread_mutex_unlock(&c->lock);
	discard_result_free(&j->res);
	/* every span pass 1 left out, discarded or not */
	if (rc == 0 && !c->stopped && c->ngone) {
		c->pass = 2;
		c->run = 0;
		c->entry = 0;
		rc = exec_start_threads(c, c->threads);
	}
	discard_set_free(&j->set);
	free(j);
	return rc;
}
