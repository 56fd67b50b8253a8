/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mscan: where a process's memory is, per NUMA node.
 *
 * One row model (common/output.h) per view: processes (default), mappings
 * (-m), page runs (--pages) and nodes (--topology), each rendered as a
 * table, JSON (-J) or Prometheus text (--prom).  Only the /proc files the
 * view needs are read, each once: the summary reads numa_maps alone.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "maps.h"
#include "nodes.h"
#include "outcome.h"
#include "output.h"
#include "pagemap.h"
#include "path.h"
#include "privs.h"
#include "report.h"
#include "scan.h"
#include "strutil.h"

enum mscan_view { VIEW_SUMMARY, VIEW_MAPPINGS, VIEW_PAGES };

struct mscan {
	struct cli_sel sel;
	enum mscan_view view;
	bool topology;
	bool longfmt;
	bool json, prom;
	/* --prom-by: the process rows summed by these columns (prom_grouped;
	 * none: by node alone), or one series set per process */
	bool prom_grouped;
	const char *prom_by[2];
	int nprom_by;
	bool need_cgroup;           /* the CGROUP column is shown or grouped by */
	unsigned out_flags;         /* OUT_BYTES, OUT_NOHEADINGS, OUT_RAW */
	const char *columns;        /* -o */
	bool all_columns;           /* -O */
	struct cli_run run;         /* --sysroot, -q, -V */
	double watch;               /* seconds between scans, 0: once */
	bool kpf_warned;
	bool select_failed;         /* the last pass found no process to read */

	struct ns_topology topo;
	struct ns_nodeset shown;    /* nodes that get a column */
};

/* ---- help ---------------------------------------------------------------- */

_Noreturn static void usage(void)
{
	printf("Usage: %s [options] -p PID[,PID...] | -n NAME | -u USER | --cgroup PATH | -A\n"
	       "       %s --topology\n\n"
	       "Show where the memory of processes is, per NUMA node.\n\n"
	       "Selection:\n"
	       "  -p, --pid PID[,PID...]  these processes\n"
	       "  -n, --name NAME         processes whose command name is NAME\n"
	       "  -u, --user USER         processes of USER (name or uid)\n"
	       "      --cgroup PATH       processes in cgroup v2 directory PATH and below\n"
	       "  -A, --all               every user process (never kernel threads)\n\n"
	       "Views:\n"
	       "  (default)               one line per process\n"
	       "  -l, --long              add THP, LAZYFREE and SWAP (from smaps_rollup)\n"
	       "  -m, --mappings          one line per mapping\n"
	       "      --pages             runs of pages from pagemap\n"
	       "      --topology          the machine's nodes\n\n"
	       "      --prom              Prometheus text format\n"
	       "      --prom-by BY        Prometheus series per process (pid, the default), or\n"
	       "                          summed per node and comm, cgroup or comm,cgroup, or\n"
	       "                          per node alone (node); implies --prom\n"
	       "      --watch SECS        scan again every SECS seconds until interrupted\n"
	       "  -q, --quiet             no warnings\n"
	       "      --sysroot DIR       read /proc and /sys under DIR (a captured tree)\n"
	       "  -h, --help              this help\n"
	       "  -V, --version           version\n",
	       cli_prog, cli_prog);
	cli_out_help();
	printf("\nProcess columns (default %s):\n", REPORT_PROC_DEFAULT);
	out_print_columns_help(report_proc_cols, report_proc_ncols, stdout);
	printf("\nMapping columns (-m; default %s):\n", REPORT_MAP_DEFAULT);
	out_print_columns_help(report_map_cols, report_map_ncols, stdout);
	printf("\nPage run columns (--pages; default %s):\n", REPORT_RUN_DEFAULT);
	out_print_columns_help(report_run_cols, report_run_ncols, stdout);
	printf("\nNode columns (--topology; default %s):\n", REPORT_NODE_DEFAULT);
	out_print_columns_help(report_node_cols, report_node_ncols, stdout);
	printf("\nExit status: 0 ok, 1 no such process or nothing read, 2 usage, "
	       "3 some processes read and some not,\n4 permission denied, 130/143 "
	       "interrupted.  Environment: NUMASHIFT_SYSROOT as --sysroot.\n");
	cli_exit(0);
}

