/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* migrate_run: move processes' memory as mmigrate does, step by step, each
 * step filling the run's state that the command then renders (report.h):
 *   migrate_run_plan    a new plan: every selected process's lock (not for a
 *                       dry run), then its plan; a process that cannot be
 *                       planned goes to errors (outcome_plan_error)
 *   migrate_run_load    a saved plan (--apply): migrate_plan_verdict, then
 *                       the locks of its processes
 *   migrate_run_guard   the plan's guard rails (guard.h)
 *   migrate_run_moves   each process's move in plan order (exec_choose,
 *                       exec_proc), until a stop or the deadline
 *   migrate_run_code    the run's exit code (outcome_move, outcome_run)
 * Each step returns 0 or an exit code (outcome.h).  Never prints: what the
 * command should say reaches its hooks (run_hooks.h), in the order it
 * happens.
 */
#ifndef NS_MIGRATE_RUN_H
#define NS_MIGRATE_RUN_H

#include <stdbool.h>
#include <jansson.h>
#include "exec.h"
#include "guard.h"
#include "lock.h"
#include "plan.h"
#include "report.h"
#include "run_hooks.h"

struct migrate_run {
	/* what the command sets, in the order the steps use it */
	const struct proc_sel *sel;   /* the selection, for select_left_out */
	bool dry_run;                 /* plan and check only: no lock is taken */
	bool wait;                    /* wait for another run's lock */
	const struct ns_topology *topo;
	struct guard_opts go;         /* min_free, force, discard */
	struct exec_opts xo;          /* the executor's: stop, deadline, progress ... */
	struct run_hooks hooks;       /* errors, warnings as they happen; read_done
				       * hears each process's plan read */
	/* after each process's exec_proc, before anything is said of it (a
	 * progress bar ends here), with hooks.ud; may be NULL */
	void (*moved)(void *ud);

	/* what the steps fill (zero it with the settings; migrate_run_free) */
	struct plan plan;
	struct lock_set locks;        /* the processes' locks (none for a dry run) */
	json_t *errors;               /* processes not planned: outcome_error_json's */
	int plan_code;                /* their codes combined, 0 none */
	struct guard_result guard;
	struct report_move *out;      /* migrate_run_moves: one per plan.procs */
};

/* Set up the run's state: errors an empty array.  -ENOMEM. */
int migrate_run_init(struct migrate_run *r);

/* The plan of po for the processes of l: the locks first (every one, in
 * order: lock_set_take), then each process (missing ones, named with -p and
 * not there, count as gone; one gone that sel leaves out is said and left
 * out: select_left_out).  0 when some process was planned (the others'
 * code in plan_code); else the code: the first lock's that could not be
 * taken, the processes' combined, or 1 when every one was left out (said). */
int migrate_run_plan(struct migrate_run *r, const struct plan_opts *po,
		     const struct proc_list *l);

/* Whether the plan saved at path applies here and now: loaded into p
 * (plan_load), the same page size, boot and processes (plan_check_current).
 * 0 it applies; else msg says why and the code is 2 for a file that is not
 * a plan, or a plan of another machine, boot or process (a reused PID), 1
 * for a file that cannot be read or a process of the plan that has gone. */
int migrate_plan_verdict(const char *path, struct plan *p, char *msg, size_t len);

/* --apply: the plan of path when it applies (migrate_plan_verdict, its line
 * said), then the locks of its processes; moves then take only what is
 * still on its source (xo.requery).  0 or the code. */
int migrate_run_load(struct migrate_run *r, const char *path);

/* The guard rails of the plan (guard_check: privileges on a live system,
 * cpusets, free memory) into guard, with a warning for each process's
 * pages left out as shared, then each finding (refusals as errors).  0 or
 * the guard's code (5 refused); 1 when it could not check. */
int migrate_run_guard(struct migrate_run *r);

/* Move each process of the plan that has runs, in order, into out[i]:
 * the engine (exec_choose), exec_proc, the calls' times and what the move
 * ended with, said.  Stops before the next process on a stop (xo.stop) or
 * once the deadline has passed; those left have ran 0.  0, or 1 when out
 * of memory (said). */
int migrate_run_moves(struct migrate_run *r);

/* The run's exit code: each process's (outcome_move, into out[i].code)
 * with plan_code, then a signal caught (xo.stop) or the deadline
 * (outcome_run).  -ENOMEM (said). */
int migrate_run_code(struct migrate_run *r);

void migrate_run_free(struct migrate_run *r);

#endif
