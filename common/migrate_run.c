/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exitcode.h"
#include "migrate_run.h"
#include "outcome.h"
#include "path.h"
#include "strutil.h"
#include "sysinfo.h"

static bool stopped(const struct migrate_run *r)
{
	return r->xo.stop && *r->xo.stop;
}

static int sigcode(const struct migrate_run *r)
{
	return stopped(r) ? ns_exit_from_signal(*r->xo.stop) : 0;
}

static bool deadline_passed(const struct migrate_run *r)
{
	return r->xo.deadline > 0 && sys_now() >= r->xo.deadline;
}

int migrate_run_init(struct migrate_run *r)
{
	r->errors = json_array();
	return r->errors ? 0 : -ENOMEM;
}

/* The locks of n processes, ids[0] and each stride bytes after it, before
 * planning; a dry run moves nothing and takes none. */
static int lock_procs(struct migrate_run *r, const struct proc_id *ids, size_t n, size_t stride)
{
	char msg[512];
	int code;

	if (r->dry_run)
		return 0;
	code = lock_set_take(&r->locks, ids, n, stride, r->wait, r->xo.stop, msg, sizeof(msg));
	if (code)
		r->hooks.err("%s", msg);
	return code;
}

/* A selected process that could not be planned: one line, an entry of
 * errors, and its code. */
static int plan_failed(struct migrate_run *r, const struct proc_id *id, int rc)
{
	const char *kind;
	char msg[512];
	int code = outcome_plan_error(id, rc, r->xo.move_all, &kind, msg, sizeof(msg));

	r->hooks.err("%s", msg);
	json_array_append_new(r->errors, outcome_error_json(id, kind, msg, code));
	return code;
}

int migrate_run_plan(struct migrate_run *r, const struct plan_opts *po,
		     const struct proc_list *l)
{
	int code = 0, rc;

	rc = lock_procs(r, l->v, l->n, sizeof(l->v[0]));
	if (rc)
		return rc;
	plan_init(&r->plan, po);
	for (size_t i = 0; i < l->n; i++) {
		const struct proc_id *id = &l->v[i];

		if (id->missing) {
			rc = -ESRCH;
		} else {
			rc = plan_add_process(&r->plan, po, id, r->hooks.maps_warn, r->hooks.ud);
			if (r->hooks.read_done)
				r->hooks.read_done(rc);
		}
		if (rc < 0 && !run_left_out(&r->hooks, r->sel, id, rc))
			code = ns_exit_combine(code ? code : -1, plan_failed(r, id, rc));
	}
	r->plan_code = code;
	if (r->plan.nprocs == 0 && !code)
		r->hooks.err("every selected process exited before it was planned");
	if (r->plan.nprocs == 0)
		return code ? code : NS_EXIT_FAIL;
	return 0;
}

int migrate_plan_verdict(const char *path, struct plan *p, char *msg, size_t len)
{
	int rc;

	rc = plan_load(path, p, msg, len);
	if (rc == 0)
		rc = plan_check_current(p, path, msg, len);
	if (rc < 0)
		return rc == -EINVAL ? NS_EXIT_USAGE : NS_EXIT_FAIL;
	return 0;
}

int migrate_run_load(struct migrate_run *r, const char *path)
{
	char msg[512];
	int code;

	code = migrate_plan_verdict(path, &r->plan, msg, sizeof(msg));
	if (code) {
		r->hooks.err("%s", msg);
		return code;
	}
	code = lock_procs(r, &r->plan.procs[0].id, r->plan.nprocs, sizeof(r->plan.procs[0]));
	if (code)
		return code;
	r->xo.requery = true;       /* move only what is still on its source */
	return 0;
}

int migrate_run_guard(struct migrate_run *r)
{
	struct guard_opts go = r->go;
	struct guard_result *g = &r->guard;
	int rc;

	go.move_all = r->xo.move_all;
	go.check_privs = path_is_live();
	go.check_cpuset = true;
	rc = guard_check(&r->plan, r->topo, &go, g);
	if (rc < 0) {
		r->hooks.err("cannot check the plan: %s", strerror(-rc));
		return NS_EXIT_FAIL;
	}
	for (size_t i = 0; i < r->plan.nprocs; i++) {
		const struct plan_proc *pp = &r->plan.procs[i];
		char b[32];

		if (pp->shared_pages)
			r->hooks.warn("pid %d (%s): %s shared with other processes stay where they are "
			    "(--move-all moves them too)", (int)pp->id.pid, pp->id.comm,
			    str_human_size(pp->shared_pages * r->plan.page_size, b, sizeof(b)));
	}
	for (size_t i = 0; i < g->n; i++) {
		if (g->v[i].level == GUARD_REFUSE)
			r->hooks.err("refused: %s", g->v[i].text);
		else
			r->hooks.warn("%s", g->v[i].text);
	}
	if (g->refuse == NS_EXIT_REFUSED && !r->dry_run)
		r->hooks.err("nothing was moved (--force goes on when only free memory is short)");
	return g->refuse;
}

