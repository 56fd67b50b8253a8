/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* Unit tests of the discarder's stop: discard_apply polls opts->stop before
 * every process_madvise call, the last of a walk too, so a signal seen
 * before a call means no call.  Run on this test's own lazily freed pages
 * (process_madvise on oneself). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "discard.h"
#include "procs.h"
#include "sysinfo.h"
#include "tap.h"
/* <sys/mman.h> last: its MAP_* macros would hide maps.h's enum names */
#include <sys/mman.h>
#undef MAP_ANON
#undef MAP_FILE
#undef MAP_STACK
#undef MAP_HUGETLB

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct stop_count {
	unsigned polls, after;    /* say stop from poll number 'after' on */
};

static bool stop_after(void *ud)
{
	struct stop_count *s = ud;

	return ++s->polls > s->after;
}

/* 'pages' base pages written then lazily freed; NULL when MADV_FREE fails. */
static char *lazy_pages(size_t pages, uint64_t ps)
{
	char *p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, pages * ps, MADV_NOHUGEPAGE);
	memset(p, 0x5a, pages * ps);
	if (madvise(p, pages * ps, MADV_FREE) < 0) {
		munmap(p, pages * ps);
		return NULL;
	}
	return p;
}

static bool in_range(void *ud, const struct mapping *m)
{
	const char *p = ud;

	return m->start <= (uintptr_t)p && (uintptr_t)p < m->end;
}

/* A signal seen before the first call (stop says yes at once): the pages
 * found are left alone, not one call is made, and the result says stopped;
 * the same set without a stop makes calls (the test can see one). */
static void test_stop_before_call(void)
{
	const size_t pages = 64;     /* one call's worth: the last batch is the only one */
	uint64_t ps = sys_page_size();
	char *p = lazy_pages(pages, ps);
	struct discard_opts o = { .mode = DISCARD_AUTO, .thp = DISCARD_THP_COLLAPSE,
				  .no_totals = true, .vma_filter = in_range };
	struct stop_count sc = { 0, 0 };
	struct discard_set s;
	struct discard_result r;
	struct proc_id id;
	int pidfd, rc;

	if (!p) {
		ok(1, "# SKIP MADV_FREE not supported");
		return;
	}
	o.vma_ud = p;
	procs_identify(getpid(), &id);
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	rc = discard_find(&id, &o, &s);
	ok(rc == 0 && s.candidate > 0, "discard_find finds the lazily freed pages (%llu bytes)",
	   rc == 0 ? (unsigned long long)s.candidate : 0ULL);
	if (rc != 0 || pidfd < 0) {
		if (rc == 0)
			discard_set_free(&s);
		return;
	}
	o.stop = stop_after;
	o.stop_ud = &sc;
	rc = discard_apply(pidfd, &s, &o, &r);
	ok(rc == 0, "stopped at once: discard_apply returns 0 (%d)", rc);
	is_u64(r.calls, 0, "stopped at once: no process_madvise call");
	ok(r.stopped, "stopped at once: the result says stopped");
	ok(sc.polls > 0, "stopped at once: stop was asked (%u polls)", sc.polls);
	discard_result_free(&r);
	discard_set_free(&s);

	o.stop = NULL;
	memset(p, 0x5a, pages * ps);
	madvise(p, pages * ps, MADV_FREE);
	rc = discard_find(&id, &o, &s);
	if (rc == 0) {
		rc = discard_apply(pidfd, &s, &o, &r);
		ok(rc == 0 && r.calls > 0 && !r.stopped,
		   "without a stop the same pages take %llu call(s)", (unsigned long long)r.calls);
		discard_result_free(&r);
		discard_set_free(&s);
	}
	close(pidfd);
	munmap(p, pages * ps);
}

int main(void)
{
	test_stop_before_call();
	return tap_done();
}
