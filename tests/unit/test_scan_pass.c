/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* scan_pass: the tables of a view, the processes read into them on a
 * captured tree, and the account of those not read (errors, lines said,
 * the pass's exit code). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exitcode.h"
#include "path.h"
#include "scan_pass.h"
#include "select.h"
#include "tap.h"
#include "tree.h"

/* What the pass said and read, in order. */
struct heard {
	int lines, errors, reads;
	char last[256];
	int last_rc;
};

/* The hooks below write to the struct heard of the running test. */
static struct heard *heard;

static void on_line(bool error, const char *fmt, va_list ap)
{
	heard->lines++;
	heard->errors += error;
	vsnprintf(heard->last, sizeof(heard->last), fmt, ap);
}

static void on_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void on_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	on_line(true, fmt, ap);
	va_end(ap);
}

static void on_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void on_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	on_line(false, fmt, ap);
	va_end(ap);
}

static void on_read(int rc)
{
	heard->reads++;
	heard->last_rc = rc;
}

static void opts_init(struct scan_pass_opts *o, struct heard *h, const struct proc_sel *sel,
		      const struct ns_topology *topo, const struct ns_nodeset *shown)
{
	heard = h;
	*o = (struct scan_pass_opts){ .view = SCAN_VIEW_SUMMARY, .table = true, .sel = sel,
				      .topo = topo, .shown = shown,
				      .h = { .err = on_err, .warn = on_warn, .read_done = on_read } };
}

static void test_begin(void)
{
	struct proc_sel sel = { .all = true };
	struct ns_topology topo = { .page_size = 4096 };
	struct ns_nodeset shown;
	const char *by[] = { "CGROUP" };
	struct scan_pass_opts o;
	struct scan_pass p = { 0 };
	struct heard h = { 0 };
	char err[160] = "";

	nodeset_zero(&shown);
	nodeset_add(&shown, 0);
	opts_init(&o, &h, &sel, &topo, &shown);
	o.columns = "PID,BOGUS";
	is_u64(-scan_pass_begin(&p, &o, err, sizeof(err)), EINVAL, "-o with an unknown column");
	ok(strstr(err, "BOGUS") != NULL, "and err names it (%s)", err);
	ok(!p.r.procs && !p.r.detail && !p.r.nodes && !p.r.errors, "the pass is empty then");
	scan_pass_free(&p);

	o.columns = NULL;
	o.view = SCAN_VIEW_MAPPINGS;
	ok(scan_pass_begin(&p, &o, err, sizeof(err)) == 0 && p.r.procs && p.r.detail &&
	   !p.r.nodes && !p.r.runs, "-m: process and mapping tables, no node table");
	ok(!p.need_cgroup, "CGROUP neither shown nor summed by: not read");
	scan_pass_free(&p);

	o.view = SCAN_VIEW_PAGES;
	o.by = by;
	o.nby = 1;
	ok(scan_pass_begin(&p, &o, err, sizeof(err)) == 0 && p.r.runs, "--pages: runs");
	ok(p.need_cgroup, "summed by CGROUP: read");
	scan_pass_free(&p);

	o.sel = NULL;
	o.topology = true;
	ok(scan_pass_begin(&p, &o, err, sizeof(err)) == 0 && p.r.nodes && !p.r.procs &&
	   !p.r.detail, "--topology alone: the node table alone");
	is_u64(scan_pass_code(&p, err, sizeof(err)), NS_EXIT_OK, "a pass that read no process: 0");
	is_str(err, "", "and nothing to say");
	scan_pass_free(&p);
	is_u64(h.lines, 0, "nothing said by begin");
}

static const char numa_maps[] =
	"00400000 default file=/bin/app mapped=2 N0=2 kernelpagesize_kB=4\n"
	"7f0000000000 default anon=3 dirty=3 N0=1 N1=2 kernelpagesize_kB=4\n";
static const char smaps[] =
	"00400000-00402000 r-xp 00000000 08:01 42 /bin/app\n"
	"Size:                  8 kB\nRss:                   8 kB\nSwap:                  0 kB\n"
	"7f0000000000-7f0000003000 rw-p 00000000 00:00 0\n"
	"Size:                 12 kB\nRss:                  12 kB\nSwap:                  0 kB\n";

