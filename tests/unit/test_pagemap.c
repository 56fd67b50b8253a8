/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* pagemap on this test's own memory: present/absent runs, nodes by PFN and by
 * move_pages query, kpageflags THP and lazyfree as root, batch boundaries,
 * and the PFN-to-node table of a synthetic sysfs tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include "tap.h"
#include "pagemap.h"
#include "path.h"
#include "sysinfo.h"

#define MAX_RUNS 64

struct runs {
	struct page_run v[MAX_RUNS];
	int n;
	int overflow;
};

static int collect(void *ud, const struct page_run *run)
{
	struct runs *r = ud;

	if (r->n == MAX_RUNS) {
		r->overflow = 1;
		return 0;
	}
	r->v[r->n++] = *run;
	return 0;
}

static uint64_t page;

static int walk(unsigned want, void *base, uint64_t npages, struct runs *out,
		int *has_pfn, int *has_kpf)
{
	struct pm_reader *r;
	int rc = pm_open(&r, getpid(), want);

	memset(out, 0, sizeof(*out));
	if (rc < 0)
		return rc;
	*has_pfn = pm_has_pfn(r);
	*has_kpf = pm_has_kpf(r);
	rc = pm_walk(r, (uintptr_t)base, (uintptr_t)base + npages * page, collect, out);
	pm_close(r);
	return rc;
}

static uint64_t count_pages(const struct runs *rs, unsigned flag, int want_set)
{
	uint64_t n = 0;

	for (int i = 0; i < rs->n; i++)
		if (!!(rs->v[i].flags & flag) == want_set)
			n += rs->v[i].pages;
	return n;
}

static int all_present_on_node(const struct runs *rs, int node)
{
	for (int i = 0; i < rs->n; i++)
		if ((rs->v[i].flags & RUN_PRESENT) && rs->v[i].node != node)
			return 0;
	return 1;
}

/* Effective capabilities on or off (the permitted set stays), so that one
 * root test can also see what a plain user sees: pagemap shows PFNs only
 * to an opener with CAP_SYS_ADMIN. */
static int set_effective_caps(int on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		d[i].effective = on ? d[i].permitted : 0;
	return (int)syscall(SYS_capset, &h, d);
}

/* Every per-CPU LRU batch drained: MADV_FREE only clears PG_swapbacked when
 * its batch is flushed, and move_pages(2) with a target node drains all of
 * them (lru_cache_disable) before it migrates. */
static void drain_lru(void *addr)
{
	void *pages[1] = { addr };
	int nodes[1] = { 0 }, status[1];

	syscall(SYS_move_pages, 0, 1UL, pages, nodes, status, 0);
}

static void test_basic(int root)
{
	const uint64_t n = 64;
	char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct runs rs;
	int has_pfn, has_kpf, rc;

	ok(p != MAP_FAILED, "mmap %llu pages", (unsigned long long)n);
	if (p == MAP_FAILED)
		return;
	madvise(p, n * page, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < 10; i++)
		p[i * page] = 1;
	for (uint64_t i = 20; i < 30; i++)
		p[i * page] = 1;

	rc = walk(PM_WANT_NODE | PM_WANT_KPF, p, n, &rs, &has_pfn, &has_kpf);
	is_u64(rc, 0, "pm_walk over own memory");
	is_u64(count_pages(&rs, RUN_PRESENT, 1), 20, "20 present pages");
	is_u64(count_pages(&rs, RUN_PRESENT, 0), 44, "44 absent pages");
	is_u64(rs.n, 4, "4 runs: touched, untouched, touched, untouched");
	ok(rs.n >= 2 && rs.v[1].start == (uintptr_t)(p + 10 * page) && !(rs.v[1].flags & RUN_PRESENT),
	   "a run boundary where the touched pages end");
	ok(rs.n >= 1 && rs.v[0].pages == 10 && (rs.v[0].flags & RUN_EXCLUSIVE),
	   "first run: 10 exclusive pages");
	ok(all_present_on_node(&rs, 0), "present pages on node 0 (%s)",
	   has_pfn ? "PFN and sysfs memory blocks" : "move_pages query");
	ok(rs.n >= 2 && rs.v[1].node == RUN_NODE_NONE, "absent pages have no node");
	is_u64(has_pfn, root, "PFNs visible exactly when root");
	is_u64(has_kpf, root, "kpageflags read exactly when root");
	if (root)
		ok(rs.v[0].pfn != 0 && (rs.v[0].flags & RUN_KPF) && !(rs.v[0].flags & RUN_LAZYFREE),
		   "root: PFN shown, kpageflags known, not lazyfree");

	/* the query path, as a plain user would take it */
	if (root && set_effective_caps(0) == 0) {
		rc = walk(PM_WANT_NODE | PM_WANT_KPF, p, n, &rs, &has_pfn, &has_kpf);
		set_effective_caps(1);
		is_u64(rc, 0, "pm_walk without capabilities");
		ok(!has_pfn && !has_kpf, "without CAP_SYS_ADMIN: no PFN, no kpageflags");
		is_u64(rs.n, 4, "same 4 runs");
		ok(all_present_on_node(&rs, 0), "present pages on node 0 by move_pages query");
		ok(rs.n == 4 && rs.v[0].pfn == 0 && !(rs.v[0].flags & RUN_KPF),
		   "no PFN and no kpageflags state in the runs");
	}

	/* without PM_WANT_NODE present pages have an unknown node */
	rc = walk(0, p, n, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 4 && rs.v[0].node == RUN_NODE_UNKNOWN,
	   "no node asked: RUN_NODE_UNKNOWN");

	/* lazily freed pages (root: kpageflags) form their own run */
	if (root) {
		madvise(p + 20 * page, 10 * page, MADV_FREE);
		drain_lru(p);
		rc = walk(PM_WANT_NODE | PM_WANT_KPF, p, n, &rs, &has_pfn, &has_kpf);
		is_u64(count_pages(&rs, RUN_LAZYFREE, 1), 10, "MADV_FREE: 10 lazyfree pages");
		ok(rc == 0 && rs.n == 4 && (rs.v[2].flags & RUN_LAZYFREE) &&
		   rs.v[2].start == (uintptr_t)(p + 20 * page), "lazyfree run at page 20");
	}
	ok(walk(0, p + 1, n - 1, &rs, &has_pfn, &has_kpf) == -EINVAL,
	   "unaligned start: -EINVAL");
	munmap(p, n * page);
}

