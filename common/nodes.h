/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* nodes: NUMA node sets in numactl syntax, and the machine's node facts.
 *
 * Node ids go up to NS_MAX_NODES-1.  A node set is a plain bit set value.
 * Facts come from sysfs through path.h (so --sysroot trees work):
 *   /sys/devices/system/node/{online,possible,has_memory,has_cpu}
 *   /sys/devices/system/node/nodeN/{meminfo,cpulist,distance}
 *   /proc/buddyinfo (free blocks of THP size and larger, per node)
 * Memory-only (CPU-less) nodes, such as CXL memory, are ordinary nodes here.
 */
#ifndef NS_NODES_H
#define NS_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_MAX_NODES 1024

struct ns_nodeset {
	uint64_t w[NS_MAX_NODES / 64];
};

void nodeset_zero(struct ns_nodeset *s);
void nodeset_add(struct ns_nodeset *s, int node);
void nodeset_del(struct ns_nodeset *s, int node);
bool nodeset_has(const struct ns_nodeset *s, int node);
int  nodeset_count(const struct ns_nodeset *s);
bool nodeset_empty(const struct ns_nodeset *s);
bool nodeset_equal(const struct ns_nodeset *a, const struct ns_nodeset *b);
bool nodeset_intersects(const struct ns_nodeset *a, const struct ns_nodeset *b);
bool nodeset_subset(const struct ns_nodeset *a, const struct ns_nodeset *b);   /* a within b */
/* Next node in s after 'after' (pass -1 to start), or -1 at the end. */
int  nodeset_next(const struct ns_nodeset *s, int after);
/* The k-th node of s (k from 0), or -1. */
int  nodeset_nth(const struct ns_nodeset *s, int k);
#define nodeset_foreach(n, s) for ((n) = nodeset_next((s), -1); (n) >= 0; (n) = nodeset_next((s), (n)))

/* Parse a kernel-style list ("0-3,5", "" = empty, one trailing newline
 * allowed) as found in sysfs files and Mems_allowed_list.  -EINVAL on bad
 * syntax, -ERANGE for a node >= NS_MAX_NODES. */
int nodeset_parse_list(const char *s, struct ns_nodeset *out);

/* Parse a node list as a user types it, in numactl's syntax (idlist.h):
 * "0-3,5", "all", "!1" (the allowed nodes but these), "+0-1" (the first
 * two allowed nodes, numactl's cpuset-relative form), "!+0"; no blanks.
 * Every node named must be in 'valid' (normally the nodes with memory);
 * in a range only the valid nodes between its ends count.  'allowed' is
 * the set that all, ! and + work within (the cpuset's Mems_allowed), NULL
 * for every valid node.  On error returns -EINVAL (syntax, or a list that
 * selects no node) or -ENODEV (a node not in valid, a +N past the allowed
 * nodes) and writes one line naming the problem into err ("node 7 does not
 * exist", "bad node list '3-': expected a number after '-'").  It cannot
 * tell a missing node from one without memory: topo_parse_nodes can. */
int nodeset_parse_user(const char *s, const struct ns_nodeset *valid,
		       const struct ns_nodeset *allowed,
		       struct ns_nodeset *out, char *err, size_t errlen);

/* Format as "0-3,5" ("" for the empty set); returns needed length like
 * snprintf. */
int nodeset_format(const struct ns_nodeset *s, char *buf, size_t len);

struct ns_node {
	int id;
	bool has_memory;
	bool has_cpu;             /* false: memory-only node (CXL, PMEM) */
	uint64_t mem_total;       /* bytes, nodeN/meminfo MemTotal */
	uint64_t mem_free;        /* bytes, nodeN/meminfo MemFree */
	uint64_t hugepages_free;  /* bytes of free hugetlb pages of the default size */
	uint64_t thp_blocks_free; /* free buddy blocks of THP size or larger,
				   * counted in THP-sized units (buddyinfo; an
				   * order-k block counts 2^(k - THP order));
				   * 0 when THP is unavailable */
	char cpulist[256];        /* "0-3,8" as in sysfs, "" when none (a longer
				   * list is cut; ncpus counts the whole) */
	int ncpus;
	int *distance;            /* distance[k] to the k-th online node, or NULL */
	int ndistance;
};

struct ns_topology {
	int nnodes;                  /* online nodes */
	struct ns_node *nodes;       /* online nodes, ascending id */
	struct ns_nodeset online;
	struct ns_nodeset with_memory;
	struct ns_nodeset with_cpu;
	uint64_t page_size;          /* base page size, bytes */
	uint64_t thp_size;           /* PMD THP size, 0 when THP is unavailable */
};

/* Read the node facts.  A machine without /sys/devices/system/node (a
 * kernel without NUMA) is one node 0 holding all memory (from
 * /proc/meminfo, CPUs from /sys/devices/system/cpu/online).  The node list
 * "online" must be readable (-errno otherwise); a missing per-node file
 * leaves its figures 0, and a missing has_memory/has_cpu is derived from
 * MemTotal > 0 and the node's cpulist.  hugepages_free uses Hugepagesize of
 * /proc/meminfo.  -errno on failure; t is zeroed first and needs topo_free. */
int topo_read(struct ns_topology *t);
/* nodeset_parse_user against a topology: nodes named must be online and
 * have memory ("node 7 does not exist", "node 3 has no memory"); "all",
 * "!" and "+" work on the machine's nodes with memory (no one cpuset: the
 * tools that use it act on processes that may each have another); a node
 * excluded with "!" need only exist. */
int topo_parse_nodes(const struct ns_topology *t, const char *s,
		     struct ns_nodeset *out, char *err, size_t errlen);
/* Only which nodes there are and their kinds (the sets, and nodes[] with id,
 * has_memory, has_cpu): sizes, CPU lists, distances and buddy counts stay
 * zero.  For views that need no more, at a fraction of the reads. */
int topo_read_ids(struct ns_topology *t);
void topo_free(struct ns_topology *t);
const struct ns_node *topo_node(const struct ns_topology *t, int id);

#endif