static void test_read(void)
{
	char root[] = "/tmp/ns-scanpass-XXXXXX", err[160], msg[256];
	struct proc_sel sel = { .all = true };
	struct ns_topology topo = { .page_size = 4096 };
	struct ns_nodeset shown;
	struct proc_id v[3] = { { .pid = 55, .comm = "app" },
				{ .pid = 56, .comm = "old", .start_time = 1 },
				{ .pid = 77, .missing = true } };
	struct proc_list l = { .v = v, .n = 3 };
	volatile sig_atomic_t stop = 0;
	struct scan_pass_opts o;
	struct scan_pass p = { 0 };
	struct heard h = { 0 };

	if (!mkdtemp(root))
		exit(2);
	tree_put(root, "proc/55/numa_maps", numa_maps);
	tree_put(root, "proc/55/smaps", smaps);
	/* 56 is another process now: it started at 777, not at 1 */
	tree_put(root, "proc/56/numa_maps", numa_maps);
	tree_put(root, "proc/56/smaps", smaps);
	tree_put(root, "proc/56/stat", "56 (new) S 1 56 56 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 "
		 "777 1000 10\n");
	if (path_set_root(root) != 0)
		exit(2);
	nodeset_zero(&shown);
	nodeset_add(&shown, 0);
	nodeset_add(&shown, 1);
	opts_init(&o, &h, &sel, &topo, &shown);
	o.view = SCAN_VIEW_MAPPINGS;
	o.stop = &stop;

	/* a PID named with -p gone meanwhile and one that is not there,
	 * among one read */
	select_add_pids(&sel, "55,56,77", err, sizeof(err));
	ok(scan_pass_begin(&p, &o, err, sizeof(err)) == 0, "begin");
	scan_pass_read(&p, &l);
	is_u64(out_nrows(p.r.procs), 1, "one process row");
	is_u64(out_nrows(p.r.detail), 2, "its two mappings");
	ok(out_column_selected(p.r.detail, "PID"), "two processes: the mappings get a PID column");
	is_u64(json_array_size(p.r.errors), 2, "two entries in errors");
	ok(h.reads == 2 && h.last_rc == -ESRCH, "read_done heard the failed reads");
	ok(h.lines == 2 && h.errors == 1, "gone among several: a warning; missing: an error");
	is_str(h.last, "no such process: 77", "the missing PID's line");
	is_u64(scan_pass_code(&p, msg, sizeof(msg)), NS_EXIT_PARTIAL, "one read, two not: 3");
	is_str(msg, "", "nothing more to say");
	scan_pass_not_read(&p, msg, sizeof(msg));
	is_str(msg, "2 of 3 processes not read", "the count of those not read");
	scan_pass_free(&p);
	select_free(&sel);

	/* gone before it was read, found by a filter: left out */
	sel = (struct proc_sel){ .all = true };
	v[2].pid = 88;
	v[2].missing = false;   /* it existed when the filter found it */
	snprintf(v[2].comm, sizeof(v[2].comm), "gone");
	h = (struct heard){ 0 };
	o.columns = "START";
	ok(scan_pass_begin(&p, &o, err, sizeof(err)) == 0, "begin, -o START");
	l.v = &v[2];
	l.n = 1;
	scan_pass_read(&p, &l);
	ok(!out_column_selected(p.r.detail, "PID"), "-o chose the columns: no PID column");
	is_u64(p.left_out, 1, "left out");
	is_u64(json_array_size(p.r.errors), 0, "not an error");
	ok(h.lines == 1 && h.errors == 0, "said as a warning");
	is_str(h.last, "process 88 (gone) exited before its turn: left out", "the line");
	is_u64(scan_pass_code(&p, msg, sizeof(msg)), NS_EXIT_FAIL, "every process left out: 1");
	is_str(msg, "every selected process exited before it was read", "and says so");
	scan_pass_free(&p);

	/* a stop before the first process reads nothing */
	stop = SIGINT;
	h = (struct heard){ 0 };
	l.v = v;
	l.n = 3;
	ok(scan_pass_begin(&p, &o, err, sizeof(err)) == 0, "begin");
	scan_pass_read(&p, &l);
	ok(out_nrows(p.r.procs) == 0 && h.lines == 0 && h.reads == 0, "stopped: nothing read");
	scan_pass_free(&p);

	path_set_root(NULL);
	tree_remove(root);
}

int main(void)
{
	test_begin();
	test_read();
	return tap_done();
}
