/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* plan: node mapping (FROM->TO, spread), runs sorted and merged, THP
 * entries, --vma filters, plans built from the page runs of the synthetic
 * tree (tests/fixtures/trees/synth-4node: pagemap and kpageflags of pids
 * 1004 and 1005), empty input, and the JSON round trip. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "path.h"
#include "plan.h"
#include "tap.h"

#define PS 4096ull
#define THP (2ull << 20)

static struct ns_nodeset set_of(const char *list)
{
	struct ns_nodeset s;

	if (nodeset_parse_list(list, &s) < 0)
		nodeset_zero(&s);
	return s;
}

static struct plan_opts opts(const char *from, const char *to)
{
	struct plan_opts o;

	memset(&o, 0, sizeof(o));
	o.spread = !from;
	if (from)
		o.from = set_of(from);
	o.to = set_of(to);
	return o;
}

static void test_target(void)
{
	struct plan_opts o = opts("0-2", "3");

	ok(plan_target(&o, 0) == 3 && plan_target(&o, 1) == 3 && plan_target(&o, 2) == 3,
	   "0,1,2 -> 3: every source to 3");
	ok(plan_target(&o, 3) == -1, "3 is not a source: stays");
	o = opts("0,1", "2,3");
	ok(plan_target(&o, 0) == 2 && plan_target(&o, 1) == 3, "0,1 -> 2,3: k-th to k-th");
	ok(plan_target(&o, 2) == -1, "2 not in FROM: stays");
	o = opts("0-2", "2,3");
	ok(plan_target(&o, 0) == 2 && plan_target(&o, 1) == 3, "0-2 -> 2,3: 0 to 2, 1 to 3");
	ok(plan_target(&o, 2) == -1, "2 -> (2 mod 2)-th = 2: mapped to itself, stays");
	o = opts("0,1", "1,0");
	ok(plan_target(&o, 0) == -1 && plan_target(&o, 1) == -1,
	   "0,1 -> 1,0: TO is a set (0,1), each maps to itself");
	o = opts(NULL, "1,3");
	ok(plan_target(&o, 0) == -2 && plan_target(&o, 2) == -2, "spread: pages off TO are chosen by spread");
	ok(plan_target(&o, 1) == -1 && plan_target(&o, 3) == -1, "spread: pages on TO stay");
	ok(plan_target(&o, -1) == -1 && plan_target(&o, NS_MAX_NODES) == -1, "nodes out of range stay");
}

static struct plan_run run(uint64_t start, uint64_t pages, enum plan_class cls, int src, int dst)
{
	return (struct plan_run){ .map_start = 0x100000, .map_end = 0x10000000, .start = start,
				  .pages = pages, .cls = cls, .step = cls == PLAN_THP ? THP : PS,
				  .src = src, .dst = dst };
}

/* --from and --to against a machine of nodes 0-2 with memory and node 3
 * without: each refusal's usage message. */
static void test_opts_nodes(void)
{
	struct ns_topology t = { .online = set_of("0-3"), .with_memory = set_of("0-2") };
	struct ns_nodeset n0 = set_of("0"), n12 = set_of("1-2");
	struct plan_opts o;
	char err[512];

	memset(&o, 0, sizeof(o));
	ok(plan_opts_nodes(&o, &t, "0", "1-2", err, sizeof(err)) == 0 && !o.spread &&
	   nodeset_equal(&o.from, &n0) && nodeset_equal(&o.to, &n12) && o.topo == &t,
	   "--from 0 --to 1-2: the sets, the topology");
	memset(&o, 0, sizeof(o));
	ok(plan_opts_nodes(&o, &t, NULL, "1", err, sizeof(err)) == 0 && o.spread &&
	   nodeset_empty(&o.from), "no --from: spread over the targets");
	ok(plan_opts_nodes(&o, &t, NULL, "7", err, sizeof(err)) == -EINVAL, "--to 7: refused");
	is_str(err, "bad --to: node 7 does not exist", "said with its option");
	ok(plan_opts_nodes(&o, &t, NULL, "3", err, sizeof(err)) == -EINVAL, "--to 3: refused");
	is_str(err, "bad --to: node 3 has no memory", "a node without memory");
	ok(plan_opts_nodes(&o, &t, "0-", "1", err, sizeof(err)) == -EINVAL &&
	   strncmp(err, "bad --from: ", 12) == 0, "a bad --from: %s", err);
	ok(plan_opts_nodes(&o, &t, NULL, "", err, sizeof(err)) == -EINVAL, "--to '': refused");
	is_str(err, "bad --to: empty node list", "an empty list");
	ok(plan_opts_nodes(&o, &t, "!0-2", "1", err, sizeof(err)) == -EINVAL, "--from '!0-2': refused");
	is_str(err, "bad --from: node list '!0-2' selects no node with memory", "a list of no node");
	ok(plan_opts_nodes(&o, &t, "1", "1", err, sizeof(err)) == -EINVAL, "the same lists: refused");
	is_str(err, "source and target nodes are the same (1): nothing would move", "said");
	ok(plan_opts_nodes(&o, &t, "0", "0-1", err, sizeof(err)) == 0,
	   "overlapping lists that differ: taken");
}

