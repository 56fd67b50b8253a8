/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* guard: each check's refusal and warning on a made-up machine (the
 * topology by hand, the processes' status files in a temporary tree). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "guard.h"
#include "path.h"
#include "tap.h"
#include "tree.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define PS 4096ull

static char root[] = "/tmp/ns-test-guard.XXXXXX";
static struct ns_node nodes[3];
static struct ns_topology topo = { .nnodes = 3, .nodes = nodes, .page_size = PS,
				   .thp_size = 2 * MiB };

static void machine(void)
{
	if (!mkdtemp(root))
		exit(2);
	tree_put(root, "proc/sys/kernel/numa_balancing", "0\n");
	tree_put(root, "proc/100/status", "Name:\tapp\nPid:\t100\nMems_allowed_list:\t0-1\n"
	    "Cpus_allowed_list:\t0-1\n");
	tree_put(root, "proc/101/status", "Name:\tother\nPid:\t101\nMems_allowed_list:\t0-2\n"
	    "Cpus_allowed_list:\t0-3\n");
	if (path_set_root(root) != 0)
		exit(2);
	nodes[0] = (struct ns_node){ .id = 0, .has_memory = true, .has_cpu = true,
		.mem_total = 8 * GiB, .mem_free = 4 * GiB, .thp_blocks_free = 10,
		.cpulist = "0-1", .ncpus = 2 };
	nodes[1] = (struct ns_node){ .id = 1, .has_memory = true, .has_cpu = true,
		.mem_total = 8 * GiB, .mem_free = 1 * GiB, .thp_blocks_free = 1,
		.hugepages_free = 4 * MiB, .cpulist = "2-3", .ncpus = 2 };
	nodes[2] = (struct ns_node){ .id = 2, .has_memory = true, .has_cpu = false,
		.mem_total = 16 * GiB, .mem_free = 16 * GiB, .thp_blocks_free = 100 };
}

/* a plan of one process (pid) moving bytes of class cls from node 0 to dst */
static void plan1(struct plan *p, pid_t pid, int dst, enum plan_class cls, uint64_t bytes)
{
	struct proc_id id = { .pid = pid };
	struct plan_proc *pp;
	uint64_t step = cls == PLAN_BASE ? PS : 2 * MiB;
	struct plan_run r = { .map_start = 0x40000000, .map_end = 0x40000000 + bytes,
			      .start = 0x40000000, .pages = bytes / PS, .step = step,
			      .cls = cls, .src = 0, .dst = dst };

	memset(p, 0, sizeof(*p));
	p->page_size = PS;
	p->thp_size = 2 * MiB;
	snprintf(id.comm, sizeof(id.comm), "%s", pid == 100 ? "app" : "other");
	pp = plan_proc_new(p, &id);
	if (!pp || plan_add_run(pp, &r) < 0)
		exit(2);
	plan_proc_finish(pp, PS);
}

static const struct guard_opts defaults = { .min_free_pct = 5, .check_cpuset = true };

/* run the checks; the findings in r */
static int check(const struct plan *p, const struct guard_opts *o, struct guard_result *r)
{
	return guard_check(p, &topo, o, r);
}

static void test_clean(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	plan1(&p, 101, 1, PLAN_BASE, 100 * MiB);
	ok(check(&p, &o, &r) == 0, "checks run");
	is_u64(r.n, 0, "100M to node 1 of a process allowed there and running there: no finding");
	is_u64(r.refuse, 0, "nothing refused");
	guard_free(&r);
	plan_free(&p);
}

/* The permission check refuses only what privs_check refuses (-EPERM): a
 * process gone since it was planned (no /proc/102) or whose owner cannot
 * be read (101's status has no Uid line) is for the move to meet and
 * report, not a refusal with an empty line and exit 4. */
static void test_privs_gone(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	o.check_privs = true;
	o.discard = true;
	plan1(&p, 102, 1, PLAN_BASE, 100 * MiB);
	ok(check(&p, &o, &r) == 0, "checks run");
	ok(r.refuse == 0 && r.n == 0, "a process gone since its plan: not refused (%zu findings)", r.n);
	guard_free(&r);
	plan_free(&p);
	plan1(&p, 101, 1, PLAN_BASE, 100 * MiB);
	ok(check(&p, &o, &r) == 0 && r.refuse == 0, "an owner that cannot be read: not refused");
	guard_free(&r);
	plan_free(&p);
}

static void test_memory(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	o.affinity_set = true;
	plan1(&p, 101, 1, PLAN_BASE, 700 * MiB);
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_REFUSE, "700M into 1G free with 5%% kept: refused");
	is_u64(r.refuse, 5, "refusal exit code 5");
	if (r.n)
		is_str(r.v[0].text, "node 1 has 1G free; moving 700M there would leave less than "
		       "the minimum 409.6M (--min-free)", "the refusal names node, free, size, minimum");
	guard_free(&r);
	o.force = true;
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_WARN && r.refuse == 0, "--force: a warning, nothing refused");
	ok(r.n && strstr(r.v[0].text, "; going on (--force)"), "--force: says it goes on");
	guard_free(&r);
	o.force = false;
	o.min_free_is_bytes = true;
	o.min_free_bytes = 300 * MiB;
	check(&p, &o, &r);
	is_u64(r.n, 0, "--min-free 300M: 700M + 300M fit in 1G");
	guard_free(&r);
	o.min_free_bytes = 325 * MiB;
	check(&p, &o, &r);
	is_u64(r.refuse, 5, "--min-free 325M: 700M + 325M do not fit in 1G");
	guard_free(&r);
	plan_free(&p);

	plan1(&p, 101, 7, PLAN_BASE, 1 * MiB);
	check(&p, &o, &r);
	/* outside the cpuset too (Mems_allowed 0-2): that refusal comes first */
	ok(r.n == 2 && r.refuse == 5 && strcmp(r.v[1].text, "node 7 is not online") == 0 &&
	   r.v[1].level == GUARD_REFUSE, "a target that is not online: refused");
	guard_free(&r);
	plan_free(&p);
}

