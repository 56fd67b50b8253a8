/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* plan: what will move, as a plain value.  A plan is a list of processes,
 * each with a list of runs; a run is a range of pages of one mapping that sit
 * on one source node, have one page size class and go to one target node.
 * Memory grows with the number of runs, never with the number of pages: the
 * executor (exec.h) generates move_pages entries batch by batch from runs.
 *
 * Built from the scan (numa_maps for mappings, policies and node counts) and
 * pagemap runs with their node (pagemap.h).  As root (kpageflags) THPs are
 * visible: a run of THP pages gets one entry per THP (its THP-aligned part).
 * Without kpageflags the folio boundaries are hidden: such runs use one entry
 * per base page; the executor then resolves the -EBUSY the kernel gives to
 * the second address of an already-moved THP by a query (any address inside a
 * THP moves the whole THP, so THPs stay whole and the bytes still add up).
 * When no page-level node is available (a --sysroot tree has no pagemap) a
 * run is "coarse": it stands for 'pages' pages somewhere in [map_start,
 * map_end) on the source node, and the executor queries the range first.
 *
 * Node mapping: with a FROM set, the k-th node of FROM goes to the
 * (k mod |TO|)-th node of TO (migrate_pages(2) semantics); a node mapped to
 * itself is left alone.  With TO alone (spread), every page not on a TO node
 * moves, spread over TO in proportion to the nodes' free memory.  Pages
 * already on their target are left out (counted in already_*).
 * Pages mapped by other processes too (pagemap's exclusive bit clear: shared
 * libraries, memory shared after fork) are left out and counted in
 * shared_pages unless move_all: the kernel would refuse them with -EACCES.
 * Runs of a process are sorted by target node, then address, so that
 * batches are grouped by target (the kernel flushes its queue whenever the
 * target changes).
 *
 * Saved as JSON (docs/schema/mmigrate-plan.schema.json) with the schema
 * version, the boot id and the identity (pid, start time, comm) of each
 * process.  Functions return 0 or -errno and never print.
 */
#ifndef NS_PLAN_H
#define NS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "maps.h"
#include "nodes.h"
#include "procs.h"

#define PLAN_SCHEMA_VERSION 2   /* written; 1 is read too (the same plan) */

enum plan_class {
	PLAN_BASE,      /* base pages (or pages whose folio size is unknown) */
	PLAN_THP,       /* whole PMD THPs: one entry per THP */
	PLAN_HUGETLB,   /* hugetlb pages: one entry per huge page */
};
const char *plan_class_name(enum plan_class c);        /* "base", "thp", "hugetlb" */
int plan_class_parse(const char *s, enum plan_class *out);

#define PLAN_RUN_COARSE  0x1   /* node per page unknown: query the range first */
#define PLAN_RUN_SHARED  0x2   /* pagemap says not exclusively mapped */
#define PLAN_RUN_FILE    0x4   /* file-backed or shared anonymous */

struct plan_run {
	uint64_t map_start, map_end;  /* the mapping the run belongs to */
	uint64_t start;               /* first address (a multiple of step) */
	uint64_t pages;               /* base pages in the run */
	uint64_t step;                /* bytes per move_pages entry: base page, THP or huge page size */
	enum plan_class cls;
	int src, dst;                 /* source and target node */
	unsigned flags;               /* PLAN_RUN_* */
};

/* Bytes of a run, and its number of move_pages entries. */
uint64_t plan_run_bytes(const struct plan_run *r, uint64_t page_size);
uint64_t plan_run_entries(const struct plan_run *r, uint64_t page_size);

struct plan_proc {
	struct proc_id id;
	struct plan_run *runs;
	size_t nruns, cap;
	uint64_t already_pages;       /* base pages already on their target */
	uint64_t shared_pages;        /* left out: mapped by other processes too
				       * (pagemap not "exclusive") and no move_all */
	uint64_t thp_entries;         /* THPs planned (PLAN_THP entries) */
	bool kpf;                     /* THP boundaries were visible (kpageflags,
				       * or PAGEMAP_SCAN on 6.7+ without root) */
	bool coarse;                  /* some runs are coarse */
	bool numa_maps;               /* the plan read /proc/PID/numa_maps */
	char policy_warn[128];        /* "bind:0" etc. of a planned mapping whose
				       * policy keeps it off the target, or "" */
	double plan_seconds;          /* scan + plan of this process (wall clock);
				       * < 0 when the plan came from a file */
};

struct plan {
	int schema_version;
	char boot_id[64];
	uint64_t page_size, thp_size;
	struct ns_nodeset from, to;   /* as given; from empty with spread */
	bool spread;                  /* --to alone */
	bool filtered;                /* --vma left mappings out */
	struct plan_proc *procs;
	size_t nprocs, cap;
	uint64_t *spread_assigned;    /* bytes given to each target so far (spread) */
	int spread_slots;
};

/* --vma filters: a mapping is planned when it matches any filter (or when
 * there are none). */
enum plan_vma_kind { VMA_HEAP, VMA_STACK, VMA_ANON, VMA_FILE, VMA_FILE_GLOB,
		     VMA_SHM, VMA_RANGE };
