/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place: put a process on nodes: the CPU affinity of all its threads, the
 * memory policy of a command about to be started, and the automatic choice
 * of a node for a running process (--auto).  Moving the memory of a running
 * process is plan.h/exec.h's job; the kernel cannot set another process's
 * memory policy, so a running process keeps its own.
 *
 * Policies go through the raw set_mempolicy(2) syscall: Debian 12's libnuma
 * does not know MPOL_WEIGHTED_INTERLEAVE (6.9+) or MPOL_F_NUMA_BALANCING
 * (5.12+).  A kernel that lacks a mode or flag answers EINVAL.
 * Never prints; returns 0 or -errno.
 */
#ifndef NS_PLACE_H
#define NS_PLACE_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "nodes.h"

/* set_mempolicy(2) modes and flags (uapi/linux/mempolicy.h) */
#define PLACE_MPOL_DEFAULT             0
#define PLACE_MPOL_PREFERRED           1
#define PLACE_MPOL_BIND                2
#define PLACE_MPOL_INTERLEAVE          3
#define PLACE_MPOL_LOCAL               4   /* 3.8+ */
#define PLACE_MPOL_PREFERRED_MANY      5   /* 5.15+ */
#define PLACE_MPOL_WEIGHTED_INTERLEAVE 6   /* 6.9+ */
#define PLACE_MPOL_F_NUMA_BALANCING    (1 << 13)  /* 5.12+, MPOL_BIND only */

enum place_policy {
	PLACE_BIND,
	PLACE_PREFERRED,       /* one node: MPOL_PREFERRED; several: PREFERRED_MANY */
	PLACE_INTERLEAVE,
	PLACE_WEIGHTED,        /* weighted interleave, weights from sysfs */
	PLACE_LOCAL,           /* MPOL_LOCAL: the node of the CPU; no nodes */
};
const char *place_policy_name(enum place_policy p);   /* "bind", "preferred", ... */
int place_policy_parse(const char *s, enum place_policy *out);   /* -EINVAL */

/* The mode number set_mempolicy gets for a policy over 'nodes'. */
int place_policy_mode(enum place_policy p, const struct ns_nodeset *nodes);

/* Set the calling thread's memory policy (inherited over fork and exec).
 * -EINVAL: the kernel lacks the mode or flag (or nodes outside the cpuset). */
int place_set_policy(enum place_policy p, const struct ns_nodeset *nodes,
		     bool balancing);
/* Try place_set_policy and put the default policy back: says whether the
 * kernel accepts it, for dry runs and early refusals. */
int place_probe_policy(enum place_policy p, const struct ns_nodeset *nodes,
		       bool balancing);

/* Weighted interleave weights of 'nodes' from
 * /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (through path.h);
 * weights[n] for every n in nodes.  -ENOENT: the kernel has none. */
int place_read_weights(const struct ns_nodeset *nodes, int *weights, int nweights);

/* A CPU set of any size. */
struct place_cpus {
	cpu_set_t *set;
	size_t size;          /* bytes, for the sched_*affinity calls */
	int ncpus;            /* CPUs in the set */
	int max_cpu;          /* highest CPU, -1 when empty */
};

/* The CPUs of 'nodes' (from each node's cpulist).  -ENODEV: none of the
 * nodes has a CPU (memory-only nodes). */
int place_cpus_of_nodes(const struct ns_topology *t, const struct ns_nodeset *nodes,
			struct place_cpus *out);
/* Parse a kernel CPU list ("0-3,8") into out (appending). -EINVAL. */
int place_cpus_parse(const char *list, struct place_cpus *out);
/* A CPU list as a user types it, in numactl's syntax (idlist.h, as
 * numa_parse_cpustring reads it): "0-3", "all", "!0", "+0-1" (the first two
 * of 'allowed').  Every CPU named must be in 'online'; all, ! and +N work
 * within 'allowed' (this process's affinity for a launch, as numactl's
 * Cpus_allowed).  out is set up here.  -EINVAL/-ENODEV with one line in
 * err ("CPU 9 is not online"), -ENOMEM. */
int place_cpus_parse_user(const char *s, const struct place_cpus *online,
			  const struct place_cpus *allowed, struct place_cpus *out,
			  char *err, size_t errlen);
/* The online CPUs (/sys/devices/system/cpu/online, through path.h). */
int place_cpus_online(struct place_cpus *out);
/* The calling thread's affinity. */
int place_cpus_self(struct place_cpus *out);
/* "0-3,8"; returns the needed length like snprintf. */
int place_cpus_format(const struct place_cpus *c, char *buf, size_t len);
bool place_cpus_has(const struct place_cpus *c, int cpu);
void place_cpus_free(struct place_cpus *c);

/* Affinity of every thread of a process.  Threads are listed from
 * /proc/PID/task; passes repeat until one finds no new thread (threads
 * started meanwhile are caught), at most PLACE_MAX_PASSES. */
#define PLACE_MAX_PASSES 8
struct place_aff_result {
	unsigned threads;     /* threads whose affinity was set */
	unsigned gone;        /* threads that ended before their turn */
	unsigned failed;      /* threads the kernel refused */
	unsigned passes;
	int err;              /* first -errno of a refusal, 0 if none */
};
/* Returns 0 (see r), -ESRCH when the process is gone, -errno otherwise. */
int place_set_affinity_all(pid_t pid, const struct place_cpus *c,
			   struct place_aff_result *r);
/* Threads of pid whose affinity is within c (and how many there are). */
int place_check_affinity(pid_t pid, const struct place_cpus *c,
			 unsigned *inside, unsigned *threads);

/* CPU load per node: the busy share of each node's CPUs over a short
 * sample, from the per-CPU idle and iowait times of /proc/stat (the load
 * average and procs_running are machine-wide, not per node).
 * busy[n] in [0, 1] for each online node n < nbusy. */
int place_sample_load(const struct ns_topology *t, double seconds,
		      double *busy, int nbusy);

/* --auto: the node for a process whose memory is node_bytes[] (by node id,
 * n < node_slots).  Candidates are nodes with CPUs and memory.  A node "has
 * room" when its MemFree minus what would move there stays above
 * reserve_pct of its MemTotal.  Choice: among nodes with room, the one
 * holding most of the memory, unless its CPUs are busy (>= 0.9) and another
 * node with room is at least 0.25 less busy; then the least busy of those.
 * No node with room: -ENOSPC (out->why says so). */
struct place_auto_node {
	int node;
	uint64_t bytes;       /* the process's bytes there */
	uint64_t free;        /* MemFree */
	uint64_t need;        /* bytes that would move there */
	double busy;
	bool room;
};
struct place_auto {
	int node;                       /* chosen, -1 when none */
	struct place_auto_node *cand;   /* every candidate node */
	int ncand;
	uint64_t total;                 /* bytes of the process */
	bool numa_maps;                 /* the bytes came from /proc/PID/numa_maps,
					 * not pagemap (scan.h: SCAN_PAGEMAP) */
	char why[512];                  /* one line explaining the choice */
};
int place_auto_choose(const struct ns_topology *t, const uint64_t *node_bytes,
		      int node_slots, const double *busy, int nbusy,
		      double reserve_pct, struct place_auto *out);
void place_auto_free(struct place_auto *a);

#endif
