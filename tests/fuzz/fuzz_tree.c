/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* libFuzzer target for a captured --sysroot tree as a whole: the files of
 * two processes (maps, numa_maps, smaps, smaps_rollup, stat, status,
 * pagemap) and /proc/kpageflags come from the input, the rest of the tree
 * (nodes, memory blocks, meminfo, THP size) from the synth-4node fixture.
 * Every reader a tool runs under --sysroot then reads them as the tool
 * would: the identity, the scan (numa_maps, smaps, rollup, maps), the page
 * walk with kpageflags and PFN nodes (mscan --pages), the planner with
 * pagemap (mmigrate/mplace --dry-run) and the lazyfree finder in both modes
 * (mfree-discard --dry-run).  Any input must end without a crash, a leak or
 * a sanitizer report.
 *
 * Input: records, each
 *   u8 kind, u16 len (little endian), u32 at (little endian), len bytes
 * kind % FT_NKINDS picks the file (FT_FILES below, for PID 1004 then 1005,
 * then kpageflags).  Text files take the bytes as they are (a file appears
 * again: appended); pagemap and kpageflags take them at byte offset at * 8,
 * so a few entries can sit at a high address or PFN in a sparse file.
 * tests/fuzz/tree-seed packs a fixture tree's processes into this form. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "discard.h"
#include "nodes.h"
#include "pagemap.h"
#include "path.h"
#include "plan.h"
#include "procs.h"
#include "scan.h"

#ifndef FUZZ_TREE
#error "build with -DFUZZ_TREE=\"tests/fixtures/trees/synth-4node\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ft_files[] = {
	"maps", "numa_maps", "smaps", "smaps_rollup", "stat", "status", "pagemap",
};
#define FT_NFILES (sizeof(ft_files) / sizeof(ft_files[0]))
#define FT_NPIDS 2
#define FT_NKINDS (FT_NFILES * FT_NPIDS + 1)
#define FT_MAX_AT (1U << 24)            /* 128 MiB of sparse file at most */

static const pid_t ft_pids[FT_NPIDS] = { 1004, 1005 };
static char ft_root[256];
static struct ns_topology ft_topo;

static void ignore_warn(void *ud, const char *file, unsigned line, const char *msg)
{
	(void)ud; (void)file; (void)line; (void)msg;
}

static int ft_copy(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out, rc = 0;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	close(in);
	close(out);
	return n < 0 ? -1 : rc;
}

/* The fixture's sys/ and proc/ files that belong to no process. */
static int ft_template_one(const char *fpath, const struct stat *sb, int type,
			   struct FTW *ftw)
{
	const char *rel = fpath + strlen(FUZZ_TREE);
	char to[512];

	(void)sb; (void)ftw;
	if (strncmp(rel, "/expected", 9) == 0 || strcmp(rel, "/proc/kpageflags") == 0)
		return 0;
	if (strncmp(rel, "/proc/", 6) == 0 && rel[6] >= '0' && rel[6] <= '9')
		return 0;
	snprintf(to, sizeof(to), "%s%s", ft_root, rel);
	if (type == FTW_D)
		return mkdir(to, 0755) < 0 && errno != EEXIST ? -1 : 0;
	return type == FTW_F ? ft_copy(fpath, to) : 0;
}

static int ft_remove_one(const char *fpath, const struct stat *sb, int type,
			 struct FTW *ftw)
{
	(void)sb; (void)type; (void)ftw;
	return remove(fpath) < 0 ? -1 : 0;
}

