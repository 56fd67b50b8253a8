/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* Unit tests of the executor, the planner's pure parts and the lock.
 * Moving pages to the node they are already on is a full move_pages(2) call
 * on any machine (every batch still runs), so the executor is exercised on
 * this test's own memory, serial and threaded; tests/unit/tsan-exec builds
 * this file with ThreadSanitizer.  ok() evaluates its condition twice, so calls
 * with effects are made before it. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "discard.h"
#include "exec.h"
#include "exec_int.h"
#include "lock.h"
#include "plan.h"
#include "privs.h"
#include "procs.h"
#include "sysinfo.h"
#include "tap.h"
/* <sys/mman.h> defines MAP_ANON, MAP_FILE, MAP_STACK and MAP_HUGETLB as
 * macros, which would hide maps.h's enum map_kind names: include it last
 * and drop those four (only MAP_PRIVATE|MAP_ANONYMOUS are used here). */
#include <sys/mman.h>
#undef MAP_ANON
#undef MAP_FILE
#undef MAP_STACK
#undef MAP_HUGETLB

static uint64_t ps;
static int rc_;   /* ok() evaluates its condition twice: call first */

/* The next 'inject_unmapped' moving calls say -EFAULT for their first
 * entry after the kernel's own call: the answer of a page freed and mapped
 * again while the call ran, which no test can time (exec.c's is weak). */
static int inject_unmapped;

long exec_sys_move_pages(pid_t pid, unsigned long n, void **addr,
			 const int *nodes, int *status, int flags)
{
	long rc = syscall(SYS_move_pages, pid, n, addr, nodes, status, flags);

	if (nodes && n && rc >= 0 && inject_unmapped > 0) {
		inject_unmapped--;
		status[0] = -EFAULT;
	}
	return rc;
}

static char *map_pages(size_t pages, bool touch)
{
	char *p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (touch)
		for (size_t i = 0; i < pages; i++)
			memset(p + i * ps, (int)(i & 0xff), 8);
	return p;
}

static bool data_ok(const char *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		if (p[i * ps] != (char)(i & 0xff) || p[i * ps + 7] != (char)(i & 0xff))
			return false;
	return true;
}

/* One process with one run of 'pages' base pages at p, node 0 to node 0. */
static void self_plan(struct plan *pl, char *p, size_t pages, uint64_t step,
		      enum plan_class cls)
{
	struct proc_id id;
	struct plan_proc *pp;
	struct plan_run r = {
		.map_start = (uintptr_t)p, .map_end = (uintptr_t)p + pages * ps,
		.start = (uintptr_t)p, .pages = pages, .step = step, .cls = cls,
		.src = 0, .dst = 0,
	};

	plan_init(pl, NULL);
	procs_identify(getpid(), &id);
	pp = plan_proc_new(pl, &id);
	plan_add_run(pp, &r);
	plan_proc_finish(pp, ps);
}

static uint64_t not_moved(const struct exec_pair *s)
{
	uint64_t n = 0;

	for (int k = 0; k < EXR_NREASONS; k++)
		n += s->not_moved[k];
	return n;
}

static unsigned progress_calls;

static void on_progress(void *ud, const struct exec_progress *p)
{
	uint64_t *last = ud;

	progress_calls++;
	if (p->done_bytes < *last)          /* must never go backwards */
		*last = UINT64_MAX;
	else
		*last = p->done_bytes;
}

static void test_serial_and_threads(void)
{
	const size_t pages = 2048;
	char *p = map_pages(pages, true);
	int threads[] = { 1, 2, 4 };

	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		struct plan pl;
		struct exec_opts o;
		struct exec_result r;
		struct exec_pair sum;
		uint64_t last = 0;

		self_plan(&pl, p, pages, ps, PLAN_BASE);
		exec_opts_init(&o);
		o.threads = threads[t];
		o.batch = 100;            /* not a divisor: the last batch is short */
		/* batches, not the sizer: on a loaded machine a 100-page call can
		 * take more than the 20 ms default and the next one is cut */
		o.max_stall = STALL_MAX;
		o.progress = on_progress;
		o.ud = &last;
		progress_calls = 0;
		rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "threads %d: exec_proc ok", threads[t]);
		exec_totals(&r, &sum);
		is_u64(sum.planned, pages, "threads %d: planned", threads[t]);
		is_u64(sum.moved, pages, "threads %d: every page answered its node", threads[t]);
		is_u64(not_moved(&sum), 0, "threads %d: none failed", threads[t]);
		ok(r.stop == EXS_DONE, "threads %d: ran to the end", threads[t]);
		is_u64(r.calls, (pages + 99) / 100, "threads %d: one call per batch", threads[t]);
		is_u64(progress_calls, (pages + 99) / 100, "threads %d: progress per batch", threads[t]);
		is_u64(last, pages * ps, "threads %d: progress reached the end", threads[t]);
		ok(r.residual_known && r.residual[0] == pages,
		   "threads %d: residual query sees the pages on node 0", threads[t]);
		ok(data_ok(p, pages), "threads %d: data intact", threads[t]);
		is_u64(r.unaccounted, 0, "threads %d: every planned page has an outcome", threads[t]);
		exec_result_free(&r);
		plan_free(&pl);
	}
	munmap(p, pages * ps);
}

