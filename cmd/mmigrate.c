/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mmigrate: move a running process's memory between NUMA nodes, planned,
 * checked, fast and honest.
 *
 * Select processes, plan (common/plan.h), check the guard rails
 * (common/guard.h), lock each process (common/lock.h), execute
 * (common/exec.h), report.  --dry-run stops after the plan, --plan-out saves
 * it, --apply runs a saved one after checking that the processes are the
 * same.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "exec.h"
#include "guard.h"
#include "migrate_run.h"
#include "nodes.h"
#include "output.h"
#include "path.h"
#include "plan.h"
#include "report.h"
#include "sysinfo.h"

struct mmigrate {
	struct cli_sel sel;
	const char *from_arg, *to_arg;
	struct plan_vma vma[CLI_MAX_VMA];
	size_t nvma;
	struct cli_exec ex;          /* execution options shared with mplace */
	struct cli_run run;          /* --dry-run --force --wait --sysroot -q */
	struct cli_out out;         /* -o -O -H --noheadings -r -J -b */
	const char *plan_out, *apply;

	struct ns_topology topo;
	struct migrate_run mr;      /* the run: plan, locks, guard, moves */
	struct report_progress bar;  /* on a terminal, unless -q */
};

static _Noreturn void usage(void)
{
	printf("Usage: %s PID FROM-NODES TO-NODES\n"
	       "       %s -p PID[,..] | -n NAME | -u USER | --cgroup PATH | -A [--from NODES] --to NODES\n"
	       "       %s --apply PLAN.json\n"
	       "\n"
	       "Move the memory of running processes between NUMA nodes: plan, check,\n"
	       "move with move_pages(2), and report exactly what moved and what did not.\n"
	       "FROM->TO maps the k-th node of FROM to the (k mod |TO|)-th node of TO, as\n"
	       "migratepages(8) does; with --to alone every page off TO moves to TO,\n"
	       "spread in proportion to the nodes' free memory.\n"
	       "\n"
	       "Selection:\n"
	       "  -p, --pid PID[,..]     processes by id\n"
	       "  -n, --name NAME        processes by exact command name\n"
	       "  -u, --user USER        processes of a user\n"
	       "      --cgroup PATH      processes of a cgroup v2 directory\n"
	       "  -A, --all              every user process\n"
	       "      --from NODES       source nodes (default: every node not in --to)\n"
	       "      --to NODES         target nodes\n"
	       "      --vma SPEC         only matching mappings: heap, stack, anon, file,\n"
	       "                         file=GLOB, shm, START-END (repeatable)\n"
	       "Execution:\n"
	       "      --max-stall TIME   longest a call may hold the process (default 20ms;\n"
	       "                         1ms to 10s)\n"
	       "      --threads N|auto   worker threads (default auto: the CPUs, at most 4,\n"
	       "                         one per 64 MiB)\n"
	       "      --batch N          at most N move_pages entries per call (default %d)\n"
	       "      --rate BYTES/s     ceiling on copy bandwidth (e.g. 200M)\n"
	       "      --nice N|auto      workers' nice value (default auto: -5 when run at\n"
	       "                         nice 0 with CAP_SYS_NICE)\n"
	       "      --move-all         also pages shared with other processes (CAP_SYS_NICE)\n"
	       "      --discard-lazyfree drop clean MADV_FREE pages instead of copying them\n"
	       "      --retries N        attempts for busy pages (default 3)\n"
	       "      --timeout SECS     stop after SECS (exit 124)\n"
	       "      --engine E         auto, pages (move_pages) or syscall (one migrate_pages\n"
	       "                         call: freezes the process's memory map while it runs)\n"
	       "Guard rails:\n"
	       "      --min-free N[%%]    keep this much free on each target (default 5%%)\n"
	       "      --force            go on when a target would be left too full\n"
	       "      --wait             wait for another mmigrate on the same process\n"
	       "Plans and output:\n"
	       "      --dry-run          plan only, print it, move nothing\n"
	       "      --plan-out FILE    save the plan as JSON\n"
	       "      --apply FILE       run a saved plan (same boot and processes only)\n"
	       "      --sysroot DIR      read /proc and /sys under DIR (with --dry-run)\n"
	       "  -q, --quiet            no warnings, no progress bar\n"
	       "  -h, --help             this help\n"
	       "  -V, --version          version\n",
	       cli_prog, cli_prog, cli_prog, EXEC_DEFAULT_BATCH);
	cli_out_help();
	printf("\nColumns:\n");
	out_print_columns_help(report_move_cols, report_move_ncols, stdout);
	printf("\nPlan columns (--dry-run):\n");
	out_print_columns_help(report_plan_cols, report_plan_ncols, stdout);
	printf("\nExit: 0 all planned moved, 1 nothing moved, 2 usage or bad input, 3 partial,\n"
	       "4 permission, 5 refused by a guard rail, 124 timeout, 130/143 signal.\n");
	cli_exit(0);
}

