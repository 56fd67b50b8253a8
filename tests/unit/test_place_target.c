/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place_target: mplace's nodes and CPUs resolved against a made-up machine
 * (the options set as place_opts_set sets them), each refusal with its
 * exact message, and --cpus against this machine's own CPUs. */
#include <errno.h>
#include <string.h>
#include "place_opts.h"
#include "place_target.h"
#include "tap.h"

/* three nodes: 0 and 1 with CPUs, 2 memory-only (CXL-like) */
static struct ns_node nodes[3] = {
	{ .id = 0, .has_memory = true, .has_cpu = true, .cpulist = "0-1", .ncpus = 2 },
	{ .id = 1, .has_memory = true, .has_cpu = true, .cpulist = "2-3", .ncpus = 2 },
	{ .id = 2, .has_memory = true, .has_cpu = false },
};
static struct ns_topology topo = { .nnodes = 3, .nodes = nodes, .page_size = 4096 };

static void machine(void)
{
	for (int i = 0; i < 3; i++) {
		nodeset_add(&topo.online, i);
		nodeset_add(&topo.with_memory, i);
		if (nodes[i].has_cpu)
			nodeset_add(&topo.with_cpu, i);
	}
}

/* The options of one command line, as "name=arg" pairs (arg NULL: none). */
static struct place_opts opts(const char *name, const char *arg,
			      const char *name2, const char *arg2)
{
	struct place_opts o = { .policy = PLACE_BIND };
	char err[256];

	if (place_opts_set(&o, name, arg, err, sizeof(err)) < 0 ||
	    (name2 && place_opts_set(&o, name2, arg2, err, sizeof(err)) < 0))
		printf("# bad test options: %s\n", err);
	return o;
}

static int nodes_then_cpus(struct place_target *t, const struct place_opts *o, bool launch,
			   char *err, size_t len)
{
	int rc = place_target_nodes(t, o, &topo, NULL, err, len);

	return rc ? rc : place_target_cpus(t, o, &topo, launch, err, len);
}

static void test_nodes(void)
{
	struct place_target t;
	struct place_opts o;
	char err[1024];

	o = opts("nodes", "1", NULL, NULL);
	ok(nodes_then_cpus(&t, &o, false, err, sizeof(err)) == 0, "--nodes 1: resolved");
	is_str(t.nodes_str, "1", "memory on node 1");
	is_str(t.cpus_desc, "2-3 (nodes 1)", "the CPUs of node 1, said with their node");
	ok(!t.keep_cpus, "the affinity is set");
	place_target_free(&t);

	o = opts("nodes", "2", "cpu-nodes", "0");
	ok(nodes_then_cpus(&t, &o, false, err, sizeof(err)) == 0, "--nodes 2 --cpu-nodes 0");
	is_str(t.cpus_desc, "0-1 (nodes 0)", "the threads run on node 0's CPUs");
	place_target_free(&t);

	o = opts("nodes", "2", NULL, NULL);
	ok(nodes_then_cpus(&t, &o, false, err, sizeof(err)) == -EINVAL,
	   "a memory-only node without --cpu-nodes: refused");
	is_str(err, "nodes 2 have no CPUs (memory-only): give --cpu-nodes NODES to say "
	       "where the threads run", "and says how to go on");
	place_target_free(&t);

	o = opts("nodes", "7", NULL, NULL);
	ok(place_target_nodes(&t, &o, &topo, NULL, err, sizeof(err)) == -EINVAL,
	   "a node that does not exist: refused");
	is_str(err, "--nodes: node 7 does not exist", "named with its option");

	o = opts("preferred", "0,1", NULL, NULL);
	ok(place_target_nodes(&t, &o, &topo, NULL, err, sizeof(err)) == -EINVAL,
	   "--preferred with two nodes: refused");
	is_str(err, "--preferred takes one node, as in numactl: for several write "
	       "--preferred-many", "as numactl has it");
	o = opts("preferred", "1", NULL, NULL);
	ok(place_target_nodes(&t, &o, &topo, NULL, err, sizeof(err)) == 0, "--preferred 1: taken");

	o = opts("nodes", "0", "cpu-nodes", "2");
	ok(place_target_nodes(&t, &o, &topo, NULL, err, sizeof(err)) == -EINVAL,
	   "--cpu-nodes naming a node without CPUs: refused");
	is_str(err, "--cpu-nodes: node 2 has no CPUs", "named");

	o = opts("nodes", "0", "cpunodebind", "9");
	ok(place_target_nodes(&t, &o, &topo, NULL, err, sizeof(err)) == -EINVAL &&
	   strncmp(err, "--cpunodebind: ", 15) == 0, "numactl's option named as typed: %s", err);
}

