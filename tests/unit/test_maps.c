/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* maps: numa_maps, smaps, maps and smaps_rollup parsing, merging, kinds,
 * bad input, the fixture sysroot, and this process's own live files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "maps.h"
#include "nodes.h"
#include "path.h"
#include "sysinfo.h"
#include "tap.h"

/* Page sizes written in the test inputs (kernelpagesize_kB=4, =2048), not
 * this machine's. */
#define FIX_PAGE (4 * 1024ULL)
#define FIX_HUGE (2048 * 1024ULL)

/* What the warn callback saw. */
struct warns {
	int n;
	unsigned lines[64];
	char file[64];
	char msg[64][256];
};

static void warn_cb(void *ud, const char *file, unsigned line, const char *msg)
{
	struct warns *w = ud;

	if (w->n < 64) {
		w->lines[w->n] = line;
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	}
	snprintf(w->file, sizeof(w->file), "%s", file);
	w->n++;
}

typedef int (*parse_fn)(FILE *f, const char *name, struct mapping_list *out,
			maps_warn_fn warn, void *ud);

/* Parse a string with one of the parsers, appending to l. */
static int parse_str(parse_fn fn, const char *text, struct mapping_list *l,
		     struct warns *w)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	if (!f)
		return -errno;
	rc = fn(f, "test", l, warn_cb, w);
	fclose(f);
	return rc;
}

static bool has_warning(const struct warns *w, unsigned line, const char *part)
{
	for (int i = 0; i < w->n && i < 64; i++)
		if (w->lines[i] == line && strstr(w->msg[i], part))
			return true;
	return false;
}

static void show_warnings(const struct warns *w)
{
	for (int i = 0; i < w->n && i < 64; i++)
		printf("#   warning %s:%u: %s\n", w->file, w->lines[i], w->msg[i]);
}

static void test_numa_fields(void)
{
	int rc;
	static const char text[] =
		"7f0000000000 bind:0-1 file=/usr/lib/a\\040b\\075c.so anon=1 dirty=2 mapped=3 mapmax=4 "
		"swapcache=5 active=6 writeback=7 N0=8 N3=9 kernelpagesize_kB=4\n"
		"7f0000100000 default heap anon=3 dirty=3 N0=3 kernelpagesize_kB=4\n"
		"7f0000200000 default stack anon=2 dirty=2 N1=2 kernelpagesize_kB=4\n"
		"7f0000300000 default file=/anon_hugepage\\040(deleted) huge anon=2 dirty=2 N0=1 N1=1 kernelpagesize_kB=2048\n"
		"7f0040000000 bind:1 file=/dev/hugepages/x huge dirty=1 N1=1 kernelpagesize_kB=1048576\n"
		"7f0080000000 prefer (many):1 anon=1 dirty=1 N1023=1 kernelpagesize_kB=4\n"
		"7f0080001000 weighted interleave:0-2 anon=1 dirty=1 N2=1 kernelpagesize_kB=4\n"
		"7f0080002000 interleave=static:0-3 anon=1 dirty=1 N2=1 kernelpagesize_kB=4\n"
		"7f0080003000 default\n"
		"7f0080004000 local file=/tmp/plain spaces here.txt mapped=1 N0=1 kernelpagesize_kB=4\n"
		"7f0080005000 default file=/dev/zero\\040(deleted) dirty=1 N0=1 kernelpagesize_kB=4\n"
		"7f0080006000 default file=/SYSV00001234\\040(deleted) mapped=1 N0=1 kernelpagesize_kB=4\n"
		"7f0080007000 default file=/memfd:buf\\040(deleted) dirty=1 N0=1 kernelpagesize_kB=4\n"
		"7f0080008000 prefer:1 anon=1 dirty=1 N0=1 N1=0 future_field=12 kernelpagesize_kB=4\n"
		"7f0080009000 default file=/x\\134y\\040z anon=1 N0=1 kernelpagesize_kB=4\n";
	struct mapping_list l = { 0 };
	struct warns w = { 0 };
	struct mapping *m;

	rc = parse_str(maps_parse_numa_maps, text, &l, &w);
	ok(rc == 0, "numa_maps parse");
	ok(w.n == 0, "no warnings (%d)", w.n);
	show_warnings(&w);
	ok(l.n == 15, "15 mappings (%zu)", l.n);
	if (l.n != 15)
		goto out;
	m = &l.v[0];
	is_u64(m->start, 0x7f0000000000ULL, "start");
	is_u64(m->end, 0, "end unknown from numa_maps");
	is_str(m->policy, "bind:0-1", "policy bind:0-1");
	is_str(m->path, "/usr/lib/a b=c.so", "escaped path decoded");
	ok(m->anon == 1 && m->dirty == 2 && m->mapped == 3 && m->mapmax == 4 && m->swapcache == 5 &&
	   m->active == 6 && m->writeback == 7, "every count field");
	ok(m->node_slots == 4 && m->node_pages[0] == 8 && m->node_pages[1] == 0 &&
	   m->node_pages[2] == 0 && m->node_pages[3] == 9, "node pages sized to highest node + 1");
	is_u64(m->page_size, FIX_PAGE, "kernelpagesize_kB=4");
	is_u64(mapping_node_bytes(m, 3), 9 * FIX_PAGE, "node 3 bytes");
	is_u64(mapping_node_bytes(m, 4), 0, "node past the slots is 0");
	is_u64(mapping_node_bytes(m, -1), 0, "negative node is 0");
	is_u64(mapping_numa_bytes(m), 17 * FIX_PAGE, "numa bytes");
	ok(m->kind == MAPKIND_FILE && m->have == MAP_F_NUMA && !m->huge, "file kind, numa flag");
	ok(m->perms[0] == '\0', "no perms from numa_maps");
	ok(l.v[1].kind == MAPKIND_HEAP && strcmp(l.v[1].path, "[heap]") == 0, "heap");
	ok(l.v[2].kind == MAPKIND_STACK && strcmp(l.v[2].path, "[stack]") == 0, "stack");
	m = &l.v[3];
	ok(m->huge && m->kind == MAPKIND_HUGETLB, "hugetlb 2M: huge, kind hugetlb");
	is_u64(m->page_size, 2048 * 1024, "hugetlb 2M page size");
	is_u64(mapping_numa_bytes(m), 2ULL * 2048 * 1024, "hugetlb 2M bytes");
	is_str(m->path, "/anon_hugepage (deleted)", "anon_hugepage path");
	m = &l.v[4];
	is_u64(m->page_size, 1ULL << 30, "hugetlb 1G page size");
	is_u64(mapping_node_bytes(m, 1), 1ULL << 30, "hugetlb 1G bytes on node 1");
	m = &l.v[5];
	is_str(m->policy, "prefer (many):1", "policy prefer (many)");
	ok(m->node_slots == 1024 && m->node_pages[1023] == 1, "node 1023 accepted");
	is_u64(mapping_node_bytes(m, 1023), FIX_PAGE, "node 1023 bytes");
	is_str(l.v[6].policy, "weighted interleave:0-2", "policy weighted interleave");
	is_str(l.v[7].policy, "interleave=static:0-3", "policy with mode flag");
	m = &l.v[8];
	is_str(m->policy, "default", "policy default, no fields");
	ok(m->node_slots == 0 && m->node_pages == NULL && m->page_size == 0 && m->kind == MAPKIND_ANON,
	   "mapping without pages: no node array");
	is_u64(mapping_numa_bytes(m), 0, "no pages: 0 bytes");
	is_str(l.v[9].policy, "local", "policy local");
	is_str(l.v[9].path, "/tmp/plain spaces here.txt", "unescaped path with spaces");
	ok(l.v[10].kind == MAPKIND_SHM, "/dev/zero (deleted) is shm");
	ok(l.v[11].kind == MAPKIND_SHM, "/SYSV is shm");
	ok(l.v[12].kind == MAPKIND_SHM, "/memfd: is shm");
	ok(l.v[13].node_slots == 2 && l.v[13].anon == 1, "unknown key=value field ignored");
	is_str(l.v[14].path, "/x\\134y z", "only the kernel's escapes decoded");
out:
	maps_free(&l);
	ok(l.v == NULL && l.n == 0, "maps_free clears");
}