/* The executor's own check: pages of a page-level plan that got no outcome
 * although every batch ran are counted as not moved, never as moved. */
static void test_outcomes(void)
{
	struct plan_proc pp;
	struct exec_result r;
	struct exec_pair x;

	memset(&pp, 0, sizeof(pp));
	memset(&r, 0, sizeof(r));
	memset(&x, 0, sizeof(x));
	x.planned = 100;
	x.moved = 60;
	x.gone = 5;
	x.discarded = 3;
	x.already = 1;
	x.not_moved[EXR_BUSY] = 1;
	r.pairs = &x;
	r.npairs = 1;
	r.stop = EXS_DONE;
	exec_check_outcomes(&pp, &r);
	is_u64(r.unaccounted, 30, "outcomes: 30 of 100 pages had none");
	is_u64(x.not_moved[EXR_OTHER], 30, "outcomes: they count as not moved (other)");
	is_u64(x.moved, 60, "outcomes: moved unchanged");
	exec_check_outcomes(&pp, &r);
	is_u64(r.unaccounted, 30, "outcomes: a second check adds nothing");

	x.not_moved[EXR_OTHER] = 0;
	r.unaccounted = 0;
	r.stop = EXS_SIGNAL;
	exec_check_outcomes(&pp, &r);
	is_u64(r.unaccounted, 0, "outcomes: a run stopped early is not checked");
	r.stop = EXS_DONE;
	pp.coarse = true;
	exec_check_outcomes(&pp, &r);
	is_u64(r.unaccounted, 0, "outcomes: a coarse plan's missing pages are no executor bug");
	is_u64(x.gone, 35, "outcomes: in a coarse plan they have gone (5 + 30)");
}

/* A coarse plan (a captured tree, or --apply of one) whose mapping has
 * been unmapped since: every planned page ends as gone, none without an
 * outcome (issue 18, row 9: all four figures were 0 and the exit 0). */
static void test_coarse_unmapped(void)
{
	const size_t pages = 4;
	char *p = map_pages(pages, true);
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	self_plan(&pl, p, pages, ps, PLAN_BASE);
	pl.procs[0].coarse = true;
	pl.procs[0].runs[0].flags |= PLAN_RUN_COARSE;
	munmap(p, pages * ps);
	exec_opts_init(&o);
	o.requery = true;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "coarse, unmapped: exec_proc ok");
	exec_totals(&r, &sum);
	ok(r.stop == EXS_DONE, "coarse, unmapped: ran to the end");
	is_u64(sum.planned, pages, "coarse, unmapped: planned");
	is_u64(sum.gone, pages, "coarse, unmapped: every planned page has gone");
	is_u64(sum.moved + not_moved(&sum), 0, "coarse, unmapped: none moved or not moved");
	exec_result_free(&r);
	plan_free(&pl);
}

/* discard_opts.no_totals (what mmigrate's discard sets): the smaps totals
 * of the process are not read; without it they are. */
static void test_discard_no_totals(void)
{
	struct discard_opts o = { .mode = DISCARD_AUTO, .thp = DISCARD_THP_COLLAPSE };
	struct discard_set s;
	struct proc_id id;

	procs_identify(getpid(), &id);
	rc_ = discard_find(&id, &o, &s);
	ok(rc_ == 0 && s.before.rss > 0, "discard_find reads the process's totals (Rss %llu)",
	   (unsigned long long)s.before.rss);
	discard_set_free(&s);
	o.no_totals = true;
	rc_ = discard_find(&id, &o, &s);
	ok(rc_ == 0 && s.before.rss == 0, "no_totals: discard_find leaves them unread");
	discard_set_free(&s);
}

/* --discard-lazyfree: the discard thread beside the workers (pass 1, then
 * pass 2 over the lazyfree ranges), on this process's own memory, node 0 to
 * node 0: what is not discarded counts as moved (already there), pages
 * written again after MADV_FREE are kept with their data.  Under
 * ThreadSanitizer (tests/unit/tsan-exec) this checks the scan's publishing
 * against the workers' cursor. */
