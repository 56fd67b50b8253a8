/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mfree-discard: drop the clean lazily freed (MADV_FREE) pages of processes
 * now, instead of when the kernel runs short of memory.
 *
 * Per process (common/discard_run.h): find (common/discard.h), check the
 * guard rails (capabilities, swap in mapping mode), apply, and report per
 * node what was found, discarded and kept, measured from pagemap and smaps
 * before and after.
 */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "discard_run.h"
#include "nodes.h"
#include "output.h"
#include "plan.h"
#include "report.h"
#include "sysinfo.h"

struct mfd {
	struct cli_sel sel;
	const char *nodes_arg;
	struct plan_vma vma[CLI_MAX_VMA];
	size_t nvma;
	struct cli_run run;         /* --dry-run --force --wait --sysroot (--dry-run only) -q */
	struct cli_out out;         /* -o -O -H --noheadings -r -J -b */
	double timeout;             /* seconds, 0: none */

	struct ns_topology topo;
	struct discard_run dr;      /* its dopts: --mode --thp --max-stall --nodes */
};

static _Noreturn void usage(void)
{
	printf("Usage: %s -p PID[,..] | -n NAME | -u USER | --cgroup PATH | -A [options]\n"
	       "\n"
	       "Discard the clean lazily freed (MADV_FREE) pages of processes now.\n"
	       "Pages written again after MADV_FREE are kept; live pages are not\n"
	       "swapped out (unless --force, see below); live THPs stay whole.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid PID[,..]     processes by id\n"
	       "  -n, --name NAME        processes by exact command name\n"
	       "  -u, --user USER        processes of a user\n"
	       "      --cgroup PATH      processes of a cgroup v2 directory\n"
	       "  -A, --all              every user process\n"
	       "      --nodes NODES      only pages on these nodes\n"
	       "      --vma SPEC         only matching mappings: heap, stack, anon,\n"
	       "                         START-END (repeatable)\n"
	       "      --mode MODE        auto (default), precise (root) or mapping\n"
	       "      --thp HOW          collapse (default): collapse THPs written\n"
	       "                         again back after the pageout; skip: leave out\n"
	       "                         the THPs of mappings with rewritten pages\n"
	       "      --force            mapping mode with swap: go on although live\n"
	       "                         pages of those mappings will be swapped out\n"
	       "      --wait             wait for another run on the same process\n"
	       "      --dry-run          show what would be discarded, change nothing\n"
	       "      --timeout SECS     stop after SECS (exit 124)\n"
	       "      --max-stall TIME   longest a call may hold the process's memory\n"
	       "                         map (default 20ms; 1ms to 10s)\n"
	       "      --sysroot DIR      read /proc and /sys under DIR (with --dry-run)\n"
	       "  -q, --quiet            no warnings\n"
	       "  -h, --help             this help\n"
	       "  -V, --version          version\n", cli_prog);
	cli_out_help();
	printf("\nColumns:\n");
	out_print_columns_help(report_discard_cols, report_discard_ncols, stdout);
	printf("Default: %s\n", REPORT_DISCARD_DEFAULT);
	printf("\nExit: 0 done, 1 nothing done, 2 usage, 3 partial, 4 permission,\n"
	       "5 refused (swap in mapping mode), 124 timeout, 130/143 signal.\n");
	cli_exit(0);
}

enum {
	OPT_NODES = 256, OPT_MODE, OPT_THP,
};

static const struct option long_opts[] = {
	CLI_SEL_LONG_OPTIONS,
	{ "nodes",   required_argument, NULL, OPT_NODES },
	CLI_VMA_LONG_OPTIONS,
	{ "mode",    required_argument, NULL, OPT_MODE },
	{ "thp",     required_argument, NULL, OPT_THP },
	CLI_RUN_LONG_OPTIONS,
	CLI_BUDGET_LONG_OPTIONS,
	CLI_OUT_LONG_OPTIONS,
	CLI_STD_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void parse_options(struct mfd *m, int argc, char **argv)
{
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, ":" CLI_SEL_SHORT "qh" CLI_OUT_SHORT "V", long_opts, NULL)) != -1) {
		if (cli_sel_option(&m->sel, c, optarg) || cli_out_option(&m->out, c, optarg) ||
		    cli_run_option(&m->run, c, optarg) ||
		    cli_budget_option(c, optarg, &m->timeout, &m->dr.dopts.max_stall))
			continue;
		switch (c) {
		case OPT_NODES: m->nodes_arg = optarg; break;
		case CLI_OPT_VMA: cli_parse_vma(m->vma, &m->nvma, optarg); break;
		case OPT_MODE:
			cli_check_value(discard_mode_parse(optarg, &m->dr.dopts.mode, err, sizeof(err)), err);
			break;
		case OPT_THP:
			cli_check_value(discard_thp_parse(optarg, &m->dr.dopts.thp, err, sizeof(err)), err);
			break;
		case 'h': usage();
		default: cli_getopt_error(argc, argv, c);
		}
	}
	if (m->out.list)
		cli_out_list_columns((const struct col_desc *const[]){ report_discard_cols }, (const int[]){ report_discard_ncols },
				     NULL, 1);
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!m->sel.any)
		cli_usage_error("no process selected: use -p, -n, -u, --cgroup or -A");
}

static void setup(struct mfd *m)
{
	struct discard_run *r = &m->dr;
	char err[160];

	cli_setup_sysroot(m->run.sysroot, !m->run.dry_run);
	cli_topology(&m->topo, true);
	if (m->nodes_arg) {
		if (nodeset_parse_user(m->nodes_arg, &m->topo.with_memory, NULL,
				       &r->dopts.nodes, err, sizeof(err)) < 0)
			cli_usage_error("%s", err);
		r->dopts.limit_nodes = true;
	}
	r->sel = &m->sel.sel;
	r->vma = m->vma;
	r->nvma = m->nvma;
	r->dry_run = m->run.dry_run;
	r->force = m->run.force;
	r->wait = m->run.wait;
	r->stop = &cli_signal;
	if (m->timeout > 0)
		r->deadline = sys_now() + m->timeout;
	r->hooks = (struct run_hooks){ .err = cli_err, .warn = cli_warn, .read_done = cli_check_tree };
	if (discard_run_init(r) < 0) {
		cli_err("out of memory");
		cli_exit(NS_EXIT_FAIL);
	}
	cli_out_columns(&m->out, r->table, REPORT_DISCARD_DEFAULT);
}

static int print_report(struct mfd *m, int code)
{
	int rc;

	if (m->out.json) {
		json_t *doc = report_discards_json(m->dr.procs, m->run.dry_run, code);

		m->dr.procs = NULL;
		rc = out_print_json(doc, stdout);
		json_decref(doc);
		return rc;
	}
	return out_print_table(m->dr.table, stdout, m->out.flags);
}

int main(int argc, char **argv)
{
	struct mfd m;
	struct proc_list pl = { 0 };
	int code;

	memset(&m, 0, sizeof(m));
	m.dr.dopts.max_stall = STALL_DEFAULT;
	cli_init(argc, argv);
	parse_options(&m, argc, argv);
	setup(&m);
	cli_catch_signals();
	code = cli_select(&m.sel, &pl);
	if (code)
		cli_exit(code);
	code = discard_run_all(&m.dr, &pl);
	if (code < 0)
		cli_exit(NS_EXIT_FAIL);
	print_report(&m, code);
	discard_run_free(&m.dr);
	procs_list_free(&pl);
	cli_sel_free(&m.sel);
	topo_free(&m.topo);
	cli_exit(code);
}