static void test_numa_bad(void)
{
	int rc;
	static const char text[] =
		"7f0000000000 default anon=1 N0=1 kernelpagesize_kB=4\n"    /* 1 good */
		"7f00\n"                                                    /* 2 no policy */
		"zz default anon=1 N0=1 kernelpagesize_kB=4\n"              /* 3 bad address */
		"7f0000002000 default anon= N0=1 kernelpagesize_kB=4\n"     /* 4 empty value */
		"7f0000003000 default anon=12x N0=1 kernelpagesize_kB=4\n"  /* 5 bad value */
		"7f0000004000 default anon=99999999999999999999999 N0=1 kernelpagesize_kB=4\n" /* 6 */
		"7f0000005000 default anon=1 N0=1\n"                        /* 7 truncated */
		"7f0000006000 default N1024=1 kernelpagesize_kB=4\n"        /* 8 node 1024 */
		"7f0000007000 default what?? N0=1 kernelpagesize_kB=4\n"    /* 9 garbage token */
		"7f0000008000 default N0=1 kernelpagesize_kB=0\n"           /* 10 zero page size */
		"7f0000000000 default anon=1 N0=1 kernelpagesize_kB=4\n"    /* 11 not ascending */
		"\n"                                                        /* 12 empty */
		"11112222333344445 default\n"                               /* 13 address too long */
		"7f0000009000 default N=1 kernelpagesize_kB=4\n"            /* 14 N without node */
		"7f000000a000 default file= N0=1 kernelpagesize_kB=4\n"     /* 15 empty path */
		"7f000000b000 default N0=x kernelpagesize_kB=4\n"           /* 16 bad count */
		"7f000000c000 default N99999999999999999999=1 kernelpagesize_kB=4\n" /* 17 */
		"7f000000d000 default anon=1 N0=2 kernelpagesize_kB=4";     /* 18 good, no newline */
	static const unsigned bad_lines[] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };
	struct mapping_list l = { 0 };
	struct warns w = { 0 };
	bool all = true;

	rc = parse_str(maps_parse_numa_maps, text, &l, &w);
	ok(rc == 0, "bad numa_maps still returns 0");
	ok(l.n == 2 && l.v[0].start == 0x7f0000000000ULL && l.v[1].start == 0x7f000000d000ULL,
	   "the two good lines read (%zu)", l.n);
	ok(w.n == 16, "16 warnings (%d)", w.n);
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		all &= has_warning(&w, bad_lines[i], "");
	ok(all, "one warning on each bad line");
	if (!all || w.n != 16)
		show_warnings(&w);
	is_str(w.file, "test", "warnings name the file");
	ok(has_warning(&w, 8, "node 1024 out of range"), "node 1024 named");
	ok(has_warning(&w, 7, "kernelpagesize_kB"), "truncated line explained");
	ok(has_warning(&w, 9, "what??"), "garbage token named");
	ok(has_warning(&w, 6, "too large"), "huge number named");
	ok(has_warning(&w, 11, "does not follow"), "backwards address named");
	maps_free(&l);
}

