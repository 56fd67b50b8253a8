/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* pmbench: how fast pm_walk covers resident memory.
 *
 *   pmbench [--mib N] [--thp|--no-thp] [--thp-only] [--repeat R]
 *
 * Maps N MiB (default 2048) of anonymous memory, touches every page, and
 * walks it with pm_walk asking for nodes and kpageflags: first with this
 * process's capabilities (as root: PFN, kpageflags, node from the memory
 * blocks), then with its effective capabilities dropped (node from
 * move_pages(2) query mode, as for a plain user).  --thp-only asks for
 * kpageflags only where a THP can be (PM_WANT_THP_ONLY, as mmigrate's planner
 * and its check afterwards do).  Prints one line per mode:
 *   mode=pfn+kpf resident_mib=2048 runs=.. best_s=.. gib_per_s=..
 * Exit 0, or 1 when a walk failed or did not see every page present.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include "pagemap.h"
#include "sysinfo.h"

struct bench_count {
	uint64_t runs, present, thp;
};

static int bench_count_run(void *ud, const struct page_run *run)
{
	struct bench_count *c = ud;

	c->runs++;
	if (run->flags & RUN_PRESENT)
		c->present += run->pages;
	if (run->flags & RUN_THP)
		c->thp += run->pages;
	return 0;
}

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_caps(int on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		d[i].effective = on ? d[i].permitted : 0;
	return (int)syscall(SYS_capset, &h, d);
}

/* Best of 'repeat' walks over [p, p+len); returns 0 or -1. */
static unsigned bench_want = PM_WANT_NODE | PM_WANT_KPF;

static int bench_walk(const char *mode, char *p, uint64_t len, int repeat)
{
	struct bench_count c = { 0 };
	double best = 1e9;
	struct pm_reader *r;
	int rc;

	for (int i = 0; i < repeat; i++) {
		double t0 = bench_now();

		memset(&c, 0, sizeof(c));
		rc = pm_open(&r, getpid(), bench_want);
		if (rc < 0) {
			fprintf(stderr, "pmbench: pm_open: %s\n", strerror(-rc));
			return -1;
		}
		rc = pm_walk(r, (uintptr_t)p, (uintptr_t)p + len, bench_count_run, &c);
		pm_close(r);
		if (rc != 0) {
			fprintf(stderr, "pmbench: pm_walk: %s\n", strerror(-rc));
			return -1;
		}
		if (bench_now() - t0 < best)
			best = bench_now() - t0;
	}
	printf("mode=%s resident_mib=%llu runs=%llu thp_mib=%llu best_s=%.4f gib_per_s=%.1f\n",
	       mode, (unsigned long long)(c.present * sys_page_size() >> 20),
	       (unsigned long long)c.runs,
	       (unsigned long long)(c.thp * sys_page_size() >> 20), best,
	       (double)len / best / (1 << 30));
	return c.present * sys_page_size() == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "thp", no_argument, NULL, 't' },
		{ "no-thp", no_argument, NULL, 'T' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "thp-only", no_argument, NULL, 'o' },
		{ 0 }
	};
	uint64_t mib = 2048, len, page = sys_page_size();
	int c, thp = -1, repeat = 3, fail = 0;
	char *p;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mib = strtoull(optarg, NULL, 10); break;
		case 't': thp = 1; break;
		case 'T': thp = 0; break;
		case 'r': repeat = atoi(optarg); break;
		case 'o': bench_want |= PM_WANT_THP_ONLY; break;
		default:
			fprintf(stderr, "usage: pmbench [--mib N] [--thp|--no-thp] [--thp-only] [--repeat R]\n");
			return 2;
		}
	}
	len = mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || repeat < 1) {
		fprintf(stderr, "pmbench: cannot map %llu MiB\n", (unsigned long long)mib);
		return 1;
	}
	if (thp >= 0)
		madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	for (uint64_t off = 0; off < len; off += page)
		p[off] = 1;
	fail |= bench_walk(geteuid() == 0 ? "pfn+kpf" : "query", p, len, repeat);
	if (geteuid() == 0 && bench_caps(0) == 0) {
		fail |= bench_walk("query", p, len, repeat);
		bench_caps(1);
	}
	munmap(p, len);
	return fail ? 1 : 0;
}
