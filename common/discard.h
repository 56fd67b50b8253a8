/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* discard: find a process's clean lazily freed (MADV_FREE) pages and drop
 * them with process_madvise(2) MADV_PAGEOUT, measured before and after.
 * Used by mfree-discard and by mmigrate --discard-lazyfree.
 *
 * Two modes:
 *   precise  (CAP_SYS_ADMIN: PFNs and /proc/kpageflags) the ranges are the
 *            pagemap runs flagged RUN_LAZYFREE (anon, !swapbacked,
 *            !swapcache); THP runs are whole THPs.  Only those pages are
 *            passed to the kernel, so no live page can be swapped out.
 *   mapping  (no PFNs) the present pages of private anon mappings whose
 *            smaps LazyFree is non-zero.  MADV_PAGEOUT would swap out the
 *            live pages of such a mapping when swap exists: discard_find
 *            sets DISCARD_W_SWAP and the caller must refuse unless forced.
 *            Fully present THP-aligned blocks of mappings with AnonHugePages
 *            are left out (they may be live THPs, which PAGEOUT would split
 *            even without swap).
 *
 * Rewritten lazyfree pages: the kernel keeps them (re-marks them
 * swapbacked) but splits the PMD of a rewritten THP.  kpageflags cannot tell
 * a rewritten THP from a clean one; smaps LazyFree counts only clean bytes.
 * DISCARD_THP_COLLAPSE (default) pages out every lazyfree THP and then
 * collapses the still-resident ones back with MADV_COLLAPSE (measured on 6.1
 * and 6.12 to restore all of them); DISCARD_THP_SKIP leaves out the THP
 * ranges of mappings whose smaps LazyFree is less than the lazyfree bytes
 * kpageflags reports (some were written again).
 *
 * Figures are measured, never taken from the syscall's return: per node from
 * pagemap (present before, not present after) and per process from smaps.
 * Functions never print; they return 0 or -errno.
 */
#ifndef NS_DISCARD_H
#define NS_DISCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "maps.h"
#include "nodes.h"
#include "procs.h"
#include "stall.h"

enum discard_mode {
	DISCARD_AUTO,      /* precise when PFNs and kpageflags are readable */
	DISCARD_PRECISE,
	DISCARD_MAPPING,
};
const char *discard_mode_name(enum discard_mode m);   /* "precise", "mapping" */

enum discard_thp {
	DISCARD_THP_COLLAPSE,  /* page out, then MADV_COLLAPSE what stayed */
	DISCARD_THP_SKIP,      /* skip THPs of mappings with rewritten lazyfree */
};
const char *discard_thp_name(enum discard_thp t);     /* "collapse", "skip" */

/* A command's --mode MODE and --thp HOW: the value named arg (the names
 * above) into *out; else -EINVAL with the line in err ("invalid --mode
 * 'X': expected auto, precise or mapping"). */
int discard_mode_parse(const char *arg, enum discard_mode *out, char *err, size_t len);
int discard_thp_parse(const char *arg, enum discard_thp *out, char *err, size_t len);

/* A mapping filter (e.g. mmigrate's --vma SPEC); true keeps the mapping. */
typedef bool (*discard_vma_fn)(void *ud, const struct mapping *m);
/* Polled between system calls; true stops the work (signal, timeout). */
typedef bool (*discard_stop_fn)(void *ud);

struct discard_set;

struct discard_opts {
	enum discard_mode mode;
	enum discard_thp thp;
	bool limit_nodes;            /* only pages on 'nodes' */
	struct ns_nodeset nodes;
	discard_vma_fn vma_filter;   /* NULL: every private anon mapping */
	void *vma_ud;
	discard_stop_fn stop;        /* NULL: never stop */
	void *stop_ud;
	/* NULL, or called by discard_find as the scan goes up the address
	 * space: every range of the set below 'upto' is final (a range ending
	 * at 'upto' may still grow; the set's array may move between calls).
	 * A negative return ends the scan with that value. */
	int (*scanned)(void *ud, const struct discard_set *s, uint64_t upto);
	void *scanned_ud;
	/* the caller does not report the process's smaps totals: the three
	 * smaps_rollup reads (before, after the pageout, after) are skipped and
	 * set->before, res->after_pageout, res->after, res->thp_collapsed stay 0
	 * (each read walks every page of the process) */
	bool no_totals;
	/* seconds a process_madvise call may take (stall.h: the bytes of its
	 * iovecs are sized from the calls before; the kernel holds the
	 * process's mmap_lock for the whole iovec); 0 = STALL_DEFAULT */
	double max_stall;
};

/* One range handed to the kernel: page aligned; THP ranges THP aligned. */
#define DR_THP      0x1   /* whole THPs */
#define DR_SKIPPED  0x2   /* found but left out (DISCARD_THP_SKIP, live THP
			   * block in mapping mode); never passed on */

