/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* nshelper: a live process whose memory the integration tests move around.
 *
 *   nshelper [--mib N] [--node N] [--thp|--no-thp] [--free-pct P]
 *            [--rewrite-pct R] [--shared-mib N] [--file PATH --file-mib N]
 *            [--fork] [--writers N] [--hugetlb N [--hugetlb-memfd]] [--mlock]
 *            [--churn] [--zero-mib N]
 *            [--ready FILE] [--seed S] [--corrupt OFFSET]
 *
 * It maps the regions asked for, fills every byte with a pattern derived from
 * (offset, seed), prints one "ready ..." line (stdout and --ready FILE,
 * written atomically) and waits.  SIGUSR1 verifies every byte and prints
 * "verify ok" or "verify FAILED offset=N region=R"; SIGUSR2 unmaps the upper
 * half of the private region (as a service frees memory while it is moved:
 * not with --writers, whose slices are there) and prints "unmapped BYTES";
 * --hugetlb N maps N huge pages privately (MAP_HUGETLB, "/anon_hugepage" in
 * maps); with --hugetlb-memfd they come from memfd_create(MFD_HUGETLB) mapped
 * shared ("/memfd:..." in maps, as a plain memfd shows).
 * --zero-mib N maps N MiB more that are only read: where the kernel has
 * the shared zero page, every page of it maps that page (with --thp the
 * region is THP-aligned and MADV_HUGEPAGE: the huge zero page, where
 * transparent_hugepage/use_zero_page is on).
 * SIGTERM/SIGINT stops the
 * writer threads, verifies, prints the result and "max_pause_us=N", and exits
 * 0 when every byte was right, 1 otherwise (2 for a usage error).
 *
 * Each 8-byte word holds a generation in its high 32 bits and, in its low 32
 * bits, a hash of (offset, seed, generation).  Writer threads rewrite their
 * slice with the next generation, so any single corrupted byte is caught
 * whatever generation a word is at.  The low half is always odd, so a word of
 * zeros (a discarded lazily freed page) never passes for data.
 *
 * The helper is deliberately independent of the core library it tests: it
 * reads page and THP sizes itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <numaif.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MIB (1024ULL * 1024ULL)
#define GEN_SALT 0x6e7368656c706572ULL  /* "nshelper" */
#define MAX_WRITERS 64
#define MASK_LONGS 16                   /* nodes 0..1023 */

enum region_id { R_PRIVATE, R_SHARED, R_FILE, R_HUGETLB, R_COUNT };
static const char *const region_names[R_COUNT] = {
	[R_PRIVATE] = "private", [R_SHARED] = "shared",
	[R_FILE] = "file", [R_HUGETLB] = "hugetlb",
};

struct region {
	uint64_t *base;
	size_t len;
	uint64_t seed;
};

struct opts {
	uint64_t mib, shared_mib, file_mib, hugetlb, seed, zero_mib;
	int node;               /* -1: no binding */
	int thp;                /* -1 default, 0 --no-thp, 1 --thp */
	unsigned free_pct, rewrite_pct, writers;
	bool free_set, rewrite_set, fork_child, mlock_it, churn, hugetlb_memfd;
	const char *file, *ready;
	int64_t corrupt;        /* byte offset in the private region, or -1 */
};

struct writer {
	pthread_t tid;
	size_t from, to;        /* byte range in the private region */
	uint64_t max_pause_ns;
};

static size_t page_size, thp_size;
static struct region regions[R_COUNT];
static size_t free_len, rewrite_len;
static struct writer writers[MAX_WRITERS];
static unsigned nwriters;
static pthread_t churn_tid;
static bool churn_running;
static int stop_flag;                    /* atomic: writers and churn stop */
static int64_t writer_bad = -1;          /* atomic: first offset a writer found wrong */
static pid_t child_pid;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("nshelper: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("nshelper: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see the comment at the top of tests/helpers/nshelper.c)\n", stderr);
	exit(2);
}

/* ---- pattern -------------------------------------------------------- */

