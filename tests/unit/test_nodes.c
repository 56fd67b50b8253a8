/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* nodes: node sets, kernel and user list syntax, and topo_read against the
 * fixture sysroot and small trees made at test time. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodes.h"
#include "path.h"
#include "sysinfo.h"
#include "tap.h"

static char tmproot[256];

/* Write a file under tmproot, making its directories. */
static void put(const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(const char *rel, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmproot, rel);
	for (char *s = p + strlen(tmproot) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void new_tree(void)
{
	char cmd[PATH_MAX + 16];

	if (tmproot[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmproot);
		if (system(cmd) != 0)
			exit(2);
	}
	snprintf(tmproot, sizeof(tmproot), "/tmp/ns-test-nodes.XXXXXX");
	if (!mkdtemp(tmproot))
		exit(2);
	put("proc/meminfo", "MemTotal:       1000 kB\nMemFree:         600 kB\n"
	    "HugePages_Free:        3\nHugepagesize:       2048 kB\n");
}

static void test_sets(void)
{
	struct ns_nodeset a, b;
	int n, seen = 0;

	nodeset_zero(&a);
	ok(nodeset_empty(&a) && nodeset_count(&a) == 0, "zero set is empty");
	nodeset_add(&a, 0);
	nodeset_add(&a, 63);
	nodeset_add(&a, 64);
	nodeset_add(&a, 1023);
	nodeset_add(&a, 1024);   /* ignored */
	nodeset_add(&a, -1);     /* ignored */
	ok(nodeset_count(&a) == 4, "count 4 (out-of-range adds ignored)");
	ok(nodeset_has(&a, 63) && nodeset_has(&a, 64) && nodeset_has(&a, 1023), "has across words");
	ok(!nodeset_has(&a, 1024) && !nodeset_has(&a, -5) && !nodeset_has(&a, 1), "has out of range false");
	ok(nodeset_next(&a, -1) == 0 && nodeset_next(&a, 0) == 63 && nodeset_next(&a, 63) == 64 &&
	   nodeset_next(&a, 64) == 1023 && nodeset_next(&a, 1023) == -1, "next walks the set");
	ok(nodeset_nth(&a, 0) == 0 && nodeset_nth(&a, 3) == 1023 && nodeset_nth(&a, 4) == -1 &&
	   nodeset_nth(&a, -1) == -1, "nth");
	nodeset_foreach(n, &a)
		seen++;
	ok(seen == 4, "foreach visits 4");
	b = a;
	ok(nodeset_equal(&a, &b), "copy is equal");
	nodeset_del(&b, 63);
	ok(!nodeset_equal(&a, &b) && !nodeset_has(&b, 63), "del");
	ok(nodeset_intersects(&a, &b), "intersects");
	nodeset_zero(&b);
	nodeset_add(&b, 5);
	ok(!nodeset_intersects(&a, &b), "disjoint");
}

static void test_parse_list(void)
{
	struct ns_nodeset s;
	char buf[64];

	ok(nodeset_parse_list("0-3,5", &s) == 0 && nodeset_count(&s) == 5 && nodeset_has(&s, 5), "list 0-3,5");
	ok(nodeset_parse_list("", &s) == 0 && nodeset_empty(&s), "list empty");
	ok(nodeset_parse_list("\n", &s) == 0 && nodeset_empty(&s), "list newline only");
	ok(nodeset_parse_list("0\n", &s) == 0 && nodeset_count(&s) == 1, "list with newline");
	ok(nodeset_parse_list("1023", &s) == 0 && nodeset_has(&s, 1023), "list 1023");
	ok(nodeset_parse_list("1024", &s) == -ERANGE, "list 1024 out of range");
	ok(nodeset_parse_list("99999999999999999999", &s) == -ERANGE, "list huge");
	ok(nodeset_parse_list("3-1", &s) == -EINVAL, "list backwards");
	ok(nodeset_parse_list("0,", &s) == -EINVAL, "list trailing comma");
	ok(nodeset_parse_list(",0", &s) == -EINVAL, "list leading comma");
	ok(nodeset_parse_list("0-", &s) == -EINVAL, "list open range");
	ok(nodeset_parse_list("a", &s) == -EINVAL, "list letter");
	ok(nodeset_parse_list("0 1", &s) == -EINVAL, "list blank");
	ok(nodeset_parse_list("0\n1", &s) == -EINVAL, "list text after newline");
	ok(nodeset_parse_list(NULL, &s) == -EINVAL, "list NULL");

	nodeset_parse_list("0-3,5,7-8,1023", &s);
	ok(nodeset_format(&s, buf, sizeof(buf)) == 14, "format length");
	is_str(buf, "0-3,5,7-8,1023", "format ranges");
	nodeset_zero(&s);
	ok(nodeset_format(&s, buf, sizeof(buf)) == 0 && buf[0] == '\0', "format empty");
	nodeset_parse_list("0-3,5,7-8", &s);
	ok(nodeset_format(&s, buf, 4) == 9, "format short buffer returns needed length");
	is_str(buf, "0-3", "format short buffer truncates");
	ok(nodeset_format(&s, NULL, 0) == 9, "format length only");
}

static void test_parse_user(void)
{
	struct ns_nodeset valid, s;
	char err[128];
	int rc;

	nodeset_parse_list("0-3,5", &valid);
	ok(nodeset_parse_user("all", &valid, NULL, &s, err, sizeof(err)) == 0 && nodeset_equal(&s, &valid), "user all");
	ok(nodeset_parse_user("1-2,5", &valid, NULL, &s, err, sizeof(err)) == 0 && nodeset_count(&s) == 3, "user 1-2,5");
	ok(nodeset_parse_user("!1", &valid, NULL, &s, err, sizeof(err)) == 0 && nodeset_count(&s) == 4 &&
	   !nodeset_has(&s, 1), "user !1");
	ok(nodeset_parse_user("!0-2", &valid, NULL, &s, err, sizeof(err)) == 0 && nodeset_count(&s) == 2, "user !0-2");
	rc = nodeset_parse_user("7", &valid, NULL, &s, err, sizeof(err));
	ok(rc == -ENODEV, "user 7 is ENODEV");
	is_str(err, "node 7 does not exist", "user 7 message");
	rc = nodeset_parse_user("3-", &valid, NULL, &s, err, sizeof(err));
	ok(rc == -EINVAL, "user '3-' is EINVAL");
	is_str(err, "bad node list '3-': expected a number after '-'", "user '3-' message");
	nodeset_parse_user("1,x2", &valid, NULL, &s, err, sizeof(err));
	is_str(err, "bad node list '1,x2': 'x2' is not a node number", "user names the bad token");
	nodeset_parse_user("1,2x,3", &valid, NULL, &s, err, sizeof(err));
	is_str(err, "bad node list '1,2x,3': '2x' is not a node number or range", "user trailing junk");
	nodeset_parse_user("3-1", &valid, NULL, &s, err, sizeof(err));
	is_str(err, "bad node list '3-1': range 3-1 is backwards", "user backwards");
	nodeset_parse_user("1,,2", &valid, NULL, &s, err, sizeof(err));
	is_str(err, "bad node list '1,,2': empty entry", "user empty entry");
	nodeset_parse_user("1,", &valid, NULL, &s, err, sizeof(err));
	is_str(err, "bad node list '1,': empty entry", "user trailing comma");
	ok(nodeset_parse_user("", &valid, NULL, &s, err, sizeof(err)) == -EINVAL, "user empty");
	is_str(err, "empty node list", "user empty message");
	ok(nodeset_parse_user("!", &valid, NULL, &s, err, sizeof(err)) == -EINVAL, "user lone !");
	ok(nodeset_parse_user(" 1", &valid, NULL, &s, err, sizeof(err)) == -EINVAL, "user blank refused");
	ok(nodeset_parse_user("-1", &valid, NULL, &s, err, sizeof(err)) == -EINVAL, "user negative refused");
	ok(nodeset_parse_user("99999999999", &valid, NULL, &s, err, sizeof(err)) == -ENODEV, "user huge node");
	is_str(err, "node 99999999999 does not exist", "user huge node message");
	ok(nodeset_parse_user("0-3,5", &valid, NULL, &s, err, sizeof(err)) == 0, "user all listed");
	ok(nodeset_parse_user("!0-3,5", &valid, NULL, &s, err, sizeof(err)) == -EINVAL, "user excluding all");
	is_str(err, "node list '!0-3,5' selects no node with memory", "user excluding all message");
	/* a tiny error buffer is cut, never overrun */
	nodeset_parse_user("7", &valid, NULL, &s, err, 5);
	is_str(err, "node", "error message cut to its buffer");
}

/* What a user list parses to, formatted ("1,3"), or "error: ..." */
static const char *user_fmt(const char *list, const struct ns_nodeset *valid,
			    const struct ns_nodeset *allowed)
{
	static char buf[256];
	struct ns_nodeset s;
	char err[200];

	if (nodeset_parse_user(list, valid, allowed, &s, err, sizeof(err)) < 0)
		snprintf(buf, sizeof(buf), "error: %s", err);
	else
		nodeset_format(&s, buf, sizeof(buf));
	return buf;
}

/* numactl's forms: +N relative to the allowed set (the cpuset), all and !
 * within it, ranges that skip what is not valid, no octal. */
static void test_parse_numactl(void)
{
	struct ns_nodeset valid, allowed, s;
	char err[160];

	nodeset_parse_list("0-3,5-7", &valid);    /* node 4 gone: offline */
	nodeset_parse_list("1,3,5-6", &allowed);  /* the cpuset */
	is_str(user_fmt("+0", &valid, &allowed), "1", "+0 is the first allowed node");
	is_str(user_fmt("+1-2", &valid, &allowed), "3,5", "+1-2: the 2nd and 3rd allowed");
	is_str(user_fmt("+0,3", &valid, &allowed), "1,6", "+0,3: every number relative");
	is_str(user_fmt("!+0", &valid, &allowed), "3,5-6", "!+0: the allowed but the first");
	is_str(user_fmt("all", &valid, &allowed), "1,3,5-6", "all: the allowed nodes");
	is_str(user_fmt("!5", &valid, &allowed), "1,3,6", "!5: within the allowed nodes");
	is_str(user_fmt("+all", &valid, &allowed), "1,3,5-6", "+all is all");
	ok(nodeset_parse_user("+4", &valid, &allowed, &s, err, sizeof(err)) == -ENODEV, "+4 past the cpuset");
	is_str(err, "bad node list '+4': +4 counts past the allowed nodes (1,3,5-6): +0 is the first of them",
	       "+4 message names the allowed nodes");
	ok(nodeset_parse_user("+1-0", &valid, &allowed, &s, err, sizeof(err)) == -EINVAL, "+1-0 backwards");
	is_str(err, "bad node list '+1-0': range 1-0 is backwards", "+1-0 message");
	ok(nodeset_parse_user("+", &valid, &allowed, &s, err, sizeof(err)) == -EINVAL, "lone +");
	is_str(err, "bad node list '+': expected nodes after '+'", "lone + message");
	ok(nodeset_parse_user("!all", &valid, &allowed, &s, err, sizeof(err)) == -EINVAL, "!all is nothing");
	ok(nodeset_parse_user("+!0", &valid, &allowed, &s, err, sizeof(err)) == -EINVAL, "+! in that order refused");
	ok(nodeset_parse_user("1,+2", &valid, &allowed, &s, err, sizeof(err)) == -EINVAL, "+ inside refused");
	/* absolute numbers stay absolute: the cpuset is the caller's check */
	is_str(user_fmt("0", &valid, &allowed), "0", "absolute 0 outside the cpuset parses");
	/* a range skips what is not valid between its ends, as numactl does */
	is_str(user_fmt("3-5", &valid, NULL), "3,5", "3-5 across offline 4 is 3,5");
	ok(nodeset_parse_user("4-5", &valid, NULL, &s, err, sizeof(err)) == -ENODEV, "an end must exist");
	is_str(err, "node 4 does not exist", "4-5 names the end");
	ok(nodeset_parse_user("010", &valid, NULL, &s, err, sizeof(err)) == -EINVAL, "010 refused");
	is_str(err, "bad node list '010': '010' has a leading zero (numactl reads it as octal): "
	       "write the number without it", "010 message");
	ok(nodeset_parse_user("0x3", &valid, NULL, &s, err, sizeof(err)) == -EINVAL, "0x3 refused");
	ok(nodeset_parse_user("0", &valid, NULL, &s, err, sizeof(err)) == 0, "a lone 0 is no leading zero");
	ok(nodeset_parse_user("+0", &valid, NULL, &s, err, sizeof(err)) == 0 && nodeset_has(&s, 0),
	   "+0 without a cpuset: the first valid node");
	is_str(user_fmt("+4", &valid, NULL), "5", "+4 without a cpuset skips offline 4");
}

static void test_topo_fixture(const char *top)
{
	int rc;
	struct ns_topology t;
	const struct ns_node *n0, *n2, *n3;
	struct ns_nodeset s;
	char root[PATH_MAX], err[128];
	uint64_t ps = sys_page_size(), thp = 2097152, want0 = 0, want1 = 0, want2 = 0;
	static const unsigned long long c0[3][11] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 },
		{ 1, 1, 4, 2, 5, 4, 3, 3, 4, 2, 752 },
		{ 632, 1141, 1586, 997, 615, 368, 222, 110, 74, 39, 348 } };
	static const unsigned long long c1[11] = { 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100 };
	static const unsigned long long c2[11] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 7 };
	int order = 0;

	/* the expected THP-unit counts, from the buddyinfo of the fixture */
	while ((ps << order) < thp)
		order++;
	for (int k = order; k < 11; k++) {
		for (int z = 0; z < 3; z++)
			want0 += c0[z][k] << (k - order);
		want1 += c1[k] << (k - order);
		want2 += c2[k] << (k - order);
	}

	snprintf(root, sizeof(root), "%s/tests/fixtures/parsers/sysroot-4node", top);
	ok(path_set_root(root) == 0, "fixture sysroot");
	rc = topo_read(&t);
	ok(rc == 0, "topo_read 4-node fixture");
	ok(t.nnodes == 4, "4 nodes online");
	nodeset_format(&t.with_memory, err, sizeof(err));
	is_str(err, "0-2", "nodes with memory");
	nodeset_format(&t.with_cpu, err, sizeof(err));
	is_str(err, "0-1,3", "nodes with CPUs");
	is_u64(t.thp_size, thp, "THP size");
	is_u64(t.page_size, ps, "page size");
	n0 = topo_node(&t, 0);
	n2 = topo_node(&t, 2);
	n3 = topo_node(&t, 3);
	ok(n0 && n2 && n3 && !topo_node(&t, 4), "topo_node finds 0,2,3, not 4");
	is_u64(n0->mem_total, 8388608ULL * 1024, "node0 MemTotal");
	is_u64(n0->mem_free, 4194304ULL * 1024, "node0 MemFree");
	is_u64(n0->hugepages_free, 6ULL * 2048 * 1024, "node0 free hugetlb = HugePages_Free x Hugepagesize");
	is_str(n0->cpulist, "0-1,4", "node0 cpulist");
	ok(n0->ncpus == 3, "node0 ncpus 3");
	ok(n0->ndistance == 4 && n0->distance[0] == 10 && n0->distance[3] == 20, "node0 distances");
	ok(n2->has_memory && !n2->has_cpu && n2->ncpus == 0 && n2->cpulist[0] == '\0',
	   "node2 is memory-only");
	ok(n2->ndistance == 4 && n2->distance[3] == 40, "node2 distance to node3");
	ok(!n3->has_memory && n3->has_cpu && n3->ncpus == 2, "node3 has CPUs and no memory");
	is_u64(n0->thp_blocks_free, want0, "node0 THP-sized free blocks (3 zones)");
	is_u64(topo_node(&t, 1)->thp_blocks_free, want1, "node1 THP-sized free blocks");
	is_u64(n2->thp_blocks_free, want2, "node2 THP-sized free blocks");
	is_u64(n3->thp_blocks_free, 0, "node3 none");

	ok(topo_parse_nodes(&t, "0,2", &s, err, sizeof(err)) == 0 && nodeset_count(&s) == 2,
	   "topo list 0,2 (memory-only node 2 accepted)");
	ok(topo_parse_nodes(&t, "3", &s, err, sizeof(err)) == -ENODEV, "topo node 3 refused");
	is_str(err, "node 3 has no memory", "topo node 3 message");
	ok(topo_parse_nodes(&t, "0-7", &s, err, sizeof(err)) == -ENODEV, "topo 0-7 refused");
	is_str(err, "node 7 does not exist", "topo 0-7 names the end that does not exist");
	ok(topo_parse_nodes(&t, "0-3", &s, err, sizeof(err)) == -ENODEV, "topo 0-3 refused");
	is_str(err, "node 3 has no memory", "topo 0-3: an end must have memory");
	ok(topo_parse_nodes(&t, "7", &s, err, sizeof(err)) == -ENODEV, "topo node 7 refused");
	is_str(err, "node 7 does not exist", "topo node 7 message");
	ok(topo_parse_nodes(&t, "!3", &s, err, sizeof(err)) == 0 && nodeset_count(&s) == 3,
	   "topo !3 allowed (node 3 exists)");
	ok(topo_parse_nodes(&t, "!0", &s, err, sizeof(err)) == 0 && nodeset_count(&s) == 2 &&
	   !nodeset_has(&s, 3), "topo !0 leaves nodes with memory");
	ok(topo_parse_nodes(&t, "all", &s, err, sizeof(err)) == 0 && nodeset_count(&s) == 3,
	   "topo all = nodes with memory");
	topo_free(&t);
	ok(t.nodes == NULL && t.nnodes == 0, "topo_free clears");
	path_set_root(NULL);
}

