/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* scan on this test's own process (node totals against numa_maps summed
 * here independently) and on a captured tree (hugetlb at its real size,
 * smaps sums, smaps_rollup, only the files asked for are read). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"
#include "path.h"
#include "procs.h"
#include "scan.h"
#include "sysinfo.h"

#define MAXN 64

/* Sum N<node>=pages times kernelpagesize_kB over /proc/PID/numa_maps. */
static int numa_sums(pid_t pid, uint64_t *node, uint64_t *total, size_t *lines)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	memset(node, 0, MAXN * sizeof(*node));
	*total = 0;
	*lines = 0;
	while (fgets(line, sizeof(line), f)) {
		uint64_t kb = 0, pages[MAXN] = { 0 };
		char *tok, *save = NULL;

		(*lines)++;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			int nd;
			unsigned long long v;

			if (sscanf(tok, "N%d=%llu", &nd, &v) == 2 && nd >= 0 && nd < MAXN)
				pages[nd] = v;
			else if (sscanf(tok, "kernelpagesize_kB=%llu", &v) == 1)
				kb = v;
		}
		for (int i = 0; i < MAXN; i++) {
			node[i] += pages[i] * kb * 1024;
			*total += pages[i] * kb * 1024;
		}
	}
	fclose(f);
	return 0;
}

/* A child of this test that touches every other page of 300 and stops
 * itself, so its memory cannot change while it is scanned (the test's own
 * memory changes as the scan allocates). */
