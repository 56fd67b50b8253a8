/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* output: the one row model as table, JSON and Prometheus text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "output.h"
#include "tap.h"

static const struct col_desc cols[] = {
	{ "PID",   "pid",        COL_INT,   COL_LABEL, "process id" },
	{ "COMM",  "comm",       COL_STR,   COL_LABEL, "command name" },
	{ "NODES", "node_bytes", COL_NODES, 0,         "bytes on each node" },
	{ "TOTAL", "total_bytes", COL_BYTES, 0,        "resident bytes" },
	{ "MAIN",  "main_node",  COL_INT,   COL_NOPROM, "node holding most" },
	{ "START", "start",      COL_ADDR,  0,         "start address" },
	{ "MEMONLY", "memory_only", COL_BOOL, 0,       "memory-only node" },
	{ "RATIO", "ratio",      COL_FLOAT, 0,         "a ratio" },
};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

/* Render with a callback into a string (caller frees). */
static char *render(const struct out_table *t, int how, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (how == 0)
		out_print_table(t, f, flags);
	else
		out_print_prom(t, f, "ns_test");
	fclose(f);
	return buf;
}

static struct out_table *sample(void)
{
	struct ns_nodeset ns;
	struct out_table *t;

	nodeset_zero(&ns);
	nodeset_add(&ns, 0);
	nodeset_add(&ns, 2);
	t = out_table_new(cols, NCOLS, &ns);
	out_row(t);
	out_set_int(t, "PID", 42);
	out_set_str(t, "COMM", "a \"b\" c");
	out_set_node(t, "NODES", 0, 3 << 20);
	out_set_node(t, "NODES", 2, 1024);
	out_set_u64(t, "TOTAL", (3 << 20) + 1024);
	out_set_int(t, "main", 0);
	out_set_u64(t, "START", 0x7f00);
	out_set_bool(t, "MEMONLY", true);
	out_set_float(t, "RATIO", 0.5);
	out_row(t);
	out_set_int(t, "PID", 7);
	out_set_str(t, "COMM", "x");
	return t;
}

static void test_table(void)
{
	struct out_table *t = sample();
	char err[128] = "";
	char *s;

	ok(out_table_columns(t, "PID,COMM,NODES,TOTAL,MAIN", NULL, err, sizeof(err)) == 0,
	   "select columns");
	s = render(t, 0, 0);
	is_str(s, "PID COMM    N0 N2 TOTAL MAIN\n"
		  " 42 a \"b\" c 3M 1K    3M    0\n"
		  "  7 x        -  -     -    -\n", "table: node columns expand, human sizes, '-' for empty");
	free(s);
	s = render(t, 0, OUT_BYTES | OUT_NOHEADINGS);
	is_str(s, "42 a \"b\" c 3145728 1024 3146752 0\n"
		  " 7 x             -    -       - -\n", "table --bytes --noheadings");
	free(s);
	ok(out_table_columns(t, "pid,n2,start,memonly", NULL, err, sizeof(err)) == 0,
	   "lower-case names and N<id>");
	s = render(t, 0, 0);
	is_str(s, "PID N2 START MEMONLY\n"
		  " 42 1K 7f00  yes\n"
		  "  7  - -     -\n", "one node column, hex address, yes/no, no trailing blanks");
	free(s);
	ok(out_table_columns(t, "PID,BOGUS", NULL, err, sizeof(err)) == -EINVAL,
	   "unknown column refused");
	is_str(err, "unknown column 'BOGUS'", "error names the column");
	ok(out_table_columns(t, "N1", NULL, err, sizeof(err)) == -EINVAL,
	   "node outside the table refused");
	ok(out_table_columns(t, "PID,,COMM", NULL, err, sizeof(err)) == -EINVAL,
	   "empty column name refused");
	ok(out_table_columns(t, "+MAIN", "PID", err, sizeof(err)) == 0, "+COLS adds to defaults");
	s = render(t, 0, OUT_NOHEADINGS);
	is_str(s, "42 0\n 7 -\n", "defaults then added column");
	free(s);
	out_table_free(t);
}

