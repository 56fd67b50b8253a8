/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mfree-discard: drop the clean lazily freed (MADV_FREE) pages of processes
 * now, instead of when the kernel runs short of memory.
 *
 * Per process: find (common/discard.h), check the guard rails (capabilities,
 * swap in mapping mode), apply, and report per node what was found,
 * discarded and kept, measured from pagemap and smaps before and after.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "discard.h"
#include "lock.h"
#include "nodes.h"
#include "output.h"
#include "path.h"
#include "plan.h"
#include "privs.h"
#include "report.h"
#include "strutil.h"
#include "sysinfo.h"

struct mfd {
	struct cli_sel sel;
	struct discard_opts dopts;
	const char *nodes_arg;
	struct plan_vma vma[CLI_MAX_VMA];
	size_t nvma;
	struct cli_run run;         /* --dry-run --force --wait --sysroot (--dry-run only) -q */
	struct cli_out out;         /* -o -O -H --noheadings -r -J -b */
	double timeout;             /* seconds, 0: none */
	double deadline;            /* CLOCK_MONOTONIC */
	bool timed_out;

	struct ns_topology topo;
	struct out_table *table;
	json_t *jprocs;
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
	OPT_NODES = 256, OPT_VMA, OPT_MODE, OPT_THP, OPT_TIMEOUT, OPT_MAX_STALL,
};

