/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place_target: where mplace puts a process, resolved from its options
 * (place_opts.h) against the machine: the memory nodes, the nodes whose
 * CPUs the threads run on, the CPU set, and the lists as the report and
 * the messages show them.
 *
 * Contract: no function here prints or exits.  A choice the user must
 * change returns -EINVAL with the usage message in the caller's buffer (the
 * text cmd/mplace.c prints after "mplace: ", exit 2); a machine that cannot
 * be read returns its negative errno with the failure line (exit 1).
 */
#ifndef NS_PLACE_TARGET_H
#define NS_PLACE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include "nodes.h"
#include "place.h"
#include "place_opts.h"

struct place_target {
	struct ns_nodeset nodes;     /* memory nodes (--nodes or numactl's) */
	struct ns_nodeset cpu_nodes; /* --cpu-nodes or numactl's --cpunodebind */
	struct place_cpus cpus;      /* the threads' CPUs (unless keep_cpus) */
	bool keep_cpus;              /* a launch that leaves the affinity as it is */
	char nodes_str[256], cpu_nodes_str[256], cpus_str[256];
	char cpus_desc[540];         /* "0-3 (nodes 0)", "0-3" for --cpus, "unchanged" */
};

/* The node lists of o against the topology.  all, ! and +N count within
 * 'allowed' (the cpuset's Mems_allowed: this process's for a launch, else
 * the placed process's; NULL when it is not known), as numactl's do.
 * Memory nodes must have memory, CPU nodes CPUs; --preferred takes one
 * node.  t is zeroed first (place_target_free it before, if it was
 * resolved).  0 or -EINVAL. */
int place_target_nodes(struct place_target *t, const struct place_opts *o,
		       const struct ns_topology *topo, const struct ns_nodeset *allowed,
		       char *err, size_t errlen);

/* The CPUs, once t->nodes are final (after --auto): --cpus as a user
 * types it (+N and all within this process's affinity for a LAUNCH, the
 * online CPUs for a running process, whose own affinity mplace replaces);
 * else the CPUs of the CPU nodes, or of the memory nodes.  A launch with
 * numactl's memory options alone (or --policy local alone) keeps the
 * affinity, as numactl does.  Sets nodes_str and cpus_desc always,
 * cpus_str unless keep_cpus, cpu_nodes_str when the CPUs come from nodes.
 * 0, -EINVAL (a bad --cpus, memory-only nodes without --cpu-nodes), or
 * -ENOMEM or the errno of a machine that cannot be read (never -EINVAL:
 * that is -EIO then). */
int place_target_cpus(struct place_target *t, const struct place_opts *o,
		      const struct ns_topology *topo, bool launch,
		      char *err, size_t errlen);

/* The CPU set; t may be resolved again (place_target_nodes zeroes it, so
 * free it first). */
void place_target_free(struct place_target *t);

#endif
