/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exitcode.h"
#include "outcome.h"
#include "pagemap.h"
#include "scan.h"
#include "scan_pass.h"
#include "select.h"

static void say(const struct scan_pass *p, bool error, const char *msg)
{
	if (error)
		p->o->h.err("%s", msg);
	else
		p->o->h.warn("%s", msg);
}

/* ---- tables -------------------------------------------------------------- */

/* A table with its columns: -o/-O when use_o, else its defaults. */
static int new_table(const struct scan_pass_opts *o, struct out_table **out,
		     const struct col_desc *cols, int ncols, const char *defaults,
		     bool use_o, char *err, size_t len)
{
	struct out_table *t = out_table_new(cols, ncols, o->shown);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	if (use_o && o->all_columns)
		out_table_all_columns(t);
	else
		rc = out_table_columns(t, use_o ? o->columns : NULL, defaults, err, len);
	if (rc < 0) {
		out_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static int node_table(struct scan_pass *p, char *err, size_t len)
{
	const struct ns_topology *topo = p->o->topo;
	int rc = new_table(p->o, &p->r.nodes, report_node_cols, report_node_ncols,
			   REPORT_NODE_DEFAULT, !p->o->sel, err, len);

	if (rc < 0)
		return rc;
	for (int i = 0; i < topo->nnodes; i++)
		report_node_row(p->r.nodes, topo, &topo->nodes[i]);
	return 0;
}

static int proc_tables(struct scan_pass *p, char *err, size_t len)
{
	const struct scan_pass_opts *o = p->o;
	int rc = new_table(o, &p->r.procs, report_proc_cols, report_proc_ncols,
			   o->longfmt ? REPORT_PROC_LONG : REPORT_PROC_DEFAULT,
			   o->view == SCAN_VIEW_SUMMARY, err, len);

	if (rc < 0)
		return rc;
	p->need_cgroup = out_column_selected(p->r.procs, "CGROUP");
	for (int k = 0; o->by && k < o->nby; k++)
		if (strcmp(o->by[k], "CGROUP") == 0)
			p->need_cgroup = true;
	p->r.runs = o->view == SCAN_VIEW_PAGES;
	if (o->view == SCAN_VIEW_MAPPINGS)
		return new_table(o, &p->r.detail, report_map_cols, report_map_ncols,
				 REPORT_MAP_DEFAULT, true, err, len);
	if (o->view == SCAN_VIEW_PAGES)
		return new_table(o, &p->r.detail, report_run_cols, report_run_ncols,
				 REPORT_RUN_DEFAULT, true, err, len);
	return 0;
}

int scan_pass_begin(struct scan_pass *p, const struct scan_pass_opts *o,
		    char *err, size_t len)
{
	bool kpf_said = p->kpf_said;
	int rc = 0;

	*p = (struct scan_pass){ .o = o, .code = -1, .kpf_said = kpf_said };
	p->r.errors = json_array();
	if (o->topology)
		rc = node_table(p, err, len);
	if (rc == 0 && o->sel)
		rc = proc_tables(p, err, len);
	if (rc < 0)
		scan_pass_free(p);
	return rc;
}

/* With several processes, the detail tables say whose rows they are. */
static void add_pid_column(struct scan_pass *p)
{
	const char *defaults = p->o->view == SCAN_VIEW_PAGES ? REPORT_RUN_DEFAULT
							      : REPORT_MAP_DEFAULT;
	char list[256];

	if (!p->r.detail || p->nprocs < 2 || p->o->columns)
		return;
	snprintf(list, sizeof(list), "PID,%s", defaults);
	out_table_columns(p->r.detail, list, NULL, NULL, 0);
}

/* ---- the processes ------------------------------------------------------- */

/* Account for a process that could not be read and say why. */
static void proc_failed(struct scan_pass *p, const struct proc_id *id, int rc,
			const char *what)
{
	const char *kind;
	char msg[256];
	int code;

	if (p->o->h.read_done)
		p->o->h.read_done(rc);
	if (run_left_out(&p->o->h, p->o->sel, id, rc)) {
		p->left_out++;
		return;
	}
	code = outcome_scan_error(id, rc, what, &kind, msg, sizeof(msg));
	/* gone among several is a warning; alone it is the whole outcome (a
	 * PID named with -p that never was there is an error) */
	say(p, id->missing || strcmp(kind, "gone") != 0 || p->nprocs <= 1, msg);
	json_array_append_new(p->r.errors, outcome_error_json(id, kind, msg, code));
	p->code = ns_exit_combine(p->code, code);
}

static void scan_summary(struct scan_pass *p, const struct proc_id *id, unsigned what)
{
	const struct scan_pass_opts *o = p->o;
	struct scan_proc s;
	int rc = scan_process(id, what, &s, o->h.maps_warn, o->h.ud);

	if (rc < 0) {
		proc_failed(p, id, rc, (what & SCAN_ROLLUP) ? "numa_maps/smaps_rollup" : "numa_maps");
		return;
	}
	report_proc_row(p->r.procs, o->shown, &s, p->need_cgroup);
	if (o->view == SCAN_VIEW_MAPPINGS)
		for (size_t i = 0; i < s.maps.n; i++)
			report_map_row(p->r.detail, o->shown, s.id.pid, &s.maps.v[i]);
	p->code = ns_exit_combine(p->code, NS_EXIT_OK);
	scan_free(&s);
}

/* Once a run: what --pages cannot show without kpageflags. */
static void kpf_say(struct scan_pass *p, const struct pm_reader *r)
{
	if (pm_has_kpf(r) || p->kpf_said)
		return;
	if (pm_has_thp(r))
		say(p, false, "lazyfree and zero-page detail of pages needs CAP_SYS_ADMIN "
		    "(PFNs and /proc/kpageflags); not shown (THPs are, from PAGEMAP_SCAN)");
	else
		say(p, false, "THP and lazyfree detail of pages needs CAP_SYS_ADMIN "
		    "(PFNs and /proc/kpageflags); not shown");
	p->kpf_said = true;
}

static void scan_pages(struct scan_pass *p, const struct proc_id *id)
{
	const struct scan_pass_opts *o = p->o;
	struct report_runs c = { .t = p->r.detail, .pid = id->pid,
				 .page_size = o->topo->page_size, .stop = o->stop };
	struct scan_proc s;
	struct pm_reader *r = NULL;
	int rc = scan_process(id, SCAN_MAPS, &s, o->h.maps_warn, o->h.ud);

	if (rc < 0) {
		proc_failed(p, id, rc, "maps");
		return;
	}
	rc = pm_open(&r, id->pid, PM_WANT_NODE | PM_WANT_KPF);
	if (rc < 0) {
		proc_failed(p, id, rc, "pagemap");
		scan_free(&s);
		return;
	}
	kpf_say(p, r);
	c.node_slots = NS_MAX_NODES;
	c.node_bytes = calloc(NS_MAX_NODES, sizeof(uint64_t));
	rc = c.node_bytes ? report_runs_walk(r, &c, &s.maps) : -ENOMEM;
	pm_close(r);
	if (rc < 0 && rc != -EINTR) {
		proc_failed(p, id, rc, "pagemap");
	} else {
		report_runs_proc_row(p->r.procs, o->shown, &s.id, &c, p->need_cgroup);
		p->code = ns_exit_combine(p->code, NS_EXIT_OK);
	}
	free(c.node_bytes);
	scan_free(&s);
}

void scan_pass_read(struct scan_pass *p, const struct proc_list *l)
{
	const struct scan_pass_opts *o = p->o;
	unsigned what = o->view == SCAN_VIEW_MAPPINGS
		? report_map_needs(p->r.detail, o->table)
		: report_proc_needs(p->r.procs, o->table, o->longfmt);

	p->nprocs = l->n;
	add_pid_column(p);
	for (size_t i = 0; i < l->n && !(o->stop && *o->stop); i++) {
		if (l->v[i].missing)
			proc_failed(p, &l->v[i], -ESRCH, "");
		else if (o->view == SCAN_VIEW_PAGES)
			scan_pages(p, &l->v[i]);
		else
			scan_summary(p, &l->v[i], what);
	}
}

/* ---- the end ------------------------------------------------------------- */

int scan_pass_code(const struct scan_pass *p, char *msg, size_t len)
{
	if (len)
		msg[0] = '\0';
	if (p->code >= 0)
		return p->code;
	if (!p->left_out)
		return NS_EXIT_OK;
	snprintf(msg, len, "every selected process exited before it was read");
	return NS_EXIT_FAIL;
}

void scan_pass_not_read(const struct scan_pass *p, char *msg, size_t len)
{
	size_t failed = json_array_size(p->r.errors);
	size_t read = p->r.procs ? out_nrows(p->r.procs) : 0;

	snprintf(msg, len, "%zu of %zu processes not read", failed, failed + read);
}

void scan_pass_free(struct scan_pass *p)
{
	out_table_free(p->r.procs);
	out_table_free(p->r.detail);
	out_table_free(p->r.nodes);
	json_decref(p->r.errors);
	p->r = (struct report_scan){ 0 };
}
