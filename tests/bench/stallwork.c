/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* stallwork: a busy process to move, that measures how long the move stops it.
 *
 *   stallwork --mib N [--thp|--no-thp] [--node N] [--report FILE]
 *             [--ready FILE] [--period-us U] [--alloc-kib K]
 *             [--threshold-us T] [--read-period-us P] [--no-alloc] [--no-read]
 *
 * It maps N MiB of anonymous memory (--no-thp, the default: base pages, and
 * no THP anywhere in the process, PR_SET_THP_DISABLE; --thp: aligned to the
 * THP size, MADV_HUGEPAGE), places it on
 * node --node (mbind MPOL_BIND while it is touched, then MPOL_DEFAULT again,
 * so that a later move is not refused; without --node the kernel places it),
 * writes every page (its first word is a pattern of its index), and then
 * runs two threads:
 *   - the allocator: every --period-us (default 1000) it mmaps --alloc-kib
 *     (default 1024) of anonymous memory, writes every page, munmaps it, and
 *     records how long each mmap() and munmap() call took: both need the
 *     process's mmap_lock for writing, so they wait while a mover holds it
 *     (migrate_pages(2) up to kernel 6.6 holds it for the whole move);
 *   - the reader: in a loop, reads the first word of a random page of the N
 *     MiB and checks it; it records the gap between consecutive reads (a read
 *     of a page under migration waits for the migration).  With
 *     --read-period-us P it sleeps P us before each read, and the gap is
 *     what the read waited beyond that pause (default 0: no pause).
 * When set up it prints "ready PID addr=0xADDR len=BYTES" on stdout (and to
 * --ready FILE, written atomically).
 *
 * Signals:
 *   SIGUSR2         start a new window: counts, worst figures and the
 *                   timeline restart from zero (send it just before a move);
 *                   then a line "window N" on stdout (N counts windows)
 *   SIGUSR1         write the report of the window so far (it goes on
 *                   running; send it just after the move)
 *   SIGTERM/SIGINT  stop both threads, check every page of the region, write
 *                   the final report (with "verify") and exit 0, or 1 when a
 *                   page's data was wrong
 * The first window starts at "ready".  Each report is written to a temporary
 * file renamed to --report FILE (stdout without it) and then announced by a
 * line "report N" on stdout (N counts reports from 1): poll for the line, or
 * remove FILE before signalling and poll for it.
 *
 * The report is one JSON object:
 *   pid, mib, page ("4k" or "thp"), node (-1: none asked), period_us,
 *   alloc_kib, read_period_us, threshold_ms, report (N), final (true after SIGTERM/SIGINT),
 *   window_s            the window's length, seconds
 *   mmap_wait_max_ms    longest single mmap() or munmap() call of the allocator
 *   mmap_wait_median_ms, mmap_wait_p99_ms, mmap_calls
 *   alloc_cycle_max_ms  longest whole cycle (mmap, write, munmap)
 *   alloc_ops           cycles done; alloc_ops_per_s = alloc_ops / window_s
 *   read_gap_max_ms     longest gap between two consecutive reads
 *   read_ops, read_ops_per_s, read_errors (pages whose word was wrong)
 *   worst_stall_ms      the larger of mmap_wait_max_ms and read_gap_max_ms
 *   timeline            every wait of at least --threshold-us (default 1000)
 *                       in the window: [{"t_ms": start of the wait from the
 *                       window's start, "ms": its length, "kind": "mmap",
 *                       "munmap" or "read"}, ...] in order of start
 *   timeline_dropped    waits left out (the timeline keeps 65536)
 *   verify              "ok" or "failed" (final report only)
 *
 * From bats:
 *   stallwork --mib 64 --node 0 --report "$d/r.json" >"$d/out" &
 *   until grep -q '^ready' "$d/out"; do sleep 0.1; done
 *   kill -USR2 $!; until grep -q '^window 1' "$d/out"; do sleep 0.01; done
 *   migratepages $! 0 1; kill -USR1 $!
 *   until grep -q '^report 1' "$d/out"; do sleep 0.1; done
 *   jq .worst_stall_ms "$d/r.json"; kill -TERM $!; wait $!
 *
 * Exit status: 0, 1 (data check failed, or a system call failed), 2 usage.
 * It is independent of the core library (it measures what numashift does).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <numaif.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MASK_LONGS 16
