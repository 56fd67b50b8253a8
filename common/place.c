/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place: affinity, memory policy and the --auto choice.  See place.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "idlist.h"
#include "path.h"
#include "place.h"

#define PLACE_ULONG_BITS (8 * (int)sizeof(unsigned long))

const char *place_policy_name(enum place_policy p)
{
	switch (p) {
	case PLACE_BIND: return "bind";
	case PLACE_PREFERRED: return "preferred";
	case PLACE_INTERLEAVE: return "interleave";
	case PLACE_WEIGHTED: return "weighted-interleave";
	case PLACE_LOCAL: return "local";
	}
	return "?";
}

int place_policy_parse(const char *s, enum place_policy *out)
{
	static const enum place_policy all[] = {
		PLACE_BIND, PLACE_PREFERRED, PLACE_INTERLEAVE, PLACE_WEIGHTED, PLACE_LOCAL,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, place_policy_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -EINVAL;
}

int place_policy_mode(enum place_policy p, const struct ns_nodeset *nodes)
{
	switch (p) {
	case PLACE_BIND: return PLACE_MPOL_BIND;
	case PLACE_PREFERRED:
		return nodeset_count(nodes) > 1 ? PLACE_MPOL_PREFERRED_MANY :
			PLACE_MPOL_PREFERRED;
	case PLACE_INTERLEAVE: return PLACE_MPOL_INTERLEAVE;
	case PLACE_WEIGHTED: return PLACE_MPOL_WEIGHTED_INTERLEAVE;
	case PLACE_LOCAL: return PLACE_MPOL_LOCAL;
	}
	return PLACE_MPOL_DEFAULT;
}

static long place_sys_set_mempolicy(int mode, const unsigned long *mask,
				    unsigned long maxnode)
{
	return syscall(SYS_set_mempolicy, mode, mask, maxnode);
}

int place_set_policy(enum place_policy p, const struct ns_nodeset *nodes,
		     bool balancing)
{
	unsigned long mask[NS_MAX_NODES / (8 * sizeof(unsigned long))];
	int mode = place_policy_mode(p, nodes), n;

	memset(mask, 0, sizeof(mask));
	nodeset_foreach(n, nodes)
		mask[n / PLACE_ULONG_BITS] |= 1UL << (n % PLACE_ULONG_BITS);
	if (balancing)
		mode |= PLACE_MPOL_F_NUMA_BALANCING;
	/* the kernel reads maxnode - 1 bits */
	if (place_sys_set_mempolicy(mode, mask, NS_MAX_NODES + 1) < 0)
		return -errno;
	return 0;
}

int place_probe_policy(enum place_policy p, const struct ns_nodeset *nodes,
		       bool balancing)
{
	int rc = place_set_policy(p, nodes, balancing);

	place_sys_set_mempolicy(PLACE_MPOL_DEFAULT, NULL, 0);
	return rc;
}

int place_read_weights(const struct ns_nodeset *nodes, int *weights, int nweights)
{
	int n;

	if (!path_exists("/sys/kernel/mm/mempolicy/weighted_interleave"))
		return -ENOENT;
	nodeset_foreach(n, nodes) {
		uint64_t v;
		int rc;

		if (n >= nweights)
			return -ERANGE;
		rc = path_read_u64(&v, "/sys/kernel/mm/mempolicy/weighted_interleave/node%d", n);
		if (rc < 0)
			return rc;
		weights[n] = (int)v;
	}
	return 0;
}

/* ---- CPU sets ------------------------------------------------------------ */

static int place_cpus_reserve(struct place_cpus *c, int cpu)
{
	size_t need = CPU_ALLOC_SIZE(cpu + 1);
	cpu_set_t *s;

	if (c->set && need <= c->size)
		return 0;
	s = realloc(c->set, need);
	if (!s)
		return -ENOMEM;
	memset((char *)s + (c->set ? c->size : 0), 0, need - (c->set ? c->size : 0));
	c->set = s;
	c->size = need;
	return 0;
}

static int place_cpus_add(struct place_cpus *c, int cpu)
{
	int rc = place_cpus_reserve(c, cpu);

	if (rc < 0)
		return rc;
	if (!CPU_ISSET_S(cpu, c->size, c->set)) {
		CPU_SET_S(cpu, c->size, c->set);
		c->ncpus++;
		if (cpu > c->max_cpu)
			c->max_cpu = cpu;
	}
	return 0;
}

bool place_cpus_has(const struct place_cpus *c, int cpu)
{
	return c->set && cpu >= 0 && (size_t)cpu < c->size * 8 &&
		CPU_ISSET_S(cpu, c->size, c->set);
}

static int place_parse_num(const char **p, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v > 1 << 20)
		return -EINVAL;
	*out = (int)v;
	*p = end;
	return 0;
}