/* Pages on both sides of a PM_BATCH boundary merge into one run. */
static void test_batch_boundary(void)
{
	const uint64_t n = PM_BATCH + 64;
	char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct runs rs;
	int has_pfn, has_kpf, rc;

	if (p == MAP_FAILED) {
		ok(0, "mmap of a batch and more");
		return;
	}
	madvise(p, n * page, MADV_NOHUGEPAGE);
	for (uint64_t i = PM_BATCH - 8; i < PM_BATCH + 8; i++)
		p[i * page] = 1;
	rc = walk(PM_WANT_NODE | PM_WANT_KPF, p, n, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 3, "3 runs over %llu pages", (unsigned long long)n);
	ok(rs.n == 3 && rs.v[1].pages == 16 && rs.v[1].start == (uintptr_t)(p + (PM_BATCH - 8) * page),
	   "the 16 present pages across the batch boundary are one run");
	ok(rs.n == 3 && rs.v[2].pages == 56, "last run ends at 'end'");
	munmap(p, n * page);
}

/* AnonHugePages of the smaps entry starting at addr, in kB (-1: none). */
static long smaps_anon_huge(void *addr)
{
	char line[512];
	unsigned long start;
	int in = 0;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		/* a mapping header, not a "Key:" line */
		if (sp && sp > line && sp[-1] != ':' && sscanf(line, "%lx-", &start) == 1)
			in = start == (uintptr_t)addr;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static int thp_madvise_allowed(void)
{
	char buf[128];
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, "[always]") || strstr(buf, "[madvise]");
}

