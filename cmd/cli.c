/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "optval.h"
#include "path.h"
#include "select.h"
#include "strutil.h"
#include "sysinfo.h"

const char *cli_prog = "numashift";
bool cli_quiet;
volatile sig_atomic_t cli_signal;

/* A tool started with fd 0, 1 or 2 closed would hand that number to the
 * next file it opens (a lock file, a plan, a /proc file) and then print its
 * report into it: put /dev/null there first. */
static void cli_safe_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			_exit(NS_EXIT_FAIL);    /* no /dev/null: nowhere safe to print */
	}
}

void cli_init(int argc, char **argv)
{
	const char *p;

	cli_safe_fds();
	if (argc > 0 && argv[0]) {
		p = strrchr(argv[0], '/');
		cli_prog = p ? p + 1 : argv[0];
	}
	signal(SIGPIPE, SIG_IGN);
}

/* One line on stderr, whatever the names and arguments in it hold: control
 * characters (a COMM with ESC, an argument with a newline) are escaped. */
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096], safe[4096];

	fflush(stdout);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", cli_prog, prefix, str_escape(msg, safe, sizeof(safe)));
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (cli_quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

_Noreturn void cli_usage_error(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_err("%s (try '%s --help')", msg, cli_prog);
	exit(NS_EXIT_USAGE);
}

_Noreturn void cli_getopt_error(int argc, char **argv, int c)
{
	const char *arg = (optind > 0 && optind <= argc) ? argv[optind - 1] : "";
	char msg[4096];

	optval_getopt_error(c, arg, optopt, msg, sizeof(msg));
	cli_usage_error("%s", msg);
}

/* Warnings about one file: the first CLI_WARN_MAX, then a count (a garbled
 * file must not bury the terminal under millions of lines). */
#define CLI_WARN_MAX 10
static char warn_file[256];
static unsigned long warn_count;

static void cli_maps_warn_flush(void)
{
	if (warn_count > CLI_WARN_MAX)
		cli_warn("%s: %lu more warnings", warn_file, warn_count - CLI_WARN_MAX);
	warn_file[0] = '\0';
	warn_count = 0;
}

void cli_maps_warn(void *ud, const char *file, unsigned line, const char *msg)
{
	(void)ud;
	if (strncmp(file, warn_file, sizeof(warn_file) - 1) != 0) {
		cli_maps_warn_flush();
		snprintf(warn_file, sizeof(warn_file), "%s", file);
	}
	if (++warn_count <= CLI_WARN_MAX)
		cli_warn("%s:%u: %s", file, line, msg);
}

void cli_setup_sysroot(const char *opt, bool changes_things)
{
	const char *root = opt ? opt : getenv("NUMASHIFT_SYSROOT");
	char err[4096];

	if (path_use_root(root, changes_things, err, sizeof(err)) < 0)
		cli_usage_error("%s", err);
}

/* A refused file of the tree is said once, by whoever sees it first. */
static bool tree_said;

static bool cli_tree_refused(void)
{
	if (tree_said || !*path_refused())
		return false;
	tree_said = true;
	cli_err("%s: --sysroot '%s' is not a captured tree", path_refused(), path_root());
	return true;
}

void cli_check_tree(int rc)
{
	/* also a refusal that a reader of an optional file passed over */
	if ((rc == -PATH_ENOTCAPTURE || *path_refused()) && cli_tree_refused())
		cli_exit(NS_EXIT_USAGE);
}

void cli_check_value(int rc, const char *err)
{
	if (rc == -ENOMEM) {
		cli_err("out of memory");
		cli_exit(NS_EXIT_FAIL);
	}
	if (rc < 0)
		cli_usage_error("%s", err);
}

/* An integer option value in [min, max]; usage error naming the option. */
static int cli_parse_int(const char *name, const char *arg, int min, int max)
{
	char err[300];
	int v = 0;

	cli_check_value(optval_int(name, arg, min, max, &v, err, sizeof(err)), err);
	return v;
}

void cli_exec_init(struct cli_exec *e)
{
	memset(e, 0, sizeof(*e));
	exec_opts_init(&e->xo);
	e->go.min_free_pct = 5;
}

bool cli_budget_option(int c, const char *arg, double *timeout, double *max_stall)
{
	switch (c) {
	case CLI_OPT_TIMEOUT:
		*timeout = cli_parse_timeout(arg);
		return true;
	case CLI_OPT_MAX_STALL:
		*max_stall = cli_parse_stall(arg);
		return true;
	default:
		return false;
	}
}

bool cli_exec_option(struct cli_exec *e, int c, const char *arg)
{
	char err[300];

	switch (c) {
	case CLI_OPT_THREADS:
		cli_check_value(optval_threads(arg, &e->xo.threads, err, sizeof(err)), err);
		e->threads_set = true;
		return true;
	case CLI_OPT_BATCH:
		e->xo.batch = (size_t)cli_parse_int("--batch", arg, 1, 1 << 20);
		e->xo.batch_given = true;
		return true;
	case CLI_OPT_RATE:
		cli_check_value(optval_rate(arg, &e->xo.rate, err, sizeof(err)), err);
		e->rate_set = true;
		return true;
	case CLI_OPT_NICE:
		cli_check_value(optval_nice(arg, &e->xo.renice, &e->xo.nice, err, sizeof(err)), err);
		e->xo.nice_auto = !e->xo.renice;
		return true;
	case CLI_OPT_RETRIES:
		e->xo.retries = cli_parse_int("--retries", arg, 0, 1000);
		return true;
	case CLI_OPT_MOVE_ALL:
		e->xo.move_all = e->go.move_all = true;
		return true;
	case CLI_OPT_MIN_FREE:
		cli_check_value(optval_min_free(arg, &e->go, err, sizeof(err)), err);
		return true;
	default:
		return cli_budget_option(c, arg, &e->timeout, &e->xo.max_stall);
	}
}

/* -V: the version line, exit 0. */
_Noreturn static void cli_version(void)
{
	printf("%s (numashift) %s\n", cli_prog, NS_VERSION);
	cli_exit(0);
}

bool cli_run_option(struct cli_run *r, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_DRY_RUN: r->dry_run = true; return true;
	case CLI_OPT_FORCE: r->force = true; return true;
	case CLI_OPT_WAIT: r->wait = true; return true;
	case CLI_OPT_SYSROOT: r->sysroot = arg; return true;
	case 'q': cli_quiet = true; return true;
	case 'V': cli_version();
	default: return false;
	}
}

