/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* scan_pass: one pass of mscan, the scan stage of select -> scan -> report.
 * Given the processes selected, it reads each as its view needs (numa_maps,
 * smaps_rollup or smaps; pagemap for --pages) into the rows of a
 * report_scan (report.h) that the command renders, and keeps the account of
 * the processes not read: an entry of "errors" each (outcome_scan_error)
 * and the codes combined (ns_exit_combine).
 *   scan_pass_begin   the view's tables, with the columns asked for
 *   scan_pass_read    the processes into the rows
 *   scan_pass_code    the pass's exit code
 *   scan_pass_free    the tables, at the end of the pass
 * Never prints: what the command should say reaches its hooks (run_hooks.h),
 * in the order it happens.
 */
#ifndef NS_SCAN_PASS_H
#define NS_SCAN_PASS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "maps.h"
#include "nodes.h"
#include "procs.h"
#include "report.h"
#include "run_hooks.h"

enum scan_view {
	SCAN_VIEW_SUMMARY,     /* one row per process */
	SCAN_VIEW_MAPPINGS,    /* and one per mapping (-m) */
	SCAN_VIEW_PAGES,       /* and one per run of pages (--pages) */
};

/* How every pass of a run scans: the command's options. */
struct scan_pass_opts {
	enum scan_view view;
	bool topology;                 /* node rows (--topology) */
	bool longfmt;                  /* -l: the rollup columns of the process rows */
	bool table;                    /* a text table: only the columns shown are read
					* (JSON and Prometheus show them all) */
	const char *columns;           /* -o: of the process rows in the summary
					* view, else of the detail rows; NULL: defaults */
	bool all_columns;              /* -O: every column of those rows */
	/* the process rows are summed by these columns (--prom-by): CGROUP
	 * among them is read; NULL: not summed */
	const char *const *by;
	int nby;
	const struct proc_sel *sel;    /* the selection; NULL: none (--topology alone) */
	const struct ns_topology *topo;
	const struct ns_nodeset *shown;  /* the nodes that get a NODES cell */
	const volatile sig_atomic_t *stop;  /* the pass ends at the next process; may be NULL */
	/* the command's lines and checks; read_done hears each failed read of
	 * a process, with its rc, before anything is said of it */
	struct run_hooks h;
};

/* One pass: its rows and the account of its processes. */
struct scan_pass {
	const struct scan_pass_opts *o;
	struct report_scan r;          /* what the command renders */
	size_t nprocs;                 /* processes selected */
	size_t left_out;               /* found by a filter, gone before read */
	int code;                      /* their codes combined; -1: none yet */
	bool need_cgroup;              /* CGROUP is shown or summed by */
	bool kpf_said;                 /* kpageflags' absence was said: once a run,
					* kept by scan_pass_begin */
};

/* Start a pass of o: the node rows (--topology; its columns from -o/-O
 * when there is no selection) and, with a selection, the process table and
 * the view's detail table.  0, or -ENOMEM, or -EINVAL with err naming a
 * column that -o asked for and the table does not have; the pass is empty
 * then (scan_pass_free is still right). */
int scan_pass_begin(struct scan_pass *p, const struct scan_pass_opts *o,
		    char *err, size_t len);

/* Read the processes of l into the rows, until *o->stop.  With several
 * processes the detail rows get a PID column (unless -o chose them).  A
 * process not read: one found by a filter and gone meanwhile is left out
 * (select_left_out, said as a warning); any other gets an entry in errors
 * and its code, and its line is said: as a warning when it went away among
 * several, as an error otherwise (a PID named with -p that never was there
 * is an error).  With --pages and no kpageflags, what is not shown is said
 * as a warning, once a run (kpf_said). */
void scan_pass_read(struct scan_pass *p, const struct proc_list *l);

/* The pass's exit code: its processes' codes combined; 0 when it read none
 * (--topology alone); 1 when every process selected was left out, with the
 * line in msg ("" otherwise). */
int scan_pass_code(const struct scan_pass *p, char *msg, size_t len);

/* "N of M processes not read", for a pass whose code is 3. */
void scan_pass_not_read(const struct scan_pass *p, char *msg, size_t len);

void scan_pass_free(struct scan_pass *p);

#endif