int place_cpus_parse(const char *list, struct place_cpus *out)
{
	const char *p = list;

	if (!out->set)
		out->max_cpu = -1;
	while (*p && *p != '\n') {
		int a, b, rc;

		if (place_parse_num(&p, &a) < 0)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			p++;
			if (place_parse_num(&p, &b) < 0 || b < a)
				return -EINVAL;
		}
		for (int cpu = a; cpu <= b; cpu++) {
			rc = place_cpus_add(out, cpu);
			if (rc < 0)
				return rc;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return 0;
}

/* A CPU set as a bitmap of nbits CPUs, for idlist. */
static uint64_t *place_cpus_bits(const struct place_cpus *c, size_t nbits)
{
	uint64_t *m = calloc(IDLIST_WORDS(nbits), sizeof(*m));

	for (int cpu = 0; m && c && cpu <= c->max_cpu && (size_t)cpu < nbits; cpu++)
		if (place_cpus_has(c, cpu))
			m[cpu / 64] |= 1ULL << (cpu % 64);
	return m;
}

int place_cpus_parse_user(const char *s, const struct place_cpus *online,
			  const struct place_cpus *allowed, struct place_cpus *out,
			  char *err, size_t errlen)
{
	size_t nbits = (size_t)(online->max_cpu > allowed->max_cpu ?
				online->max_cpu : allowed->max_cpu) + 1;
	uint64_t *on = place_cpus_bits(online, nbits);
	uint64_t *al = place_cpus_bits(allowed, nbits);
	uint64_t *res = place_cpus_bits(NULL, nbits);
	const struct idlist_spec sp = {
		.what = "CPU", .nbits = nbits, .exist = on, .missing = "is not online",
		.valid = on, .invalid = "is not online", .base = al, .nothing = "CPU",
	};
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	out->max_cpu = -1;
	if (on && al && res)
		rc = idlist_parse(s, &sp, res, err, errlen);
	for (size_t cpu = 0; rc == 0 && cpu < nbits; cpu++)
		if ((res[cpu / 64] >> (cpu % 64)) & 1)
			rc = place_cpus_add(out, (int)cpu);
	if (rc == -ENOMEM && err && errlen)
		snprintf(err, errlen, "out of memory");
	if (rc < 0)
		place_cpus_free(out);
	free(on);
	free(al);
	free(res);
	return rc;
}

int place_cpus_online(struct place_cpus *out)
{
	char buf[8192];
	int rc;

	memset(out, 0, sizeof(*out));
	out->max_cpu = -1;
	rc = path_read_str(buf, sizeof(buf), "/sys/devices/system/cpu/online");
	if (rc >= 0)
		rc = place_cpus_parse(buf, out);
	if (rc < 0)
		place_cpus_free(out);
	return rc < 0 ? rc : 0;
}

int place_cpus_self(struct place_cpus *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->max_cpu = -1;
	for (int n = CPU_SETSIZE; n <= 1 << 20; n *= 2) {
		cpu_set_t *s = CPU_ALLOC(n);
		size_t sz = CPU_ALLOC_SIZE(n);

		if (!s)
			return -ENOMEM;
		if (sched_getaffinity(0, sz, s) < 0) {
			rc = errno;
			CPU_FREE(s);
			if (rc == EINVAL)
				continue;     /* more CPUs than n: a larger set */
			return -rc;
		}
		rc = 0;
		for (int cpu = 0; cpu < n && rc == 0; cpu++)
			if (CPU_ISSET_S(cpu, sz, s))
				rc = place_cpus_add(out, cpu);
		CPU_FREE(s);
		if (rc < 0)
			place_cpus_free(out);
		return rc;
	}
	return -EINVAL;
}

int place_cpus_of_nodes(const struct ns_topology *t, const struct ns_nodeset *nodes,
			struct place_cpus *out)
{
	int n, rc;

	memset(out, 0, sizeof(*out));
	out->max_cpu = -1;
	nodeset_foreach(n, nodes) {
		const struct ns_node *nd = topo_node(t, n);

		if (!nd || !nd->cpulist[0])
			continue;
		rc = place_cpus_parse(nd->cpulist, out);
		if (rc < 0) {
			place_cpus_free(out);
			return rc;
		}
	}
	if (out->ncpus == 0) {
		place_cpus_free(out);
		return -ENODEV;
	}
	return 0;
}

int place_cpus_format(const struct place_cpus *c, char *buf, size_t len)
{
	size_t used = 0;
	int total = 0;

	if (len)
		buf[0] = '\0';
	for (int cpu = 0; cpu <= c->max_cpu; cpu++) {
		int end = cpu, w;

		if (!place_cpus_has(c, cpu))
			continue;
		while (place_cpus_has(c, end + 1))
			end++;
		w = end > cpu ?
			snprintf(buf + used, used < len ? len - used : 0, "%s%d-%d",
				 total ? "," : "", cpu, end) :
			snprintf(buf + used, used < len ? len - used : 0, "%s%d",
				 total ? "," : "", cpu);
		total += w;
		used = (size_t)total < len ? (size_t)total : len;
		cpu = end;
	}
	return total;
}

void place_cpus_free(struct place_cpus *c)
{
	free(c->set);
	memset(c, 0, sizeof(*c));
	c->max_cpu = -1;
}

/* ---- threads --------------------------------------------------------------- */

struct place_tids {
	pid_t *v;
	size_t n, cap;
};

static bool place_tids_has(const struct place_tids *t, pid_t tid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i] == tid)
			return true;
	return false;
}