struct plan_vma {
	enum plan_vma_kind kind;
	char glob[256];               /* VMA_FILE_GLOB */
	uint64_t start, end;          /* VMA_RANGE [start, end) */
};
/* Parse "heap", "stack", "anon", "file", "file=GLOB", "shm", "START-END"
 * (hex with 0x or decimal).  -EINVAL with err naming the problem. */
int plan_vma_parse(const char *spec, struct plan_vma *out, char *err, size_t errlen);
bool plan_vma_match(const struct plan_vma *v, size_t n, const struct mapping *m);

struct plan_opts {
	struct ns_nodeset from;       /* empty when spread */
	struct ns_nodeset to;
	bool spread;
	const struct plan_vma *vma;   /* filters, may be NULL */
	size_t nvma;
	const struct ns_topology *topo;  /* free memory for spread; page/THP size */
	bool use_pagemap;             /* false: coarse runs from numa_maps only */
	bool check_policy;            /* live: read numa_maps anyway, for policy_warn */
	bool move_all;                /* plan pages shared with other processes too */
};

/* --from and --to as the user typed them (from NULL: spread over the
 * targets), checked against topo: the nodes named must be online and have
 * memory, a list must select one (topo_parse_nodes refuses an empty one),
 * and the two lists must differ.  Sets o->from, o->to, o->spread
 * and o->topo, nothing else.  0, or -EINVAL with the usage message in err
 * ("bad --to: node 7 does not exist"). */
int plan_opts_nodes(struct plan_opts *o, const struct ns_topology *topo,
		    const char *from, const char *to, char *err, size_t len);

/* Target node of a page on node src, or -1 when it stays (not in FROM, or
 * mapped to itself, or already on a TO node when spreading). */
int plan_target(const struct plan_opts *o, int src);

void plan_init(struct plan *p, const struct plan_opts *o);
/* Scan one process and add its runs (a plan_proc is always added, possibly
 * with no runs).  -ESRCH gone, -EACCES not allowed, other -errno.
 * On the live machine with use_pagemap, the runs come from /proc/PID/maps
 * and a pagemap walk (with move_pages(2) queries for the nodes without
 * root): both take the process's mmap_lock for a bounded piece at a time
 * (pagemap one PMD, the query 16 pages).  numa_maps, whose read holds the
 * lock while it walks a whole mapping (tens of ms per GiB of base pages),
 * is read only when check_policy asks for the policies, when pagemap cannot
 * be read or give a mapping's nodes, or when a mapping may be hugetlb (its
 * page size is only there: maps_may_be_hugetlb); pp->numa_maps says so.
 * The shared zero page never moves and is left out; so is a present page
 * whose node the query cannot tell (move_pages(2) cannot move it either),
 * and, without numa_maps, a special mapping ([vdso]: the kernel's pages,
 * which move_pages(2) refuses). */
int plan_add_process(struct plan *p, const struct plan_opts *o,
		     const struct proc_id *id, maps_warn_fn warn, void *ud);
/* Building blocks (used by plan_add_process, mplace and the unit tests). */
struct plan_proc *plan_proc_new(struct plan *p, const struct proc_id *id);
int plan_add_run(struct plan_proc *pp, const struct plan_run *r);
/* Sort runs by (dst, start) and merge adjacent compatible runs. */
void plan_proc_finish(struct plan_proc *pp, uint64_t page_size);

/* Totals over a plan (or one process when pp != NULL).  dst < 0: all. */
uint64_t plan_bytes_to(const struct plan *p, const struct plan_proc *pp, int dst,
		       enum plan_class cls, bool all_classes);
uint64_t plan_total_bytes(const struct plan *p, const struct plan_proc *pp);

/* JSON: the saved form; plan_from_json validates every field and fills
 * err with one line naming the first problem (-EINVAL). */
json_t *plan_to_json(const struct plan *p);
int plan_from_json(const json_t *doc, struct plan *out, char *err, size_t errlen);
int plan_save(const struct plan *p, const char *path);
/* -EINVAL (bad content, err says why) or -errno of reading the file.  Only
 * a regular file of at most PLAN_FILE_MAX bytes is read (-EINVAL otherwise). */
#define PLAN_FILE_MAX (64ULL << 20)
int plan_load(const char *path, struct plan *out, char *err, size_t errlen);
/* A loaded plan still applies here and now: the same page size, the same
 * boot, and each process the same (pid, start time, comm).  -EINVAL (bad
 * input: another machine, boot or a reused PID) or -ESRCH (a process of
 * the plan no longer exists), with err saying which; name: the file's. */
int plan_check_current(const struct plan *p, const char *name, char *err, size_t errlen);
/* The dry run's summary: one group per (process, from, to, class) with its
 * runs, move_pages entries and bytes, in the order the runs come.  *out is
 * malloc'd (free it); -ENOMEM. */
struct plan_group {
	const struct plan_proc *pp;
	int src, dst;
	enum plan_class cls;
	uint64_t runs, entries, bytes;
};
int plan_groups(const struct plan *p, struct plan_group **out, size_t *n);

void plan_free(struct plan *p);

#endif
