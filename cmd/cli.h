/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* cli: what the four commands share at the command layer: messages with the
 * program name, usage errors, --sysroot, process selection options, signals,
 * and the end of output.  Only cmd/ prints and exits; common/ returns errors.
 */
#ifndef NS_CLI_H
#define NS_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include "exec.h"
#include "exitcode.h"
#include "guard.h"
#include "nodes.h"
#include "output.h"
#include "procs.h"

extern const char *cli_prog;
extern bool cli_quiet;                     /* -q: no warnings, no progress */
extern volatile sig_atomic_t cli_signal;   /* SIGINT/SIGTERM received, or 0 */

/* fds 0-2 opened on /dev/null when closed (so no file the tool opens gets
 * one of them); program name from argv[0]; SIGPIPE ignored (a closed pipe
 * is handled at cli_exit). */
void cli_init(int argc, char **argv);

/* "prog: message" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: warning: message", unless -q. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: message (try 'prog --help')" and exit 2. */
_Noreturn void cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* For getopt_long with a leading ':' in optstring: c is its return value
 * (':' missing argument, '?' unknown option).  Names the option, exit 2. */
_Noreturn void cli_getopt_error(int argc, char **argv, int c);

/* maps_warn_fn that prints "prog: warning: FILE:LINE: MSG" unless -q: the
 * first 10 of a file, then "FILE: N more warnings". */
void cli_maps_warn(void *ud, const char *file, unsigned line, const char *msg);

/* Apply --sysroot (opt may be NULL; then NUMASHIFT_SYSROOT).  A bad root
 * is a usage error (exit 2).  changes_things: a tool that would act on the
 * live machine refuses to run under a sysroot. */
void cli_setup_sysroot(const char *opt, bool changes_things);

/* rc from a reader: when it (or an earlier reader that passed over an
 * optional file) found a file of the --sysroot tree that is not a regular
 * file of sane size (-PATH_ENOTCAPTURE), names the file and exits 2: the tree
 * is not a capture.  Otherwise returns.  cli_exit makes the same check. */
void cli_check_tree(int rc);

/* Process selection options, shared by all tools. */
struct cli_sel {
	struct proc_sel sel;
	bool any;   /* some selection option was given */
};
/* The selection options of mscan, mmigrate and mfree-discard: CLI_SEL_SHORT
 * in the optstring, CLI_SEL_LONG_OPTIONS in the table, and cli_sel_option
 * first in the option loop (true: it was one of them). */
#define CLI_SEL_SHORT "p:n:u:A"
enum { CLI_OPT_CGROUP = 0x1200 };
#define CLI_SEL_LONG_OPTIONS \
	{ "pid",    required_argument, NULL, 'p' }, \
	{ "name",   required_argument, NULL, 'n' }, \
	{ "user",   required_argument, NULL, 'u' }, \
	{ "cgroup", required_argument, NULL, CLI_OPT_CGROUP }, \
	{ "all",    no_argument,       NULL, 'A' }
bool cli_sel_option(struct cli_sel *s, int c, const char *arg);
/* Resolve the selection (select_run); on error prints its line and returns
 * the exit code (1 no such process / none matched, 2 bad selection, 4
 * permission); 0 on success. */
int cli_select(struct cli_sel *s, struct proc_list *out);
void cli_sel_free(struct cli_sel *s);

/* The machine's NUMA topology (full: every fact of the nodes; else the
 * node ids alone); one line and exit 1 (2 for a tree that is not a capture)
 * when it cannot be read. */
void cli_topology(struct ns_topology *t, bool full);
/* --vma SPEC (repeatable): appended to v[*n] (at most max); usage error
 * naming the bad spec. */
#define CLI_MAX_VMA 64
void cli_parse_vma(struct plan_vma *v, size_t *n, const char *arg);
enum { CLI_OPT_VMA = 0x1400 };
#define CLI_VMA_LONG_OPTIONS { "vma", required_argument, NULL, CLI_OPT_VMA }
/* --timeout SECS: seconds > 0; usage error otherwise. */
double cli_parse_timeout(const char *arg);

/* The output options of every tool, as util-linux's lsblk, lsmem and
 * findmnt have them: -o/--output COLS (+COLS adds to the defaults),
 * -O/--output-all, -H/--list-columns, --noheadings, -r/--raw, -J/--json,
 * -b/--bytes.  (-n stays --name, the process selection every tool had
 * first: --noheadings has no short form; see numashift(7).)  Put
 * CLI_OUT_SHORT in the optstring and CLI_OUT_LONG_OPTIONS in the table. */
#define CLI_OUT_SHORT "o:OHrJb"
enum { CLI_OPT_NOHEADINGS = 0x1100 };
#define CLI_OUT_LONG_OPTIONS \
	{ "output",       required_argument, NULL, 'o' }, \
	{ "output-all",   no_argument,       NULL, 'O' }, \
	{ "list-columns", no_argument,       NULL, 'H' }, \
	{ "noheadings",   no_argument,       NULL, CLI_OPT_NOHEADINGS }, \
	{ "raw",          no_argument,       NULL, 'r' }, \
	{ "json",         no_argument,       NULL, 'J' }, \
	{ "bytes",        no_argument,       NULL, 'b' }
struct cli_out {
	const char *columns;     /* -o */
	bool all;                /* -O */
	bool list;               /* -H: print the columns and exit */
	bool json;               /* -J */
	unsigned flags;          /* OUT_BYTES, OUT_NOHEADINGS, OUT_RAW */
};
/* Take option c if it is one of them; false otherwise. */
bool cli_out_option(struct cli_out *o, int c, const char *arg);
/* --help's lines for them (one block, the same in every tool). */
void cli_out_help(void);
/* Select t's columns as asked (defaults: the tool's default list, NULL
 * for all); a bad column is a usage error naming it. */