static int place_tids_add(struct place_tids *t, pid_t tid)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		pid_t *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = tid;
	return 0;
}

/* The thread ids of pid not yet in 'seen'. */
static int place_list_tasks(pid_t pid, const struct place_tids *seen,
			    struct place_tids *out)
{
	struct dirent *de;
	DIR *d = path_opendir("/proc/%d/task", (int)pid);
	int rc = 0;

	out->n = 0;
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d)) && rc == 0) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (de->d_name[0] == '.' || *end || tid <= 0)
			continue;
		if (!place_tids_has(seen, (pid_t)tid))
			rc = place_tids_add(out, (pid_t)tid);
	}
	closedir(d);
	return rc;
}

static void place_set_one(pid_t tid, const struct place_cpus *c,
			  struct place_aff_result *r)
{
	if (sched_setaffinity(tid, c->size, c->set) == 0) {
		r->threads++;
		return;
	}
	if (errno == ESRCH) {
		r->gone++;
		return;
	}
	r->failed++;
	if (!r->err)
		r->err = -errno;
}

int place_set_affinity_all(pid_t pid, const struct place_cpus *c,
			   struct place_aff_result *r)
{
	struct place_tids seen = { 0 }, fresh = { 0 };
	int rc = 0;

	memset(r, 0, sizeof(*r));
	while (r->passes < PLACE_MAX_PASSES) {
		rc = place_list_tasks(pid, &seen, &fresh);
		if (rc < 0 || fresh.n == 0)
			break;
		r->passes++;
		for (size_t i = 0; i < fresh.n && rc == 0; i++) {
			place_set_one(fresh.v[i], c, r);
			rc = place_tids_add(&seen, fresh.v[i]);
		}
		if (rc < 0)
			break;
	}
	free(seen.v);
	free(fresh.v);
	if (rc == -ESRCH && r->passes > 0)
		rc = 0;   /* it ended after we started: what was set is reported */
	return rc;
}

