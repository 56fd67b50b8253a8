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
#include <string.h>
#include <time.h>
#include "cli.h"
#include "nodes.h"
#include "output.h"
#include "report.h"
#include "scan_pass.h"
#include "strutil.h"
#include "sysinfo.h"

struct mscan {
	struct cli_sel sel;
	struct scan_pass_opts scan; /* the view, its columns, what to read */
	struct scan_pass pass;      /* the pass under way */
	bool json, prom;
	/* --prom-by: the process rows summed by these columns (prom_grouped;
	 * none: by node alone), or one series set per process */
	bool prom_grouped;
	const char *prom_by[2];
	int nprom_by;
	unsigned out_flags;         /* OUT_BYTES, OUT_NOHEADINGS, OUT_RAW */
	struct cli_run run;         /* --sysroot, -q, -V */
	double watch;               /* seconds between scans, 0: once */
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

static void set_view(struct mscan *m, enum scan_view v)
{
	if (m->scan.view != SCAN_VIEW_SUMMARY && m->scan.view != v)
		cli_usage_error("-m/--mappings and --pages cannot be combined");
	m->scan.view = v;
}

/* -H: the columns of the view asked for. */
static _Noreturn void list_columns(const struct mscan *m)
{
	const struct col_desc *sets[] = { m->scan.topology ? report_node_cols : report_proc_cols,
					  report_map_cols, report_run_cols };
	const int n[] = { m->scan.topology ? report_node_ncols : report_proc_ncols,
			  report_map_ncols, report_run_ncols };
	int k = m->scan.view == SCAN_VIEW_MAPPINGS ? 1 : m->scan.view == SCAN_VIEW_PAGES ? 2 : 0;

	cli_out_list_columns(&sets[k], &n[k], NULL, 1);
}

/* --prom-by: the per-process form, or what the sums are labelled with */
static void parse_prom_by(struct mscan *m, const char *arg)
{
	char err[4096];    /* the whole argument, however long */
	int rc = report_scan_prom_by(arg, m->prom_by, &m->nprom_by, err, sizeof(err));

	cli_check_value(rc, err);
	m->prom = true;
	m->prom_grouped = rc == 1;
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
		case 'l': m->scan.longfmt = true; break;
		case 'm': set_view(m, SCAN_VIEW_MAPPINGS); break;
		case OPT_PAGES: set_view(m, SCAN_VIEW_PAGES); break;
		case OPT_TOPOLOGY: m->scan.topology = true; break;
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
	m->scan.columns = out.columns;
	m->scan.all_columns = out.all;
	m->out_flags = out.flags;
	if (out.list)
		list_columns(m);
	if (m->json && m->prom)
		cli_usage_error("-J/--json and --prom cannot be combined");
	if (m->prom_grouped && m->scan.view != SCAN_VIEW_SUMMARY)
		cli_usage_error("--prom-by sums the process summary: not with -m/--mappings "
				"or --pages");
	if (!m->sel.any && !m->scan.topology)
		cli_usage_error("no process selected: use -p PID, -n NAME, -u USER, "
				"--cgroup PATH or -A (or --topology)");
}

/* ---- rendering ----------------------------------------------------------- */

static int render(const struct mscan *m, const struct report_scan *r)
{
	json_t *doc;
	int rc;

	if (m->prom)
		return report_scan_prom(stdout, r, m->prom_grouped ? m->prom_by : NULL,
					m->nprom_by);
	if (!m->json)
		return report_scan_tables(stdout, r, m->out_flags);
	doc = report_scan_json(r, &m->topo, &m->shown, m->watch > 0 ? (long long)time(NULL) : 0);
	rc = doc ? out_print_json(doc, stdout) : -ENOMEM;
	json_decref(doc);
	return rc;
}

/* ---- main ---------------------------------------------------------------- */

/* One scan and its output; returns the pass's exit code. */
static int run_pass(struct mscan *m)
{
	struct scan_pass *p = &m->pass;
	struct proc_list l = { 0 };
	char err[160], msg[256];
	int code, rc;

	cli_check_value(scan_pass_begin(p, &m->scan, err, sizeof(err)), err);
	if (m->sel.any) {
		rc = cli_select(&m->sel, &l);
		m->select_failed = rc != 0;
		if (rc) {
			scan_pass_free(p);
			return rc;
		}
		scan_pass_read(p, &l);
		procs_list_free(&l);
	}
	if (cli_signal) {
		scan_pass_free(p);
		return cli_signal_exit();
	}
	code = scan_pass_code(p, msg, sizeof(msg));
	if (*msg)
		cli_err("%s", msg);
	rc = render(m, &p->r);
	if (rc < 0 && rc != -EPIPE) {
		if (!ferror(stdout))    /* a write error is cli_exit's one line */
			cli_err("cannot write output: %s", strerror(-rc));
		code = NS_EXIT_FAIL;
	}
	if (code == NS_EXIT_PARTIAL) {
		scan_pass_not_read(p, msg, sizeof(msg));
		cli_warn("%s", msg);
	}
	scan_pass_free(p);
	return code;
}

/* How each pass scans, once the options are known. */
static void scan_setup(struct mscan *m)
{
	struct scan_pass_opts *o = &m->scan;

	o->table = !m->json && !m->prom;
	o->by = m->prom_grouped ? m->prom_by : NULL;
	o->nby = m->nprom_by;
	o->sel = m->sel.any ? &m->sel.sel : NULL;
	o->topo = &m->topo;
	o->shown = &m->shown;
	o->stop = &cli_signal;
	o->h = (struct run_hooks){ .err = cli_err, .warn = cli_warn, .read_done = cli_check_tree,
				   .maps_warn = cli_maps_warn };
}

static void load_topology(struct mscan *m)
{
	/* only --topology shows the nodes' facts; the other views need the ids */
	cli_topology(&m->topo, m->scan.topology);
	m->shown = m->topo.with_memory;
	if (nodeset_empty(&m->shown))
		m->shown = m->topo.online;
}

int main(int argc, char **argv)
{
	struct mscan m = { .scan.view = SCAN_VIEW_SUMMARY };
	int code;

	cli_init(argc, argv);
	parse_options(&m, argc, argv);
	cli_setup_sysroot(m.run.sysroot, false);
	cli_catch_signals();
	load_topology(&m);
	scan_setup(&m);
	for (;;) {
		code = run_pass(&m);
		if (m.watch <= 0 || m.select_failed || cli_signal)
			break;
		/* a closed pipe ends the watch; fflush alone misses an error
		 * already met by a write inside the pass (the buffer is empty) */
		if (fflush(stdout) != 0 || ferror(stdout))
			break;
		if (!sys_sleep(m.watch, &cli_signal))
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