static void test_discard_beside(void)
{
	const size_t pages = 2048, freed = 1024, rewritten = 64;
	int threads[] = { 1, 2 };

	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		char *p = map_pages(pages, true);
		struct plan pl;
		struct exec_opts o;
		struct exec_result r;
		struct exec_pair sum;
		bool kept = true;

		madvise(p, freed * ps, MADV_FREE);
		for (size_t i = 0; i < rewritten; i++)
			memset(p + i * ps, (int)(i & 0xff), 8);
		self_plan(&pl, p, pages, ps, PLAN_BASE);
		exec_opts_init(&o);
		o.threads = threads[t];
		o.batch = 100;
		o.discard_lazyfree = true;
		rc_ = exec_proc(&pl, &pl.procs[0], &o, &r);
		ok(rc_ == 0 && r.stop == EXS_DONE, "discard, threads %d: ran to the end", threads[t]);
		exec_totals(&r, &sum);
		is_u64(sum.moved + sum.already + sum.discarded + sum.gone + not_moved(&sum), pages,
		       "discard, threads %d: every planned page has an outcome", threads[t]);
		if (r.discard_done && !r.discard_err) {
			ok(sum.discarded > 0 && sum.discarded <= (freed - rewritten),
			   "discard, threads %d: %llu of %zu clean lazyfree pages discarded", threads[t],
			   (unsigned long long)sum.discarded, freed - rewritten);
		} else {
			printf("ok %d - # SKIP discard, threads %d: not run here (err %d)\n", ++tap_n,
			       threads[t], r.discard_err);
		}
		for (size_t i = 0; i < pages; i++)
			if ((i < rewritten || i >= freed) &&
			    (p[i * ps] != (char)(i & 0xff) || p[i * ps + 7] != (char)(i & 0xff)))
				kept = false;
		ok(kept, "discard, threads %d: rewritten and live pages intact", threads[t]);
		exec_result_free(&r);
		plan_free(&pl);
		munmap(p, pages * ps);
	}
}

static void test_requery_and_absent(void)
{
	const size_t pages = 512;
	char *p = map_pages(pages, true);
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	/* the second half has gone since planning: never touched again */
	madvise(p + pages / 2 * ps, pages / 2 * ps, MADV_DONTNEED);
	self_plan(&pl, p, pages, ps, PLAN_BASE);
	exec_opts_init(&o);
	o.batch = 64;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "absent: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.moved, pages / 2, "absent: present half moved");
	is_u64(sum.gone, pages / 2,
	       "absent: the half freed since the plan has gone (ENOENT, or EFAULT on 6.1)");
	is_u64(not_moved(&sum), 0, "absent: no failures");
	exec_result_free(&r);

	o.requery = true;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "requery: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.moved, pages / 2, "requery: present half moved");
	is_u64(sum.gone, pages / 2, "requery: the rest counted as gone, not failed");
	is_u64(not_moved(&sum), 0, "requery: no failures");
	exec_result_free(&r);
	plan_free(&pl);
	munmap(p, pages * ps);
}

static void test_unmapped(void)
{
	const size_t pages = 256;
	char *p = map_pages(pages, true);
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	munmap(p + 128 * ps, 128 * ps);
	self_plan(&pl, p, pages, ps, PLAN_BASE);
	exec_opts_init(&o);
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "unmapped: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.moved, 128, "unmapped: mapped part moved");
	is_u64(sum.gone, 128, "unmapped: the hole unmapped since the plan has gone");
	is_u64(not_moved(&sum), 0, "unmapped: no failures");
	exec_result_free(&r);
	plan_free(&pl);
	munmap(p, 128 * ps);
}

/* An entry of several pages (a THP's, step 2 MiB) has gone only when none
 * of its pages is left: here its first page alone was freed (the kernel
 * answers for the first page), then all of it. */
