/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place: policy names and modes, CPU sets of nodes, weighted-interleave
 * weights from a tree, the --auto choice on a made-up machine, CPU lists as
 * a user types them (numactl's syntax, relative to the allowed CPUs), the
 * local policy, this process's own CPU sets, and the steps of placing a
 * running process (place_run.h) on a child of this one. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "path.h"
#include "lock.h"
#include "place.h"
#include "place_run.h"
#include "procs.h"
#include "said.h"
#include "tap.h"
#include "tree.h"

#define GiB (1ull << 30)

/* three nodes: 0 and 1 with CPUs, 2 memory-only (CXL-like) */
static struct ns_node nodes[3];
static struct ns_topology topo = { .nnodes = 3, .nodes = nodes, .page_size = 4096 };

static void machine(uint64_t free1)
{
	memset(nodes, 0, sizeof(nodes));
	nodes[0] = (struct ns_node){ .id = 0, .has_memory = true, .has_cpu = true,
		.mem_total = 8 * GiB, .mem_free = 4 * GiB, .cpulist = "0-1", .ncpus = 2 };
	nodes[1] = (struct ns_node){ .id = 1, .has_memory = true, .has_cpu = true,
		.mem_total = 8 * GiB, .mem_free = free1, .cpulist = "2-3", .ncpus = 2 };
	nodes[2] = (struct ns_node){ .id = 2, .has_memory = true, .has_cpu = false,
		.mem_total = 16 * GiB, .mem_free = 16 * GiB };
}

static struct ns_nodeset set_of(const char *list)
{
	struct ns_nodeset s;

	if (nodeset_parse_list(list, &s) < 0)
		nodeset_zero(&s);
	return s;
}

static void test_policy(void)
{
	enum place_policy p = PLACE_BIND;
	struct ns_nodeset one = set_of("1"), two = set_of("0-1");

	is_str(place_policy_name(PLACE_BIND), "bind", "name of bind");
	is_str(place_policy_name(PLACE_PREFERRED), "preferred", "name of preferred");
	is_str(place_policy_name(PLACE_INTERLEAVE), "interleave", "name of interleave");
	is_str(place_policy_name(PLACE_WEIGHTED), "weighted-interleave", "name of weighted");
	ok(place_policy_parse("interleave", &p) == 0 && p == PLACE_INTERLEAVE, "parse interleave");
	ok(place_policy_parse("weighted-interleave", &p) == 0 && p == PLACE_WEIGHTED,
	   "parse weighted-interleave");
	p = PLACE_BIND;
	ok(place_policy_parse("Bind", &p) == -EINVAL && p == PLACE_BIND, "parse is exact: Bind refused");
	ok(place_policy_parse("", &p) == -EINVAL, "empty policy refused");
	is_u64(place_policy_mode(PLACE_BIND, &two), PLACE_MPOL_BIND, "bind -> MPOL_BIND (2)");
	is_u64(place_policy_mode(PLACE_PREFERRED, &one), PLACE_MPOL_PREFERRED,
	       "preferred, one node -> MPOL_PREFERRED (1)");
	is_u64(place_policy_mode(PLACE_PREFERRED, &two), PLACE_MPOL_PREFERRED_MANY,
	       "preferred, two nodes -> MPOL_PREFERRED_MANY (5)");
	is_u64(place_policy_mode(PLACE_INTERLEAVE, &two), PLACE_MPOL_INTERLEAVE, "interleave -> 3");
	is_u64(place_policy_mode(PLACE_WEIGHTED, &two), PLACE_MPOL_WEIGHTED_INTERLEAVE,
	       "weighted interleave -> 6");
}

static void test_cpus(void)
{
	struct place_cpus c;
	struct ns_nodeset s;
	char buf[64];

	memset(&c, 0, sizeof(c));
	ok(place_cpus_parse("0-3,8", &c) == 0, "parse 0-3,8");
	is_u64(c.ncpus, 5, "five CPUs");
	is_u64(c.max_cpu, 8, "highest CPU 8");
	ok(place_cpus_has(&c, 3) && place_cpus_has(&c, 8) && !place_cpus_has(&c, 4) &&
	   !place_cpus_has(&c, 9) && !place_cpus_has(&c, 1000), "membership");
	is_u64(place_cpus_format(&c, buf, sizeof(buf)), 5, "format length like snprintf");
	is_str(buf, "0-3,8", "format gives the kernel's list back");
	is_u64(place_cpus_format(&c, buf, 3), 5, "a short buffer: the needed length");
	is_str(buf, "0-", "a short buffer: cut, terminated");
	ok(place_cpus_parse("10-11\n", &c) == 0 && c.ncpus == 7 && c.max_cpu == 11,
	   "parse appends (newline ends the list)");
	place_cpus_free(&c);
	memset(&c, 0, sizeof(c));
	ok(place_cpus_parse("3-1", &c) == -EINVAL, "a range going down is refused");
	place_cpus_free(&c);
	memset(&c, 0, sizeof(c));
	ok(place_cpus_parse("1,x", &c) == -EINVAL, "garbage is refused");
	place_cpus_free(&c);

	machine(1 * GiB);
	s = set_of("1-2");
	ok(place_cpus_of_nodes(&topo, &s, &c) == 0, "CPUs of nodes 1-2");
	place_cpus_format(&c, buf, sizeof(buf));
	is_str(buf, "2-3", "only node 1's CPUs (node 2 has none)");
	place_cpus_free(&c);
	s = set_of("0-1");
	ok(place_cpus_of_nodes(&topo, &s, &c) == 0, "CPUs of nodes 0-1");
	place_cpus_format(&c, buf, sizeof(buf));
	is_str(buf, "0-3", "nodes 0-1: 0-3");
	place_cpus_free(&c);
	s = set_of("2");
	ok(place_cpus_of_nodes(&topo, &s, &c) == -ENODEV, "a memory-only node alone: -ENODEV");
	s = set_of("5");
	ok(place_cpus_of_nodes(&topo, &s, &c) == -ENODEV, "a node that is not online: -ENODEV");
}

static void test_weights(void)
{
	char root[] = "/tmp/ns-test-place.XXXXXX";
	struct ns_nodeset s = set_of("0,2");
	int w[4] = { -1, -1, -1, -1 };

	if (!mkdtemp(root))
		exit(2);
	tree_put(root, "proc/meminfo", "MemTotal: 1000 kB\n");
	ok(path_set_root(root) == 0, "a tree without weights");
	ok(place_read_weights(&s, w, 4) == -ENOENT, "no weighted_interleave directory: -ENOENT");
	tree_put(root, "sys/kernel/mm/mempolicy/weighted_interleave/node0", "3\n");
	tree_put(root, "sys/kernel/mm/mempolicy/weighted_interleave/node2", "1\n");
	ok(place_read_weights(&s, w, 4) == 0, "weights read");
	ok(w[0] == 3 && w[2] == 1 && w[1] == -1, "node0 3, node2 1, node1 untouched (%d %d %d)",
	   w[0], w[2], w[1]);
	ok(place_read_weights(&s, w, 2) == -ERANGE, "a node beyond the array: -ERANGE");
	s = set_of("1");
	ok(place_read_weights(&s, w, 4) == -ENOENT, "a node without its file: -ENOENT");
	path_set_root(NULL);
	tree_remove(root);
}

static void test_auto(void)
{
	struct place_auto a;
	uint64_t bytes[3] = { 3 * GiB, 1 * GiB, 0 };
	double busy[3] = { 0, 0, 0 };

	machine(1 * GiB);
	ok(place_auto_choose(&topo, bytes, 3, busy, 3, 5, &a) == 0, "auto: a choice");
	is_u64(a.node, 0, "the node holding most of the memory");
	is_u64(a.total, 4 * GiB, "total bytes");
	is_u64(a.ncand, 2, "the memory-only node is no candidate");
	is_u64(a.cand[0].need, 1 * GiB, "node 0 needs the 1G on node 1");
	ok(!a.cand[1].room, "node 1 (1G free) has no room for 3G");
	is_str(a.why, "node 0: holds most of the memory (75% of 4294967296 bytes), 4294967296 "
	       "bytes free for 1073741824 to move, CPUs 0% busy", "the explanation");
	place_auto_free(&a);

	/* node 0 busy, node 1 with room and 0.25 less busy: node 1 */
	machine(6 * GiB);
	busy[0] = 0.95;
	busy[1] = 0.70;
	ok(place_auto_choose(&topo, bytes, 3, busy, 3, 5, &a) == 0 && a.node == 1,
	   "busy node 0 (95%%), node 1 at 70%% with room: node 1 (%d)", a.node);
	ok(strstr(a.why, "less busy") != NULL, "says it is the less busy node: %s", a.why);
	place_auto_free(&a);
	/* only 0.20 less busy: stays */
	busy[1] = 0.75;
	ok(place_auto_choose(&topo, bytes, 3, busy, 3, 5, &a) == 0 && a.node == 0,
	   "node 1 only 20%% less busy: node 0 (%d)", a.node);
	place_auto_free(&a);
	/* node 0 not busy enough (0.85 < 0.9): stays */
	busy[0] = 0.85;
	busy[1] = 0;
	ok(place_auto_choose(&topo, bytes, 3, busy, 3, 5, &a) == 0 && a.node == 0,
	   "node 0 at 85%% is not busy: node 0 (%d)", a.node);
	place_auto_free(&a);

	/* the reserve: 3.5G on node 1, 4G free on node 0, 10% of 8G kept */
	machine(1 * GiB);
	bytes[0] = 0;
	bytes[1] = 3584ull << 20;
	busy[0] = 0;
	ok(place_auto_choose(&topo, bytes, 3, busy, 3, 10, &a) == 0 && a.node == 1,
	   "node 1 holds it all: chosen although it has little free (%d)", a.node);
	ok(!a.cand[0].room, "node 0: 4G free - 0.8G reserve < 3.5G");
	place_auto_free(&a);
	ok(place_auto_choose(&topo, bytes, 3, busy, 3, 5, &a) == 0 && a.cand[0].room,
	   "node 0: 4G free - 0.4G reserve >= 3.5G: room");
	place_auto_free(&a);

	/* no room anywhere: 20G on the memory-only node */
	bytes[0] = bytes[1] = 0;
	bytes[2] = 20 * GiB;
	ok(place_auto_choose(&topo, bytes, 3, busy, 3, 5, &a) == -ENOSPC && a.node == -1,
	   "no node with room: -ENOSPC");
	ok(strstr(a.why, "no node has room") != NULL, "says so: %s", a.why);
	place_auto_free(&a);

	/* only a memory-only node */
	{
		struct ns_topology t2 = { .nnodes = 1, .nodes = &nodes[2], .page_size = 4096 };

		ok(place_auto_choose(&t2, bytes, 3, NULL, 0, 5, &a) == -ENODEV && a.node == -1,
		   "no node with CPUs and memory: -ENODEV");
		place_auto_free(&a);
	}
}

/* What a user CPU list parses to, formatted ("0-3"), or "error: ..." */
static const char *cpus_fmt(const char *list, const char *online, const char *allowed)
{
	static char buf[256];
	struct place_cpus on = { 0 }, al = { 0 }, out;
	char err[200];

	place_cpus_parse(online, &on);
	place_cpus_parse(allowed, &al);
	if (place_cpus_parse_user(list, &on, &al, &out, err, sizeof(err)) < 0) {
		snprintf(buf, sizeof(buf), "error: %s", err);
	} else {
		place_cpus_format(&out, buf, sizeof(buf));
		place_cpus_free(&out);
	}
	place_cpus_free(&on);
	place_cpus_free(&al);
	return buf;
}

static void test_cpu_lists(void)
{
	/* 8 CPUs online but 5; this process may run on 2-3 and 6-7 */
	const char *on = "0-4,6-8", *al = "2-3,6-7";

	is_str(cpus_fmt("0-3", on, al), "0-3", "absolute range");
	is_str(cpus_fmt("3-6", on, al), "3-4,6", "a range skips offline 5");
	is_str(cpus_fmt("all", on, al), "2-3,6-7", "all: the allowed CPUs");
	is_str(cpus_fmt("+0", on, al), "2", "+0: the first allowed CPU");
	is_str(cpus_fmt("+1-2", on, al), "3,6", "+1-2: the 2nd and 3rd allowed");
	is_str(cpus_fmt("!+0", on, al), "3,6-7", "!+0: the allowed but the first");
	is_str(cpus_fmt("!3", on, al), "2,6-7", "!3: within the allowed CPUs");
	is_str(cpus_fmt("+4", on, al),
	       "error: bad CPU list '+4': +4 counts past the allowed CPUs (2-3,6-7): +0 is the first of them",
	       "+4 past the allowed CPUs");
	is_str(cpus_fmt("5", on, al), "error: CPU 5 is not online", "offline CPU named");
	is_str(cpus_fmt("99", on, al), "error: CPU 99 is not online", "CPU past the last");
	is_str(cpus_fmt("4-2", on, al), "error: bad CPU list '4-2': range 4-2 is backwards", "backwards");
	is_str(cpus_fmt("", on, al), "error: empty CPU list", "empty list");
	is_str(cpus_fmt("01", on, al),
	       "error: bad CPU list '01': '01' has a leading zero (numactl reads it as octal): "
	       "write the number without it", "leading zero");
	is_str(cpus_fmt("!all", on, al), "error: CPU list '!all' selects no CPU", "!all is nothing");
	is_str(cpus_fmt("1,a", on, al), "error: bad CPU list '1,a': 'a' is not a CPU number", "letters");
}

static void test_local_policy(void)
{
	enum place_policy p;
	struct ns_nodeset none;

	nodeset_zero(&none);
	ok(place_policy_parse("local", &p) == 0 && p == PLACE_LOCAL, "policy local parses");
	is_str(place_policy_name(PLACE_LOCAL), "local", "its name");
	ok(place_policy_mode(PLACE_LOCAL, &none) == PLACE_MPOL_LOCAL, "MPOL_LOCAL (4)");
	ok(place_probe_policy(PLACE_LOCAL, &none, false) == 0, "the kernel takes MPOL_LOCAL");
}

static void test_self(void)
{
	struct place_cpus on, me;
	cpu_set_t s;

	CPU_ZERO(&s);
	ok(place_cpus_online(&on) == 0 && on.ncpus > 0, "online CPUs read");
	ok(place_cpus_self(&me) == 0 && me.ncpus > 0, "own affinity read");
	ok(sched_getaffinity(0, sizeof(s), &s) == 0 && CPU_COUNT(&s) == me.ncpus,
	   "own affinity is sched_getaffinity's");
	for (int cpu = 0; cpu <= me.max_cpu; cpu++)
		if (place_cpus_has(&me, cpu) && !place_cpus_has(&on, cpu))
			ok(0, "CPU %d of the affinity is online", cpu);
	place_cpus_free(&on);
	place_cpus_free(&me);
}

/* The errors among what place_run said (said.h: "err: LINE\n"). */
static int said_errors(void)
{
	int n = 0;

	for (const char *p = said; (p = strstr(p, "err: ")) != NULL; p++)
		n += p == said || p[-1] == '\n';
	return n;
}

static pid_t sleeping_child(void)
{
	pid_t c = fork();

	if (c == 0) {
		pause();
		_exit(0);
	}
	return c;
}

static void end_child(pid_t c)
{
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

static void run_setup(struct place_run *o, struct ns_topology *t,
		      volatile sig_atomic_t *stop, struct report_place *rp)
{
	memset(o, 0, sizeof(*o));
	memset(rp, 0, sizeof(*rp));
	o->topo = t;
	exec_opts_init(&o->xo);
	o->xo.stop = stop;
	o->go.min_free_pct = 5;
	o->h = (struct run_hooks){ .err = err_line, .warn = warn_line };
	said[0] = '\0';
}

static void run_free(struct report_place *rp)
{
	exec_result_free(&rp->mv.r);
	guard_free(&rp->guard);
	plan_free(&rp->plan);
	place_auto_free(&rp->au);
}

static void test_run_gone(struct ns_topology *t)
{
	static volatile sig_atomic_t stop;
	struct place_run o;
	struct report_place rp;
	struct ns_nodeset to = set_of("0");
	pid_t c = fork();

	if (c == 0)
		_exit(0);
	run_setup(&o, t, &stop, &rp);
	procs_identify(c, &rp.id);
	waitpid(c, NULL, 0);
	o.dry_run = true;
	is_u64(place_run_plan(&o, &rp, &to), 1, "plan of a process that has gone: 1");
	ok(said_errors() == 1 && strstr(said, "has gone"), "and says it has gone: %s", said);
	run_free(&rp);
}

static void test_run_stopped(struct ns_topology *t)
{
	static volatile sig_atomic_t stop;
	struct place_run o;
	struct report_place rp;
	struct place_cpus me;
	struct ns_lock lk = { .fd = -1 };
	pid_t holder, c = sleeping_child();

	run_setup(&o, t, &stop, &rp);
	procs_identify(c, &rp.id);
	place_cpus_self(&me);
	stop = SIGTERM;
	is_u64(place_run_move(&o, &rp, &me), 143, "a stop before the move: 143");
	ok(!rp.aff_done && !rp.moved, "and nothing changed");
	ok(lock_take(&lk, c, false, &holder) == 0, "the lock is released");
	lock_release(&lk);
	ok(lock_take(&lk, c, false, &holder) == 0, "a held lock: taken by another run");
	stop = 0;
	is_u64(place_run_move(&o, &rp, &me), 5, "a process another run holds: 5");
	ok(said_errors() == 1 && !rp.aff_done, "said, nothing changed: %s", said);
	lock_release(&lk);
	place_cpus_free(&me);
	run_free(&rp);
	end_child(c);
}

static void test_run_move(struct ns_topology *t)
{
	static volatile sig_atomic_t stop;
	struct place_run o;
	struct report_place rp;
	struct place_cpus me;
	struct ns_nodeset to = set_of("0");
	unsigned inside = 0, threads = 0;
	pid_t c = sleeping_child();
	int code;

	run_setup(&o, t, &stop, &rp);
	procs_identify(c, &rp.id);
	place_cpus_self(&me);
	code = place_run_plan(&o, &rp, &to);
	ok(code == 0 && rp.plan.nprocs == 1, "a child planned to node 0 (code %d: %s)", code, said);
	code = place_run_move(&o, &rp, &me);
	ok(code == 0, "and placed (code %d: %s)", code, said);
	ok(rp.aff_done && rp.aff.threads == 1 && rp.aff.failed == 0, "its one thread's affinity set");
	ok(place_check_affinity(c, &me, &inside, &threads) == 0 && inside == threads,
	   "and is within the CPUs");
	ok(rp.moved && rp.mv.ran == 1 && rp.mv.code == 0, "its memory moved: nothing left off node 0");
	place_cpus_free(&me);
	run_free(&rp);
	end_child(c);
}

static void test_run(void)
{
	struct ns_topology t;

	if (topo_read(&t) < 0 || !nodeset_has(&t.with_memory, 0)) {
		ok(1, "# SKIP no node 0 with memory to place on");
		return;
	}
	test_run_gone(&t);
	test_run_stopped(&t);
	test_run_move(&t);
	topo_free(&t);
}

int main(void)
{
	test_policy();
	test_cpus();
	test_weights();
	test_auto();
	test_cpu_lists();
	test_local_policy();
	test_self();
	test_run();
	return tap_done();
}