static uint64_t pat_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t pat_word(uint64_t off, uint64_t seed, uint32_t gen)
{
	uint32_t lo = (uint32_t)pat_mix(off ^ seed);

	if (gen)
		lo ^= (uint32_t)pat_mix((uint64_t)gen ^ seed ^ GEN_SALT);
	return ((uint64_t)gen << 32) | lo | 1;
}

static bool pat_valid(uint64_t w, uint64_t off, uint64_t seed, bool any_gen)
{
	uint32_t gen = (uint32_t)(w >> 32);

	if (!any_gen && gen)
		return false;
	return w == pat_word(off, seed, gen);
}

static void region_fill(const struct region *r, size_t from, size_t to)
{
	for (size_t off = from; off < to; off += sizeof(uint64_t))
		r->base[off / sizeof(uint64_t)] = pat_word(off, r->seed, 0);
}

/* Offset of the first wrong byte in [from, to), or -1.  zero_ok: lazily
 * freed and not written again, so a discarded (zero) word is right too. */
static int64_t region_check(const struct region *r, size_t from, size_t to,
			    bool zero_ok, bool any_gen)
{
	for (size_t off = from; off < to; off += sizeof(uint64_t)) {
		uint64_t w = __atomic_load_n(&r->base[off / sizeof(uint64_t)], __ATOMIC_RELAXED);

		if (zero_ok && w == 0)
			continue;
		if (pat_valid(w, off, r->seed, any_gen))
			continue;
		uint64_t want = pat_word(off, r->seed, (uint32_t)(w >> 32));
		for (unsigned b = 0; b < sizeof(w); b++)
			if (((w ^ want) >> (8 * b)) & 0xff)
				return (int64_t)(off + b);
		return (int64_t)off;
	}
	return -1;
}

/* ---- setup ---------------------------------------------------------- */

static uint64_t parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v > max)
		usage_error("%s: bad number '%s' (0..%" PRIu64 ")", opt, s, max);
	return v;
}

static uint64_t read_sys_u64(const char *path, const char *key)
{
	char line[256];
	uint64_t v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		size_t kl = key ? strlen(key) : 0;

		if (key && strncmp(line, key, kl))
			continue;
		v = strtoull(line + kl, NULL, 10);
		break;
	}
	fclose(f);
	return v;
}

static void node_mask(int node, unsigned long *mask)
{
	memset(mask, 0, MASK_LONGS * sizeof(*mask));
	mask[node / (8 * sizeof(long))] |= 1UL << (node % (8 * sizeof(long)));
}

static void bind_range(void *addr, size_t len, int node)
{
	unsigned long mask[MASK_LONGS];

	if (node < 0 || !len)
		return;
	node_mask(node, mask);
	if (mbind(addr, len, MPOL_BIND, mask, MASK_LONGS * 8 * sizeof(long), 0))
		die("mbind to node %d: %s", node, strerror(errno));
}

/* Back to the default policy, so that a later migration is not undone by
 * the binding (MPOL_BIND would make the kernel refuse other nodes). */
static void unbind_range(void *addr, size_t len)
{
	if (len && mbind(addr, len, MPOL_DEFAULT, NULL, 0, 0))
		die("mbind MPOL_DEFAULT: %s", strerror(errno));
}

/* An anonymous region aligned to `align`, framed by PROT_NONE guard pages so
 * that it stays one mapping of its own (never merged with a neighbour). */