static const struct option long_opts[] = {
	CLI_SEL_LONG_OPTIONS,
	{ "nodes",   required_argument, NULL, OPT_NODES },
	{ "vma",     required_argument, NULL, OPT_VMA },
	{ "mode",    required_argument, NULL, OPT_MODE },
	{ "thp",     required_argument, NULL, OPT_THP },
	CLI_RUN_LONG_OPTIONS,
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-stall", required_argument, NULL, OPT_MAX_STALL },
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
		    cli_run_option(&m->run, c, optarg))
			continue;
		switch (c) {
		case OPT_NODES: m->nodes_arg = optarg; break;
		case OPT_VMA: cli_parse_vma(m->vma, &m->nvma, optarg); break;
		case OPT_MODE:
			cli_check_value(discard_mode_parse(optarg, &m->dopts.mode, err, sizeof(err)), err);
			break;
		case OPT_THP:
			cli_check_value(discard_thp_parse(optarg, &m->dopts.thp, err, sizeof(err)), err);
			break;
		case OPT_TIMEOUT: m->timeout = cli_parse_timeout(optarg); break;
		case OPT_MAX_STALL: m->dopts.max_stall = cli_parse_stall(optarg); break;
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

static bool mfd_stop(void *ud)
{
	struct mfd *m = ud;

	if (cli_signal)
		return true;
	if (m->deadline > 0 && sys_now() >= m->deadline) {
		m->timed_out = true;
		return true;
	}
	return false;
}

static bool mfd_vma_filter(void *ud, const struct mapping *map)
{
	struct mfd *m = ud;

	return plan_vma_match(m->vma, m->nvma, map);
}

static void setup(struct mfd *m)
{
	char err[160];

	cli_setup_sysroot(m->run.sysroot, !m->run.dry_run);
	cli_topology(&m->topo, true);
	if (m->nodes_arg) {
		if (nodeset_parse_user(m->nodes_arg, &m->topo.with_memory, NULL,
				       &m->dopts.nodes, err, sizeof(err)) < 0)
			cli_usage_error("%s", err);
		m->dopts.limit_nodes = true;
	}
	if (m->nvma) {
		m->dopts.vma_filter = mfd_vma_filter;
		m->dopts.vma_ud = m;
	}
	m->dopts.stop = mfd_stop;
	m->dopts.stop_ud = m;
	if (m->timeout > 0)
		m->deadline = sys_now() + m->timeout;
	m->table = out_table_new(report_discard_cols, report_discard_ncols, NULL);
	m->jprocs = json_array();
	if (!m->table || !m->jprocs) {
		cli_err("out of memory");
		cli_exit(NS_EXIT_FAIL);
	}
	cli_out_columns(&m->out, m->table, REPORT_DISCARD_DEFAULT);
}

/* ---- report ------------------------------------------------------------ */

/* ---- one process ---------------------------------------------------------- */

static void warn_set(const struct mfd *m, const struct discard_set *s)
{
	if (s->warn & DISCARD_W_NO_KPF)
		cli_warn("pid %d: precise mode needs CAP_SYS_ADMIN (PFNs and "
			 "/proc/kpageflags); using mapping mode (whole mappings "
			 "with LazyFree)", (int)s->id.pid);
	if (s->warn & DISCARD_W_THP_MAYBE)
		cli_warn("pid %d: mapping mode leaves out %" PRIu64 " fully present "
			 "THP-sized blocks (possible live THPs)", (int)s->id.pid,
			 s->thp_skipped);
	if (s->warn & DISCARD_W_REWRITTEN && m->dopts.thp == DISCARD_THP_SKIP)
		cli_warn("pid %d: %" PRIu64 " lazily freed THPs left out: their "
			 "mappings have pages written again (--thp skip)",
			 (int)s->id.pid, s->thp_skipped);
}

/* *err: the -errno that stopped it before anything was applied, or 0. */
static int run_apply(struct mfd *m, const struct proc_id *id,
		     struct discard_set *s, struct discard_result *r,
		     char *msg, size_t len, int *err)
{
	struct ns_lock lk;
	int pidfd, rc, code;

	pidfd = privs_pidfd_open(id->pid);
	/* the pidfd pins this process; a reused PID is refused here */
	if (pidfd >= 0 && procs_check_same(id) < 0) {
		close(pidfd);
		pidfd = -ESRCH;
	}
	if (pidfd < 0) {
		*err = pidfd;
		return outcome_discard_apply_error(id, pidfd, msg, len);
	}
	/* the lock of mmigrate and mplace: never discard pages being moved */
	code = cli_lock(&lk, id, m->run.wait, msg, len);
	if (code) {
		close(pidfd);
		return code;
	}
	rc = discard_apply(pidfd, s, &m->dopts, r);
	lock_release(&lk);
	close(pidfd);
	{
		struct stall_summary st;

		stall_summarize(&r->stall, m->dopts.max_stall, &st);
		cli_stall_warn(id, &st, "process_madvise");
	}
	if (rc < 0) {
		*err = r->calls ? 0 : rc;
		code = outcome_discard_apply_error(id, rc, msg, len);
		/* gone (or exec'd) after some pages went: partial, as mmigrate */
		return rc == -ESRCH && r->advised ? NS_EXIT_PARTIAL : code;
	}
	code = outcome_discard(s, r, m->timed_out, cli_signal_exit());
	if (r->collapse_failed)
		cli_warn("pid %d: %" PRIu64 " THPs written again stay split: MADV_COLLAPSE: %s "
			 "(their data is intact)", (int)id->pid, r->collapse_failed,
			 strerror(-r->collapse_error));
	if (r->error)
		snprintf(msg, len, "pid %d: some ranges were refused: %s",
			 (int)id->pid, strerror(-r->error));
	return code;
}

/* run_one's answer for a process left out (cli_sel_left_out). */
#define MFD_LEFT_OUT (-2)

static int run_one(struct mfd *m, const struct proc_id *id)
{
	struct discard_set s;
	struct discard_result r;
	char why[256] = "";
	bool applied = false;
	int rc, code = NS_EXIT_OK, err = 0;

	memset(&r, 0, sizeof(r));
	if (id->missing) {      /* named with -p beside others: it counts */
		snprintf(why, sizeof(why), "no such process: %d", (int)id->pid);
		cli_err("%s", why);
		json_array_append_new(m->jprocs, report_discard_json(id, NULL, NULL, false, NS_EXIT_FAIL, why,
								   m->dopts.max_stall));
		return NS_EXIT_FAIL;
	}
	rc = discard_find(id, &m->dopts, &s);
	if (rc < 0 && cli_sel_left_out(&m->sel, id, rc))
		return MFD_LEFT_OUT;
	if (rc < 0) {
		cli_check_tree(rc);
		code = outcome_discard_find_error(id, rc, why, sizeof(why));
		cli_err("%s", why);
		json_array_append_new(m->jprocs, report_discard_json(id, NULL, NULL, false, code, why,
								   m->dopts.max_stall));
		return code;
	}
	warn_set(m, &s);
	if (s.warn & DISCARD_W_SWAP && !m->run.force) {
		snprintf(why, sizeof(why), "pid %d: refusing mapping mode with swap: "
			 "MADV_PAGEOUT would swap out the live pages of its mappings "
			 "with LazyFree (run as root for precise mode, or --force)",
			 (int)id->pid);
		code = NS_EXIT_REFUSED;
	} else if (!m->run.dry_run && s.candidate &&
		   privs_check(id, PRIV_DISCARD, why, sizeof(why)) < 0) {
		code = NS_EXIT_PERM;
	} else if (!m->run.dry_run && s.candidate) {
		code = run_apply(m, id, &s, &r, why, sizeof(why), &err);
		if (err && cli_sel_left_out(&m->sel, id, err)) {
			discard_set_free(&s);
			discard_result_free(&r);
			return MFD_LEFT_OUT;
		}
		applied = code != NS_EXIT_PERM &&
			!(code == NS_EXIT_FAIL && r.calls == 0);
	}
	if (why[0])
		cli_err("%s", why);
	json_array_append_new(m->jprocs, report_discard_json(id, &s, &r, applied, code,
							   why[0] ? why : NULL, m->dopts.max_stall));
	report_discard_rows(m->table, id, &s, &r, applied);
	discard_set_free(&s);
	discard_result_free(&r);
	return code;
}

static int print_report(struct mfd *m, int code)
{
	int rc;

	if (m->out.json) {
		json_t *doc = report_discards_json(m->jprocs, m->run.dry_run, code);

		m->jprocs = NULL;
		rc = out_print_json(doc, stdout);
		json_decref(doc);
		return rc;
	}
	return out_print_table(m->table, stdout, m->out.flags);
}

int main(int argc, char **argv)
{
	struct mfd m;
	struct proc_list pl = { 0 };
	int code, rc, *codes;
	size_t left_out = 0, n = 0;

	memset(&m, 0, sizeof(m));
	m.dopts.max_stall = STALL_DEFAULT;
	cli_init(argc, argv);
	parse_options(&m, argc, argv);
	setup(&m);
	cli_catch_signals();
	rc = cli_select(&m.sel, &pl);
	if (rc)
		cli_exit(rc);
	codes = calloc(pl.n + 1, sizeof(*codes));
	if (!codes) {
		cli_err("out of memory");
		cli_exit(NS_EXIT_FAIL);
	}
	for (size_t i = 0; i < pl.n; i++) {
		if (mfd_stop(&m)) {     /* the rest not done: the deadline or a signal says why */
			codes[n++] = NS_EXIT_FAIL;
			break;
		}
		rc = run_one(&m, &pl.v[i]);
		if (rc == MFD_LEFT_OUT)
			left_out++;
		else
			codes[n++] = rc;
	}
	if (n == 0 && left_out) {
		cli_err("every selected process exited before its turn");
		codes[n++] = NS_EXIT_FAIL;
	}
	code = outcome_run(codes, n, cli_signal_exit(), m.timed_out);
	free(codes);
	print_report(&m, code);
	out_table_free(m.table);
	json_decref(m.jprocs);
	procs_list_free(&pl);
	cli_sel_free(&m.sel);
	topo_free(&m.topo);
	cli_exit(code);
}
