/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* maps: /proc/PID/numa_maps, smaps and maps parsed into one record per
 * mapping.
 *
 * numa_maps line: "ADDR POLICY [file=PATH|heap|stack] [huge] [anon=N] [dirty=N]
 *   [mapped=N] [mapmax=N] [swapcache=N] [active=N] [writeback=N] [N<node>=N..]
 *   [kernelpagesize_kB=N]"; counts are in pages of kernelpagesize_kB (a THP
 *   counts as 512 base pages; a hugetlb page as one page of its size); fields
 *   are omitted when zero.  POLICY is kept as the kernel prints it, including
 *   the two-word modes "weighted interleave:0-2" and "prefer (many):1".  The
 *   kernel escapes ' ', '=', '\t' and '\n' in PATH as \040, \075, \011,
 *   \012; those are decoded.  An unescaped PATH may also contain spaces (it
 *   runs up to the next known field).  A node id above NS_MAX_NODES-1
 *   (nodes.h) is malformed.  Unknown lower-case "key=value" fields (a newer
 *   kernel's) are ignored; any other unknown token is malformed.
 * smaps: a maps header line "START-END PERMS OFFSET MAJ:MIN INODE [PATH]"
 *   then "Key: N kB" lines and "VmFlags:"; unknown keys are ignored.  PATH is
 *   taken as is (spaces and " (deleted)" included).
 *
 * Readers never print: a malformed line is reported through the warn
 * callback (which may be NULL) with file and line number (1-based), skipped,
 * and the rest is still read.  In smaps a bad value line skips only that
 * line; a bad header line skips its whole mapping.  Mappings must come in
 * ascending address order (the kernel's); a line that goes backwards is
 * malformed.  The file name given to warnings is the path without the
 * sysroot prefix ("/proc/42/numa_maps").
 *
 * kind: hugetlb (numa_maps "huge", VmFlags "ht", a path starting with
 * "/anon_hugepage" or "/dev/hugepages"), then by path: [heap], [stack],
 * "[anon:NAME]" anon, "[anon_shmem:NAME]" shm, other "[..]" special; shm for
 * "/dev/zero", "/SYSV", "/memfd:", "/dev/shm/"; file for other paths starting
 * with '/'; special for other named mappings ("anon_inode:..."); anon when
 * there is no path.  Shared anonymous memory always has the path
 * "/dev/zero (deleted)", so VmFlags "sh" is not needed to find it.
 */
#ifndef NS_MAPS_H
#define NS_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* MAPKIND_, not MAP_: <sys/mman.h> defines MAP_ANON, MAP_FILE, MAP_STACK
 * and MAP_HUGETLB as macros. */
enum map_kind {
	MAPKIND_ANON,      /* private anonymous */
	MAPKIND_HEAP,      /* [heap] */
	MAPKIND_STACK,     /* [stack] */
	MAPKIND_FILE,      /* file-backed (path set) */
	MAPKIND_SHM,       /* shared anonymous / SysV shm / memfd ("/dev/zero", "/SYSV..", "/memfd:") */
	MAPKIND_HUGETLB,   /* hugetlbfs or mmap(MAP_HUGETLB) */
	MAPKIND_SPECIAL,   /* [vdso], [vvar], [vsyscall] and other [..] */
};
const char *map_kind_name(enum map_kind k);   /* "anon", "heap", ... */

#define MAP_F_NUMA   0x01  /* numa_maps fields are filled */
#define MAP_F_SMAPS  0x02  /* smaps fields are filled */
#define MAP_F_MAPS   0x04  /* perms/offset/dev/inode are filled */

struct mapping {
	uint64_t start, end;          /* [start, end); end is 0 until smaps or
				       * maps is merged (numa_maps has no end) */
	char perms[5];                /* "rw-p"; "" unless MAP_F_SMAPS|MAP_F_MAPS */
	uint64_t offset;
	uint64_t inode;
	uint64_t dev;                 /* makedev(MAJ, MIN) of maps/smaps; 0 unless MAP_F_SMAPS|MAP_F_MAPS */
	enum map_kind kind;
	char *path;                   /* file path, "[heap]" etc, NULL for anon */
	char *policy;                 /* "default", "bind:0-1", "prefer:1", ... */
	unsigned have;                /* MAP_F_* */

	/* numa_maps; page counts in units of page_size */
	uint64_t page_size;           /* kernelpagesize_kB * 1024 (smaps KernelPageSize if no numa_maps);
				       * 0 when numa_maps listed no pages and no smaps was merged */
	uint64_t *node_pages;         /* node_pages[n]: pages on node n, n < node_slots;
				       * node_slots = highest node seen + 1, NULL when none */
	int node_slots;
	uint64_t anon, dirty, mapped, mapmax, swapcache, active, writeback;
	bool huge;                    /* numa_maps "huge": hugetlb */

	/* smaps, bytes */
	uint64_t size, rss, pss, lazyfree, anon_huge, shmem_huge, file_huge,
		 swap, locked, hugetlb_shared, hugetlb_private;
	uint64_t anonymous;           /* smaps Anonymous */
	char vmflags[96];             /* "rd wr mr mw me ac sd" (cut at a whole flag) */
};

struct mapping_list {
	struct mapping *v;
	size_t n, cap;
};

typedef void (*maps_warn_fn)(void *ud, const char *file, unsigned line,
			     const char *msg);

/* VmFlags of smaps contains this two-letter flag ("ht", "lo", "pf"). */
bool mapping_has_vmflag(const struct mapping *m, const char *flag);

/* Bytes on node n of a mapping (node_pages[n] * page_size). */
uint64_t mapping_node_bytes(const struct mapping *m, int node);
/* Sum over nodes, bytes. */
uint64_t mapping_numa_bytes(const struct mapping *m);

/* Read /proc/PID/numa_maps into out (merged by start address like the
 * others, so the readers can be called in any order; out stays sorted).
 * -ESRCH: no such process (no /proc/PID), -ENOENT: the process has no such
 * file, -EACCES: not allowed, -ENOMEM.  Malformed lines are not errors. */
int maps_read_numa_maps(pid_t pid, struct mapping_list *out,
			maps_warn_fn warn, void *ud);
/* Read /proc/PID/smaps and merge into out by start address (creates
 * mappings that numa_maps did not list). */
int maps_read_smaps(pid_t pid, struct mapping_list *out,
		    maps_warn_fn warn, void *ud);
/* Read /proc/PID/maps (perms, offset, inode, path) and merge likewise. */
int maps_read_maps(pid_t pid, struct mapping_list *out,
		   maps_warn_fn warn, void *ud);

/* The same parsers on any stream (used by the fuzzers and tests); 'name' is
 * the file name given to warnings. */
int maps_parse_numa_maps(FILE *f, const char *name, struct mapping_list *out,
			 maps_warn_fn warn, void *ud);
int maps_parse_smaps(FILE *f, const char *name, struct mapping_list *out,
		     maps_warn_fn warn, void *ud);
int maps_parse_maps(FILE *f, const char *name, struct mapping_list *out,
		    maps_warn_fn warn, void *ud);

/* smaps_rollup of a process, bytes (unknown keys ignored, malformed lines
 * warned). */
struct smaps_rollup {
	uint64_t rss, pss, anon, lazyfree, anon_huge, shmem_huge, file_huge,
		 swap, locked;
};
int maps_read_rollup(pid_t pid, struct smaps_rollup *r,
		     maps_warn_fn warn, void *ud);

/* Which mappings may hold hugetlb pages, known without numa_maps or smaps
 * (both walk every page of a mapping under the process's mmap_lock).
 * /proc/PID/maps alone says it for "/anon_hugepage" and "/dev/hugepages"
 * only; a hugetlb SysV segment or memfd looks like shmem there, and a file
 * of a hugetlbfs mount like a file.  So: the device and file system type of
 * every mount in /proc/PID/mountinfo and in our own (a process in a
 * container maps files of the host's devices), and the device of the kernel's
 * internal shmem mount (where every SysV segment, memfd and shared
 * anonymous mapping lives unless it is hugetlb), learnt from a memfd of
 * our own. */
struct maps_mount_dev {
	uint64_t dev;                 /* makedev() */
	bool hugetlbfs;
};
struct maps_hugetlb_devs {
	struct maps_mount_dev *v;     /* every mount of the process */
	size_t n;
	uint64_t shm;                 /* the shmem mount's device, 0: unknown */
};
/* -ESRCH, -EACCES, -ENOENT (no mountinfo), -ENOMEM; reads through path.h.
 * Free with maps_hugetlb_devs_free (also after an error: harmless). */
int maps_hugetlb_devs(pid_t pid, struct maps_hugetlb_devs *out);
void maps_hugetlb_devs_free(struct maps_hugetlb_devs *d);
/* false only when m (read from maps or smaps) surely holds no hugetlb
 * page: an anonymous, heap, stack or special mapping, a mapping on the
 * shmem mount, or a file on a listed mount that is not hugetlbfs.  A
 * device neither mountinfo lists may be hugetlb. */
bool maps_may_be_hugetlb(const struct mapping *m, const struct maps_hugetlb_devs *d);

/* The mapping holding addr, or NULL.  A mapping whose end is not known
 * (numa_maps only) matches its start address only. */
struct mapping *maps_find(struct mapping_list *l, uint64_t addr);
void maps_free(struct mapping_list *l);

#endif
