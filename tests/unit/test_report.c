/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* report and outcome: for a placement (mplace), the affinity pass's code
 * and line, the launch's and the running process's JSON and lines; for a
 * discard (mfree-discard), the codes and lines of its failed steps; for a
 * scan (mscan), the rows, what their columns need read, the topology; a
 * process that could not be read or planned. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "outcome.h"
#include "report.h"
#include "tap.h"

static void test_affinity(void)
{
	struct place_aff_result a = { .threads = 4, .passes = 1 };
	char msg[256] = "";

	ok(outcome_affinity(&a, 42, msg, sizeof(msg)) == NS_EXIT_OK && !msg[0],
	   "no thread refused: 0, no line");
	a.failed = 1, a.err = -EPERM;
	is_u64(outcome_affinity(&a, 42, msg, sizeof(msg)), NS_EXIT_PARTIAL, "some set: 3");
	is_str(msg, "pid 42: affinity refused for 1 of 5 threads: Operation not permitted",
	       "the line counts every thread");
	a.threads = 0;
	is_u64(outcome_affinity(&a, 42, msg, sizeof(msg)), NS_EXIT_PERM, "none set, EPERM: 4");
	a.err = -EINVAL;
	is_u64(outcome_affinity(&a, 42, msg, sizeof(msg)), NS_EXIT_REFUSED,
	       "none set, EINVAL (outside the cpuset): 5");
	a.err = -EIO;
	is_u64(outcome_affinity(&a, 42, msg, sizeof(msg)), NS_EXIT_FAIL, "none set, other: 1");
}

/* A move's code when every batch ran: what was not moved decides, except
 * pages refused as shared (mapped by another process since the plan). */
static void test_move_shared(void)
{
	struct exec_pair x = { .src = 0, .dst = 1, .planned = 100, .moved = 99 };
	struct exec_result r = { .pairs = &x, .npairs = 1, .page_size = 4096, .stop = EXS_DONE };

	x.not_moved[EXR_SHARED] = 1;
	is_u64(outcome_move(&r, 1, true, 0), NS_EXIT_OK, "one page became shared: 0");
	x.not_moved[EXR_BUSY] = 1, x.moved = 98;
	is_u64(outcome_move(&r, 1, true, 0), NS_EXIT_PARTIAL, "shared and busy: 3");
	x.not_moved[EXR_BUSY] = 0, x.not_moved[EXR_SHARED] = 100, x.moved = 0;
	is_u64(outcome_move(&r, 1, true, 0), NS_EXIT_OK, "every page became shared: 0, as if planned so");
	x.not_moved[EXR_SHARED] = 0, x.not_moved[EXR_OTHER] = 100;
	is_u64(outcome_move(&r, 1, true, 0), NS_EXIT_FAIL, "none moved for another reason: 1");
}

/* A move that stopped on an error: one line naming what the kernel
 * refused, and the code from its errno. */
static void test_move_error(void)
{
	struct proc_id id = { .pid = 42, .comm = "app" };
	struct exec_pair x = { .src = 0, .dst = 1, .planned = 100 };
	struct exec_result r = { .pairs = &x, .npairs = 1, .page_size = 4096, .stop = EXS_DONE };
	char msg[256];

	ok(!outcome_move_error(&id, &r, msg, sizeof(msg)), "every batch ran: no line");
	r.stop = EXS_ERROR, r.err = -EACCES, r.nice_failed = true, r.nice = -5;
	ok(outcome_move_error(&id, &r, msg, sizeof(msg)), "an explicit --nice refused: a line");
	is_str(msg, "process 42 (app): the kernel refused the workers' nice -5 (--nice): "
	       "Permission denied", "it names the nice, not the nodes");
	is_u64(outcome_move(&r, 1, true, 0), NS_EXIT_PERM, "and nothing moved: 4");
	r.nice_failed = false;
	ok(outcome_move_error(&id, &r, msg, sizeof(msg)), "the nodes refused: a line");
	is_str(msg, "process 42 (app): the kernel refused the target nodes (cpuset or permission)",
	       "it names the nodes");
	r.err = -EIO;
	ok(outcome_move_error(&id, &r, msg, sizeof(msg)), "another errno: a line");
	is_str(msg, "process 42 (app): move stopped: Input/output error", "with its text");
}

