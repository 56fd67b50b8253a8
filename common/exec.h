/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exec: carry out one process's part of a plan (plan.h).
 *
 * One job per file: exec.c the batches and workers, exec_after.c the check
 * afterwards, exec_discard.c the discard coordination, exec_choose.c the
 * engine rules, exec_syscall.c the single call (exec_int.h joins them).
 *
 * Engine "pages": move_pages(2) calls generated from the runs, each sized so
 * that it takes about opts.max_stall (stall.h: the sizer learns the cost per
 * byte from the calls before), at most opts.batch entries; a call never
 * mixes target nodes.  The process keeps running: move_pages takes its
 * mmap_lock page by page, and no call holds its pages for longer than the
 * budget.  The status
 * array is pre-filled with a sentinel; after each call the entries whose
 * status was never written (a positive return counts failed AND never
 * attempted entries; a negative one writes none for the queued range) are
 * queried (nodes = NULL): on the target they count as moved, elsewhere they
 * are tried again in the next call, and what still does not move is "not
 * migrated" (or "target full" when the call said ENOMEM).  -EBUSY entries are
 * queried too (the second address of an already-moved THP says -EBUSY) and
 * retried up to opts.retries times.  A base page that the kernel called
 * absent or unmapped while pagemap shows it present (freed and mapped again
 * during the call) is tried once more, unless opts.retries is 0; one that
 * pagemap no longer shows at all (no page of its entry) has gone.
 * Per-page reasons: -EBUSY busy, -EACCES
 * shared (needs MOVE_ALL), -ENOENT not present, -EFAULT not migratable,
 * -ENOMEM target full.
 *
 * Threads: N workers (opts.threads, or EXEC_THREADS_AUTO: exec_threads)
 * take batches from one cursor (disjoint pages) and call move_pages in
 * parallel, each with its own sizer; each worker may be reniced (setpriority on its
 * tid).  opts.rate is one token bucket over all workers.  Before every batch
 * the process is checked (pidfd alive and same start time); the stop flag and
 * the deadline are checked between batches.
 *
 * --discard-lazyfree: a thread scans the planned mappings for clean
 * lazyfree ranges (discard_find, published as it goes up the address
 * space) and pages them out (discard_apply); pass 1 meanwhile moves every
 * entry the scan has gone past that touches none of those ranges; pass 2
 * then queries the entries inside them and moves what is still on its
 * source (written again); discarded pages count as discarded, not gone.
 *
 * Engine "syscall": one migrate_pages(2) call for the FROM->TO node sets;
 * the kernel only returns a count of pages not migrated.  Up to kernel 6.6
 * it holds the process's mmap_lock for the whole move (from 6.7 while it
 * scans and isolates every page): the process's mmap, munmap, brk and the
 * page faults queued behind them wait that long.  Engine auto takes it only
 * for a process that cannot notice (exec_choose).
 *
 * Never prints; the progress callback is called after every batch (from a
 * worker thread, under the executor's lock).
 */
#ifndef NS_EXEC_H
#define NS_EXEC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "nodes.h"
#include "plan.h"
#include "stall.h"

#define EXEC_DEFAULT_BATCH 16384  /* at most this many entries per move_pages call */
#define EXEC_MAX_THREADS   64
#define EXEC_THREADS_AUTO  0      /* opts.threads: exec_threads decides */
#define EXEC_AUTO_THREADS_MAX 4   /* auto: at most this many workers ... */
#define EXEC_AUTO_THREAD_BYTES (64ULL << 20)  /* ... and one per 64 MiB to move */
#define EXEC_BATCH_BYTES   (64ULL << 20)  /* a call copies at most this much,
					   * unless batch * page size is more */

enum exec_reason {
	EXR_BUSY,          /* -EBUSY after retries */
	EXR_SHARED,        /* -EACCES: shared, no MOVE_ALL */
	EXR_ABSENT,        /* -ENOENT: not present, yet pagemap shows it (swapped) */
	EXR_UNMOVABLE,     /* -EFAULT: not migratable (zero page); a page that
	                    * pagemap no longer shows counts as gone instead */
	EXR_NOMEM,         /* -ENOMEM: target node full */
	EXR_NOT_MIGRATED,  /* the kernel only counted it (positive return) */
	EXR_OTHER,         /* another errno */
	EXR_NREASONS
};
const char *exec_reason_key(enum exec_reason r);   /* "busy", "shared", ... */

/* Figures for one source->target pair, in base pages (bytes = pages * page size). */
struct exec_pair {
	int src, dst;
	uint64_t planned, moved, already, discarded;
	uint64_t gone;                     /* no longer on the source when its batch ran
					    * (freed, moved by someone else, discarded) */
	uint64_t not_moved[EXR_NREASONS];
	uint64_t thp_planned, thp_moved;   /* THP entries */
};

enum exec_stop {
	EXS_DONE,          /* every batch ran */
	EXS_SIGNAL,        /* stop flag */
	EXS_TIMEOUT,       /* deadline */
	EXS_GONE,          /* the process exited or its PID was reused */
	EXS_ERROR,         /* a call failed for the whole process (errno in .err) */
};
const char *exec_stop_name(enum exec_stop s);

struct exec_result {
	struct exec_pair *pairs;
	size_t npairs;
	uint64_t page_size;
	uint64_t retries;                  /* move_pages calls that were retries */
	uint64_t calls;                    /* move_pages calls (queries too) */
	struct stall_stats stall;          /* time of every call that held the
					    * process's memory: move_pages in move
					    * mode, process_madvise, migrate_pages */
	int threads;                       /* workers that ran */
	int nice;                          /* their nice value (exec_nice) */
	bool nice_failed;                  /* EXS_ERROR: the kernel refused the
					    * explicit --nice (err says why) */
	uint64_t thp_whole, thp_split;     /* after the move (from the residual query) */
	bool thp_known;                    /* thp_whole/split measured */
	uint64_t syscall_failed;           /* engine syscall: the kernel's count */
	double seconds;
	enum exec_stop stop;
	int err;                           /* -errno with EXS_ERROR (or a batch error) */
	uint64_t *residual;                /* base pages still on each source node, by node id */
	int residual_slots;
	bool residual_known;
	uint64_t unaccounted;              /* planned pages that got no outcome although
					    * every batch ran (an executor bug): counted
					    * as not moved (other), never as moved */
	bool discard_done;                 /* --discard-lazyfree ran */
	bool discard_skipped;              /* not run: it would swap out live pages */
	int discard_err;                   /* -errno of the discard step, 0 if none */
};

enum exec_engine { EXEC_AUTO, EXEC_PAGES, EXEC_SYSCALL };

struct exec_progress {
	uint64_t planned_bytes, done_bytes, moved_bytes;
	double seconds;
};

struct exec_opts {
	enum exec_engine engine;
	int threads;                       /* 1 = serial in the calling thread;
					    * EXEC_THREADS_AUTO: exec_threads */
	size_t batch;                      /* at most this many entries per call;
					    * 0 = EXEC_DEFAULT_BATCH */
	bool batch_given;                  /* --batch: the caller wants batches */
	double max_stall;                  /* seconds a call may take (stall.h);
					    * default STALL_DEFAULT */
	uint64_t rate;                     /* bytes/s over all workers; 0 = no limit */
	bool renice;                       /* --nice N: apply nice to the workers */
	int nice;
	bool nice_auto;                    /* no --nice N: exec_nice decides */
	bool move_all;                     /* MPOL_MF_MOVE_ALL */
	int retries;                       /* extra attempts for busy pages */
	double deadline;                   /* CLOCK_MONOTONIC seconds; 0 = none */
	bool requery;                      /* query each batch; move only pages on src */
	bool discard_lazyfree;             /* discard clean lazyfree pages (a thread
					    * beside the workers) instead of moving them */
	bool residual;                     /* query the runs afterwards */
	const volatile sig_atomic_t *stop; /* non-zero: stop between batches */
	void (*progress)(void *ud, const struct exec_progress *p);
	void *ud;
	/* what moves where is the plan's alone (its from, to, spread, filtered) */
};

void exec_opts_init(struct exec_opts *o);
/* What o asks that this process may not do, checked before anything
 * changes: a negative --nice (raising the workers' priority) needs
 * CAP_SYS_NICE.  0, or -EPERM with the line in err. */
int exec_opts_allowed(const struct exec_opts *o, char *err, size_t len);
/* The workers for one process: opts.threads when given; for
 * EXEC_THREADS_AUTO the CPUs this process may run on, at most
 * EXEC_AUTO_THREADS_MAX, and one per EXEC_AUTO_THREAD_BYTES to move (a small
 * move is not worth a thread's start).  While they copy, each keeps one CPU
 * busy (--nice lowers their priority, --rate their bandwidth). */
int exec_threads(const struct plan *p, const struct plan_proc *pp, const struct exec_opts *o);
/* The workers' nice value, into *nice; true when they set it (false: they
 * keep this process's own).  --nice N gives N.  Otherwise (auto, the
 * default) EXEC_AUTO_NICE when this process runs at nice 0 and may raise a
 * priority that far (CAP_SYS_NICE, or RLIMIT_NICE), else its own: a worker
 * at the target's priority is preempted by every wakeup of the target's
 * threads, so its calls outlast --max-stall (docs/PERFORMANCE.md), and one
 * run under nice(1) was asked to be gentle. */
#define EXEC_AUTO_NICE (-5)
bool exec_nice(const struct exec_opts *o, int *nice);
/* Call before planning.  With threads != 1, starts and joins one thread: the
 * C library's thread code is then mapped in by this process before the plan
 * sees which pages the target maps alone.  (Seen in make bench: with
 * --threads 2 the kernel refused 1-3 pages as shared that the plan had found
 * mapped by the target alone; library pages faulted in by the workers' start
 * are the likely cause.) */
void exec_prepare(const struct exec_opts *o);

/* Run one process's part.  Returns 0 when the run ended (see r->stop for
 * how), or -errno when nothing could start (-ESRCH gone, -EPERM/-EACCES,
 * -ENOMEM).  r is always initialised and must be freed with exec_result_free. */
int exec_proc(const struct plan *p, const struct plan_proc *pp,
	      const struct exec_opts *o, struct exec_result *r);
/* Engine auto, for one process: the first rule of exec.c's table
 * (exec_rules) that applies decides, and *why says which, in a few words.
 * The single migrate_pages(2) call freezes the process's memory map, so it
 * is taken only when nothing can notice: every thread of the process is
 * stopped (state T or t) or its cgroup is frozen, and the call does exactly
 * the job of the move_pages calls (no option that needs batches, one target
 * per source, base pages only, targets inside both cpusets, sharing known).
 * Whether stderr is a terminal never matters. */
enum exec_engine exec_choose(const struct plan *p, const struct plan_proc *pp,
			     const struct exec_opts *o, const char **why);
const char *exec_engine_name(enum exec_engine e);   /* "auto", "pages", "syscall" */
/* One migrate_pages(2) call (engine syscall): the plan's FROM->TO sets (with
 * spread, every node with planned pages to TO). */
int exec_syscall(const struct proc_id *id, const struct plan *p,
		 const struct plan_proc *pp, const struct exec_opts *o,
		 struct exec_result *r);

/* Every page of a page-level plan ends with an outcome (moved, already,
 * gone, discarded or not moved) once every batch ran.  Pages without one
 * are added to not_moved (other) and to r->unaccounted, so that the result
 * never claims more than happened.  In a coarse plan (its entries are whole
 * mappings, its counts from numa_maps) they count as gone: the queries did
 * not find them on their source.  Nothing is checked for a run that stopped
 * early.  exec_proc calls it; exposed for the unit tests. */
void exec_check_outcomes(const struct plan_proc *pp, struct exec_result *r);

/* Totals of all pairs. */
void exec_totals(const struct exec_result *r, struct exec_pair *sum);
/* Pages of a pair that did not move, whatever the reason. */
uint64_t exec_not_moved(const struct exec_pair *x);
void exec_result_free(struct exec_result *r);

#endif
