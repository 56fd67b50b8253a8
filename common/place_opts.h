/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mplace's placement options, as the user gave them: mplace's own
 * (--nodes, --cpu-nodes, --cpus, --policy, --balancing, --auto) and
 * numactl's (--membind, --interleave, --preferred, --preferred-many,
 * --weighted-interleave, --localalloc, --cpunodebind, --physcpubind),
 * translated into one set of fields by one table.
 *
 * Contract: no function here prints or exits.  An option or a combination
 * mplace refuses returns -EINVAL with the usage message in the caller's
 * buffer (the text cmd/mplace.c prints after "mplace: ").  The strings kept
 * in struct place_opts are the caller's arguments (argv) or this module's
 * option names ("--membind"), so they live as long as argv.
 */
#ifndef NS_PLACE_OPTS_H
#define NS_PLACE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include "place.h"

struct place_opts {
	const char *nodes_arg;       /* memory node list, NULL for none */
	const char *cpu_nodes_arg;   /* nodes whose CPUs to run on */
	const char *cpus_arg;        /* CPU list */
	const char *mem_opt;         /* the option that set the memory nodes or policy */
	const char *cpu_opt;         /* the option that set the CPUs, for messages */
	const char *last_list;       /* the last node list given, for numactl's "same" */
	enum place_policy policy;    /* PLACE_BIND unless an option says otherwise */
	bool policy_set;             /* --policy given */
	bool balancing;              /* --balancing */
	bool autoplace;              /* --auto */
};

/* Whether NAME (a long option without its "--") is one of the options
 * above, handled by place_opts_set. */
bool place_opts_takes(const char *name);

/* Apply option NAME (without "--") with its argument ARG (NULL for one
 * that takes none).  0, or -EINVAL with the message in err: two options
 * that set the memory, --policy with a numactl policy option, "same" with
 * no list before it, an invalid --policy.  -ENOENT for a name that
 * place_opts_takes refuses. */
int place_opts_set(struct place_opts *o, const char *name, const char *arg,
		   char *err, size_t errlen);

/* Whether the memory was set by --nodes (numactl's options set a policy). */
bool place_opts_by_nodes(const struct place_opts *o);

/* Whether a launch sets a memory policy (else the command inherits
 * the launcher's). */
bool place_opts_has_policy(const struct place_opts *o);

/* The combination check, once every option is in: HAVE_PID for -p PID,
 * HAVE_CMD for a command to launch.  0, or -EINVAL with the message of
 * the first refusal, checked in the order of mplace(1). */
int place_opts_check(const struct place_opts *o, bool have_pid, bool have_cmd,
		     char *err, size_t errlen);

/* An option getopt refused: numactl's that mplace does not take get their
 * own line.  NAME/LEN: the long option as typed (without "--", LEN bytes
 * before any "="), or NULL for a short one; LETTER: the short option.
 * 1 with the message in err when it is one of numactl's, else 0. */
int place_opts_numactl_not(const char *name, size_t len, int letter,
			   char *err, size_t errlen);

#endif