static const char smaps_text[] =
	"7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n"
	"Size:               4096 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                4096 kB\n"
	"Pss:                2048 kB\n"
	"Pss_Dirty:          2048 kB\n"
	"Anonymous:          4096 kB\n"
	"LazyFree:           1024 kB\n"
	"AnonHugePages:      2048 kB\n"
	"ShmemPmdMapped:        8 kB\n"
	"FilePmdMapped:        12 kB\n"
	"Shared_Hugetlb:       16 kB\n"
	"Private_Hugetlb:      20 kB\n"
	"Swap:                 24 kB\n"
	"SwapPss:              24 kB\n"
	"Locked:               28 kB\n"
	"NewKey2030:           99 kB\n"
	"THPeligible:    1\n"
	"ProtectionKey:         0\n"
	"VmFlags: rd wr mr mw me ac sd hg \n"
	"7f0000400000-7f0000500000 r--s 00001000 fe:01 123456                     /data/my file (deleted)\n"
	"Size:               1024 kB\n"
	"KernelPageSize:        4 kB\n"
	"Rss:                  12 kB\n"
	"VmFlags: rd sh mr mw me ms\n"
	"7f0000800000-7f0000c00000 rw-p 00000000 00:0f 77                         /hugetlbfs-mount/x\n"
	"KernelPageSize:     2048 kB\n"
	"Private_Hugetlb:    4096 kB\n"
	"VmFlags: rd wr mr mw me de ht\n"
	"7ffff7fc4000-7ffff7fc6000 r-xp 00000000 00:00 0                          [vdso]\n"
	"Rss:                   4 kB\n"
	"7ffff7fc6000-7ffff7fc7000 rw-p 00000000 00:00 0                          [anon:jemalloc]\n"
	"7ffff7fc7000-7ffff7fc8000 rw-s 00000000 00:01 5                          [anon_shmem:ring]\n"
	"7ffff7fc8000-7ffff7fc9000 rw-s 00000000 00:0e 6                          anon_inode:[perf_event]\n"
	"7ffff7fc9000-7ffff7fca000 rw-p 00000000 00:00 0                          [stack:1234]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static void test_smaps(void)
{
	int rc;
	struct mapping_list l = { 0 };
	struct warns w = { 0 };
	struct mapping *m;

	rc = parse_str(maps_parse_smaps, smaps_text, &l, &w);
	ok(rc == 0, "smaps parse");
	ok(w.n == 0, "no warnings (%d)", w.n);
	show_warnings(&w);
	ok(l.n == 9, "9 mappings (%zu)", l.n);
	if (l.n != 9)
		goto out;
	m = &l.v[0];
	ok(m->start == 0x7f0000000000ULL && m->end == 0x7f0000400000ULL, "range");
	is_str(m->perms, "rw-p", "perms");
	ok(m->path == NULL && m->kind == MAPKIND_ANON, "anon (trailing blank after inode)");
	ok(m->have == MAP_F_SMAPS, "smaps flag");
	is_u64(m->size, 4096 * 1024, "Size");
	is_u64(m->page_size, FIX_PAGE, "KernelPageSize");
	is_u64(m->rss, 4096 * 1024, "Rss");
	is_u64(m->pss, 2048 * 1024, "Pss");
	is_u64(m->anonymous, 4096 * 1024, "Anonymous");
	is_u64(m->lazyfree, 1024 * 1024, "LazyFree");
	is_u64(m->anon_huge, 2048 * 1024, "AnonHugePages");
	is_u64(m->shmem_huge, 8 * 1024, "ShmemPmdMapped");
	is_u64(m->file_huge, 12 * 1024, "FilePmdMapped");
	is_u64(m->hugetlb_shared, 16 * 1024, "Shared_Hugetlb");
	is_u64(m->hugetlb_private, 20 * 1024, "Private_Hugetlb");
	is_u64(m->swap, 24 * 1024, "Swap");
	is_u64(m->locked, 28 * 1024, "Locked");
	is_str(m->vmflags, "rd wr mr mw me ac sd hg", "VmFlags");
	ok(mapping_has_vmflag(m, "hg") && mapping_has_vmflag(m, "rd") && !mapping_has_vmflag(m, "h") &&
	   !mapping_has_vmflag(m, "ht"), "mapping_has_vmflag matches whole flags");
	m = &l.v[1];
	is_str(m->path, "/data/my file (deleted)", "path with spaces and (deleted)");
	ok(m->offset == 0x1000 && m->inode == 123456 && m->kind == MAPKIND_FILE, "offset, inode, file");
	ok(l.v[2].kind == MAPKIND_HUGETLB && l.v[2].page_size == 2048 * 1024, "VmFlags ht: hugetlb");
	ok(l.v[3].kind == MAPKIND_SPECIAL, "[vdso] special");
	ok(l.v[4].kind == MAPKIND_ANON, "[anon:name] anon");
	ok(l.v[5].kind == MAPKIND_SHM, "[anon_shmem:name] shm");
	ok(l.v[6].kind == MAPKIND_SPECIAL, "anon_inode: special");
	ok(l.v[7].kind == MAPKIND_STACK, "[stack:tid] stack");
	ok(l.v[8].start == 0xffffffffff600000ULL && l.v[8].kind == MAPKIND_SPECIAL, "[vsyscall] 64-bit address");
	ok(maps_find(&l, 0x7f0000000000ULL) == &l.v[0], "find at start");
	ok(maps_find(&l, 0x7f00003fffffULL) == &l.v[0], "find at last byte");
	ok(maps_find(&l, 0x7f0000500000ULL) == NULL, "find in a gap");
	ok(maps_find(&l, 0x1000) == NULL, "find below all");
	ok(maps_find(&l, 0xffffffffff600fffULL) == &l.v[8], "find in the last");
out:
	maps_free(&l);
}

