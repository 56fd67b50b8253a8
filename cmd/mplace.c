/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mplace: place a process on NUMA nodes: CPUs and memory together.
 *
 * Launch:  mplace --nodes NODES [--policy P] [--balancing] [--cpu-nodes NODES] -- CMD
 *          sets this process's affinity and memory policy, then execs CMD.
 *          numactl's options (--membind, --cpunodebind, ...) say the same
 *          with numactl's meaning: each sets only what numactl's sets.
 * Running: mplace -p PID (--nodes NODES | --auto) [--cpu-nodes NODES] [...]
 *          sets the affinity of every thread, moves the memory with the
 *          mmigrate core and catches threads started meanwhile: the steps
 *          of common/place_run.h.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "exec.h"
#include "guard.h"
#include "lock.h"
#include "nodes.h"
#include "output.h"
#include "place.h"
#include "place_launch.h"
#include "place_opts.h"
#include "place_run.h"
#include "place_target.h"
#include "plan.h"
#include "privs.h"
#include "report.h"
#include "scan.h"
#include "strutil.h"
#include "sysinfo.h"

struct mplace {
	struct place_opts po;        /* the placement options, mplace's and numactl's */
	pid_t pid;
	struct cli_run run;          /* --dry-run --force --wait --sysroot (--dry-run only) -q */
	struct cli_exec ex;          /* execution options shared with mmigrate */
	struct cli_out out;          /* -o -O -H --noheadings -r -J -b: the move table */
	char **cmd;

	struct ns_topology topo;
	struct place_target t;       /* the nodes and CPUs, resolved */
};

static _Noreturn void usage(void)
{
	printf("Usage: %s --nodes NODES [--policy P] [--balancing] [--cpu-nodes NODES|--cpus CPUS] -- COMMAND [ARGS]\n"
	       "       %s [numactl's options] COMMAND [ARGS]\n"
	       "       %s -p PID (--nodes NODES | --auto) [--cpu-nodes NODES|--cpus CPUS] [options]\n"
	       "\n"
	       "Place a process on NUMA nodes: its CPUs and its memory.\n"
	       "\n"
	       "Options:\n"
	       "      --nodes NODES      memory nodes (numactl syntax: 0-1, all, !2, +0)\n"
	       "      --cpu-nodes NODES  nodes whose CPUs to run on (default: the CPUs\n"
	       "                         of --nodes; needed for memory-only nodes)\n"
	       "      --cpus CPUS        CPUs to run on (numactl syntax: 0-3, all, +0-1)\n"
	       "      --policy P         launch: bind (default), preferred, interleave,\n"
	       "                         weighted-interleave (kernel 6.9+), local (no --nodes)\n"
	       "      --balancing        launch: MPOL_F_NUMA_BALANCING (bind, 5.12+)\n"
	       "  -p, --pid PID          running process to place\n"
	       "      --auto             choose the node from where the memory is, free\n"
	       "                         memory and CPU load, and explain the choice\n"
	       "      --dry-run          show what would be done, change nothing\n"
	       "Running mode, as mmigrate:\n"
	       "      --max-stall TIME (default 20ms)  --threads N|auto  --batch N\n"
	       "      --rate BYTES/s  --nice N|auto  --retries N\n"
	       "      --move-all  --timeout SECS  --min-free SIZE|PCT%% (default 5%%)\n"
	       "      --force  --wait\n"
	       "      --sysroot DIR      read /proc and /sys under DIR (with --dry-run)\n"
	       "  -q, --quiet  -h, --help  -V, --version\n"
	       "numactl's options, launch mode, with numactl's meaning (mplace(1)):\n"
	       "  -m, --membind NODES  -i, --interleave NODES  --preferred NODE\n"
	       "  -P, --preferred-many NODES  -w, --weighted-interleave NODES\n"
	       "  -l, --localalloc  -N, --cpunodebind NODES  -C, --physcpubind CPUS\n"
	       "  (memory options leave the CPUs as they are, CPU options the memory)\n",
	       cli_prog, cli_prog, cli_prog);
	cli_out_help();
	printf("\nColumns:\n");
	out_print_columns_help(report_move_cols, report_move_ncols, stdout);
	printf("\nExit: 0 done, 1 nothing done, 2 usage, 3 partial, 4 permission,\n"
	       "5 refused by a guard rail, 124 timeout, 130/143 signal; launch mode:\n"
	       "the command's status, 126 cannot run it, 127 not found.\n");
	cli_exit(0);
}

