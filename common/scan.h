/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* scan: the model of where one process's memory is.  Reads only the /proc
 * files the caller asks for (each once), through path.h.
 *
 *   SCAN_NUMA    numa_maps  -> per-mapping pages per node, policy
 *   SCAN_SMAPS   smaps      -> per-mapping Rss, LazyFree, AnonHugePages, Swap
 *   SCAN_ROLLUP  smaps_rollup -> process totals of THP, lazyfree, swap
 *   SCAN_MAPS    maps       -> perms and paths only (cheap)
 *   SCAN_PAGEMAP pagemap    -> per-node totals (maps is read too), live only
 *
 * Per-node totals are the sums of numa_maps N<node>= times each mapping's
 * kernel page size, so hugetlb pages count at their real size.  With
 * SCAN_PAGEMAP (and not SCAN_NUMA, whose totals win) they are the present
 * pages of a pagemap walk instead, each on the node its PFN (root) or a
 * move_pages(2) query gives; as in numa_maps the shared zero page, the
 * special mappings ([vdso]) and pages a query gives no node are left out.
 * Reading numa_maps holds the process's mmap_lock while it walks each
 * whole mapping (tens of ms per GiB of base pages); pagemap holds it for
 * one page table at a time and the query for 16 pages at a time, so a
 * large running process is not stalled.  When pagemap cannot be read or
 * give a present page's node (a PFN outside the memory blocks, a query
 * refused), numa_maps is read instead and have says SCAN_NUMA.
 */
#ifndef NS_SCAN_H
#define NS_SCAN_H

#include <stdint.h>
#include "maps.h"
#include "procs.h"

#define SCAN_NUMA    0x01
#define SCAN_SMAPS   0x02
#define SCAN_ROLLUP  0x04
#define SCAN_MAPS    0x08
#define SCAN_PAGEMAP 0x10

struct scan_proc {
	struct proc_id id;
	unsigned have;                 /* SCAN_* read */
	struct mapping_list maps;
	uint64_t *node_bytes;          /* node_bytes[n], n < node_slots */
	int node_slots;
	uint64_t total;                /* sum of node_bytes */
	struct smaps_rollup rollup;    /* SCAN_ROLLUP, or summed from SCAN_SMAPS */
	unsigned warnings;             /* malformed lines skipped */
};

/* Scan one process.  -ESRCH: gone, or its PID now belongs to another process
 * (checked after reading when id->start_time is known, i.e. id came from
 * procs_select or procs_identify); -EACCES: not allowed; -ENOENT: a file
 * asked for is missing from a captured tree; other -errno.
 * Without SCAN_ROLLUP but with SCAN_SMAPS, rollup is summed from the
 * mappings (rollup.anon stays 0: smaps "Anonymous" is not in the model). */
int scan_process(const struct proc_id *id, unsigned what,
		 struct scan_proc *out, maps_warn_fn warn, void *ud);
/* Node holding most bytes, or -1 when none. */
int scan_main_node(const struct scan_proc *s);
uint64_t scan_node_bytes(const struct scan_proc *s, int node);
void scan_free(struct scan_proc *s);

#endif
