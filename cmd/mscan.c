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
#include "scan.h"
#include "strutil.h"

#define MSCAN_SCHEMA_VERSION 1

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
	const char *sysroot;
	double watch;               /* seconds between scans, 0: once */
	bool kpf_warned;
	bool select_failed;         /* the last pass found no process to read */

	struct ns_topology topo;
	struct ns_nodeset shown;    /* nodes that get a column */
};

/* ---- columns ------------------------------------------------------------- */

static const struct col_desc proc_cols[] = {
	{ "PID",      "pid",            COL_INT,   COL_LABEL,  "process id" },
	{ "COMM",     "comm",           COL_STR,   COL_LABEL,  "command name" },
	{ "UID",      "uid",            COL_INT,   COL_NOPROM, "real user id" },
	{ "NODES",    "node_bytes",     COL_NODES, 0,          "resident bytes on each node" },
	{ "TOTAL",    "total_bytes",    COL_BYTES, 0,          "resident bytes on all nodes" },
	{ "MAIN",     "main_node",      COL_INT,   COL_NOPROM, "node holding most of it" },
	{ "THP",      "thp_bytes",      COL_BYTES, 0,          "bytes in transparent huge pages (AnonHugePages)" },
	{ "LAZYFREE", "lazyfree_bytes", COL_BYTES, 0,          "bytes freed lazily with MADV_FREE, still resident" },
	{ "SWAP",     "swap_bytes",     COL_BYTES, 0,          "bytes swapped out" },
	{ "RSS",      "rss_bytes",      COL_BYTES, 0,          "resident set size from smaps" },
	{ "CGROUP",   "cgroup",         COL_STR,   0,          "cgroup v2 path (/proc/PID/cgroup)" },
};
#define PROC_NCOLS ((int)(sizeof(proc_cols) / sizeof(proc_cols[0])))
#define PROC_DEFAULT "PID,COMM,NODES,TOTAL,MAIN"
#define PROC_LONG    "PID,COMM,NODES,TOTAL,MAIN,THP,LAZYFREE,SWAP"

static const struct col_desc map_cols[] = {
	{ "PID",      "pid",            COL_INT,   COL_LABEL,  "process id" },
	{ "START",    "start",          COL_ADDR,  COL_LABEL,  "first address (hex in tables)" },
	{ "END",      "end",            COL_ADDR,  0,          "address after the last" },
	{ "PERMS",    "perms",          COL_STR,   0,          "permissions (rwxp/s)" },
	{ "KIND",     "kind",           COL_STR,   0,          "anon, heap, stack, file, shm, hugetlb or special" },
	{ "PATH",     "path",           COL_STR,   0,          "mapped file or [name]" },
	{ "SIZE",     "size_bytes",     COL_BYTES, 0,          "virtual size" },
	{ "NODES",    "node_bytes",     COL_NODES, 0,          "resident bytes on each node" },
	{ "TOTAL",    "total_bytes",    COL_BYTES, 0,          "resident bytes on all nodes" },
	{ "THP",      "thp_bytes",      COL_BYTES, 0,          "bytes in transparent huge pages" },
	{ "LAZYFREE", "lazyfree_bytes", COL_BYTES, 0,          "lazily freed bytes" },
	{ "SWAP",     "swap_bytes",     COL_BYTES, 0,          "bytes swapped out" },
	{ "RSS",      "rss_bytes",      COL_BYTES, 0,          "resident set size from smaps" },
	{ "PAGESIZE", "page_size",      COL_BYTES, COL_NOPROM, "kernel page size of the mapping" },
	{ "POLICY",   "policy",         COL_STR,   0,          "NUMA memory policy" },
};
#define MAP_NCOLS ((int)(sizeof(map_cols) / sizeof(map_cols[0])))
#define MAP_DEFAULT "START,END,PERMS,KIND,PATH,SIZE,NODES,THP,LAZYFREE,SWAP,POLICY"