static void test_table_bytes_wide(void)
{
	struct out_table *t = sample();
	char *s;

	out_table_columns(t, "TOTAL", NULL, NULL, 0);
	s = render(t, 0, OUT_BYTES);
	is_str(s, "  TOTAL\n3146752\n      -\n", "right-aligned bytes");
	free(s);
	out_table_free(t);
}

static void test_json(void)
{
	struct out_table *t = sample();
	json_t *a = out_to_json(t), *r0, *r1;
	char *s;

	ok(json_is_array(a) && json_array_size(a) == 2, "JSON: one object per row");
	r0 = json_array_get(a, 0);
	r1 = json_array_get(a, 1);
	s = json_dumps(r0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	is_str(s, "{\"pid\":42,\"comm\":\"a \\\"b\\\" c\",\"node_bytes\":{\"0\":3145728,\"2\":1024},"
		  "\"total_bytes\":3146752,\"main_node\":0,\"start\":\"0x7f00\",\"memory_only\":true,"
		  "\"ratio\":0.5}", "JSON row: raw integers, all columns");
	free(s);
	s = json_dumps(r1, JSON_COMPACT | JSON_PRESERVE_ORDER);
	is_str(s, "{\"pid\":7,\"comm\":\"x\"}", "JSON: empty cells absent");
	free(s);
	json_decref(a);
	out_table_free(t);
}

static void test_prom(void)
{
	struct out_table *t = sample();
	char *s = render(t, 1, 0);

	is_str(s,
	       "# HELP ns_test_node_bytes bytes on each node\n"
	       "# TYPE ns_test_node_bytes gauge\n"
	       "ns_test_node_bytes{pid=\"42\",comm=\"a \\\"b\\\" c\",node=\"0\"} 3145728\n"
	       "ns_test_node_bytes{pid=\"42\",comm=\"a \\\"b\\\" c\",node=\"2\"} 1024\n"
	       "# HELP ns_test_total_bytes resident bytes\n"
	       "# TYPE ns_test_total_bytes gauge\n"
	       "ns_test_total_bytes{pid=\"42\",comm=\"a \\\"b\\\" c\"} 3146752\n"
	       "# HELP ns_test_memory_only memory-only node\n"
	       "# TYPE ns_test_memory_only gauge\n"
	       "ns_test_memory_only{pid=\"42\",comm=\"a \\\"b\\\" c\"} 1\n"
	       "# HELP ns_test_ratio a ratio\n"
	       "# TYPE ns_test_ratio gauge\n"
	       "ns_test_ratio{pid=\"42\",comm=\"a \\\"b\\\" c\"} 0.5\n",
	       "Prometheus: labels escaped, node label, no metric for labels/addresses/NOPROM");
	free(s);
	out_table_free(t);
}

static void test_prom_escape(void)
{
	struct out_table *t = sample();
	char *s;

	out_row(t);
	out_set_int(t, "PID", 9);
	/* quote, backslash, newline, a valid é, a lone 0xff, a surrogate, an
	 * overlong '/', a cut sequence at the end */
	out_set_str(t, "COMM", "q\"\\\n\xc3\xa9\xff\xed\xa0\x80\xc0\xaf\xe2\x82");
	out_set_u64(t, "TOTAL", 1);
	out_table_columns(t, "PID", NULL, NULL, 0);
	s = render(t, 1, 0);
	ok(s && strstr(s, "ns_test_total_bytes{pid=\"9\",comm=\"q\\\"\\\\\\n\xc3\xa9"
			  "\\\\xff\\\\xed\\\\xa0\\\\x80\\\\xc0\\\\xaf\\\\xe2\\\\x82\"} 1\n"),
	   "Prometheus: \\, \" and \\n escaped, UTF-8 kept, other bytes as the text \\xHH");
	free(s);
	out_table_free(t);
}

static char *render_grouped(const struct out_table *t, const char *const *by, int nby)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	out_print_prom_grouped(t, f, "ns_g", by, nby, "rows");
	fclose(f);
	return buf;
}