static void test_thp(int root)
{
	uint64_t thp = sys_thp_size(), tp;
	char *raw, *p;
	struct runs rs;
	int has_pfn, has_kpf, rc;
	long huge_kb;

	if (!thp || !thp_madvise_allowed() || !root) {
		printf("ok %d - # SKIP THP: %s\n", ++tap_n,
		       !root ? "kpageflags needs root" : "THP not enabled for madvise");
		return;
	}
	tp = thp / page;
	raw = mmap(NULL, 3 * thp, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		ok(0, "mmap 3 THPs");
		return;
	}
	p = (char *)(((uintptr_t)raw + thp - 1) & ~(uintptr_t)(thp - 1));
	/* its own VMA, so smaps tells its AnonHugePages apart */
	munmap(raw, (size_t)(p - raw));
	munmap(p + 2 * thp, (size_t)(raw + 3 * thp - (p + 2 * thp)));
	madvise(p, 2 * thp, MADV_HUGEPAGE);
	for (uint64_t off = 0; off < 2 * thp; off += page)
		p[off] = 1;
	huge_kb = smaps_anon_huge(p);
	if (huge_kb != (long)(2 * thp / 1024)) {
		printf("ok %d - # SKIP THP: the kernel gave %ld kB of THP, not 2 THPs\n", ++tap_n, huge_kb);
		munmap(p, 2 * thp);
		return;
	}
	rc = walk(PM_WANT_NODE | PM_WANT_KPF, p, 2 * tp, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 1 && rs.v[0].pages == 2 * tp && (rs.v[0].flags & RUN_THP),
	   "2 THPs: one run of %llu pages flagged THP", (unsigned long long)(2 * tp));
	ok(rs.n == 1 && !(rs.v[0].flags & RUN_LAZYFREE) && rs.v[0].node == 0,
	   "THP pages not lazyfree, on node 0");
	rc = walk(PM_WANT_NODE | PM_WANT_KPF | PM_WANT_THP_ONLY, p, 2 * tp, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 1 && rs.v[0].pages == 2 * tp &&
	   (rs.v[0].flags & (RUN_THP | RUN_KPF)) == (RUN_THP | RUN_KPF),
	   "THP only: 2 live THPs are one THP run");

	/* the second half of the first THP alone: the walk starts on tail pages
	 * whose head lies before the kpageflags window */
	rc = walk(PM_WANT_NODE | PM_WANT_KPF, p + thp / 2, tp / 2, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 1 && (rs.v[0].flags & RUN_THP) && !(rs.v[0].flags & RUN_LAZYFREE),
	   "walk starting inside a THP: tails get the head's flags");

	madvise(p, thp, MADV_FREE);
	drain_lru(p + thp);
	rc = walk(PM_WANT_NODE | PM_WANT_KPF, p, 2 * tp, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 2 && rs.v[0].pages == tp &&
	   (rs.v[0].flags & (RUN_THP | RUN_LAZYFREE)) == (RUN_THP | RUN_LAZYFREE) &&
	   (rs.v[1].flags & RUN_THP) && !(rs.v[1].flags & RUN_LAZYFREE),
	   "MADV_FREE on the first THP: a lazyfree THP run, then a plain THP run");
	rc = walk(PM_WANT_NODE | PM_WANT_KPF, p + thp / 2, tp, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 2 && rs.v[0].pages == tp / 2 && (rs.v[0].flags & RUN_LAZYFREE),
	   "walk starting inside the lazyfree THP: lazyfree from its head");

	/* mprotect of one page maps the second THP with PTEs (PAGEMAP_SCAN no
	 * longer calls it huge); the folio stays a THP, which the THP-only
	 * reader still finds from kpageflags */
	mprotect(p + thp + page, page, PROT_READ);
	rc = walk(PM_WANT_NODE | PM_WANT_KPF | PM_WANT_THP_ONLY, p + thp, tp, &rs, &has_pfn, &has_kpf);
	ok(rc == 0 && rs.n == 1 && rs.v[0].pages == tp && (rs.v[0].flags & RUN_THP),
	   "THP only: a PTE-mapped THP is still one THP run (%d runs)", rs.n);
	munmap(p, 2 * thp);
}

static void write_file(const char *root, const char *rel, const void *buf,
		       size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f)
		return;
	if (fwrite(buf, 1, len, f) != len)
		printf("# short write to %s\n", path);
	fclose(f);
}

static void make_dirs(const char *root, const char *const *dirs, size_t n)
{
	char path[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0755);
	}
}

static void remove_tree(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
}

#define KB(b) (1ULL << (b))

/* A captured tree as a 6.1 kernel writes it: tail pages of a THP lack the
 * head's SWAPBACKED bit, so without reading the head every tail of an
 * ordinary THP would look lazily freed.  Layout from address A (THP
 * aligned): THP 1 (ordinary), THP 2 (lazyfree), 3 small pages, 1 swapped
 * page, 4 absent pages.  All memory is in block 0, on node 1. */