enum {
	OPT_NODES = 256, OPT_CPU_NODES, OPT_CPUS, OPT_POLICY, OPT_BALANCING, OPT_AUTO,
	OPT_PREFERRED,
};

static const struct option long_opts[] = {
	{ "nodes",     required_argument, NULL, OPT_NODES },
	{ "cpu-nodes", required_argument, NULL, OPT_CPU_NODES },
	{ "cpus",      required_argument, NULL, OPT_CPUS },
	{ "policy",    required_argument, NULL, OPT_POLICY },
	{ "balancing", no_argument,       NULL, OPT_BALANCING },
	{ "pid",       required_argument, NULL, 'p' },
	{ "auto",      no_argument,       NULL, OPT_AUTO },
	CLI_RUN_LONG_OPTIONS,
	CLI_EXEC_LONG_OPTIONS,
	CLI_OUT_LONG_OPTIONS,
	CLI_STD_LONG_OPTIONS,
	/* numactl's, with its letters where mplace has none of its own */
	{ "membind",     required_argument, NULL, 'm' },
	{ "interleave",  required_argument, NULL, 'i' },
	{ "preferred",   required_argument, NULL, OPT_PREFERRED },
	{ "preferred-many", required_argument, NULL, 'P' },
	{ "weighted-interleave", required_argument, NULL, 'w' },
	{ "localalloc",  no_argument,       NULL, 'l' },
	{ "cpunodebind", required_argument, NULL, 'N' },
	{ "physcpubind", required_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 },
};

/* An option getopt did not take: numactl's gets its own line. */
static _Noreturn void option_error(int argc, char **argv, int c)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const char *name = strncmp(arg, "--", 2) == 0 ? arg + 2 : NULL;
	char err[512];

	if (c == '?' && place_opts_numactl_not(name, name ? strcspn(name, "=") : 0, optopt,
					       err, sizeof(err)))
		cli_usage_error("%s", err);
	cli_getopt_error(argc, argv, c);
}

/* The long name of option C: place_opts.h takes the options by name. */
static const char *long_name(int c)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == c)
			return o->name;
	return NULL;
}

static void parse_one(struct mplace *m, int c)
{
	const char *name = long_name(c);
	char err[512];
	int pid;

	if (cli_exec_option(&m->ex, c, optarg) || cli_out_option(&m->out, c, optarg) ||
	    cli_run_option(&m->run, c, optarg))
		return;
	if (place_opts_takes(name)) {
		if (place_opts_set(&m->po, name, optarg, err, sizeof(err)) < 0)
			cli_usage_error("%s", err);
		return;
	}
	if (c == 'p') {
		if (strchr(optarg, ','))
			cli_usage_error("invalid PID '%s': mplace places one process", optarg);
		if (str_to_int(optarg, 1, 0x7fffffff, &pid) < 0)
			cli_usage_error("invalid PID '%s': expected a positive number "
					"(numactl's -p is --preferred: write --preferred=%s)",
					optarg, optarg);
		m->pid = (pid_t)pid;
	}
}

static void check_combination(struct mplace *m)
{
	char err[512];

	if (m->out.list)
		cli_out_list_columns((const struct col_desc *const[]){ report_move_cols },
				     (const int[]){ report_move_ncols }, NULL, 1);
	if (place_opts_check(&m->po, m->pid != 0, m->cmd != NULL, err, sizeof(err)) < 0)
		cli_usage_error("%s", err);
	/* -b is --bytes here, numactl's --balancing there: a launch has no table */
	if (m->cmd && (m->out.flags & OUT_BYTES))
		cli_usage_error("-b, --bytes sizes running mode's table, and a launch prints "
				"none (numactl's -b is --balancing: write --balancing)");
}

static void parse_options(struct mplace *m, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "+:p:qhm:i:P:w:lN:C:" CLI_OUT_SHORT "V", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage();
		case ':':
		case '?': option_error(argc, argv, c);
		default: parse_one(m, c);
		}
	}
	if (optind < argc) {
		/* getopt stops at "--" (consumed) or, with '+', at the first
		 * non-option: either way the rest is the command */
		if (strcmp(argv[optind - 1], "--") != 0 && argv[optind][0] == '-')
			cli_usage_error("unexpected argument '%s'", argv[optind]);
		m->cmd = &argv[optind];
	}
	check_combination(m);
}

