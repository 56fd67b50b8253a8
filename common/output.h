/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* output: one row model rendered three ways.
 *
 *   table  aligned columns for people; sizes human (1.5G) unless OUT_BYTES
 *   JSON   jansson; numbers raw integers (bytes, pages); addresses "0x.."
 *   prom   Prometheus text exposition (node_exporter textfile collector)
 *
 * A table has column descriptors (name, JSON key, type, help).  A column of
 * type COL_NODES holds one value per node: in a table it expands into one
 * column per node ("N0", "N1", ...), in JSON into an object {"0": v, ...},
 * in Prometheus into a node="N" label.  Cells are set by column name.
 * Rendering never exits; it returns -errno (EPIPE is the caller's to handle).
 */
#ifndef NS_OUTPUT_H
#define NS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "nodes.h"

enum col_type {
	COL_STR,      /* text */
	COL_INT,      /* signed integer, shown as is */
	COL_COUNT,    /* unsigned count (pages, THPs), shown as is */
	COL_BYTES,    /* bytes: human in tables unless OUT_BYTES */
	COL_NODES,    /* bytes per node */
	COL_FLOAT,    /* ratio, seconds */
	COL_ADDR,     /* address: hex in tables, "0x.." string in JSON, never a metric */
	COL_BOOL,     /* yes/no in tables, true/false in JSON, 1/0 in Prometheus */
};

#define COL_RIGHT   0x1   /* right-align (numbers are by default) */
#define COL_LABEL   0x2   /* in Prometheus output, a label of every metric */
#define COL_NOPROM  0x4   /* not a Prometheus metric */

struct col_desc {
	const char *name;     /* table heading and -o name, e.g. "PID" */
	const char *key;      /* JSON key and Prometheus metric suffix, e.g. "pid" */
	enum col_type type;
	unsigned flags;
	const char *help;     /* for --help's column list and Prometheus HELP */
};

#define OUT_BYTES       0x1   /* raw byte counts in tables */
#define OUT_NOHEADINGS  0x2
#define OUT_RAW         0x4   /* one space between cells, no padding, blanks as \x20 */

struct out_table;

/* cols must outlive the table.  nodes: the node ids that COL_NODES columns
 * show (a table column each; every one of them in JSON and Prometheus). */
struct out_table *out_table_new(const struct col_desc *cols, int ncols,
				const struct ns_nodeset *nodes);
void out_table_free(struct out_table *t);

/* Select and order columns with a comma list of names (case-insensitive);
 * NULL selects the default set (the columns given in 'defaults', or all).
 * A list starting with '+' adds its columns to the defaults.  "N<id>" picks
 * one node of the table's COL_NODES column.  -EINVAL with err naming the
 * unknown column. */
int out_table_columns(struct out_table *t, const char *list,
		      const char *defaults, char *err, size_t errlen);

/* Select every column, in their order (-O/--output-all). */
int out_table_all_columns(struct out_table *t);
/* The column (by name) is among the selected ones. */
bool out_column_selected(const struct out_table *t, const char *col);

/* Start a new row; cells not set stay empty ("-" in tables, absent in JSON). */
int out_row(struct out_table *t);
void out_set_str(struct out_table *t, const char *col, const char *v);
void out_set_int(struct out_table *t, const char *col, int64_t v);
void out_set_u64(struct out_table *t, const char *col, uint64_t v);
void out_set_float(struct out_table *t, const char *col, double v);
void out_set_node(struct out_table *t, const char *col, int node, uint64_t v);
void out_set_bool(struct out_table *t, const char *col, bool v);
/* Rows so far. */
size_t out_nrows(const struct out_table *t);
/* "NAME  help" lines of every column, for --help; COL_NODES columns say how
 * they expand. */
void out_print_columns_help(const struct col_desc *cols, int ncols, FILE *f);

int out_print_table(const struct out_table *t, FILE *f, unsigned flags);
/* An array of row objects with every column (not only selected ones). */
json_t *out_to_json(const struct out_table *t);
/* Prometheus: "# HELP/# TYPE" once per metric, name prefix_key. */
int out_print_prom(const struct out_table *t, FILE *f, const char *prefix);
/* Prometheus with the rows summed by group, so that the number of series
 * does not grow with the number of rows: rows with the same values in the
 * 'by' columns (names, at most 8; none: every row is one group) are one
 * group, and those values are its labels (a cell not set gives no label).
 * "prefix{labels}" counts the group's rows (HELP count_help); then
 * "prefix_key{labels}" (and node="N" for COL_NODES) is the sum of each
 * metric of sizes or counts (COL_BYTES, COL_COUNT, COL_NODES) over the
 * rows that have it; other columns are left out.  Groups in the order of
 * their labels.  -EINVAL: no such column. */
int out_print_prom_grouped(const struct out_table *t, FILE *f, const char *prefix,
			   const char *const *by, int nby, const char *count_help);

/* Print a JSON document (indented, trailing newline) to f; -errno. */
int out_print_json(json_t *doc, FILE *f);
/* Write a JSON document to 'path' atomically: temporary file in the same
 * directory, fsync, rename.  What is at 'path' must be a regular file or
 * nothing: a device, FIFO, symlink or directory there is never replaced
 * (-EINVAL, see out_check_file_target). */
int out_write_json_file(json_t *doc, const char *path);
/* 0 when 'path' names nothing or a regular file (not followed if it is a
 * symlink); -EINVAL when it exists and is anything else. */
int out_check_file_target(const char *path);

#endif