static void test_kpf_61_tree(void)
{
	char root[] = "/tmp/ns-kpf-XXXXXX", buf[64];
	const char *const dirs[] = { "proc", "proc/77", "sys", "sys/devices", "sys/devices/system",
		"sys/devices/system/memory", "sys/devices/system/node",
		"sys/devices/system/node/node0", "sys/devices/system/node/node1",
		"sys/devices/system/node/node1/memory0", "sys/kernel", "sys/kernel/mm",
		"sys/kernel/mm/transparent_hugepage" };
	uint64_t tp = 512, thp = tp * page, A = 64 * thp, npm = A / page + 2 * tp + 8;
	uint64_t p0 = 4 * tp, p1 = 8 * tp, p2 = 20 * tp + 1, nk = p2 + 3;
	uint64_t *pm = calloc(npm, 8), *kpf = calloc(nk, 8), *e = pm + A / page;
	uint64_t anon_thp = KB(KPF_ANON) | KB(KPF_THP) | KB(KPF_LRU);
	struct pm_reader *r;
	struct runs rs;
	int rc;

	if (!pm || !kpf || !mkdtemp(root)) {
		ok(0, "set up the 6.1-style tree");
		free(pm);
		free(kpf);
		return;
	}
	for (uint64_t i = 0; i < tp; i++) {
		e[i] = PM_E_PRESENT | PM_E_EXCLUSIVE | (p0 + i);
		e[tp + i] = PM_E_PRESENT | PM_E_EXCLUSIVE | (p1 + i);
		kpf[p0 + i] = i ? (anon_thp & ~KB(KPF_LRU)) | KB(KPF_COMPOUND_TAIL)
				: anon_thp | KB(KPF_SWAPBACKED) | KB(KPF_COMPOUND_HEAD);
		kpf[p1 + i] = i ? (anon_thp & ~KB(KPF_LRU)) | KB(KPF_COMPOUND_TAIL)
				: anon_thp | KB(KPF_COMPOUND_HEAD);
	}
	for (uint64_t i = 0; i < 3; i++) {
		e[2 * tp + i] = PM_E_PRESENT | PM_E_EXCLUSIVE | (p2 + i);
		kpf[p2 + i] = KB(KPF_ANON) | KB(KPF_SWAPBACKED) | KB(KPF_LRU);
	}
	e[2 * tp + 3] = PM_E_SWAPPED | 0x1234;
	make_dirs(root, dirs, sizeof(dirs) / sizeof(dirs[0]));
	write_file(root, "proc/77/pagemap", pm, npm * 8);
	write_file(root, "proc/kpageflags", kpf, nk * 8);
	snprintf(buf, sizeof(buf), "%llx\n", (unsigned long long)(64 * thp));
	write_file(root, "sys/devices/system/memory/block_size_bytes", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)thp);
	write_file(root, "sys/kernel/mm/transparent_hugepage/hpage_pmd_size", buf, strlen(buf));

	ok(path_set_root(root) == 0, "6.1 tree: sysroot set");
	rc = pm_open(&r, 77, PM_WANT_NODE | PM_WANT_KPF);
	ok(rc == 0 && pm_has_kpf(r), "6.1 tree: pagemap and kpageflags open");
	if (rc == 0) {
		memset(&rs, 0, sizeof(rs));
		rc = pm_walk(r, A, A + (2 * tp + 8) * page, collect, &rs);
		ok(rc == 0 && rs.n == 5, "6.1 tree: 5 runs (got %d)", rs.n);
		ok(rs.n == 5 && rs.v[0].pages == tp && rs.v[0].node == 1 && rs.v[0].pfn == p0 &&
		   (rs.v[0].flags & (RUN_THP | RUN_LAZYFREE | RUN_KPF)) == (RUN_THP | RUN_KPF),
		   "6.1 tree: ordinary THP on node 1, tails not lazyfree");
		ok(rs.n == 5 && rs.v[1].pages == tp &&
		   (rs.v[1].flags & (RUN_THP | RUN_LAZYFREE)) == (RUN_THP | RUN_LAZYFREE),
		   "6.1 tree: lazyfree THP");
		ok(rs.n == 5 && rs.v[2].pages == 3 && !(rs.v[2].flags & (RUN_THP | RUN_LAZYFREE)),
		   "6.1 tree: 3 small pages");
		ok(rs.n == 5 && rs.v[3].pages == 1 && rs.v[3].flags & RUN_SWAPPED &&
		   rs.v[3].node == RUN_NODE_NONE && rs.v[3].pfn == 0, "6.1 tree: a swapped page");
		ok(rs.n == 5 && rs.v[4].pages == 4 && !(rs.v[4].flags & RUN_PRESENT), "6.1 tree: 4 absent");

		memset(&rs, 0, sizeof(rs));
		rc = pm_walk(r, A + tp / 2 * page, A + (tp + tp / 2) * page, collect, &rs);
		ok(rc == 0 && rs.n == 2 && rs.v[0].pages == tp / 2 && !(rs.v[0].flags & RUN_LAZYFREE) &&
		   (rs.v[1].flags & RUN_LAZYFREE) && rs.v[1].pages == tp / 2,
		   "6.1 tree: walks starting inside THPs read their heads");
		pm_close(r);
	}
	path_set_root(NULL);
	remove_tree(root);
	free(pm);
	free(kpf);
}

/* The skeleton of a one-node captured tree: proc/PID, node 0 holding memory
 * block 0 of block_bytes, and the THP size. */
