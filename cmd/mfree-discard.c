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
#include "strutil.h"
#include "sysinfo.h"

#define MFD_SCHEMA_VERSION 1
#define MFD_MAX_VMA 64

struct mfd {
	struct cli_sel sel;
	struct discard_opts dopts;
	const char *nodes_arg;
	struct plan_vma vma[MFD_MAX_VMA];
	size_t nvma;
	bool dry_run, json, force;
	const char *sysroot;        /* --sysroot: a captured tree, --dry-run only */
	unsigned out_flags;
	const char *columns;
	double timeout;             /* seconds, 0: none */
	double deadline;            /* CLOCK_MONOTONIC */
	bool timed_out;

	struct ns_topology topo;
	struct out_table *table;
	json_t *jprocs;
};

static const struct col_desc cols[] = {
	{ "PID",        "pid",              COL_INT,   COL_LABEL, "process id" },
	{ "COMM",       "comm",             COL_STR,   COL_LABEL, "command name" },
	{ "MODE",       "mode",             COL_STR,   COL_LABEL, "precise (kpageflags) or mapping (smaps)" },
	{ "NODE",       "node",             COL_STR,   COL_LABEL, "node, or 'all' for the process" },
	{ "FOUND",      "found",            COL_BYTES, 0, "lazily freed bytes found" },
	{ "DISCARDED",  "discarded",        COL_BYTES, 0, "bytes present before and gone after" },
	{ "KEPT",       "kept",             COL_BYTES, 0, "lazily freed bytes kept: written again (precise mode)" },
	{ "SKIPPED",    "skipped",          COL_BYTES, 0, "bytes found but left out (THPs, see --thp)" },
	{ "THP-DISC",   "thp_discarded",    COL_COUNT, 0, "lazily freed THPs discarded" },
	{ "THP-KEPT",   "thp_kept",         COL_COUNT, 0, "lazily freed THPs kept (written again)" },
	{ "THP-COLL",   "thp_collapsed",    COL_COUNT, 0, "THPs collapsed back after the pageout" },
	{ "RSS-BEFORE", "rss_before",       COL_BYTES, 0, "Rss before (smaps)" },
	{ "RSS-AFTER",  "rss_after",        COL_BYTES, 0, "Rss after (smaps)" },
	{ "LAZY-AFTER", "lazyfree_after",   COL_BYTES, 0, "LazyFree left (smaps)" },
	{ "AHP-BEFORE", "anon_huge_before", COL_BYTES, 0, "AnonHugePages before (smaps)" },
	{ "AHP-AFTER",  "anon_huge_after",  COL_BYTES, 0, "AnonHugePages after (smaps)" },
};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))
#define DEFAULT_COLS "PID,COMM,NODE,FOUND,DISCARDED,KEPT,SKIPPED,THP-DISC,THP-KEPT,THP-COLL"

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
	       "      --dry-run          show what would be discarded, change nothing\n"
	       "      --timeout SECS     stop after SECS (exit 124)\n"
	       "      --max-stall TIME   longest a call may hold the process's memory\n"
	       "                         map (default 20ms; 1ms to 10s)\n"
	       "  -J, --json             JSON report (docs/json.md)\n"
	       "  -o, --output COLS      table columns (default %s)\n"
	       "      --bytes            raw byte counts in the table\n"
	       "      --sysroot DIR      read /proc and /sys under DIR (with --dry-run)\n"
	       "  -q, --quiet            no warnings\n"
	       "  -h, --help             this help\n"
	       "  -V, --version          version\n"
	       "\n"
	       "Columns:\n", cli_prog, DEFAULT_COLS);
	for (int i = 0; i < NCOLS; i++)
		printf("  %-11s %s\n", cols[i].name, cols[i].help);
	printf("\nExit: 0 done, 1 nothing done, 2 usage, 3 partial, 4 permission,\n"
	       "5 refused (swap in mapping mode), 124 timeout, 130/143 signal.\n");
	cli_exit(0);
}

enum {
	OPT_CGROUP = 256, OPT_NODES, OPT_VMA, OPT_MODE, OPT_THP, OPT_FORCE,
	OPT_DRY_RUN, OPT_TIMEOUT, OPT_BYTES, OPT_SYSROOT, OPT_MAX_STALL,
};

