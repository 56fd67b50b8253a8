/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exec_int: what the parts of the executor share, and nothing else sees.
 *
 *   exec.c          results, the workers' shared state, batches, exec_proc
 *   exec_after.c    the check afterwards: where the planned pages are now
 *   exec_discard.c  --discard-lazyfree: the discard thread beside pass 1
 *   exec_choose.c   engine auto's table of rules, the number of workers
 *   exec_syscall.c  engine syscall: the one migrate_pages(2) call
 */
#ifndef NS_EXEC_INT_H
#define NS_EXEC_INT_H

#include <pthread.h>
#include "exec.h"

/* move_pages(2) called directly: libnuma's wrappers are
 * the same system calls, and not linking libnuma spares every tool its
 * start-up work (its constructor reads /proc/self/status and sysfs).
 * numaif.h is used for the flag constants only. */
long exec_sys_move_pages(pid_t pid, unsigned long n, void **addr,
			 const int *nodes, int *status, int flags);

/* ---- the shared state of the workers ------------------------------------- */

struct exec_ctx {
	const struct plan *p;
	const struct plan_proc *pp;
	const struct exec_opts *o;
	struct exec_result *r;
	int pidfd;
	int mmfd;                   /* procs_mm_open: notices an exec */
	int flags;
	size_t batch;               /* entries per call, at most */
	uint64_t max_bytes;         /* bytes per call, at most */
	int threads;                /* workers */
	bool renice;                /* exec_nice: set the workers' nice */
	int nice;
	bool nice_refused;          /* auto's nice refused: the workers kept their own */
	bool nice_failed;           /* an explicit --nice refused: the run stopped */
	bool requery_all;
	/* the lazyfree ranges the discard step pages out (ascending, disjoint).
	 * Pass 1 moves every entry outside them while the discard runs beside
	 * it; pass 2 then takes only the entries that touch them, each batch
	 * queried first: what the discard kept (written again) moves, what it
	 * dropped counts as discarded.  Pass 0: no discard, every entry. */
	struct exec_span { uint64_t start, end; } *gone;
	size_t ngone, gone_cap;
	int pass;
	uint64_t scanned;           /* pass 1: the discard's scan is final below this */
	pthread_cond_t scan_cv;     /* scanned moved */

	pthread_mutex_t lock;
	size_t run;                 /* cursor: run index and entry within it */
	uint64_t entry;
	bool stopped;
	uint64_t planned_bytes, done_bytes, moved_bytes;
	double t0;

	double tokens, last;        /* rate limit (bytes) */
};

/* A batch: entries of one target node; ridx says which run each came from. */
struct exec_batch {
	void **addr;
	int *nodes, *status, *q;
	uint32_t *ridx;
	size_t n;
	int dst;
	struct exec_pair *tally;    /* per batch, indexed like pp->runs' pairs */
};

struct exec_pair *exec_pair_get(struct exec_result *r, int src, int dst);
/* The first reason to stop wins; call with c->lock held (or alone). */
void exec_stop_locked(struct exec_ctx *c, enum exec_stop why, int err);
/* Run the workers (nthreads <= 1: in the calling thread) until the cursor
 * is at the end of the current pass; 0, or -errno when none could start. */
int exec_start_threads(struct exec_ctx *c, int nthreads);
/* fn(arg) in the calling thread, which gets its own nice back afterwards
 * (fn may set the workers' nice, c->nice). */
void exec_in_caller(struct exec_ctx *c, void *(*fn)(void *), void *arg);
/* Where the planned pages are now: residual per source node, THPs whole or
 * split (exec_after.c). */
void exec_after(const struct plan *p, const struct plan_proc *pp,
		struct exec_result *r, size_t batch);
/* --discard-lazyfree: the discard thread beside pass 1, then pass 2
 * (exec_discard.c). */
int exec_discard_run(struct exec_ctx *c, int pidfd);
/* Discarded pages that their batches counted as gone. */
void exec_discard_fix(struct exec_result *r);

#endif