static void one_node_tree(const char *root, int pid, uint64_t block_bytes, uint64_t thp_bytes)
{
	char piddir[32], buf[64];
	const char *const dirs[] = { "proc", piddir, "sys", "sys/devices", "sys/devices/system",
		"sys/devices/system/memory", "sys/devices/system/node",
		"sys/devices/system/node/node0", "sys/devices/system/node/node0/memory0",
		"sys/kernel", "sys/kernel/mm", "sys/kernel/mm/transparent_hugepage" };

	snprintf(piddir, sizeof(piddir), "proc/%d", pid);
	make_dirs(root, dirs, sizeof(dirs) / sizeof(dirs[0]));
	snprintf(buf, sizeof(buf), "%llx\n", (unsigned long long)block_bytes);
	write_file(root, "sys/devices/system/memory/block_size_bytes", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)thp_bytes);
	write_file(root, "sys/kernel/mm/transparent_hugepage/hpage_pmd_size", buf, strlen(buf));
}

/* PM_WANT_THP_ONLY on a captured tree.  From address A (THP aligned), on
 * node 0: block 0 a THP (head + tails, PFNs from p0), block 1 a THP-aligned
 * run of consecutive PFNs that are plain pages, block 2 a THP with one page
 * not present (so its block is no candidate), block 3 a lazily freed THP,
 * block 4 a THP whose page 5 alone is soft-dirty (its entries differ in more
 * than the PFN: no uniform block, each page looked at).  Only the first PFN
 * of a candidate block is read: THPs show, lazyfree and plain pages read as
 * "known, not a THP". */
static void test_kpf_thp_only(void)
{
	char root[] = "/tmp/ns-kto-XXXXXX";
	uint64_t tp = 512, thp = tp * page, A = 8 * thp, npm = A / page + 5 * tp;
	uint64_t pfn0[5] = { 2 * tp, 4 * tp, 6 * tp, 8 * tp, 10 * tp }, nk = 11 * tp;
	uint64_t *pm = calloc(npm, 8), *kpf = calloc(nk, 8), *e = pm + A / page;
	uint64_t anon_thp = KB(KPF_ANON) | KB(KPF_THP) | KB(KPF_LRU) | KB(KPF_SWAPBACKED);
	struct pm_reader *r;
	struct runs rs;
	int rc;

	if (!pm || !kpf || !mkdtemp(root)) {
		ok(0, "set up the THP-only tree");
		free(pm);
		free(kpf);
		return;
	}
	for (int b = 0; b < 5; b++)
		for (uint64_t i = 0; i < tp; i++) {
			uint64_t f = pfn0[b] + i;

			e[b * tp + i] = PM_E_PRESENT | PM_E_EXCLUSIVE | f;
			if (b == 1)
				kpf[f] = KB(KPF_ANON) | KB(KPF_LRU) | KB(KPF_SWAPBACKED);
			else
				kpf[f] = (i ? KB(KPF_COMPOUND_TAIL) : KB(KPF_COMPOUND_HEAD)) |
					 (b == 3 ? anon_thp & ~KB(KPF_SWAPBACKED) : anon_thp);
		}
	e[2 * tp + 7] = 0;   /* one page of THP 2 not present */
	e[4 * tp + 5] |= PM_E_SOFTDIRTY;
	one_node_tree(root, 79, 64 * thp, thp);
	write_file(root, "proc/79/pagemap", pm, npm * 8);
	write_file(root, "proc/kpageflags", kpf, nk * 8);

	rc = path_set_root(root) == 0 ? pm_open(&r, 79, PM_WANT_NODE | PM_WANT_KPF | PM_WANT_THP_ONLY) : -1;
	ok(rc == 0 && pm_has_kpf(r), "THP only: tree open with kpageflags");
	if (rc == 0) {
		memset(&rs, 0, sizeof(rs));
		rc = pm_walk(r, A, A + 4 * tp * page, collect, &rs);
		/* THP | plain + 7 pages | absent | 504 pages of the broken THP | THP */
		ok(rc == 0 && rs.n == 5, "THP only: 5 runs (got %d)", rs.n);
		ok(rs.n == 5 && rs.v[0].pages == tp && rs.v[0].pfn == pfn0[0] &&
		   (rs.v[0].flags & (RUN_THP | RUN_KPF | RUN_LAZYFREE)) == (RUN_THP | RUN_KPF),
		   "THP only: the THP is one THP run");
		ok(rs.n == 5 && rs.v[1].pages == tp + 7 && (rs.v[1].flags & RUN_KPF) &&
		   !(rs.v[1].flags & RUN_THP),
		   "THP only: consecutive plain pages and the broken THP's pages are no THP");
		ok(rs.n == 5 && rs.v[2].pages == 1 && !(rs.v[2].flags & RUN_PRESENT),
		   "THP only: the absent page");
		ok(rs.n == 5 && rs.v[3].pages == tp - 8 && !(rs.v[3].flags & RUN_THP),
		   "THP only: the rest of the broken THP");
		ok(rs.n == 5 && rs.v[4].pages == tp && rs.v[4].pfn == pfn0[3] &&
		   (rs.v[4].flags & (RUN_THP | RUN_LAZYFREE)) == RUN_THP,
		   "THP only: the lazily freed THP is a THP, lazyfree not looked at");
		/* blocks 3 and 4: the uniform THP joins the first pages of the
		 * THP with one soft-dirty page, which is a run of its own */
		memset(&rs, 0, sizeof(rs));
		rc = pm_walk(r, A + 3 * tp * page, A + 5 * tp * page, collect, &rs);
		ok(rc == 0 && rs.n == 3 && rs.v[0].pages == tp + 5 && (rs.v[0].flags & RUN_THP) &&
		   !(rs.v[0].flags & RUN_SOFTDIRTY),
		   "THP only: a uniform THP and the start of the next THP are one run (%d runs)", rs.n);
		ok(rs.n == 3 && rs.v[1].pages == 1 && rs.v[1].pfn == pfn0[4] + 5 &&
		   (rs.v[1].flags & (RUN_THP | RUN_SOFTDIRTY)) == (RUN_THP | RUN_SOFTDIRTY) &&
		   rs.v[2].pages == tp - 6 && (rs.v[2].flags & RUN_THP) &&
		   !(rs.v[2].flags & RUN_SOFTDIRTY),
		   "THP only: a THP whose entries differ is still a THP, page by page");
		pm_close(r);
	}
	path_set_root(NULL);
	remove_tree(root);
	free(pm);
	free(kpf);
}

