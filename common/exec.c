/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <limits.h>
#include <numaif.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "discard.h"
#include "exec_int.h"
#include "pagemap.h"
#include "path.h"
#include "privs.h"
#include "procs.h"
#include "sysinfo.h"

/* weak: the unit tests put a kernel's rarer answers in front of it */
__attribute__((weak)) long exec_sys_move_pages(pid_t pid, unsigned long n, void **addr,
					       const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, pid, n, addr, nodes, status, flags);
}


/* The kernel writes node ids (>= 0) or -errno (>= -4095) into status. */
#define EXEC_SENTINEL INT_MIN

static const char *const exec_reason_keys[EXR_NREASONS] = {
	[EXR_BUSY] = "busy", [EXR_SHARED] = "shared", [EXR_ABSENT] = "not_present",
	[EXR_UNMOVABLE] = "not_migratable", [EXR_NOMEM] = "target_full",
	[EXR_NOT_MIGRATED] = "not_migrated", [EXR_OTHER] = "other",
};

const char *exec_reason_key(enum exec_reason r)
{
	return (unsigned)r < EXR_NREASONS ? exec_reason_keys[r] : "?";
}

const char *exec_stop_name(enum exec_stop s)
{
	static const char *const names[] = {
		[EXS_DONE] = "done", [EXS_SIGNAL] = "interrupted", [EXS_TIMEOUT] = "timeout",
		[EXS_GONE] = "process gone", [EXS_ERROR] = "error",
	};
	return (unsigned)s <= EXS_ERROR ? names[s] : "?";
}

static void *exec_nop(void *ud)
{
	return ud;
}

void exec_prepare(const struct exec_opts *o)
{
	pthread_t t;

	if (o->threads != 1 && pthread_create(&t, NULL, exec_nop, NULL) == 0)
		pthread_join(t, NULL);
}

void exec_opts_init(struct exec_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->engine = EXEC_AUTO;
	o->threads = EXEC_THREADS_AUTO;
	o->batch = EXEC_DEFAULT_BATCH;
	o->max_stall = STALL_DEFAULT;
	o->retries = 3;
	o->residual = true;
	o->nice_auto = true;
}

bool exec_nice(const struct exec_opts *o, int *nice)
{
	struct rlimit rl;
	int own;

	errno = 0;
	own = getpriority(PRIO_PROCESS, 0);
	if (errno)
		own = 0;
	*nice = own;
	if (o->renice) {
		*nice = o->nice;
		return true;
	}
	if (!o->nice_auto || own != 0)
		return false;
	if (!privs_has_cap(NS_CAP_SYS_NICE) &&
	    (getrlimit(RLIMIT_NICE, &rl) < 0 ||
	     (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)(20 - EXEC_AUTO_NICE))))
		return false;
	*nice = EXEC_AUTO_NICE;
	return true;
}

int exec_opts_allowed(const struct exec_opts *o, char *err, size_t len)
{
	if (o->renice && o->nice < 0 && !privs_has_cap(NS_CAP_SYS_NICE)) {
		snprintf(err, len, "--nice %d (raising the workers' priority) needs CAP_SYS_NICE",
			 o->nice);
		return -EPERM;
	}
	return 0;
}

static enum exec_reason exec_classify(int status)
{
	switch (-status) {
	case EBUSY:  return EXR_BUSY;
	case EACCES: return EXR_SHARED;
	case ENOENT: return EXR_ABSENT;
	case EFAULT: return EXR_UNMOVABLE;
	case ENOMEM: return EXR_NOMEM;
	default:     return EXR_OTHER;
	}
}

/* ---- result pairs ---------------------------------------------------------- */

struct exec_pair *exec_pair_get(struct exec_result *r, int src, int dst)
{
	struct exec_pair *v;