/* ---- nodes and CPUs ---------------------------------------------------------- */

/* A refusal of place_target.h: a usage error, or the machine's failure. */
static void check_target(int rc, const char *err)
{
	if (rc == -EINVAL)
		cli_usage_error("%s", err);
	if (rc < 0) {
		cli_err("%s", err);
		cli_exit(NS_EXIT_FAIL);
	}
}

static void parse_nodes(struct mplace *m)
{
	struct ns_nodeset allowed;
	const struct ns_nodeset *base = &allowed;
	char err[512];

	/* all, ! and +N count within a cpuset, as numactl's do: for a launch
	 * this one's (the command inherits it), else the placed process's */
	if (privs_mems_allowed(m->pid ? m->pid : getpid(), &allowed) < 0)
		base = NULL;
	check_target(place_target_nodes(&m->t, &m->po, &m->topo, base, err, sizeof(err)), err);
}

static void pick_cpus(struct mplace *m)
{
	char err[1024];

	check_target(place_target_cpus(&m->t, &m->po, &m->topo, m->cmd != NULL,
				       err, sizeof(err)), err);
}

/* ---- launch mode ------------------------------------------------------------- */

static void launch_check_cpuset(const struct mplace *m)
{
	struct ns_nodeset allowed;
	char err[256];

	if (privs_mems_allowed(getpid(), &allowed) < 0)
		return;
	if (place_launch_check_mems(&m->t.nodes, &allowed, err, sizeof(err)) < 0) {
		cli_err("%s", err);
		cli_exit(NS_EXIT_REFUSED);
	}
}

static const char *launch_policy_name(const struct mplace *m)
{
	return place_opts_has_policy(&m->po) ? place_policy_name(m->po.policy) : "unchanged";
}

static _Noreturn void launch_policy_error(const struct mplace *m, int rc)
{
	char err[512];
	int code = place_launch_policy_error(m->po.policy, &m->t.nodes, m->t.nodes_str,
					     m->po.balancing, rc, sys_kernel_version(),
					     err, sizeof(err));

	cli_err("%s", err);
	cli_exit(code);
}

/* What the report shows of the options: the lists, the policy, the command. */
static void report_init(const struct mplace *m, struct report_place *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->nodes = m->t.nodes_str;
	rp->cpu_nodes = m->t.cpu_nodes_str;
	rp->cpus = m->t.cpus_str;
	rp->cpus_desc = m->t.cpus_desc;
	rp->dry_run = m->run.dry_run;
	rp->cmd = m->cmd;
	rp->policy = launch_policy_name(m);
	rp->balancing = m->po.balancing;
}

static _Noreturn void launch_dry_run(const struct mplace *m, const int *weights, bool have_w)
{
	struct report_place rp;

	report_init(m, &rp);
	rp.weighted = have_w ? &m->t.nodes : NULL;
	rp.weights = weights;
	if (m->out.json) {
		json_t *doc = report_launch_json(&rp);

		out_print_json(doc, stdout);
		json_decref(doc);
	} else {
		report_launch_lines(stdout, &rp);
	}
	cli_exit(0);
}

static _Noreturn void launch(struct mplace *m)
{
	static int weights[NS_MAX_NODES];
	bool have_w = false;
	int rc;

	launch_check_cpuset(m);
	if (m->po.policy == PLACE_WEIGHTED) {
		rc = place_read_weights(&m->t.nodes, weights, NS_MAX_NODES);
		have_w = rc == 0;
	}
	/* the kernel is the judge of what it supports: ask it first */
	rc = place_opts_has_policy(&m->po) ? place_probe_policy(m->po.policy, &m->t.nodes, m->po.balancing) : 0;
	if (rc < 0)
		launch_policy_error(m, rc);
	if (m->run.dry_run)
		launch_dry_run(m, weights, have_w);
	if (!m->t.keep_cpus && sched_setaffinity(0, m->t.cpus.size, m->t.cpus.set) < 0) {
		rc = errno;
		cli_err("cannot run on CPUs %s: %s%s", m->t.cpus_desc, strerror(rc),
			rc == EINVAL ? " (outside this cpuset)" : "");
		cli_exit(rc == EINVAL ? NS_EXIT_REFUSED : NS_EXIT_FAIL);
	}
	rc = place_opts_has_policy(&m->po) ? place_set_policy(m->po.policy, &m->t.nodes, m->po.balancing) : 0;
	if (rc < 0)
		launch_policy_error(m, rc);
	fflush(stdout);
	execvp(m->cmd[0], m->cmd);
	rc = errno;
	cli_err("cannot run '%s': %s", m->cmd[0], strerror(rc));
	exit(rc == ENOENT ? 127 : 126);
}

