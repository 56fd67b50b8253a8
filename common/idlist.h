/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* idlist: a list of ids (NUMA nodes, CPUs) as a user types it, in the
 * syntax of numactl's numa_parse_nodestring and numa_parse_cpustring, over
 * plain bitmaps (64 ids a word).  One parser for node lists (nodes.h) and
 * CPU lists (place.h):
 *
 *   0-3,5    ids and ranges.  Both ends of a range must be valid; between
 *            them only the valid ids count (numactl skips those outside its
 *            set the same way).
 *   all      the base set: the ids of the cpuset (or of the machine).
 *   !LIST    the base set but LIST; LIST's ids need only exist.
 *   +LIST    ids counted within the base set: +0 is its first id, +1-2
 *            its second and third (numactl's cpuset-relative form).
 *   !+LIST   both.
 *
 * Numbers are decimal: one with a leading zero is refused (numactl reads
 * 010 as octal 8, 0x3 as 3) rather than read another way.  No blanks.
 * Never prints: one line naming the problem goes into err.
 */
#ifndef NS_IDLIST_H
#define NS_IDLIST_H

#include <stddef.h>
#include <stdint.h>

struct idlist_spec {
	const char *what;       /* "node", "CPU" */
	size_t nbits;           /* ids 0 .. nbits-1; every bitmap has that many bits */
	const uint64_t *exist;  /* ids that exist; others: "<what> N <missing>" */
	const char *missing;    /* "does not exist", "is not online" */
	const uint64_t *valid;  /* ids a list may name; others: "<what> N <invalid>" */
	const char *invalid;    /* "has no memory" */
	const uint64_t *base;   /* all, !, +N: within this set (and valid); NULL: valid */
	const char *nothing;    /* "node with memory": "... selects no <nothing>" */
};

/* Words of a bitmap of nbits ids. */
#define IDLIST_WORDS(nbits) (((nbits) + 63) / 64)

/* Parse s into out (IDLIST_WORDS(nbits) words).  -EINVAL: bad syntax or a
 * list that selects nothing; -ENODEV: an id that does not exist or is not
 * valid, or a +N past the base set; -ENOMEM. */
int idlist_parse(const char *s, const struct idlist_spec *sp, uint64_t *out,
		 char *err, size_t errlen);

#endif