static void test_runs(void)
{
	struct plan p;
	struct plan_proc *pp;
	struct plan_run r;

	memset(&p, 0, sizeof(p));
	p.page_size = PS;
	p.thp_size = THP;
	pp = plan_proc_new(&p, NULL);
	ok(pp != NULL && p.nprocs == 1, "a process");
	r = run(0x200000, 0, PLAN_BASE, 0, 1);
	plan_add_run(pp, &r);
	is_u64(pp->nruns, 0, "a run of 0 pages is not added");
	r = run(0x204000, 4, PLAN_BASE, 0, 1);  plan_add_run(pp, &r);
	r = run(0x200000, 4, PLAN_BASE, 0, 1);  plan_add_run(pp, &r);    /* joins the one above */
	r = run(0x208000, 2, PLAN_BASE, 2, 1);  plan_add_run(pp, &r);    /* other source */
	r = run(0x100000, 8, PLAN_BASE, 0, 0 + 3); plan_add_run(pp, &r); /* other target */
	r = run(0x400000, 1024, PLAN_THP, 0, 1); plan_add_run(pp, &r);
	r = run(0x800000, 512, PLAN_THP, 0, 1); plan_add_run(pp, &r);   /* joins the THP run */
	r = run(0xa00000, 4, PLAN_BASE, 0, 1);
	r.flags = PLAN_RUN_COARSE;
	plan_add_run(pp, &r);
	r.start = 0xa04000;
	plan_add_run(pp, &r);                                            /* coarse: never joined */
	ok(pp->coarse, "a coarse run marks the process");
	plan_proc_finish(pp, PS);
	is_u64(pp->nruns, 6, "9 runs added, 6 after merging");
	ok(pp->runs[0].dst == 1 && pp->runs[0].start == 0x200000 && pp->runs[0].pages == 8,
	   "sorted by target then address; adjacent runs joined (8 pages at 0x200000)");
	ok(pp->runs[1].start == 0x208000 && pp->runs[1].src == 2, "another source is its own run");
	ok(pp->runs[2].cls == PLAN_THP && pp->runs[2].pages == 1536, "THP runs joined: 3 THPs");
	ok(pp->runs[3].start == 0xa00000 && pp->runs[4].start == 0xa04000, "coarse runs kept apart");
	ok(pp->runs[5].dst == 3 && pp->runs[5].start == 0x100000, "target 3 last");
	is_u64(pp->thp_entries, 3, "thp_entries: one per THP");
	is_u64(plan_run_entries(&pp->runs[2], PS), 3, "entries of the THP run");
	is_u64(plan_run_bytes(&pp->runs[2], PS), 6 << 20, "bytes of the THP run");
	is_u64(plan_bytes_to(&p, NULL, 1, PLAN_BASE, true), (8 + 2 + 8) * PS + 6 * (1 << 20),
	       "bytes to node 1, every class");
	is_u64(plan_bytes_to(&p, NULL, 1, PLAN_THP, false), 6 << 20, "THP bytes to node 1");
	is_u64(plan_bytes_to(&p, pp, -1, PLAN_BASE, false), (8 + 2 + 8 + 8) * PS, "base bytes, all targets");
	is_u64(plan_total_bytes(&p, NULL), (8 + 2 + 8 + 8) * PS + (6 << 20), "total");
	plan_free(&p);
	ok(p.procs == NULL && p.nprocs == 0, "plan_free empties the plan");
}

