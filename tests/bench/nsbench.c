/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* nsbench: the baselines of `make bench` that no other tool provides.
 *
 *   nsbench migrate PID FROM TO
 *       one bare migrate_pages(2) call moving process PID from node FROM to
 *       node TO; prints "seconds=S not_migrated=N" (exit 1 when the call
 *       failed).
 *   nsbench memcpy --mib N --from A --to B [--threads T[,T..]] [--thp|--no-thp]
 *                  [--reps R]
 *       the node-to-node copy ceiling: N MiB placed on node A are copied to N
 *       MiB placed on node B by T threads (each a slice), both buffers faulted
 *       in once before any clock starts; each rep runs every thread count,
 *       starting one further along the list each time; one
 *       "threads=T rep=I seconds=S bytes=B" line per copy.
 *   nsbench plan DIR PID FROM TO [--coarse]
 *       the planner (common/plan.c) on process PID of a captured tree DIR
 *       (as mmigrate --dry-run --sysroot, but reading the tree's pagemap and
 *       kpageflags unless --coarse); prints "seconds=S runs=R planned_bytes=B
 *       already_bytes=A maxrss_kib=K".
 *   nsbench gentree DIR [--span-gib S] [--resident-mib R] [--maps M]
 *       write a synthetic tree: two nodes of 64 GiB, and process 4242 with M
 *       anonymous mappings covering S GiB of address space (default 1024)
 *       and R MiB resident (default 4096) in 2 MiB chunks spread evenly,
 *       alternately THP and base pages, alternately on node 0 and node 1.
 *       pagemap and kpageflags are sparse files: holes read as "not present".
 *
 * It links the core library only for the planner; the baselines call the
 * kernel directly so that they measure the kernel, not numashift.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <numaif.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "nodes.h"
#include "path.h"
#include "plan.h"
#include "procs.h"
#include "sysinfo.h"

#define MIB (1024ULL * 1024ULL)
#define GIB (1024ULL * MIB)
#define MASK_BITS (8 * sizeof(unsigned long))
#define MAX_THREADS 64

static void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void bench_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nsbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t bench_num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		bench_die("bad number '%s'", s);
	return v;
}

static int bench_node(const char *s)
{
	uint64_t n = bench_num(s);

	if (n >= MASK_BITS)
		bench_die("node %s: nsbench handles nodes 0..63", s);
	return (int)n;
}

/* ---- migrate: one bare migrate_pages(2) call ------------------------------ */

static int cmd_migrate(int argc, char **argv)
{
	unsigned long from, to;
	double t0, t1;
	long rc;
	pid_t pid;

	if (argc != 4)
		bench_die("usage: nsbench migrate PID FROM TO");
	pid = (pid_t)bench_num(argv[1]);
	from = 1UL << bench_node(argv[2]);
	to = 1UL << bench_node(argv[3]);
	t0 = bench_now();
	rc = migrate_pages(pid, MASK_BITS, &from, &to);
	t1 = bench_now();
	if (rc < 0) {
		fprintf(stderr, "nsbench: migrate_pages: %s\n", strerror(errno));
		return 1;
	}
	printf("seconds=%.6f not_migrated=%ld\n", t1 - t0, rc);
	return 0;
}

/* ---- memcpy: the node-to-node copy ceiling ---------------------------------- */

struct copy_slice {
	pthread_t tid;
	char *dst;
	const char *src;
	size_t len;
};

static void *copy_slice_run(void *arg)
{
	struct copy_slice *s = arg;

	memcpy(s->dst, s->src, s->len);
	return NULL;
}

/* Map len bytes whose pages all come from node, faulted in. */
static char *copy_buffer(size_t len, int node, int thp)
{
	unsigned long mask = 1UL << node;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (thp >= 0)
		madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	if (mbind(p, len, MPOL_BIND, &mask, MASK_BITS, 0) < 0) {
		munmap(p, len);
		return NULL;
	}
	memset(p, 0x5a, len);
	return p;
}

/* One timed copy of src to dst split into nthreads slices; seconds. */
static double copy_once(char *dst, const char *src, size_t len, unsigned nthreads)
{
	struct copy_slice s[MAX_THREADS];
	size_t slice = len / nthreads;
	double t0 = bench_now();

	for (unsigned i = 0; i < nthreads; i++) {
		s[i].dst = dst + i * slice;
		s[i].src = src + i * slice;
		s[i].len = i + 1 == nthreads ? len - i * slice : slice;
		if (i > 0 && pthread_create(&s[i].tid, NULL, copy_slice_run, &s[i]) != 0)
			bench_die("cannot start a copy thread");
	}
	copy_slice_run(&s[0]);
	for (unsigned i = 1; i < nthreads; i++)
		pthread_join(s[i].tid, NULL);
	return bench_now() - t0;
}