/* Trees made here: no NUMA directory, missing has_* files, no online. */
static void test_topo_trees(void)
{
	int rc;
	struct ns_topology t;
	uint64_t ps = sys_page_size();

	new_tree();
	put("sys/devices/system/cpu/online", "0-3\n");
	/* THP of 4 pages: order 2; orders 2,3,4 count 1, 2, 4 THP units */
	put("sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "%llu\n", (unsigned long long)(ps * 4));
	put("proc/buddyinfo", "Node 0, zone   Normal      9      9      1      1      1 \n");
	ok(path_set_root(tmproot) == 0, "flat tree root");
	rc = topo_read(&t);
	ok(rc == 0, "topo_read without /sys/devices/system/node");
	ok(t.nnodes == 1 && t.nodes[0].id == 0 && t.nodes[0].has_memory && t.nodes[0].has_cpu,
	   "flat: one node 0");
	is_u64(t.nodes[0].mem_total, 1000 * 1024, "flat: MemTotal from /proc/meminfo");
	is_u64(t.nodes[0].mem_free, 600 * 1024, "flat: MemFree");
	is_u64(t.nodes[0].hugepages_free, 3ULL * 2048 * 1024, "flat: hugetlb free");
	ok(t.nodes[0].ncpus == 4, "flat: 4 CPUs");
	ok(t.nodes[0].ndistance == 1 && t.nodes[0].distance[0] == 10, "flat: local distance");
	is_u64(t.nodes[0].thp_blocks_free, 1 + 2 + 4, "flat: buddy orders 2..4 in THP units");
	topo_free(&t);

	/* no has_memory/has_cpu: derived; THP unavailable: no blocks */
	new_tree();
	put("sys/devices/system/node/online", "0-1\n");
	put("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 100 kB\nNode 0 MemFree: 50 kB\n");
	put("sys/devices/system/node/node0/cpulist", "0\n");
	put("sys/devices/system/node/node1/meminfo", "Node 1 MemTotal: 0 kB\n");
	put("sys/devices/system/node/node1/cpulist", "1\n");
	put("proc/buddyinfo", "Node 0, zone   Normal      9      9      1      1      1 \n");
	path_set_root(tmproot);
	rc = topo_read(&t);
	ok(rc == 0, "tree without has_* files");
	ok(t.nodes[0].has_memory && !t.nodes[1].has_memory && t.nodes[1].has_cpu,
	   "has_memory derived from MemTotal");
	ok(t.thp_size == 0 && t.nodes[0].thp_blocks_free == 0, "no THP: no THP blocks");
	ok(t.nodes[0].distance == NULL && t.nodes[0].ndistance == 0, "no distance file: NULL");
	topo_free(&t);

	/* a node directory without online is an error */
	new_tree();
	put("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 100 kB\n");
	path_set_root(tmproot);
	rc = topo_read(&t);
	ok(rc == -ENOENT && t.nodes == NULL, "missing online: -ENOENT");
	put("sys/devices/system/node/online", "0-x\n");
	rc = topo_read(&t);
	ok(rc == -EINVAL, "garbled online: -EINVAL");
	path_set_root(NULL);
}

static void test_topo_live(void)
{
	int rc;
	struct ns_topology t;
	int n;

	path_set_root(NULL);
	rc = topo_read(&t);
	ok(rc == 0, "topo_read on this machine");
	ok(t.nnodes >= 1 && nodeset_count(&t.online) == t.nnodes, "live: %d node(s)", t.nnodes);
	ok(!nodeset_empty(&t.with_memory), "live: some node has memory");
	n = nodeset_next(&t.with_memory, -1);
	ok(topo_node(&t, n)->mem_total > 0 && topo_node(&t, n)->mem_free <= topo_node(&t, n)->mem_total,
	   "live: node %d MemFree <= MemTotal", n);
	ok(topo_node(&t, n)->ndistance == t.nnodes, "live: one distance per online node");
	topo_free(&t);
}

/* topo_read_ids: the same nodes and kinds as topo_read, none of the facts. */
static void test_topo_ids(const char *top)
{
	struct ns_topology full, ids;
	char root[PATH_MAX];
	bool kinds = true, no_facts = true;

	snprintf(root, sizeof(root), "%s/tests/fixtures/parsers/sysroot-4node", top);
	if (path_set_root(root) < 0 || topo_read(&full) < 0 || topo_read_ids(&ids) < 0) {
		ok(0, "read the 4-node fixture twice");
		path_set_root(NULL);
		return;
	}
	ok(nodeset_equal(&full.online, &ids.online) &&
	   nodeset_equal(&full.with_memory, &ids.with_memory) &&
	   nodeset_equal(&full.with_cpu, &ids.with_cpu), "ids: the same node sets");
	is_u64(ids.nnodes, full.nnodes, "ids: the same node count");
	for (int i = 0; i < ids.nnodes && i < full.nnodes; i++) {
		kinds &= ids.nodes[i].id == full.nodes[i].id &&
			 ids.nodes[i].has_memory == full.nodes[i].has_memory &&
			 ids.nodes[i].has_cpu == full.nodes[i].has_cpu;
		no_facts &= ids.nodes[i].mem_total == 0 && ids.nodes[i].ndistance == 0 &&
			    ids.nodes[i].thp_blocks_free == 0;
	}
	ok(kinds, "ids: each node's id and kind agree with topo_read");
	ok(no_facts, "ids: sizes, distances and buddy counts are not read");
	is_u64(ids.page_size, full.page_size, "ids: page size");
	topo_free(&full);
	topo_free(&ids);
	path_set_root(NULL);
}

int main(void)
{
	const char *top = getenv("NS_TOP");
	char cmd[PATH_MAX + 16];

	test_sets();
	test_parse_list();
	test_parse_user();
	test_parse_numactl();
	test_topo_fixture(top ? top : ".");
	test_topo_ids(top ? top : ".");
	test_topo_trees();
	test_topo_live();
	if (tmproot[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmproot);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmproot);
	}
	return tap_done();
}