static void test_smaps_bad(void)
{
	int rc;
	static const char text[] =
		"Rss:                   4 kB\n"                                            /* 1 before header */
		"7f0000000000-7f0000001000 rw-p 00000000 00:00 0\n"                        /* 2 */
		"Rss:                   x kB\n"                                            /* 3 bad value */
		"Swap:                  8 kB\n"                                            /* 4 still read */
		"Pss:                   8\n"                                               /* 5 no unit */
		"Locked:   99999999999999999999 kB\n"                                      /* 6 huge */
		"garbage line here\n"                                                      /* 7 */
		"7f0000001000-7f0000002000 rw-\n"                                          /* 8 truncated header */
		"Rss:                  12 kB\n"                                            /* 9 skipped quietly */
		"7f0000003000-7f0000002000 rw-p 00000000 00:00 0\n"                        /* 10 end < start */
		"7f0000004000-7f0000005000 rw-p 00000000 00:00 0\n"                        /* 11 */
		"Rss:                   4 kB\n"                                            /* 12 */
		"Locked:  18014398509481984 kB\n"                                          /* 13 kB overflow */
		"7f0000000000-7f0000001000 rw-p 00000000 00:00 0\n"                        /* 14 backwards */
		"7f0000006000-7f0000007000 rw-x 00000000 00:00 0\n"                        /* 15 bad perms */
		"7f0000008000-7f0000009000 rw-p 0000zz00 00:00 0\n"                        /* 16 bad offset */
		"7f000000a000-7f000000b000 rw-p 00000000 00:00 12a\n"                      /* 17 bad inode */
		"7f000000c000-7f000000d000 rw-p 00000000 00:00 0\n"                        /* 18 */
		"VmFlags: rd wr mr mw me ac sd ex sh mr mw me ms gd pf dw lo io sr rr dc de ac nr ht sf "
		"ar wf dd mm hg nh mg um uw ss sl bt mt\n";                                /* 19 long */
	static const unsigned bad_lines[] = { 1, 3, 5, 6, 7, 8, 10, 13, 14, 15, 16, 17 };
	struct mapping_list l = { 0 };
	struct warns w = { 0 };
	bool all = true;

	rc = parse_str(maps_parse_smaps, text, &l, &w);
	ok(rc == 0, "bad smaps still returns 0");
	ok(l.n == 3, "3 good headers (%zu)", l.n);
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		all &= has_warning(&w, bad_lines[i], "");
	ok(all && w.n == 12, "one warning per bad line (%d)", w.n);
	if (!all || w.n != 12)
		show_warnings(&w);
	if (l.n != 3)
		goto out;
	ok(l.v[0].rss == 0 && l.v[0].swap == 8192 && l.v[0].pss == 0 && l.v[0].locked == 0,
	   "bad value lines skipped alone, the next line read");
	ok(l.v[1].start == 0x7f0000004000ULL && l.v[1].rss == FIX_PAGE, "mapping after bad ones read");
	ok(strlen(l.v[2].vmflags) < sizeof(l.v[2].vmflags) &&
	   l.v[2].vmflags[strlen(l.v[2].vmflags) - 1] != ' ' && mapping_has_vmflag(&l.v[2], "ht"),
	   "long VmFlags cut at a whole flag: '%s'", l.v[2].vmflags);
out:
	maps_free(&l);
}

/* New mappings before, between and after the known ones. */
static void merge_interleaved(void)
{
	static const char a[] =
		"2000 default anon=1 N0=1 kernelpagesize_kB=4\n"
		"4000 default anon=1 N1=1 kernelpagesize_kB=4\n"
		"6000 default anon=1 N0=1 kernelpagesize_kB=4\n";
	static const char b[] =
		"1000-2000 r--p 00000000 00:00 0\n"
		"3000-4000 r--p 00000000 00:00 0\n"
		"4000-5000 rw-p 00000000 00:00 0          [anon:x]\n"
		"7000-8000 r--p 00000000 00:00 0\n"
		"9000-a000 r--p 00000000 00:00 0\n";
	static const uint64_t want[] = { 0x1000, 0x2000, 0x3000, 0x4000, 0x6000, 0x7000, 0x9000 };
	struct mapping_list l = { 0 };
	struct warns w = { 0 };
	bool same;

	parse_str(maps_parse_numa_maps, a, &l, &w);
	parse_str(maps_parse_maps, b, &l, &w);
	same = l.n == 7 && w.n == 0;
	for (size_t i = 0; same && i < 7; i++)
		same = l.v[i].start == want[i];
	ok(same, "interleaved merge: 3 + 5 with one shared = 7 in order (%zu)", l.n);
	ok(l.n == 7 && l.v[3].have == (MAP_F_NUMA | MAP_F_MAPS) && l.v[3].end == 0x5000 &&
	   mapping_node_bytes(&l.v[3], 1) == FIX_PAGE && strcmp(l.v[3].path, "[anon:x]") == 0 &&
	   l.v[1].have == MAP_F_NUMA && l.v[0].have == MAP_F_MAPS, "shared one merged, others kept");
	maps_free(&l);
}