	for (size_t i = 0; i < r->npairs; i++)
		if (r->pairs[i].src == src && r->pairs[i].dst == dst)
			return &r->pairs[i];
	v = realloc(r->pairs, (r->npairs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->pairs = v;
	v = &r->pairs[r->npairs++];
	memset(v, 0, sizeof(*v));
	v->src = src;
	v->dst = dst;
	return v;
}

static void exec_pair_add(struct exec_pair *a, const struct exec_pair *b)
{
	a->planned += b->planned;
	a->moved += b->moved;
	a->already += b->already;
	a->discarded += b->discarded;
	a->gone += b->gone;
	for (int k = 0; k < EXR_NREASONS; k++)
		a->not_moved[k] += b->not_moved[k];
	a->thp_planned += b->thp_planned;
	a->thp_moved += b->thp_moved;
}

void exec_check_outcomes(const struct plan_proc *pp, struct exec_result *r)
{
	if (r->stop != EXS_DONE)
		return;
	for (size_t i = 0; i < r->npairs; i++) {
		struct exec_pair *x = &r->pairs[i];
		uint64_t got = x->moved + x->already + x->gone + x->discarded;

		for (int k = 0; k < EXR_NREASONS; k++)
			got += x->not_moved[k];
		if (got >= x->planned)
			continue;
		if (pp->coarse) {
			/* counted from numa_maps when planned: what the queries
			 * did not find on its source any more has gone */
			x->gone += x->planned - got;
		} else {
			x->not_moved[EXR_OTHER] += x->planned - got;
			r->unaccounted += x->planned - got;
		}
	}
}

void exec_totals(const struct exec_result *r, struct exec_pair *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->src = sum->dst = -1;
	for (size_t i = 0; i < r->npairs; i++)
		exec_pair_add(sum, &r->pairs[i]);
}

uint64_t exec_not_moved(const struct exec_pair *x)
{
	uint64_t n = 0;

	for (int k = 0; k < EXR_NREASONS; k++)
		n += x->not_moved[k];
	return n;
}

void exec_result_free(struct exec_result *r)
{
	stall_free(&r->stall);
	free(r->pairs);
	free(r->residual);
	memset(r, 0, sizeof(*r));
}

static int exec_result_init(struct exec_result *r, const struct plan *p,
			    const struct plan_proc *pp)
{
	memset(r, 0, sizeof(*r));
	r->page_size = p->page_size;
	for (size_t i = 0; i < pp->nruns; i++) {
		const struct plan_run *run = &pp->runs[i];
		struct exec_pair *x = exec_pair_get(r, run->src, run->dst);

		if (!x)
			return -ENOMEM;
		x->planned += run->pages;
		if (run->cls == PLAN_THP)
			x->thp_planned += plan_run_entries(run, p->page_size);
	}
	return 0;
}

void exec_stop_locked(struct exec_ctx *c, enum exec_stop why, int err)
{
	if (c->stopped)
		return;
	c->stopped = true;
	c->r->stop = why;
	c->r->err = err;
}

static bool exec_check_locked(struct exec_ctx *c)
{
	const struct exec_opts *o = c->o;

	if (c->stopped)
		return false;
	if (o->stop && *o->stop) {
		exec_stop_locked(c, EXS_SIGNAL, 0);
		return false;
	}
	if (o->deadline > 0 && sys_now() >= o->deadline) {
		exec_stop_locked(c, EXS_TIMEOUT, 0);
		return false;
	}
	if ((c->pidfd >= 0 && !privs_pidfd_alive(c->pidfd)) ||
	    (c->mmfd >= 0 && !procs_mm_same(c->mmfd)) ||
	    procs_check_same(&c->pp->id) < 0) {
		exec_stop_locked(c, EXS_GONE, -ESRCH);
		return false;
	}
	return true;
}

/* The process has exited, or does within ms: its mm goes (move_pages then
 * says EINVAL) a moment before its pidfd becomes readable. */
static bool exec_pidfd_exits(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int rc;

	do
		rc = poll(&p, 1, ms);
	while (rc < 0 && errno == EINTR);
	return rc > 0;
}

/* The first span that ends after a, or NULL. */
static const struct exec_span *exec_span_after(const struct exec_ctx *c, uint64_t a)
{
	size_t lo = 0, hi = c->ngone;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->gone[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->ngone ? &c->gone[lo] : NULL;
}

/* Passes 1 and 2: does the entry at the cursor belong to this pass?  If
 * not, the cursor jumps past what does not (to the end of the run when
 * nothing more does) and false is returned.  *clear caches, in pass 1, the
 * address below which no span starts. */
static bool exec_span_pick(struct exec_ctx *c, uint64_t base, uint64_t step,
			   uint64_t nent, uint64_t *clear)
{
	uint64_t a = base + c->entry * step;
	const struct exec_span *s;
	bool touches;

	if (c->pass == 1 && a + step <= *clear)
		return true;
	s = exec_span_after(c, a);
	touches = s && s->start < a + step;
	if (c->pass == 1) {
		if (!touches) {
			*clear = s ? s->start : UINT64_MAX;
			return true;
		}
		c->entry = (s->end - base + step - 1) / step;
	} else {
		if (touches)
			return true;
		c->entry = s ? (s->start - base) / step : nent;
	}
	if (c->entry > nent)
		c->entry = nent;
	return false;
}

/* A condition variable whose timed waits use CLOCK_MONOTONIC. */
static void exec_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}

/* Pass 1: wait (lock held) until the discard's scan moves on, at most
 * 50 ms so that a stop request or the deadline is seen soon (scan_cv runs
 * on CLOCK_MONOTONIC: a jump of the wall clock changes nothing). */
static void exec_wait_scan(struct exec_ctx *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 50 * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	(void)pthread_cond_timedwait(&c->scan_cv, &c->lock, &ts);
}

/* Take the next batch from the cursor, of about 'want' bytes (at least
 * one entry); false when there is none. */
static bool exec_take(struct exec_ctx *c, struct exec_batch *b, uint64_t want)
{
	const struct plan_proc *pp = c->pp;
	uint64_t ps = c->p->page_size, bytes = 0;
	bool got;

	uint64_t clear = 0;          /* pass 1: entries below this touch no span */
	bool hold = false, waited = false;

	pthread_mutex_lock(&c->lock);
	b->n = 0;
	if (!exec_check_locked(c)) {
		pthread_mutex_unlock(&c->lock);
		return false;
	}
	while (c->run < pp->nruns && b->n < c->batch) {
		const struct plan_run *r = &pp->runs[c->run];
		uint64_t nent = plan_run_entries(r, ps);
		uint64_t base = (r->flags & PLAN_RUN_COARSE) ? r->map_start : r->start;

		if (b->n && (r->dst != b->dst || bytes + r->step > want))
			break;
		b->dst = r->dst;
		while (c->entry < nent && b->n < c->batch &&
		       (b->n == 0 || bytes + r->step <= want)) {
			if (c->pass == 1 && base + (c->entry + 1) * r->step > c->scanned) {
				if (b->n) {
					hold = true;      /* hand out what there is */
					break;
				}
				/* other workers move the cursor meanwhile: r,
				 * nent and base are read again after the wait */
				exec_wait_scan(c);
				waited = true;
				break;
			}
			if (c->pass && !exec_span_pick(c, base, r->step, nent, &clear))
				continue;
			b->addr[b->n] = (void *)(uintptr_t)(base + c->entry * r->step);
			b->ridx[b->n++] = (uint32_t)c->run;
			bytes += r->step;
			c->entry++;
		}
		if (waited) {
			waited = false;
			clear = 0;
			if (!exec_check_locked(c))
				break;
			continue;
		}
		if (hold || c->stopped || c->entry < nent)
			break;
		c->run++;
		c->entry = 0;
		clear = 0;
	}
	got = b->n > 0;
	pthread_mutex_unlock(&c->lock);
	return got;
}

static uint64_t exec_entry_pages(const struct exec_ctx *c, const struct exec_batch *b, size_t i)
{
	return c->pp->runs[b->ridx[i]].step / c->p->page_size;
}

/* Index of the batch tally slot of run i: pairs are few, so a linear search. */
static struct exec_pair *exec_tally(struct exec_ctx *c, struct exec_batch *b, size_t i)
{
	const struct plan_run *r = &c->pp->runs[b->ridx[i]];

	for (size_t k = 0; k < c->r->npairs; k++)
		if (b->tally[k].src == r->src && b->tally[k].dst == r->dst)
			return &b->tally[k];
	return &b->tally[0];     /* not reached: every run has a pair */
}

static void exec_count(struct exec_ctx *c, struct exec_batch *b, size_t i, int what)
{
	struct exec_pair *t = exec_tally(c, b, i);
	uint64_t pages = exec_entry_pages(c, b, i);
	const struct plan_run *r = &c->pp->runs[b->ridx[i]];

	if (what == -1) {
		t->moved += pages;
		if (r->cls == PLAN_THP)
			t->thp_moved++;
	} else if (what == -2) {
		t->already += pages;
	} else if (what == -3) {
		t->gone += pages;
	} else {
		t->not_moved[what] += pages;
	}
}

/* A planned private anonymous page that the kernel calls absent (-ENOENT)
 * or unmapped (-EFAULT) has gone when pagemap no longer shows any page of
 * its entry (a THP's 512), present or swapped: the process freed or
 * unmapped it after the plan, as a busy service does.  A page still there
 * (the shared zero page, a page in swap, part of a split THP) keeps the
 * kernel's reason, and so does a file or shared page (a shmem page in swap
 * leaves no trace in pagemap).  Without pagemap the kernel's reason stands. */
static bool exec_page_vanished(const struct exec_ctx *c, const struct plan_run *r,
			       void *addr, int status)
{
	uint64_t e[512], ps = c->p->page_size, a = (uintptr_t)addr;
	size_t n = (size_t)(r->step / ps);

	if (c->mmfd < 0 || (status != -ENOENT && status != -EFAULT) ||
	    (r->flags & PLAN_RUN_FILE))
		return false;
	while (n) {
		size_t k = n < 512 ? n : 512;

		if (pm_fd_entries(c->mmfd, ps, a, k, e) != (ssize_t)k)
			return false;
		for (size_t i = 0; i < k; i++)
			if (e[i] & (PM_E_PRESENT | PM_E_SWAPPED))
				return false;
		n -= k;
		a += k * ps;
	}
	return true;
}

/* pagemap shows a page, in memory, at addr of the target (false without
 * pagemap) */
static bool exec_page_present(const struct exec_ctx *c, void *addr)
{
	uint64_t e;

	return c->mmfd >= 0 && pm_fd_entries(c->mmfd, c->p->page_size, (uintptr_t)addr, 1, &e) == 1 &&
	       (e & PM_E_PRESENT);
}

/* Count entry i that failed with -errno status: gone, or not moved. */
static void exec_count_failed(struct exec_ctx *c, struct exec_batch *b, size_t i, int status)
{
	const struct plan_run *r = &c->pp->runs[b->ridx[i]];

	exec_count(c, b, i, exec_page_vanished(c, r, b->addr[i], status) ? -3 :
		   (int)exec_classify(status));
}

static void exec_rate_wait(struct exec_ctx *c, uint64_t bytes)
{
	double now, wait;

	if (!c->o->rate)
		return;
	pthread_mutex_lock(&c->lock);
	now = sys_now();
	c->tokens += (now - c->last) * (double)c->o->rate;
	if (c->tokens > (double)c->o->rate / 10 + (double)bytes)
		c->tokens = (double)c->o->rate / 10 + (double)bytes;
	c->last = now;
	c->tokens -= (double)bytes;
	wait = c->tokens < 0 ? -c->tokens / (double)c->o->rate : 0;
	pthread_mutex_unlock(&c->lock);
	/* sleep in slices so that a signal or the deadline is seen soon */
	while (wait > 0) {
		double slice = wait < 0.05 ? wait : 0.05;
		struct timespec ts = { (time_t)slice, (long)((slice - (double)(time_t)slice) * 1e9) };

		if ((c->o->stop && *c->o->stop) ||
		    (c->o->deadline > 0 && sys_now() >= c->o->deadline))
			return;
		nanosleep(&ts, NULL);
		wait -= slice;
	}
}

static long exec_move_pages(struct exec_ctx *c, size_t n, void **addr, int *nodes, int *status)
{
	for (size_t i = 0; i < n; i++)
		status[i] = EXEC_SENTINEL;
	return exec_sys_move_pages(c->pp->id.pid, n, addr, nodes, status, nodes ? c->flags : 0);
}

/* Query mode: the node of each entry (or -errno) into q.  -errno when the
 * call itself failed. */
static int exec_query(struct exec_ctx *c, size_t n, void **addr, int *q)
{
	if (exec_sys_move_pages(c->pp->id.pid, n, addr, NULL, q, 0) < 0)
		return -errno;
	return 0;
}

/* Keep only the entries still on their source node (requery / coarse). */
static int exec_filter(struct exec_ctx *c, struct exec_batch *b)
{
	size_t w = 0;
	int rc;

	rc = exec_query(c, b->n, b->addr, b->q);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < b->n; i++) {
		const struct plan_run *r = &c->pp->runs[b->ridx[i]];
		bool coarse = r->flags & PLAN_RUN_COARSE;

		if (b->q[i] == r->src) {
			b->addr[w] = b->addr[i];
			b->ridx[w++] = b->ridx[i];
		} else if (!coarse) {
			exec_count(c, b, i, b->q[i] == r->dst ? -2 : -3);
		}
	}
	b->n = w;
	return 0;
}

/* The calls of one worker: their count, and each one's time into the
 * stall figures and the sizer. */
struct exec_tally {
	uint64_t calls, retries;
	struct stall_sizer sizer;
	struct stall_stats stall;
};

/* Move the entries of b; what fails is classified, what was never written
 * is queried and retried while the calls make progress. */
static int exec_batch_move(struct exec_ctx *c, struct exec_batch *b, struct exec_tally *t)
{
	int no_progress = 0, busy_round = 0;
	bool first = true;

	while (b->n) {
		/* an absent base page that pagemap shows present again is
		 * tried once more, on the batch's second call (not with
		 * --retries 0) */
		bool absent_again = busy_round == 0 && c->o->retries > 0;
		size_t w = 0, moved = 0;
		bool nomem = false;
		long rc;
		int e = 0;

		uint64_t bytes = 0;
		double t0;

		for (size_t i = 0; i < b->n; i++) {
			b->nodes[i] = b->dst;
			bytes += c->pp->runs[b->ridx[i]].step;
		}
		t0 = sys_now();
		rc = exec_move_pages(c, b->n, b->addr, b->nodes, b->status);
		e = rc < 0 ? errno : 0;
		t0 = sys_now() - t0;
		if (stall_add(&t->stall, t0) < 0)
			return -ENOMEM;
		stall_sizer_observe(&t->sizer, bytes, t0);
		t->calls++;
		if (!first)
			t->retries++;
		first = false;
		if (rc < 0 && e != ENOMEM)
			return -e;      /* the whole call failed: ESRCH, EACCES, ENODEV, EPERM */
		nomem = e == ENOMEM;
		/* entries without a real answer (or busy) learn the truth by query */
		for (size_t i = 0; i < b->n; i++)
			b->q[i] = b->status[i];
		{
			size_t nq = 0;

			for (size_t i = 0; i < b->n; i++)
				if (b->status[i] == EXEC_SENTINEL || b->status[i] == -EBUSY)
					nq++;
			if (nq && exec_query(c, b->n, b->addr, b->q) < 0)
				for (size_t i = 0; i < b->n; i++)
					b->q[i] = b->status[i];
		}
		for (size_t i = 0; i < b->n; i++) {
			int s = b->status[i], q = b->q[i];

			if (s == b->dst || (s == EXEC_SENTINEL && q == b->dst) ||
			    (s == -EBUSY && q == b->dst)) {
				exec_count(c, b, i, -1);
				moved++;
			} else if (s == EXEC_SENTINEL && q < 0 && q != EXEC_SENTINEL) {
				exec_count_failed(c, b, i, q);
			} else if (s == EXEC_SENTINEL || s == -EBUSY) {
				/* tried again below */
				b->addr[w] = b->addr[i];
				b->ridx[w] = b->ridx[i];
				b->status[w++] = s;
			} else if (s >= 0) {
				exec_count(c, b, i, EXR_NOT_MIGRATED);
			} else if (absent_again && (s == -EFAULT || s == -ENOENT) &&
				   c->pp->runs[b->ridx[i]].step == c->p->page_size &&
				   exec_page_present(c, b->addr[i])) {
				/* freed and mapped again since the call (the
				 * churn of a busy service): its new page moves
				 * on the next call; the zero page says the same
				 * again and is counted then.  Not a THP entry:
				 * a base page mapped into it would count as 512 */
				b->addr[w] = b->addr[i];
				b->ridx[w] = b->ridx[i];
				b->status[w++] = s;
			} else {
				exec_count_failed(c, b, i, s);
			}
		}
		b->n = w;
		if (!b->n)
			break;
		no_progress = moved ? 0 : no_progress + 1;
		busy_round++;
		/* give up: two calls in a row moved nothing, or busy pages used
		 * their retries */
		if (no_progress >= 2 || busy_round > c->o->retries + 1) {
			for (size_t i = 0; i < b->n; i++)
				exec_count(c, b, i, b->status[i] == -EBUSY ? EXR_BUSY :
					   nomem ? EXR_NOMEM : EXR_NOT_MIGRATED);
			b->n = 0;
			break;
		}
		if (!moved) {
			struct timespec ts = { 0, 1000000 };   /* let a busy page settle */

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

static void exec_merge(struct exec_ctx *c, struct exec_batch *b, struct exec_tally *w)
{
	uint64_t ps = c->p->page_size;

	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < c->r->npairs; k++) {
		struct exec_pair *t = &b->tally[k];
		uint64_t done = t->moved + t->already + t->gone + t->discarded;

		for (int j = 0; j < EXR_NREASONS; j++)
			done += t->not_moved[j];
		c->done_bytes += done * ps;
		c->moved_bytes += t->moved * ps;
		exec_pair_add(&c->r->pairs[k], t);
		memset(t, 0, sizeof(*t));
		t->src = c->r->pairs[k].src;
		t->dst = c->r->pairs[k].dst;
	}
	c->r->calls += w->calls;
	c->r->retries += w->retries;
	w->calls = w->retries = 0;
	if (stall_merge(&c->r->stall, &w->stall) < 0)
		exec_stop_locked(c, EXS_ERROR, -ENOMEM);
	w->stall.n = 0;
	if (c->o->progress) {
		struct exec_progress pr = {
			.planned_bytes = c->planned_bytes,
			.done_bytes = c->done_bytes < c->planned_bytes ? c->done_bytes : c->planned_bytes,
			.moved_bytes = c->moved_bytes, .seconds = sys_now() - c->t0,
		};
		c->o->progress(c->o->ud, &pr);
	}
	pthread_mutex_unlock(&c->lock);
}

static int exec_batch_alloc(struct exec_batch *b, size_t n, size_t npairs,
			    const struct exec_result *r)
{
	memset(b, 0, sizeof(*b));
	b->addr = calloc(n, sizeof(*b->addr));
	b->nodes = calloc(n, sizeof(int));
	b->status = calloc(n, sizeof(int));
	b->q = calloc(n, sizeof(int));
	b->ridx = calloc(n, sizeof(uint32_t));
	b->tally = calloc(npairs ? npairs : 1, sizeof(*b->tally));
	if (!b->addr || !b->nodes || !b->status || !b->q || !b->ridx || !b->tally)
		return -ENOMEM;
	for (size_t k = 0; k < npairs; k++) {
		b->tally[k].src = r->pairs[k].src;
		b->tally[k].dst = r->pairs[k].dst;
	}
	return 0;
}

static void exec_batch_free(struct exec_batch *b)
{
	free(b->addr);
	free(b->nodes);
	free(b->status);
	free(b->q);
	free(b->ridx);
	free(b->tally);
}

static bool exec_batch_coarse(const struct exec_ctx *c, const struct exec_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (c->pp->runs[b->ridx[i]].flags & PLAN_RUN_COARSE)
			return true;
	return false;
}

/* The first call of a worker: 2 MiB, and the sizer goes from there. */
#define EXEC_FIRST_BYTES (2ULL << 20)

static void *exec_worker(void *arg)
{
	struct exec_ctx *c = arg;
	struct exec_batch b;
	struct exec_tally t = { 0 };
	int rc;

	if (exec_batch_alloc(&b, c->batch, c->r->npairs, c->r) < 0) {
		pthread_mutex_lock(&c->lock);
		exec_stop_locked(c, EXS_ERROR, -ENOMEM);
		pthread_mutex_unlock(&c->lock);
		exec_batch_free(&b);
		return NULL;
	}
	if (c->renice && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), c->nice) < 0) {
		int e = errno;

		pthread_mutex_lock(&c->lock);
		if (c->o->renice) {
			/* --nice N was asked for: without it the run fails
			 * (unless it has already stopped for another reason) */
			if (!c->stopped)
				c->nice_failed = true;
			exec_stop_locked(c, EXS_ERROR, -e);
			pthread_mutex_unlock(&c->lock);
			exec_batch_free(&b);
			return NULL;
		}
		/* auto, refused all the same (the root of a user namespace,
		 * a security module): the worker keeps its own nice */
		c->nice_refused = true;
		pthread_mutex_unlock(&c->lock);
	}
	stall_sizer_init(&t.sizer, c->o->max_stall, EXEC_FIRST_BYTES, c->p->page_size, c->max_bytes);
	while (exec_take(c, &b, t.sizer.next)) {
		uint64_t bytes = 0;

		rc = 0;
		if (c->requery_all || c->pass == 2 || exec_batch_coarse(c, &b)) {
			rc = exec_filter(c, &b);
			t.calls++;
		}
		for (size_t i = 0; rc == 0 && i < b.n; i++)
			bytes += c->pp->runs[b.ridx[i]].step;
		if (rc == 0) {
			exec_rate_wait(c, bytes);
			rc = exec_batch_move(c, &b, &t);
		}
		exec_merge(c, &b, &t);
		if (rc < 0) {
			/* a process that exits mid-call has no mm left: the
			 * kernel says EINVAL or ESRCH */
			bool gone = rc == -ESRCH ||
				    (c->pidfd >= 0 && exec_pidfd_exits(c->pidfd, rc == -EINVAL ? 500 : 0)) ||
				    procs_check_same(&c->pp->id) < 0;

			pthread_mutex_lock(&c->lock);
			exec_stop_locked(c, gone ? EXS_GONE : EXS_ERROR, rc);
			pthread_mutex_unlock(&c->lock);
			break;
		}
	}
	stall_free(&t.stall);
	exec_batch_free(&b);
	return NULL;
}

/* ---- entry points ------------------------------------------------------------ */

/* Bounds of a call, whatever the sizer says: at most opts.batch entries and
 * EXEC_BATCH_BYTES (a batch of THP entries is soon large, and a stop
 * request waits for the call); with N threads, small enough that every
 * worker gets one. */
static void exec_size_batches(struct exec_ctx *c, int threads)
{
	uint64_t ps = c->p->page_size, entries = 0, bytes = 0, share;

	c->batch = c->o->batch ? c->o->batch : EXEC_DEFAULT_BATCH;
	c->max_bytes = EXEC_BATCH_BYTES > c->batch * ps ? EXEC_BATCH_BYTES : c->batch * ps;
	/* under --rate a call copies at most a quarter second's worth, so the
	 * rate holds over short spans and a stop is seen soon (but never less
	 * than one huge page: a THP moves whole) */
	if (c->o->rate && c->max_bytes > c->o->rate / 4) {
		uint64_t floor = c->p->thp_size > ps ? c->p->thp_size : ps;

		c->max_bytes = c->o->rate / 4 > floor ? c->o->rate / 4 : floor;
	}
	if (threads <= 1)
		return;
	for (size_t i = 0; i < c->pp->nruns; i++) {
		entries += plan_run_entries(&c->pp->runs[i], ps);
		bytes += plan_run_bytes(&c->pp->runs[i], ps);
	}
	/* every move_pages call drains the LRU caches of all CPUs
	 * (lru_cache_disable): concurrent calls wait for each other there, so
	 * each worker gets few, large batches */
	share = (entries + (uint64_t)threads - 1) / (uint64_t)threads;
	if (share < c->batch)
		c->batch = share ? share : 1;
	share = (bytes + (uint64_t)threads - 1) / (uint64_t)threads;
	if (share < c->max_bytes)
		c->max_bytes = share ? share : 1;
}

void exec_in_caller(struct exec_ctx *c, void *(*fn)(void *), void *arg)
{
	int own, e;

	errno = 0;
	own = getpriority(PRIO_PROCESS, 0);
	e = errno;
	fn(arg);
	/* back to its own nice: always allowed from auto's -5 (a lower
	 * priority needs no privilege); from --nice N above it, only with
	 * the privilege that N needed the other way */
	if (c->renice && !e)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), own);
}