static void test_vanished_whole_entry(void)
{
	const uint64_t step = 2ULL << 20;
	const size_t pages = step / ps;
	char *raw = map_pages(2 * pages, false), *p;
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	p = (char *)(((uintptr_t)raw + step - 1) & ~(uintptr_t)(step - 1));
	madvise(p, step, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		p[i * ps] = 1;
	madvise(p, ps, MADV_DONTNEED);
	self_plan(&pl, p, pages, step, PLAN_THP);
	exec_opts_init(&o);
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "entry, first page freed: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.gone, 0, "entry, first page freed: 511 pages left, so not gone");
	is_u64(not_moved(&sum), pages, "entry, first page freed: not moved, the kernel's reason");
	exec_result_free(&r);
	madvise(p, step, MADV_DONTNEED);
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "entry, all freed: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.gone, pages, "entry, all freed: gone, every page of it");
	is_u64(not_moved(&sum), 0, "entry, all freed: no failure");
	exec_result_free(&r);
	plan_free(&pl);
	munmap(raw, 2 * step);
}

/* A page that is still there keeps the kernel's answer: the shared zero
 * page (read, never written) has not gone. */
static void test_zero_page_stays(void)
{
	const size_t pages = 64;
	char *p = map_pages(pages, false);
	volatile char sink = 0;
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	for (size_t i = 0; i < pages; i++)
		sink += p[i * ps];
	(void)sink;
	self_plan(&pl, p, pages, ps, PLAN_BASE);
	exec_opts_init(&o);
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "zero page: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.gone, 0, "zero page: present, so not gone");
	/* 6.1 says -EFAULT (follow_page with FOLL_DUMP), newer kernels the
	 * node of the zero page: either way an outcome other than gone */
	is_u64(sum.moved + sum.already + not_moved(&sum), pages,
	       "zero page: every entry has the kernel's answer");
	exec_result_free(&r);
	plan_free(&pl);
	munmap(p, pages * ps);
}

/* A base page that the call said was unmapped while pagemap shows it
 * present is tried once more; not with --retries 0, not a THP entry. */
static void test_absent_retried(void)
{
	const uint64_t step = 2ULL << 20;
	const size_t pages = 64, tpages = step / ps;
	char *p = map_pages(pages, true), *raw = map_pages(2 * tpages, false), *t;
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	self_plan(&pl, p, pages, ps, PLAN_BASE);
	exec_opts_init(&o);
	o.threads = 1;
	inject_unmapped = 1;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "absent again: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(not_moved(&sum), 0, "absent again, present in pagemap: tried once more, moved");
	is_u64(sum.moved + sum.already, pages, "absent again: every page moved");
	ok(r.retries == 1, "absent again: one retry (%llu)", (unsigned long long)r.retries);
	exec_result_free(&r);
	o.retries = 0;
	inject_unmapped = 1;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "--retries 0: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.not_moved[EXR_UNMOVABLE], 1, "--retries 0: the kernel's answer stands");
	ok(r.retries == 0, "--retries 0: no retry (%llu)", (unsigned long long)r.retries);
	exec_result_free(&r);
	plan_free(&pl);
	/* a THP entry: a base page in it would count as 512 moved */
	t = (char *)(((uintptr_t)raw + step - 1) & ~(uintptr_t)(step - 1));
	madvise(t, step, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < tpages; i++)
		t[i * ps] = 1;
	self_plan(&pl, t, tpages, step, PLAN_THP);
	exec_opts_init(&o);
	o.threads = 1;
	inject_unmapped = 1;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "THP entry: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.not_moved[EXR_UNMOVABLE], tpages, "THP entry said unmapped: not retried, counted");
	exec_result_free(&r);
	inject_unmapped = 0;
	plan_free(&pl);
	munmap(p, pages * ps);
	munmap(raw, 2 * step);
}

static void test_thp(void)
{
	uint64_t thp = sys_thp_size();
	size_t pages, n = 4;
	char *raw, *p;
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	if (!thp) {
		ok(1, "# SKIP no THP");
		return;
	}
	pages = n * thp / ps;
	raw = mmap(NULL, (n + 1) * thp, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = (char *)(((uintptr_t)raw + thp - 1) / thp * thp);
	madvise(p, n * thp, MADV_HUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		memset(p + i * ps, (int)(i & 0xff), 8);
	self_plan(&pl, p, pages, thp, PLAN_THP);
	is_u64(plan_run_entries(&pl.procs[0].runs[0], ps), n, "thp: one entry per THP");
	exec_opts_init(&o);
	o.threads = 2;
	o.batch = 1;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "thp: exec_proc ok");
	exec_totals(&r, &sum);
	is_u64(sum.moved, pages, "thp: all base pages accounted as moved");
	is_u64(sum.thp_moved, n, "thp: THP entries moved");
	is_u64(r.calls, n, "thp: one call per THP with batch 1");
	ok(data_ok(p, pages), "thp: data intact");
	exec_result_free(&r);
	plan_free(&pl);
	munmap(raw, (n + 1) * thp);
}

static void test_stop_timeout_rate(void)
{
	const size_t pages = 1024;
	char *p = map_pages(pages, true);
	volatile sig_atomic_t stop = 1;
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;
	double t0;

	self_plan(&pl, p, pages, ps, PLAN_BASE);
	exec_opts_init(&o);
	o.stop = &stop;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "stop: exec_proc ok");
	exec_totals(&r, &sum);
	ok(r.stop == EXS_SIGNAL && sum.moved == 0 && r.calls == 0,
	   "stop flag set: no batch ran, stop says signal");
	exec_result_free(&r);

	exec_opts_init(&o);
	o.deadline = sys_now() - 1;
	exec_proc(&pl, &pl.procs[0], &o, &r);
	ok(r.stop == EXS_TIMEOUT && r.calls == 0, "deadline passed: timeout before any batch");
	exec_result_free(&r);

	/* 4 MiB at 16 MiB/s: about a quarter second, less the initial burst */
	exec_opts_init(&o);
	o.threads = 2;
	o.batch = 64;
	o.rate = 16ULL << 20;
	t0 = sys_now();
	exec_proc(&pl, &pl.procs[0], &o, &r);
	exec_totals(&r, &sum);
	ok(sys_now() - t0 >= 0.9 * ((double)(pages * ps) - (double)o.rate / 10) / (double)o.rate,
	   "rate: %.3f s for %zu KiB at 16 MiB/s", sys_now() - t0, pages * ps / 1024);
	is_u64(sum.moved, pages, "rate: everything still moved");
	exec_result_free(&r);

	/* stop mid-way from the progress callback */
	plan_free(&pl);
	munmap(p, pages * ps);
}

static volatile sig_atomic_t stop_mid;

static void stop_after_first(void *ud, const struct exec_progress *p)
{
	(void)ud;
	(void)p;
	stop_mid = 1;
}

static void test_stop_midway(void)
{
	const size_t pages = 1024;
	char *p = map_pages(pages, true);
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;

	self_plan(&pl, p, pages, ps, PLAN_BASE);
	exec_opts_init(&o);
	o.batch = 100;
	o.stop = &stop_mid;
	o.progress = stop_after_first;
	stop_mid = 0;
	exec_proc(&pl, &pl.procs[0], &o, &r);
	exec_totals(&r, &sum);
	ok(r.stop == EXS_SIGNAL, "stop mid-way: stopped by the flag");
	is_u64(sum.moved, 100, "stop mid-way: exactly the first batch moved");
	exec_result_free(&r);
	plan_free(&pl);
	munmap(p, pages * ps);
}

static void test_gone(void)
{
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct proc_id id;
	struct plan_proc *pp;
	struct plan_run run = { .map_start = 0x10000000, .map_end = 0x10100000,
				.start = 0x10000000, .pages = 16, .step = 0, .src = 0, .dst = 0 };
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	procs_identify(child, &id);
	waitpid(child, NULL, 0);
	run.step = ps;
	plan_init(&pl, NULL);
	pp = plan_proc_new(&pl, &id);
	plan_add_run(pp, &run);
	exec_opts_init(&o);
	rc_ = exec_proc(&pl, pp, &o, &r); ok(rc_ == -ESRCH, "exited process: -ESRCH before anything");
	exec_result_free(&r);
	plan_free(&pl);
}

static void test_plan_target(void)
{
	struct plan_opts o;

	memset(&o, 0, sizeof(o));
	nodeset_parse_list("0-2", &o.from);
	nodeset_parse_list("3,4", &o.to);
	ok(plan_target(&o, 0) == 3 && plan_target(&o, 1) == 4 && plan_target(&o, 2) == 3,
	   "FROM->TO: k-th of from to (k mod |to|)-th of to");
	ok(plan_target(&o, 5) == -1, "node outside FROM stays");
	nodeset_parse_list("0,1", &o.from);
	nodeset_parse_list("1,0", &o.to);
	ok(plan_target(&o, 0) == -1 && plan_target(&o, 1) == -1, "node mapped to itself stays");
	memset(&o, 0, sizeof(o));
	o.spread = true;
	nodeset_parse_list("1", &o.to);
	ok(plan_target(&o, 1) == -1 && plan_target(&o, 0) == -2, "spread: off-target pages move");
}

static void test_vma(void)
{
	struct plan_vma v[2];
	struct mapping m;
	char err[256];

	memset(&m, 0, sizeof(m));
	rc_ = plan_vma_parse("heap", &v[0], err, sizeof(err)); ok(rc_ == 0 && v[0].kind == VMA_HEAP, "vma heap");
	rc_ = plan_vma_parse("0x1000-0x3000", &v[0], err, sizeof(err)); ok(rc_ == 0 &&
	   v[0].start == 0x1000 && v[0].end == 0x3000, "vma range");
	rc_ = plan_vma_parse("0x3000-0x1000", &v[0], err, sizeof(err)); ok(rc_ == -EINVAL, "vma reversed range refused");
	rc_ = plan_vma_parse("bogus", &v[0], err, sizeof(err)); ok(rc_ == -EINVAL && strstr(err, "bogus"),
	   "vma bad word refused naming it");
	plan_vma_parse("file=*.so*", &v[0], err, sizeof(err));
	plan_vma_parse("stack", &v[1], err, sizeof(err));
	m.kind = MAPKIND_FILE;
	m.path = (char *)"/usr/lib/libc.so.6";
	ok(plan_vma_match(v, 2, &m), "file glob matches");
	m.path = (char *)"/usr/bin/bash";
	ok(!plan_vma_match(v, 2, &m), "file glob does not match");
	m.kind = MAPKIND_STACK;
	ok(plan_vma_match(v, 2, &m), "second filter matches");
	ok(plan_vma_match(NULL, 0, &m), "no filter matches all");
}

static void test_plan_json(void)
{
	struct plan pl, back;
	json_t *doc;
	char err[256];
	char *p = map_pages(16, true);

	err[0] = '\0';
	self_plan(&pl, p, 16, ps, PLAN_BASE);
	pl.procs[0].runs[0].dst = 1;       /* a saved run must move somewhere */
	doc = plan_to_json(&pl);
	rc_ = plan_from_json(doc, &back, err, sizeof(err)); ok(rc_ == 0, "plan JSON round trip: %s", err);
	ok(back.nprocs == 1 && back.procs[0].nruns == 1 &&
	   back.procs[0].runs[0].start == (uintptr_t)p && back.procs[0].runs[0].pages == 16 &&
	   back.procs[0].id.start_time == pl.procs[0].id.start_time &&
	   strcmp(back.boot_id, pl.boot_id) == 0, "plan JSON keeps runs and identity");
	plan_free(&back);
	json_object_set_new(doc, "schema_version", json_integer(99));
	rc_ = plan_from_json(doc, &back, err, sizeof(err)); ok(rc_ == -EINVAL && strstr(err, "schema_version"),
	   "other schema version refused: %s", err);
	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(json_array_get(json_object_get(json_array_get(
		json_object_get(doc, "processes"), 0), "runs"), 0), "pages", json_string("x"));
	rc_ = plan_from_json(doc, &back, err, sizeof(err)); ok(rc_ == -EINVAL && strstr(err, "pages"),
	   "garbled run refused naming the field: %s", err);
	json_decref(doc);
	plan_free(&pl);
	munmap(p, 16 * ps);
}

static void test_lock(void)
{
	struct ns_lock a, b;
	pid_t holder = 0;
	pid_t target = 999999;

	rc_ = lock_take(&a, target, false, &holder); ok(rc_ == 0, "lock taken");
	rc_ = lock_take(&b, target, false, &holder); ok(rc_ == -EBUSY, "second run refused");
	is_u64(holder, getpid(), "refusal names the holder's pid");
	lock_release(&a);
	rc_ = lock_take(&b, target, false, &holder); ok(rc_ == 0, "lock free again after release");
	lock_release(&b);
	/* a live process: its /proc/PID/pagemap is locked too, found in /proc/locks */
	rc_ = lock_take(&a, getpid(), false, &holder); ok(rc_ == 0 && a.pfd >= 0, "live: pagemap locked");
	rc_ = lock_take(&b, getpid(), false, &holder); ok(rc_ == -EBUSY, "live: second run refused");
	is_u64(holder, getpid(), "live: holder from /proc/locks");
	lock_release(&a);
	rc_ = lock_take(&b, getpid(), false, &holder); ok(rc_ == 0, "live: free again after release");
	lock_release(&b);
}

/* engine auto: the table's rules in order, on a process that runs (this
 * one) and on one whose every thread is stopped (a child that stopped
 * itself): pure logic, no page moves. */
static void choose_case(int k, struct plan *p, struct exec_opts *o, struct plan_run *r)
{
	switch (k) {
	case 0: p->filtered = true; break;
	case 1: o->threads = 2; break;
	case 2: o->rate = 1 << 20; break;
	case 3: o->deadline = 1; break;
	case 4: o->batch_given = true; break;
	case 5: o->discard_lazyfree = true; break;
	case 6: o->requery = true; break;
	case 7: p->spread = true; nodeset_add(&p->to, 1); break;
	case 8: r->cls = PLAN_THP; break;
	case 9: r->cls = PLAN_HUGETLB; break;
	case 10: nodeset_zero(&p->to); nodeset_add(&p->to, NS_MAX_NODES - 1); break;   /* in no cpuset */
	}
}

static pid_t stopped_child(void)
{
	int st;
	pid_t c = fork();

	if (c == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	if (c > 0 && waitpid(c, &st, WUNTRACED) != c)
		return -1;
	return c;
}

static void test_choose(void)
{
	static const char *const reasons[] = {
		"--vma", "--threads", "--rate", "--timeout", "--batch", "--discard-lazyfree",
		"saved plan", "spread over several targets", "THPs", "hugetlb pages",
		"targets outside our cpuset",
	};
	static const char running[] = "running: move_pages calls within --max-stall";
	static const char stopped[] = "every thread stopped: one call, nothing notices";
	struct plan_run run = { .pages = 1, .step = ps, .cls = PLAN_BASE, .src = 1, .dst = 0 };
	struct plan_proc pp = { .runs = &run, .nruns = 1, .id.pid = getpid() };
	struct exec_opts o;
	struct plan pl;
	const char *why = "";
	bool nice = privs_has_cap(NS_CAP_SYS_NICE);
	pid_t child;

	exec_opts_init(&o);
	memset(&pl, 0, sizeof(pl));
	nodeset_add(&pl.to, 0);
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_PAGES && strcmp(why, running) == 0,
	   "auto keeps move_pages for a running process of base pages (said: %s)", why);
	for (int k = 0; k < (int)(sizeof(reasons) / sizeof(reasons[0])); k++) {
		exec_opts_init(&o);
		memset(&pl, 0, sizeof(pl));
		nodeset_add(&pl.to, 0);
		choose_case(k, &pl, &o, &run);
		ok(exec_choose(&pl, &pp, &o, &why) == EXEC_PAGES && strcmp(why, running) == 0,
		   "a running process gets move_pages whatever else holds (%s; said: %s)", reasons[k], why);
		run.cls = PLAN_BASE;
	}
	child = stopped_child();
	ok(child > 0, "a child stopped itself");
	if (child <= 0)
		return;
	pp.id.pid = child;
	for (int k = 0; k < (int)(sizeof(reasons) / sizeof(reasons[0])); k++) {
		exec_opts_init(&o);
		memset(&pl, 0, sizeof(pl));
		nodeset_add(&pl.to, 0);
		run.cls = PLAN_BASE;
		choose_case(k, &pl, &o, &run);
		ok(exec_choose(&pl, &pp, &o, &why) == EXEC_PAGES && strcmp(why, reasons[k]) == 0,
		   "stopped: auto keeps move_pages for %s (said: %s)", reasons[k], why);
	}
	run.cls = PLAN_BASE;
	exec_opts_init(&o);
	memset(&pl, 0, sizeof(pl));
	nodeset_add(&pl.to, 0);
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_SYSCALL && strcmp(why, stopped) == 0,
	   "auto takes migrate_pages for a stopped process of base pages (said: %s)", why);
	o.threads = 1;
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_SYSCALL, "auto: --threads 1 does not need batches");
	o.threads = EXEC_THREADS_AUTO;
	pl.spread = true;
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_SYSCALL, "auto: --to one node alone is a mapping too");
	pl.spread = false;
	pp.shared_pages = 1;
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_SYSCALL,
	   "auto: shared pages left out do not keep move_pages (the call lowers CAP_SYS_NICE) (said: %s)", why);
	o.move_all = true;
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_SYSCALL, "auto: --move-all is migrate_pages' own job");
	o.move_all = false;
	pp.shared_pages = 0;
	pp.coarse = true;
	ok(exec_choose(&pl, &pp, &o, &why) == (nice ? EXEC_PAGES : EXEC_SYSCALL) &&
	   (!nice || strcmp(why, "sharing not known") == 0),
	   "auto: a coarse plan does not know what is shared (said: %s)", why);
	pp.coarse = false;
	o.engine = EXEC_PAGES;
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_PAGES && strcmp(why, "asked for") == 0,
	   "--engine pages is taken as asked");
	kill(child, SIGCONT);
	o.engine = EXEC_AUTO;
	for (int i = 0; i < 200 && procs_frozen(child, NULL); i++)
		usleep(5000);
	ok(exec_choose(&pl, &pp, &o, &why) == EXEC_PAGES || waitpid(child, NULL, WNOHANG) == child,
	   "a continued process runs again: move_pages (said: %s)", why);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* --threads auto really runs the workers it reports: the progress
 * callback (called from the worker that did the batch) sees that many
 * threads.  128 MiB: two workers where two CPUs are there. */