static const struct col_desc run_cols[] = {
	{ "PID",      "pid",            COL_INT,   COL_LABEL,  "process id" },
	{ "START",    "start",          COL_ADDR,  COL_LABEL,  "address of the first page" },
	{ "END",      "end",            COL_ADDR,  0,          "address after the last page" },
	{ "PAGES",    "pages",          COL_COUNT, 0,          "number of base pages" },
	{ "SIZE",     "size_bytes",     COL_BYTES, 0,          "bytes in the run" },
	{ "NODE",     "node",           COL_INT,   COL_NOPROM, "node of the pages (present pages)" },
	{ "STATE",    "state",          COL_STR,   0,          "present, swapped or absent" },
	{ "EXCL",     "exclusive",      COL_BOOL,  0,          "mapped by this process only (present pages)" },
	{ "FILE",     "file",           COL_BOOL,  0,          "file page or shared anonymous page" },
	{ "THP",      "thp",            COL_BOOL,  0,          "part of a transparent huge page (root)" },
	{ "LAZYFREE", "lazyfree",       COL_BOOL,  0,          "lazily freed page (root)" },
	{ "ZERO",     "zero_page",      COL_BOOL,  0,          "the shared zero page, not counted as resident (root)" },
	{ "PFN",      "pfn",            COL_ADDR,  COL_NOPROM, "page frame number of the first page (root)" },
	{ "KIND",     "kind",           COL_STR,   0,          "kind of the mapping" },
	{ "PATH",     "path",           COL_STR,   0,          "mapped file or [name]" },
};
#define RUN_NCOLS ((int)(sizeof(run_cols) / sizeof(run_cols[0])))
#define RUN_DEFAULT "START,PAGES,SIZE,NODE,STATE,EXCL,THP,LAZYFREE"

static const struct col_desc node_cols[] = {
	{ "NODE",     "node",            COL_INT,   COL_LABEL,  "node id" },
	{ "CPUS",     "cpus",            COL_STR,   0,          "CPUs of the node" },
	{ "NCPUS",    "cpu_count",       COL_COUNT, 0,          "number of CPUs" },
	{ "TOTAL",    "total_bytes",     COL_BYTES, 0,          "memory of the node" },
	{ "FREE",     "free_bytes",      COL_BYTES, 0,          "free memory of the node" },
	{ "FREETHP",  "free_thp_blocks", COL_COUNT, 0,          "free blocks of THP size (buddyinfo)" },
	{ "MEMONLY",  "memory_only",     COL_BOOL,  0,          "memory without CPUs (CXL, PMEM)" },
	{ "DISTANCES", "distances",      COL_STR,   0,          "distance to each node, in node order" },
};
#define NODE_NCOLS ((int)(sizeof(node_cols) / sizeof(node_cols[0])))
#define NODE_DEFAULT "NODE,CPUS,TOTAL,FREE,FREETHP,MEMONLY,DISTANCES"

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
	printf("\nProcess columns (default %s):\n", PROC_DEFAULT);
	out_print_columns_help(proc_cols, PROC_NCOLS, stdout);
	printf("\nMapping columns (-m; default %s):\n", MAP_DEFAULT);
	out_print_columns_help(map_cols, MAP_NCOLS, stdout);
	printf("\nPage run columns (--pages; default %s):\n", RUN_DEFAULT);
	out_print_columns_help(run_cols, RUN_NCOLS, stdout);
	printf("\nNode columns (--topology; default %s):\n", NODE_DEFAULT);
	out_print_columns_help(node_cols, NODE_NCOLS, stdout);
	printf("\nExit status: 0 ok, 1 no such process or nothing read, 2 usage, "
	       "3 some processes read and some not,\n4 permission denied, 130/143 "
	       "interrupted.  Environment: NUMASHIFT_SYSROOT as --sysroot.\n");
	cli_exit(0);
}

/* ---- options ------------------------------------------------------------- */

