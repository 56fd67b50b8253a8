/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* report: a placement (mplace), its JSON documents and its lines. */
#include <stdio.h>
#include "exitcode.h"
#include "report.h"
#include "strutil.h"

static json_t *weights_json(const struct report_place *p)
{
	json_t *o = json_object();
	int n;

	nodeset_foreach(n, p->weighted) {
		char key[16];

		snprintf(key, sizeof(key), "%d", n);
		json_object_set_new(o, key, json_integer(p->weights[n]));
	}
	return o;
}

json_t *report_launch_json(const struct report_place *p)
{
	json_t *cmd = json_array(), *doc;

	for (char *const *a = p->cmd; *a; a++)
		json_array_append_new(cmd, json_string(*a));
	doc = json_pack("{s:i,s:s,s:s,s:s,s:b,s:o,s:s,s:s,s:s,s:s,s:b}",
		"schema_version", REPORT_PLACE_SCHEMA, "tool", "mplace",
		"version", NS_VERSION,
		"mode", "launch", "dry_run", p->dry_run, "command", cmd,
		"nodes", p->nodes, "cpu_nodes", p->cpu_nodes,
		"cpus", p->cpus, "policy", p->policy,
		"balancing", p->balancing);
	json_object_set_new(doc, "weights", p->weighted ? weights_json(p) : json_null());
	return doc;
}

void report_launch_lines(FILE *f, const struct report_place *p)
{
	int n;

	fprintf(f, "command:   %s", p->cmd[0]);
	for (char *const *a = p->cmd + 1; *a; a++)
		fprintf(f, " %s", *a);
	fprintf(f, "\ncpus:      %s\n", p->cpus_desc);
	fprintf(f, "policy:    %s%s%s%s\n", p->policy, p->nodes[0] ? " nodes " : "",
		p->nodes, p->balancing ? " with NUMA balancing" : "");
	if (p->weighted) {
		fprintf(f, "weights:  ");
		nodeset_foreach(n, p->weighted)
			fprintf(f, " %d:%d", n, p->weights[n]);
		fprintf(f, "  (/sys/kernel/mm/mempolicy/weighted_interleave)\n");
	}
}

static const struct plan_proc *place_proc(const struct report_place *p)
{
	return p->plan.nprocs ? &p->plan.procs[0] : NULL;
}

json_t *report_place_json(const struct report_place *p)
{
	json_t *doc = json_pack("{s:i,s:s,s:s,s:s,s:b,s:i,s:s,s:s,s:s,s:s,s:s,s:i}",
		"schema_version", REPORT_PLACE_SCHEMA, "tool", "mplace",
		"version", NS_VERSION,
		"mode", "running", "dry_run", p->dry_run, "pid", (int)p->id.pid,
		"comm", p->id.comm, "nodes", p->nodes, "cpu_nodes", p->cpu_nodes,
		"cpus", p->cpus, "status", ns_exit_name(p->code), "exit_code", p->code);

	json_object_set_new(doc, "guard", report_guard_json(&p->guard));
	json_object_set_new(doc, "planned_bytes",
			    json_integer((json_int_t)plan_total_bytes(&p->plan, place_proc(p))));
	json_object_set_new(doc, "auto", p->have_auto ? report_auto_json(&p->au) : json_null());
	json_object_set_new(doc, "affinity", p->aff_done ? report_affinity_json(&p->aff) : json_null());
	json_object_set_new(doc, "affinity_second_pass",
			    p->aff_done ? report_affinity_json(&p->aff_again) : json_null());
	json_object_set_new(doc, "move", p->moved ?
			    report_move_json(&p->plan, place_proc(p), &p->mv) : json_null());
	json_object_set_new(doc, "error", p->error[0] ? json_string(p->error) : json_null());
	return doc;
}

void report_place_line(FILE *f, const struct report_place *p)
{
	char a[32], cb[256];
	const char *comm = str_escape(p->id.comm, cb, sizeof(cb));

	if (p->dry_run) {
		fprintf(f, "pid %d (%s): would set CPUs %s for every thread and "
			"move %s to nodes %s\n", (int)p->id.pid, comm, p->cpus_desc,
			str_human_size(plan_total_bytes(&p->plan, place_proc(p)), a, sizeof(a)),
			p->nodes);
		return;
	}
	/* the second pass sets every thread again (new ones included) */
	fprintf(f, "pid %d (%s): CPUs %s set for %u thread%s", (int)p->id.pid,
		comm, p->cpus_desc, p->aff.threads, p->aff.threads == 1 ? "" : "s");
	if (p->aff_again.passes)
		fprintf(f, ", again for %u after the move", p->aff_again.threads);
	fprintf(f, "\n");
}
