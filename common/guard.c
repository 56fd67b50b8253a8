/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guard.h"
#include "path.h"
#include "privs.h"
#include "strutil.h"
#include "sysinfo.h"

static int guard_add(struct guard_result *r, enum guard_level level, int code,
		     pid_t pid, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int guard_add(struct guard_result *r, enum guard_level level, int code,
		     pid_t pid, const char *fmt, ...)
{
	struct guard_msg *m;
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct guard_msg *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	m = &r->v[r->n++];
	m->level = level;
	m->exit_code = level == GUARD_REFUSE ? code : 0;
	m->pid = pid;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	if (level == GUARD_REFUSE && !r->refuse)
		r->refuse = code;
	return 0;
}

/* Target nodes of one process (or of the whole plan with pp NULL). */
static void guard_targets(const struct plan *p, const struct plan_proc *pp,
			  struct ns_nodeset *out)
{
	nodeset_zero(out);
	for (size_t k = 0; k < p->nprocs; k++) {
		if (pp && &p->procs[k] != pp)
			continue;
		for (size_t i = 0; i < p->procs[k].nruns; i++)
			nodeset_add(out, p->procs[k].runs[i].dst);
	}
}

static int guard_privs(const struct plan *p, const struct guard_opts *o,
		       struct guard_result *r)
{
	char why[256];

	for (size_t k = 0; k < p->nprocs; k++) {
		const struct plan_proc *pp = &p->procs[k];

		if (!pp->nruns)
			continue;
		if (privs_check(&pp->id, o->move_all ? PRIV_MOVE_ALL : PRIV_MOVE,
				why, sizeof(why)) == -EPERM &&
		    guard_add(r, GUARD_REFUSE, 4, pp->id.pid, "%s", why) < 0)
			return -ENOMEM;
		if (o->discard && privs_check(&pp->id, PRIV_DISCARD, why, sizeof(why)) == -EPERM &&
		    guard_add(r, GUARD_REFUSE, 4, pp->id.pid, "%s (--discard-lazyfree)", why) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int guard_cpuset(const struct plan *p, struct guard_result *r)
{
	for (size_t k = 0; k < p->nprocs; k++) {
		const struct plan_proc *pp = &p->procs[k];
		struct ns_nodeset tgt, allowed;
		char list[256];
		int n;

		guard_targets(p, pp, &tgt);
		if (nodeset_empty(&tgt) || privs_mems_allowed(pp->id.pid, &allowed) < 0)
			continue;
		nodeset_format(&allowed, list, sizeof(list));
		nodeset_foreach(n, &tgt)
			if (!nodeset_has(&allowed, n) &&
			    guard_add(r, GUARD_REFUSE, 5, pp->id.pid,
				      "node %d is not in the cpuset of pid %d (%s): its Mems_allowed is %s",
				      n, (int)pp->id.pid, pp->id.comm, list) < 0)
				return -ENOMEM;
	}
	return 0;
}

static uint64_t guard_min_free(const struct guard_opts *o, const struct ns_node *nd)
{
	if (o->min_free_is_bytes)
		return o->min_free_bytes;
	return (uint64_t)((double)nd->mem_total * o->min_free_pct / 100.0);
}

static int guard_memory(const struct plan *p, const struct ns_topology *t,
			const struct guard_opts *o, struct guard_result *r)
{
	struct ns_nodeset tgt;
	int n;

	guard_targets(p, NULL, &tgt);
	nodeset_foreach(n, &tgt) {
		const struct ns_node *nd = topo_node(t, n);
		uint64_t all = plan_bytes_to(p, NULL, n, PLAN_BASE, true);
		uint64_t huge = plan_bytes_to(p, NULL, n, PLAN_HUGETLB, false);
		uint64_t thp = plan_bytes_to(p, NULL, n, PLAN_THP, false);
		uint64_t need = all - huge, minf;
		char a[32], b[32], c[32];

		if (!nd) {
			if (guard_add(r, GUARD_REFUSE, 5, 0, "node %d is not online", n) < 0)
				return -ENOMEM;
			continue;
		}
		minf = guard_min_free(o, nd);
		if (need && nd->mem_free < need + minf &&
		    guard_add(r, o->force ? GUARD_WARN : GUARD_REFUSE, 5, 0,
			      "node %d has %s free; moving %s there would leave less than the minimum %s (--min-free)%s",
			      n, str_human_size(nd->mem_free, a, sizeof(a)),
			      str_human_size(need, b, sizeof(b)),
			      str_human_size(minf, c, sizeof(c)),
			      o->force ? "; going on (--force)" : "") < 0)
			return -ENOMEM;
		if (thp && t->thp_size && thp / t->thp_size > nd->thp_blocks_free &&
		    guard_add(r, GUARD_WARN, 0, 0,
			      "node %d has %" PRIu64 " free huge-page-sized blocks for %" PRIu64
			      " THPs: some THPs will be split", n, nd->thp_blocks_free,
			      thp / t->thp_size) < 0)
			return -ENOMEM;
		/* a hugetlb page moves into the target's free pool, or into a
		 * fresh huge page the kernel allocates there (not for gigantic
		 * pages): room is the pool plus free huge-page-sized blocks */
		if (huge && t->thp_size &&
		    huge > nd->hugepages_free + nd->thp_blocks_free * t->thp_size &&
		    guard_add(r, GUARD_WARN, 0, 0,
			      "node %d has room for %s of %s of hugetlb pages (pool %s free, "
			      "%" PRIu64 " free huge-page-sized blocks): the rest will not move",
			      n, str_human_size(nd->hugepages_free + nd->thp_blocks_free * t->thp_size,
						a, sizeof(a)),
			      str_human_size(huge, b, sizeof(b)),
			      str_human_size(nd->hugepages_free, c, sizeof(c)),
			      nd->thp_blocks_free) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Cpus_allowed_list of a process, as a set (CPUs up to NS_MAX_NODES-1). */
static int guard_affinity(pid_t pid, struct ns_nodeset *out)
{
	char line[4096];
	FILE *f = path_fopen("/proc/%d/status", (int)pid);
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
			line[strcspn(line, "\n")] = '\0';
			rc = nodeset_parse_list(line + 18 + strspn(line + 18, " \t"), out);
			break;
		}
	fclose(f);
	return rc;
}

static int guard_warnings(const struct plan *p, const struct ns_topology *t,
			  const struct guard_opts *o,
			  struct guard_result *r)
{
	if (sys_numa_balancing() &&
	    guard_add(r, GUARD_WARN, 0, 0,
		      "NUMA balancing is enabled (kernel.numa_balancing): it may move pages back") < 0)
		return -ENOMEM;
	for (size_t k = 0; k < p->nprocs; k++) {
		const struct plan_proc *pp = &p->procs[k];
		struct ns_nodeset tgt, aff, cpus;
		bool has_cpu = false, near = false;
		int n;

		if (!pp->nruns)
			continue;
		if (pp->policy_warn[0] &&
		    guard_add(r, GUARD_WARN, 0, pp->id.pid,
			      "pid %d: %s: new pages will keep going there",
			      (int)pp->id.pid, pp->policy_warn) < 0)
			return -ENOMEM;
		if (o->affinity_set)
			continue;
		guard_targets(p, pp, &tgt);
		if (guard_affinity(pp->id.pid, &aff) < 0)
			continue;
		nodeset_foreach(n, &tgt) {
			const struct ns_node *nd = topo_node(t, n);

			if (!nd || !nd->has_cpu || nodeset_parse_list(nd->cpulist, &cpus) < 0)
				continue;
			has_cpu = true;
			if (nodeset_intersects(&cpus, &aff))
				near = true;
		}
		if (has_cpu && !near &&
		    guard_add(r, GUARD_WARN, 0, pp->id.pid,
			      "pid %d runs on no CPU of the target nodes: new memory will keep landing on its current nodes",
			      (int)pp->id.pid) < 0)
			return -ENOMEM;
	}
	return 0;
}

int guard_check(const struct plan *p, const struct ns_topology *t,
		const struct guard_opts *o, struct guard_result *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (o->check_privs && (rc = guard_privs(p, o, r)) < 0)
		return rc;
	if (o->check_cpuset && (rc = guard_cpuset(p, r)) < 0)
		return rc;
	if ((rc = guard_memory(p, t, o, r)) < 0)
		return rc;
	return guard_warnings(p, t, o, r);
}

void guard_free(struct guard_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