void cli_out_columns(const struct cli_out *o, struct out_table *t, const char *defaults);
/* -H: "NAME  help" of each column set, headed by its title when there are
 * several (title NULL for one), then exit 0. */
_Noreturn void cli_out_list_columns(const struct col_desc *const *sets, const int *n,
				    const char *const *titles, int nsets);

/* The options every tool has (CLI_STD_LONG_OPTIONS: --sysroot DIR, -q,
 * -h, -V; "qhV" in the optstring) and those of the tools that change
 * processes (CLI_RUN_LONG_OPTIONS: --dry-run, --force, --wait).
 * cli_run_option takes them but -h, which is the tool's usage(). */
enum { CLI_OPT_DRY_RUN = 0x1300, CLI_OPT_FORCE, CLI_OPT_WAIT, CLI_OPT_SYSROOT };
#define CLI_RUN_LONG_OPTIONS \
	{ "dry-run", no_argument,       NULL, CLI_OPT_DRY_RUN }, \
	{ "force",   no_argument,       NULL, CLI_OPT_FORCE }, \
	{ "wait",    no_argument,       NULL, CLI_OPT_WAIT }
#define CLI_STD_LONG_OPTIONS \
	{ "sysroot", required_argument, NULL, CLI_OPT_SYSROOT }, \
	{ "quiet",   no_argument,       NULL, 'q' }, \
	{ "help",    no_argument,       NULL, 'h' }, \
	{ "version", no_argument,       NULL, 'V' }
struct cli_run {
	bool dry_run, force, wait;
	const char *sysroot;     /* --sysroot: a captured tree */
};
/* Take option c if it is one of them (-q sets cli_quiet, -V prints the
 * version and exits); false otherwise. */
bool cli_run_option(struct cli_run *r, int c, const char *arg);

/* rc of a core function that checked a value the user gave (an option's
 * value, a column list): -ENOMEM "out of memory" and exit 1; another error
 * a usage error with err, the reason; 0 returns. */
void cli_check_value(int rc, const char *err);

/* The execution options that mmigrate and mplace share: one parser, one set
 * of limits.  Put CLI_EXEC_LONG_OPTIONS in the tool's option table. */
enum {
	CLI_OPT_THREADS = 0x1000, CLI_OPT_BATCH, CLI_OPT_RATE, CLI_OPT_NICE,
	CLI_OPT_RETRIES, CLI_OPT_MOVE_ALL, CLI_OPT_TIMEOUT, CLI_OPT_MIN_FREE,
	CLI_OPT_MAX_STALL,
};
#define CLI_EXEC_LONG_OPTIONS \
	{ "threads",  required_argument, NULL, CLI_OPT_THREADS }, \
	{ "batch",    required_argument, NULL, CLI_OPT_BATCH }, \
	{ "rate",     required_argument, NULL, CLI_OPT_RATE }, \
	{ "nice",     required_argument, NULL, CLI_OPT_NICE }, \
	{ "retries",  required_argument, NULL, CLI_OPT_RETRIES }, \
	{ "move-all", no_argument,       NULL, CLI_OPT_MOVE_ALL }, \
	{ "min-free", required_argument, NULL, CLI_OPT_MIN_FREE }, \
	CLI_BUDGET_LONG_OPTIONS
/* --timeout and --max-stall, of every tool that acts on a process's memory
 * (CLI_EXEC_LONG_OPTIONS has them; mfree-discard takes them alone):
 * cli_budget_option takes them. */
#define CLI_BUDGET_LONG_OPTIONS \
	{ "timeout",   required_argument, NULL, CLI_OPT_TIMEOUT }, \
	{ "max-stall", required_argument, NULL, CLI_OPT_MAX_STALL }

struct cli_exec {
	struct exec_opts xo;     /* --threads --batch --rate --nice --retries --move-all */
	struct guard_opts go;    /* --min-free (default 5%), move_all */
	double timeout;          /* --timeout seconds, 0 = none */
	bool threads_set, rate_set;
};
/* Defaults: exec_opts_init, --min-free 5%. */
void cli_exec_init(struct cli_exec *e);
/* Take option c if it is one of the shared ones; false otherwise. */
bool cli_exec_option(struct cli_exec *e, int c, const char *arg);
/* Take option c if it is --timeout (seconds into *timeout) or --max-stall
 * (seconds into *max_stall); a bad value is a usage error; false otherwise. */
bool cli_budget_option(int c, const char *arg, double *timeout, double *max_stall);
/* --max-stall DURATION: seconds from STALL_MIN to STALL_MAX, written as
 * --timeout's values are (20ms, 0.05, 1s); a usage error otherwise. */
double cli_parse_stall(const char *arg);
/* Before anything changes: what the options ask that this process may not
 * do (exec_opts_allowed) is one line and exit 4. */
void cli_exec_allowed(const struct cli_exec *e);
/* Turn --timeout into the executor's deadline, counted from now. */
void cli_exec_start(struct cli_exec *e);

/* Catch SIGINT/SIGTERM into cli_signal (work stops at the next batch). */
void cli_catch_signals(void);
/* The exit code a caught signal asks for (130/143), or 0. */
int cli_signal_exit(void);

/* Flush stdout; a closed pipe ends quietly; another write error is
 * reported and turns an exit code of 0 into 1.  Then exit(code). */
_Noreturn void cli_exit(int code);

#endif