int place_check_affinity(pid_t pid, const struct place_cpus *c,
			 unsigned *inside, unsigned *threads)
{
	struct place_tids none = { 0 }, all = { 0 };
	int rc = place_list_tasks(pid, &none, &all);

	*inside = *threads = 0;
	for (size_t i = 0; rc == 0 && i < all.n; i++) {
		cpu_set_t *s = CPU_ALLOC(CPU_SETSIZE * 4);
		size_t sz = CPU_ALLOC_SIZE(CPU_SETSIZE * 4);
		bool ok = true;

		if (!s) {
			rc = -ENOMEM;
			break;
		}
		if (sched_getaffinity(all.v[i], sz, s) == 0) {
			(*threads)++;
			for (int cpu = 0; cpu < CPU_SETSIZE * 4; cpu++)
				if (CPU_ISSET_S(cpu, sz, s) && !place_cpus_has(c, cpu))
					ok = false;
			if (ok)
				(*inside)++;
		}
		CPU_FREE(s);
	}
	free(all.v);
	return rc;
}

/* ---- load -------------------------------------------------------------------- */

struct place_cpu_times {
	uint64_t *busy, *total;   /* by CPU */
	int n;
};

static int place_read_stat(struct place_cpu_times *t)
{
	char line[512];
	FILE *f = path_fopen("/proc/stat");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[10] = { 0 };
		int cpu, got;

		if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)line[3]))
			continue;
		got = sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu",
			     &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		if (got < 5 || cpu < 0 || cpu >= t->n)
			continue;
		uint64_t idle = v[3] + v[4];  /* idle + iowait */
		uint64_t total = 0;

		for (int i = 0; i < 8; i++)
			total += v[i];
		t->total[cpu] = total;
		t->busy[cpu] = total - idle;
	}
	fclose(f);
	return 0;
}

static int place_max_cpu(const struct ns_topology *t)
{
	int max = -1;

	for (int i = 0; i < t->nnodes; i++) {
		struct place_cpus c = { 0 };

		c.max_cpu = -1;
		if (t->nodes[i].cpulist[0] && place_cpus_parse(t->nodes[i].cpulist, &c) == 0 &&
		    c.max_cpu > max)
			max = c.max_cpu;
		place_cpus_free(&c);
	}
	return max;
}

static void place_node_busy(const struct ns_topology *t,
			    const struct place_cpu_times *a,
			    const struct place_cpu_times *b,
			    double *busy, int nbusy)
{
	for (int i = 0; i < t->nnodes; i++) {
		const struct ns_node *nd = &t->nodes[i];
		struct place_cpus c = { 0 };
		uint64_t db = 0, dt = 0;

		if (nd->id >= nbusy)
			continue;
		busy[nd->id] = 0;
		c.max_cpu = -1;
		if (!nd->cpulist[0] || place_cpus_parse(nd->cpulist, &c) < 0) {
			place_cpus_free(&c);
			continue;
		}
		for (int cpu = 0; cpu <= c.max_cpu && cpu < a->n; cpu++) {
			if (!place_cpus_has(&c, cpu) || b->total[cpu] < a->total[cpu])
				continue;
			db += b->busy[cpu] - a->busy[cpu];
			dt += b->total[cpu] - a->total[cpu];
		}
		busy[nd->id] = dt ? (double)db / (double)dt : 0;
		place_cpus_free(&c);
	}
}

int place_sample_load(const struct ns_topology *t, double seconds,
		      double *busy, int nbusy)
{
	struct place_cpu_times a = { 0 }, b = { 0 };
	struct timespec ts = { (time_t)seconds,
			       (long)((seconds - (double)(time_t)seconds) * 1e9) };
	int n = place_max_cpu(t) + 1, rc = -ENOMEM;

	if (n <= 0)
		n = 1;
	a.n = b.n = n;
	a.busy = calloc((size_t)n, sizeof(uint64_t));
	a.total = calloc((size_t)n, sizeof(uint64_t));
	b.busy = calloc((size_t)n, sizeof(uint64_t));
	b.total = calloc((size_t)n, sizeof(uint64_t));
	if (!a.busy || !a.total || !b.busy || !b.total)
		goto out;
	rc = place_read_stat(&a);
	if (rc < 0)
		goto out;
	if (path_is_live())
		nanosleep(&ts, NULL);
	rc = place_read_stat(&b);
	if (rc < 0)
		goto out;
	place_node_busy(t, &a, &b, busy, nbusy);
out:
	free(a.busy);
	free(a.total);
	free(b.busy);
	free(b.total);
	return rc;
}