static pid_t seen_tids[EXEC_MAX_THREADS];
static int nseen_tids;

static void on_progress_tid(void *ud, const struct exec_progress *pr)
{
	pid_t t = (pid_t)syscall(SYS_gettid);

	for (int i = 0; i < nseen_tids; i++)
		if (seen_tids[i] == t)
			return;
	if (nseen_tids < EXEC_MAX_THREADS)
		seen_tids[nseen_tids++] = t;
}

static void test_threads_auto_ran(void)
{
	const size_t pages = (128u << 20) / ps;
	char *p = map_pages(pages, true);
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	cpu_set_t set;
	int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;

	self_plan(&pl, p, pages, ps, PLAN_BASE);
	exec_opts_init(&o);
	o.progress = on_progress_tid;
	nseen_tids = 0;
	rc_ = exec_proc(&pl, &pl.procs[0], &o, &r); ok(rc_ == 0, "threads auto: exec_proc ok");
	is_u64((uint64_t)r.threads, cpus >= 2 ? 2 : 1, "threads auto: 128 MiB, %d CPUs: reported", cpus);
	is_u64((uint64_t)nseen_tids, (uint64_t)r.threads, "threads auto: as many workers ran as reported");
	exec_result_free(&r);
	plan_free(&pl);
	munmap(p, pages * ps);
}

