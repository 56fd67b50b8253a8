/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place_target: mplace's nodes and CPUs, resolved (see place_target.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "place_target.h"

int place_target_nodes(struct place_target *t, const struct place_opts *o,
		       const struct ns_topology *topo, const struct ns_nodeset *allowed,
		       char *err, size_t errlen)
{
	char why[256];
	int n;

	memset(t, 0, sizeof(*t));
	if (o->nodes_arg &&
	    nodeset_parse_user(o->nodes_arg, &topo->with_memory, allowed, &t->nodes,
			       why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", o->mem_opt, why);
		return -EINVAL;
	}
	if (o->mem_opt && strcmp(o->mem_opt, "--preferred") == 0 && nodeset_count(&t->nodes) != 1) {
		snprintf(err, errlen, "--preferred takes one node, as in numactl: for several "
			 "write --preferred-many");
		return -EINVAL;
	}
	if (!o->cpu_nodes_arg)
		return 0;
	if (nodeset_parse_user(o->cpu_nodes_arg, &topo->online, allowed, &t->cpu_nodes,
			       why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", o->cpu_opt, why);
		return -EINVAL;
	}
	nodeset_foreach(n, &t->cpu_nodes)
		if (!nodeset_has(&topo->with_cpu, n)) {
			snprintf(err, errlen, "%s: node %d has no CPUs", o->cpu_opt, n);
			return -EINVAL;
		}
	return 0;
}

/* --cpus: numactl's CPU list. */
static int cpus_from_list(struct place_target *t, const struct place_opts *o, bool launch,
			  char *err, size_t errlen)
{
	struct place_cpus online = { 0 }, allowed = { 0 };
	char why[256];
	int rc = place_cpus_online(&online);

	if (rc == 0)
		rc = launch ? place_cpus_self(&allowed) : place_cpus_online(&allowed);
	if (rc < 0) {
		place_cpus_free(&online);
		snprintf(err, errlen, "cannot read the CPUs of this machine: %s", strerror(-rc));
		return rc == -EINVAL ? -EIO : rc;
	}
	rc = place_cpus_parse_user(o->cpus_arg, &online, &allowed, &t->cpus, why, sizeof(why));
	place_cpus_free(&online);
	place_cpus_free(&allowed);
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", o->cpu_opt, why);
		return -EINVAL;
	}
	place_cpus_format(&t->cpus, t->cpus_str, sizeof(t->cpus_str));
	snprintf(t->cpus_desc, sizeof(t->cpus_desc), "%s", t->cpus_str);
	return 0;
}

int place_target_cpus(struct place_target *t, const struct place_opts *o,
		      const struct ns_topology *topo, bool launch,
		      char *err, size_t errlen)
{
	const struct ns_nodeset *src = o->cpu_nodes_arg ? &t->cpu_nodes : &t->nodes;
	int rc;

	nodeset_format(&t->nodes, t->nodes_str, sizeof(t->nodes_str));
	if (o->cpus_arg)
		return cpus_from_list(t, o, launch, err, errlen);
	/* numactl's memory options set the memory only, as in numactl; so does
	 * a launch with --policy local alone */
	if (launch && !o->cpu_nodes_arg && !place_opts_by_nodes(o)) {
		t->keep_cpus = true;
		snprintf(t->cpus_desc, sizeof(t->cpus_desc), "unchanged");
		return 0;
	}
	rc = place_cpus_of_nodes(topo, src, &t->cpus);
	if (rc == -ENODEV) {
		snprintf(err, errlen, "nodes %s have no CPUs (memory-only): give --cpu-nodes "
			 "NODES to say where the threads run", t->nodes_str);
		return -EINVAL;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the CPUs of nodes %s: %s", t->nodes_str,
			 strerror(-rc));
		return rc == -EINVAL ? -EIO : rc;
	}
	place_cpus_format(&t->cpus, t->cpus_str, sizeof(t->cpus_str));
	nodeset_format(src, t->cpu_nodes_str, sizeof(t->cpu_nodes_str));
	snprintf(t->cpus_desc, sizeof(t->cpus_desc), "%s (nodes %s)", t->cpus_str,
		 t->cpu_nodes_str);
	return 0;
}

void place_target_free(struct place_target *t)
{
	place_cpus_free(&t->cpus);
}