static void test_vma(void)
{
	struct plan_vma v[2];
	char err[256];
	struct mapping heap = { .start = 0x1000000, .end = 0x2000000, .kind = MAPKIND_HEAP };
	struct mapping lib = { .start = 0x7f0000000000, .end = 0x7f0000010000,
			       .kind = MAPKIND_FILE, .path = "/usr/lib/libc.so.6" };

	ok(plan_vma_parse("heap", &v[0], err, sizeof(err)) == 0 && v[0].kind == VMA_HEAP, "heap");
	ok(plan_vma_parse("anon", &v[0], err, sizeof(err)) == 0 && v[0].kind == VMA_ANON, "anon");
	ok(plan_vma_match(v, 1, &heap) && !plan_vma_match(v, 1, &lib), "anon takes the heap, not a file");
	ok(plan_vma_parse("file=*libc*", &v[1], err, sizeof(err)) == 0 && v[1].kind == VMA_FILE_GLOB &&
	   strcmp(v[1].glob, "*libc*") == 0, "file=GLOB");
	ok(plan_vma_match(&v[1], 1, &lib) && !plan_vma_match(&v[1], 1, &heap), "the glob takes libc");
	ok(plan_vma_match(v, 2, &lib) && plan_vma_match(v, 2, &heap), "any filter of several");
	ok(plan_vma_match(NULL, 0, &lib), "no filter: every mapping");
	ok(plan_vma_parse("0x1800000-0x1801000", &v[0], err, sizeof(err)) == 0 &&
	   v[0].kind == VMA_RANGE && v[0].start == 0x1800000 && v[0].end == 0x1801000, "START-END");
	ok(plan_vma_match(v, 1, &heap) && !plan_vma_match(v, 1, &lib), "a range takes what it overlaps");
	ok(plan_vma_parse("0x2000000-0x3000000", &v[0], err, sizeof(err)) == 0 &&
	   !plan_vma_match(v, 1, &heap), "a range that only touches the end: no");
	ok(plan_vma_parse("0x2000-0x1000", &v[0], err, sizeof(err)) == -EINVAL, "a range going down");
	is_str(err, "bad --vma '0x2000-0x1000': range end is not after its start", "its message");
	ok(plan_vma_parse("bogus", &v[0], err, sizeof(err)) == -EINVAL, "an unknown kind");
	ok(strstr(err, "bad --vma 'bogus': expected heap") == err, "its message");
}

/* a plan of one process of the tree */
static int tree_plan(struct plan *p, struct plan_opts *o, pid_t pid)
{
	struct proc_id id;
	int rc = procs_identify(pid, &id);

	plan_init(p, o);
	return rc < 0 ? rc : plan_add_process(p, o, &id, NULL, NULL);
}

static void test_tree(const char *top)
{
	char root[PATH_MAX];
	struct ns_topology t;
	struct plan_opts o;
	struct plan p;
	struct plan_proc *pp;
	struct plan_vma v;
	char err[128];
	uint64_t to1 = 0, to2 = 0;

	snprintf(root, sizeof(root), "%s/tests/fixtures/trees/synth-4node", top);
	ok(path_set_root(root) == 0, "the synthetic tree");
	ok(topo_read(&t) == 0 && t.nnodes == 4 && t.thp_size == THP, "its 4 nodes, 2M THP");

	/* pid 1004: 8 anon pages on node 0, 8 lazily freed on node 1, 4 shared
	 * file pages on node 3, one THP on node 2 */
	o = opts("0,2", "1");
	o.topo = &t;
	o.use_pagemap = true;
	ok(tree_plan(&p, &o, 1004) == 0 && p.nprocs == 1, "1004: 0,2 -> 1 from its page runs");
	pp = &p.procs[0];
	ok(pp->kpf && !pp->coarse, "THP boundaries known (kpageflags), no coarse run");
	is_u64(pp->nruns, 2, "two runs");
	ok(pp->nruns == 2 && pp->runs[0].start == 0x10000 && pp->runs[0].pages == 8 &&
	   pp->runs[0].cls == PLAN_BASE && pp->runs[0].src == 0 && pp->runs[0].dst == 1,
	   "8 base pages at 0x10000, 0 -> 1");
	ok(pp->nruns == 2 && pp->runs[1].start == 0x200000 && pp->runs[1].pages == 512 &&
	   pp->runs[1].cls == PLAN_THP && pp->runs[1].step == THP && pp->runs[1].src == 2,
	   "the THP at 0x200000 as one THP entry, 2 -> 1");
	is_u64(pp->thp_entries, 1, "one THP entry");
	is_u64(pp->already_pages, 0, "node 1 is no source: its pages are not counted as already there");
	is_u64(plan_total_bytes(&p, NULL), 8 * PS + THP, "8 pages and a THP");
	plan_free(&p);

	o = opts("3", "0");
	o.topo = &t;
	o.use_pagemap = true;
	tree_plan(&p, &o, 1004);
	pp = &p.procs[0];
	ok(pp->nruns == 0 && pp->shared_pages == 4, "3 -> 0: the 4 shared file pages left out, counted");
	plan_free(&p);
	o.move_all = true;
	tree_plan(&p, &o, 1004);
	pp = &p.procs[0];
	ok(pp->nruns == 1 && pp->shared_pages == 0 && pp->runs[0].pages == 4 &&
	   pp->runs[0].flags == (PLAN_RUN_SHARED | PLAN_RUN_FILE), "move_all: planned, marked shared and file");
	plan_free(&p);

	/* pid 1005: a THP on node 0, 16 pages on node 3; spread over 1,2 */
	o = opts(NULL, "1,2");
	o.topo = &t;
	o.use_pagemap = true;
	ok(tree_plan(&p, &o, 1005) == 0, "1005: spread over 1,2");
	pp = &p.procs[0];
	for (size_t i = 0; i < pp->nruns; i++) {
		if (pp->runs[i].dst == 1)
			to1 += pp->runs[i].pages;
		else if (pp->runs[i].dst == 2)
			to2 += pp->runs[i].pages;
	}
	is_u64(to1 + to2, 528, "every page off 1,2 planned to 1 or 2");
	/* node 1 has 6G free, node 2 1G: the THP goes to node 1 (2M of 6G
	 * < 2M of 1G), then the 64K to node 2 (64K of 1G < 2M+64K of 6G) */
	ok(to1 == 512 && to2 == 16, "each run to the target least used for its free memory (%llu, %llu)",
	   (unsigned long long)to1, (unsigned long long)to2);
	is_u64(pp->thp_entries, 1, "the THP stays one entry");
	plan_free(&p);

	/* a --vma range picks the node-3 mapping alone */
	ok(plan_vma_parse("0x800000-0x810000", &v, err, sizeof(err)) == 0, "range filter");
	o.vma = &v;
	o.nvma = 1;
	tree_plan(&p, &o, 1005);
	pp = &p.procs[0];
	ok(pp->nruns >= 1 && plan_total_bytes(&p, NULL) == 16 * PS && pp->thp_entries == 0,
	   "--vma: only the 16 pages of the node-3 mapping");
	plan_free(&p);

	/* without pagemap: coarse runs from numa_maps counts */
	o = opts("0,2", "1");
	o.topo = &t;
	ok(tree_plan(&p, &o, 1004) == 0, "1004 without pagemap");
	pp = &p.procs[0];
	ok(pp->coarse && !pp->kpf && pp->nruns == 2 && pp->thp_entries == 0, "two coarse runs, no THP entry");
	ok(pp->nruns == 2 && pp->runs[0].flags == PLAN_RUN_COARSE && pp->runs[0].pages == 8 &&
	   pp->runs[1].pages == 512 && pp->runs[1].cls == PLAN_BASE, "the same pages, as base pages");
	plan_free(&p);

	/* nothing to do and nothing there */
	o = opts("2", "3");
	o.topo = &t;
	o.use_pagemap = true;
	ok(tree_plan(&p, &o, 1001) == 0 && p.nprocs == 1 && p.procs[0].nruns == 0,
	   "1001 has nothing on node 2: the process is listed with no run");
	is_u64(plan_total_bytes(&p, NULL), 0, "0 bytes");
	plan_free(&p);
	ok(tree_plan(&p, &o, 1002) < 0 && p.nprocs == 0, "1002 (its maps gone): an error, no process added");
	plan_free(&p);
	topo_free(&t);
	path_set_root(NULL);
}

