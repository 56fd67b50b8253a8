/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mpprobe: ask the kernel directly what move_pages(2) says, so guest tests
 * can pin down kernel behaviour without going through numashift's core.
 *
 *   mpprobe [--node N] [--move-all] [--step BYTES] [--list] PID ADDR LEN
 *       one entry per STEP bytes (default: the base page size) over
 *       [ADDR, ADDR+LEN) of process PID; query mode, or a move to node N.
 *   mpprobe [--node N] [--list] --untouched PAGES
 *       the same over PAGES anonymous pages that mpprobe maps in itself and
 *       never touches.
 *
 * Output: "ret=R" (and "errno=NAME" when move_pages failed), then one line per
 * distinct status in order of first appearance:
 *   "status=S name=NAME count=C first=I"   (NAME: nodeK, an errno name, unset)
 * and with --list one line per entry: "entry I status=S".
 * Exit 0 when move_pages returned >= 0, 1 when it failed, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <numaif.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define UNSET INT_MIN          /* the kernel never writes this status */
#define MAX_SEEN 64

struct probe_opts {
	int node;              /* -1: query */
	bool move_all, list;
	uint64_t step, untouched;
	pid_t pid;
	uint64_t addr, len;
};

static void probe_usage(const char *msg)
{
	fprintf(stderr, "mpprobe: %s\nusage: mpprobe [--node N] [--move-all] [--step BYTES] [--list] PID ADDR LEN\n"
		"       mpprobe [--node N] [--list] --untouched PAGES\n", msg);
	exit(2);
}

static uint64_t probe_num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		probe_usage("bad number");
	return v;
}

static const char *probe_name(int st, char *buf, size_t len)
{
	static const struct { int err; const char *name; } names[] = {
		{ EFAULT, "EFAULT" }, { ENOENT, "ENOENT" }, { EBUSY, "EBUSY" },
		{ EACCES, "EACCES" }, { ENOMEM, "ENOMEM" }, { EIO, "EIO" },
		{ EINVAL, "EINVAL" }, { ENODEV, "ENODEV" }, { EPERM, "EPERM" },
		{ E2BIG, "E2BIG" }, { EAGAIN, "EAGAIN" }, { ESRCH, "ESRCH" },
		{ EHWPOISON, "EHWPOISON" },
	};

	if (st == UNSET)
		return "unset";
	if (st >= 0) {
		snprintf(buf, len, "node%d", st);
		return buf;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (-st == names[i].err)
			return names[i].name;
	snprintf(buf, len, "E%d", -st);
	return buf;
}

static void probe_parse(int argc, char **argv, struct probe_opts *o)
{
	static const struct option longopts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "move-all", no_argument, NULL, 'a' },
		{ "step", required_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "untouched", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct probe_opts){ .node = -1, .step = (uint64_t)sysconf(_SC_PAGESIZE) };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->node = (int)probe_num(optarg); break;
		case 'a': o->move_all = true; break;
		case 's': o->step = probe_num(optarg); break;
		case 'l': o->list = true; break;
		case 'u': o->untouched = probe_num(optarg); break;
		default: probe_usage("unknown option or missing argument");
		}
	}
	if (o->untouched) {
		if (optind != argc)
			probe_usage("--untouched takes no PID ADDR LEN");
		return;
	}
	if (argc - optind != 3)
		probe_usage("need PID ADDR LEN");
	o->pid = (pid_t)probe_num(argv[optind]);
	o->addr = probe_num(argv[optind + 1]);
	o->len = probe_num(argv[optind + 2]);
	if (!o->step || !o->len)
		probe_usage("STEP and LEN must be more than 0");
}

static void probe_report(const int *status, size_t n, bool list)
{
	int seen[MAX_SEEN];
	size_t count[MAX_SEEN], first[MAX_SEEN], nseen = 0;
	char buf[32];

	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < nseen && seen[k] != status[i])
			k++;
		if (k == nseen && nseen < MAX_SEEN) {
			seen[k] = status[i];
			count[k] = 0;
			first[k] = i;
			nseen++;
		}
		if (k < nseen)
			count[k]++;
	}
	for (size_t k = 0; k < nseen; k++)
		printf("status=%d name=%s count=%zu first=%zu\n", seen[k],
		       probe_name(seen[k], buf, sizeof(buf)), count[k], first[k]);
	for (size_t i = 0; list && i < n; i++)
		printf("entry %zu status=%d\n", i, status[i]);
}

int main(int argc, char **argv)
{
	struct probe_opts o;
	void **pages;
	int *nodes = NULL, *status;
	size_t n;
	long ret;
	int flags;

	probe_parse(argc, argv, &o);
	if (o.untouched) {
		uint64_t psz = (uint64_t)sysconf(_SC_PAGESIZE);
		void *p = mmap(NULL, o.untouched * psz, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "mpprobe: mmap: %s\n", strerror(errno));
			return 1;
		}
		o.pid = 0;
		o.addr = (uint64_t)(uintptr_t)p;
		o.len = o.untouched * psz;
		o.step = psz;
	}
	n = (size_t)((o.len + o.step - 1) / o.step);
	pages = calloc(n, sizeof(*pages));
	status = calloc(n, sizeof(*status));
	if (o.node >= 0)
		nodes = calloc(n, sizeof(*nodes));
	if (!pages || !status || (o.node >= 0 && !nodes)) {
		fprintf(stderr, "mpprobe: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		pages[i] = (void *)(uintptr_t)(o.addr + i * o.step);
		status[i] = UNSET;
		if (nodes)
			nodes[i] = o.node;
	}
	flags = o.move_all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
	ret = move_pages(o.pid, (unsigned long)n, pages, nodes, status, flags);
	printf("ret=%ld\n", ret);
	if (ret < 0) {
		char buf[32];

		printf("errno=%s\n", probe_name(-errno, buf, sizeof(buf)));
		free(pages);
		free(status);
		free(nodes);
		return 1;
	}
	probe_report(status, n, o.list);
	free(pages);
	free(status);
	free(nodes);
	return 0;
}
