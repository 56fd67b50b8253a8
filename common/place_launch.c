/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mplace's launch decisions: see place_launch.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "exitcode.h"
#include "place_launch.h"

int place_launch_check_mems(const struct ns_nodeset *nodes, const struct ns_nodeset *allowed,
			    char *err, size_t errlen)
{
	int n;

	nodeset_foreach(n, nodes)
		if (!nodeset_has(allowed, n)) {
			snprintf(err, errlen, "node %d is outside this cpuset's memory nodes "
				 "(Mems_allowed); refusing", n);
			return -EPERM;
		}
	return 0;
}

int place_launch_policy_error(enum place_policy policy, const struct ns_nodeset *nodes,
			      const char *nodes_str, bool balancing, int rc, int kver,
			      char *err, size_t errlen)
{
	if (rc == -EINVAL && policy == PLACE_WEIGHTED)
		snprintf(err, errlen, "this kernel (%d.%d) has no weighted interleave "
			 "(MPOL_WEIGHTED_INTERLEAVE needs Linux 6.9 or later)",
			 kver / 100, kver % 100);
	else if (rc == -EINVAL && balancing)
		snprintf(err, errlen, "this kernel refuses MPOL_F_NUMA_BALANCING (needs "
			 "Linux 5.12 or later)");
	else if (rc == -EINVAL && policy == PLACE_PREFERRED && nodeset_count(nodes) > 1)
		snprintf(err, errlen, "this kernel has no MPOL_PREFERRED_MANY (several "
			 "preferred nodes need Linux 5.15 or later)");
	else
		snprintf(err, errlen, "cannot set memory policy %s on nodes %s: %s",
			 place_policy_name(policy), nodes_str, strerror(-rc));
	return rc == -EINVAL ? NS_EXIT_USAGE : NS_EXIT_FAIL;
}
