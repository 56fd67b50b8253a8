/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* stall: the sizer keeps a call near its budget whatever the cost per byte
 * and the fixed cost of a call; the figures are exact order statistics. */
#include <math.h>
#include <stdlib.h>
#include "stall.h"
#include "tap.h"

/* A simulated kernel: a call of b bytes takes fixed + b * per seconds. */
static double sim(uint64_t b, double fixed, double per)
{
	return fixed + (double)b * per;
}

static void test_sizer(void)
{
	struct stall_sizer s;
	double t = 0;
	uint64_t prev;
	bool grew_slowly = true;

	/* 1 GB/s, 20 ms budget: settles near 0.75 x 20 ms = 15 MB */
	stall_sizer_init(&s, 0.020, 2u << 20, 4096, 1ull << 30);
	prev = s.next;
	for (int i = 0; i < 40; i++) {
		t = sim(s.next, 0, 1e-9);
		stall_sizer_observe(&s, s.next, t);
		grew_slowly &= s.next <= 2 * prev;
		prev = s.next;
	}
	ok(t <= 0.020 && t >= 0.010, "1 GB/s: calls settle within the budget (%.1f ms)", t * 1e3);
	ok(grew_slowly, "a call grows at most 2x over the one before");
	/* one call waits 200 ms for something else: the next is not shrunk
	 * for it */
	prev = s.next;
	stall_sizer_observe(&s, s.next, 0.200);
	ok(s.next >= prev / 2, "one slow call does not shrink the next (%llu -> %llu bytes)",
	   (unsigned long long)prev, (unsigned long long)s.next);
	/* the machine slows 10x (the process competes for the CPU): after two
	 * such calls the next is sized down at once */
	for (int i = 0; i < 2; i++)
		stall_sizer_observe(&s, s.next, sim(s.next, 0, 1e-8));
	ok(sim(s.next, 0, 1e-8) <= 0.020 * 2.5, "after two slow calls the next is halved (%.1f ms)",
	   sim(s.next, 0, 1e-8) * 1e3);
	for (int i = 0; i < 20; i++)
		stall_sizer_observe(&s, s.next, sim(s.next, 0, 1e-8));
	ok(sim(s.next, 0, 1e-8) <= 0.020, "a few calls later the calls fit the budget again (%.1f ms)",
	   sim(s.next, 0, 1e-8) * 1e3);
	/* calls that wait at random (a quarter of them 50 ms more, whatever
	 * their size) at 1 GB/s: sized by the calls that did not wait */
	stall_sizer_init(&s, 0.020, 2u << 20, 4096, 1ull << 30);
	for (int i = 0; i < 64; i++)
		stall_sizer_observe(&s, s.next, sim(s.next, 0, 1e-9) + (i % 4 == 3 ? 0.050 : 0));
	ok(s.next >= (8u << 20), "random waits do not shrink the calls (%llu bytes)",
	   (unsigned long long)s.next);
	/* a fixed cost of 5 ms a call: still within the budget */
	stall_sizer_init(&s, 0.020, 2u << 20, 4096, 1ull << 30);
	for (int i = 0; i < 60; i++) {
		t = sim(s.next, 0.005, 1e-9);
		stall_sizer_observe(&s, s.next, t);
	}
	ok(t <= 0.020 && t >= 0.008, "5 ms fixed cost: calls stay within the budget (%.1f ms)", t * 1e3);
	/* a fixed cost above the budget: no size fits, and smaller calls only
	 * crawl: calls of about twice the fixed cost */
	stall_sizer_init(&s, 0.001, 2u << 20, 4096, 1ull << 30);
	for (int i = 0; i < 60; i++) {
		t = sim(s.next, 0.002, 1e-9);
		stall_sizer_observe(&s, s.next, t);
	}
	ok(t >= 0.003 && t <= 0.0055 && s.next >= (1u << 20),
	   "a fixed cost above the budget: about twice the fixed cost a call (%.1f ms, %llu bytes), "
	   "not one page", t * 1e3, (unsigned long long)s.next);
	/* the busy guest (measured: 5-page calls took 22 ms, 1024-page calls
	 * ~90 ms): fixed 20 ms, 17 us a KiB, 20 ms budget: calls of about
	 * 40 ms that move a MiB, not calls of one page */
	stall_sizer_init(&s, 0.020, 2u << 20, 4096, 1ull << 30);
	for (int i = 0; i < 60; i++) {
		t = sim(s.next, 0.020, 17e-6 / 1024);
		stall_sizer_observe(&s, s.next, t);
	}
	ok(t >= 0.030 && t <= 0.055 && s.next >= (512u << 10),
	   "busy: 20 ms fixed cost: calls of about 40 ms (%.1f ms, %llu bytes)", t * 1e3,
	   (unsigned long long)s.next);
	/* the bounds hold */
	stall_sizer_init(&s, 10.0, 1u << 20, 4096, 8u << 20);
	for (int i = 0; i < 20; i++)
		stall_sizer_observe(&s, s.next, sim(s.next, 0, 1e-9));
	is_u64(s.next, 8u << 20, "never above the maximum");
	stall_sizer_init(&s, 0.020, 1, 4096, 8u << 20);
	is_u64(s.next, 4096, "the first call is at least the minimum");
	stall_sizer_observe(&s, 0, 1.0);
	is_u64(s.next, 4096, "a call of no bytes teaches nothing");
}

static void test_summary(void)
{
	struct stall_stats st = { 0 };
	struct stall_summary sum;
	json_t *j;

	for (int i = 100; i >= 1; i--)
		stall_add(&st, i / 1000.0);     /* 1..100 ms, in reverse order */
	ok(stall_summarize(&st, 0.020, &sum) == 0, "summarized");
	is_u64(sum.calls, 100, "100 calls");
	ok(fabs(sum.max - 0.100) < 1e-12, "worst 100 ms");
	ok(fabs(sum.median - 0.050) < 1e-12, "median 50 ms (nearest rank)");
	ok(fabs(sum.p99 - 0.099) < 1e-12, "p99 99 ms");
	is_u64(sum.over, 80, "80 calls over a 20 ms budget");
	ok(stall_overrun(&sum), "100 ms is more than 1.5 x 20 ms");
	ok(fabs(st.v[0] - 0.100) < 1e-12, "the recorded order is kept");
	j = stall_json(&sum);
	ok(json_real_value(json_object_get(j, "budget_ms")) == 20.0 &&
	   json_integer_value(json_object_get(j, "calls")) == 100 &&
	   json_real_value(json_object_get(j, "p99_ms")) == 99.0, "JSON in milliseconds");
	json_decref(j);
	ok(stall_summarize(&st, 0, &sum) == 0 && !stall_overrun(&sum) && sum.over == 0,
	   "no budget (one migrate_pages call): never an overrun");
	j = stall_json(&sum);
	ok(json_is_null(json_object_get(j, "budget_ms")), "no budget: budget_ms null");
	json_decref(j);
	stall_free(&st);
	ok(stall_summarize(&st, 0.020, &sum) == 0 && sum.calls == 0 && sum.max == 0 && !stall_overrun(&sum),
	   "no call: zeros, no overrun");
	stall_add(&st, 0.030);
	stall_summarize(&st, 0.020, &sum);
	ok(!stall_overrun(&sum), "30 ms is not more than 1.5 x 20 ms");
	stall_free(&st);
}

int main(void)
{
	test_sizer();
	test_summary();
	return tap_done();
}
