/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* guard: the checks made before anything moves, as a list of findings that
 * cmd/ prints.  A finding is either a refusal (with the exit code it asks
 * for: 4 permission, 5 guard rail) or a warning.
 *
 *   permission   privs_check(PRIV_MOVE or PRIV_MOVE_ALL)            refuse 4
 *   cpuset       a target node outside the target's Mems_allowed     refuse 5
 *   memory       a target node left with less than min_free after     refuse 5
 *                the plan (MemFree - planned < min_free)              (--force: warn)
 *   THP blocks   fewer free THP-sized buddy blocks than planned THPs  warn (split)
 *   hugetlb      less room (free pool + free huge-page-sized blocks)   warn
 *                than the planned hugetlb pages
 *   balancing    kernel.numa_balancing enabled                         warn
 *   policy       a planned mapping's policy is bind:/prefer: elsewhere warn
 *   affinity     no CPU of the target nodes in the process's affinity warn
 *                (memory-only targets have no CPU and are not warned)
 * Never prints.
 */
#ifndef NS_GUARD_H
#define NS_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include "nodes.h"
#include "plan.h"

enum guard_level { GUARD_WARN, GUARD_REFUSE };

struct guard_msg {
	enum guard_level level;
	int exit_code;          /* 4 or 5 for refusals */
	pid_t pid;              /* 0: about the machine */
	char text[256];
};

struct guard_result {
	struct guard_msg *v;
	size_t n, cap;
	int refuse;             /* exit code of the first refusal, 0 when none */
};

struct guard_opts {
	double min_free_pct;    /* percent of each target node's MemTotal */
	bool min_free_is_bytes;
	uint64_t min_free_bytes;
	bool force;             /* memory refusals become warnings */
	bool move_all;
	bool discard;           /* --discard-lazyfree: process_madvise too */
	bool check_privs;       /* false under --sysroot (nothing will move) */
	bool check_cpuset;
	bool affinity_set;      /* the caller moves the threads to the target
				 * nodes' CPUs itself: no affinity warning */
};

/* Check a plan against the machine.  Returns 0 (see r->refuse) or -errno. */
int guard_check(const struct plan *p, const struct ns_topology *t,
		const struct guard_opts *o, struct guard_result *r);
void guard_free(struct guard_result *r);

#endif