static void ft_remove(void)
{
	nftw(ft_root, ft_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void ft_init(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(ft_root, sizeof(ft_root), "%s/fuzz-tree-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(ft_root) || nftw(FUZZ_TREE, ft_template_one, 16, FTW_PHYS) != 0 ||
	    path_set_root(ft_root) < 0 || topo_read(&ft_topo) < 0) {
		fprintf(stderr, "fuzz_tree: cannot set up %s from %s\n", ft_root, FUZZ_TREE);
		abort();
	}
	atexit(ft_remove);
}

static void ft_path(char *buf, size_t len, int kind)
{
	if (kind == (int)(FT_NKINDS - 1))
		snprintf(buf, len, "%s/proc/kpageflags", ft_root);
	else
		snprintf(buf, len, "%s/proc/%d/%s", ft_root, (int)ft_pids[kind / FT_NFILES],
			 ft_files[kind % FT_NFILES]);
}

static void ft_clear(void)
{
	char p[512];

	for (int k = 0; k < (int)FT_NKINDS; k++) {
		ft_path(p, sizeof(p), k);
		unlink(p);
	}
	for (int i = 0; i < FT_NPIDS; i++) {
		snprintf(p, sizeof(p), "%s/proc/%d", ft_root, (int)ft_pids[i]);
		rmdir(p);
	}
}

/* Write the input's records into the tree; false when it is malformed. */
static bool ft_write(const uint8_t *d, size_t size)
{
	char p[512];

	while (size >= 7) {
		int kind = d[0] % FT_NKINDS;
		size_t len = (size_t)d[1] | (size_t)d[2] << 8;
		uint32_t at = (uint32_t)d[3] | (uint32_t)d[4] << 8 |
			      (uint32_t)d[5] << 16 | (uint32_t)d[6] << 24;
		bool binary = kind == (int)(FT_NKINDS - 1) ||
			      kind % FT_NFILES == FT_NFILES - 1;
		int fd;

		d += 7;
		size -= 7;
		if (len > size)
			len = size;
		if (kind < (int)(FT_NKINDS - 1)) {
			snprintf(p, sizeof(p), "%s/proc/%d", ft_root,
				 (int)ft_pids[kind / FT_NFILES]);
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return false;
		}
		ft_path(p, sizeof(p), kind);
		fd = open(p, O_WRONLY | O_CREAT | (binary ? 0 : O_APPEND), 0644);
		if (fd < 0)
			return false;
		if (binary ? pwrite(fd, d, len, (off_t)(at % FT_MAX_AT) * 8) < 0 :
			     write(fd, d, len) < 0) {
			close(fd);
			return false;
		}
		close(fd);
		d += len;
		size -= len;
	}
	return true;
}

static int ft_count_run(void *ud, const struct page_run *run)
{
	uint64_t *pages = ud;

	if (run->pages == 0 || (run->flags & RUN_PRESENT && run->node == RUN_NODE_NONE))
		abort();        /* a run is never empty; a present page has a node or UNKNOWN */
	*pages += run->pages;
	return 0;
}

/* mscan --pages: every mapping's pages, with kpageflags and PFN nodes. */
static void ft_walk(const struct proc_id *id)
{
	struct scan_proc s;
	struct pm_reader *r = NULL;
	uint64_t pages;

	if (scan_process(id, SCAN_MAPS, &s, ignore_warn, NULL) < 0)
		return;
	if (pm_open(&r, id->pid, PM_WANT_NODE | PM_WANT_KPF) == 0) {
		for (size_t i = 0; i < s.maps.n; i++) {
			const struct mapping *m = &s.maps.v[i];

			pages = 0;
			if (pm_walk(r, m->start, m->end, ft_count_run, &pages) == 0 &&
			    m->end > m->start && pages != (m->end - m->start) / ft_topo.page_size)
				abort();        /* the runs cover the mapping exactly */
		}
		pm_close(r);
	}
	scan_free(&s);
}

static void ft_plan(const struct proc_id *id, bool use_pagemap)
{
	struct plan_opts po = { .spread = true, .topo = &ft_topo, .use_pagemap = use_pagemap };
	struct plan p;

	nodeset_add(&po.to, 1);
	plan_init(&p, &po);
	(void)plan_add_process(&p, &po, id, ignore_warn, NULL);
	(void)plan_total_bytes(&p, NULL);
	plan_free(&p);
}

static void ft_discard(const struct proc_id *id, enum discard_mode mode)
{
	struct discard_opts o = { .mode = mode };
	struct discard_set set;

	if (discard_find(id, &o, &set) == 0)
		discard_set_free(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		ft_init();
		ready = true;
	}
	ft_clear();
	if (ft_write(data, size)) {
		for (int i = 0; i < FT_NPIDS; i++) {
			struct proc_id id;
			struct scan_proc s;

			if (procs_identify(ft_pids[i], &id) < 0)
				continue;
			if (scan_process(&id, SCAN_NUMA | SCAN_SMAPS | SCAN_ROLLUP | SCAN_MAPS,
					 &s, ignore_warn, NULL) == 0) {
				(void)scan_main_node(&s);
				scan_free(&s);
			}
			ft_walk(&id);
			ft_plan(&id, true);
			ft_plan(&id, false);
			ft_discard(&id, DISCARD_PRECISE);
			ft_discard(&id, DISCARD_MAPPING);
		}
	}
	return 0;
}