/* "1,2,4" into v; returns the count. */
static int copy_threads_parse(const char *arg, uint64_t *v)
{
	char buf[256], *save = NULL, *tok;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_THREADS)
			bench_die("memcpy: too many thread counts in '%s'", arg);
		v[n] = bench_num(tok);
		if (v[n] < 1 || v[n] > MAX_THREADS)
			bench_die("memcpy: thread count '%s' not in 1..64", tok);
		n++;
	}
	if (!n)
		bench_die("memcpy: no thread count in '%s'", arg);
	return n;
}

static int cmd_memcpy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'T' },
		{ "thp", no_argument, NULL, 'H' },
		{ "no-thp", no_argument, NULL, 'N' },
		{ "reps", required_argument, NULL, 'r' },
		{ 0 }
	};
	uint64_t mib = 256, reps = 1, nthreads[MAX_THREADS] = { 1 };
	int c, from = 0, to = 1, thp = -1, nt = 1;
	char *src, *dst;
	size_t len;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mib = bench_num(optarg); break;
		case 'f': from = bench_node(optarg); break;
		case 't': to = bench_node(optarg); break;
		case 'T': nt = copy_threads_parse(optarg, nthreads); break;
		case 'H': thp = 1; break;
		case 'N': thp = 0; break;
		case 'r': reps = bench_num(optarg); break;
		default: bench_die("memcpy: bad option '%s'", argv[optind - 1]);
		}
	}
	if (!mib || !reps)
		bench_die("memcpy: --mib and --reps must be positive");
	len = (size_t)(mib * MIB);
	src = copy_buffer(len, from, thp);
	dst = copy_buffer(len, to, thp);
	if (!src || !dst) {
		fprintf(stderr, "nsbench: cannot place %" PRIu64 " MiB on nodes %d and %d: %s\n",
			mib, from, to, strerror(errno));
		return 1;
	}
	for (uint64_t i = 0; i < reps; i++) {
		for (int k = 0; k < nt; k++) {
			uint64_t t = nthreads[(i + (uint64_t)k) % (uint64_t)nt];

			printf("threads=%" PRIu64 " rep=%" PRIu64 " seconds=%.6f bytes=%zu\n",
			       t, i + 1, copy_once(dst, src, len, (unsigned)t), len);
		}
	}
	munmap(src, len);
	munmap(dst, len);
	return 0;
}

/* ---- plan: the planner on a captured tree ------------------------------------ */

static long bench_maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int cmd_plan(int argc, char **argv)
{
	struct ns_topology topo;
	struct plan_opts po;
	struct proc_id id;
	struct plan p;
	double t0, t1;
	int rc;

	if (argc < 5 || argc > 6 || (argc == 6 && strcmp(argv[5], "--coarse")))
		bench_die("usage: nsbench plan DIR PID FROM TO [--coarse]");
	if (path_set_root(argv[1]) < 0)
		bench_die("%s: not a tree with proc/", argv[1]);
	t0 = bench_now();
	if (topo_read(&topo) < 0)
		bench_die("%s: cannot read the node layout", argv[1]);
	memset(&po, 0, sizeof(po));
	nodeset_add(&po.from, bench_node(argv[3]));
	nodeset_add(&po.to, bench_node(argv[4]));
	po.topo = &topo;
	po.use_pagemap = argc == 5;
	if (procs_identify((pid_t)bench_num(argv[2]), &id) < 0)
		bench_die("process %s: not in the tree", argv[2]);
	plan_init(&p, &po);
	rc = plan_add_process(&p, &po, &id, NULL, NULL);
	t1 = bench_now();
	if (rc < 0) {
		fprintf(stderr, "nsbench: plan: %s\n", strerror(-rc));
		return 1;
	}
	printf("seconds=%.6f runs=%zu planned_bytes=%" PRIu64 " already_bytes=%" PRIu64
	       " thp_entries=%" PRIu64 " coarse=%d maxrss_kib=%ld\n",
	       t1 - t0, p.procs[0].nruns, plan_total_bytes(&p, NULL),
	       p.procs[0].already_pages * p.page_size, p.procs[0].thp_entries,
	       (int)p.procs[0].coarse, bench_maxrss_kib());
	plan_free(&p);
	topo_free(&topo);
	return 0;
}

/* ---- gentree: a synthetic 1 TiB process -------------------------------------- */

