/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "discard_run.h"
#include "exitcode.h"
#include "lock.h"
#include "outcome.h"
#include "privs.h"
#include "report.h"
#include "stall.h"
#include "sysinfo.h"

static int sigcode(const struct discard_run *r)
{
	return r->stop ? ns_exit_from_signal(*r->stop) : 0;
}

bool discard_run_stopped(void *ud)
{
	struct discard_run *r = ud;

	if (r->stop && *r->stop)
		return true;
	if (r->deadline > 0 && sys_now() >= r->deadline) {
		r->timed_out = true;
		return true;
	}
	return false;
}

static bool vma_filter(void *ud, const struct mapping *map)
{
	const struct discard_run *r = ud;

	return plan_vma_match(r->vma, r->nvma, map);
}

int discard_run_init(struct discard_run *r)
{
	if (r->nvma) {
		r->dopts.vma_filter = vma_filter;
		r->dopts.vma_ud = r;
	}
	r->dopts.stop = discard_run_stopped;
	r->dopts.stop_ud = r;
	r->table = out_table_new(report_discard_cols, report_discard_ncols, NULL);
	r->procs = json_array();
	return r->table && r->procs ? 0 : -ENOMEM;
}

/* The warnings of what discard_find found. */
static void warn_set(const struct discard_run *r, const struct discard_set *s)
{
	if (s->warn & DISCARD_W_NO_KPF)
		r->hooks.warn("pid %d: precise mode needs CAP_SYS_ADMIN (PFNs and "
			      "/proc/kpageflags); using mapping mode (whole mappings "
			      "with LazyFree)", (int)s->id.pid);
	if (s->warn & DISCARD_W_THP_MAYBE)
		r->hooks.warn("pid %d: mapping mode leaves out %" PRIu64 " fully present "
			      "THP-sized blocks (possible live THPs)", (int)s->id.pid,
			      s->thp_skipped);
	if (s->warn & DISCARD_W_REWRITTEN && r->dopts.thp == DISCARD_THP_SKIP)
		r->hooks.warn("pid %d: %" PRIu64 " lazily freed THPs left out: their "
			      "mappings have pages written again (--thp skip)",
			      (int)s->id.pid, s->thp_skipped);
}

/* Apply set s to process id into res under its lock; msg the line to say
 * (or empty).  *err: the -errno that stopped it before anything was
 * applied, or 0. */
static int apply(struct discard_run *r, const struct proc_id *id,
		 struct discard_set *s, struct discard_result *res,
		 char *msg, size_t len, int *err)
{
	struct stall_summary st;
	struct ns_lock lk;
	char line[512];
	int pidfd, rc, code;

	pidfd = privs_pidfd_open(id->pid);
	/* the pidfd pins this process; a reused PID is refused here */
	if (pidfd >= 0 && procs_check_same(id) < 0) {
		close(pidfd);
		pidfd = -ESRCH;
	}
	if (pidfd < 0) {
		*err = pidfd;
		return outcome_discard_apply_error(id, pidfd, msg, len);
	}
	/* the lock of mmigrate and mplace: never discard pages being moved */
	code = lock_take_proc(&lk, id, r->wait, r->stop, msg, len);
	if (code) {
		close(pidfd);
		return code;
	}
	rc = discard_apply(pidfd, s, &r->dopts, res);
	lock_release(&lk);
	close(pidfd);
	stall_summarize(&res->stall, r->dopts.max_stall, &st);
	if (outcome_stall(id, &st, "process_madvise", line, sizeof(line)))
		r->hooks.warn("%s", line);
	if (rc < 0) {
		*err = res->calls ? 0 : rc;
		code = outcome_discard_apply_error(id, rc, msg, len);
		/* gone (or exec'd) after some pages went: partial, as mmigrate */
		return rc == -ESRCH && res->advised ? NS_EXIT_PARTIAL : code;
	}
	code = outcome_discard(s, res, r->timed_out, sigcode(r));
	if (res->collapse_failed)
		r->hooks.warn("pid %d: %" PRIu64 " THPs written again stay split: MADV_COLLAPSE: %s "
			      "(their data is intact)", (int)id->pid, res->collapse_failed,
			      strerror(-res->collapse_error));
	if (res->error)
		snprintf(msg, len, "pid %d: some ranges were refused: %s",
			 (int)id->pid, strerror(-res->error));
	return code;
}