/* The nice value of the threads that reported progress: the workers. */
static int worker_nice_min, worker_nice_max;

static void on_progress_nice(void *ud, const struct exec_progress *pr)
{
	int n;

	(void)ud;
	(void)pr;
	errno = 0;
	n = getpriority(PRIO_PROCESS, 0);
	if (errno)
		return;
	if (n < worker_nice_min)
		worker_nice_min = n;
	if (n > worker_nice_max)
		worker_nice_max = n;
}

/* --nice auto (the default) raises the workers by EXEC_AUTO_NICE when this
 * process runs at nice 0 and may; --nice N is taken as given; a process
 * under nice(1) keeps its own; the calling thread gets its nice back. */
static void test_nice(void)
{
	const size_t pages = 1024;
	char *p = map_pages(pages, true);
	struct rlimit rl;
	bool may = privs_has_cap(NS_CAP_SYS_NICE) ||
		   (getrlimit(RLIMIT_NICE, &rl) == 0 &&
		    (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 25));
	int own = getpriority(PRIO_PROCESS, 0), want, n = 99, status = -1;
	struct plan pl;
	struct exec_opts o;
	struct exec_result r;
	struct exec_pair sum;
	bool set;
	pid_t child;

	may = may && own == 0;
	want = may ? EXEC_AUTO_NICE : own;
	exec_opts_init(&o);
	set = exec_nice(&o, &n);
	ok(set == may && n == want, "nice auto at nice %d: %d, set %d (may raise %d)", own, n, set, may);
	o.renice = true;
	o.nice = 7;
	set = exec_nice(&o, &n);
	ok(set && n == 7, "--nice 7 is taken as given");
	o.renice = false;
	o.nice_auto = false;
	set = exec_nice(&o, &n);
	ok(!set && n == own, "no auto, no --nice: this process's own");
	child = fork();
	if (child == 0) {
		exec_opts_init(&o);
		if (setpriority(PRIO_PROCESS, 0, 5) < 0)
			_exit(2);
		set = exec_nice(&o, &n);
		_exit(!set && n == 5 ? 0 : 1);
	}
	waitpid(child, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "under nice 5, auto keeps 5");

	self_plan(&pl, p, pages, ps, PLAN_BASE);
	for (int threads = 1; threads <= 2; threads++) {
		exec_opts_init(&o);
		o.threads = threads;
		o.batch = 64;
		o.progress = on_progress_nice;
		worker_nice_min = 99;
		worker_nice_max = -99;
		rc_ = exec_proc(&pl, &pl.procs[0], &o, &r);
		ok(rc_ == 0 && r.nice == want, "%d worker(s): the result says nice %d", threads, r.nice);
		ok(worker_nice_min == want && worker_nice_max == want,
		   "%d worker(s) ran at nice %d..%d", threads, worker_nice_min, worker_nice_max);
		errno = 0;
		n = getpriority(PRIO_PROCESS, 0);
		ok(n == own && errno == 0, "%d worker(s): the calling thread is at nice %d after", threads, n);
		exec_result_free(&r);
	}
	/* the root of a new user namespace holds CAP_SYS_NICE there, but a
	 * raised priority needs it in the first namespace: auto is refused
	 * and the move goes on at the process's own nice */
	child = fork();
	if (child == 0) {
		exec_opts_init(&o);
		o.threads = 2;
		/* without RLIMIT_NICE, which would allow -5 anywhere */
		if (own != 0 || setrlimit(RLIMIT_NICE, &(struct rlimit){ 0, 0 }) < 0 ||
		    unshare(CLONE_NEWUSER) < 0)
			_exit(3);
		/* this process's own plan, of pages it no longer shares */
		plan_free(&pl);
		for (size_t i = 0; i < pages; i++)
			p[i * ps] = 2;
		self_plan(&pl, p, pages, ps, PLAN_BASE);
		if (exec_proc(&pl, &pl.procs[0], &o, &r) < 0 || r.stop != EXS_DONE)
			_exit(1);
		exec_totals(&r, &sum);
		if (r.nice != 0 || sum.moved + sum.already != pages)
			_exit(2);
		exec_result_free(&r);
		/* an explicit --nice -5 is refused too: the run stops on it,
		 * and every refused worker leaves the result naming the nice */
		o.renice = true;
		o.nice = -5;
		if (exec_proc(&pl, &pl.procs[0], &o, &r) < 0)
			_exit(4);
		_exit(r.stop == EXS_ERROR && r.nice_failed && r.nice == -5 && r.err < 0 ? 0 : 5);
	}
	waitpid(child, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		ok(1, "# skip no new user namespace here");
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "auto refused in a user namespace: the move runs at nice 0; "
		   "--nice -5 stops it, named (status %d)",
		   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	plan_free(&pl);
	munmap(p, pages * ps);
}

/* --threads auto: never more than the CPUs, EXEC_AUTO_THREADS_MAX, or one
 * per EXEC_AUTO_THREAD_BYTES to move. */
static void test_threads_auto(void)
{
	struct plan pl = { .page_size = ps };
	struct plan_run run = { .cls = PLAN_BASE, .src = 1, .dst = 0, .step = ps };
	struct plan_proc pp = { .runs = &run, .nruns = 1 };
	struct exec_opts o;
	cpu_set_t set;
	int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
	int want = cpus < EXEC_AUTO_THREADS_MAX ? cpus : EXEC_AUTO_THREADS_MAX;

	exec_opts_init(&o);
	ok(o.threads == EXEC_THREADS_AUTO, "threads default to auto");
	run.pages = 1;
	is_u64((uint64_t)exec_threads(&pl, &pp, &o), 1, "auto: a page is moved by one thread");
	run.pages = (uint64_t)(EXEC_AUTO_THREAD_BYTES / ps) + 1;
	is_u64((uint64_t)exec_threads(&pl, &pp, &o), want < 2 ? (uint64_t)want : 2,
	       "auto: just over 64 MiB: at most two threads");
	run.pages = (uint64_t)(64 * EXEC_AUTO_THREAD_BYTES / ps);
	is_u64((uint64_t)exec_threads(&pl, &pp, &o), (uint64_t)want,
	       "auto: 4 GiB: one per CPU, at most %d", EXEC_AUTO_THREADS_MAX);
	o.threads = 3;
	is_u64((uint64_t)exec_threads(&pl, &pp, &o), 3, "--threads 3 is taken as given");
}

int main(void)
{
	ps = sys_page_size();
	test_serial_and_threads();
	test_outcomes();
	test_discard_no_totals();
	test_discard_beside();
	test_requery_and_absent();
	test_unmapped();
	test_zero_page_stays();
	test_vanished_whole_entry();
	test_absent_retried();
	test_nice();
	test_coarse_unmapped();
	test_thp();
	test_stop_timeout_rate();
	test_stop_midway();
	test_gone();
	test_plan_target();
	test_vma();
	test_plan_json();
	test_lock();
	test_choose();
	test_threads_auto();
	test_threads_auto_ran();
	return tap_done();
}