/* What a move that ran said it ended with. */
static void say_stop(const struct migrate_run *r, const struct plan_proc *pp,
		     const struct report_move *o)
{
	char msg[512];

	switch (o->r.stop) {
	case EXS_GONE:
		r->hooks.err("process %d (%s) exited or its PID was reused during the move: its part ended",
		    (int)pp->id.pid, pp->id.comm);
		break;
	case EXS_ERROR:
		if (outcome_move_error(&pp->id, &o->r, msg, sizeof(msg)))
			r->hooks.err("%s", msg);
		break;
	default:
		break;
	}
	if (outcome_unaccounted(&pp->id, &o->r, msg, sizeof(msg)))
		r->hooks.err("%s", msg);
	if (o->r.discard_skipped)
		r->hooks.warn("process %d: lazily freed pages not discarded: without kpageflags "
		    "live pages would be swapped out; they were moved instead", (int)pp->id.pid);
	else if (o->r.discard_err)
		r->hooks.warn("process %d: discarding lazily freed pages failed: %s; they were moved instead",
		    (int)pp->id.pid, strerror(-o->r.discard_err));
}

/* Process pp's move into o. */
static void move_one(struct migrate_run *r, const struct plan_proc *pp, struct report_move *o)
{
	struct exec_opts xo = r->xo;
	char msg[512];
	int rc;

	xo.engine = o->engine = exec_choose(&r->plan, pp, &r->xo, &o->engine_why);
	rc = exec_proc(&r->plan, pp, &xo, &o->r);
	if (r->moved)
		r->moved(r->hooks.ud);
	o->ran = rc < 0 ? rc : 1;
	report_move_stall(o, xo.max_stall);
	if (rc == 0 && outcome_stall(&pp->id, &o->stall, xo.discard_lazyfree ?
				     "move_pages or process_madvise" : "move_pages", msg, sizeof(msg)))
		r->hooks.warn("%s", msg);
	if (rc == -ESRCH)
		r->hooks.err("process %d (%s) has gone before its pages moved",
		    (int)pp->id.pid, pp->id.comm);
	else if (rc < 0)
		r->hooks.err("cannot move the pages of process %d (%s): %s",
		    (int)pp->id.pid, pp->id.comm, strerror(-rc));
	else
		say_stop(r, pp, o);
}

int migrate_run_moves(struct migrate_run *r)
{
	r->out = calloc(r->plan.nprocs ? r->plan.nprocs : 1, sizeof(*r->out));
	if (!r->out) {
		r->hooks.err("out of memory");
		return NS_EXIT_FAIL;
	}
	for (size_t i = 0; i < r->plan.nprocs; i++) {
		const struct plan_proc *pp = &r->plan.procs[i];

		if (!pp->nruns)
			continue;
		if (stopped(r) || deadline_passed(r))
			break;
		move_one(r, pp, &r->out[i]);
	}
	return 0;
}

int migrate_run_code(struct migrate_run *r)
{
	int *codes = calloc(r->plan.nprocs + 1, sizeof(*codes));
	int sig = sigcode(r);
	size_t n = 0;
	int code;

	if (!codes) {
		r->hooks.err("out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->plan.nprocs; i++)
		codes[n++] = r->out[i].code = outcome_move(&r->out[i].r, r->out[i].ran,
							   r->plan.procs[i].nruns > 0, sig);
	if (r->plan_code)          /* processes that could not be planned */
		codes[n++] = r->plan_code;
	code = outcome_run(codes, n, sig, deadline_passed(r));
	free(codes);
	return code;
}

void migrate_run_free(struct migrate_run *r)
{
	if (r->out)
		for (size_t i = 0; i < r->plan.nprocs; i++)
			exec_result_free(&r->out[i].r);
	free(r->out);
	r->out = NULL;
	lock_set_release(&r->locks);
	guard_free(&r->guard);
	plan_free(&r->plan);
	json_decref(r->errors);
	r->errors = NULL;
}