static void test_maps_and_merge(void)
{
	int rc;
	static const char numa[] =
		"7f0000000000 default anon=2 dirty=2 N0=2 kernelpagesize_kB=4\n"
		"7f0000400000 default file=/data/my\\040file\\040(deleted) mapped=3 N1=3 kernelpagesize_kB=4\n"
		"7f0000800000 default huge dirty=2 N0=2 kernelpagesize_kB=2048\n"
		"7ffff7fc4000 default mapped=1 N0=1 kernelpagesize_kB=4\n";
	static const char maps[] =
		"7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n"
		"7f0000400000-7f0000500000 r--s 00001000 fe:01 123456                     /data/my file (deleted)\n"
		"7f0000c00000-7f0000d00000 rw-p 00000000 00:00 0\n"
		"zzz\n";
	struct mapping_list l = { 0 }, l2 = { 0 };
	struct warns w = { 0 };
	struct mapping *m;

	rc = parse_str(maps_parse_maps, maps, &l, &w);
	ok(rc == 0 && l.n == 3, "maps parse");
	ok(w.n == 1 && has_warning(&w, 4, "bad mapping header"), "maps bad line warned");
	ok(l.v[1].have == MAP_F_MAPS && strcmp(l.v[1].perms, "r--s") == 0, "maps flag and perms");
	maps_free(&l);

	/* numa_maps first, then smaps: one list */
	w.n = 0;
	parse_str(maps_parse_numa_maps, numa, &l, &w);
	rc = parse_str(maps_parse_smaps, smaps_text, &l, &w);
	ok(rc == 0 && w.n == 0, "smaps merged into numa");
	ok(l.n == 9, "9 mappings after merge (%zu)", l.n);
	m = maps_find(&l, 0x7f0000000000ULL);
	ok(m && m->have == (MAP_F_NUMA | MAP_F_SMAPS), "both flags");
	ok(m && m->end == 0x7f0000400000ULL && m->node_pages[0] == 2 && m->rss == 4096 * 1024 &&
	   strcmp(m->policy, "default") == 0 && strcmp(m->perms, "rw-p") == 0, "fields from both");
	m = maps_find(&l, 0x7f0000400000ULL);
	ok(m && strcmp(m->path, "/data/my file (deleted)") == 0 && m->node_pages[1] == 3,
	   "path agrees, node pages kept");
	m = maps_find(&l, 0x7f0000800000ULL);
	ok(m && m->kind == MAPKIND_HUGETLB && m->page_size == 2048 * 1024 && m->huge,
	   "numa 'huge' with smaps path outside /dev/hugepages: hugetlb");
	m = maps_find(&l, 0x7ffff7fc4000ULL);
	ok(m && m->kind == MAPKIND_SPECIAL && strcmp(m->path, "[vdso]") == 0 && m->node_pages[0] == 1,
	   "[vdso] named by smaps");
	m = maps_find(&l, 0xffffffffff600000ULL);
	ok(m && m->have == MAP_F_SMAPS, "smaps-only mapping created");
	for (size_t i = 1; i < l.n; i++)
		if (l.v[i - 1].start >= l.v[i].start)
			ok(0, "sorted at %zu", i);

	/* smaps first, then numa_maps: the same result */
	parse_str(maps_parse_smaps, smaps_text, &l2, &w);
	parse_str(maps_parse_numa_maps, numa, &l2, &w);
	ok(l2.n == l.n, "order does not matter (%zu)", l2.n);
	for (size_t i = 0; i < l.n && i < l2.n; i++) {
		const struct mapping *a = &l.v[i], *b = &l2.v[i];

		if (a->start != b->start || a->end != b->end || a->kind != b->kind ||
		    a->have != b->have || a->page_size != b->page_size ||
		    mapping_numa_bytes(a) != mapping_numa_bytes(b) || a->rss != b->rss ||
		    (a->path == NULL) != (b->path == NULL) || (a->path && strcmp(a->path, b->path)))
			ok(0, "mapping %zu differs", i);
	}
	/* a numa-only mapping: find matches its start only */
	m = maps_find(&l2, 0x7f0000800000ULL);
	ok(m && m->end == 0x7f0000c00000ULL, "hugetlb got end from smaps");
	maps_free(&l);
	maps_free(&l2);
	parse_str(maps_parse_numa_maps, numa, &l, &w);
	ok(maps_find(&l, 0x7f0000000000ULL) == &l.v[0] && maps_find(&l, 0x7f0000000001ULL) == NULL,
	   "numa-only mapping matches its start only");
	maps_free(&l);
	merge_interleaved();
}

/* Random bytes and mangled lines: no crash, no read out of bounds (run
 * under ASan and valgrind). */
static void test_garbage(void)
{
	static const char *const seeds[] = {
		"7f0000000000 default file=/a\\040b anon=1 N0=1 kernelpagesize_kB=4\n",
		"7f0000000000-7f0000001000 rw-p 00000000 00:00 0 /x\nRss: 4 kB\nVmFlags: rd wr\n",
	};
	char buf[512];
	unsigned seed = 12345;
	struct warns w;
	int fails = 0;

	for (int round = 0; round < 4000; round++) {
		const char *s = seeds[round % 2];
		size_t len = strlen(s), cut;
		struct mapping_list l = { 0 };
		FILE *f;

		memcpy(buf, s, len + 1);
		/* flip a few bytes, then cut somewhere */
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % len] = (char)(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		cut = (seed >> 8) % (len + 1);
		memset(&w, 0, sizeof(w));
		f = fmemopen(buf, cut ? cut : 1, "r");
		if (!f)
			continue;
		if (round % 3 == 0)
			fails += maps_parse_numa_maps(f, "g", &l, warn_cb, &w) != 0;
		else if (round % 3 == 1)
			fails += maps_parse_smaps(f, "g", &l, warn_cb, &w) != 0;
		else
			fails += maps_parse_maps(f, "g", &l, NULL, NULL) != 0;
		fclose(f);
		maps_free(&l);
	}
	ok(fails == 0, "4000 mangled inputs parsed without error or crash");
}