/* A THP block whose PFNs straddle two nodes' memory blocks (a captured
 * tree with half-THP memory blocks: no real kernel has blocks that small)
 * is not taken in one step: its pages are looked at one by one and the run
 * splits where the node changes, both halves still THP. */
static void test_kpf_thp_straddle(void)
{
	char root[] = "/tmp/ns-kts-XXXXXX";
	uint64_t tp = 512, thp = tp * page, A = 8 * thp, npm = A / page + tp, p0 = 2 * tp;
	uint64_t *pm = calloc(npm, 8), *kpf = calloc(3 * tp, 8), *e = pm + A / page;
	uint64_t anon_thp = KB(KPF_ANON) | KB(KPF_THP) | KB(KPF_LRU) | KB(KPF_SWAPBACKED);
	const char *const dirs[] = { "sys/devices/system/node/node1",
		"sys/devices/system/node/node0/memory4", "sys/devices/system/node/node1/memory5" };
	struct pm_reader *r;
	struct runs rs;
	int rc;

	if (!pm || !kpf || !mkdtemp(root)) {
		ok(0, "set up the straddling tree");
		free(pm);
		free(kpf);
		return;
	}
	for (uint64_t i = 0; i < tp; i++) {
		e[i] = PM_E_PRESENT | PM_E_EXCLUSIVE | (p0 + i);
		kpf[p0 + i] = (i ? KB(KPF_COMPOUND_TAIL) : KB(KPF_COMPOUND_HEAD)) | anon_thp;
	}
	/* blocks of half a THP: PFNs [2 tp, 2.5 tp) on node 0, [2.5 tp, 3 tp) on node 1 */
	one_node_tree(root, 79, thp / 2, thp);
	make_dirs(root, dirs, sizeof(dirs) / sizeof(dirs[0]));
	write_file(root, "proc/79/pagemap", pm, npm * 8);
	write_file(root, "proc/kpageflags", kpf, 3 * tp * 8);

	rc = path_set_root(root) == 0 ? pm_open(&r, 79, PM_WANT_NODE | PM_WANT_KPF | PM_WANT_THP_ONLY) : -1;
	ok(rc == 0 && pm_has_kpf(r), "straddle: tree open with kpageflags");
	if (rc == 0) {
		memset(&rs, 0, sizeof(rs));
		rc = pm_walk(r, A, A + thp, collect, &rs);
		ok(rc == 0 && rs.n == 2 && rs.v[0].pages == tp / 2 && rs.v[0].node == 0 &&
		   rs.v[1].pages == tp / 2 && rs.v[1].node == 1 && rs.v[1].pfn == p0 + tp / 2,
		   "straddle: the THP's pages split by node (%d runs)", rs.n);
		ok(rs.n == 2 && (rs.v[0].flags & RUN_THP) && (rs.v[1].flags & RUN_THP),
		   "straddle: both halves are THP pages");
		pm_close(r);
	}
	path_set_root(NULL);
	remove_tree(root);
	free(pm);
	free(kpf);
}

/* kpageflags reach the right pages whatever the order of their PFNs:
 * ascending, descending (read in one pass after an O(n) reversal) and
 * shuffled (sorted).  64 small pages; a page is lazyfree iff its PFN is odd. */