enum {
	OPT_PAGES = 256, OPT_TOPOLOGY, OPT_PROM, OPT_PROM_BY, OPT_WATCH, OPT_SYSROOT,
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
	{ "quiet",      no_argument,       NULL, 'q' },
	{ "sysroot",    required_argument, NULL, OPT_SYSROOT },
	{ "help",       no_argument,       NULL, 'h' },
	{ "version",    no_argument,       NULL, 'V' },
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
	const struct col_desc *sets[] = { m->topology ? node_cols : proc_cols, map_cols, run_cols };
	const int n[] = { m->topology ? NODE_NCOLS : PROC_NCOLS, MAP_NCOLS, RUN_NCOLS };
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
		if (cli_sel_option(&m->sel, c, optarg) || cli_out_option(&out, c, optarg))
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
		case 'q': cli_quiet = true; break;
		case OPT_SYSROOT: m->sysroot = optarg; break;
		case 'h': usage();
		case 'V': cli_version();
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

/* A column the rendering will show (JSON and Prometheus show them all). */
static bool wanted(const struct mscan *m, const struct out_table *t, const char *col)
{
	return !table_text(m) || out_column_selected(t, col);
}

static void set_nodes(const struct mscan *m, struct out_table *t, const char *col,
		      const uint64_t *bytes, int slots)
{
	int n;

	/* every shown node, so the cell exists even with nothing resident */
	nodeset_foreach(n, &m->shown)
		out_set_node(t, col, n, n < slots ? bytes[n] : 0);
	for (n = 0; n < slots; n++)
		if (bytes[n] && !nodeset_has(&m->shown, n))
			out_set_node(t, col, n, bytes[n]);
}

static void proc_identity(const struct mscan *m, struct out_table *t,
			  const struct proc_id *id)
{
	char cg[4096];

	out_row(t);
	out_set_int(t, "PID", id->pid);
	out_set_str(t, "COMM", id->comm);
	out_set_int(t, "UID", id->uid);
	/* gone meanwhile, or cgroup v1 only: the cell stays empty */
	if (m->need_cgroup && procs_cgroup(id->pid, cg, sizeof(cg)) == 0)
		out_set_str(t, "CGROUP", cg);
}

static void proc_row(const struct mscan *m, struct out_table *t, const struct scan_proc *s)
{
	int main_node = scan_main_node(s);

	proc_identity(m, t, &s->id);
	set_nodes(m, t, "NODES", s->node_bytes, s->node_slots);
	out_set_u64(t, "TOTAL", s->total);
	if (main_node >= 0)
		out_set_int(t, "MAIN", main_node);
	if (!(s->have & (SCAN_ROLLUP | SCAN_SMAPS)))
		return;
	out_set_u64(t, "THP", s->rollup.anon_huge);
	out_set_u64(t, "LAZYFREE", s->rollup.lazyfree);
	out_set_u64(t, "SWAP", s->rollup.swap);
	out_set_u64(t, "RSS", s->rollup.rss);
}

static void mapping_row(const struct mscan *m, struct out_table *t, pid_t pid,
			const struct mapping *mp)
{
	uint64_t total = 0;

	out_row(t);
	out_set_int(t, "PID", pid);
	out_set_u64(t, "START", mp->start);
	out_set_u64(t, "END", mp->end);
	out_set_u64(t, "SIZE", mp->end - mp->start);
	out_set_str(t, "KIND", map_kind_name(mp->kind));
	out_set_str(t, "PATH", mp->path);
	if (mp->perms[0])
		out_set_str(t, "PERMS", mp->perms);
	if (mp->have & MAP_F_NUMA) {
		set_nodes(m, t, "NODES", NULL, 0);
		for (int n = 0; n < mp->node_slots; n++) {
			uint64_t b = mapping_node_bytes(mp, n);

			if (b || nodeset_has(&m->shown, n))
				out_set_node(t, "NODES", n, b);
			total += b;
		}
		out_set_u64(t, "TOTAL", total);
		out_set_str(t, "POLICY", mp->policy);
	}
	if (mp->page_size)
		out_set_u64(t, "PAGESIZE", mp->page_size);
	if (mp->have & MAP_F_SMAPS) {
		out_set_u64(t, "THP", mp->anon_huge);
		out_set_u64(t, "LAZYFREE", mp->lazyfree);
		out_set_u64(t, "SWAP", mp->swap);
		out_set_u64(t, "RSS", mp->rss);
	}
}

static void node_row(struct out_table *t, const struct ns_topology *topo,
		     const struct ns_node *nd)
{
	char dist[1024];
	size_t off = 0;

	out_row(t);
	out_set_int(t, "NODE", nd->id);
	out_set_str(t, "CPUS", nd->cpulist);
	out_set_u64(t, "NCPUS", (uint64_t)nd->ncpus);
	out_set_u64(t, "TOTAL", nd->mem_total);
	out_set_u64(t, "FREE", nd->mem_free);
	if (topo->thp_size)
		out_set_u64(t, "FREETHP", nd->thp_blocks_free);
	out_set_bool(t, "MEMONLY", nd->has_memory && !nd->has_cpu);
	dist[0] = '\0';
	for (int k = 0; k < nd->ndistance && off < sizeof(dist) - 16; k++)
		off += (size_t)snprintf(dist + off, sizeof(dist) - off, "%s%d",
					k ? "," : "", nd->distance[k]);
	if (nd->ndistance > 0)
		out_set_str(t, "DISTANCES", dist);
}

/* ---- one pass ------------------------------------------------------------ */

/* Everything one pass produces, rendered at its end. */
struct mscan_pass {
	struct out_table *procs;      /* summary rows (every view but --topology alone) */
	struct out_table *detail;     /* mappings or runs */
	struct out_table *nodes;      /* --topology */
	json_t *errors;               /* processes not read: [{pid, comm, error, message}] */
	size_t nprocs;                /* processes selected */
	const struct cli_sel *sel;    /* how they were selected */
	size_t left_out;              /* found by a filter, gone before read */
	int code;                     /* combined exit code of the processes */
};

static void pass_error(struct mscan_pass *p, const struct proc_id *id, int code,
		       const char *kind, const char *msg)
{
	json_array_append_new(p->errors, outcome_error_json(id, kind, msg, code));
	p->code = ns_exit_combine(p->code, code);
}

/* Report a process that could not be read and fold its exit code in. */
static void proc_failed(struct mscan_pass *p, const struct proc_id *id, int rc,
			const char *what)
{
	char msg[256];

	cli_check_tree(rc);
	if (cli_sel_left_out(p->sel, id, rc)) {
		p->left_out++;
		return;
	}
	if (id->missing) {      /* named with -p beside others: it counts */
		snprintf(msg, sizeof(msg), "no such process: %d", (int)id->pid);
		cli_err("%s", msg);
		pass_error(p, id, NS_EXIT_FAIL, "gone", msg);
		return;
	}
	if (rc == -ESRCH || rc == -ENOENT) {
		snprintf(msg, sizeof(msg), "process %d (%s) went away", (int)id->pid, id->comm);
		/* among several a warning; alone it is the whole outcome */
		if (p->nprocs > 1)
			cli_warn("%s", msg);
		else
			cli_err("%s", msg);
		pass_error(p, id, NS_EXIT_FAIL, "gone", msg);
		return;
	}
	if (rc == -EACCES || rc == -EPERM) {
		snprintf(msg, sizeof(msg), "cannot read %s of process %d (%s): permission "
			 "denied (needs ptrace read access: same user or CAP_SYS_PTRACE)",
			 what, (int)id->pid, id->comm);
		cli_err("%s", msg);
		pass_error(p, id, NS_EXIT_PERM, "permission", msg);
		return;
	}
	snprintf(msg, sizeof(msg), "cannot read %s of process %d (%s): %s", what,
		 (int)id->pid, id->comm, strerror(-rc));
	cli_err("%s", msg);
	pass_error(p, id, NS_EXIT_FAIL, "error", msg);
}

static unsigned summary_needs(const struct mscan *m, const struct out_table *t)
{
	unsigned what = SCAN_NUMA;

	if (m->longfmt || (table_text(m) && (out_column_selected(t, "THP") ||
					      out_column_selected(t, "LAZYFREE") ||
					      out_column_selected(t, "SWAP") ||
					      out_column_selected(t, "RSS"))))
		what |= SCAN_ROLLUP;
	return what;
}

static unsigned mappings_needs(const struct mscan *m, const struct out_table *t)
{
	unsigned what = 0;

	if (wanted(m, t, "NODES") || wanted(m, t, "TOTAL") || wanted(m, t, "POLICY") ||
	    wanted(m, t, "PAGESIZE") || !table_text(m))
		what |= SCAN_NUMA;
	if (wanted(m, t, "THP") || wanted(m, t, "LAZYFREE") || wanted(m, t, "SWAP") ||
	    wanted(m, t, "RSS"))
		what |= SCAN_SMAPS;
	else if (wanted(m, t, "PERMS") || !what)
		what |= SCAN_MAPS;     /* cheap: perms and ranges only */
	return what;
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
	proc_row(m, p->procs, &s);
	if (m->view == VIEW_MAPPINGS)
		for (size_t i = 0; i < s.maps.n; i++)
			mapping_row(m, p->detail, s.id.pid, &s.maps.v[i]);
	p->code = ns_exit_combine(p->code, NS_EXIT_OK);
	scan_free(&s);
}

/* --pages: runs of one process */
struct run_ctx {
	struct out_table *t;
	const struct mapping *mp;
	pid_t pid;
	uint64_t page_size;
	uint64_t *node_bytes;        /* per node, for the process's summary row */
	int node_slots;
	uint64_t total;
};

static const char *run_state(unsigned flags)
{
	if (flags & RUN_PRESENT)
		return "present";
	if (flags & RUN_SWAPPED)
		return "swapped";
	return "absent";
}

static int run_row(void *ud, const struct page_run *r)
{
	struct run_ctx *c = ud;
	uint64_t bytes = r->pages * c->page_size;

	if (cli_signal)
		return -EINTR;
	out_row(c->t);
	out_set_int(c->t, "PID", c->pid);
	out_set_u64(c->t, "START", r->start);
	out_set_u64(c->t, "END", r->start + bytes);
	out_set_u64(c->t, "PAGES", r->pages);
	out_set_u64(c->t, "SIZE", bytes);
	out_set_str(c->t, "STATE", run_state(r->flags));
	out_set_str(c->t, "KIND", map_kind_name(c->mp->kind));
	out_set_str(c->t, "PATH", c->mp->path);
	if (r->flags & (RUN_PRESENT | RUN_SWAPPED))
		out_set_bool(c->t, "FILE", r->flags & RUN_FILE);
	if (r->flags & RUN_PRESENT)
		out_set_bool(c->t, "EXCL", r->flags & RUN_EXCLUSIVE);
	if ((r->flags & RUN_PRESENT) && r->node >= 0)
		out_set_int(c->t, "NODE", r->node);
	/* as numa_maps: the shared zero page is nobody's resident memory */
	if ((r->flags & RUN_PRESENT) && !(r->flags & RUN_ZERO)) {
		if (r->node >= 0 && r->node < c->node_slots)
			c->node_bytes[r->node] += bytes;
		c->total += bytes;
	}
	if ((r->flags & RUN_KPF) && (r->flags & RUN_PRESENT)) {
		out_set_bool(c->t, "THP", r->flags & RUN_THP);
		out_set_bool(c->t, "LAZYFREE", r->flags & RUN_LAZYFREE);
		out_set_bool(c->t, "ZERO", r->flags & RUN_ZERO);
	} else if ((r->flags & RUN_THP_SCAN) && (r->flags & RUN_PRESENT) &&
		   c->mp->kind != MAPKIND_HUGETLB && !c->mp->huge) {
		/* without root (6.7+): THPs from PAGEMAP_SCAN, the rest unknown */
		out_set_bool(c->t, "THP", r->flags & RUN_THP);
	}
	if (r->pfn)
		out_set_u64(c->t, "PFN", r->pfn);
	return 0;
}

static int walk_mappings(struct pm_reader *r, struct run_ctx *c,
			 const struct mapping_list *maps)
{
	for (size_t i = 0; i < maps->n; i++) {
		int rc;

		c->mp = &maps->v[i];
		rc = pm_walk(r, maps->v[i].start, maps->v[i].end, run_row, c);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void scan_pages(struct mscan *m, struct mscan_pass *p, const struct proc_id *id)
{
	struct run_ctx c = { .t = p->detail, .pid = id->pid, .page_size = m->topo.page_size };
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
	rc = c.node_bytes ? walk_mappings(r, &c, &s.maps) : -ENOMEM;
	pm_close(r);
	if (rc < 0 && rc != -EINTR) {
		proc_failed(p, id, rc, "pagemap");
	} else {
		proc_identity(m, p->procs, &s.id);
		set_nodes(m, p->procs, "NODES", c.node_bytes, c.node_slots);
		out_set_u64(p->procs, "TOTAL", c.total);
		p->code = ns_exit_combine(p->code, NS_EXIT_OK);
	}
	free(c.node_bytes);
	scan_free(&s);
}

static void scan_all(struct mscan *m, struct mscan_pass *p, const struct proc_list *l)
{
	unsigned what = m->view == VIEW_MAPPINGS ? mappings_needs(m, p->detail)
						  : summary_needs(m, p->procs);

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

static json_t *json_node_list(const struct ns_nodeset *s)
{
	json_t *a = json_array();
	int n;

	nodeset_foreach(n, s)
		json_array_append_new(a, json_integer(n));
	return a;
}

/* The topology rows with "distances" as an object {"<node>": distance}. */
static json_t *json_topology(const struct mscan *m, const struct out_table *t)
{
	json_t *a = out_to_json(t);
	size_t i;
	json_t *row;

	json_array_foreach(a, i, row) {
		const struct ns_node *nd = &m->topo.nodes[i];
		json_t *d = json_object();
		char key[16];

		for (int k = 0; k < nd->ndistance; k++) {
			snprintf(key, sizeof(key), "%d", nodeset_nth(&m->topo.online, k));
			json_object_set_new(d, key, json_integer(nd->distance[k]));
		}
		json_object_set_new(row, "distances", d);
	}
	return a;
}

static int render_json(const struct mscan *m, const struct mscan_pass *p)
{
	json_t *doc = json_object();
	int rc;

	json_object_set_new(doc, "schema_version", json_integer(MSCAN_SCHEMA_VERSION));
	json_object_set_new(doc, "tool", json_string("mscan"));
	json_object_set_new(doc, "version", json_string(NS_VERSION));
	if (m->watch > 0)
		json_object_set_new(doc, "time", json_integer((json_int_t)time(NULL)));
	json_object_set_new(doc, "page_size", json_integer((json_int_t)m->topo.page_size));
	json_object_set_new(doc, "thp_size", json_integer((json_int_t)m->topo.thp_size));
	json_object_set_new(doc, "nodes", json_node_list(&m->shown));
	if (p->nodes)
		json_object_set_new(doc, "topology", json_topology(m, p->nodes));
	if (p->procs)
		json_object_set_new(doc, "processes", out_to_json(p->procs));
	if (p->detail)
		json_object_set_new(doc, m->view == VIEW_PAGES ? "runs" : "mappings",
				    out_to_json(p->detail));
	if (p->procs)
		json_object_set_new(doc, "errors", json_incref(p->errors));
	rc = out_print_json(doc, stdout);
	json_decref(doc);
	return rc;
}

static int render_prom(const struct mscan *m, const struct mscan_pass *p)
{
	int rc = 0;

	if (p->nodes)
		rc = out_print_prom(p->nodes, stdout, "numashift_node");
	if (rc == 0 && p->procs && m->prom_grouped)
		rc = out_print_prom_grouped(p->procs, stdout, "numashift_processes",
					    m->prom_by, m->nprom_by,
					    "processes summed in the numashift_processes_* series");
	else if (rc == 0 && p->procs)
		rc = out_print_prom(p->procs, stdout, "numashift_process");
	if (rc == 0 && p->detail)
		rc = out_print_prom(p->detail, stdout, m->view == VIEW_PAGES
				    ? "numashift_page_run" : "numashift_mapping");
	return rc;
}

static int render_tables(const struct mscan *m, const struct mscan_pass *p)
{
	int rc = 0;

	if (p->nodes)
		rc = out_print_table(p->nodes, stdout, m->out_flags);
	if (rc == 0 && p->nodes && (p->procs || p->detail))
		putchar('\n');
	/* nothing read: the errors said why, an empty table says nothing */
	if (p->procs && out_nrows(p->procs) == 0 && json_array_size(p->errors) > 0)
		return rc;
	if (rc == 0 && p->detail)
		rc = out_print_table(p->detail, stdout, m->out_flags);
	else if (rc == 0 && p->procs)
		rc = out_print_table(p->procs, stdout, m->out_flags);
	return rc;
}

static int render(const struct mscan *m, const struct mscan_pass *p)
{
	if (m->json)
		return render_json(m, p);
	if (m->prom)
		return render_prom(m, p);
	return render_tables(m, p);
}

/* ---- main ---------------------------------------------------------------- */

static void pass_tables(struct mscan *m, struct mscan_pass *p)
{
	bool procs_o = m->view == VIEW_SUMMARY;

	if (m->topology) {
		p->nodes = new_table(m, node_cols, NODE_NCOLS, NODE_DEFAULT, !m->sel.any);
		for (int i = 0; i < m->topo.nnodes; i++)
			node_row(p->nodes, &m->topo, &m->topo.nodes[i]);
	}
	if (!m->sel.any)
		return;
	p->procs = new_table(m, proc_cols, PROC_NCOLS,
			     m->longfmt ? PROC_LONG : PROC_DEFAULT, procs_o);
	m->need_cgroup = out_column_selected(p->procs, "CGROUP");
	for (int k = 0; k < m->nprom_by && m->prom_grouped; k++)
		if (strcmp(m->prom_by[k], "CGROUP") == 0)
			m->need_cgroup = true;
	if (m->view == VIEW_MAPPINGS)
		p->detail = new_table(m, map_cols, MAP_NCOLS, MAP_DEFAULT, true);
	else if (m->view == VIEW_PAGES)
		p->detail = new_table(m, run_cols, RUN_NCOLS, RUN_DEFAULT, true);
}

/* With several processes, the detail tables say whose rows they are. */
static void add_pid_column(struct mscan *m, struct mscan_pass *p, size_t nprocs)
{
	const char *defaults = m->view == VIEW_PAGES ? RUN_DEFAULT : MAP_DEFAULT;
	char list[256];

	if (!p->detail || nprocs < 2 || m->columns)
		return;
	snprintf(list, sizeof(list), "PID,%s", defaults);
	out_table_columns(p->detail, list, NULL, NULL, 0);
}

static void pass_free(struct mscan_pass *p)
{
	out_table_free(p->procs);
	out_table_free(p->detail);
	out_table_free(p->nodes);
	json_decref(p->errors);
}

/* One scan and its output; returns the pass's exit code. */
static int run_pass(struct mscan *m)
{
	struct mscan_pass p = { .errors = json_array(), .code = -1 };
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
		cli_warn("%zu of %zu processes not read", json_array_size(p.errors),
			 json_array_size(p.errors) + (p.procs ? out_nrows(p.procs) : 0));
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
	cli_setup_sysroot(m.sysroot, false);
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