static void test_json(void)
{
	struct plan p, q;
	struct plan_proc *pp;
	struct proc_id id = { .pid = 42, .start_time = 777, .comm = "x" };
	struct plan_run r = run(0x200000, 1024, PLAN_THP, 0, 1);
	char err[256];
	json_t *j;

	memset(&p, 0, sizeof(p));
	p.schema_version = PLAN_SCHEMA_VERSION;
	snprintf(p.boot_id, sizeof(p.boot_id), "b");
	p.page_size = PS;
	p.thp_size = THP;
	p.from = set_of("0");
	p.to = set_of("1");
	j = plan_to_json(&p);
	ok(j && json_array_size(json_object_get(j, "processes")) == 0, "an empty plan: no process");
	ok(plan_from_json(j, &q, err, sizeof(err)) == -EINVAL, "read back: refused");
	is_str(err, "bad plan: it lists no process", "as it says");
	json_decref(j);
	pp = plan_proc_new(&p, &id);
	plan_add_run(pp, &r);
	plan_proc_finish(pp, PS);
	j = plan_to_json(&p);
	ok(plan_from_json(j, &q, err, sizeof(err)) == 0, "a plan round trip: %s", err);
	ok(q.nprocs == 1 && q.procs[0].id.pid == 42 && q.procs[0].id.start_time == 777 &&
	   q.procs[0].nruns == 1 && q.procs[0].runs[0].pages == 1024 &&
	   q.procs[0].runs[0].cls == PLAN_THP && q.procs[0].thp_entries == 2,
	   "the same process, run and THP count");
	json_decref(j);
	plan_free(&q);
	plan_free(&p);
}

int main(void)
{
	const char *top = getenv("NS_TOP");

	test_target();
	test_opts_nodes();
	test_runs();
	test_vma();
	test_tree(top ? top : ".");
	test_json();
	return tap_done();
}
