/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* callclock: where the time of each move_pages(2) call goes.
 *
 *   LD_PRELOAD=callclock.so CALLCLOCK_OUT=FILE mmigrate ...
 *
 * Wraps libc's syscall(): for every move_pages(2) call in move mode on
 * another process (what mmigrate's executor times against --max-stall) it
 * records the call's wall time, the calling thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID), its time runnable on a runqueue but not running
 * (/proc/thread-self/schedstat, second field) and its voluntary and
 * involuntary context switches (getrusage RUSAGE_THREAD).  Wall minus CPU
 * minus runqueue is the time the thread slept inside the call (a lock, the
 * LRU drain's wait for every CPU's worker).  At exit one line per call:
 *   wall_ms cpu_ms runq_ms nvcsw nivcsw entries tid
 * A measurement aid for tests/bench/probe/p99probe.sh, not part of the tools.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_CALLS 65536

struct rec {
	double wall, cpu, runq;
	long nvcsw, nivcsw;
	unsigned long entries;
	long tid;
};

static struct rec recs[MAX_CALLS];
static size_t nrecs;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long (*real_syscall)(long, ...);

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runqueue wait of this thread, seconds (0 when the kernel does not say). */
static double runq_s(void)
{
	char buf[128];
	unsigned long long run = 0, wait = 0;
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &run, &wait) != 2)
		return 0;
	return wait / 1e9;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a[6], rc;
	struct rusage r0, r1;
	double w0, c0, q0;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real_syscall)
		real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	/* move mode (nodes given) on another process */
	if (nr != SYS_move_pages || a[0] == 0 || a[3] == 0)
		return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	getrusage(RUSAGE_THREAD, &r0);
	q0 = runq_s();
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	w0 = clock_s(CLOCK_MONOTONIC);
	rc = real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	w0 = clock_s(CLOCK_MONOTONIC) - w0;
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	q0 = runq_s() - q0;
	getrusage(RUSAGE_THREAD, &r1);
	pthread_mutex_lock(&lock);
	if (nrecs < MAX_CALLS)
		recs[nrecs++] = (struct rec){ w0, c0, q0, r1.ru_nvcsw - r0.ru_nvcsw,
					      r1.ru_nivcsw - r0.ru_nivcsw, (unsigned long)a[1],
					      (long)real_syscall(SYS_gettid) };
	pthread_mutex_unlock(&lock);
	return rc;
}

__attribute__((destructor)) static void callclock_write(void)
{
	const char *path = getenv("CALLCLOCK_OUT");
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	for (size_t i = 0; i < nrecs; i++)
		fprintf(f, "%.3f %.3f %.3f %ld %ld %lu %ld\n", recs[i].wall * 1e3, recs[i].cpu * 1e3,
			recs[i].runq * 1e3, recs[i].nvcsw, recs[i].nivcsw, recs[i].entries, recs[i].tid);
	fclose(f);
}