/* ---- running mode -------------------------------------------------------------- */

/* The core's lines (place_run.h): its errors and warnings. */
static void run_init(struct mplace *m, struct place_run *o)
{
	*o = (struct place_run){ .topo = &m->topo, .xo = m->ex.xo, .go = m->ex.go,
				 .dry_run = m->run.dry_run, .wait = m->run.wait, .timeout = m->ex.timeout,
				 .h = { .err = cli_err, .warn = cli_warn, .read_done = cli_check_tree,
					.maps_warn = cli_maps_warn } };
	o->xo.stop = &cli_signal;
	o->go.force = m->run.force;
}

static void auto_choose(struct mplace *m, struct report_place *rp)
{
	struct place_run o;
	int code;

	run_init(m, &o);
	code = place_run_auto(&o, rp);
	if (code)
		cli_exit(code);
	nodeset_zero(&m->t.nodes);
	nodeset_add(&m->t.nodes, rp->au.node);
	if (!m->out.json)
		printf("auto: %s\n", rp->au.why);
}

/* The move as mmigrate shows one: its table, then its line. */
static void print_move(const struct mplace *m, const struct report_place *rp)
{
	struct out_table *t = report_move_table();

	if (t) {
		cli_out_columns(&m->out, t, NULL);
		report_move_rows(t, &rp->plan, &rp->plan.procs[0], &rp->mv);
		out_print_table(t, stdout, m->out.flags);
		out_table_free(t);
	}
	report_move_line(stdout, &rp->plan, &rp->plan.procs[0], &rp->mv);
}

/* The process to place, selected as the other tools select: no such
 * process 1, a kernel thread 2, a zombie has gone (1). */
static int select_one(struct mplace *m, struct proc_id *id)
{
	struct cli_sel sel = { .sel = { .pids = &m->pid, .npids = 1 }, .any = true };
	struct proc_list l = { 0 };
	int rc;

	rc = cli_select(&sel, &l);
	if (rc)
		return rc;
	*id = l.v[0];
	procs_list_free(&l);
	if (id->zombie) {
		cli_err("process %d (%s) has exited: nothing to place", (int)id->pid, id->comm);
		return NS_EXIT_FAIL;
	}
	return 0;
}

static int run(struct mplace *m)
{
	struct report_place rp;
	struct place_run o;
	int rc;

	report_init(m, &rp);
	rc = select_one(m, &rp.id);
	if (rc)
		return rc;
	if (m->po.autoplace)
		auto_choose(m, &rp);
	pick_cpus(m);
	run_init(m, &o);
	rp.code = place_run_plan(&o, &rp, &m->t.nodes);
	if (rp.code == 0 && !m->run.dry_run && !cli_signal)
		rp.code = place_run_move(&o, &rp, &m->t.cpus);
	if (cli_signal)         /* what was done is still reported */
		rp.code = cli_signal_exit();
	if (m->out.json) {
		json_t *doc = report_place_json(&rp);

		out_print_json(doc, stdout);
		json_decref(doc);
	} else if (rp.code == 0 || rp.moved) {
		report_place_line(stdout, &rp);
		if (!m->run.dry_run && rp.moved)
			print_move(m, &rp);
	}
	exec_result_free(&rp.mv.r);
	guard_free(&rp.guard);
	plan_free(&rp.plan);
	place_auto_free(&rp.au);
	return rp.code;
}

int main(int argc, char **argv)
{
	struct mplace m;
	int rc;

	memset(&m, 0, sizeof(m));
	cli_exec_init(&m.ex);
	cli_init(argc, argv);
	parse_options(&m, argc, argv);
	/* a launched command or a placement acts on the live machine */
	cli_setup_sysroot(m.run.sysroot, !m.run.dry_run || m.cmd);
	cli_topology(&m.topo, true);
	parse_nodes(&m);
	if (m.cmd) {
		pick_cpus(&m);
		launch(&m);
	}
	cli_exec_allowed(&m.ex);
	cli_catch_signals();
	exec_prepare(&m.ex.xo);
	rc = run(&m);
	place_target_free(&m.t);
	topo_free(&m.topo);
	cli_exit(rc);
}
