/* maps: /proc/PID/numa_maps, smaps and maps parsed into one record per
 * mapping.
 *
 * numa_maps line: "ADDR POLICY [file=PATH|heap|stack|huge] [anon=N] [dirty=N]
 *   [mapped=N] [mapmax=N] [swapcache=N] [active=N] [writeback=N] [N<node>=N..]
 *   [kernelpagesize_kB=N]"; counts are in pages of kernelpagesize_kB (a THP
 *   counts as 512 base pages; a hugetlb page as one page of its size); fields
 *   are omitted when zero.  PATH may contain spaces (everything after "file="
 *   up to the next " key=" token).
 * smaps: a maps header line then "Key: N kB" lines and "VmFlags:".
 *
 * Readers never print: a malformed line is reported through the warn
 * callback with file and line number, skipped, and the rest is still read.
 */
#ifndef NS_MAPS_H
#define NS_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum map_kind {
	MAP_ANON,      /* private anonymous */
	MAP_HEAP,      /* [heap] */
	MAP_STACK,     /* [stack] */
	MAP_FILE,      /* file-backed (path set) */
	MAP_SHM,       /* shared anonymous / SysV shm / memfd ("/dev/zero", "/SYSV..", "/memfd:") */
	MAP_HUGETLB,   /* hugetlbfs or MAP_HUGETLB */
	MAP_SPECIAL,   /* [vdso], [vvar], [vsyscall] and other [..] */
};
const char *map_kind_name(enum map_kind k);   /* "anon", "heap", ... */

#define MAP_F_NUMA   0x01  /* numa_maps fields are filled */
#define MAP_F_SMAPS  0x02  /* smaps fields are filled */
#define MAP_F_MAPS   0x04  /* perms/offset/dev/inode are filled */

struct mapping {
	uint64_t start, end;          /* [start, end) */
	char perms[5];                /* "rw-p"; "" unless MAP_F_SMAPS|MAP_F_MAPS */
	uint64_t offset;
	uint64_t inode;
	enum map_kind kind;
	char *path;                   /* file path, "[heap]" etc, NULL for anon */
	char *policy;                 /* "default", "bind:0-1", "prefer:1", ... */
	unsigned have;                /* MAP_F_* */

	/* numa_maps; page counts in units of page_size */
	uint64_t page_size;           /* kernelpagesize_kB * 1024 (smaps KernelPageSize if no numa_maps) */
	uint64_t *node_pages;         /* node_pages[n]: pages on node n, n < node_slots */
	int node_slots;
	uint64_t anon, dirty, mapped, mapmax, swapcache, active, writeback;
	bool huge;                    /* numa_maps "huge": hugetlb */

	/* smaps, bytes */
	uint64_t size, rss, pss, lazyfree, anon_huge, shmem_huge, file_huge,
		 swap, locked, hugetlb_shared, hugetlb_private;
	char vmflags[96];             /* "rd wr mr mw me ac sd" */
};

struct mapping_list {
	struct mapping *v;
	size_t n, cap;
};

typedef void (*maps_warn_fn)(void *ud, const char *file, unsigned line,
			     const char *msg);

/* Bytes on node n of a mapping (node_pages[n] * page_size). */
uint64_t mapping_node_bytes(const struct mapping *m, int node);
/* Sum over nodes, bytes. */
uint64_t mapping_numa_bytes(const struct mapping *m);

/* Read /proc/PID/numa_maps into out (appended; sorted by start).
 * -ENOENT/-ESRCH: no such process, -EACCES: not allowed. */
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

/* smaps_rollup of a process, bytes. */
struct smaps_rollup {
	uint64_t rss, pss, anon, lazyfree, anon_huge, shmem_huge, file_huge,
		 swap, locked;
};
int maps_read_rollup(pid_t pid, struct smaps_rollup *r,
		     maps_warn_fn warn, void *ud);

struct mapping *maps_find(struct mapping_list *l, uint64_t addr);
void maps_free(struct mapping_list *l);

#endif