/* A process with nothing found: its line said and its entry. */
static int not_found(struct discard_run *r, const struct proc_id *id, int code, const char *why)
{
	r->hooks.err("%s", why);
	json_array_append_new(r->procs, report_discard_json(id, NULL, NULL, false, code, why,
							    r->dopts.max_stall));
	return code;
}

int discard_run_one(struct discard_run *r, const struct proc_id *id)
{
	struct discard_set s;
	struct discard_result res;
	char why[256] = "";
	bool applied = false;
	int rc, code = NS_EXIT_OK, err = 0;

	memset(&res, 0, sizeof(res));
	if (id->missing) {      /* named with -p beside others: it counts */
		snprintf(why, sizeof(why), "no such process: %d", (int)id->pid);
		return not_found(r, id, NS_EXIT_FAIL, why);
	}
	rc = discard_find(id, &r->dopts, &s);
	if (rc < 0 && run_left_out(&r->hooks, r->sel, id, rc))
		return DISCARD_RUN_LEFT_OUT;
	if (rc < 0) {
		if (r->hooks.read_done)
			r->hooks.read_done(rc);
		code = outcome_discard_find_error(id, rc, why, sizeof(why));
		return not_found(r, id, code, why);
	}
	warn_set(r, &s);
	if (s.warn & DISCARD_W_SWAP && !r->force) {
		snprintf(why, sizeof(why), "pid %d: refusing mapping mode with swap: "
			 "MADV_PAGEOUT would swap out the live pages of its mappings "
			 "with LazyFree (run as root for precise mode, or --force)",
			 (int)id->pid);
		code = NS_EXIT_REFUSED;
	} else if (!r->dry_run && s.candidate &&    /* gone meanwhile: apply meets it */
		   privs_check(id, PRIV_DISCARD, why, sizeof(why)) == -EPERM) {
		code = NS_EXIT_PERM;
	} else if (!r->dry_run && s.candidate) {
		code = apply(r, id, &s, &res, why, sizeof(why), &err);
		if (err && run_left_out(&r->hooks, r->sel, id, err)) {
			discard_set_free(&s);
			discard_result_free(&res);
			return DISCARD_RUN_LEFT_OUT;
		}
		applied = code != NS_EXIT_PERM &&
			!(code == NS_EXIT_FAIL && res.calls == 0);
	}
	if (why[0])
		r->hooks.err("%s", why);
	json_array_append_new(r->procs, report_discard_json(id, &s, &res, applied, code,
							    why[0] ? why : NULL, r->dopts.max_stall));
	report_discard_rows(r->table, id, &s, &res, applied);
	discard_set_free(&s);
	discard_result_free(&res);
	return code;
}

int discard_run_all(struct discard_run *r, const struct proc_list *l)
{
	int *codes = calloc(l->n + 1, sizeof(*codes));
	size_t left = 0, n = 0;
	int code;

	if (!codes) {
		r->hooks.err("out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (discard_run_stopped(r)) {  /* the rest not done: the deadline or a signal says why */
			codes[n++] = NS_EXIT_FAIL;
			break;
		}
		code = discard_run_one(r, &l->v[i]);
		if (code == DISCARD_RUN_LEFT_OUT)
			left++;
		else
			codes[n++] = code;
	}
	if (n == 0 && left) {
		r->hooks.err("every selected process exited before its turn");
		codes[n++] = NS_EXIT_FAIL;
	}
	code = outcome_run(codes, n, sigcode(r), r->timed_out);
	free(codes);
	return code;
}

void discard_run_free(struct discard_run *r)
{
	out_table_free(r->table);
	r->table = NULL;
	json_decref(r->procs);
	r->procs = NULL;
}
