/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* select: the first stage, select -> scan -> plan -> execute -> report.
 * Builds a proc_sel from the selection options' values (-p 1,2,3, -n NAME,
 * -u USER, --cgroup PATH; -A is sel->all), resolves it with procs_select,
 * and says what a failure means to the user: an exit code (exitcode.h) and
 * one line.  Never prints or exits: the command prints the line.
 *
 * The adders return 0, -EINVAL with the reason in err (the value named, no
 * program name), or -ENOMEM.  Memory is freed by select_free.
 */
#ifndef NS_SELECT_H
#define NS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include "procs.h"

/* A PID: decimal, > 0 ("invalid PID '0': expected a positive number"). */
int select_parse_pid(const char *arg, pid_t *out, char *err, size_t len);
/* -p: a comma-separated PID list, appended to sel->pids. */
int select_add_pids(struct proc_sel *sel, const char *arg, char *err, size_t len);
/* -n: an exact command name, not empty. */
int select_add_name(struct proc_sel *sel, const char *arg, char *err, size_t len);
/* -u: a user name or uid known to the system. */
int select_add_user(struct proc_sel *sel, const char *arg, char *err, size_t len);
/* --cgroup: a cgroup v2 path, not empty; the last one given counts. */
int select_set_cgroup(struct proc_sel *sel, const char *arg, char *err, size_t len);
void select_free(struct proc_sel *sel);

/* Resolve sel into out (procs_select; never the caller itself).  Returns
 * the exit code: 0 when at least one process was selected; otherwise msg
 * holds the line to print and the code is 1 (no such process, none
 * matched, libproc2 missing, another error), 2 (a kernel thread or zombie
 * named by PID, a cgroup not found, a selection other than PIDs under
 * --sysroot) or 4 (permission denied).  *rc (may be NULL) gets
 * procs_select's own return, for a caller that checks the tree. */
int select_run(struct proc_sel *sel, struct proc_list *out, int *rc,
	       char *msg, size_t len);

/* A process found by -n/-u/--cgroup/-A that is gone (err -ESRCH, or
 * -ENOENT on the live machine) before anything was done to it is left out
 * as if it had not matched: true.  false for any other error and for a
 * PID named with -p, which still counts. */
bool select_left_out(const struct proc_sel *sel, const struct proc_id *id, int err);
/* The same, with the line a command says of a process left out (msg
 * "process N (COMM) exited before its turn: left out"; untouched when
 * false). */
bool select_left_out_msg(const struct proc_sel *sel, const struct proc_id *id, int err,
			 char *msg, size_t len);

#endif
