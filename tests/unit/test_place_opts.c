/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place_opts: each of numactl's options as mplace(1) translates it, mplace's
 * own, numactl's "same", two options for one thing, every combination the
 * check refuses (with its message), and numactl's options mplace does not
 * take. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "place_opts.h"
#include "tap.h"

/* One option on fresh options: its result, with the fields in *o. */
static int one(struct place_opts *o, const char *name, const char *arg)
{
	char err[512];

	memset(o, 0, sizeof(*o));
	return place_opts_set(o, name, arg, err, sizeof(err));
}

/* Options given as {name, arg} pairs (NULL-terminated), then the check:
 * the first message, or "" when all is accepted. */
static const char *refusal(const char *const *argv, bool pid, bool cmd)
{
	static char err[512];
	struct place_opts o;

	memset(&o, 0, sizeof(o));
	err[0] = '\0';
	for (; argv[0]; argv += 2)
		if (place_opts_set(&o, argv[0], argv[1], err, sizeof(err)) < 0)
			return err;
	if (place_opts_check(&o, pid, cmd, err, sizeof(err)) < 0)
		return err;
	return "";
}

#define REFUSAL(pid, cmd, ...) refusal((const char *const[]){ __VA_ARGS__, NULL }, pid, cmd)

static void test_numactl_forms(void)
{
	static const struct {
		const char *name, *arg;
		const char *nodes, *cpu_nodes, *cpus;
		enum place_policy policy;
		bool by_nodes, has_policy;
	} t[] = {
		{ "membind", "0-1", "0-1", NULL, NULL, PLACE_BIND, false, true },
		{ "interleave", "all", "all", NULL, NULL, PLACE_INTERLEAVE, false, true },
		{ "preferred", "1", "1", NULL, NULL, PLACE_PREFERRED, false, true },
		{ "preferred-many", "0,1", "0,1", NULL, NULL, PLACE_PREFERRED, false, true },
		{ "weighted-interleave", "+0-1", "+0-1", NULL, NULL, PLACE_WEIGHTED, false, true },
		{ "localalloc", NULL, NULL, NULL, NULL, PLACE_LOCAL, false, true },
		{ "cpunodebind", "!1", NULL, "!1", NULL, PLACE_BIND, false, false },
		{ "physcpubind", "+0-1", NULL, NULL, "+0-1", PLACE_BIND, false, false },
		{ "nodes", "1", "1", NULL, NULL, PLACE_BIND, true, true },
		{ "cpu-nodes", "0", NULL, "0", NULL, PLACE_BIND, false, false },
		{ "cpus", "0-3", NULL, NULL, "0-3", PLACE_BIND, false, false },
	};
	struct place_opts o;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ok(place_opts_takes(t[i].name), "--%s is a placement option", t[i].name);
		is_u64(one(&o, t[i].name, t[i].arg), 0, "--%s accepted", t[i].name);
		is_str(o.nodes_arg, t[i].nodes, "--%s: memory nodes", t[i].name);
		is_str(o.cpu_nodes_arg, t[i].cpu_nodes, "--%s: CPU nodes", t[i].name);
		is_str(o.cpus_arg, t[i].cpus, "--%s: CPUs", t[i].name);
		is_u64(o.policy, t[i].policy, "--%s: policy %s", t[i].name,
		       place_policy_name(t[i].policy));
		ok(place_opts_by_nodes(&o) == t[i].by_nodes, "--%s: by --nodes or not", t[i].name);
		ok(place_opts_has_policy(&o) == t[i].has_policy, "--%s: sets a policy or not",
		   t[i].name);
		if (t[i].cpus || t[i].cpu_nodes)
			is_str(o.cpu_opt, strcmp(t[i].name, "cpus") == 0 ? "--cpus" :
			       strcmp(t[i].name, "cpu-nodes") == 0 ? "--cpu-nodes" :
			       strcmp(t[i].name, "cpunodebind") == 0 ? "--cpunodebind" :
			       "--physcpubind", "--%s: named in messages", t[i].name);
	}
	ok(!place_opts_takes("pid") && !place_opts_takes("dry-run") && !place_opts_takes(NULL),
	   "other options are not placement options");
	is_u64(one(&o, "pid", "1"), (uint64_t)-ENOENT, "an unknown name: -ENOENT");
}