static void *map_aligned(size_t len, size_t align, int flags)
{
	size_t span = len + 2 * align;
	char *raw = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		die("mmap %zu bytes: %s", span, strerror(errno));
	p = (char *)(((uintptr_t)raw + align + align - 1) & ~(uintptr_t)(align - 1));
	if (mmap(p, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap %zu bytes: %s", len, strerror(errno));
	return p;
}

static size_t round_down(size_t v, size_t unit)
{
	return unit ? v / unit * unit : v;
}

static void setup_private(const struct opts *o)
{
	struct region *r = &regions[R_PRIVATE];
	size_t unit = thp_size ? thp_size : page_size;

	r->len = o->mib * MIB;
	r->seed = o->seed;
	r->base = map_aligned(r->len, unit, MAP_PRIVATE);
	if (o->thp >= 0 && thp_size &&
	    madvise(r->base, r->len, o->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise %s: %s", o->thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
	bind_range(r->base, r->len, o->node);
	region_fill(r, 0, r->len);
	if (!o->free_set)
		return;
	/* whole THPs only: a partly covered THP would be split */
	free_len = round_down((uint64_t)r->len * o->free_pct / 100, unit);
	rewrite_len = round_down((uint64_t)r->len * o->rewrite_pct / 100, unit);
	if (free_len && madvise(r->base, free_len, MADV_FREE))
		die("madvise MADV_FREE: %s", strerror(errno));
	region_fill(r, 0, rewrite_len);
}

static void setup_shared(const struct opts *o)
{
	struct region *r = &regions[R_SHARED];

	if (!o->shared_mib)
		return;
	r->len = o->shared_mib * MIB;
	r->seed = o->seed ^ 0x5348415245440000ULL;
	r->base = map_aligned(r->len, page_size, MAP_SHARED);
	bind_range(r->base, r->len, o->node);
	region_fill(r, 0, r->len);
}

static void setup_file(const struct opts *o)
{
	struct region *r = &regions[R_FILE];
	int fd;

	if (!o->file)
		return;
	r->len = o->file_mib * MIB;
	r->seed = o->seed ^ 0x46494c4500000000ULL;
	fd = open(o->file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", o->file, strerror(errno));
	if (ftruncate(fd, (off_t)r->len))
		die("%s: ftruncate: %s", o->file, strerror(errno));
	r->base = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->base == MAP_FAILED)
		die("%s: mmap: %s", o->file, strerror(errno));
	close(fd);
	region_fill(r, 0, r->len);
}

/* N huge pages if the pool has them; otherwise the region stays empty and
 * the ready line says hugetlb=0. */
static uint64_t setup_hugetlb(const struct opts *o)
{
	struct region *r = &regions[R_HUGETLB];
	uint64_t hsize = read_sys_u64("/proc/meminfo", "Hugepagesize:") * 1024;
	void *p;

	if (!o->hugetlb || !hsize)
		return 0;
	if (o->hugetlb_memfd) {
		int fd = memfd_create("nshelper-huge", MFD_CLOEXEC | MFD_HUGETLB);

		if (fd < 0 || ftruncate(fd, (off_t)(o->hugetlb * hsize)) < 0) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		p = mmap(NULL, o->hugetlb * hsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
	} else {
		p = mmap(NULL, o->hugetlb * hsize, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	}
	if (p == MAP_FAILED)
		return 0;
	r->base = p;
	r->len = o->hugetlb * hsize;
	r->seed = o->seed ^ 0x4855474500000000ULL;
	bind_range(r->base, r->len, o->node);
	region_fill(r, 0, r->len);
	return o->hugetlb;
}

/* --zero-mib: read, never written (not a region: nothing to verify) */
static void *zero_base;
static size_t zero_len;

static void setup_zero(const struct opts *o)
{
	volatile char sink = 0;

	if (!o->zero_mib)
		return;
	zero_len = o->zero_mib << 20;
	if (o->thp == 1 && thp_size) {
		zero_base = map_aligned(zero_len, thp_size, MAP_PRIVATE | MAP_ANONYMOUS);
		madvise(zero_base, zero_len, MADV_HUGEPAGE);
	} else {
		zero_base = mmap(NULL, zero_len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (zero_base == MAP_FAILED)
			die("mmap %zu bytes: %s", zero_len, strerror(errno));
		madvise(zero_base, zero_len, MADV_NOHUGEPAGE);
	}
	for (size_t off = 0; off < zero_len; off += page_size)
		sink += ((volatile char *)zero_base)[off];
	(void)sink;
}

static void corrupt_byte(int64_t off)
{
	struct region *r = &regions[R_PRIVATE];

	if (off < 0)
		return;
	if ((uint64_t)off >= r->len)
		usage_error("--corrupt %" PRId64 ": beyond the region (%zu bytes)", off, r->len);
	((volatile uint8_t *)r->base)[off] ^= 0x5a;
}

/* ---- verification --------------------------------------------------- */

struct verdict {
	int64_t offset;         /* -1 when all is right */
	const char *region;
};

static struct verdict verify_all(bool any_gen_private)
{
	struct verdict v = { -1, NULL };
	const struct region *p = &regions[R_PRIVATE];
	int64_t bad = __atomic_load_n(&writer_bad, __ATOMIC_RELAXED);

	if (bad >= 0)
		return (struct verdict){ bad, "private(writer)" };
	if ((v.offset = region_check(p, 0, rewrite_len, false, false)) >= 0 ||
	    (v.offset = region_check(p, rewrite_len, free_len, true, false)) >= 0 ||
	    (v.offset = region_check(p, free_len, p->len, false, any_gen_private)) >= 0) {
		v.region = region_names[R_PRIVATE];
		return v;
	}
	for (int i = R_SHARED; i < R_COUNT; i++) {
		if (!regions[i].len)
			continue;
		v.offset = region_check(&regions[i], 0, regions[i].len, false, false);
		if (v.offset >= 0) {
			v.region = region_names[i];
			return v;
		}
	}
	/* a writer may have passed over a bad word while we were reading */
	bad = __atomic_load_n(&writer_bad, __ATOMIC_RELAXED);
	if (bad >= 0)
		return (struct verdict){ bad, "private(writer)" };
	return v;
}

static bool report(struct verdict v)
{
	if (v.offset < 0)
		printf("verify ok\n");
	else
		printf("verify FAILED offset=%" PRId64 " region=%s\n", v.offset, v.region);
	fflush(stdout);
	return v.offset < 0;
}

/* ---- threads -------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool stopping(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED);
}

/* Rewrite the slice page by page with the next generation, checking each
 * word still holds the previous one; the longest time between two pages is
 * the longest stall the process saw (a page fault waiting on a migration). */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	const struct region *r = &regions[R_PRIVATE];
	uint64_t last = now_ns();

	for (uint32_t gen = 1; !stopping(); gen++) {
		for (size_t pg = w->from; pg < w->to && !stopping(); pg += page_size) {
			for (size_t off = pg; off < pg + page_size; off += sizeof(uint64_t)) {
				uint64_t *word = &r->base[off / sizeof(uint64_t)];
				uint64_t old = __atomic_load_n(word, __ATOMIC_RELAXED);
				int64_t none = -1;

				if (old != pat_word(off, r->seed, gen - 1))
					__atomic_compare_exchange_n(&writer_bad, &none, (int64_t)off, false,
								    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
				__atomic_store_n(word, pat_word(off, r->seed, gen), __ATOMIC_RELAXED);
			}
			uint64_t t = now_ns();
			if (t - last > w->max_pause_ns)
				w->max_pause_ns = t - last;
			last = t;
		}
	}
	return NULL;
}

static void writers_start(unsigned n)
{
	const struct region *r = &regions[R_PRIVATE];
	size_t span = r->len - free_len, pages = span / page_size;

	if (!n || !pages)
		return;
	if (n > pages)
		n = (unsigned)pages;
	for (unsigned i = 0; i < n; i++) {
		struct writer *w = &writers[i];

		w->from = free_len + pages * i / n * page_size;
		w->to = free_len + pages * (i + 1) / n * page_size;
		if (pthread_create(&w->tid, NULL, writer_main, w))
			die("pthread_create failed");
		nwriters++;
	}
}

/* Keeps the mmap lock busy while memory moves: small regions mapped,
 * touched, grown with mremap and unmapped again. */
static void *churn_main(void *arg)
{
	size_t small = 16 * page_size;

	(void)arg;
	while (!stopping()) {
		char *p = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *q;

		if (p == MAP_FAILED)
			continue;
		for (size_t i = 0; i < small; i += page_size)
			p[i] = (char)i;
		q = mremap(p, small, 2 * small, MREMAP_MAYMOVE);
		if (q == MAP_FAILED) {
			munmap(p, small);
			continue;
		}
		for (size_t i = 0; i < 2 * small; i += page_size)
			q[i] = 1;
		munmap(q, 2 * small);
	}
	return NULL;
}

static uint64_t threads_stop(void)
{
	uint64_t max = 0;

	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < nwriters; i++) {
		pthread_join(writers[i].tid, NULL);
		if (writers[i].max_pause_ns > max)
			max = writers[i].max_pause_ns;
	}
	if (churn_running)
		pthread_join(churn_tid, NULL);
	return max / 1000;
}

/* SIGUSR2: the upper half of the private region goes (page aligned); the
 * checks afterwards cover the lower half. */
static void unmap_upper_half(void)
{
	struct region *r = &regions[R_PRIVATE];
	size_t keep = r->len / 2 / page_size * page_size;

	if (nwriters > 0 || keep == r->len) {
		printf("unmapped 0\n");
	} else if (munmap((char *)r->base + keep, r->len - keep)) {
		printf("unmapped 0 (%s)\n", strerror(errno));
	} else {
		printf("unmapped %zu\n", r->len - keep);
		r->len = keep;
	}
	fflush(stdout);
}

/* ---- the forked child ----------------------------------------------- */

/* The child shares every private page with the parent (copy on write,
 * mapped twice) until someone writes; on SIGTERM it checks its own view and
 * exits 0 or 1, which the parent reports. */
static void child_main(const sigset_t *set)
{
	int sig;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		if (sigwait(set, &sig))
			_exit(1);
		if (sig == SIGTERM || sig == SIGINT) {
			struct verdict v = verify_all(false);

			if (v.offset >= 0)
				printf("verify FAILED offset=%" PRId64 " region=child-%s\n", v.offset, v.region);
			fflush(stdout);
			_exit(v.offset < 0 ? 0 : 1);
		}
	}
}

static void fork_child(const sigset_t *set)
{
	fflush(NULL);
	child_pid = fork();
	if (child_pid < 0)
		die("fork: %s", strerror(errno));
	if (child_pid == 0)
		child_main(set);
}

static bool child_stop(void)
{
	int st;

	if (child_pid <= 0)
		return true;
	kill(child_pid, SIGTERM);
	if (waitpid(child_pid, &st, 0) < 0)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ---- ready line ----------------------------------------------------- */

static int ready_append(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int ready_append(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < len - *at)
		*at += (size_t)n;
	return n;
}

static void ready_announce(const struct opts *o, uint64_t huge_got, bool thp_on)
{
	char line[1024], tmp[4096];
	size_t at = 0;
	int fd;
	const struct region *p = &regions[R_PRIVATE];

	ready_append(line, sizeof(line), &at, "ready pid=%d addr=%p len=%zu", (int)getpid(),
		     (void *)p->base, p->len);
	if (o->free_set)
		ready_append(line, sizeof(line), &at, " free_len=%zu rewrite_len=%zu", free_len, rewrite_len);
	if (regions[R_SHARED].len)
		ready_append(line, sizeof(line), &at, " shared_addr=%p shared_len=%zu",
			     (void *)regions[R_SHARED].base, regions[R_SHARED].len);
	if (regions[R_FILE].len)
		ready_append(line, sizeof(line), &at, " file_addr=%p file_len=%zu",
			     (void *)regions[R_FILE].base, regions[R_FILE].len);
	if (o->hugetlb)
		ready_append(line, sizeof(line), &at, " hugetlb=%" PRIu64, huge_got);
	if (regions[R_HUGETLB].len)
		ready_append(line, sizeof(line), &at, " hugetlb_addr=%p hugetlb_len=%zu",
			     (void *)regions[R_HUGETLB].base, regions[R_HUGETLB].len);
	if (zero_len)
		ready_append(line, sizeof(line), &at, " zero_addr=%p zero_len=%zu", zero_base, zero_len);
	if (child_pid > 0)
		ready_append(line, sizeof(line), &at, " child=%d", (int)child_pid);
	if (nwriters)
		ready_append(line, sizeof(line), &at, " writers=%u", nwriters);
	ready_append(line, sizeof(line), &at, " page_size=%zu thp_size=%zu thp=%d",
		     page_size, thp_size, thp_on ? 1 : 0);
	printf("%s\n", line);
	fflush(stdout);
	if (!o->ready)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", o->ready, (int)getpid()) >= (int)sizeof(tmp))
		die("--ready: path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", tmp, strerror(errno));
	line[at++] = '\n';
	if (write(fd, line, at) != (ssize_t)at || close(fd))
		die("%s: write failed", tmp);
	if (rename(tmp, o->ready))
		die("%s: %s", o->ready, strerror(errno));
}

/* THP in use for the private region: enabled system-wide ("always") or by
 * MADV_HUGEPAGE, and not refused with --no-thp. */
static bool thp_effective(const struct opts *o)
{
	char mode[128] = "";
	FILE *f;

	if (!thp_size || o->thp == 0)
		return false;
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = 0;
		fclose(f);
	}
	if (o->thp == 1)
		return strstr(mode, "[never]") == NULL;
	return strstr(mode, "[always]") != NULL;
}

/* ---- main ----------------------------------------------------------- */

enum {
	O_MIB = 256, O_NODE, O_THP, O_NOTHP, O_FREE, O_REWRITE, O_SHARED, O_FILE, O_FILEMIB,
	O_FORK, O_WRITERS, O_HUGETLB, O_HUGETLB_MEMFD, O_ZERO, O_MLOCK, O_CHURN, O_READY, O_SEED, O_CORRUPT,
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "mib", required_argument, NULL, O_MIB },
		{ "node", required_argument, NULL, O_NODE },
		{ "thp", no_argument, NULL, O_THP },
		{ "no-thp", no_argument, NULL, O_NOTHP },
		{ "free-pct", required_argument, NULL, O_FREE },
		{ "rewrite-pct", required_argument, NULL, O_REWRITE },
		{ "shared-mib", required_argument, NULL, O_SHARED },
		{ "file", required_argument, NULL, O_FILE },
		{ "file-mib", required_argument, NULL, O_FILEMIB },
		{ "fork", no_argument, NULL, O_FORK },
		{ "writers", required_argument, NULL, O_WRITERS },
		{ "hugetlb", required_argument, NULL, O_HUGETLB },
		{ "hugetlb-memfd", no_argument, NULL, O_HUGETLB_MEMFD },
		{ "zero-mib", required_argument, NULL, O_ZERO },
		{ "mlock", no_argument, NULL, O_MLOCK },
		{ "churn", no_argument, NULL, O_CHURN },
		{ "ready", required_argument, NULL, O_READY },
		{ "seed", required_argument, NULL, O_SEED },
		{ "corrupt", required_argument, NULL, O_CORRUPT },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .mib = 64, .node = -1, .thp = -1, .seed = 1, .corrupt = -1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_MIB: o->mib = parse_u64("--mib", optarg, 1 << 20); break;
		case O_NODE: o->node = (int)parse_u64("--node", optarg, MASK_LONGS * 64 - 1); break;
		case O_THP: o->thp = 1; break;
		case O_NOTHP: o->thp = 0; break;
		case O_FREE: o->free_pct = (unsigned)parse_u64("--free-pct", optarg, 100); o->free_set = true; break;
		case O_REWRITE: o->rewrite_pct = (unsigned)parse_u64("--rewrite-pct", optarg, 100); o->rewrite_set = true; break;
		case O_SHARED: o->shared_mib = parse_u64("--shared-mib", optarg, 1 << 20); break;
		case O_FILE: o->file = optarg; break;
		case O_FILEMIB: o->file_mib = parse_u64("--file-mib", optarg, 1 << 20); break;
		case O_FORK: o->fork_child = true; break;
		case O_WRITERS: o->writers = (unsigned)parse_u64("--writers", optarg, MAX_WRITERS); break;
		case O_HUGETLB: o->hugetlb = parse_u64("--hugetlb", optarg, 1 << 20); break;
		case O_HUGETLB_MEMFD: o->hugetlb_memfd = true; break;
		case O_ZERO: o->zero_mib = parse_u64("--zero-mib", optarg, 1 << 20); break;
		case O_MLOCK: o->mlock_it = true; break;
		case O_CHURN: o->churn = true; break;
		case O_READY: o->ready = optarg; break;
		case O_SEED: o->seed = parse_u64("--seed", optarg, UINT64_MAX); break;
		case O_CORRUPT: o->corrupt = (int64_t)parse_u64("--corrupt", optarg, INT64_MAX); break;
		default: usage_error("unknown option or missing argument: '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->mib)
		usage_error("--mib must be at least 1");
	if (o->rewrite_set && !o->free_set)
		usage_error("--rewrite-pct needs --free-pct");
	if (o->rewrite_pct > o->free_pct)
		usage_error("--rewrite-pct %u is more than --free-pct %u", o->rewrite_pct, o->free_pct);
	if (o->file_mib && !o->file)
		usage_error("--file-mib needs --file PATH");
	if (o->hugetlb_memfd && !o->hugetlb)
		usage_error("--hugetlb-memfd needs --hugetlb N");
	if (o->file && !o->file_mib)
		o->file_mib = 16;
}

int main(int argc, char **argv)
{
	struct opts o;
	sigset_t set;
	uint64_t huge_got, max_pause_us;
	struct verdict v;
	bool ok, child_ok;
	int sig;

	parse_args(argc, argv, &o);
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	thp_size = read_sys_u64("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", NULL);

	/* signals are taken synchronously by the main thread (sigwait), so
	 * verification never runs inside a signal handler */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	setup_private(&o);
	setup_shared(&o);
	if (o.node >= 0) {
		/* page cache pages follow the task's policy, not the mapping's */
		unsigned long mask[MASK_LONGS];

		node_mask(o.node, mask);
		if (set_mempolicy(MPOL_BIND, mask, MASK_LONGS * 8 * sizeof(long)))
			die("set_mempolicy node %d: %s", o.node, strerror(errno));
	}
	setup_file(&o);
	huge_got = setup_hugetlb(&o);
	setup_zero(&o);
	if (o.node >= 0 && set_mempolicy(MPOL_DEFAULT, NULL, 0))
		die("set_mempolicy MPOL_DEFAULT: %s", strerror(errno));
	for (int i = 0; i < R_COUNT; i++)
		if (i != R_FILE)
			unbind_range(regions[i].base, regions[i].len);
	corrupt_byte(o.corrupt);
	/* the system call itself: AddressSanitizer's mlock() is a no-op that
	 * returns 0, and the guest suite also runs with ASan-built helpers */
	if (o.mlock_it && syscall(SYS_mlock, regions[R_PRIVATE].base, regions[R_PRIVATE].len))
		die("mlock %zu bytes: %s", regions[R_PRIVATE].len, strerror(errno));
	if (o.fork_child)
		fork_child(&set);
	writers_start(o.writers);
	if (o.churn) {
		if (pthread_create(&churn_tid, NULL, churn_main, NULL))
			die("pthread_create failed");
		churn_running = true;
	}
	ready_announce(&o, huge_got, thp_effective(&o));

	for (;;) {
		if (sigwait(&set, &sig))
			die("sigwait failed");
		if (sig == SIGUSR1) {
			report(verify_all(nwriters > 0));
			continue;
		}
		if (sig == SIGUSR2) {
			unmap_upper_half();
			continue;
		}
		break;
	}
	max_pause_us = threads_stop();
	child_ok = child_stop();        /* the child prints its own failure */
	v = verify_all(nwriters > 0);
	ok = child_ok && v.offset < 0;
	if (child_ok || v.offset >= 0)
		report(v);
	printf("max_pause_us=%" PRIu64 "\n", max_pause_us);
	fflush(stdout);
	return ok ? 0 : 1;
}