#define GEN_PID 4242
#define GEN_PAGE 4096ULL
#define GEN_CHUNK (2 * MIB)                       /* one THP */
#define GEN_NODE_BYTES (64 * GIB)
#define GEN_BLOCK (2 * GIB)                       /* memory block size */
#define GEN_BASE 0x100000000ULL                   /* first mapping */
#define GEN_GAP (1 * GIB)                         /* hole between mappings */
#define PM_PRESENT (1ULL << 63)
#define PM_EXCL (1ULL << 56)
#define KPF_LRU (1ULL << 5)
#define KPF_ANON (1ULL << 12)
#define KPF_SWAPBACKED (1ULL << 14)
#define KPF_HEAD (1ULL << 15)
#define KPF_TAIL (1ULL << 16)
#define KPF_THP (1ULL << 22)

static void gen_put(const char *dir, const char *rel, const char *text)
{
	char path[4096], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		bench_die("cannot write %s", path);
}

static void gen_machine(const char *dir)
{
	char rel[256], text[1024];
	uint64_t kb = GEN_NODE_BYTES / 1024;

	gen_put(dir, "sys/devices/system/node/online", "0-1\n");
	gen_put(dir, "sys/devices/system/node/possible", "0-1\n");
	gen_put(dir, "sys/devices/system/node/has_memory", "0-1\n");
	gen_put(dir, "sys/devices/system/node/has_normal_memory", "0-1\n");
	gen_put(dir, "sys/devices/system/node/has_cpu", "0-1\n");
	gen_put(dir, "sys/devices/system/cpu/online", "0-1\n");
	snprintf(text, sizeof(text), "%llx\n", (unsigned long long)GEN_BLOCK);
	gen_put(dir, "sys/devices/system/memory/block_size_bytes", text);
	gen_put(dir, "sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
	snprintf(text, sizeof(text), "%llu\n", (unsigned long long)GEN_CHUNK);
	gen_put(dir, "sys/kernel/mm/transparent_hugepage/hpage_pmd_size", text);
	gen_put(dir, "proc/sys/kernel/numa_balancing", "0\n");
	snprintf(text, sizeof(text), "MemTotal: %" PRIu64 " kB\nMemFree: %" PRIu64 " kB\n"
		 "Hugepagesize: 2048 kB\n", 2 * kb, kb);
	gen_put(dir, "proc/meminfo", text);
	gen_put(dir, "proc/buddyinfo",
		"Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0  15000\n"
		"Node 1, zone   Normal      0      0      0      0      0      0      0      0      0      0  15000\n");
	for (int n = 0; n < 2; n++) {
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/cpulist", n);
		snprintf(text, sizeof(text), "%d\n", n);
		gen_put(dir, rel, text);
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/distance", n);
		gen_put(dir, rel, n ? "20 10\n" : "10 20\n");
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/meminfo", n);
		snprintf(text, sizeof(text), "Node %d MemTotal: %" PRIu64 " kB\nNode %d MemFree: %"
			 PRIu64 " kB\nNode %d HugePages_Free: 0\n", n, kb, n, kb * 15 / 16, n);
		gen_put(dir, rel, text);
		for (uint64_t b = 0; b < GEN_NODE_BYTES / GEN_BLOCK; b++) {
			snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/memory%" PRIu64 "/.keep",
				 n, (uint64_t)(n * (GEN_NODE_BYTES / GEN_BLOCK) + b));
			gen_put(dir, rel, "");
		}
	}
}

static void gen_pwrite(int fd, const uint64_t *v, size_t n, uint64_t index)
{
	if (pwrite(fd, v, n * sizeof(*v), (off_t)(index * sizeof(*v))) != (ssize_t)(n * sizeof(*v)))
		bench_die("pwrite: %s", strerror(errno));
}

static int gen_open(const char *dir, const char *rel)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		bench_die("cannot create %s", path);
	return fd;
}

/* One 2 MiB chunk at addr on node, THP or base pages: its pagemap entries
 * and kpageflags.  next_pfn[node] hands out the node's frames in order. */
static void gen_chunk(int pm, int kf, uint64_t addr, int node, bool thp, uint64_t *next_pfn)
{
	uint64_t n = GEN_CHUNK / GEN_PAGE, pfn = next_pfn[node];
	uint64_t pe[512], kv[512];

	for (uint64_t i = 0; i < n; i++) {
		pe[i] = PM_PRESENT | PM_EXCL | (pfn + i);
		kv[i] = KPF_ANON | KPF_SWAPBACKED | KPF_LRU;
		if (thp)
			kv[i] |= KPF_THP | (i ? KPF_TAIL : KPF_HEAD);
	}
	gen_pwrite(pm, pe, n, addr / GEN_PAGE);
	gen_pwrite(kf, kv, n, pfn);
	next_pfn[node] += n;
}