static void test_own_options(void)
{
	struct place_opts o;
	char err[512];

	memset(&o, 0, sizeof(o));
	ok(place_opts_set(&o, "policy", "interleave", err, sizeof(err)) == 0 &&
	   place_opts_set(&o, "nodes", "0-1", err, sizeof(err)) == 0,
	   "--policy then --nodes");
	ok(o.policy == PLACE_INTERLEAVE && o.policy_set, "--nodes keeps --policy's policy");
	ok(place_opts_has_policy(&o) && place_opts_by_nodes(&o), "a policy, set by --nodes");
	is_u64(one(&o, "balancing", NULL), 0, "--balancing");
	ok(o.balancing, "--balancing sets balancing");
	is_u64(one(&o, "auto", NULL), 0, "--auto");
	ok(o.autoplace, "--auto sets autoplace");
	memset(&o, 0, sizeof(o));
	is_u64(place_opts_set(&o, "policy", "local", err, sizeof(err)), 0, "--policy local");
	ok(place_opts_has_policy(&o) && !place_opts_by_nodes(&o), "a policy with no nodes");
}

static void test_same(void)
{
	struct place_opts o;
	char err[512];

	memset(&o, 0, sizeof(o));
	ok(place_opts_set(&o, "membind", "1", err, sizeof(err)) == 0 &&
	   place_opts_set(&o, "cpunodebind", "same", err, sizeof(err)) == 0,
	   "--membind 1 --cpunodebind same");
	is_str(o.cpu_nodes_arg, "1", "same is the list before");
	memset(&o, 0, sizeof(o));
	ok(place_opts_set(&o, "cpu-nodes", "0", err, sizeof(err)) == 0 &&
	   place_opts_set(&o, "interleave", "same", err, sizeof(err)) == 0,
	   "--cpu-nodes 0 --interleave same");
	is_str(o.nodes_arg, "0", "same works either way round");
	memset(&o, 0, sizeof(o));
	is_u64(place_opts_set(&o, "membind", "same", err, sizeof(err)), (uint64_t)-EINVAL,
	       "same with nothing before it");
	is_str(err, "--membind same: no node list before it to be the same as",
	       "its message");
}

static void test_two_options(void)
{
	is_str(REFUSAL(false, true, "membind", "0", "interleave", "1"),
	       "--membind and --interleave both set the memory policy: give one",
	       "two numactl policies");
	is_str(REFUSAL(false, true, "nodes", "0", "membind", "1"),
	       "--nodes and --membind both set the memory nodes: give one",
	       "--nodes and a numactl policy");
	is_str(REFUSAL(false, true, "localalloc", NULL, "nodes", "1"),
	       "--localalloc and --nodes both set the memory nodes: give one",
	       "a numactl policy and --nodes");
	is_str(REFUSAL(false, true, "policy", "bind", "membind", "1"),
	       "--policy and --membind both set the memory policy: give one",
	       "--policy before a numactl policy");
	is_str(REFUSAL(false, true, "preferred", "1", "policy", "bind"),
	       "--policy and --preferred both set the memory policy: give one",
	       "--policy after a numactl policy");
	is_str(REFUSAL(false, true, "policy", "often"),
	       "invalid --policy 'often': expected bind, preferred, interleave, "
	       "weighted-interleave or local", "an invalid --policy");
}

