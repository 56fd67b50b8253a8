/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* The decisions of mplace's launch mode before it execs the command: whether
 * the memory nodes lie in this cpuset, and what a refused memory policy
 * means (which kernel feature is missing) with the exit code it earns.
 *
 * Contract: no function here prints or exits; messages go into the caller's
 * buffer (the text cmd/mplace.c prints after "mplace: ").
 */
#ifndef NS_PLACE_LAUNCH_H
#define NS_PLACE_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include "nodes.h"
#include "place.h"

/* Whether NODES lie within ALLOWED (this cpuset's Mems_allowed).  0, or
 * -EPERM with "node N is outside ..." in err for the first node outside. */
int place_launch_check_mems(const struct ns_nodeset *nodes, const struct ns_nodeset *allowed,
			    char *err, size_t errlen);

/* The message and exit code for RC (a negative errno) from place_probe_policy
 * or place_set_policy of POLICY on NODES (NODES_STR, formatted) with
 * BALANCING, on a kernel of version KVER (major * 100 + minor): -EINVAL
 * names the missing feature and gives NS_EXIT_USAGE, others NS_EXIT_FAIL. */
int place_launch_policy_error(enum place_policy policy, const struct ns_nodeset *nodes,
			      const char *nodes_str, bool balancing, int rc, int kver,
			      char *err, size_t errlen);

#endif