static void test_allowed(void)
{
	struct place_target t;
	struct place_opts o = opts("nodes", "all", NULL, NULL);
	struct ns_nodeset allowed;
	char err[256];

	nodeset_zero(&allowed);
	nodeset_add(&allowed, 1);
	ok(place_target_nodes(&t, &o, &topo, &allowed, err, sizeof(err)) == 0 &&
	   nodeset_count(&t.nodes) == 1 && nodeset_has(&t.nodes, 1),
	   "all counts within the cpuset's nodes");
	ok(place_target_nodes(&t, &o, &topo, NULL, err, sizeof(err)) == 0 &&
	   nodeset_count(&t.nodes) == 3, "and every node with memory without one");
}

static void test_launch(void)
{
	struct place_target t;
	struct place_opts o;
	char err[256];

	o = opts("membind", "1", NULL, NULL);
	ok(nodes_then_cpus(&t, &o, true, err, sizeof(err)) == 0 && t.keep_cpus,
	   "a launch with --membind alone keeps the affinity, as numactl");
	is_str(t.cpus_desc, "unchanged", "and says so");
	ok(nodes_then_cpus(&t, &o, false, err, sizeof(err)) == 0 && !t.keep_cpus,
	   "a running process gets the CPUs of its nodes");
	place_target_free(&t);
	o = opts("nodes", "1", NULL, NULL);
	ok(nodes_then_cpus(&t, &o, true, err, sizeof(err)) == 0 && !t.keep_cpus,
	   "a launch with --nodes sets the CPUs too");
	place_target_free(&t);
	o = opts("membind", "1", "cpunodebind", "0");
	ok(nodes_then_cpus(&t, &o, true, err, sizeof(err)) == 0 && !t.keep_cpus,
	   "--cpunodebind sets them");
	is_str(t.cpus_desc, "0-1 (nodes 0)", "to node 0's");
	place_target_free(&t);
}

/* --cpus against this machine: CPU 0 is online everywhere. */
static void test_cpus(void)
{
	struct place_target t;
	struct place_opts o;
	char err[256] = "";

	o = opts("nodes", "0", "cpus", "0");
	ok(nodes_then_cpus(&t, &o, false, err, sizeof(err)) == 0, "--cpus 0: taken (%s)", err);
	is_str(t.cpus_desc, "0", "said as the list alone");
	ok(place_cpus_has(&t.cpus, 0) && t.cpus.ncpus == 1, "the set is CPU 0");
	place_target_free(&t);
	o = opts("nodes", "0", "cpus", "100000");
	ok(nodes_then_cpus(&t, &o, false, err, sizeof(err)) == -EINVAL, "a CPU not online: refused");
	ok(strncmp(err, "--cpus: ", 8) == 0, "named with its option: %s", err);
	o = opts("nodes", "0", "physcpubind", "0-");
	ok(nodes_then_cpus(&t, &o, true, err, sizeof(err)) == -EINVAL &&
	   strncmp(err, "--physcpubind: ", 15) == 0, "numactl's spelling named: %s", err);
}

int main(void)
{
	machine();
	test_nodes();
	test_allowed();
	test_launch();
	test_cpus();
	return tap_done();
}