static void test_check(void)
{
	is_str(REFUSAL(true, true, "nodes", "0"),
	       "give either -p PID or a command after '--', not both (numactl's -p is "
	       "--preferred: write --preferred=NODE)", "a PID and a command");
	is_str(REFUSAL(false, false, "nodes", "0"),
	       "nothing to place: give -p PID or '-- COMMAND'", "neither");
	is_str(REFUSAL(false, true, "cpus", "0", "cpunodebind", "1"),
	       "give the CPUs either by node (--cpu-nodes, --cpunodebind) or by number "
	       "(--cpus, --physcpubind), not both", "CPUs twice");
	is_str(REFUSAL(false, true, "auto", NULL),
	       "--auto places a running process: give -p PID", "--auto for a launch");
	is_str(REFUSAL(true, false, "auto", NULL, "nodes", "1"),
	       "--auto chooses the node itself: drop --nodes", "--auto with --nodes");
	is_str(REFUSAL(true, false, "membind", "1"),
	       "--membind sets the memory policy of a launched command; for a running "
	       "process give --nodes NODES (its memory moves there)",
	       "a numactl policy for a running process");
	is_str(REFUSAL(true, false, "nodes", "1", "policy", "bind"),
	       "--policy and --balancing apply to a launched command: the kernel cannot "
	       "set a running process's memory policy", "--policy for a running process");
	is_str(REFUSAL(true, false, "nodes", "1", "balancing", NULL),
	       "--policy and --balancing apply to a launched command: the kernel cannot "
	       "set a running process's memory policy", "--balancing for a running process");
	is_str(REFUSAL(true, false, "cpus", "0"),
	       "no target: give --nodes NODES or --auto", "a running process with no target");
	is_str(REFUSAL(false, true, "policy", "local", "nodes", "1"),
	       "--policy local allocates on the node of the CPU: drop --nodes",
	       "--policy local with --nodes");
	is_str(REFUSAL(false, true, "balancing", NULL),
	       "no target: give --nodes NODES, --cpu-nodes NODES or --cpus CPUS (or "
	       "numactl's --membind, --cpunodebind, ...)", "a launch with no target");
	is_str(REFUSAL(false, true, "policy", "interleave", "cpus", "0"),
	       "--policy interleave needs --nodes NODES", "--policy with no nodes");
	is_str(REFUSAL(false, true, "interleave", "0-1", "balancing", NULL),
	       "--balancing needs --policy bind or --membind (MPOL_F_NUMA_BALANCING works "
	       "with MPOL_BIND only)", "--balancing with interleave");
	is_str(REFUSAL(false, true, "membind", "0-1", "balancing", NULL), "",
	       "--membind --balancing accepted");
	is_str(REFUSAL(false, true, "policy", "local"), "", "--policy local alone accepted");
	is_str(REFUSAL(false, true, "localalloc", NULL, "cpunodebind", "0"), "",
	       "--localalloc --cpunodebind accepted");
	is_str(REFUSAL(true, false, "nodes", "1", "cpu-nodes", "0"), "",
	       "a running process with --nodes --cpu-nodes accepted");
	is_str(REFUSAL(true, false, "auto", NULL), "", "-p PID --auto accepted");
}

static void test_numactl_not(void)
{
	char err[512];

	ok(place_opts_numactl_not("cpubind", 7, 0, err, sizeof(err)) == 1, "--cpubind");
	is_str(err, "numactl's --cpubind is not taken by mplace: it is the old name of "
	       "--cpunodebind: write --cpunodebind NODES", "its message");
	ok(place_opts_numactl_not("shm=x", 3, 0, err, sizeof(err)) == 1, "--shm=x");
	is_str(err, "numactl's --shm is not taken by mplace: it sets the policy of shared "
	       "memory or a file, and mplace places processes: use numactl for it",
	       "the shared-memory message");
	ok(place_opts_numactl_not(NULL, 0, 's', err, sizeof(err)) == 1, "-s");
	is_str(err, "numactl's --show is not taken by mplace: mplace shows no policy: "
	       "'numactl --show', or 'mscan -p PID' for where a process's memory is",
	       "-s is --show");
	ok(place_opts_numactl_not("sh", 2, 0, err, sizeof(err)) == 0, "no prefix match");
	ok(place_opts_numactl_not(NULL, 0, 'x', err, sizeof(err)) == 0, "-x is not numactl's");
	ok(place_opts_numactl_not("hardware", 8, 0, err, sizeof(err)) == 1 &&
	   place_opts_numactl_not(NULL, 0, 'H', err, sizeof(err)) == 0,
	   "--hardware has no short form here (-H is --list-columns)");
}

int main(void)
{
	test_numactl_forms();
	test_own_options();
	test_same();
	test_two_options();
	test_check();
	test_numactl_not();
	return tap_done();
}