static pid_t start_child(void)
{
	uint64_t page = sys_page_size();
	size_t len = 300 * page;
	int st;
	pid_t pid;

	fflush(stdout);   /* the child must not repeat buffered TAP lines */
	pid = fork();

	if (pid == 0) {
		char *p = aligned_alloc(page, len);

		for (size_t off = 0; p && off < len; off += 2 * page)
			p[off] = 1;
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid > 0 && (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void test_live(void)
{
	uint64_t page = sys_page_size(), node[MAXN], total = 0;
	size_t lines = 0;
	struct scan_proc s;
	struct proc_id id;
	int rc, same;
	pid_t child = start_child();

	ok(child > 0 && procs_identify(child, &id) == 0, "identify a waiting child");
	if (child <= 0)
		return;
	rc = scan_process(&id, SCAN_NUMA, &s, NULL, NULL);
	is_u64(rc, 0, "scan_process(child, SCAN_NUMA)");
	if (rc == 0 && numa_sums(child, node, &total, &lines) == 0) {
		same = s.total == total && s.maps.n == lines;
		for (int i = 0; same && i < MAXN; i++)
			same = scan_node_bytes(&s, i) == node[i];
		ok(same, "per-node bytes equal the numa_maps sums (total %llu, %zu mappings)",
		   (unsigned long long)total, lines);
		if (!same)
			printf("#   scan: total %llu, %zu mappings\n", (unsigned long long)s.total, s.maps.n);
		ok(s.total >= 150 * page, "total holds the 150 touched pages");
		is_u64(scan_main_node(&s), 0, "main node 0");
		is_u64(scan_node_bytes(&s, 0), s.total, "all on node 0");
		ok(scan_node_bytes(&s, -1) == 0 && scan_node_bytes(&s, 100000) == 0,
		   "nodes out of range hold 0 bytes");
		ok(s.have == SCAN_NUMA, "only numa_maps read");
	}
	if (rc == 0)
		scan_free(&s);
	/* the same totals from maps and pagemap, without numa_maps' walk */
	rc = scan_process(&id, SCAN_MAPS | SCAN_PAGEMAP, &s, NULL, NULL);
	is_u64(rc, 0, "scan_process(child, SCAN_MAPS | SCAN_PAGEMAP)");
	if (rc == 0 && numa_sums(child, node, &total, &lines) == 0) {
		same = s.total == total;
		for (int i = 0; same && i < MAXN; i++)
			same = scan_node_bytes(&s, i) == node[i];
		ok(same, "pagemap: per-node bytes equal the numa_maps sums (total %llu)",
		   (unsigned long long)total);
		if (!same)
			printf("#   pagemap: total %llu\n", (unsigned long long)s.total);
		ok(s.have == (SCAN_MAPS | SCAN_PAGEMAP) && s.maps.n >= lines &&
		   !(s.maps.v[0].have & MAP_F_NUMA), "numa_maps not read");
	}
	if (rc == 0)
		scan_free(&s);
	/* asked for both, numa_maps' totals win */
	rc = scan_process(&id, SCAN_NUMA | SCAN_PAGEMAP, &s, NULL, NULL);
	ok(rc == 0 && s.have == SCAN_NUMA && s.total == total, "SCAN_NUMA | SCAN_PAGEMAP: numa_maps");
	if (rc == 0)
		scan_free(&s);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	/* this test itself: the same code path on a process that is running */
	ok(procs_identify(getpid(), &id) == 0 && scan_process(&id, SCAN_NUMA | SCAN_SMAPS, &s, NULL, NULL) == 0 &&
	   s.total > 0 && s.rollup.rss > 0, "scan of the running test itself");
	scan_free(&s);
}

static void test_gone(void)
{
	struct proc_id id;
	struct scan_proc s;
	pid_t child;

	fflush(stdout);
	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	memset(&id, 0, sizeof(id));
	id.pid = child;
	is_u64(-scan_process(&id, SCAN_NUMA, &s, NULL, NULL), ESRCH, "exited process: -ESRCH");

	procs_identify(getpid(), &id);
	id.start_time++;
	is_u64(-scan_process(&id, SCAN_NUMA, &s, NULL, NULL), ESRCH,
	       "PID reused (start time differs): -ESRCH");
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static const char *tree_numa_maps =
	"00400000 default file=/usr/bin/my\\040prog mapped=2 N0=2 kernelpagesize_kB=4\n"
	"01000000 default heap anon=10 dirty=10 N0=6 N1=4 kernelpagesize_kB=4\n"
	"7f0000000000 bind:1 file=/dev/hugepages/x huge dirty=3 N0=2 N1=1 kernelpagesize_kB=2048\n"
	"7f0000600000 default this line is garbage\n"
	"7ffc00000000 default stack anon=3 dirty=3 N1=3 kernelpagesize_kB=4\n";

static const char *tree_smaps =
	"00400000-00402000 r-xp 00000000 08:01 42 /usr/bin/my prog\n"
	"Size:                  8 kB\nRss:                   8 kB\nPss:                   8 kB\n"
	"Swap:                  0 kB\nLazyFree:              0 kB\nAnonHugePages:         0 kB\n"
	"01000000-01a00000 rw-p 00000000 00:00 0 [heap]\n"
	"Size:              10240 kB\nRss:                  40 kB\nPss:                  40 kB\n"
	"Swap:                 12 kB\nLazyFree:              8 kB\nAnonHugePages:      2048 kB\n"
	"7f0000000000-7f0000600000 rw-s 00000000 00:10 7 /dev/hugepages/x\n"
	"Size:               6144 kB\nRss:                   0 kB\nPss:                   0 kB\n"
	"Swap:                  0 kB\nLazyFree:              0 kB\nAnonHugePages:         0 kB\n"
	"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]\n"
	"Size:                132 kB\nRss:                  12 kB\nPss:                  12 kB\n"
	"Swap:                  4 kB\nLazyFree:              0 kB\nAnonHugePages:         0 kB\n";

static const char *tree_rollup =
	"00400000-7ffc00021000 ---p 00000000 00:00 0 [rollup]\n"
	"Rss:                 999 kB\nPss:                 998 kB\nSwap:                 77 kB\n"
	"LazyFree:             55 kB\nAnonHugePages:       4096 kB\n";

struct warned {
	unsigned n;
	char last[256];
};

static void on_warn(void *ud, const char *file, unsigned line, const char *msg)
{
	struct warned *w = ud;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s:%u", file, line);
}

static void test_tree(void)
{
	char root[] = "/tmp/ns-scan-XXXXXX", path[600];
	const char *dirs[] = { "proc", "proc/55", "proc/56" };
	uint64_t k4 = 4096, m2 = 2048 * 1024;
	struct warned w = { 0 };
	struct scan_proc s;
	struct proc_id id;
	int rc;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0755);
	}
	put(root, "proc/55/stat", "55 (my prog) S 1 55 55 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10\n");
	put(root, "proc/55/status", "Name:\tmy prog\nUid:\t1000\t1000\t1000\t1000\n");
	put(root, "proc/55/numa_maps", tree_numa_maps);
	put(root, "proc/55/smaps", tree_smaps);
	put(root, "proc/55/smaps_rollup", tree_rollup);
	/* pid 56 has numa_maps only: scanning it must not need anything else */
	put(root, "proc/56/stat", "56 (other) S 1 56 56 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 777 1000 10\n");
	put(root, "proc/56/numa_maps", tree_numa_maps);

	ok(path_set_root(root) == 0, "tree: sysroot set");
	ok(procs_identify(55, &id) == 0 && id.start_time == 123456 && id.uid == 1000 &&
	   strcmp(id.comm, "my prog") == 0, "tree: identity of pid 55 from stat and status");

	rc = scan_process(&id, SCAN_NUMA, &s, on_warn, &w);
	is_u64(rc, 0, "tree: SCAN_NUMA");
	if (rc == 0) {
		is_u64(scan_node_bytes(&s, 0), 8 * k4 + 2 * m2, "tree: node 0 = 8 small pages + 2 huge pages");
		is_u64(scan_node_bytes(&s, 1), 7 * k4 + 1 * m2, "tree: node 1 = 7 small pages + 1 huge page");
		is_u64(s.total, 15 * k4 + 3 * m2, "tree: total");
		is_u64(scan_main_node(&s), 0, "tree: main node 0");
		is_u64(s.warnings, 1, "tree: one malformed line counted");
		ok(w.n == 1 && strstr(w.last, "numa_maps:4"), "tree: warning names file:line (%s)", w.last);
		scan_free(&s);
	}

	rc = scan_process(&id, SCAN_NUMA | SCAN_SMAPS, &s, NULL, NULL);
	is_u64(rc, 0, "tree: SCAN_NUMA|SCAN_SMAPS");
	if (rc == 0) {
		is_u64(s.rollup.rss, (8 + 40 + 12) * 1024, "tree: rss summed from smaps");
		is_u64(s.rollup.swap, 16 * 1024, "tree: swap summed from smaps");
		is_u64(s.rollup.lazyfree, 8 * 1024, "tree: lazyfree summed from smaps");
		is_u64(s.rollup.anon_huge, 2048 * 1024, "tree: AnonHugePages summed from smaps");
		scan_free(&s);
	}

	rc = scan_process(&id, SCAN_ROLLUP, &s, NULL, NULL);
	is_u64(rc, 0, "tree: SCAN_ROLLUP");
	if (rc == 0) {
		ok(s.rollup.rss == 999 * 1024 && s.rollup.swap == 77 * 1024 &&
		   s.rollup.lazyfree == 55 * 1024 && s.rollup.anon_huge == 4096 * 1024,
		   "tree: figures from smaps_rollup");
		ok(s.maps.n == 0 && s.total == 0, "tree: rollup alone reads no mappings");
		scan_free(&s);
	}

	ok(procs_identify(56, &id) == 0, "tree: pid 56 without status");
	rc = scan_process(&id, SCAN_NUMA, &s, NULL, NULL);
	is_u64(rc, 0, "tree: numa_maps alone is enough for SCAN_NUMA");
	if (rc == 0)
		scan_free(&s);
	rc = scan_process(&id, SCAN_NUMA | SCAN_SMAPS, &s, NULL, NULL);
	is_u64(-rc, ENOENT, "tree: a missing smaps is -ENOENT");

	path_set_root(NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path) != 0)
		printf("# could not remove %s\n", root);
}

int main(void)
{
	alarm(120);   /* a hang is a failure, not a stuck test run */
	test_live();
	test_gone();
	test_tree();
	return tap_done();
}