/* ---- options ------------------------------------------------------------- */

enum {
	OPT_PAGES = 256, OPT_TOPOLOGY, OPT_PROM, OPT_PROM_BY, OPT_WATCH,
};

static const struct option long_opts[] = {
	CLI_SEL_LONG_OPTIONS,
	{ "long",       no_argument,       NULL, 'l' },
	{ "mappings",   no_argument,       NULL, 'm' },
	{ "pages",      no_argument,       NULL, OPT_PAGES },
	{ "topology",   no_argument,       NULL, OPT_TOPOLOGY },
	CLI_OUT_LONG_OPTIONS,
	{ "prom",       no_argument,       NULL, OPT_PROM },
	{ "prom-by",    required_argument, NULL, OPT_PROM_BY },
	{ "watch",      required_argument, NULL, OPT_WATCH },
	CLI_STD_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void set_view(struct mscan *m, enum mscan_view v)
{
	if (m->view != VIEW_SUMMARY && m->view != v)
		cli_usage_error("-m/--mappings and --pages cannot be combined");
	m->view = v;
}

/* -H: the columns of the view asked for. */
static _Noreturn void list_columns(const struct mscan *m)
{
	const struct col_desc *sets[] = { m->topology ? report_node_cols : report_proc_cols,
					  report_map_cols, report_run_cols };
	const int n[] = { m->topology ? report_node_ncols : report_proc_ncols,
			  report_map_ncols, report_run_ncols };
	int k = m->view == VIEW_MAPPINGS ? 1 : m->view == VIEW_PAGES ? 2 : 0;

	cli_out_list_columns(&sets[k], &n[k], NULL, 1);
}

/* --prom-by: the per-process form, or what the sums are labelled with */
static void parse_prom_by(struct mscan *m, const char *arg)
{
	static const struct {
		const char *arg;
		const char *by[2];
		int nby;
	} forms[] = {
		{ "node",        { NULL },               0 },
		{ "comm",        { "COMM" },             1 },
		{ "cgroup",      { "CGROUP" },           1 },
		{ "comm,cgroup", { "COMM", "CGROUP" },   2 },
		{ "cgroup,comm", { "CGROUP", "COMM" },   2 },
	};

	m->prom = true;
	m->prom_grouped = false;
	if (strcmp(arg, "pid") == 0)
		return;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (strcmp(arg, forms[i].arg) != 0)
			continue;
		m->prom_grouped = true;
		m->nprom_by = forms[i].nby;
		m->prom_by[0] = forms[i].by[0];
		m->prom_by[1] = forms[i].by[1];
		return;
	}
	cli_usage_error("invalid --prom-by '%s': expected pid, node, comm, cgroup "
			"or comm,cgroup", arg);
}

static void parse_options(struct mscan *m, int argc, char **argv)
{
	struct cli_out out = { 0 };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" CLI_SEL_SHORT "lmqh" CLI_OUT_SHORT "V", long_opts, NULL)) != -1) {
		if (cli_sel_option(&m->sel, c, optarg) || cli_out_option(&out, c, optarg) ||
		    cli_run_option(&m->run, c, optarg))
			continue;
		switch (c) {
		case 'l': m->longfmt = true; break;
		case 'm': set_view(m, VIEW_MAPPINGS); break;
		case OPT_PAGES: set_view(m, VIEW_PAGES); break;
		case OPT_TOPOLOGY: m->topology = true; break;
		case OPT_PROM: m->prom = true; break;
		case OPT_PROM_BY: parse_prom_by(m, optarg); break;
		case OPT_WATCH:
			if (str_to_seconds(optarg, &m->watch) < 0 || !(m->watch > 0))
				cli_usage_error("invalid --watch interval '%s': expected "
						"seconds > 0", optarg);
			break;
		case 'h': usage();
		default:
			cli_getopt_error(argc, argv, c);
		}
	}
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	m->json = out.json;
	m->columns = out.columns;
	m->all_columns = out.all;
	m->out_flags = out.flags;
	if (out.list)
		list_columns(m);
	if (m->json && m->prom)
		cli_usage_error("-J/--json and --prom cannot be combined");
	if (m->prom_grouped && m->view != VIEW_SUMMARY)
		cli_usage_error("--prom-by sums the process summary: not with -m/--mappings "
				"or --pages");
	if (!m->sel.any && !m->topology)
		cli_usage_error("no process selected: use -p PID, -n NAME, -u USER, "
				"--cgroup PATH or -A (or --topology)");
}