#define TIMELINE_MAX 65536
#define WAITS_MAX (1u << 22)

struct opts {
	unsigned long mib;
	bool thp;
	int node;
	const char *report;
	const char *ready;
	long period_us;
	long alloc_kib;
	long threshold_us;
	long read_period_us;
	bool no_alloc, no_read;
};

struct event {
	int64_t start_ns; /* monotonic */
	int64_t len_ns;
	const char *kind;
};

/* Everything a window counts; the threads add to it under `lock`. */
struct window {
	pthread_mutex_t lock;
	int64_t start_ns;
	int64_t mmap_max_ns, cycle_max_ns, read_max_ns;
	uint64_t alloc_ops, read_ops, read_errors;
	uint32_t *waits; /* every mmap/munmap call, microseconds */
	size_t nwaits, waits_dropped;
	struct event *timeline;
	size_t ntimeline, timeline_dropped;
};

static struct opts o = { .node = -1, .period_us = 1000, .alloc_kib = 1024, .threshold_us = 1000 };
static struct window w = { .lock = PTHREAD_MUTEX_INITIALIZER };
static atomic_bool stop;
static unsigned char *region;
static size_t region_len, page_size;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("stallwork: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t pattern(size_t page)
{
	return (page * 0x9e3779b97f4a7c15ULL) | 1;
}

/* Called with w.lock held. */
static void note_event(int64_t start, int64_t len, const char *kind)
{
	if (len < o.threshold_us * 1000)
		return;
	if (w.ntimeline == TIMELINE_MAX) {
		w.timeline_dropped++;
		return;
	}
	w.timeline[w.ntimeline++] = (struct event){ start, len, kind };
}

/* A call from START to END; one that ended before the window started is
 * not the window's, one that began before it counts from its start. */
static void note_call(int64_t start, int64_t end, const char *kind)
{
	int64_t len;

	if (end < w.start_ns)
		return;
	if (start < w.start_ns)
		start = w.start_ns;
	len = end - start;
	if (len > w.mmap_max_ns)
		w.mmap_max_ns = len;
	if (w.nwaits < WAITS_MAX)
		w.waits[w.nwaits++] = (uint32_t)(len / 1000 > UINT32_MAX ? UINT32_MAX : len / 1000);
	else
		w.waits_dropped++;
	note_event(start, len, kind);
}

static void window_reset(int64_t t)
{
	pthread_mutex_lock(&w.lock);
	w.start_ns = t;
	w.mmap_max_ns = w.cycle_max_ns = w.read_max_ns = 0;
	w.alloc_ops = w.read_ops = w.read_errors = 0;
	w.nwaits = w.waits_dropped = 0;
	w.ntimeline = w.timeline_dropped = 0;
	pthread_mutex_unlock(&w.lock);
}

static void *allocator(void *arg)
{
	size_t len = (size_t)o.alloc_kib * 1024;
	int64_t next = now_ns(), t0, t1, t2, t3;

	(void)arg;
	while (!atomic_load(&stop)) {
		struct timespec ts;
		unsigned char *p;

		t0 = now_ns();
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		t1 = now_ns();
		if (p == MAP_FAILED)
			die("mmap %zu bytes: %s", len, strerror(errno));
		for (size_t off = 0; off < len; off += page_size)
			p[off] = 1;
		t2 = now_ns();
		if (munmap(p, len))
			die("munmap: %s", strerror(errno));
		t3 = now_ns();
		pthread_mutex_lock(&w.lock);
		note_call(t0, t1, "mmap");
		note_call(t2, t3, "munmap");
		if (t3 >= w.start_ns) {
			int64_t c = t3 - (t0 > w.start_ns ? t0 : w.start_ns);

			if (c > w.cycle_max_ns)
				w.cycle_max_ns = c;
			w.alloc_ops++;
		}
		pthread_mutex_unlock(&w.lock);
		/* one cycle a period; a late cycle does not make up for lost ones */
		next += o.period_us * 1000;
		if (next < t3)
			next = t3;
		ts.tv_sec = next / 1000000000;
		ts.tv_nsec = next % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	return NULL;
}

/* The reader takes the lock only every READ_FLUSH reads, or at once after a
 * gap of --threshold-us or more, so that it does not compete with the
 * allocator for the lock; a batch begun before the window started is left
 * out (a window's first READ_FLUSH reads at most). */
#define READ_FLUSH 4096

static void *reader(void *arg)
{
	size_t npages = region_len / page_size;
	uint64_t x = 0x2545f4914f6cdd1dULL ^ (uint64_t)getpid();
	int64_t period = o.read_period_us * 1000, prev = now_ns(), t, gap, batch_start = prev, batch_max = 0;
	uint64_t ops = 0, errors = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		size_t i;

		if (period) {
			struct timespec ts = { (time_t)(period / 1000000000), (long)(period % 1000000000) };

			nanosleep(&ts, NULL);
		}
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (size_t)(x % npages);
		errors += *(volatile uint64_t *)(region + i * page_size) != pattern(i);
		t = now_ns();
		ops++;
		/* the wait beyond the pause that was asked for */
		gap = t - prev - period;
		if (gap > batch_max)
			batch_max = gap;
		if (ops == READ_FLUSH || gap >= o.threshold_us * 1000) {
			pthread_mutex_lock(&w.lock);
			if (batch_start >= w.start_ns) {
				if (batch_max > w.read_max_ns)
					w.read_max_ns = batch_max;
				w.read_ops += ops;
				w.read_errors += errors;
			}
			if (gap >= o.threshold_us * 1000 && t > w.start_ns) {
				int64_t s0 = t - gap > w.start_ns ? t - gap : w.start_ns;

				if (t - s0 > w.read_max_ns)
					w.read_max_ns = t - s0;
				note_event(s0, t - s0, "read");
			}
			pthread_mutex_unlock(&w.lock);
			ops = errors = 0;
			batch_max = 0;
			batch_start = t;
		}
		prev = t;
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static double ms(int64_t ns)
{
	return (double)ns / 1e6;
}

/* The report of the window up to END (0: now, taken under the lock, so that
 * every wait noted so far began before it); verify: NULL, "ok" or
 * "failed". */
static void write_report(unsigned n, int64_t end, const char *verify)
{
	static struct window s; /* a snapshot, so that the threads go on */
	static uint32_t *waits;
	static struct event *tl;
	char tmp[4096];
	FILE *f = stdout;
	double win, p50 = 0, p99 = 0;

	if (!waits && (!(waits = malloc(WAITS_MAX * sizeof(*waits))) ||
		       !(tl = malloc(TIMELINE_MAX * sizeof(*tl)))))
		die("out of memory");
	pthread_mutex_lock(&w.lock);
	if (!end)
		end = now_ns();
	s = w;
	memcpy(waits, w.waits, w.nwaits * sizeof(*waits));
	memcpy(tl, w.timeline, w.ntimeline * sizeof(*tl));
	pthread_mutex_unlock(&w.lock);
	win = (double)(end - s.start_ns) / 1e9;
	if (s.nwaits) {
		qsort(waits, s.nwaits, sizeof(*waits), cmp_u32);
		p50 = waits[s.nwaits / 2] / 1000.0;
		p99 = waits[(s.nwaits * 99) / 100 < s.nwaits ? (s.nwaits * 99) / 100 : s.nwaits - 1] / 1000.0;
	}
	qsort(tl, s.ntimeline, sizeof(*tl), cmp_event);
	if (o.report) {
		snprintf(tmp, sizeof(tmp), "%s.tmp%d", o.report, (int)getpid());
		if (!(f = fopen(tmp, "w")))
			die("%s: %s", tmp, strerror(errno));
	}
	fprintf(f, "{\"pid\": %d, \"mib\": %lu, \"page\": \"%s\", \"node\": %d, \"period_us\": %ld, "
		   "\"alloc_kib\": %ld, \"read_period_us\": %ld, \"threshold_ms\": %.3f, \"report\": %u, \"final\": %s,\n",
		(int)getpid(), o.mib, o.thp ? "thp" : "4k", o.node, o.period_us, o.alloc_kib, o.read_period_us,
		o.threshold_us / 1000.0, n, verify ? "true" : "false");
	fprintf(f, " \"window_s\": %.6f, \"worst_stall_ms\": %.3f,\n", win,
		ms(s.mmap_max_ns > s.read_max_ns ? s.mmap_max_ns : s.read_max_ns));
	fprintf(f, " \"mmap_wait_max_ms\": %.3f, \"mmap_wait_median_ms\": %.3f, \"mmap_wait_p99_ms\": %.3f, "
		   "\"mmap_calls\": %zu, \"alloc_cycle_max_ms\": %.3f, \"alloc_ops\": %llu, "
		   "\"alloc_ops_per_s\": %.1f,\n",
		ms(s.mmap_max_ns), p50, p99, s.nwaits + s.waits_dropped, ms(s.cycle_max_ns),
		(unsigned long long)s.alloc_ops, win > 0 ? s.alloc_ops / win : 0.0);
	fprintf(f, " \"read_gap_max_ms\": %.3f, \"read_ops\": %llu, \"read_ops_per_s\": %.1f, "
		   "\"read_errors\": %llu,\n",
		ms(s.read_max_ns), (unsigned long long)s.read_ops, win > 0 ? s.read_ops / win : 0.0,
		(unsigned long long)s.read_errors);
	if (verify)
		fprintf(f, " \"verify\": \"%s\",\n", verify);
	fprintf(f, " \"timeline_dropped\": %zu, \"timeline\": [", s.timeline_dropped);
	for (size_t i = 0; i < s.ntimeline; i++)
		fprintf(f, "%s\n  {\"t_ms\": %.3f, \"ms\": %.3f, \"kind\": \"%s\"}", i ? "," : "",
			ms(tl[i].start_ns - s.start_ns), ms(tl[i].len_ns), tl[i].kind);
	fprintf(f, "%s]}\n", s.ntimeline ? "\n " : "");
	if (o.report) {
		if (fclose(f) || rename(tmp, o.report))
			die("%s: %s", o.report, strerror(errno));
	} else {
		fflush(f);
	}
	printf("report %u\n", n);
	fflush(stdout);
}

static void usage(FILE *f, int status)
{
	fputs("usage: stallwork --mib N [--thp|--no-thp] [--node N] [--report FILE] [--ready FILE]\n"
	      "                 [--period-us U] [--alloc-kib K] [--threshold-us T] [--read-period-us P]\n"
	      "                 [--no-alloc] [--no-read]\n"
	      "SIGUSR2 starts a window, SIGUSR1 writes its report, SIGTERM writes the final one and exits\n",
	      f);
	exit(status);
}

static long arg_num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "stallwork: %s: '%s' is not a number from %ld to %ld\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mib", required_argument, NULL, 'm' },    { "thp", no_argument, NULL, 'T' },
		{ "no-thp", no_argument, NULL, 'N' },       { "node", required_argument, NULL, 'n' },
		{ "report", required_argument, NULL, 'r' }, { "ready", required_argument, NULL, 'R' },
		{ "period-us", required_argument, NULL, 'p' }, { "alloc-kib", required_argument, NULL, 'a' },
		{ "threshold-us", required_argument, NULL, 't' }, { "no-alloc", no_argument, NULL, 'A' },
		{ "no-read", no_argument, NULL, 'D' },      { "read-period-us", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'm': o.mib = (unsigned long)arg_num(optarg, 1, 1L << 20, "--mib"); break;
		case 'T': o.thp = true; break;
		case 'N': o.thp = false; break;
		case 'n': o.node = (int)arg_num(optarg, 0, MASK_LONGS * 64 - 1, "--node"); break;
		case 'r': o.report = optarg; break;
		case 'R': o.ready = optarg; break;
		case 'p': o.period_us = arg_num(optarg, 0, 10000000, "--period-us"); break;
		case 'a': o.alloc_kib = arg_num(optarg, 4, 1L << 20, "--alloc-kib"); break;
		case 't': o.threshold_us = arg_num(optarg, 0, 100000000, "--threshold-us"); break;
		case 'A': o.no_alloc = true; break;
		case 'D': o.no_read = true; break;
		case 'P': o.read_period_us = arg_num(optarg, 0, 10000000, "--read-period-us"); break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (optind != argc || !o.mib)
		usage(stderr, 2);
}

static size_t thp_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	unsigned long v = 0;

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v ? v : 2UL << 20;
}

static void setup_region(void)
{
	size_t align = o.thp ? thp_size() : page_size;
	unsigned long mask[MASK_LONGS] = { 0 };
	unsigned char *p;

	region_len = o.mib << 20;
	/* inaccessible room around it, so that the region stays one mapping of
	 * its own, never merged with a neighbour (numa_maps shows it at addr) */
	p = mmap(NULL, region_len + align + 2 * page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		die("mmap %lu MiB: %s", o.mib, strerror(errno));
	region = (unsigned char *)(((uintptr_t)p + page_size + align - 1) & ~(uintptr_t)(align - 1));
	if (mmap(region, region_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	    MAP_FAILED)
		die("mmap %lu MiB: %s", o.mib, strerror(errno));
	if (madvise(region, region_len, o.thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) && o.thp)
		die("madvise MADV_HUGEPAGE: %s", strerror(errno));
	if (o.node >= 0) {
		mask[o.node / 64] = 1UL << (o.node % 64);
		if (mbind(region, region_len, MPOL_BIND, mask, MASK_LONGS * 64, 0))
			die("mbind to node %d: %s", o.node, strerror(errno));
	}
	for (size_t i = 0; i < region_len / page_size; i++)
		*(uint64_t *)(region + i * page_size) = pattern(i);
	/* back to the default policy: MPOL_BIND would refuse the move */
	if (o.node >= 0 && mbind(region, region_len, MPOL_DEFAULT, NULL, 0, 0))
		die("mbind MPOL_DEFAULT: %s", strerror(errno));
}

static void say_ready(void)
{
	char line[128], tmp[4096];
	FILE *f;

	snprintf(line, sizeof(line), "ready %d addr=%#lx len=%zu\n", (int)getpid(), (unsigned long)region,
		 region_len);
	fputs(line, stdout);
	fflush(stdout);
	if (!o.ready)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", o.ready, (int)getpid());
	if (!(f = fopen(tmp, "w")) || fputs(line, f) == EOF || fclose(f) || rename(tmp, o.ready))
		die("%s: %s", o.ready, strerror(errno));
}

static bool verify_region(void)
{
	for (size_t i = 0; i < region_len / page_size; i++)
		if (*(uint64_t *)(region + i * page_size) != pattern(i))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	pthread_t ta, tr;
	sigset_t set;
	unsigned n = 0, nw = 0;
	int64_t end;
	int sig;

	parse(argc, argv);
	/* base pages: none anywhere in the process, its stacks and bookkeeping
	 * included, so that a mover sees a process of base pages only */
	if (!o.thp && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("prctl PR_SET_THP_DISABLE: %s", strerror(errno));
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	if (!(w.waits = malloc(WAITS_MAX * sizeof(*w.waits))) ||
	    !(w.timeline = malloc(TIMELINE_MAX * sizeof(*w.timeline))))
		die("out of memory");
	/* the signals are taken here, by sigwait, never by a thread mid-read */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	setup_region();
	window_reset(now_ns());
	if (!o.no_alloc && pthread_create(&ta, NULL, allocator, NULL))
		die("pthread_create failed");
	if (!o.no_read && pthread_create(&tr, NULL, reader, NULL))
		die("pthread_create failed");
	say_ready();
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (sig == SIGUSR2) {
			window_reset(now_ns());
			printf("window %u\n", ++nw);
			fflush(stdout);
		} else if (sig == SIGUSR1)
			write_report(++n, 0, NULL);
		else
			break;
	}
	atomic_store(&stop, true);
	if (!o.no_alloc)
		pthread_join(ta, NULL);
	if (!o.no_read)
		pthread_join(tr, NULL);
	/* the window ends when the threads have stopped, before the check */
	end = now_ns();
	{
		bool ok = verify_region();

		write_report(++n, end, ok ? "ok" : "failed");
		return ok ? 0 : 1;
	}
}