bool cli_out_option(struct cli_out *o, int c, const char *arg)
{
	switch (c) {
	case 'o': o->columns = arg; return true;
	case 'O': o->all = true; return true;
	case 'H': o->list = true; return true;
	case 'J': o->json = true; return true;
	case 'r': o->flags |= OUT_RAW; return true;
	case 'b': o->flags |= OUT_BYTES; return true;
	case CLI_OPT_NOHEADINGS: o->flags |= OUT_NOHEADINGS; return true;
	default: return false;
	}
}

void cli_out_help(void)
{
	printf("Output:\n"
	       "  -o, --output COLS      table columns, comma separated (+COLS adds)\n"
	       "  -O, --output-all       every column\n"
	       "  -H, --list-columns     list the columns and exit\n"
	       "      --noheadings       no heading line\n"
	       "  -r, --raw              one space between cells, no padding\n"
	       "  -J, --json             JSON (docs/json.md)\n"
	       "  -b, --bytes            sizes in bytes, not 1.5G\n");
}

void cli_out_columns(const struct cli_out *o, struct out_table *t, const char *defaults)
{
	char err[256];
	int rc;

	if (o->all)
		rc = out_table_all_columns(t);
	else
		rc = out_table_columns(t, o->columns, defaults, err, sizeof(err));
	cli_check_value(rc, err);
}

_Noreturn void cli_out_list_columns(const struct col_desc *const *sets, const int *n,
				    const char *const *titles, int nsets)
{
	for (int i = 0; i < nsets; i++) {
		if (titles && titles[i])
			printf("%s%s:\n", i ? "\n" : "", titles[i]);
		out_print_columns_help(sets[i], n[i], stdout);
	}
	cli_exit(0);
}

double cli_parse_timeout(const char *arg)
{
	char err[300];
	double v = 0;

	cli_check_value(optval_timeout(arg, &v, err, sizeof(err)), err);
	return v;
}

void cli_parse_vma(struct plan_vma *v, size_t *n, const char *arg)
{
	char err[300];

	if (*n == CLI_MAX_VMA)
		cli_usage_error("too many --vma options (at most %d)", CLI_MAX_VMA);
	if (plan_vma_parse(arg, &v[*n], err, sizeof(err)) < 0)
		cli_usage_error("%s", err);
	(*n)++;
}

void cli_topology(struct ns_topology *t, bool full)
{
	int rc = full ? topo_read(t) : topo_read_ids(t);

	if (rc < 0) {
		cli_check_tree(rc);
		cli_err("cannot read the NUMA topology: %s", strerror(-rc));
		cli_exit(NS_EXIT_FAIL);
	}
}

double cli_parse_stall(const char *arg)
{
	char err[300];
	double v = 0;

	cli_check_value(optval_stall(arg, &v, err, sizeof(err)), err);
	return v;
}

void cli_exec_allowed(const struct cli_exec *e)
{
	char err[256];

	if (exec_opts_allowed(&e->xo, err, sizeof(err)) < 0) {
		cli_err("%s", err);
		cli_exit(NS_EXIT_PERM);
	}
}

void cli_exec_start(struct cli_exec *e)
{
	if (e->timeout > 0)
		e->xo.deadline = sys_now() + e->timeout;
}

bool cli_sel_option(struct cli_sel *s, int c, const char *arg)
{
	char err[300];
	int rc;

	switch (c) {
	case 'p': rc = select_add_pids(&s->sel, arg, err, sizeof(err)); break;
	case 'n': rc = select_add_name(&s->sel, arg, err, sizeof(err)); break;
	case 'u': rc = select_add_user(&s->sel, arg, err, sizeof(err)); break;
	case CLI_OPT_CGROUP: rc = select_set_cgroup(&s->sel, arg, err, sizeof(err)); break;
	case 'A': s->sel.all = true; rc = 0; break;
	default: return false;
	}
	cli_check_value(rc, err);
	s->any = true;
	return true;
}

int cli_select(struct cli_sel *s, struct proc_list *out)
{
	char msg[512];
	int rc = 0;
	int code = select_run(&s->sel, out, &rc, msg, sizeof(msg));

	cli_check_tree(rc);
	if (code)
		cli_err("%s", msg);
	return code;
}

void cli_sel_free(struct cli_sel *s)
{
	select_free(&s->sel);
	s->any = false;
}

static void on_signal(int sig)
{
	cli_signal = sig;
}

void cli_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cli_signal_exit(void)
{
	return ns_exit_from_signal(cli_signal);
}

_Noreturn void cli_exit(int code)
{
	cli_maps_warn_flush();
	if (cli_tree_refused())
		code = NS_EXIT_USAGE;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE) {
			cli_err("write error: %s", strerror(errno));
			if (code == 0)
				code = NS_EXIT_FAIL;
		}
	}
	/* stdout may be a closed pipe: do not let exit's flush complain */
	fclose(stdout);
	exit(code);
}