int exec_start_threads(struct exec_ctx *c, int nthreads)
{
	pthread_t tid[EXEC_MAX_THREADS];
	int started = 0, rc = 0;

	if (nthreads <= 1) {
		exec_in_caller(c, exec_worker, c);
		return 0;
	}
	if (nthreads > EXEC_MAX_THREADS)
		nthreads = EXEC_MAX_THREADS;
	for (int i = 0; i < nthreads; i++) {
		rc = pthread_create(&tid[i], NULL, exec_worker, c);
		if (rc)
			break;
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return started ? 0 : -rc;
}

int exec_proc(const struct plan *p, const struct plan_proc *pp,
	      const struct exec_opts *o, struct exec_result *r)
{
	struct exec_ctx c;
	int rc, pidfd;

	rc = exec_result_init(r, p, pp);
	if (rc < 0)
		return rc;
	if (o->engine == EXEC_SYSCALL) {
		/* one call in this thread, at its own nice */
		exec_nice(&(struct exec_opts){ .renice = false }, &r->nice);
		return exec_syscall(&pp->id, p, pp, o, r);
	}
	if (procs_check_same(&pp->id) < 0)
		return -ESRCH;
	pidfd = privs_pidfd_open(pp->id.pid);
	if (pidfd < 0 && pidfd != -ENOSYS)
		return pidfd;
	memset(&c, 0, sizeof(c));
	c.renice = exec_nice(o, &c.nice);
	c.p = p;
	c.pp = pp;
	c.o = o;
	c.r = r;
	c.pidfd = pidfd;
	c.mmfd = path_is_live() ? procs_mm_open(pp->id.pid) : -1;
	c.flags = o->move_all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
	c.threads = exec_threads(p, pp, o);
	r->threads = c.threads;
	exec_size_batches(&c, c.threads);
	c.requery_all = o->requery;
	c.planned_bytes = plan_total_bytes(p, pp);
	c.t0 = sys_now();
	c.last = c.t0;
	pthread_mutex_init(&c.lock, NULL);
	exec_cond_init(&c.scan_cv);
	rc = 0;
	if (o->discard_lazyfree && pp->nruns && pidfd >= 0)
		rc = exec_discard_run(&c, pidfd);
	else
		rc = exec_start_threads(&c, c.threads);
	if (rc < 0 && !c.stopped)
		exec_stop_locked(&c, EXS_ERROR, rc);
	r->nice = c.nice;
	r->nice_failed = c.nice_failed;
	if (c.nice_refused)
		exec_nice(&(struct exec_opts){ .renice = false }, &r->nice);
	if (r->discard_done)
		exec_discard_fix(r);
	exec_check_outcomes(pp, r);
	r->seconds = sys_now() - c.t0;
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.scan_cv);
	free(c.gone);
	if (o->residual && r->stop != EXS_GONE && procs_check_same(&pp->id) == 0 &&
	    (pidfd < 0 || privs_pidfd_alive(pidfd))) {
		exec_after(p, pp, r, c.batch);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (c.mmfd >= 0)
		close(c.mmfd);
	return 0;
}