/* ---- tables -------------------------------------------------------------- */

/* A table with its columns chosen by -o (errors are usage errors). */
static struct out_table *new_table(const struct mscan *m, const struct col_desc *cols,
				   int ncols, const char *defaults, bool use_o)
{
	struct out_table *t = out_table_new(cols, ncols, &m->shown);
	char err[160];

	if (!t) {
		cli_err("out of memory");
		cli_exit(NS_EXIT_FAIL);
	}
	if (use_o && m->all_columns)
		out_table_all_columns(t);
	else if (out_table_columns(t, use_o ? m->columns : NULL, defaults, err, sizeof(err)) < 0) {
		out_table_free(t);
		cli_usage_error("%s", err);
	}
	return t;
}

static bool table_text(const struct mscan *m)
{
	return !m->json && !m->prom;
}

/* ---- one pass ------------------------------------------------------------ */

/* Everything one pass produces, rendered at its end. */
struct mscan_pass {
	struct report_scan r;         /* the tables and the processes not read */
	size_t nprocs;                /* processes selected */
	const struct cli_sel *sel;    /* how they were selected */
	size_t left_out;              /* found by a filter, gone before read */
	int code;                     /* combined exit code of the processes */
};

static void pass_error(struct mscan_pass *p, const struct proc_id *id, int code,
		       const char *kind, const char *msg)
{
	json_array_append_new(p->r.errors, outcome_error_json(id, kind, msg, code));
	p->code = ns_exit_combine(p->code, code);
}

/* Report a process that could not be read and fold its exit code in. */
static void proc_failed(struct mscan_pass *p, const struct proc_id *id, int rc,
			const char *what)
{
	const char *kind;
	char msg[256];
	int code;

	cli_check_tree(rc);
	if (cli_sel_left_out(p->sel, id, rc)) {
		p->left_out++;
		return;
	}
	code = outcome_scan_error(id, rc, what, &kind, msg, sizeof(msg));
	/* gone among several is a warning; alone it is the whole outcome (a
	 * PID named with -p that never was there is an error) */
	if (!id->missing && strcmp(kind, "gone") == 0 && p->nprocs > 1)
		cli_warn("%s", msg);
	else
		cli_err("%s", msg);
	pass_error(p, id, code, kind, msg);
}

static void scan_summary(const struct mscan *m, struct mscan_pass *p,
			 const struct proc_id *id, unsigned what)
{
	struct scan_proc s;
	int rc = scan_process(id, what, &s, cli_maps_warn, NULL);

	if (rc < 0) {
		proc_failed(p, id, rc, (what & SCAN_ROLLUP) ? "numa_maps/smaps_rollup" : "numa_maps");
		return;
	}
	report_proc_row(p->r.procs, &m->shown, &s, m->need_cgroup);
	if (m->view == VIEW_MAPPINGS)
		for (size_t i = 0; i < s.maps.n; i++)
			report_map_row(p->r.detail, &m->shown, s.id.pid, &s.maps.v[i]);
	p->code = ns_exit_combine(p->code, NS_EXIT_OK);
	scan_free(&s);
}