static void test_discard_errors(void)
{
	struct proc_id id = { .pid = 42, .comm = "app" };
	char msg[256];

	is_u64(outcome_discard_find_error(&id, -EOPNOTSUPP, msg, sizeof(msg)), NS_EXIT_PERM,
	       "find: precise mode without kpageflags: 4");
	is_str(msg, "pid 42: precise mode needs CAP_SYS_ADMIN (PFNs and /proc/kpageflags); "
	       "use --mode mapping", "and its line");
	is_u64(outcome_discard_find_error(&id, -EACCES, msg, sizeof(msg)), NS_EXIT_PERM,
	       "find: EACCES 4");
	is_u64(outcome_discard_find_error(&id, -ENOENT, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "find: ENOENT on the live machine: gone, 1");
	is_str(msg, "pid 42: the process went away", "and its line");
	is_u64(outcome_discard_find_error(&id, -EIO, msg, sizeof(msg)), NS_EXIT_FAIL, "find: EIO 1");
	is_str(msg, "pid 42: cannot read its pages: Input/output error", "and its line");
	is_u64(outcome_discard_apply_error(&id, -EPERM, msg, sizeof(msg)), NS_EXIT_PERM,
	       "apply: EPERM 4");
	is_str(msg, "pid 42: process_madvise needs CAP_SYS_NICE and ptrace access to the process",
	       "and its line");
	is_u64(outcome_discard_apply_error(&id, -ENOSYS, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "apply: ENOSYS 1");
	is_u64(outcome_discard_apply_error(&id, -ESRCH, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "apply: ESRCH 1");
}

static void test_read_errors(void)
{
	struct proc_id id = { .pid = 42, .comm = "app" }, missing = { .pid = 43, .missing = true };
	const char *kind = NULL;
	char msg[256];

	is_u64(outcome_scan_error(&missing, -ESRCH, "", &kind, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "scan: a PID named with -p and not there: 1");
	is_str(msg, "no such process: 43", "and its line");
	is_str(kind, "gone", "kind gone");
	is_u64(outcome_scan_error(&id, -ENOENT, "numa_maps", &kind, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "scan: gone meanwhile: 1");
	is_str(msg, "process 42 (app) went away", "and its line");
	is_u64(outcome_scan_error(&id, -EACCES, "pagemap", &kind, msg, sizeof(msg)), NS_EXIT_PERM,
	       "scan: permission: 4");
	is_str(msg, "cannot read pagemap of process 42 (app): permission denied (needs ptrace "
	       "read access: same user or CAP_SYS_PTRACE)", "and its line");
	is_str(kind, "permission", "kind permission");
	is_u64(outcome_scan_error(&id, -EIO, "maps", &kind, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "scan: other: 1");
	is_str(kind, "error", "kind error");
	is_u64(outcome_plan_error(&missing, -ESRCH, false, &kind, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "plan: a PID named with -p and not there: 1");
	is_str(msg, "no such process: 43", "and its line");
	is_u64(outcome_plan_error(&id, -ENOENT, false, &kind, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "plan: gone meanwhile: 1");
	is_str(msg, "process 42 (app) has gone", "and its line");
	is_str(kind, "gone", "kind gone");
	is_u64(outcome_plan_error(&id, -EIO, false, &kind, msg, sizeof(msg)), NS_EXIT_FAIL,
	       "plan: other: 1");
	is_str(msg, "cannot read the memory map of process 42 (app): Input/output error",
	       "and its line");
	is_str(kind, "error", "kind error");
}

static void test_run_docs(void)
{
	struct plan p;
	json_t *errors = json_array(), *doc;
	char *s;

	memset(&p, 0, sizeof(p));
	doc = report_moves_json(&p, NULL, EXEC_SYSCALL, true, NS_EXIT_FAIL, errors);
	s = json_dumps(doc, JSON_COMPACT);
	is_str(s, "{\"schema_version\":2,\"tool\":\"mmigrate\",\"version\":\"" NS_VERSION "\","
	       "\"engine\":\"syscall\",\"applied_plan\":true,\"processes\":[],\"exit_code\":1,"
	       "\"status\":\"failed\",\"errors\":[]}", "mmigrate's result document");
	free(s);
	json_decref(doc);
	json_decref(errors);
	doc = report_discards_json(json_array(), false, NS_EXIT_OK);
	s = json_dumps(doc, JSON_COMPACT);
	is_str(s, "{\"schema_version\":1,\"tool\":\"mfree-discard\",\"version\":\"" NS_VERSION
	       "\",\"dry_run\":false,\"processes\":[],\"status\":\"ok\",\"exit_code\":0}",
	       "mfree-discard's result document");
	free(s);
	json_decref(doc);
}

/* What f printed, as a string (free it). */
static char *printed(void (*fn)(FILE *, const struct report_place *),
		     const struct report_place *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		exit(2);
	fn(f, p);
	fclose(f);
	return buf;
}

static void test_launch(void)
{
	char *cmd[] = { "app", "-x", NULL };
	int weights[4] = { 0, 3, 0, 1 };
	struct ns_nodeset nodes;
	struct report_place p = { .nodes = "1,3", .cpu_nodes = "1", .cpus = "2-3",
				  .cpus_desc = "2-3 (nodes 1)", .dry_run = true, .cmd = cmd,
				  .policy = "weighted-interleave" };
	json_t *doc;
	char *s;

	nodeset_zero(&nodes);
	nodeset_add(&nodes, 1);
	nodeset_add(&nodes, 3);
	s = printed(report_launch_lines, &p);
	is_str(s, "command:   app -x\ncpus:      2-3 (nodes 1)\n"
	       "policy:    weighted-interleave nodes 1,3\n", "launch lines without weights");
	free(s);
	p.weighted = &nodes, p.weights = weights, p.balancing = true;
	s = printed(report_launch_lines, &p);
	ok(strstr(s, "with NUMA balancing\nweights:   1:3 3:1  (/sys/") != NULL,
	   "launch lines with balancing and weights");
	free(s);
	doc = report_launch_json(&p);
	s = json_dumps(doc, JSON_COMPACT);
	is_str(s, "{\"schema_version\":2,\"tool\":\"mplace\",\"version\":\"" NS_VERSION "\","
	       "\"mode\":\"launch\",\"dry_run\":true,\"command\":[\"app\",\"-x\"],"
	       "\"nodes\":\"1,3\",\"cpu_nodes\":\"1\",\"cpus\":\"2-3\","
	       "\"policy\":\"weighted-interleave\",\"balancing\":true,"
	       "\"weights\":{\"1\":3,\"3\":1}}", "launch JSON");
	free(s);
	json_decref(doc);
}

static void test_running(void)
{
	struct report_place p = { .nodes = "1", .cpu_nodes = "1", .cpus = "2-3",
				  .cpus_desc = "2-3 (nodes 1)", .dry_run = true,
				  .id = { .pid = 77, .comm = "app" } };
	json_t *doc;
	char *s;

	s = printed(report_place_line, &p);
	is_str(s, "pid 77 (app): would set CPUs 2-3 (nodes 1) for every thread and move 0 "
	       "to nodes 1\n", "dry run line");
	free(s);
	p.dry_run = false;
	p.aff = (struct place_aff_result){ .threads = 1, .passes = 1 };
	s = printed(report_place_line, &p);
	is_str(s, "pid 77 (app): CPUs 2-3 (nodes 1) set for 1 thread\n", "one thread, one pass");
	free(s);
	p.aff.threads = 3;
	p.aff_again = (struct place_aff_result){ .threads = 4, .passes = 1 };
	s = printed(report_place_line, &p);
	is_str(s, "pid 77 (app): CPUs 2-3 (nodes 1) set for 3 threads, again for 4 after the "
	       "move\n", "the second pass");
	free(s);
	p.aff_done = true;
	p.code = NS_EXIT_PARTIAL;
	snprintf(p.error, sizeof(p.error), "refused");
	doc = report_place_json(&p);
	is_str(json_string_value(json_object_get(doc, "mode")), "running", "running JSON: mode");
	is_str(json_string_value(json_object_get(doc, "status")), "partial", "status");
	is_u64(json_integer_value(json_object_get(doc, "exit_code")), 3, "exit_code");
	is_u64(json_integer_value(json_object_get(json_object_get(doc, "affinity_second_pass"),
						  "threads")), 4, "affinity_second_pass");
	ok(json_is_null(json_object_get(doc, "move")) && json_is_null(json_object_get(doc, "auto")),
	   "no move, no auto: null");
	is_str(json_string_value(json_object_get(doc, "error")), "refused", "error");
	json_decref(doc);
}

static void test_scan_rows(void)
{
	uint64_t bytes[4] = { 4096, 0, 0, 8192 };
	struct scan_proc sp = { .id = { .pid = 9, .comm = "app", .uid = 1000 }, .have = SCAN_NUMA,
				.node_bytes = bytes, .node_slots = 4, .total = 12288 };
	struct ns_nodeset shown;
	struct out_table *t;
	json_t *a, *row;
	char *s;

	nodeset_zero(&shown);
	nodeset_add(&shown, 0);
	nodeset_add(&shown, 1);
	t = out_table_new(report_proc_cols, report_proc_ncols, &shown);
	ok(t && out_table_columns(t, NULL, REPORT_PROC_DEFAULT, NULL, 0) == 0, "process table");
	report_proc_row(t, &shown, &sp, false);
	a = out_to_json(t);
	row = json_array_get(a, 0);
	s = json_dumps(json_object_get(row, "node_bytes"), JSON_COMPACT);
	is_str(s, "{\"0\":4096,\"1\":0,\"3\":8192}",
	       "NODES: every shown node, and the others that hold something");
	free(s);
	is_u64(json_integer_value(json_object_get(row, "main_node")), 3, "MAIN: the node with most");
	ok(!json_object_get(row, "rss_bytes") || json_is_null(json_object_get(row, "rss_bytes")),
	   "no rollup read: no RSS");
	json_decref(a);
	is_u64(report_proc_needs(t, true, false), SCAN_NUMA, "default columns: numa_maps alone");
	is_u64(report_proc_needs(t, true, true), SCAN_NUMA | SCAN_ROLLUP, "-l: the rollup too");
	out_table_columns(t, "PID,RSS", NULL, NULL, 0);
	is_u64(report_proc_needs(t, true, false), SCAN_NUMA | SCAN_ROLLUP, "-o RSS: the rollup");
	out_table_free(t);

	t = out_table_new(report_map_cols, report_map_ncols, NULL);
	out_table_columns(t, "START,END,PERMS", NULL, NULL, 0);
	is_u64(report_map_needs(t, true), SCAN_MAPS, "-m -o START,END,PERMS: maps alone");
	is_u64(report_map_needs(t, false), SCAN_NUMA | SCAN_SMAPS, "-m -J: numa_maps and smaps");
	out_table_columns(t, NULL, REPORT_MAP_DEFAULT, NULL, 0);
	is_u64(report_map_needs(t, true), SCAN_NUMA | SCAN_SMAPS, "-m: numa_maps and smaps");
	out_table_free(t);
}

static void test_topology(void)
{
	int d0[2] = { 10, 20 }, d1[2] = { 20, 10 };
	struct ns_node nodes[2] = {
		{ .id = 0, .has_memory = true, .has_cpu = true, .mem_total = 1 << 30,
		  .cpulist = "0-1", .ncpus = 2, .distance = d0, .ndistance = 2 },
		{ .id = 2, .has_memory = true, .mem_total = 1 << 30, .distance = d1, .ndistance = 2 },
	};
	struct ns_topology topo = { .nnodes = 2, .nodes = nodes, .thp_size = 0 };
	struct out_table *t = out_table_new(report_node_cols, report_node_ncols, NULL);
	json_t *a;
	char *s;

	nodeset_zero(&topo.online);
	nodeset_add(&topo.online, 0);
	nodeset_add(&topo.online, 2);
	out_table_all_columns(t);
	report_node_row(t, &topo, &nodes[0]);
	report_node_row(t, &topo, &nodes[1]);
	a = report_topology_json(t, &topo);
	s = json_dumps(json_object_get(json_array_get(a, 1), "distances"), JSON_COMPACT);
	is_str(s, "{\"0\":20,\"2\":10}", "distances keyed by node id");
	free(s);
	ok(json_is_true(json_object_get(json_array_get(a, 1), "memory_only")), "node 2 is memory-only");
	ok(!json_object_get(json_array_get(a, 0), "free_thp_blocks") ||
	   json_is_null(json_object_get(json_array_get(a, 0), "free_thp_blocks")),
	   "no THP: no FREETHP");
	json_decref(a);
	a = report_nodes_json(&topo.online);
	s = json_dumps(a, JSON_COMPACT);
	is_str(s, "[0,2]", "the node list");
	free(s);
	json_decref(a);
	out_table_free(t);
}

/* A scan's document and tables: the parts it has, and no empty process
 * table when every process failed. */
static void test_prom_by(void)
{
	const char *by[2] = { "X", "Y" };
	char err[200] = "";
	int nby = 7;

	is_u64(report_scan_prom_by("pid", by, &nby, err, sizeof(err)), 0, "--prom-by pid: per process");
	ok(nby == 7 && strcmp(by[0], "X") == 0, "pid leaves the labels as they were");
	is_u64(report_scan_prom_by("node", by, &nby, err, sizeof(err)), 1, "--prom-by node: sums");
	ok(nby == 0 && !by[0], "node: no label but the node");
	is_u64(report_scan_prom_by("cgroup,comm", by, &nby, err, sizeof(err)), 1, "cgroup,comm");
	ok(nby == 2 && strcmp(by[0], "CGROUP") == 0 && strcmp(by[1], "COMM") == 0,
	   "cgroup,comm: CGROUP then COMM");
	is_u64(-report_scan_prom_by("uid", by, &nby, err, sizeof(err)), EINVAL, "--prom-by uid refused");
	is_str(err, "invalid --prom-by 'uid': expected pid, node, comm, cgroup or comm,cgroup",
	       "and the reason");
}

static void test_scan_doc(void)
{
	struct ns_topology topo = { .page_size = 4096, .thp_size = 2 << 20 };
	struct ns_nodeset shown;
	struct report_scan s = { .procs = out_table_new(report_proc_cols, report_proc_ncols, NULL),
				 .errors = json_pack("[{s:i}]", "pid", 7) };
	json_t *doc;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	nodeset_zero(&shown);
	nodeset_add(&shown, 0);
	doc = report_scan_json(&s, &topo, &shown, 0);
	ok(doc && json_integer_value(json_object_get(doc, "schema_version")) == REPORT_SCAN_SCHEMA,
	   "scan JSON: schema_version");
	ok(json_is_array(json_object_get(doc, "processes")) &&
	   json_array_size(json_object_get(doc, "errors")) == 1, "processes and errors");
	ok(!json_object_get(doc, "time") && !json_object_get(doc, "mappings") &&
	   !json_object_get(doc, "topology"), "no time, mappings or topology when none");
	json_decref(doc);
	f = open_memstream(&text, &len);
	ok(report_scan_tables(f, &s, 0) == 0, "tables printed");
	fclose(f);
	is_u64(len, 0, "every process failed: no empty table");
	free(text);
	out_table_free(s.procs);
	json_decref(s.errors);
}

/* mmigrate's progress bar: its line, at most every 0.1 s until the move is
 * done, wiped at the end only when it was on. */
static void test_progress(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct report_progress b = { .f = f, .prog = "mmigrate", .on = true, .last_draw = -1 };
	struct exec_progress p = { .planned_bytes = 4 << 20, .done_bytes = 1 << 20,
				   .moved_bytes = 1 << 20, .seconds = 0.5 };

	report_progress_draw(&b, &p);
	fflush(f);
	is_str(buf, "\rmmigrate: [#######                       ] 1M/4M 2M/s ETA 2s ",
	       "a quarter done, at 2 MiB/s");
	p.seconds = 0.55;
	p.done_bytes = 2 << 20;
	report_progress_draw(&b, &p);
	fflush(f);
	ok(strstr(buf, "2M/4M") == NULL, "not redrawn within 0.1 s");
	p.done_bytes = p.planned_bytes;
	report_progress_draw(&b, &p);
	fflush(f);
	ok(strstr(buf, "] 4M/4M ") != NULL, "but drawn when the move is done");
	report_progress_end(&b);
	fflush(f);
	ok(len > 4 && strcmp(buf + len - 4, "\r\033[K") == 0 && b.last_draw == -1,
	   "the end wipes it, and the next bar starts afresh");
	b.on = false;
	len = 0;
	rewind(f);
	report_progress_end(&b);
	fflush(f);
	ok(ftell(f) == 0, "an end without a bar draws nothing");
	fclose(f);
	free(buf);
}

int main(void)
{
	test_progress();
	test_affinity();
	test_move_shared();
	test_move_error();
	test_discard_errors();
	test_read_errors();
	test_run_docs();
	test_launch();
	test_running();
	test_scan_rows();
	test_topology();
	test_prom_by();
	test_scan_doc();
	return tap_done();
}
