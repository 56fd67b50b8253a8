/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exitcode.h"
#include "path.h"
#include "select.h"
#include "strutil.h"

static int grow(void *vp, size_t n, size_t size)
{
	void **v = vp;
	void *p = realloc(*v, (n + 1) * size);

	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

int select_parse_pid(const char *arg, pid_t *out, char *err, size_t len)
{
	int v;

	if (str_to_int(arg, 1, 0x7fffffff, &v) < 0)
		return str_invalid(err, len, "invalid PID '%s': expected a positive number", arg);
	*out = (pid_t)v;
	return 0;
}

int select_add_pids(struct proc_sel *sel, const char *arg, char *err, size_t len)
{
	char *copy, *save = NULL, *tok;
	int rc = 0;

	if (!*arg)
		return str_invalid(err, len, "empty PID list");
	if (arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
		return str_invalid(err, len, "invalid PID list '%s': empty item", arg);
	copy = strdup(arg);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		rc = grow(&sel->pids, sel->npids, sizeof(pid_t));
		if (rc == 0)
			rc = select_parse_pid(tok, &sel->pids[sel->npids], err, len);
		if (rc == 0)
			sel->npids++;
	}
	free(copy);
	return rc;
}

int select_add_name(struct proc_sel *sel, const char *arg, char *err, size_t len)
{
	char *name;

	if (!*arg)
		return str_invalid(err, len, "empty process name");
	name = strdup(arg);
	if (!name || grow(&sel->names, sel->nnames, sizeof(char *)) < 0) {
		free(name);
		return -ENOMEM;
	}
	sel->names[sel->nnames++] = name;
	return 0;
}

int select_add_user(struct proc_sel *sel, const char *arg, char *err, size_t len)
{
	uid_t uid;

	if (procs_parse_user(arg, &uid) < 0)
		return str_invalid(err, len, "unknown user '%s'", arg);
	if (grow(&sel->uids, sel->nuids, sizeof(uid_t)) < 0)
		return -ENOMEM;
	sel->uids[sel->nuids++] = uid;
	return 0;
}

int select_set_cgroup(struct proc_sel *sel, const char *arg, char *err, size_t len)
{
	char *path;

	if (!*arg)
		return str_invalid(err, len, "empty cgroup path");
	path = strdup(arg);
	if (!path)
		return -ENOMEM;
	free(sel->cgroup);
	sel->cgroup = path;
	return 0;
}

void select_free(struct proc_sel *sel)
{
	for (size_t i = 0; i < sel->nnames; i++)
		free(sel->names[i]);
	free(sel->names);
	free(sel->pids);
	free(sel->uids);
	free(sel->cgroup);
	memset(sel, 0, sizeof(*sel));
}

/* procs_select's error as the user hears it: the code and the line. */
static int select_error(const struct proc_sel *sel, int rc, pid_t bad, char *msg, size_t len)
{
	if (rc == -EINVAL && bad) {
		snprintf(msg, len, "process %d is a kernel thread: it has no user memory", (int)bad);
		return NS_EXIT_USAGE;
	}
	switch (rc) {
	case -ESRCH:
		snprintf(msg, len, "no such process: %d", (int)bad);
		return NS_EXIT_FAIL;
	case -ENOENT:
		snprintf(msg, len, "cgroup '%s' not found", sel->cgroup ? sel->cgroup : "?");
		return NS_EXIT_USAGE;
	case -EINVAL:
		snprintf(msg, len, "process %d is a kernel thread or a zombie: it has no user memory",
			 (int)bad);
		return NS_EXIT_USAGE;
	case -ENOTSUP:
		snprintf(msg, len, "under --sysroot only -p PID selection is possible");
		return NS_EXIT_USAGE;
	case -ELIBACC:
		snprintf(msg, len, "%s", procs_lib_error());
		return NS_EXIT_FAIL;
	case -EACCES:
	case -EPERM:
		snprintf(msg, len, "cannot read process %d: permission denied", (int)bad);
		return NS_EXIT_PERM;
	default:
		snprintf(msg, len, "cannot select processes: %s", strerror(-rc));
		return NS_EXIT_FAIL;
	}
}

int select_run(struct proc_sel *sel, struct proc_list *out, int *rc,
	       char *msg, size_t len)
{
	pid_t bad = 0;
	int r;

	sel->exclude = getpid();
	r = procs_select(sel, out, &bad);
	if (rc)
		*rc = r;
	if (r < 0)
		return select_error(sel, r, bad, msg, len);
	if (out->n == 0) {
		snprintf(msg, len, "no process matched");
		return NS_EXIT_FAIL;
	}
	return 0;
}

static bool select_named(const struct proc_sel *sel, pid_t pid)
{
	for (size_t i = 0; i < sel->npids; i++)
		if (sel->pids[i] == pid)
			return true;
	return false;
}

bool select_left_out(const struct proc_sel *sel, const struct proc_id *id, int err)
{
	if (!(err == -ESRCH || (err == -ENOENT && path_is_live())))
		return false;
	return !select_named(sel, id->pid);
}

bool select_left_out_msg(const struct proc_sel *sel, const struct proc_id *id, int err,
			 char *msg, size_t len)
{
	if (!select_left_out(sel, id, err))
		return false;
	snprintf(msg, len, "process %d (%s) exited before its turn: left out", (int)id->pid, id->comm);
	return true;
}
