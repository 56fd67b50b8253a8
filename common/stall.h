/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* stall: bound how long each call on a target process's memory takes, and
 * measure what the calls took.
 *
 * A move_pages(2) call in move mode, a migrate_pages(2) call or a
 * process_madvise(2) call holds the target's locks (mmap_lock for the whole
 * iovec of process_madvise; page locks and migration entries that its
 * threads wait on for move_pages) for as long as it runs.  The sizer picks
 * the bytes of the next call from the calls before.  A call costs a fixed
 * part F (move_pages drains the LRU caches of every CPU, which waits for
 * each CPU's worker: tens of ms when the CPUs are busy) and a part per byte
 * c: both are fitted (least squares) over the last STALL_WINDOW calls,
 * whose sizes the sizer varies by +-25% on purpose so that the fit has
 * something to go on.  The next call takes 3/4 of the budget at that cost,
 * growing at most 2x a call.  When F alone takes most of the budget, no
 * size keeps a call within it and smaller calls only slow the move down:
 * the call is then sized to take about 2F (half of it copying), the
 * shortest call that does not crawl, and the figures show the overrun.
 * One entry is never split: a THP or hugetlb page that alone takes longer
 * than the budget still moves whole, and its time is counted.
 *
 * The figures: every budgeted call's time; their count, worst, median and
 * 99th percentile.  A call's time is a means, not what the process feels:
 * the workload's own waits are measured by tests/bench/stallwork.
 */
#ifndef NS_STALL_H
#define NS_STALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define STALL_DEFAULT   0.020     /* seconds: katalyst-core's 20 ms */
#define STALL_MIN       0.001     /* below 1 ms a call's fixed cost (the
				   * LRU drain on every CPU) dominates */
#define STALL_MAX       10.0

#define STALL_WINDOW    16        /* calls the cost is fitted over */

struct stall_sizer {
	double budget;            /* seconds per call */
	double fixed, per_byte;   /* the fitted cost of a call: fixed + per_byte x bytes */
	uint64_t next;            /* bytes for the next call */
	uint64_t min, max;        /* bounds of next */
	double b[STALL_WINDOW], t[STALL_WINDOW];   /* the last calls: bytes, seconds */
	unsigned n, calls;        /* in the window; observed in all */
	bool slow;                /* the last call took far longer than the fit said */
};

/* first: bytes of the first call (before anything is measured). */
void stall_sizer_init(struct stall_sizer *s, double budget, uint64_t first,
		      uint64_t min, uint64_t max);
/* A call moved 'bytes' in 'seconds': adapt s->next. */
void stall_sizer_observe(struct stall_sizer *s, uint64_t bytes, double seconds);

/* Times of the budgeted calls. */
struct stall_stats {
	double *v;                /* seconds, in the order recorded */
	size_t n, cap;
};
int stall_add(struct stall_stats *s, double seconds);            /* 0 or -ENOMEM */
int stall_merge(struct stall_stats *dst, const struct stall_stats *src);
void stall_free(struct stall_stats *s);

struct stall_summary {
	double budget;            /* seconds; 0 = no budget (one migrate_pages call) */
	uint64_t calls;
	uint64_t over;            /* calls longer than the budget */
	double max, median, p99;  /* seconds (0 with no call) */
};
/* Sorts a copy of the times; -ENOMEM. */
int stall_summarize(const struct stall_stats *s, double budget, struct stall_summary *out);
/* The worst call took more than 1.5 x the budget. */
bool stall_overrun(const struct stall_summary *s);
/* {"budget_ms", "calls", "over_budget_calls", "max_ms", "median_ms", "p99_ms"};
 * budget_ms is null without a budget. */
json_t *stall_json(const struct stall_summary *s);

#endif