enum {
	OPT_FROM = 256, OPT_TO, OPT_DISCARD, OPT_ENGINE, OPT_PLAN_OUT, OPT_APPLY,
};

static const struct option long_opts[] = {
	CLI_SEL_LONG_OPTIONS,
	{ "from",             required_argument, NULL, OPT_FROM },
	{ "to",               required_argument, NULL, OPT_TO },
	CLI_VMA_LONG_OPTIONS,
	CLI_EXEC_LONG_OPTIONS,
	{ "discard-lazyfree", no_argument,       NULL, OPT_DISCARD },
	{ "engine",           required_argument, NULL, OPT_ENGINE },
	CLI_RUN_LONG_OPTIONS,
	{ "plan-out",         required_argument, NULL, OPT_PLAN_OUT },
	{ "apply",            required_argument, NULL, OPT_APPLY },
	CLI_OUT_LONG_OPTIONS,
	CLI_STD_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* ---- options ---------------------------------------------------------------- */

static void parse_engine(struct mmigrate *m, const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		m->ex.xo.engine = EXEC_AUTO;
	else if (strcmp(arg, "pages") == 0)
		m->ex.xo.engine = EXEC_PAGES;
	else if (strcmp(arg, "syscall") == 0)
		m->ex.xo.engine = EXEC_SYSCALL;
	else
		cli_usage_error("invalid --engine '%s': expected auto, pages or syscall", arg);
}

static void parse_one(struct mmigrate *m, int c, int argc, char **argv)
{
	if (cli_sel_option(&m->sel, c, optarg) || cli_exec_option(&m->ex, c, optarg) ||
	    cli_out_option(&m->out, c, optarg) || cli_run_option(&m->run, c, optarg))
		return;
	switch (c) {
	case OPT_FROM: m->from_arg = optarg; break;
	case OPT_TO: m->to_arg = optarg; break;
	case CLI_OPT_VMA: cli_parse_vma(m->vma, &m->nvma, optarg); break;
	case OPT_DISCARD: m->ex.xo.discard_lazyfree = m->ex.go.discard = true; break;
	case OPT_ENGINE: parse_engine(m, optarg); break;
	case OPT_PLAN_OUT: m->plan_out = optarg; break;
	case OPT_APPLY: m->apply = optarg; break;
	case 'h': usage();
	default: cli_getopt_error(argc, argv, c);
	}
}

static void check_conflicts(struct mmigrate *m)
{
	if (m->out.list) {
		const struct col_desc *sets[] = { report_plan_cols, report_move_cols };
		const int n[] = { report_plan_ncols, report_move_ncols };
		const char *const titles[] = { "Plan columns (--dry-run)", "Result columns" };

		cli_out_list_columns(sets, n, titles, 2);
	}
	if (m->apply && (m->sel.any || m->from_arg || m->to_arg || m->nvma))
		cli_usage_error("--apply takes the processes and nodes from the plan: "
				"no selection, --from, --to or --vma with it");
	if (m->apply && m->run.dry_run)
		cli_usage_error("--apply and --dry-run do not go together");
	if (!m->apply && !m->sel.any)
		cli_usage_error("no process selected: give PID FROM TO, or -p, -n, -u, --cgroup or -A");
	if (!m->apply && !m->to_arg)
		cli_usage_error("no target nodes: give --to NODES");
	if (m->ex.xo.engine == EXEC_SYSCALL &&
	    (m->nvma || m->ex.threads_set || m->ex.rate_set || m->ex.xo.discard_lazyfree || m->apply))
		cli_usage_error("--engine syscall is one migrate_pages(2) call: it cannot "
				"take --vma, --threads, --rate, --discard-lazyfree or --apply");
	if (m->run.sysroot && !m->run.dry_run)
		cli_usage_error("--sysroot reads a captured tree: only --dry-run is possible with it");
	if (m->plan_out && !*m->plan_out)
		cli_usage_error("empty --plan-out file name");
	if (m->plan_out && out_check_file_target(m->plan_out) < 0)
		cli_usage_error("refusing --plan-out '%s': it exists and is not a regular file",
				m->plan_out);
}

static void parse_options(struct mmigrate *m, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, ":" CLI_SEL_SHORT "qh" CLI_OUT_SHORT "V", long_opts, NULL)) != -1)
		parse_one(m, c, argc, argv);
	if (optind < argc) {
		/* the migratepages form: PID FROM TO */
		if (m->sel.any || m->from_arg || m->to_arg || m->apply)
			cli_usage_error("unexpected argument '%s'", argv[optind]);
		if (argc - optind != 3)
			cli_usage_error("expected PID FROM-NODES TO-NODES, got %d argument%s",
					argc - optind, argc - optind == 1 ? "" : "s");
		cli_sel_option(&m->sel, 'p', argv[optind]);
		m->from_arg = argv[optind + 1];
		m->to_arg = argv[optind + 2];
	}
	check_conflicts(m);
}

