/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "exitcode.h"
#include "lock.h"
#include "outcome.h"
#include "path.h"
#include "place_run.h"
#include "privs.h"
#include "scan.h"
#include "sysinfo.h"

static void say(const struct place_run *o, bool error, const char *msg)
{
	if (error)
		o->h.err("%s", msg);
	else
		o->h.warn("%s", msg);
}

/* Say one line and return code. */
static int say_code(const struct place_run *o, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int say_code(const struct place_run *o, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say(o, code != 0, msg);
	return code;
}

static void read_done(const struct place_run *o, int rc)
{
	if (o->h.read_done)
		o->h.read_done(rc);
}

static int stop_code(const struct place_run *o)
{
	return o->xo.stop ? ns_exit_from_signal(*o->xo.stop) : 0;
}

static int perm_or_fail(int rc)
{
	return rc == -EACCES || rc == -EPERM ? NS_EXIT_PERM : NS_EXIT_FAIL;
}

int place_run_auto(const struct place_run *o, struct report_place *rp)
{
	static double busy[NS_MAX_NODES];
	const struct proc_id *id = &rp->id;
	bool live = path_is_live();
	struct scan_proc s;
	int rc;

	memset(&s, 0, sizeof(s));
	/* live: where the pages are from pagemap, which does not stall the
	 * process as numa_maps' walk of each whole mapping does (scan.h) */
	rc = scan_process(id, live ? SCAN_MAPS | SCAN_PAGEMAP : SCAN_NUMA, &s,
			  o->h.maps_warn, o->h.ud);
	read_done(o, rc);
	if (rc == -ESRCH)
		return say_code(o, NS_EXIT_FAIL, "process %d (%s) has gone", (int)id->pid, id->comm);
	if (rc < 0)
		return say_code(o, perm_or_fail(rc), "pid %d: cannot read %s: %s", (int)id->pid,
				live ? "maps and pagemap" : "numa_maps", strerror(-rc));
	rc = place_sample_load(o->topo, PLACE_RUN_LOAD_SAMPLE, busy, NS_MAX_NODES);
	if (rc < 0)
		say_code(o, 0, "cannot sample CPU load from /proc/stat: %s", strerror(-rc));
	rc = place_auto_choose(o->topo, s.node_bytes, s.node_slots, busy, NS_MAX_NODES,
			       o->go.min_free_is_bytes ? 0 : o->go.min_free_pct, &rp->au);
	rp->au.numa_maps = (s.have & SCAN_NUMA) != 0;
	scan_free(&s);
	rp->have_auto = true;
	if (rc < 0)
		return say_code(o, rc == -ENOSPC ? NS_EXIT_REFUSED : NS_EXIT_FAIL, "auto: %s",
				rp->au.why);
	return 0;
}

int place_run_plan(const struct place_run *o, struct report_place *rp,
		   const struct ns_nodeset *to)
{
	struct plan_opts po = { .to = *to, .spread = true, .topo = o->topo, .use_pagemap = true,
				.check_policy = o->dry_run };
	struct guard_opts go = o->go;
	const struct proc_id *id = &rp->id;
	char why[256];
	int rc;

	go.check_privs = !o->dry_run;
	go.check_cpuset = true;
	go.affinity_set = true;     /* the threads are moved there too */
	/* gone meanwhile: the plan below meets it and says so */
	if (privs_check(id, PRIV_AFFINITY, why, sizeof(why)) == -EPERM && !o->dry_run)
		return say_code(o, NS_EXIT_PERM, "%s", why);
	plan_init(&rp->plan, &po);
	rc = plan_add_process(&rp->plan, &po, id, o->h.maps_warn, o->h.ud);
	read_done(o, rc);
	if (rc == -ESRCH)
		return say_code(o, NS_EXIT_FAIL, "process %d (%s) has gone", (int)id->pid, id->comm);
	if (rc < 0)
		return say_code(o, perm_or_fail(rc), "pid %d: cannot plan: %s", (int)id->pid,
				strerror(-rc));
	rc = guard_check(&rp->plan, o->topo, &go, &rp->guard);
	if (rc < 0)
		return say_code(o, NS_EXIT_FAIL, "pid %d: cannot check the plan: %s",
				(int)id->pid, strerror(-rc));
	for (size_t i = 0; i < rp->guard.n; i++)
		say(o, rp->guard.v[i].level == GUARD_REFUSE, rp->guard.v[i].text);
	return rp->guard.refuse;
}

/* The move of the planned pages, the engine as mmigrate chooses it: rc of
 * exec_proc (0 when nothing was planned). */
static int move_memory(const struct place_run *o, struct report_place *rp)
{
	struct exec_opts base = o->xo, xo;
	int rc = 0;

	if (o->timeout > 0)     /* counted from the lock, as mmigrate's from its start */
		base.deadline = sys_now() + o->timeout;
	if (rp->plan.nprocs) {
		xo = base;
		xo.engine = rp->mv.engine = exec_choose(&rp->plan, &rp->plan.procs[0], &base,
							&rp->mv.engine_why);
		rc = exec_proc(&rp->plan, &rp->plan.procs[0], &xo, &rp->mv.r);
	}
	rp->moved = rc == 0 && rp->plan.nprocs;
	rp->mv.ran = rp->moved ? 1 : rc < 0 ? rc : 0;
	report_move_stall(&rp->mv, o->xo.max_stall);
	return rc;
}

int place_run_move(const struct place_run *o, struct report_place *rp,
		   const struct place_cpus *cpus)
{
	const struct proc_id *id = &rp->id;
	struct ns_lock lk = { .fd = -1 };
	char msg[512];
	int rc, code;

	code = lock_take_proc(&lk, id, o->wait, o->xo.stop, msg, sizeof(msg));
	if (code)
		return say_code(o, code, "%s", msg);
	if (stop_code(o)) {         /* seen before anything changed: change nothing */
		lock_release(&lk);
		return stop_code(o);
	}
	rc = place_set_affinity_all(id->pid, cpus, &rp->aff);
	rp->aff_done = true;
	if (rc < 0) {
		lock_release(&lk);
		return say_code(o, rc == -ESRCH ? NS_EXIT_FAIL : ns_exit_from_errno(rc),
				"pid %d: cannot set affinity: %s", (int)id->pid, strerror(-rc));
	}
	rc = move_memory(o, rp);
	if (rp->moved && outcome_stall(id, &rp->mv.stall, "move_pages", msg, sizeof(msg)))
		say(o, false, msg);
	/* threads started while the memory moved (no new change after a signal,
	 * nor in a program that replaced this one: the move saw it gone) */
	if (!stop_code(o) && rp->mv.r.stop != EXS_GONE)
		place_set_affinity_all(id->pid, cpus, &rp->aff_again);
	lock_release(&lk);
	if (rc < 0)
		return say_code(o, ns_exit_from_errno(rc), "pid %d: cannot move memory: %s",
				(int)id->pid, strerror(-rc));
	code = outcome_affinity(&rp->aff, id->pid, rp->error, sizeof(rp->error));
	if (rp->error[0])
		say(o, true, rp->error);
	if (outcome_move_error(id, &rp->mv.r, msg, sizeof(msg)))
		say(o, true, msg);
	if (outcome_unaccounted(id, &rp->mv.r, msg, sizeof(msg)))
		say(o, true, msg);
	rp->mv.code = outcome_move(&rp->mv.r, rp->mv.ran,
				   rp->plan.nprocs && rp->plan.procs[0].nruns, stop_code(o));
	return ns_exit_combine(code, rp->mv.code);
}
