/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* report: a scan (mscan), as rows of the one row model: processes,
 * mappings, page runs and nodes; what a table's columns need read; the
 * topology's JSON; the whole scan as JSON, Prometheus text or tables. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "report.h"

/* ---- columns ------------------------------------------------------------- */

const struct col_desc report_proc_cols[] = {
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
const int report_proc_ncols = (int)(sizeof(report_proc_cols) / sizeof(report_proc_cols[0]));

const struct col_desc report_map_cols[] = {
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
const int report_map_ncols = (int)(sizeof(report_map_cols) / sizeof(report_map_cols[0]));

const struct col_desc report_run_cols[] = {
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
const int report_run_ncols = (int)(sizeof(report_run_cols) / sizeof(report_run_cols[0]));

const struct col_desc report_node_cols[] = {
	{ "NODE",     "node",            COL_INT,   COL_LABEL,  "node id" },
	{ "CPUS",     "cpus",            COL_STR,   0,          "CPUs of the node" },
	{ "NCPUS",    "cpu_count",       COL_COUNT, 0,          "number of CPUs" },
	{ "TOTAL",    "total_bytes",     COL_BYTES, 0,          "memory of the node" },
	{ "FREE",     "free_bytes",      COL_BYTES, 0,          "free memory of the node" },
	{ "FREETHP",  "free_thp_blocks", COL_COUNT, 0,          "free blocks of THP size (buddyinfo)" },
	{ "MEMONLY",  "memory_only",     COL_BOOL,  0,          "memory without CPUs (CXL, PMEM)" },
	{ "DISTANCES", "distances",      COL_STR,   0,          "distance to each node, in node order" },
};
const int report_node_ncols = (int)(sizeof(report_node_cols) / sizeof(report_node_cols[0]));

/* ---- rows ---------------------------------------------------------------- */

static void set_nodes(struct out_table *t, const struct ns_nodeset *shown, const char *col,
		      const uint64_t *bytes, int slots)
{
	int n;

	/* every shown node, so the cell exists even with nothing resident */
	nodeset_foreach(n, shown)
		out_set_node(t, col, n, n < slots ? bytes[n] : 0);
	for (n = 0; n < slots; n++)
		if (bytes[n] && !nodeset_has(shown, n))
			out_set_node(t, col, n, bytes[n]);
}

static void proc_identity(struct out_table *t, const struct proc_id *id, bool cgroup)
{
	char cg[4096];

	out_row(t);
	out_set_int(t, "PID", id->pid);
	out_set_str(t, "COMM", id->comm);
	out_set_int(t, "UID", id->uid);
	/* gone meanwhile, or cgroup v1 only: the cell stays empty */
	if (cgroup && procs_cgroup(id->pid, cg, sizeof(cg)) == 0)
		out_set_str(t, "CGROUP", cg);
}

void report_proc_row(struct out_table *t, const struct ns_nodeset *shown,
		     const struct scan_proc *s, bool cgroup)
{
	int main_node = scan_main_node(s);

	proc_identity(t, &s->id, cgroup);
	set_nodes(t, shown, "NODES", s->node_bytes, s->node_slots);
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

void report_runs_proc_row(struct out_table *t, const struct ns_nodeset *shown,
			  const struct proc_id *id, const struct report_runs *c, bool cgroup)
{
	proc_identity(t, id, cgroup);
	set_nodes(t, shown, "NODES", c->node_bytes, c->node_slots);
	out_set_u64(t, "TOTAL", c->total);
}

void report_map_row(struct out_table *t, const struct ns_nodeset *shown, pid_t pid,
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
		set_nodes(t, shown, "NODES", NULL, 0);
		for (int n = 0; n < mp->node_slots; n++) {
			uint64_t b = mapping_node_bytes(mp, n);

			if (b || nodeset_has(shown, n))
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

void report_node_row(struct out_table *t, const struct ns_topology *topo,
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

/* ---- page runs ----------------------------------------------------------- */

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
	struct report_runs *c = ud;
	uint64_t bytes = r->pages * c->page_size;

	if (c->stop && *c->stop)
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

int report_runs_walk(struct pm_reader *r, struct report_runs *c,
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

/* ---- what to read -------------------------------------------------------- */

unsigned report_proc_needs(const struct out_table *t, bool table, bool longfmt)
{
	unsigned what = SCAN_NUMA;

	if (longfmt || (table && (out_column_selected(t, "THP") ||
				  out_column_selected(t, "LAZYFREE") ||
				  out_column_selected(t, "SWAP") ||
				  out_column_selected(t, "RSS"))))
		what |= SCAN_ROLLUP;
	return what;
}

/* A column the rendering will show (JSON and Prometheus show them all). */
static bool wanted(const struct out_table *t, bool table, const char *col)
{
	return !table || out_column_selected(t, col);
}

unsigned report_map_needs(const struct out_table *t, bool table)
{
	unsigned what = 0;

	if (wanted(t, table, "NODES") || wanted(t, table, "TOTAL") ||
	    wanted(t, table, "POLICY") || wanted(t, table, "PAGESIZE") || !table)
		what |= SCAN_NUMA;
	if (wanted(t, table, "THP") || wanted(t, table, "LAZYFREE") ||
	    wanted(t, table, "SWAP") || wanted(t, table, "RSS"))
		what |= SCAN_SMAPS;
	else if (wanted(t, table, "PERMS") || !what)
		what |= SCAN_MAPS;     /* cheap: perms and ranges only */
	return what;
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *report_nodes_json(const struct ns_nodeset *s)
{
	json_t *a = json_array();
	int n;

	nodeset_foreach(n, s)
		json_array_append_new(a, json_integer(n));
	return a;
}

json_t *report_topology_json(const struct out_table *t, const struct ns_topology *topo)
{
	json_t *a = out_to_json(t);
	size_t i;
	json_t *row;

	json_array_foreach(a, i, row) {
		const struct ns_node *nd = &topo->nodes[i];
		json_t *d = json_object();
		char key[16];

		for (int k = 0; k < nd->ndistance; k++) {
			snprintf(key, sizeof(key), "%d", nodeset_nth(&topo->online, k));
			json_object_set_new(d, key, json_integer(nd->distance[k]));
		}
		json_object_set_new(row, "distances", d);
	}
	return a;
}

/* ---- a whole scan ---------------------------------------------------------- */

json_t *report_scan_json(const struct report_scan *s, const struct ns_topology *topo,
			 const struct ns_nodeset *shown, long long time)
{
	json_t *doc = json_pack("{s:i, s:s, s:s}", "schema_version", REPORT_SCAN_SCHEMA,
				"tool", "mscan", "version", NS_VERSION);

	if (!doc)
		return NULL;
	if (time)
		json_object_set_new(doc, "time", json_integer((json_int_t)time));
	json_object_set_new(doc, "page_size", json_integer((json_int_t)topo->page_size));
	json_object_set_new(doc, "thp_size", json_integer((json_int_t)topo->thp_size));
	json_object_set_new(doc, "nodes", report_nodes_json(shown));
	if (s->nodes)
		json_object_set_new(doc, "topology", report_topology_json(s->nodes, topo));
	if (s->procs)
		json_object_set_new(doc, "processes", out_to_json(s->procs));
	if (s->detail)
		json_object_set_new(doc, s->runs ? "runs" : "mappings", out_to_json(s->detail));
	if (s->procs)
		json_object_set_new(doc, "errors", json_incref(s->errors));
	return doc;
}

int report_scan_prom(FILE *f, const struct report_scan *s, const char *const *by, int nby)
{
	int rc = 0;

	if (s->nodes)
		rc = out_print_prom(s->nodes, f, "numashift_node");
	if (rc == 0 && s->procs && by)
		rc = out_print_prom_grouped(s->procs, f, "numashift_processes", by, nby,
					    "processes summed in the numashift_processes_* series");
	else if (rc == 0 && s->procs)
		rc = out_print_prom(s->procs, f, "numashift_process");
	if (rc == 0 && s->detail)
		rc = out_print_prom(s->detail, f, s->runs ? "numashift_page_run" : "numashift_mapping");
	return rc;
}

int report_scan_prom_by(const char *arg, const char **by, int *nby, char *err, size_t len)
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

	if (strcmp(arg, "pid") == 0)
		return 0;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (strcmp(arg, forms[i].arg) != 0)
			continue;
		*nby = forms[i].nby;
		by[0] = forms[i].by[0];
		by[1] = forms[i].by[1];
		return 1;
	}
	snprintf(err, len, "invalid --prom-by '%s': expected pid, node, comm, cgroup "
		 "or comm,cgroup", arg);
	return -EINVAL;
}

int report_scan_tables(FILE *f, const struct report_scan *s, unsigned flags)
{
	int rc = 0;

	if (s->nodes)
		rc = out_print_table(s->nodes, f, flags);
	if (rc == 0 && s->nodes && (s->procs || s->detail))
		fputc('\n', f);
	/* nothing read: the errors said why, an empty table says nothing */
	if (s->procs && out_nrows(s->procs) == 0 && json_array_size(s->errors) > 0)
		return rc;
	if (rc == 0 && s->detail)
		rc = out_print_table(s->detail, f, flags);
	else if (rc == 0 && s->procs)
		rc = out_print_table(s->procs, f, flags);
	return rc;
}
