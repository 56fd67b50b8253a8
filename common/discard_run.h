/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* discard_run: drop the clean lazily freed pages of processes as
 * mfree-discard does, one process after another, each process's figures
 * into the run's table rows and JSON entries (report.h) that the command
 * renders:
 *   discard_run_one   a process: find (discard_find), the guard rails (swap
 *                     in mapping mode without force, privileges), then under
 *                     its lock (lock.h, shared with mmigrate and mplace)
 *                     discard_apply; its code (outcome.h)
 *   discard_run_all   each process of a list in turn until a stop or the
 *                     deadline, and the run's exit code (outcome_run)
 * Never prints: what the command should say reaches its hooks (run_hooks.h),
 * in the order it happens.
 */
#ifndef NS_DISCARD_RUN_H
#define NS_DISCARD_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <jansson.h>
#include "discard.h"
#include "output.h"
#include "plan.h"
#include "procs.h"
#include "run_hooks.h"
#include "select.h"

struct discard_run {
	/* what the command sets, before discard_run_init */
	const struct proc_sel *sel;   /* the selection, for run_left_out */
	struct discard_opts dopts;    /* mode, thp, nodes, max_stall; stop and
				       * vma_filter are discard_run_init's */
	const struct plan_vma *vma;   /* only matching mappings (plan_vma_match) */
	size_t nvma;                  /* 0: every mapping */
	bool dry_run;                 /* find only: nothing applied, no privilege check */
	bool force;                   /* mapping mode with swap goes on */
	bool wait;                    /* wait for another run's lock */
	const volatile sig_atomic_t *stop;  /* a caught signal (0 none); may be NULL */
	double deadline;              /* CLOCK_MONOTONIC seconds, 0: none */
	struct run_hooks hooks;       /* errors, warnings as they happen; read_done
				       * hears each failed find, after the
				       * left-out check */

	/* what the run fills (discard_run_free) */
	struct out_table *table;      /* report_discard_rows of each process found */
	json_t *procs;                /* report_discard_json of each process */
	bool timed_out;               /* the deadline stopped the work */
};

/* discard_run_one's answer for a process gone before its turn that the
 * selection leaves out (said as a warning; it has no entry).  Not an
 * errno: discard_run_one returns exit codes, never -errno. */
#define DISCARD_RUN_LEFT_OUT (-2)

/* Set up the run once its settings are in: the table (report_discard_cols,
 * every column: the command selects them), the array of entries, and
 * dopts' stop (discard_run_stopped on r) and vma filter.  r must not move
 * afterwards.  -ENOMEM. */
int discard_run_init(struct discard_run *r);

/* dopts.stop of a run (ud is the run): true on a caught signal, or once
 * the deadline has passed (then timed_out is set). */
bool discard_run_stopped(void *ud);

/* Process id, its entry appended to procs and, once found, its rows to
 * table; each error line said as it happens.  The code: 1 for a missing
 * one (named with -p beside others); for one that cannot be read,
 * outcome_discard_find_error's (1 gone, 4 not allowed or precise mode
 * without CAP_SYS_ADMIN, 2 a --sysroot tree without pagemap); 5 for
 * mapping mode with swap unless force,
 * 4 when this run may not discard its pages, the lock's (outcome_lock),
 * else the discard's (outcome_discard_apply_error, outcome_discard; gone
 * after some pages were advised: 3).  0 for a dry run that found it.
 * DISCARD_RUN_LEFT_OUT when it has gone and the selection leaves it out. */
int discard_run_one(struct discard_run *r, const struct proc_id *id);

/* Each process of l in order (discard_run_one), stopping before the next
 * one on a stop or the deadline (the rest count as 1).  When every one was
 * left out, that is said and counts as 1.  The run's exit code from the
 * processes' codes, a caught signal and the deadline (outcome_run);
 * -ENOMEM (said). */
int discard_run_all(struct discard_run *r, const struct proc_list *l);

/* What the run filled; right after a failed discard_run_init too. */
void discard_run_free(struct discard_run *r);

#endif
