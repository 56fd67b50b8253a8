/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place_run: place a running process (mplace -p), step by step into a
 * report_place (report.h) that the command renders:
 *   place_run_auto   --auto's choice of a node (scan, CPU load, place.h)
 *   place_run_plan   the plan to the target nodes and its guard rails
 *   place_run_move   under the process's lock (lock.h): the affinity of
 *                    every thread, the move of its memory (exec.h, the engine
 *                    chosen as mmigrate's), then a second affinity pass for
 *                    threads started meanwhile.
 * Each step returns 0 or the exit code (outcome.h).  Never prints: what the
 * command should say reaches its hooks (run_hooks.h), in the order it
 * happens.
 */
#ifndef NS_PLACE_RUN_H
#define NS_PLACE_RUN_H

#include <stdbool.h>
#include "exec.h"
#include "guard.h"
#include "maps.h"
#include "nodes.h"
#include "place.h"
#include "report.h"
#include "run_hooks.h"

struct place_run {
	const struct ns_topology *topo;
	struct exec_opts xo;          /* the executor's: stop, deadline, max_stall ... */
	struct guard_opts go;         /* min_free, move_all, force */
	bool dry_run;                 /* plan and check only: no privilege refusal */
	bool wait;                    /* wait for another run's lock */
	double timeout;               /* seconds the move may take from the lock, 0: none */
	struct run_hooks h;           /* the command's lines and checks; read_done
				       * hears every read of the process */
};

/* Seconds of /proc/stat that --auto samples for the load of each node. */
#define PLACE_RUN_LOAD_SAMPLE 0.25

/* --auto: scan where rp->id's memory is, sample the nodes' CPU load (a
 * failure is a warning: the choice goes on without it) and choose
 * (place_auto_choose) into rp->au.  1 when the process has gone, 4 or 1
 * when its numa_maps cannot be read, 5 when no node has room, else 1. */
int place_run_auto(const struct place_run *o, struct report_place *rp);

/* The plan to move rp->id's memory to nodes 'to' (spread over them) and its
 * guard findings, each said (refusals as errors).  Without dry_run, a
 * process whose affinity this run may not set is refused (4) first.  1 when
 * the process has gone, 4/1 when it cannot be planned, the guard's code
 * when it refuses. */
int place_run_plan(const struct place_run *o, struct report_place *rp,
		   const struct ns_nodeset *to);

/* Take the lock (outcome_lock's code when not), set the affinity of every
 * thread to cpus and move the planned pages; a stop seen before anything
 * changed changes nothing (the signal's code).  Fills rp->aff, aff_again,
 * aff_done, mv and moved.  The code combines the affinity's
 * (outcome_affinity, said as an error) and the move's (outcome_move). */
int place_run_move(const struct place_run *o, struct report_place *rp,
		   const struct place_cpus *cpus);

#endif