static void gen_process(const char *dir, uint64_t span, uint64_t resident, unsigned nmaps)
{
	uint64_t map_len = span / nmaps, chunks = resident / GEN_CHUNK / nmaps;
	uint64_t stride = chunks ? map_len / chunks / GEN_CHUNK * GEN_CHUNK : map_len;
	/* frame 0 is never handed out: a zero PFN means "no PFN" to a reader */
	uint64_t next_pfn[2] = { GEN_BLOCK / GEN_PAGE, GEN_NODE_BYTES / GEN_PAGE };
	size_t cap = (size_t)nmaps * 200 + 1;
	char *maps = calloc(1, cap), *numa = calloc(1, cap);
	size_t lm = 0, ln = 0;
	int pm, kf;

	if (!maps || !numa || stride < GEN_CHUNK)
		bench_die("gentree: too much resident memory for the span");
	gen_put(dir, "proc/4242/stat", "4242 (bigproc) S 1 4242 0 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 "
		"5000 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	gen_put(dir, "proc/4242/status", "Name:\tbigproc\nTgid:\t4242\nPid:\t4242\nPPid:\t1\n"
		"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nMems_allowed_list:\t0-1\n");
	pm = gen_open(dir, "proc/4242/pagemap");
	kf = gen_open(dir, "proc/kpageflags");
	for (unsigned m = 0; m < nmaps; m++) {
		uint64_t start = GEN_BASE + m * (map_len + GEN_GAP), pages[2] = { 0, 0 };

		for (uint64_t c = 0; c < chunks; c++) {
			int node = (int)((m + c) & 1);

			gen_chunk(pm, kf, start + c * stride, node, ((c >> 1) & 1) == 0, next_pfn);
			pages[node] += GEN_CHUNK / GEN_PAGE;
		}
		lm += (size_t)snprintf(maps + lm, cap - lm, "%" PRIx64 "-%" PRIx64
				       " rw-p 00000000 00:00 0\n", start, start + map_len);
		ln += (size_t)snprintf(numa + ln, cap - ln, "%" PRIx64 " default anon=%" PRIu64
				       " dirty=%" PRIu64 " N0=%" PRIu64 " N1=%" PRIu64
				       " kernelpagesize_kB=4\n", start, pages[0] + pages[1],
				       pages[0] + pages[1], pages[0], pages[1]);
	}
	/* the files end where the address space and the frames end */
	if (ftruncate(pm, (off_t)((GEN_BASE + nmaps * (map_len + GEN_GAP)) / GEN_PAGE * 8)) < 0 ||
	    ftruncate(kf, (off_t)(2 * GEN_NODE_BYTES / GEN_PAGE * 8)) < 0)
		bench_die("ftruncate: %s", strerror(errno));
	close(pm);
	close(kf);
	gen_put(dir, "proc/4242/maps", maps);
	gen_put(dir, "proc/4242/numa_maps", numa);
	free(maps);
	free(numa);
}

static int cmd_gentree(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "span-gib", required_argument, NULL, 's' },
		{ "resident-mib", required_argument, NULL, 'r' },
		{ "maps", required_argument, NULL, 'm' },
		{ 0 }
	};
	uint64_t span = 1024, resident = 4096, nmaps = 8;
	const char *dir;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': span = bench_num(optarg); break;
		case 'r': resident = bench_num(optarg); break;
		case 'm': nmaps = bench_num(optarg); break;
		default: bench_die("gentree: bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || !span || !nmaps || nmaps > 4096)
		bench_die("usage: nsbench gentree DIR [--span-gib S] [--resident-mib R] [--maps M]");
	if (resident * MIB > 2 * GEN_NODE_BYTES * 3 / 4)
		bench_die("gentree: at most 96 GiB resident");
	dir = argv[optind];
	mkdir(dir, 0755);
	gen_machine(dir);
	gen_process(dir, span * GIB, resident * MIB, (unsigned)nmaps);
	printf("tree=%s pid=%d span_gib=%" PRIu64 " resident_mib=%" PRIu64 " maps=%" PRIu64 "\n",
	       dir, GEN_PID, span, resident, nmaps);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		bench_die("usage: nsbench migrate|memcpy|plan|gentree ...");
	if (!strcmp(argv[1], "migrate"))
		return cmd_migrate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "memcpy"))
		return cmd_memcpy(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(argv[1], "gentree"))
		return cmd_gentree(argc - 1, argv + 1);
	bench_die("unknown command '%s' (migrate, memcpy, plan, gentree)", argv[1]);
	return 2;
}
