/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* pagemap: page-level state from /proc/PID/pagemap (and, as root,
 * /proc/kpageflags and the PFN-to-node memory blocks in sysfs), merged into
 * runs of consecutive pages with the same state.
 *
 * pagemap is read with pread in batches of PM_BATCH entries; kpageflags is
 * read for runs of consecutive PFNs in one pread each, never one read per
 * page.  Memory use is bounded by the batch size whatever the process size.
 * The node of a page comes from its PFN (root: PFN visible) or else from
 * move_pages(2) in query mode (live machine only), one batch at a time.
 *
 * Details:
 * - PFNs are shown to an opener of pagemap with CAP_SYS_ADMIN; pm_open
 *   finds out by reading one page of its own pagemap (a captured tree is
 *   trusted until a present page shows PFN 0, which turns PFNs and
 *   kpageflags off for the rest of the walk).
 * - A THP tail page takes the THP/ANON/SWAPBACKED/SWAPCACHE bits of its
 *   folio's head (6.1 sets some of them on the head only), also when the
 *   walk starts inside the THP.  Lazyfree = ANON && !SWAPBACKED &&
 *   !SWAPCACHE, never for hugetlb.
 * - Nodes: by PFN from the sysfs memory blocks (RUN_NODE_UNKNOWN for a PFN
 *   outside them); else by move_pages query on the live machine (a page it
 *   does not report, such as the zero page, is RUN_NODE_UNKNOWN); under a
 *   sysroot without PFNs, RUN_NODE_UNKNOWN.
 * - Past the end of pagemap (above the top of user space) pages read as
 *   absent.  Absent pages have node RUN_NODE_NONE and pfn 0; swapped pages
 *   too (their PFN field holds the swap entry).
 * - In a walk that reads kpageflags, RUN_KPF is set on absent pages too
 *   (nothing to know about them), so runs do not split on it; it is
 *   missing only on present pages whose flags could not be read.
 * - Without kpageflags, on the live machine with kernel 6.7+, a PMD-mapped
 *   huge page still shows: the PAGEMAP_SCAN ioctl's PAGE_IS_HUGE category
 *   marks its present pages RUN_THP | RUN_THP_SCAN (others RUN_THP_SCAN
 *   alone).  hugetlb pages are PAGE_IS_HUGE too: the mapping tells them
 *   apart.  Lazyfree and the zero page stay root-only.
 */
#ifndef NS_PAGEMAP_H
#define NS_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PM_BATCH 65536            /* pagemap entries per pread */

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_E_PRESENT    (1ULL << 63)
#define PM_E_SWAPPED    (1ULL << 62)
#define PM_E_FILE       (1ULL << 61)
#define PM_E_EXCLUSIVE  (1ULL << 56)
#define PM_E_SOFTDIRTY  (1ULL << 55)
#define PM_E_PFN_MASK   ((1ULL << 55) - 1)

/* kpageflags bits */
#define KPF_DIRTY          4
#define KPF_LRU            5
#define KPF_ANON          12
#define KPF_SWAPCACHE     13
#define KPF_SWAPBACKED    14
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_HUGE          17
#define KPF_KSM           21
#define KPF_THP           22
#define KPF_ZERO_PAGE     24

/* State of a run of pages (flags of struct page_run). */
#define RUN_PRESENT    0x0001
#define RUN_SWAPPED    0x0002
#define RUN_FILE       0x0004   /* file page or shared anon */
#define RUN_EXCLUSIVE  0x0008
#define RUN_SOFTDIRTY  0x0010
#define RUN_THP        0x0020   /* kpageflags: part of a THP */
#define RUN_LAZYFREE   0x0040   /* kpageflags: anon, !swapbacked, !swapcache */
#define RUN_HUGETLB    0x0080
#define RUN_ZERO       0x0100   /* the shared zero page */
#define RUN_THP_SCAN   0x0200   /* RUN_THP is known from PAGEMAP_SCAN (no kpageflags) */
#define RUN_KPF        0x8000   /* THP/LAZYFREE/HUGETLB/ZERO bits are known */

#define RUN_NODE_NONE  (-1)      /* not present */
#define RUN_NODE_UNKNOWN (-2)    /* present, node not known */

struct page_run {
	uint64_t start;       /* address of the first page */
	uint64_t pages;       /* number of base pages */
	uint64_t pfn;         /* PFN of the first page, 0 when hidden */
	int node;             /* node id, RUN_NODE_NONE or RUN_NODE_UNKNOWN */
	unsigned flags;       /* RUN_* */
};

#define PM_WANT_NODE   0x1    /* resolve the node of present pages */
#define PM_WANT_KPF    0x2    /* read kpageflags (needs CAP_SYS_ADMIN) */
/* With PM_WANT_KPF: kpageflags only to find PMD-mapped THPs (the planner and
 * the executor's check afterwards need no more).  A THP can only be a
 * THP-aligned block of present pages whose PFNs are consecutive from a
 * THP-aligned PFN; only such a block's first PFN is read (one pread per
 * block, not one entry per page and no sort).  RUN_KPF then vouches for
 * RUN_THP and RUN_ZERO alone (the zero page known by its PFN, learnt from a
 * page of our own; the huge zero page from its head's flags): RUN_LAZYFREE
 * and RUN_HUGETLB stay clear (hugetlb pages are known from their mapping).  A THP mapped by PTEs outside such a
 * block is seen as base pages; the executor's -EBUSY query covers it. */
#define PM_WANT_THP_ONLY 0x4

struct pm_reader;

/* Open the readers of one process.  With PM_WANT_KPF and no access to
 * kpageflags or PFNs, the reader still opens; pm_has_kpf() then says false
 * so the caller can say that page-level lazyfree detail is root-only, and
 * pm_has_thp() whether huge pages show all the same (PAGEMAP_SCAN). */
int pm_open(struct pm_reader **out, pid_t pid, unsigned want);
bool pm_has_pfn(const struct pm_reader *r);
bool pm_has_kpf(const struct pm_reader *r);
bool pm_has_thp(const struct pm_reader *r);   /* kpageflags or PAGEMAP_SCAN */
void pm_close(struct pm_reader *r);

typedef int (*pm_run_fn)(void *ud, const struct page_run *run);

/* Walk [start, end) (page aligned) and call fn once per merged run, in
 * address order.  Runs never cross 'end'.  fn returning non-zero stops the
 * walk and that value is returned.  Returns 0 or -errno. */
int pm_walk(struct pm_reader *r, uint64_t start, uint64_t end,
	    pm_run_fn fn, void *ud);

/* Raw pagemap entries for [start, start + n*page) into buf; -errno. */
int pm_read_entries(struct pm_reader *r, uint64_t start, uint64_t n,
		    uint64_t *buf);

/* Raw pagemap entries of [start, start + n pages of size page) from a
 * pagemap fd opened elsewhere (procs_mm_open's, which stays with the mm it
 * was opened on): the number of entries read, fewer when that mm has no
 * users left (pagemap then reads nothing) or the range passes the top of
 * user space; -errno. */
ssize_t pm_fd_entries(int fd, uint64_t page, uint64_t start, size_t n, uint64_t *buf);

/* PFN -> node from /sys/devices/system/node/nodeN/memoryM and
 * /sys/devices/system/memory/block_size_bytes (through path.h). */
struct pfn_nodes;
int pfn_nodes_load(struct pfn_nodes **out);
int pfn_nodes_lookup(const struct pfn_nodes *p, uint64_t pfn);  /* node or -1 */
void pfn_nodes_free(struct pfn_nodes *p);

#endif