static void test_fixture(const char *top)
{
	int rc;
	struct mapping_list l = { 0 };
	struct smaps_rollup r;
	struct warns w = { 0 };
	char root[PATH_MAX];
	uint64_t node[4] = { 0 }, rss = 0, numa_rss = 0;
	int kinds[MAPKIND_SPECIAL + 1] = { 0 };

	snprintf(root, sizeof(root), "%s/tests/fixtures/parsers/sysroot-4node", top);
	ok(path_set_root(root) == 0, "fixture sysroot");
	rc = maps_read_numa_maps(4242, &l, warn_cb, &w);
	ok(rc == 0, "read numa_maps of 4242");
	rc = maps_read_smaps(4242, &l, warn_cb, &w);
	ok(rc == 0, "read smaps of 4242");
	rc = maps_read_maps(4242, &l, warn_cb, &w);
	ok(rc == 0, "read maps of 4242");
	ok(w.n == 0, "fixture reads clean (%d warnings)", w.n);
	show_warnings(&w);
	ok(l.n == 14, "14 mappings (%zu)", l.n);
	for (size_t i = 0; i < l.n; i++) {
		const struct mapping *m = &l.v[i];

		for (int n = 0; n < 4; n++)
			node[n] += mapping_node_bytes(m, n);
		kinds[m->kind]++;
		if (m->kind != MAPKIND_HUGETLB) {
			rss += m->rss;
			numa_rss += mapping_numa_bytes(m);
		}
	}
	/* sums written out by hand from the fixture's numa_maps */
	is_u64(node[0], (2 + 1 + 512 + 2 + 2 + 1 + 2) * FIX_PAGE + FIX_HUGE, "node 0 bytes");
	is_u64(node[1], (2 + 512 + 1 + 1) * FIX_PAGE + FIX_HUGE + (1ULL << 30), "node 1 bytes");
	is_u64(node[2], (2 + 2 + 1) * FIX_PAGE, "node 2 bytes");
	is_u64(node[3], 0, "node 3 bytes");
	is_u64(numa_rss, rss, "numa_maps pages x page size = smaps Rss outside hugetlb");
	ok(kinds[MAPKIND_FILE] == 3 && kinds[MAPKIND_HEAP] == 1 && kinds[MAPKIND_STACK] == 1 &&
	   kinds[MAPKIND_ANON] == 1 && kinds[MAPKIND_SHM] == 3 && kinds[MAPKIND_HUGETLB] == 2 &&
	   kinds[MAPKIND_SPECIAL] == 3, "kinds: 3 file, heap, stack, anon, 3 shm, 2 hugetlb, 3 special");
	ok(l.v[0].have == (MAP_F_NUMA | MAP_F_SMAPS | MAP_F_MAPS), "all three merged");
	is_str(map_kind_name(MAPKIND_HUGETLB), "hugetlb", "kind name");
	is_str(map_kind_name((enum map_kind)99), "?", "kind name out of range");
	maps_free(&l);

	rc = maps_read_rollup(4242, &r, warn_cb, &w);
	ok(rc == 0 && w.n == 0, "read smaps_rollup");
	is_u64(r.rss, 4172 * 1024, "rollup Rss");
	is_u64(r.anon, 4116 * 1024, "rollup Anonymous");
	is_u64(r.lazyfree, 2048 * 1024, "rollup LazyFree");
	is_u64(r.anon_huge, 4096 * 1024, "rollup AnonHugePages");
	is_u64(r.swap, 8 * 1024, "rollup Swap");

	rc = maps_read_numa_maps(4243, &l, warn_cb, &w);
	ok(rc == -ESRCH, "no such pid: -ESRCH");
	rc = maps_read_rollup(4243, &r, warn_cb, &w);
	ok(rc == -ESRCH, "rollup of no such pid: -ESRCH");
	path_set_root(NULL);
}

/* Map one page of a new file named name in dir and touch it; the file is
 * unlinked afterwards when gone is set. */
static char *map_file(const char *dir, const char *name, bool gone)
{
	char p[512];
	char *a;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w+");
	if (!f)
		return NULL;
	for (uint64_t i = 0; i < sys_page_size(); i++)
		fputc('x', f);
	fflush(f);
	a = mmap(NULL, sys_page_size(), PROT_READ, MAP_SHARED, fileno(f), 0);
	fclose(f);
	if (gone)
		unlink(p);
	if (a == MAP_FAILED)
		return NULL;
	if (a[0] != 'x')
		return NULL;
	return a;
}

/* numa_maps escapes ' ' and '=' (\040, \075), smaps does not: the decoded
 * paths must agree. */
static void test_live_paths(const struct mapping_list *numa, const struct mapping_list *sm,
			    const char *a, const char *b, const char *dir)
{
	const struct mapping *n, *s;
	char want[512];

	n = a ? maps_find((struct mapping_list *)numa, (uint64_t)(uintptr_t)a) : NULL;
	s = a ? maps_find((struct mapping_list *)sm, (uint64_t)(uintptr_t)a) : NULL;
	snprintf(want, sizeof(want), "%s/a b=c.txt", dir);
	ok(n && s && n->path && s->path && strcmp(n->path, s->path) == 0 && strcmp(n->path, want) == 0,
	   "file with ' ' and '=': numa_maps path '%s' = smaps path '%s'",
	   n && n->path ? n->path : "-", s && s->path ? s->path : "-");
	ok(n && n->kind == MAPKIND_FILE && n->node_slots > 0, "that file is a file mapping with pages");
	n = b ? maps_find((struct mapping_list *)numa, (uint64_t)(uintptr_t)b) : NULL;
	s = b ? maps_find((struct mapping_list *)sm, (uint64_t)(uintptr_t)b) : NULL;
	snprintf(want, sizeof(want), "%s/gone file (deleted)", dir);
	ok(n && s && n->path && s->path && strcmp(n->path, want) == 0 && strcmp(s->path, want) == 0,
	   "deleted file: '%s' in both", n && n->path ? n->path : "-");
}