/* Nodes from the command line, checked against the machine. */
static void parse_nodes(struct mmigrate *m, struct plan_opts *po)
{
	char err[512];

	memset(po, 0, sizeof(*po));
	if (plan_opts_nodes(po, &m->topo, m->from_arg, m->to_arg, err, sizeof(err)) < 0)
		cli_usage_error("%s", err);
	po->vma = m->vma;
	po->nvma = m->nvma;
	po->use_pagemap = path_is_live();
	/* a dry run is read by a person: it also checks the policies (numa_maps) */
	po->check_policy = m->run.dry_run;
	po->move_all = m->ex.xo.move_all;
}

static void run_init(struct mmigrate *m)
{
	struct migrate_run *r = &m->mr;

	if (migrate_run_init(r) < 0) {
		cli_err("out of memory");
		cli_exit(NS_EXIT_FAIL);
	}
	r->topo = &m->topo;
	r->xo = m->ex.xo;
	r->xo.stop = &cli_signal;
	r->go = m->ex.go;
	r->go.force = m->run.force;
	r->dry_run = m->run.dry_run;
	r->wait = m->run.wait;
	r->sel = &m->sel.sel;
	r->hooks = (struct run_hooks){ .err = cli_err, .warn = cli_warn, .read_done = cli_check_tree,
				       .maps_warn = cli_maps_warn, .ud = &m->bar };
	r->moved = report_progress_end;
}

/* ---- plan, dry run, moves ------------------------------------------------------ */

static int plan_new(struct mmigrate *m)
{
	struct plan_opts po;
	struct proc_list procs = { 0 };
	int code;

	parse_nodes(m, &po);
	code = cli_select(&m->sel, &procs);
	if (code)
		return code;
	code = migrate_run_plan(&m->mr, &po, &procs);
	procs_list_free(&procs);
	return code;
}