/* ---- --auto -------------------------------------------------------------------- */

#define PLACE_BUSY_HIGH 0.9
#define PLACE_BUSY_GAP  0.25

static void place_auto_fill(const struct ns_topology *t, const uint64_t *node_bytes,
			    int node_slots, const double *busy, int nbusy,
			    double reserve_pct, struct place_auto *a)
{
	for (int i = 0; i < t->nnodes; i++) {
		const struct ns_node *nd = &t->nodes[i];
		struct place_auto_node *c;
		uint64_t here, reserve;

		if (!nd->has_cpu || !nd->has_memory)
			continue;
		c = &a->cand[a->ncand++];
		here = nd->id < node_slots ? node_bytes[nd->id] : 0;
		reserve = (uint64_t)((double)nd->mem_total * reserve_pct / 100.0);
		c->node = nd->id;
		c->bytes = here;
		c->free = nd->mem_free;
		c->need = a->total - here;
		c->busy = nd->id < nbusy && busy ? busy[nd->id] : 0;
		c->room = nd->mem_free >= reserve && nd->mem_free - reserve >= c->need;
	}
}

static int place_auto_pick(const struct place_auto *a)
{
	int best = -1, calm = -1;

	for (int i = 0; i < a->ncand; i++) {
		const struct place_auto_node *c = &a->cand[i];

		if (!c->room)
			continue;
		if (best < 0 || c->bytes > a->cand[best].bytes ||
		    (c->bytes == a->cand[best].bytes && c->busy < a->cand[best].busy))
			best = i;
	}
	if (best < 0 || a->cand[best].busy < PLACE_BUSY_HIGH)
		return best;
	for (int i = 0; i < a->ncand; i++) {
		const struct place_auto_node *c = &a->cand[i];

		if (c->room && c->busy <= a->cand[best].busy - PLACE_BUSY_GAP &&
		    (calm < 0 || c->busy < a->cand[calm].busy))
			calm = i;
	}
	return calm >= 0 ? calm : best;
}

static void place_auto_explain(struct place_auto *a, int pick)
{
	const struct place_auto_node *c = &a->cand[pick];
	double share = a->total ? 100.0 * (double)c->bytes / (double)a->total : 0;
	bool most = true;

	for (int i = 0; i < a->ncand; i++)
		if (a->cand[i].bytes > c->bytes)
			most = false;
	snprintf(a->why, sizeof(a->why),
		 "node %d: %s (%.0f%% of %llu bytes), %llu bytes free for %llu to "
		 "move, CPUs %.0f%% busy%s", c->node,
		 most ? "holds most of the memory" : "less busy than the node "
		 "holding most of the memory", share, (unsigned long long)a->total,
		 (unsigned long long)c->free, (unsigned long long)c->need,
		 100.0 * c->busy, most ? "" : " (that node's CPUs are busy)");
}

int place_auto_choose(const struct ns_topology *t, const uint64_t *node_bytes,
		      int node_slots, const double *busy, int nbusy,
		      double reserve_pct, struct place_auto *out)
{
	int pick;

	memset(out, 0, sizeof(*out));
	out->node = -1;
	for (int n = 0; n < node_slots; n++)
		out->total += node_bytes[n];
	out->cand = calloc((size_t)(t->nnodes ? t->nnodes : 1), sizeof(*out->cand));
	if (!out->cand)
		return -ENOMEM;
	place_auto_fill(t, node_bytes, node_slots, busy, nbusy, reserve_pct, out);
	if (out->ncand == 0) {
		snprintf(out->why, sizeof(out->why), "no node has both CPUs and memory");
		return -ENODEV;
	}
	pick = place_auto_pick(out);
	if (pick < 0) {
		snprintf(out->why, sizeof(out->why), "no node has room for the "
			 "process's %llu bytes (keeping %.0f%% of each node free)",
			 (unsigned long long)out->total, reserve_pct);
		return -ENOSPC;
	}
	out->node = out->cand[pick].node;
	place_auto_explain(out, pick);
	return 0;
}

void place_auto_free(struct place_auto *a)
{
	free(a->cand);
	a->cand = NULL;
	a->ncand = 0;
}