static void test_kpf_order(void)
{
	char root[] = "/tmp/ns-kpo-XXXXXX";
	enum { N = 64, P0 = 1000 };
	static const char *const names[] = { "ascending", "descending", "shuffled" };
	uint64_t A = 1024 * page, npm = A / page + N, *pm = calloc(npm, 8), kpf[P0 + N];

	if (!pm || !mkdtemp(root)) {
		ok(0, "set up the PFN-order tree");
		free(pm);
		return;
	}
	for (uint64_t f = 0; f < P0 + N; f++)
		kpf[f] = KB(KPF_ANON) | KB(KPF_LRU) | (f % 2 ? 0 : KB(KPF_SWAPBACKED));
	one_node_tree(root, 78, 1ULL << 30, 512 * page);
	write_file(root, "proc/kpageflags", kpf, sizeof(kpf));
	for (int order = 0; order < 3; order++) {
		struct pm_reader *r;
		struct runs rs;
		bool good = true;
		uint64_t pfn[N];

		for (uint64_t i = 0; i < N; i++)
			pfn[i] = order == 0 ? P0 + i : order == 1 ? P0 + N - 1 - i
						: P0 + (i * 37) % N;   /* 37 is prime to 64 */
		for (uint64_t i = 0; i < N; i++)
			pm[A / page + i] = PM_E_PRESENT | PM_E_EXCLUSIVE | pfn[i];
		write_file(root, "proc/78/pagemap", pm, npm * 8);
		ok(path_set_root(root) == 0 && pm_open(&r, 78, PM_WANT_NODE | PM_WANT_KPF) == 0 &&
		   pm_has_kpf(r), "PFN order %s: tree open with kpageflags", names[order]);
		memset(&rs, 0, sizeof(rs));
		good = pm_walk(r, A, A + N * page, collect, &rs) == 0 && rs.n == N && !rs.overflow;
		for (int i = 0; good && i < N; i++)
			good = rs.v[i].pages == 1 && rs.v[i].pfn == pfn[i] && rs.v[i].node == 0 &&
			       !!(rs.v[i].flags & RUN_LAZYFREE) == (pfn[i] % 2 == 1);
		ok(good, "PFN order %s: each page has its own PFN's flags (%d runs)", names[order], rs.n);
		pm_close(r);
		path_set_root(NULL);
	}
	remove_tree(root);
	free(pm);
}

/* A synthetic sysfs: 2 nodes, memory blocks 0,1 on node 0 and 3 on node 1. */
static void test_pfn_nodes_tree(void)
{
	char root[] = "/tmp/ns-pfn-XXXXXX", buf[64];
	const char *const dirs[] = { "proc", "sys", "sys/devices", "sys/devices/system",
		"sys/devices/system/memory", "sys/devices/system/node",
		"sys/devices/system/node/node0", "sys/devices/system/node/node1",
		"sys/devices/system/node/node0/memory0",
		"sys/devices/system/node/node0/memory1",
		"sys/devices/system/node/node1/memory3" };
	uint64_t block = 0x8000000, bp = block / page;
	struct pfn_nodes *pn = NULL;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	make_dirs(root, dirs, sizeof(dirs) / sizeof(dirs[0]));
	snprintf(buf, sizeof(buf), "%llx\n", (unsigned long long)block);
	write_file(root, "sys/devices/system/memory/block_size_bytes", buf, strlen(buf));
	ok(path_set_root(root) == 0, "sysroot set");
	ok(pfn_nodes_load(&pn) == 0, "pfn_nodes_load from the tree");
	if (pn) {
		is_u64(pfn_nodes_lookup(pn, 0), 0, "pfn 0 on node 0");
		is_u64(pfn_nodes_lookup(pn, 2 * bp - 1), 0, "last pfn of block 1 on node 0");
		ok(pfn_nodes_lookup(pn, 2 * bp) == -1, "block 2 is a hole");
		is_u64(pfn_nodes_lookup(pn, 3 * bp + 5), 1, "block 3 on node 1");
		ok(pfn_nodes_lookup(pn, 4 * bp) == -1, "past the last block");
	}
	pfn_nodes_free(pn);
	path_set_root(NULL);
	remove_tree(root);
}

/* A page read and never written is the shared zero page: the query says
 * -EFAULT for it (FOLL_DUMP), a node for a page of its own. */
static bool kernel_maps_zero_page(void *addr, uint64_t pg)
{
	void *a[1] = { addr };
	int st[1] = { 0 };

	(void)pg;
	return syscall(SYS_move_pages, 0, 1UL, a, NULL, st, 0) == 0 && st[0] == -EFAULT;
}

