/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place_launch: memory nodes outside this cpuset, and the message and exit
 * code of each refused memory policy. */
#include <errno.h>
#include <string.h>
#include "exitcode.h"
#include "place_launch.h"
#include "tap.h"

static struct ns_nodeset set(const char *list)
{
	struct ns_nodeset s;

	nodeset_parse_list(list, &s);
	return s;
}

static void test_mems(void)
{
	struct ns_nodeset allowed = set("0-1"), in = set("1"), out = set("0,2-3");
	char err[256];

	is_u64(place_launch_check_mems(&in, &allowed, err, sizeof(err)), 0, "node 1 in 0-1");
	is_u64(place_launch_check_mems(&out, &allowed, err, sizeof(err)), (uint64_t)-EPERM,
	       "nodes 0,2-3 not in 0-1");
	is_str(err, "node 2 is outside this cpuset's memory nodes (Mems_allowed); refusing",
	       "the first node outside is named");
}

static void test_policy_error(void)
{
	struct ns_nodeset one = set("1"), two = set("0-1");
	char err[512];

	is_u64(place_launch_policy_error(PLACE_WEIGHTED, &two, "0-1", false, -EINVAL, 608,
					 err, sizeof(err)), NS_EXIT_USAGE, "weighted: usage");
	is_str(err, "this kernel (6.8) has no weighted interleave (MPOL_WEIGHTED_INTERLEAVE "
	       "needs Linux 6.9 or later)", "weighted: the kernel version");
	is_u64(place_launch_policy_error(PLACE_BIND, &one, "1", true, -EINVAL, 510,
					 err, sizeof(err)), NS_EXIT_USAGE, "balancing: usage");
	is_str(err, "this kernel refuses MPOL_F_NUMA_BALANCING (needs Linux 5.12 or later)",
	       "balancing: its message");
	is_u64(place_launch_policy_error(PLACE_PREFERRED, &two, "0-1", false, -EINVAL, 510,
					 err, sizeof(err)), NS_EXIT_USAGE, "preferred many: usage");
	is_str(err, "this kernel has no MPOL_PREFERRED_MANY (several preferred nodes need "
	       "Linux 5.15 or later)", "preferred many: its message");
	is_u64(place_launch_policy_error(PLACE_PREFERRED, &one, "1", false, -EINVAL, 510,
					 err, sizeof(err)), NS_EXIT_USAGE, "preferred one: usage");
	is_str(err, "cannot set memory policy preferred on nodes 1: Invalid argument",
	       "preferred one node: the errno");
	is_u64(place_launch_policy_error(PLACE_INTERLEAVE, &two, "0-1", false, -EPERM, 612,
					 err, sizeof(err)), NS_EXIT_FAIL, "EPERM: failure");
	is_str(err, "cannot set memory policy interleave on nodes 0-1: Operation not permitted",
	       "EPERM: its message");
}

int main(void)
{
	test_mems();
	test_policy_error();
	return tap_done();
}