static int save_plan(const struct mmigrate *m)
{
	int rc = plan_save(&m->mr.plan, m->plan_out);

	if (rc == -EINVAL)
		cli_err("refusing to write plan %s: it is no longer a regular file", m->plan_out);
	else if (rc < 0)
		cli_err("cannot write plan %s: %s", m->plan_out, strerror(-rc));
	return rc == 0 ? 0 : rc == -EINVAL ? NS_EXIT_USAGE : NS_EXIT_FAIL;
}

static int print_plan(const struct mmigrate *m)
{
	const struct migrate_run *r = &m->mr;
	bool live = path_is_live();     /* a captured tree is not ours to move */
	struct out_table *t;
	int rc;

	if (m->out.json) {
		json_t *doc = report_plan_json(&r->plan, &r->xo, live, &r->guard, r->errors);

		rc = doc ? out_print_json(doc, stdout) : -ENOMEM;
		json_decref(doc);
		return rc;
	}
	t = out_table_new(report_plan_cols, report_plan_ncols, NULL);
	if (!t)
		return -ENOMEM;
	cli_out_columns(&m->out, t, NULL);
	rc = report_plan_print(stdout, t, m->out.flags, &r->plan, &r->xo, live, r->errors);
	out_table_free(t);
	return rc;
}

/* The dry run's code: the guard's, then the plan's (a closed pipe ends
 * quietly with the work's status). */
static int dry_run(const struct mmigrate *m, int code)
{
	int rc = print_plan(m);

	if (rc < 0 && rc != -EPIPE && !code)
		code = NS_EXIT_FAIL;
	if (!code && m->mr.plan_code)   /* some planned, some not */
		code = ns_exit_combine(NS_EXIT_OK, m->mr.plan_code);
	return code;
}

static void print_result(const struct mmigrate *m, int code)
{
	const struct migrate_run *r = &m->mr;
	struct out_table *t;

	if (m->out.json) {
		json_t *doc = report_moves_json(&r->plan, r->out, r->xo.engine, m->apply != NULL,
						code, r->errors);

		out_print_json(doc, stdout);
		json_decref(doc);
		return;
	}
	t = report_move_table();
	if (!t)
		return;
	cli_out_columns(&m->out, t, NULL);
	report_moves_print(stdout, t, m->out.flags, &r->plan, r->out, r->errors);
	out_table_free(t);
}

static int execute(struct mmigrate *m)
{
	int code;

	m->bar = (struct report_progress){ .f = stderr, .prog = cli_prog, .last_draw = -1,
					  .on = isatty(STDERR_FILENO) && !cli_quiet };
	if (m->bar.on) {
		m->mr.xo.progress = report_progress_draw;
		m->mr.xo.ud = &m->bar;
	}
	code = migrate_run_moves(&m->mr);
	if (code)
		return code;
	code = migrate_run_code(&m->mr);
	if (code < 0)
		return NS_EXIT_FAIL;
	print_result(m, code);
	return code;
}

static int run(struct mmigrate *m)
{
	int code;

	code = m->apply ? migrate_run_load(&m->mr, m->apply) : plan_new(m);
	if (code)
		return code;
	if (cli_signal)
		return cli_signal_exit();
	if (m->plan_out && (code = save_plan(m)))
		return code;
	code = migrate_run_guard(&m->mr);
	if (m->run.dry_run)
		return dry_run(m, code);
	if (code)
		return code;
	return execute(m);
}

int main(int argc, char **argv)
{
	struct mmigrate m;
	int code;

	memset(&m, 0, sizeof(m));
	cli_init(argc, argv);
	cli_exec_init(&m.ex);
	parse_options(&m, argc, argv);
	cli_setup_sysroot(m.run.sysroot, !m.run.dry_run);
	cli_catch_signals();
	cli_exec_start(&m.ex);
	exec_prepare(&m.ex.xo);
	cli_exec_allowed(&m.ex);
	cli_topology(&m.topo, true);
	run_init(&m);
	code = run(&m);
	migrate_run_free(&m.mr);
	topo_free(&m.topo);
	cli_sel_free(&m.sel);
	cli_exit(code);
}
