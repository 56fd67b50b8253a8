/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "idlist.h"
#include "nodes.h"
#include "path.h"
#include "sysinfo.h"

#define NODE_DIR "/sys/devices/system/node"

/* ---- node sets ---------------------------------------------------------- */

static bool node_ok(int node)
{
	return node >= 0 && node < NS_MAX_NODES;
}

void nodeset_zero(struct ns_nodeset *s)
{
	memset(s, 0, sizeof(*s));
}

void nodeset_add(struct ns_nodeset *s, int node)
{
	if (node_ok(node))
		s->w[node / 64] |= 1ULL << (node % 64);
}

void nodeset_del(struct ns_nodeset *s, int node)
{
	if (node_ok(node))
		s->w[node / 64] &= ~(1ULL << (node % 64));
}

bool nodeset_has(const struct ns_nodeset *s, int node)
{
	return node_ok(node) && (s->w[node / 64] >> (node % 64)) & 1;
}

int nodeset_count(const struct ns_nodeset *s)
{
	int n = 0;

	for (size_t i = 0; i < NS_MAX_NODES / 64; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

bool nodeset_empty(const struct ns_nodeset *s)
{
	for (size_t i = 0; i < NS_MAX_NODES / 64; i++)
		if (s->w[i])
			return false;
	return true;
}

bool nodeset_equal(const struct ns_nodeset *a, const struct ns_nodeset *b)
{
	return memcmp(a->w, b->w, sizeof(a->w)) == 0;
}

bool nodeset_intersects(const struct ns_nodeset *a, const struct ns_nodeset *b)
{
	for (size_t i = 0; i < NS_MAX_NODES / 64; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

bool nodeset_subset(const struct ns_nodeset *a, const struct ns_nodeset *b)
{
	for (size_t i = 0; i < NS_MAX_NODES / 64; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

int nodeset_next(const struct ns_nodeset *s, int after)
{
	int n = after + 1;
	uint64_t w;

	if (n < 0)
		n = 0;
	while (n < NS_MAX_NODES) {
		w = s->w[n / 64] >> (n % 64);
		if (w)
			return n + __builtin_ctzll(w);
		n = (n / 64 + 1) * 64;
	}
	return -1;
}

int nodeset_nth(const struct ns_nodeset *s, int k)
{
	int n;

	if (k < 0)
		return -1;
	nodeset_foreach(n, s)
		if (k-- == 0)
			return n;
	return -1;
}

/* One decimal number at *p (advanced past it).  -EINVAL when there is no
 * digit, -ERANGE when it is NS_MAX_NODES or more. */
static int nodes_number(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++)
		if (v < NS_MAX_NODES)
			v = v * 10 + (*s - '0');
	*p = s;
	if (v >= NS_MAX_NODES)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

int nodeset_parse_list(const char *s, struct ns_nodeset *out)
{
	struct ns_nodeset set;
	int a, b, rc;

	nodeset_zero(&set);
	if (!s)
		return -EINVAL;
	while (*s && *s != '\n') {
		rc = nodes_number(&s, &a);
		if (rc < 0)
			return rc;
		b = a;
		if (*s == '-') {
			s++;
			rc = nodes_number(&s, &b);
			if (rc < 0)
				return rc;
			if (b < a)
				return -EINVAL;
		}
		for (int n = a; n <= b; n++)
			nodeset_add(&set, n);
		if (*s == ',' && s[1] && s[1] != '\n')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	if (*s == '\n' && s[1])
		return -EINVAL;
	*out = set;
	return 0;
}

static int nodes_parse_user(const char *s, const struct ns_nodeset *exist,
			    const struct ns_nodeset *valid, const struct ns_nodeset *allowed,
			    struct ns_nodeset *out, char *err, size_t errlen)
{
	const struct idlist_spec sp = {
		.what = "node", .nbits = NS_MAX_NODES,
		.exist = exist->w, .missing = "does not exist",
		.valid = valid->w, .invalid = "has no memory",
		.base = allowed ? allowed->w : NULL, .nothing = "node with memory",
	};

	return idlist_parse(s, &sp, out->w, err, errlen);
}

int nodeset_parse_user(const char *s, const struct ns_nodeset *valid,
		       const struct ns_nodeset *allowed,
		       struct ns_nodeset *out, char *err, size_t errlen)
{
	return nodes_parse_user(s, valid, valid, allowed, out, err, errlen);
}

int topo_parse_nodes(const struct ns_topology *t, const char *s,
		     struct ns_nodeset *out, char *err, size_t errlen)
{
	return nodes_parse_user(s, &t->online, &t->with_memory, NULL, out, err, errlen);
}

int nodeset_format(const struct ns_nodeset *s, char *buf, size_t len)
{
	size_t need = 0;
	int a, b, k;

	if (len)
		buf[0] = '\0';
	for (a = nodeset_next(s, -1); a >= 0; a = nodeset_next(s, b)) {
		b = a;
		while (nodeset_has(s, b + 1))
			b++;
		if (b == a)
			k = snprintf(buf ? buf + (need < len ? need : len) : NULL,
				     need < len ? len - need : 0, "%s%d",
				     need ? "," : "", a);
		else
			k = snprintf(buf ? buf + (need < len ? need : len) : NULL,
				     need < len ? len - need : 0, "%s%d-%d",
				     need ? "," : "", a, b);
		need += (size_t)k;
	}
	return (int)need;
}

/* ---- topology ----------------------------------------------------------- */

/* Number of ids in a kernel list of any size ("0-3,8" -> 5); CPU ids may
 * exceed NS_MAX_NODES so no set is built.  -EINVAL on bad syntax. */
static int topo_count_list(const char *s)
{
	unsigned long a, b;
	char *end;
	int n = 0;

	while (*s && *s != '\n') {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			if (s[1] < '0' || s[1] > '9')
				return -EINVAL;
			b = strtoul(s + 1, &end, 10);
			s = end;
		}
		if (b < a || b - a > 1u << 20)
			return -EINVAL;
		n += (int)(b - a + 1);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return n;
}

/* A node list file of sysfs; -errno if missing or bad. */
static int topo_read_set(const char *name, struct ns_nodeset *out)
{
	char buf[4096];
	int rc;

	rc = path_read_str(buf, sizeof(buf), NODE_DIR "/%s", name);
	if (rc < 0)
		return rc;
	return nodeset_parse_list(buf, out);
}

static uint64_t topo_hugepage_size(void)
{
	static const char *const keys[] = { "Hugepagesize" };
	uint64_t v = 0;

	sys_read_meminfo("/proc/meminfo", keys, &v, 1);
	return v;
}

/* MemTotal, MemFree and HugePages_Free of a meminfo file into nd. */
static int topo_read_meminfo(const char *path, struct ns_node *nd,
			     uint64_t hugepage_size)
{
	static const char *const keys[] = { "MemTotal", "MemFree", "HugePages_Free" };
	uint64_t v[3] = { 0, 0, 0 };
	int rc;

	rc = sys_read_meminfo(path, keys, v, 3);
	nd->mem_total = v[0];
	nd->mem_free = v[1];
	nd->hugepages_free = v[2] * hugepage_size;
	return rc < 0 ? rc : 0;
}

static void topo_read_cpus(struct ns_node *nd, const char *path)
{
	char buf[8192];
	int n;

	if (path_read_str(buf, sizeof(buf), "%s", path) < 0)
		return;
	/* cut on purpose: ncpus below counts the whole list */
	strncpy(nd->cpulist, buf, sizeof(nd->cpulist) - 1);
	nd->cpulist[sizeof(nd->cpulist) - 1] = '\0';
	n = topo_count_list(buf);
	nd->ncpus = n > 0 ? n : 0;
}

static int topo_read_distance(struct ns_node *nd)
{
	char buf[8192], *p, *end;
	int n = 0, *d;
	long v;

	if (path_read_str(buf, sizeof(buf), NODE_DIR "/node%d/distance", nd->id) < 0)
		return 0;
	for (p = buf; *p; ) {
		while (*p == ' ')
			p++;
		if (*p)
			n++;
		while (*p && *p != ' ')
			p++;
	}
	if (n == 0)
		return 0;
	d = calloc((size_t)n, sizeof(*d));
	if (!d)
		return -ENOMEM;
	n = 0;
	for (p = buf; *p; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		d[n++] = (int)v;
	}
	nd->distance = d;
	nd->ndistance = n;
	return 0;
}

/* Index of node id in t->nodes (ascending ids), or -1. */
static int topo_index(const struct ns_topology *t, int id)
{
	int lo = 0, hi = t->nnodes - 1, mid;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (t->nodes[mid].id == id)
			return mid;
		if (t->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* /proc/buddyinfo: "Node 0, zone   Normal  c0 c1 ... c10", free block
 * counts per order.  Blocks of THP order and above count in THP units. */
static void topo_read_buddy(struct ns_topology *t)
{
	char *line = NULL, *p, *end;
	size_t cap = 0;
	struct ns_node *nd;
	unsigned long long cnt;
	int thp_order = 0, node, k, i;
	FILE *f;

	if (!t->thp_size || t->thp_size < t->page_size)
		return;
	while ((t->page_size << thp_order) < t->thp_size)
		thp_order++;
	f = path_fopen("/proc/buddyinfo");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "Node %d,", &node) != 1)
			continue;
		i = topo_index(t, node);
		p = strstr(line, "zone");
		if (i < 0 || !p)
			continue;
		nd = &t->nodes[i];
		p += 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')      /* the zone name */
			p++;
		for (k = 0; ; k++) {
			cnt = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
			if (k >= thp_order && k - thp_order < 63)
				nd->thp_blocks_free += cnt << (k - thp_order);
		}
	}
	free(line);
	fclose(f);
}

/* No /sys/devices/system/node: one node 0 with everything. */
static int topo_read_flat(struct ns_topology *t)
{
	struct ns_node *nd;
	int rc;

	t->nodes = calloc(1, sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	t->nnodes = 1;
	nd = &t->nodes[0];
	nd->id = 0;
	nd->has_memory = true;
	nd->has_cpu = true;
	nodeset_add(&t->online, 0);
	nodeset_add(&t->with_memory, 0);
	nodeset_add(&t->with_cpu, 0);
	rc = topo_read_meminfo("/proc/meminfo", nd, topo_hugepage_size());
	if (rc < 0)
		return rc;
	topo_read_cpus(nd, "/sys/devices/system/cpu/online");
	nd->distance = malloc(sizeof(*nd->distance));
	if (!nd->distance)
		return -ENOMEM;
	nd->distance[0] = 10;     /* LOCAL_DISTANCE */
	nd->ndistance = 1;
	topo_read_buddy(t);
	return 0;
}

static int topo_read_nodes(struct ns_topology *t, bool facts)
{
	struct ns_nodeset mem, cpu;
	bool have_mem, have_cpu;
	uint64_t hps = 0;     /* read with the first node's meminfo */
	bool hps_read = false;
	char path[64];
	int rc, n, i = 0;

	rc = topo_read_set("online", &t->online);
	if (rc < 0)
		return rc;
	have_mem = topo_read_set("has_memory", &mem) == 0;
	have_cpu = topo_read_set("has_cpu", &cpu) == 0;
	t->nnodes = nodeset_count(&t->online);
	t->nodes = calloc((size_t)t->nnodes + 1, sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	nodeset_foreach(n, &t->online) {
		struct ns_node *nd = &t->nodes[i++];

		nd->id = n;
		/* without has_memory/has_cpu the kinds come from the facts */
		if (facts || !have_mem) {
			if (!hps_read) {
				hps = topo_hugepage_size();
				hps_read = true;
			}
			snprintf(path, sizeof(path), NODE_DIR "/node%d/meminfo", n);
			topo_read_meminfo(path, nd, hps);
		}
		if (facts || !have_cpu) {
			snprintf(path, sizeof(path), NODE_DIR "/node%d/cpulist", n);
			topo_read_cpus(nd, path);
		}
		nd->has_memory = have_mem ? nodeset_has(&mem, n) : nd->mem_total > 0;
		nd->has_cpu = have_cpu ? nodeset_has(&cpu, n) : nd->ncpus > 0;
		if (nd->has_memory)
			nodeset_add(&t->with_memory, n);
		if (nd->has_cpu)
			nodeset_add(&t->with_cpu, n);
		if (!facts)
			continue;
		rc = topo_read_distance(nd);
		if (rc < 0)
			return rc;
	}
	if (facts)
		topo_read_buddy(t);
	return 0;
}

static int topo_read_some(struct ns_topology *t, bool facts)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->page_size = sys_page_size();
	t->thp_size = sys_thp_size();
	if (path_exists(NODE_DIR))
		rc = topo_read_nodes(t, facts);
	else
		rc = topo_read_flat(t);
	if (rc < 0)
		topo_free(t);
	return rc;
}

int topo_read(struct ns_topology *t)
{
	return topo_read_some(t, true);
}

int topo_read_ids(struct ns_topology *t)
{
	return topo_read_some(t, false);
}

void topo_free(struct ns_topology *t)
{
	if (!t)
		return;
	for (int i = 0; t->nodes && i < t->nnodes; i++)
		free(t->nodes[i].distance);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

const struct ns_node *topo_node(const struct ns_topology *t, int id)
{
	int i = topo_index(t, id);

	return i < 0 ? NULL : &t->nodes[i];
}