static void scan_pages(struct mscan *m, struct mscan_pass *p, const struct proc_id *id)
{
	struct report_runs c = { .t = p->r.detail, .pid = id->pid, .page_size = m->topo.page_size,
				 .stop = &cli_signal };
	struct scan_proc s;
	struct pm_reader *r = NULL;
	int rc = scan_process(id, SCAN_MAPS, &s, cli_maps_warn, NULL);

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
	if (!pm_has_kpf(r) && !m->kpf_warned) {
		if (pm_has_thp(r))
			cli_warn("lazyfree and zero-page detail of pages needs CAP_SYS_ADMIN "
				 "(PFNs and /proc/kpageflags); not shown (THPs are, from PAGEMAP_SCAN)");
		else
			cli_warn("THP and lazyfree detail of pages needs CAP_SYS_ADMIN "
				 "(PFNs and /proc/kpageflags); not shown");
		m->kpf_warned = true;
	}
	c.node_slots = NS_MAX_NODES;
	c.node_bytes = calloc(NS_MAX_NODES, sizeof(uint64_t));
	rc = c.node_bytes ? report_runs_walk(r, &c, &s.maps) : -ENOMEM;
	pm_close(r);
	if (rc < 0 && rc != -EINTR) {
		proc_failed(p, id, rc, "pagemap");
	} else {
		report_runs_proc_row(p->r.procs, &m->shown, &s.id, &c,
				     m->need_cgroup);
		p->code = ns_exit_combine(p->code, NS_EXIT_OK);
	}
	free(c.node_bytes);
	scan_free(&s);
}

static void scan_all(struct mscan *m, struct mscan_pass *p, const struct proc_list *l)
{
	unsigned what = m->view == VIEW_MAPPINGS ? report_map_needs(p->r.detail, table_text(m))
						  : report_proc_needs(p->r.procs, table_text(m), m->longfmt);

	for (size_t i = 0; i < l->n && !cli_signal; i++) {
		if (l->v[i].missing)
			proc_failed(p, &l->v[i], -ESRCH, "");
		else if (m->view == VIEW_PAGES)
			scan_pages(m, p, &l->v[i]);
		else
			scan_summary(m, p, &l->v[i], what);
	}
}

/* ---- rendering ----------------------------------------------------------- */

static int render(const struct mscan *m, const struct mscan_pass *p)
{
	json_t *doc;
	int rc;

	if (m->prom)
		return report_scan_prom(stdout, &p->r, m->prom_grouped ? m->prom_by : NULL,
					m->nprom_by);
	if (!m->json)
		return report_scan_tables(stdout, &p->r, m->out_flags);
	doc = report_scan_json(&p->r, &m->topo, &m->shown, m->watch > 0 ? (long long)time(NULL) : 0);
	rc = doc ? out_print_json(doc, stdout) : -ENOMEM;
	json_decref(doc);
	return rc;
}

/* ---- main ---------------------------------------------------------------- */

static void pass_tables(struct mscan *m, struct mscan_pass *p)
{
	bool procs_o = m->view == VIEW_SUMMARY;

	if (m->topology) {
		p->r.nodes = new_table(m, report_node_cols, report_node_ncols, REPORT_NODE_DEFAULT,
				     !m->sel.any);
		for (int i = 0; i < m->topo.nnodes; i++)
			report_node_row(p->r.nodes, &m->topo, &m->topo.nodes[i]);
	}
	if (!m->sel.any)
		return;
	p->r.procs = new_table(m, report_proc_cols, report_proc_ncols,
			     m->longfmt ? REPORT_PROC_LONG : REPORT_PROC_DEFAULT, procs_o);
	m->need_cgroup = out_column_selected(p->r.procs, "CGROUP");
	for (int k = 0; k < m->nprom_by && m->prom_grouped; k++)
		if (strcmp(m->prom_by[k], "CGROUP") == 0)
			m->need_cgroup = true;
	p->r.runs = m->view == VIEW_PAGES;
	if (m->view == VIEW_MAPPINGS)
		p->r.detail = new_table(m, report_map_cols, report_map_ncols, REPORT_MAP_DEFAULT, true);
	else if (m->view == VIEW_PAGES)
		p->r.detail = new_table(m, report_run_cols, report_run_ncols, REPORT_RUN_DEFAULT, true);
}

