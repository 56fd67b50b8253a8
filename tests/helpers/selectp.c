/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* selectp: procs_select on the command line, for the selection tests.
 *
 *   selectp [-p PID[,PID..]] [-n NAME]... [-u USER]... [--cgroup PATH] [-A]
 *           [--sysroot DIR]
 *
 * Prints one line per selected process, "PID UID START COMM", sorted by pid.
 * Its own pid is excluded as the tools exclude themselves.  Exit 0 with at
 * least one process, 1 for none matched or no such PID (named on stderr),
 * 2 for bad input (a kernel thread given by PID, unknown user or cgroup,
 * non-PID selection under --sysroot).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "path.h"
#include "procs.h"

static void *selectp_grow(void *v, size_t n, size_t size)
{
	void *p = realloc(v, (n + 1) * size);

	if (!p) {
		fprintf(stderr, "selectp: out of memory\n");
		exit(1);
	}
	return p;
}

static void selectp_pids(struct proc_sel *sel, char *arg)
{
	char *tok, *save = NULL, *end;
	long v;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = strtol(tok, &end, 10);
		if (end == tok || *end || v <= 0) {
			fprintf(stderr, "selectp: bad PID '%s'\n", tok);
			exit(2);
		}
		sel->pids = selectp_grow(sel->pids, sel->npids, sizeof(pid_t));
		sel->pids[sel->npids++] = (pid_t)v;
	}
}

static int selectp_report(int rc, pid_t bad, const struct proc_sel *sel)
{
	switch (rc) {
	case -ESRCH:
		fprintf(stderr, "selectp: no such process: %d\n", (int)bad);
		return 1;
	case -EINVAL:
		fprintf(stderr, "selectp: process %d is a kernel thread: it has no user memory\n", (int)bad);
		return 2;
	case -ENOENT:
		fprintf(stderr, "selectp: cgroup '%s' not found\n", sel->cgroup ? sel->cgroup : "");
		return 2;
	case -ENOTSUP:
		fprintf(stderr, "selectp: under --sysroot only -p PID selection is possible\n");
		return 2;
	default:
		fprintf(stderr, "selectp: cannot select processes: %s\n", strerror(-rc));
		return 1;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "sysroot", required_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'A' },
		{ 0 }
	};
	struct proc_sel sel = { .exclude = getpid() };
	struct proc_list out;
	pid_t bad = 0;
	uid_t uid;
	int c, rc;

	while ((c = getopt_long(argc, argv, "p:n:u:A", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			selectp_pids(&sel, optarg);
			break;
		case 'n':
			sel.names = selectp_grow(sel.names, sel.nnames, sizeof(char *));
			sel.names[sel.nnames++] = optarg;
			break;
		case 'u':
			if (procs_parse_user(optarg, &uid) < 0) {
				fprintf(stderr, "selectp: unknown user '%s'\n", optarg);
				return 2;
			}
			sel.uids = selectp_grow(sel.uids, sel.nuids, sizeof(uid_t));
			sel.uids[sel.nuids++] = uid;
			break;
		case 'c':
			sel.cgroup = optarg;
			break;
		case 'A':
			sel.all = true;
			break;
		case 'r':
			if ((rc = path_set_root(optarg)) < 0) {
				fprintf(stderr, "selectp: bad sysroot '%s': %s\n", optarg, strerror(-rc));
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	rc = procs_select(&sel, &out, &bad);
	free(sel.pids);
	free(sel.names);
	free(sel.uids);
	if (rc < 0)
		return selectp_report(rc, bad, &sel);
	rc = out.n ? 0 : 1;
	for (size_t i = 0; i < out.n; i++) {
		if (out.v[i].missing) {     /* named beside others: reported, status 3 */
			fprintf(stderr, "selectp: no such process: %d\n", (int)out.v[i].pid);
			rc = 3;
			continue;
		}
		printf("%d %u %llu %s\n", (int)out.v[i].pid, (unsigned)out.v[i].uid,
		       (unsigned long long)out.v[i].start_time, out.v[i].comm);
	}
	if (!out.n)
		fprintf(stderr, "selectp: no process matched\n");
	procs_list_free(&out);
	return rc;
}