/* The planner's walk (THP only): as root the shared zero page is RUN_ZERO
 * (known by its PFN); without root its node is unknown (the query cannot
 * tell it, and move_pages(2) cannot move it). */
static void test_zero_page(int root)
{
	const uint64_t n = 16;
	char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char sink = 0;
	struct runs rs;
	int has_pfn, has_kpf, rc;
	uint64_t unknown = 0;

	ok(p != MAP_FAILED, "mmap %llu pages", (unsigned long long)n);
	if (p == MAP_FAILED)
		return;
	madvise(p, n * page, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < n / 2; i++)
		sink += p[i * page];          /* read: the zero page */
	for (uint64_t i = n / 2; i < n; i++)
		p[i * page] = 1;
	(void)sink;
	if (!kernel_maps_zero_page(p, page)) {
		ok(1, "# SKIP this kernel maps no zero page on a read fault");
		munmap(p, n * page);
		return;
	}
	rc = walk(PM_WANT_NODE | PM_WANT_KPF | PM_WANT_THP_ONLY, p, n, &rs, &has_pfn, &has_kpf);
	is_u64(rc, 0, "THP-only walk over zero and written pages");
	is_u64(count_pages(&rs, RUN_PRESENT, 1), n, "all present");
	for (int i = 0; i < rs.n; i++)
		if (rs.v[i].node == RUN_NODE_UNKNOWN)
			unknown += rs.v[i].pages;
	if (root) {
		is_u64(count_pages(&rs, RUN_ZERO, 1), n / 2, "root: the read pages are the zero page");
		ok(rs.n >= 1 && (rs.v[0].flags & RUN_ZERO) && (rs.v[0].flags & RUN_KPF),
		   "root: RUN_ZERO vouched for by RUN_KPF");
	} else {
		is_u64(count_pages(&rs, RUN_ZERO, 1), 0, "not root: RUN_ZERO unknown");
		is_u64(unknown, n / 2, "not root: the zero page's node is unknown");
	}
	munmap(p, n * page);
}

/* pm_fd_entries: the entries of a range from a pagemap fd opened elsewhere,
 * fewer past the top of user space or once the mm has no users. */
static void test_fd_entries(void)
{
	uint64_t e[4], top;
	ssize_t got = 0;
	char *m;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), st;
	int pfd[2];
	pid_t kid;

	ok(fd >= 0, "own pagemap");
	m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(m != MAP_FAILED, "4 pages");
	m[0] = m[2 * page] = 1;
	ok(pm_fd_entries(fd, page, (uintptr_t)m, 4, e) == 4 && (e[0] & PM_E_PRESENT) &&
	   !(e[1] & PM_E_PRESENT) && (e[2] & PM_E_PRESENT) && !(e[3] & PM_E_PRESENT),
	   "present, absent, present, absent");
	/* pagemap ends at the task size, one page below 2^47 with 4-level
	 * page tables on x86-64 (2^48 on arm64, 2^56 with 5 levels): the
	 * first of those where 4 entries do not fit */
	for (unsigned bits = 47; bits <= 57; bits++) {
		top = (1ULL << bits) - 2 * page;
		got = pm_fd_entries(fd, page, top, 4, e);
		if (got != 4)
			break;
	}
	ok(got == 1, "past the top of user space: fewer (%zd at 0x%llx)", got,
	   (unsigned long long)top);
	ok(pm_fd_entries(-1, page, (uintptr_t)m, 1, e) == -EBADF, "a bad fd: -EBADF");
	munmap(m, 4 * page);
	close(fd);

	/* a child's pagemap, kept open after the child has exited */
	ok(pipe(pfd) == 0, "pipe");
	kid = fork();
	if (kid == 0) {
		char c;

		close(pfd[1]);
		(void)read(pfd[0], &c, 1);
		_exit(0);
	}
	close(pfd[0]);
	fd = -1;
	if (kid > 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)kid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	ok(fd >= 0 && pm_fd_entries(fd, page, 0, 1, e) == 1, "a live child's pagemap reads");
	close(pfd[1]);
	if (kid > 0)
		waitpid(kid, &st, 0);
	ok(fd >= 0 && pm_fd_entries(fd, page, 0, 1, e) == 0, "its mm has gone: nothing read");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	int root = geteuid() == 0;

	alarm(120);   /* a hang is a failure, not a stuck test run */
	page = sys_page_size();
	test_basic(root);
	test_batch_boundary();
	test_thp(root);
	test_pfn_nodes_tree();
	test_kpf_61_tree();
	test_kpf_thp_only();
	test_kpf_thp_straddle();
	test_kpf_order();
	test_fd_entries();
	test_zero_page(root);
	return tap_done();
}