static const struct option long_opts[] = {
	{ "pid",     required_argument, NULL, 'p' },
	{ "name",    required_argument, NULL, 'n' },
	{ "user",    required_argument, NULL, 'u' },
	{ "cgroup",  required_argument, NULL, OPT_CGROUP },
	{ "all",     no_argument,       NULL, 'A' },
	{ "nodes",   required_argument, NULL, OPT_NODES },
	{ "vma",     required_argument, NULL, OPT_VMA },
	{ "mode",    required_argument, NULL, OPT_MODE },
	{ "thp",     required_argument, NULL, OPT_THP },
	{ "force",   no_argument,       NULL, OPT_FORCE },
	{ "dry-run", no_argument,       NULL, OPT_DRY_RUN },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-stall", required_argument, NULL, OPT_MAX_STALL },
	{ "json",    no_argument,       NULL, 'J' },
	{ "output",  required_argument, NULL, 'o' },
	{ "bytes",   no_argument,       NULL, OPT_BYTES },
	{ "sysroot", required_argument, NULL, OPT_SYSROOT },
	{ "quiet",   no_argument,       NULL, 'q' },
	{ "help",    no_argument,       NULL, 'h' },
	{ "version", no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void parse_vma(struct mfd *m, const char *arg)
{
	char err[160];

	if (m->nvma == MFD_MAX_VMA)
		cli_usage_error("too many --vma options (at most %d)", MFD_MAX_VMA);
	if (plan_vma_parse(arg, &m->vma[m->nvma], err, sizeof(err)) < 0)
		cli_usage_error("invalid --vma '%s': %s", arg, err);
	m->nvma++;
}

static void parse_options(struct mfd *m, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, ":p:n:u:AJo:qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p': cli_sel_pids(&m->sel, optarg); break;
		case 'n': cli_sel_name(&m->sel, optarg); break;
		case 'u': cli_sel_user(&m->sel, optarg); break;
		case OPT_CGROUP: cli_sel_cgroup(&m->sel, optarg); break;
		case 'A': cli_sel_all(&m->sel); break;
		case OPT_NODES: m->nodes_arg = optarg; break;
		case OPT_VMA: parse_vma(m, optarg); break;
		case OPT_MODE:
			if (strcmp(optarg, "auto") == 0)
				m->dopts.mode = DISCARD_AUTO;
			else if (strcmp(optarg, "precise") == 0)
				m->dopts.mode = DISCARD_PRECISE;
			else if (strcmp(optarg, "mapping") == 0)
				m->dopts.mode = DISCARD_MAPPING;
			else
				cli_usage_error("invalid --mode '%s': expected auto, "
						"precise or mapping", optarg);
			break;
		case OPT_THP:
			if (strcmp(optarg, "collapse") == 0)
				m->dopts.thp = DISCARD_THP_COLLAPSE;
			else if (strcmp(optarg, "skip") == 0)
				m->dopts.thp = DISCARD_THP_SKIP;
			else
				cli_usage_error("invalid --thp '%s': expected collapse "
						"or skip", optarg);
			break;
		case OPT_FORCE: m->force = true; break;
		case OPT_DRY_RUN: m->dry_run = true; break;
		case OPT_TIMEOUT:
			if (str_to_seconds(optarg, &m->timeout) < 0 || !(m->timeout > 0))
				cli_usage_error("invalid --timeout '%s': expected "
						"seconds > 0", optarg);
			break;
		case OPT_MAX_STALL: m->dopts.max_stall = cli_parse_stall(optarg); break;
		case 'J': m->json = true; break;
		case 'o': m->columns = optarg; break;
		case OPT_BYTES: m->out_flags |= OUT_BYTES; break;
		case OPT_SYSROOT: m->sysroot = optarg; break;
		case 'q': cli_quiet = true; break;
		case 'h': usage();
		case 'V': cli_version();
		default: cli_getopt_error(argc, argv, c);
		}
	}
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
	int rc;

	cli_setup_sysroot(m->sysroot, !m->dry_run);
	rc = topo_read(&m->topo);
	if (rc < 0) {
		cli_check_tree(rc);
		cli_err("cannot read the NUMA topology: %s", strerror(-rc));
		cli_exit(NS_EXIT_FAIL);
	}
	if (m->nodes_arg) {
		if (nodeset_parse_user(m->nodes_arg, &m->topo.with_memory,
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
	m->table = out_table_new(cols, NCOLS, NULL);
	m->jprocs = json_array();
	if (!m->table || !m->jprocs) {
		cli_err("out of memory");
		cli_exit(NS_EXIT_FAIL);
	}
	if (out_table_columns(m->table, m->columns, DEFAULT_COLS, err, sizeof(err)) < 0)
		cli_usage_error("%s", err);
}

/* ---- report ------------------------------------------------------------ */

static json_t *smaps_json(const struct discard_smaps *s)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "rss", (json_int_t)s->rss,
			 "lazyfree", (json_int_t)s->lazyfree,
			 "anon_huge", (json_int_t)s->anon_huge,
			 "swap", (json_int_t)s->swap);
}

static json_t *warnings_json(unsigned w)
{
	json_t *a = json_array();

	if (w & DISCARD_W_SWAP)
		json_array_append_new(a, json_string("swap"));
	if (w & DISCARD_W_NO_KPF)
		json_array_append_new(a, json_string("no_kpageflags"));
	if (w & DISCARD_W_THP_MAYBE)
		json_array_append_new(a, json_string("thp_blocks_left_out"));
	if (w & DISCARD_W_REWRITTEN)
		json_array_append_new(a, json_string("rewritten"));
	return a;
}

static json_t *nodes_json(const struct discard_set *s, bool applied)
{
	json_t *o = json_object();

	for (int n = 0; n < s->node_slots; n++) {
		const struct discard_node *d = &s->node[n];
		char key[16];
		json_t *j;

		if (!d->found && !d->candidate && !d->skipped)
			continue;
		j = json_pack("{s:I,s:I}", "candidate", (json_int_t)d->candidate,
			      "skipped", (json_int_t)d->skipped);
		json_object_set_new(j, "found", s->exact ?
				    json_integer((json_int_t)d->found) : json_null());
		if (applied) {
			json_object_set_new(j, "discarded", json_integer((json_int_t)d->discarded));
			json_object_set_new(j, "kept", s->exact ?
					    json_integer((json_int_t)d->kept) : json_null());
		}
		snprintf(key, sizeof(key), "%d", n);
		json_object_set_new(o, key, j);
	}
	return o;
}

static void report_json(struct mfd *m, const struct proc_id *id,
			const struct discard_set *s, const struct discard_result *r,
			bool applied, int code, const char *error)
{
	json_t *p = json_pack("{s:i,s:s,s:I,s:s,s:s,s:i}",
			      "pid", (int)id->pid, "comm", id->comm,
			      "start_time", (json_int_t)id->start_time,
			      "status", ns_exit_name(code), "mode",
			      s ? discard_mode_name(s->mode) : "none",
			      "exit_code", code);

	json_object_set_new(p, "error", error ? json_string(error) : json_null());
	if (s && s->mode != DISCARD_AUTO) {
		json_object_set_new(p, "found", json_integer((json_int_t)s->found));
		json_object_set_new(p, "candidate", json_integer((json_int_t)s->candidate));
		json_object_set_new(p, "skipped", json_integer((json_int_t)s->skipped));
		json_object_set_new(p, "nodes", nodes_json(s, applied));
		json_object_set_new(p, "warnings", warnings_json(s->warn));
		json_object_set_new(p, "smaps_before", smaps_json(&s->before));
		json_object_set_new(p, "thp", json_pack("{s:I,s:I}",
			"found", (json_int_t)s->thp_found,
			"skipped", (json_int_t)s->thp_skipped));
	}
	if (s && applied) {
		json_t *thp = json_object_get(p, "thp");

		json_object_set_new(p, "discarded", json_integer((json_int_t)r->discarded));
		json_object_set_new(p, "kept", s->exact ?
				    json_integer((json_int_t)r->kept) : json_null());
		json_object_set_new(p, "advised", json_integer((json_int_t)r->advised));
		struct stall_summary st;

		json_object_set_new(p, "calls", json_integer((json_int_t)r->calls));
		stall_summarize(&r->stall, m->dopts.max_stall, &st);
		json_object_set_new(p, "stall", stall_json(&st));
		json_object_set_new(thp, "discarded", json_integer((json_int_t)r->thp_discarded));
		json_object_set_new(thp, "kept", json_integer((json_int_t)r->thp_kept));
		json_object_set_new(thp, "collapsed", json_integer((json_int_t)r->thp_collapsed));
		json_object_set_new(thp, "collapse_failed", json_integer((json_int_t)r->collapse_failed));
		json_object_set_new(p, "smaps_after_pageout", smaps_json(&r->after_pageout));
		json_object_set_new(p, "smaps_after", smaps_json(&r->after));
	}
	json_array_append_new(m->jprocs, p);
}

static void row_common(struct mfd *m, const struct proc_id *id,
		       const struct discard_set *s, const char *node)
{
	out_row(m->table);
	out_set_int(m->table, "PID", id->pid);
	out_set_str(m->table, "COMM", id->comm);
	out_set_str(m->table, "MODE", discard_mode_name(s->mode));
	out_set_str(m->table, "NODE", node);
}

static void report_table(struct mfd *m, const struct proc_id *id,
			 const struct discard_set *s, const struct discard_result *r,
			 bool applied)
{
	for (int n = 0; n < s->node_slots; n++) {
		const struct discard_node *d = &s->node[n];
		char name[16];

		if (!d->found && !d->candidate && !d->skipped)
			continue;
		snprintf(name, sizeof(name), "%d", n);
		row_common(m, id, s, name);
		if (s->exact)
			out_set_u64(m->table, "FOUND", d->found);
		out_set_u64(m->table, "SKIPPED", d->skipped);
		if (!applied)
			continue;
		out_set_u64(m->table, "DISCARDED", d->discarded);
		if (s->exact)
			out_set_u64(m->table, "KEPT", d->kept);
	}
	row_common(m, id, s, "all");
	out_set_u64(m->table, "FOUND", s->found);
	out_set_u64(m->table, "SKIPPED", s->skipped);
	out_set_u64(m->table, "RSS-BEFORE", s->before.rss);
	out_set_u64(m->table, "AHP-BEFORE", s->before.anon_huge);
	if (!applied)
		return;
	out_set_u64(m->table, "DISCARDED", r->discarded);
	if (s->exact)
		out_set_u64(m->table, "KEPT", r->kept);
	if (s->exact) {   /* THPs are visible in kpageflags only */
		out_set_u64(m->table, "THP-DISC", r->thp_discarded);
		out_set_u64(m->table, "THP-KEPT", r->thp_kept);
		out_set_u64(m->table, "THP-COLL", r->thp_collapsed);
	}
	out_set_u64(m->table, "RSS-AFTER", r->after.rss);
	out_set_u64(m->table, "LAZY-AFTER", r->after.lazyfree);
	out_set_u64(m->table, "AHP-AFTER", r->after.anon_huge);
}

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

static int apply_error(const struct proc_id *id, int rc, char *msg, size_t len)
{
	switch (rc) {
	case -EPERM:
	case -EACCES:
		snprintf(msg, len, "pid %d: process_madvise needs CAP_SYS_NICE "
			 "and ptrace access to the process", (int)id->pid);
		return NS_EXIT_PERM;
	case -ESRCH:
		snprintf(msg, len, "pid %d: the process went away", (int)id->pid);
		return NS_EXIT_FAIL;
	case -ENOSYS:
		snprintf(msg, len, "pid %d: this kernel has no process_madvise "
			 "(5.10+) or pidfd_open (5.3+)", (int)id->pid);
		return NS_EXIT_FAIL;
	default:
		snprintf(msg, len, "pid %d: %s", (int)id->pid, strerror(-rc));
		return NS_EXIT_FAIL;
	}
}

static int find_error(const struct proc_id *id, int rc, char *msg, size_t len)
{
	cli_check_tree(rc);
	switch (rc) {
	case -EOPNOTSUPP:
		snprintf(msg, len, "pid %d: precise mode needs CAP_SYS_ADMIN (PFNs "
			 "and /proc/kpageflags); use --mode mapping", (int)id->pid);
		return NS_EXIT_PERM;
	case -EPERM:
	case -EACCES:
		snprintf(msg, len, "pid %d: cannot read its memory map: needs to run "
			 "as its user or CAP_SYS_PTRACE", (int)id->pid);
		return NS_EXIT_PERM;
	case -ENOENT:
		if (!path_is_live()) {
			snprintf(msg, len, "pid %d: the tree under --sysroot has no "
				 "/proc/%d/pagemap (capture-sysroot --pagemap)",
				 (int)id->pid, (int)id->pid);
			return NS_EXIT_USAGE;
		}
		/* fall through */
	case -ESRCH:
		snprintf(msg, len, "pid %d: the process went away", (int)id->pid);
		return NS_EXIT_FAIL;
	default:
		snprintf(msg, len, "pid %d: cannot read its pages: %s", (int)id->pid,
			 strerror(-rc));
		return NS_EXIT_FAIL;
	}
}

/* The exit code of a run that got going. */
static int result_code(struct mfd *m, const struct discard_set *s,
		       const struct discard_result *r)
{
	if (r->stopped)
		return cli_signal ? cli_signal_exit() : NS_EXIT_TIMEOUT;
	if (r->error && r->discarded == 0 && s->candidate)
		return NS_EXIT_FAIL;
	if (r->error)
		return NS_EXIT_PARTIAL;
	return NS_EXIT_OK;
}

/* *err: the -errno that stopped it before anything was applied, or 0. */
static int run_apply(struct mfd *m, const struct proc_id *id,
		     struct discard_set *s, struct discard_result *r,
		     char *msg, size_t len, int *err)
{
	struct ns_lock lk;
	pid_t holder = 0;
	int pidfd, rc, code;

	pidfd = privs_pidfd_open(id->pid);
	/* the pidfd pins this process; a reused PID is refused here */
	if (pidfd >= 0 && procs_check_same(id) < 0) {
		close(pidfd);
		pidfd = -ESRCH;
	}
	if (pidfd < 0) {
		*err = pidfd;
		return apply_error(id, pidfd, msg, len);
	}
	/* the lock of mmigrate and mplace: never discard pages being moved */
	rc = lock_take(&lk, id->pid, false, &holder);
	if (rc < 0) {
		close(pidfd);
		if (rc == -EBUSY)
			snprintf(msg, len, "pid %d is being moved by another run (pid %d): "
				 "try again later", (int)id->pid, (int)holder);
		else
			snprintf(msg, len, "pid %d: cannot take its lock: %s", (int)id->pid,
				 strerror(-rc));
		return rc == -EBUSY ? NS_EXIT_REFUSED : NS_EXIT_FAIL;
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
		code = apply_error(id, rc, msg, len);
		/* gone (or exec'd) after some pages went: partial, as mmigrate */
		return rc == -ESRCH && r->advised ? NS_EXIT_PARTIAL : code;
	}
	code = result_code(m, s, r);
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
	rc = discard_find(id, &m->dopts, &s);
	if (rc < 0 && cli_sel_left_out(&m->sel, id, rc))
		return MFD_LEFT_OUT;
	if (rc < 0) {
		code = find_error(id, rc, why, sizeof(why));
		cli_err("%s", why);
		report_json(m, id, NULL, NULL, false, code, why);
		return code;
	}
	warn_set(m, &s);
	if (s.warn & DISCARD_W_SWAP && !m->force) {
		snprintf(why, sizeof(why), "pid %d: refusing mapping mode with swap: "
			 "MADV_PAGEOUT would swap out the live pages of its mappings "
			 "with LazyFree (run as root for precise mode, or --force)",
			 (int)id->pid);
		code = NS_EXIT_REFUSED;
	} else if (!m->dry_run && s.candidate &&
		   privs_check(id, PRIV_DISCARD, why, sizeof(why)) < 0) {
		code = NS_EXIT_PERM;
	} else if (!m->dry_run && s.candidate) {
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
	report_json(m, id, &s, &r, applied, code, why[0] ? why : NULL);
	report_table(m, id, &s, &r, applied);
	discard_set_free(&s);
	discard_result_free(&r);
	return code;
}

static int print_report(struct mfd *m, int code)
{
	int rc;

	if (m->json) {
		json_t *doc = json_pack("{s:i,s:s,s:s,s:b,s:o,s:s,s:i}",
			"schema_version", MFD_SCHEMA_VERSION, "tool", "mfree-discard",
			"version", NS_VERSION,
			"dry_run", m->dry_run, "processes", m->jprocs,
			"status", ns_exit_name(code), "exit_code", code);

		m->jprocs = NULL;
		rc = out_print_json(doc, stdout);
		json_decref(doc);
		return rc;
	}
	return out_print_table(m->table, stdout, m->out_flags);
}

int main(int argc, char **argv)
{
	struct mfd m;
	struct proc_list pl = { 0 };
	int code = -1, rc;
	size_t left_out = 0;

	memset(&m, 0, sizeof(m));
	m.dopts.max_stall = STALL_DEFAULT;
	cli_init(argc, argv);
	parse_options(&m, argc, argv);
	setup(&m);
	cli_catch_signals();
	rc = cli_select(&m.sel, &pl);
	if (rc)
		cli_exit(rc);
	for (size_t i = 0; i < pl.n; i++) {
		if (mfd_stop(&m)) {
			code = ns_exit_combine(code, m.timed_out && !cli_signal ?
					       NS_EXIT_TIMEOUT : cli_signal_exit());
			break;
		}
		rc = run_one(&m, &pl.v[i]);
		if (rc == MFD_LEFT_OUT) {
			left_out++;
			continue;
		}
		code = ns_exit_combine(code, rc);
	}
	if (code < 0 && left_out) {
		cli_err("every selected process exited before its turn");
		code = NS_EXIT_FAIL;
	}
	if (cli_signal)
		code = cli_signal_exit();
	print_report(&m, code);
	out_table_free(m.table);
	json_decref(m.jprocs);
	procs_list_free(&pl);
	cli_sel_free(&m.sel);
	topo_free(&m.topo);
	cli_exit(code);
}
