/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* report and outcome for a placement (mplace): the affinity pass's code
 * and line, the launch's and the running process's JSON and lines. */
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

int main(void)
{
	test_affinity();
	test_launch();
	test_running();
	return tap_done();
}