/* Whole file into buf with plain read(2): no allocation between the
 * snapshots of numa_maps and smaps, so under ASan (whose allocator maps
 * memory as it goes) both show the same mappings. */
static char snap_numa[4 << 20], snap_smaps[8 << 20];

static FILE *snapshot(const char *path, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got == 0 || got == cap)
		return NULL;
	return fmemopen(buf, got, "r");
}

static void test_live(void)
{
	struct mapping_list numa = { 0 }, sm = { 0 };
	struct warns w = { 0 };
	size_t sz = 64ULL << 20, missing = 0, badsize = 0;
	const struct mapping *m;
	char dir[] = "/tmp/ns-test-maps.XXXXXX", *buf, *fa, *fb, p[512];
	FILE *fn = NULL, *fs = NULL;
	int rc, numa_rc;

	path_set_root(NULL);
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	fa = map_file(dir, "a b=c.txt", false);
	fb = map_file(dir, "gone file", true);
	ok(fa && fb, "two file mappings");
	buf = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(buf != MAP_FAILED, "mmap 64 MiB");
	if (buf == MAP_FAILED)
		return;
	madvise(buf, sz, MADV_HUGEPAGE);
	memset(buf, 1, sz);

	/* the readers themselves, on /proc/PID */
	numa_rc = maps_read_numa_maps(getpid(), &numa, warn_cb, &w);
	ok(numa_rc == 0 || numa_rc == -ENOENT, "own numa_maps (%d)", numa_rc);
	rc = maps_read_smaps(getpid(), &sm, warn_cb, &w);
	ok(rc == 0 && sm.n > 5, "own smaps (%zu mappings)", sm.n);
	ok(w.n == 0, "own files read without warnings (%d)", w.n);
	maps_free(&numa);
	maps_free(&sm);
	/* then two snapshots taken back to back for the comparison */
	fn = snapshot("/proc/self/numa_maps", snap_numa, sizeof(snap_numa));
	fs = snapshot("/proc/self/smaps", snap_smaps, sizeof(snap_smaps));
	ok(fs != NULL, "snapshots of numa_maps and smaps");
	if (fn)
		numa_rc = maps_parse_numa_maps(fn, "numa_maps", &numa, warn_cb, &w);
	if (fs)
		maps_parse_smaps(fs, "smaps", &sm, warn_cb, &w);
	ok(w.n == 0, "snapshots parsed without warnings (%d)", w.n);
	show_warnings(&w);
	if (numa_rc == 0 && fn && fs) {
		for (size_t i = 0; i < numa.n; i++) {
			const struct mapping *s = maps_find(&sm, numa.v[i].start);

			if (!s || s->start != numa.v[i].start)
				missing++;
			else if (numa.v[i].page_size && numa.v[i].page_size != s->page_size)
				badsize++;
		}
		ok(numa.n > 5 && missing == 0, "every numa_maps mapping is in smaps (%zu, %zu missing)",
		   numa.n, missing);
		ok(badsize == 0, "page sizes agree (%zu differ)", badsize);
		test_live_paths(&numa, &sm, fa, fb, dir);
		/* merge and check the buffer */
		rewind(fs);
		maps_parse_smaps(fs, "smaps", &numa, warn_cb, &w);
		m = maps_find(&numa, (uint64_t)(uintptr_t)buf);
		ok(m && m->kind == MAPKIND_ANON && m->end - m->start >= sz, "test buffer found as anon");
		if (m) {
			is_u64(mapping_numa_bytes(m), m->rss, "buffer: numa_maps bytes = smaps Rss");
			ok(m->rss >= sz && m->anon_huge <= m->rss, "buffer: Rss %llu, THP %llu",
			   (unsigned long long)m->rss, (unsigned long long)m->anon_huge);
			is_u64(m->page_size, sys_page_size(), "buffer: base page size");
		}
	}
	maps_free(&numa);
	maps_free(&sm);
	if (fn)
		fclose(fn);
	if (fs)
		fclose(fs);
	munmap(buf, sz);
	if (fa)
		munmap(fa, sys_page_size());
	if (fb)
		munmap(fb, sys_page_size());
	snprintf(p, sizeof(p), "%s/a b=c.txt", dir);
	unlink(p);
	rmdir(dir);
}

/* A mapping of this process whose start is addr, from /proc/self/maps. */
static bool own_mapping(const void *addr, struct mapping *out)
{
	struct mapping_list l = { 0 };
	struct mapping *m;
	bool found = false;

	if (maps_read_maps(getpid(), &l, NULL, NULL) == 0 &&
	    (m = maps_find(&l, (uint64_t)(uintptr_t)addr)) != NULL) {
		*out = *m;
		out->path = m->path ? strdup(m->path) : NULL;
		out->policy = NULL;
		out->node_pages = NULL;
		found = true;
	}
	maps_free(&l);
	return found;
}

/* Which mappings may be hugetlb, from maps and mountinfo alone: the
 * planner reads numa_maps for those only. */