struct discard_range {
	uint64_t start, len;     /* bytes */
	int node;                /* node of the pages, RUN_NODE_UNKNOWN if not known */
	unsigned flags;          /* DR_* */
};

/* Per node figures, bytes (index = node id, < node_slots). */
struct discard_node {
	uint64_t found;          /* lazyfree bytes found (precise mode only) */
	uint64_t candidate;      /* present bytes in the ranges passed on */
	uint64_t discarded;      /* candidate bytes not present after */
	uint64_t kept;           /* candidate bytes still present after (precise
				  * mode: lazyfree pages written again) */
	uint64_t skipped;        /* present bytes left out (DR_SKIPPED) */
};

/* smaps figures summed over the process, bytes. */
struct discard_smaps {
	uint64_t rss, lazyfree, anon_huge, swap;
};

#define DISCARD_W_SWAP       0x1   /* mapping mode with swap: live pages would be swapped */
#define DISCARD_W_NO_KPF     0x2   /* precise mode asked but PFNs/kpageflags unreadable */
#define DISCARD_W_THP_MAYBE  0x4   /* mapping mode left out possible THP blocks */
#define DISCARD_W_REWRITTEN  0x8   /* some mapping's LazyFree < kpageflags lazyfree */

struct discard_set {
	struct proc_id id;
	enum discard_mode mode;      /* the mode used (never AUTO) */
	unsigned warn;               /* DISCARD_W_* */
	uint64_t page_size, thp_size;
	struct discard_range *v;     /* ranges, ascending start */
	size_t n, cap;
	struct discard_node *node;   /* node[n] for n < node_slots */
	int node_slots;
	bool exact;                  /* precise: found/kept are per page facts;
				      * mapping: found is the smaps LazyFree sum of
				      * the chosen mappings and kept is unknown */
	uint64_t found;              /* lazyfree bytes found */
	uint64_t candidate;          /* sum of node[].candidate */
	uint64_t skipped;            /* sum of node[].skipped */
	uint64_t thp_found;          /* lazyfree THPs (precise mode) */
	uint64_t thp_skipped;        /* THPs or possible THP blocks left out */
	struct discard_smaps before; /* smaps of the whole process at find time */
};

struct discard_result {
	uint64_t advised;            /* bytes passed to the kernel */
	uint64_t calls;              /* process_madvise calls */
	uint64_t discarded, kept;    /* sums of set->node[], measured */
	uint64_t thp_discarded;      /* lazyfree THPs no longer present */
	uint64_t thp_kept;           /* lazyfree THPs still present (rewritten) */
	uint64_t thp_collapsed;      /* by AnonHugePages regained after MADV_COLLAPSE */
	uint64_t collapse_failed;    /* THPs MADV_COLLAPSE left split (after
				      * retries of EAGAIN); their data is intact */
	int collapse_error;          /* its first -errno, 0 if none */
	struct discard_smaps after_pageout;  /* smaps right after MADV_PAGEOUT */
	struct discard_smaps after;  /* smaps at the end */
	int error;                   /* first -errno of a call, 0 if none */
	bool stopped;                /* opts->stop said stop before the end */
	struct stall_stats stall;    /* each call's time (discard_result_free) */
};

/* Find the lazily freed ranges of a process and measure 'before'.
 * -ESRCH: gone; -EACCES/-EPERM: not allowed to read it; -EOPNOTSUPP:
 * precise mode asked and PFNs/kpageflags are not readable. */
int discard_find(const struct proc_id *id, const struct discard_opts *o,
		 struct discard_set *out);

/* Discard the ranges of 'set' through pidfd (from pidfd_open on set->id),
 * in calls of at most 1024 iovecs and ~2 GiB; in precise mode each batch is
 * checked again against fresh kpageflags just before its call so only pages
 * still lazyfree are passed.  Then, for DISCARD_THP_COLLAPSE, MADV_COLLAPSE
 * on the lazyfree THP ranges still resident (a THP it leaves split, after
 * retrying EAGAIN, is counted in res->collapse_failed with its reason in
 * res->collapse_error, not in res->error).  Fills set->node[].discarded /
 * kept and res from pagemap and smaps read afterwards.
 * Returns 0 (even with res->error set after some calls went through),
 * -EPERM (CAP_SYS_NICE or ptrace access missing; nothing done), -ESRCH
 * (process gone, or exec'd another program: no call is made on the new
 * program after that is seen; res->calls says how many went before),
 * other -errno.  opts->stop is polled before every call. */
int discard_apply(int pidfd, struct discard_set *set,
		  const struct discard_opts *o, struct discard_result *res);

/* smaps of a whole process summed (Rss, LazyFree, AnonHugePages, Swap). */
int discard_read_smaps(pid_t pid, struct discard_smaps *out);

void discard_set_free(struct discard_set *s);
void discard_result_free(struct discard_result *r);

#endif