static void test_prom_grouped(void)
{
	struct out_table *t = sample();
	const char *by_comm[] = { "COMM" }, *bogus[] = { "NOPE" };
	char *s;

	out_row(t);
	out_set_int(t, "PID", 43);
	out_set_str(t, "COMM", "a \"b\" c");
	out_set_node(t, "NODES", 0, 1);
	out_set_node(t, "NODES", 2, 2);
	out_set_u64(t, "TOTAL", 3);
	s = render_grouped(t, by_comm, 1);
	is_str(s,
	       "# HELP ns_g rows\n"
	       "# TYPE ns_g gauge\n"
	       "ns_g{comm=\"a \\\"b\\\" c\"} 2\n"
	       "ns_g{comm=\"x\"} 1\n"
	       "# HELP ns_g_node_bytes bytes on each node, summed over the group\n"
	       "# TYPE ns_g_node_bytes gauge\n"
	       "ns_g_node_bytes{comm=\"a \\\"b\\\" c\",node=\"0\"} 3145729\n"
	       "ns_g_node_bytes{comm=\"a \\\"b\\\" c\",node=\"2\"} 1026\n"
	       "# HELP ns_g_total_bytes resident bytes, summed over the group\n"
	       "# TYPE ns_g_total_bytes gauge\n"
	       "ns_g_total_bytes{comm=\"a \\\"b\\\" c\"} 3146755\n",
	       "grouped: rows of one comm summed, one series per node, a group "
	       "without a metric has none, ids, flags and ratios left out");
	free(s);
	s = render_grouped(t, NULL, 0);
	is_str(s,
	       "# HELP ns_g rows\n"
	       "# TYPE ns_g gauge\n"
	       "ns_g 3\n"
	       "# HELP ns_g_node_bytes bytes on each node, summed over the group\n"
	       "# TYPE ns_g_node_bytes gauge\n"
	       "ns_g_node_bytes{node=\"0\"} 3145729\n"
	       "ns_g_node_bytes{node=\"2\"} 1026\n"
	       "# HELP ns_g_total_bytes resident bytes, summed over the group\n"
	       "# TYPE ns_g_total_bytes gauge\n"
	       "ns_g_total_bytes 3146755\n",
	       "grouped by nothing: one group, the node label alone");
	free(s);
	ok(out_print_prom_grouped(t, stdout, "ns_g", bogus, 1, "rows") == -EINVAL,
	   "grouped by an unknown column: -EINVAL");
	out_table_free(t);
}

static void test_file(void)
{
	char dir[] = "/tmp/test_output.XXXXXX", path[256], link[256], buf[64] = "";
	json_t *doc = json_pack("{s:i}", "a", 1);
	FILE *f;

	char *made = mkdtemp(dir);
	int rc;

	ok(made != NULL, "temp dir");
	snprintf(path, sizeof(path), "%s/x.json", dir);
	snprintf(link, sizeof(link), "%s/l.json", dir);
	rc = out_write_json_file(doc, path);
	ok(rc == 0, "write JSON file");
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	is_str(buf, "{\n  \"a\": 1\n}\n", "file holds the document");
	rc = symlink(path, link);
	ok(rc == 0, "symlink");
	json_object_set_new(doc, "a", json_integer(2));
	rc = out_write_json_file(doc, link);
	ok(rc == -EINVAL, "write over a symlink is refused");
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	is_str(buf, "{\n  \"a\": 1\n}\n", "the symlink's target is untouched");
	unlink(link);
	unlink(path);
	rmdir(dir);
	json_decref(doc);
}

int main(void)
{
	test_table();
	test_table_bytes_wide();
	test_json();
	test_prom();
	test_prom_escape();
	test_prom_grouped();
	test_file();
	return tap_done();
}