/* With several processes, the detail tables say whose rows they are. */
static void add_pid_column(struct mscan *m, struct mscan_pass *p, size_t nprocs)
{
	const char *defaults = m->view == VIEW_PAGES ? REPORT_RUN_DEFAULT : REPORT_MAP_DEFAULT;
	char list[256];

	if (!p->r.detail || nprocs < 2 || m->columns)
		return;
	snprintf(list, sizeof(list), "PID,%s", defaults);
	out_table_columns(p->r.detail, list, NULL, NULL, 0);
}

static void pass_free(struct mscan_pass *p)
{
	out_table_free(p->r.procs);
	out_table_free(p->r.detail);
	out_table_free(p->r.nodes);
	json_decref(p->r.errors);
}

/* One scan and its output; returns the pass's exit code. */
static int run_pass(struct mscan *m)
{
	struct mscan_pass p = { .r.errors = json_array(), .code = -1 };
	struct proc_list l = { 0 };
	int rc;

	pass_tables(m, &p);
	if (m->sel.any) {
		rc = cli_select(&m->sel, &l);
		m->select_failed = rc != 0;
		if (rc) {
			pass_free(&p);
			return rc;
		}
		p.nprocs = l.n;
		p.sel = &m->sel;
		add_pid_column(m, &p, l.n);
		scan_all(m, &p, &l);
		procs_list_free(&l);
	}
	if (cli_signal) {
		pass_free(&p);
		return cli_signal_exit();
	}
	if (p.code < 0 && p.left_out) {
		cli_err("every selected process exited before it was read");
		p.code = NS_EXIT_FAIL;
	}
	rc = render(m, &p);
	if (rc < 0 && rc != -EPIPE) {
		if (!ferror(stdout))    /* a write error is cli_exit's one line */
			cli_err("cannot write output: %s", strerror(-rc));
		p.code = NS_EXIT_FAIL;
	}
	if (rc == -EPIPE)
		p.code = p.code < 0 ? NS_EXIT_OK : p.code;
	rc = p.code < 0 ? NS_EXIT_OK : p.code;
	if (rc == NS_EXIT_PARTIAL)
		cli_warn("%zu of %zu processes not read", json_array_size(p.r.errors),
			 json_array_size(p.r.errors) + (p.r.procs ? out_nrows(p.r.procs) : 0));
	pass_free(&p);
	return rc;
}

static void load_topology(struct mscan *m)
{
	/* only --topology shows the nodes' facts; the other views need the ids */
	cli_topology(&m->topo, m->topology);
	m->shown = m->topo.with_memory;
	if (nodeset_empty(&m->shown))
		m->shown = m->topo.online;
}

/* Sleep until the next pass; false when interrupted. */
static bool watch_sleep(double secs)
{
	struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		if (cli_signal)
			return false;
	return !cli_signal;
}

int main(int argc, char **argv)
{
	struct mscan m = { .view = VIEW_SUMMARY };
	int code;

	cli_init(argc, argv);
	parse_options(&m, argc, argv);
	cli_setup_sysroot(m.run.sysroot, false);
	cli_catch_signals();
	load_topology(&m);
	for (;;) {
		code = run_pass(&m);
		if (m.watch <= 0 || m.select_failed || cli_signal)
			break;
		/* a closed pipe ends the watch; fflush alone misses an error
		 * already met by a write inside the pass (the buffer is empty) */
		if (fflush(stdout) != 0 || ferror(stdout))
			break;
		if (!watch_sleep(m.watch))
			break;
		if (!m.json && !m.prom)
			putchar('\n');
	}
	if (cli_signal)
		code = cli_signal_exit();
	topo_free(&m.topo);
	cli_sel_free(&m.sel);
	cli_exit(code);
}