static void test_cpuset(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	plan1(&p, 100, 2, PLAN_BASE, 1 * MiB);
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_REFUSE && r.v[0].exit_code == 5 && r.v[0].pid == 100,
	   "node 2 outside pid 100's Mems_allowed: refused for that pid");
	if (r.n)
		is_str(r.v[0].text, "node 2 is not in the cpuset of pid 100 (app): its Mems_allowed is 0-1",
		       "the refusal names node, process and cpuset");
	guard_free(&r);
	o.check_cpuset = false;
	check(&p, &o, &r);
	is_u64(r.n, 0, "cpuset not checked: nothing (and no affinity warning for a memory-only node)");
	guard_free(&r);
	plan_free(&p);
}

static void test_affinity(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	plan1(&p, 100, 1, PLAN_BASE, 1 * MiB);
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_WARN && r.refuse == 0, "pid 100 runs on CPUs 0-1 only: a warning");
	if (r.n)
		is_str(r.v[0].text, "pid 100 runs on no CPU of the target nodes: new memory will keep "
		       "landing on its current nodes", "the affinity warning");
	guard_free(&r);
	o.affinity_set = true;
	check(&p, &o, &r);
	is_u64(r.n, 0, "the caller sets the affinity itself: no warning");
	guard_free(&r);
	plan_free(&p);
}

static void test_huge(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	o.affinity_set = true;
	plan1(&p, 101, 1, PLAN_THP, 6 * MiB);
	is_u64(p.procs[0].thp_entries, 3, "three THPs planned");
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_WARN && r.refuse == 0, "3 THPs, 1 free block: a warning");
	if (r.n)
		is_str(r.v[0].text, "node 1 has 1 free huge-page-sized blocks for 3 THPs: some THPs "
		       "will be split", "the THP warning");
	guard_free(&r);
	plan_free(&p);
	plan1(&p, 101, 1, PLAN_THP, 2 * MiB);
	check(&p, &o, &r);
	is_u64(r.n, 0, "1 THP, 1 free block: nothing");
	guard_free(&r);
	plan_free(&p);

	plan1(&p, 101, 1, PLAN_HUGETLB, 8 * MiB);
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_WARN, "8M of hugetlb, room for 6M: a warning");
	if (r.n)
		is_str(r.v[0].text, "node 1 has room for 6M of 8M of hugetlb pages (pool 4M free, 1 free "
		       "huge-page-sized blocks): the rest will not move", "the hugetlb warning");
	guard_free(&r);
	plan_free(&p);
	plan1(&p, 101, 1, PLAN_HUGETLB, 6 * MiB);
	check(&p, &o, &r);
	is_u64(r.n, 0, "6M of hugetlb, room for 6M: nothing (and not counted against --min-free)");
	guard_free(&r);
	plan_free(&p);
}

static void test_warnings(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	o.affinity_set = true;
	plan1(&p, 101, 1, PLAN_BASE, 1 * MiB);
	snprintf(p.procs[0].policy_warn, sizeof(p.procs[0].policy_warn),
		 "mapping 40000000 has policy bind:0");
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_WARN && r.v[0].pid == 101, "a policy elsewhere: a warning");
	if (r.n)
		is_str(r.v[0].text, "pid 101: mapping 40000000 has policy bind:0: new pages will keep "
		       "going there", "the policy warning");
	guard_free(&r);
	p.procs[0].policy_warn[0] = '\0';

	tree_put(root, "proc/sys/kernel/numa_balancing", "1\n");
	check(&p, &o, &r);
	ok(r.n == 1 && r.v[0].level == GUARD_WARN && r.v[0].pid == 0, "NUMA balancing on: a machine warning");
	if (r.n)
		is_str(r.v[0].text, "NUMA balancing is enabled (kernel.numa_balancing): it may move pages back",
		       "the balancing warning");
	guard_free(&r);
	tree_put(root, "proc/sys/kernel/numa_balancing", "0\n");

	/* a process with nothing to move gets no per-process warning */
	p.procs[0].nruns = 0;
	snprintf(p.procs[0].policy_warn, sizeof(p.procs[0].policy_warn), "x");
	o.affinity_set = false;
	check(&p, &o, &r);
	is_u64(r.n, 0, "nothing planned: no finding");
	guard_free(&r);
	plan_free(&p);
}

static void test_order(void)
{
	struct plan p;
	struct guard_result r;
	struct guard_opts o = defaults;

	/* pid 100 into node 2 (cpuset) with 15.5G (memory): both refusals,
	 * the cpuset one first */
	plan1(&p, 100, 2, PLAN_BASE, 15872 * MiB);
	check(&p, &o, &r);
	ok(r.n == 2 && r.v[0].level == GUARD_REFUSE && r.v[1].level == GUARD_REFUSE,
	   "two refusals (%zu findings)", r.n);
	ok(r.n == 2 && strstr(r.v[0].text, "cpuset") && strstr(r.v[1].text, "--min-free"),
	   "cpuset before memory");
	is_u64(r.refuse, 5, "the run's refusal code");
	guard_free(&r);
	ok(r.n == 0 && r.v == NULL && r.refuse == 0, "guard_free empties the result");
	plan_free(&p);
}

int main(void)
{
	machine();
	test_clean();
	test_privs_gone();
	test_memory();
	test_cpuset();
	test_affinity();
	test_huge();
	test_warnings();
	test_order();
	path_set_root(NULL);
	tree_remove(root);
	return tap_done();
}