static void test_hugetlb_devs(void)
{
	char dir[] = "/tmp/ns-test-hdevs.XXXXXX", p[512];
	struct maps_hugetlb_devs d;
	struct mapping m = { 0 }, fake;
	struct path_mount pm;
	char line[] = "37 22 0:45 / /mnt/huge\\040one rw - hugetlbfs none rw,pagesize=1024M\n";
	char bad[] = "37 22 0:45 /mnt rw hugetlbfs\n";
	void *a, *mf, *sv;
	FILE *f;
	int fd, id;

	ok(path_mountinfo_line(line, &pm) == 0 && pm.major == 0 && pm.minor == 45 &&
	   strcmp(pm.mnt, "/mnt/huge\\040one") == 0 && strcmp(pm.fstype, "hugetlbfs") == 0,
	   "a mountinfo line: device, mount point as escaped, type");
	ok(path_mountinfo_line(bad, &pm) == -EINVAL, "a line without ' - ': -EINVAL");
	path_set_root(NULL);
	ok(maps_hugetlb_devs(getpid(), &d) == 0 && d.shm != 0 && d.n > 0,
	   "own mountinfo (%zu mounts), shmem device known", d.n);
	a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(a != MAP_FAILED && own_mapping(a, &m) && !maps_may_be_hugetlb(&m, &d),
	   "private anonymous memory: never hugetlb");
	free(m.path);
	m.path = NULL;
	fd = memfd_create("plain", 0);
	ok(fd >= 0 && ftruncate(fd, 1 << 20) == 0, "memfd");
	mf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok(mf != MAP_FAILED && own_mapping(mf, &m) && m.kind == MAPKIND_SHM &&
	   m.dev == d.shm && !maps_may_be_hugetlb(&m, &d),
	   "a memfd lives on the shmem mount: not hugetlb (dev %llx)", (unsigned long long)m.dev);
	fake = m;
	fake.dev = d.shm + 1;
	ok(maps_may_be_hugetlb(&fake, &d), "a memfd on another device may be hugetlb");
	free(m.path);
	m.path = NULL;
	id = shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600);
	sv = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	ok(sv != (void *)-1 && own_mapping(sv, &m) && !maps_may_be_hugetlb(&m, &d),
	   "a SysV segment on the shmem mount: not hugetlb (%s)", sv != (void *)-1 ? m.path : "-");
	if (sv != (void *)-1) {
		free(m.path);
		m.path = NULL;
		shmdt(sv);
	}
	fake.path = (char *)"/anon_hugepage (deleted)";
	fake.kind = MAPKIND_HUGETLB;
	ok(maps_may_be_hugetlb(&fake, &d), "/anon_hugepage: hugetlb");
	fake.kind = MAPKIND_FILE;
	fake.path = (char *)"/data/x";
	fake.dev = makedev(4095, 1048575);
	ok(maps_may_be_hugetlb(&fake, &d), "a file on a device mountinfo does not list: may be");
	maps_hugetlb_devs_free(&d);
	munmap(a, 1 << 20);
	munmap(mf, 1 << 20);
	close(fd);

	/* a hugetlbfs mount of the process's own mount namespace */
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(p, sizeof(p), "mkdir -p %s/proc/42", dir);
	ok(system(p) == 0, "tree");
	snprintf(p, sizeof(p), "%s/proc/42/mountinfo", dir);
	f = fopen(p, "w");
	if (f) {
		fputs("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		      "36 22 0:44 / /dev/hugepages rw,relatime shared:27 - hugetlbfs hugetlbfs rw,pagesize=2M\n"
		      "37 22 0:45 / /mnt/huge\\040one rw - hugetlbfs none rw,pagesize=1024M\n"
		      "garbage\n", f);
		fclose(f);
	}
	ok(path_set_root(dir) == 0, "sysroot");
	ok(maps_hugetlb_devs(42, &d) == 0 && d.n == 3 && !d.v[0].hugetlbfs &&
	   d.v[1].dev == makedev(0, 44) && d.v[1].hugetlbfs && d.v[2].dev == makedev(0, 45) &&
	   d.v[2].hugetlbfs, "three mounts, two hugetlbfs (%zu)", d.n);
	fake.dev = makedev(0, 45);
	fake.path = (char *)"/mnt/huge one/seg";
	ok(maps_may_be_hugetlb(&fake, &d), "a file on a hugetlbfs mount: hugetlb");
	fake.dev = makedev(8, 1);
	fake.path = (char *)"/data/x";
	ok(!maps_may_be_hugetlb(&fake, &d), "a file on an ext4 mount: not hugetlb");
	maps_hugetlb_devs_free(&d);
	maps_hugetlb_devs_free(&d);
	/* our own mountinfo names the host's devices of a container's files */
	snprintf(p, sizeof(p), "mkdir -p %s/proc/self", dir);
	ok(system(p) == 0, "tree: proc/self");
	snprintf(p, sizeof(p), "%s/proc/self/mountinfo", dir);
	f = fopen(p, "w");
	if (f) {
		fputs("22 1 8:2 / / rw - xfs /dev/sda2 rw\n", f);
		fclose(f);
	}
	ok(maps_hugetlb_devs(42, &d) == 0 && d.n == 4, "the process's mounts and ours (%zu)", d.n);
	fake.dev = makedev(8, 2);
	fake.path = (char *)"/usr/lib/libc.so.6";
	ok(!maps_may_be_hugetlb(&fake, &d), "a file on a device only our own mountinfo lists: not hugetlb");
	maps_hugetlb_devs_free(&d);
	ok(maps_hugetlb_devs(43, &d) == -ESRCH, "no such process: -ESRCH");
	path_set_root(NULL);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	ok(system(p) == 0, "cleanup");
}

int main(void)
{
	const char *top = getenv("NS_TOP");

	test_numa_fields();
	test_numa_bad();
	test_smaps();
	test_smaps_bad();
	test_maps_and_merge();
	test_garbage();
	test_fixture(top ? top : ".");
	test_live();
	test_hugetlb_devs();
	return tap_done();
}

