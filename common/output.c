/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "output.h"
#include "strutil.h"

struct out_cell {
	bool set;
	union {
		char *s;
		int64_t i;
		uint64_t u;
		double f;
		bool b;
	} v;
	uint64_t *nodes;      /* COL_NODES: nodes[n] for n < nnodes */
	int nnodes;
};

/* A selected table column: a descriptor, and for COL_NODES either one node
 * or (node == -1) every node of the table's set. */
struct out_sel {
	int col;
	int node;
};

struct out_table {
	const struct col_desc *cols;
	int ncols;
	struct ns_nodeset nodes;
	struct out_cell *cells;     /* nrows * ncols */
	size_t nrows, caprows;
	struct out_sel *sel;
	int nsel;
	bool enomem;                /* a cell could not be stored */
};

struct out_table *out_table_new(const struct col_desc *cols, int ncols,
				const struct ns_nodeset *nodes)
{
	struct out_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cols = cols;
	t->ncols = ncols;
	if (nodes)
		t->nodes = *nodes;
	if (out_table_columns(t, NULL, NULL, NULL, 0) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

static void cell_clear(const struct col_desc *d, struct out_cell *c)
{
	if (c->set && d->type == COL_STR)
		free(c->v.s);
	free(c->nodes);
	memset(c, 0, sizeof(*c));
}

void out_table_free(struct out_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			cell_clear(&t->cols[c], &t->cells[r * t->ncols + c]);
	free(t->cells);
	free(t->sel);
	free(t);
}

size_t out_nrows(const struct out_table *t)
{
	return t->nrows;
}

static int col_index(const struct out_table *t, const char *name, size_t len)
{
	for (int c = 0; c < t->ncols; c++)
		if (strlen(t->cols[c].name) == len &&
		    strncasecmp(t->cols[c].name, name, len) == 0)
			return c;
	return -1;
}

/* The table's only COL_NODES column, or -1 (none, or several: ambiguous). */
static int nodes_col(const struct out_table *t)
{
	int found = -1;

	for (int c = 0; c < t->ncols; c++) {
		if (t->cols[c].type != COL_NODES)
			continue;
		if (found >= 0)
			return -1;
		found = c;
	}
	return found;
}

/* "N3" names node 3 of the COL_NODES column. */
static int node_token(const struct out_table *t, const char *tok, size_t len)
{
	int node = 0;

	if (len < 2 || len > 5 || (tok[0] != 'N' && tok[0] != 'n'))
		return -1;
	for (size_t i = 1; i < len; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return -1;
		node = node * 10 + (tok[i] - '0');
	}
	if (node >= NS_MAX_NODES || !nodeset_has(&t->nodes, node))
		return -1;
	return node;
}

static int sel_add_list(struct out_table *t, struct out_sel *sel, int *nsel,
			int max, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int c = col_index(t, p, len), node = -1;

		if (c < 0 && (node = node_token(t, p, len)) >= 0)
			c = nodes_col(t);
		if (c < 0 || len == 0) {
			if (err)
				snprintf(err, errlen, "unknown column '%.*s'", (int)len, p);
			return -EINVAL;
		}
		if (*nsel < max)
			sel[(*nsel)++] = (struct out_sel){ c, node };
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int count_items(const char *s)
{
	int n = 1;

	for (; s && *s; s++)
		n += *s == ',';
	return n;
}

int out_table_columns(struct out_table *t, const char *list,
		      const char *defaults, char *err, size_t errlen)
{
	int max = t->ncols + count_items(list) + count_items(defaults);
	struct out_sel *sel = calloc((size_t)max, sizeof(*sel));
	int nsel = 0, rc = 0;

	if (!sel)
		return -ENOMEM;
	if (list && *list == '+')
		list++;                 /* "+COLS": the defaults and these */
	else if (list)
		defaults = NULL;
	if (!list && !defaults)
		for (int c = 0; c < t->ncols; c++)
			sel[nsel++] = (struct out_sel){ c, -1 };
	if (defaults)
		rc = sel_add_list(t, sel, &nsel, max, defaults, err, errlen);
	if (rc == 0 && list)
		rc = sel_add_list(t, sel, &nsel, max, list, err, errlen);
	if (rc == 0 && nsel == 0) {
		if (err)
			snprintf(err, errlen, "no columns selected");
		rc = -EINVAL;
	}
	if (rc < 0) {
		free(sel);
		return rc;
	}
	free(t->sel);
	t->sel = sel;
	t->nsel = nsel;
	return 0;
}

int out_table_all_columns(struct out_table *t)
{
	return out_table_columns(t, NULL, NULL, NULL, 0);
}

bool out_column_selected(const struct out_table *t, const char *col)
{
	int c = col_index(t, col, strlen(col));

	for (int s = 0; s < t->nsel && c >= 0; s++)
		if (t->sel[s].col == c)
			return true;
	return false;
}

int out_row(struct out_table *t)
{
	if (t->nrows == t->caprows) {
		size_t cap = t->caprows ? t->caprows * 2 : 16;
		struct out_cell *c = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*c));

		if (!c) {
			t->enomem = true;
			return -ENOMEM;
		}
		t->cells = c;
		t->caprows = cap;
	}
	memset(&t->cells[t->nrows * t->ncols], 0, (size_t)t->ncols * sizeof(*t->cells));
	t->nrows++;
	return 0;
}

/* The cell of column 'col' in the last row, cleared for a new value; NULL
 * when there is no row or no such column (a caller's bug: nothing is set). */
static struct out_cell *cell_for(struct out_table *t, const char *col,
				 enum col_type *type)
{
	int c;

	if (t->nrows == 0)
		return NULL;
	c = col_index(t, col, strlen(col));
	if (c < 0)
		return NULL;
	*type = t->cols[c].type;
	return &t->cells[(t->nrows - 1) * t->ncols + c];
}

void out_set_str(struct out_table *t, const char *col, const char *v)
{
	enum col_type type;
	struct out_cell *c = cell_for(t, col, &type);
	char *copy;

	if (!c || type != COL_STR || !v)
		return;
	copy = strdup(v);
	if (!copy) {
		t->enomem = true;
		return;
	}
	if (c->set)
		free(c->v.s);
	c->v.s = copy;
	c->set = true;
}

void out_set_int(struct out_table *t, const char *col, int64_t v)
{
	enum col_type type;
	struct out_cell *c = cell_for(t, col, &type);

	if (!c || type == COL_STR || type == COL_NODES)
		return;
	if (type == COL_FLOAT)
		c->v.f = (double)v;
	else if (type == COL_BOOL)
		c->v.b = v != 0;
	else
		c->v.i = v;
	c->set = true;
}

void out_set_u64(struct out_table *t, const char *col, uint64_t v)
{
	enum col_type type;
	struct out_cell *c = cell_for(t, col, &type);

	if (!c || type == COL_STR || type == COL_NODES)
		return;
	if (type == COL_FLOAT)
		c->v.f = (double)v;
	else if (type == COL_BOOL)
		c->v.b = v != 0;
	else
		c->v.u = v;
	c->set = true;
}

void out_set_float(struct out_table *t, const char *col, double v)
{
	enum col_type type;
	struct out_cell *c = cell_for(t, col, &type);

	if (!c || type != COL_FLOAT)
		return;
	c->v.f = v;
	c->set = true;
}

void out_set_bool(struct out_table *t, const char *col, bool v)
{
	enum col_type type;
	struct out_cell *c = cell_for(t, col, &type);

	if (!c || type != COL_BOOL)
		return;
	c->v.b = v;
	c->set = true;
}

void out_set_node(struct out_table *t, const char *col, int node, uint64_t v)
{
	enum col_type type;
	struct out_cell *c = cell_for(t, col, &type);

	if (!c || type != COL_NODES || node < 0 || node >= NS_MAX_NODES)
		return;
	if (node >= c->nnodes) {
		uint64_t *n = realloc(c->nodes, (size_t)(node + 1) * sizeof(*n));

		if (!n) {
			t->enomem = true;
			return;
		}
		memset(n + c->nnodes, 0, (size_t)(node + 1 - c->nnodes) * sizeof(*n));
		c->nodes = n;
		c->nnodes = node + 1;
	}
	c->nodes[node] = v;
	c->set = true;
}

static uint64_t cell_node(const struct out_cell *c, int node)
{
	return node < c->nnodes ? c->nodes[node] : 0;
}

/* ---- table ---------------------------------------------------------------- */

/* One table column on screen (a COL_NODES selection expands to several). */
struct out_dcol {
	int col;
	int node;        /* COL_NODES: the node shown */
	int width;
	bool right;
};

static const char *fmt_bytes(uint64_t v, unsigned flags, char *buf, size_t len)
{
	if (flags & OUT_BYTES) {
		snprintf(buf, len, "%" PRIu64, v);
		return buf;
	}
	return str_human_size(v, buf, len);
}

static const char *fmt_cell(const struct out_table *t, const struct out_dcol *d,
			    size_t row, unsigned flags, char *buf, size_t len)
{
	const struct col_desc *desc = &t->cols[d->col];
	const struct out_cell *c = &t->cells[row * t->ncols + d->col];

	if (!c->set)
		return "-";
	switch (desc->type) {
	case COL_STR:       /* names others chose: never raw control characters */
		return c->v.s[0] ? str_escape(c->v.s, buf, len) : "-";
	case COL_INT:
		snprintf(buf, len, "%" PRId64, c->v.i);
		return buf;
	case COL_COUNT:
		snprintf(buf, len, "%" PRIu64, c->v.u);
		return buf;
	case COL_BYTES:
		return fmt_bytes(c->v.u, flags, buf, len);
	case COL_NODES:
		return fmt_bytes(cell_node(c, d->node), flags, buf, len);
	case COL_FLOAT:
		snprintf(buf, len, "%.2f", c->v.f);
		return buf;
	case COL_ADDR:
		snprintf(buf, len, "%" PRIx64, c->v.u);
		return buf;
	case COL_BOOL:
		return c->v.b ? "yes" : "no";
	}
	return "-";
}

static void dcol_heading(const struct out_table *t, const struct out_dcol *d,
			 char *buf, size_t len)
{
	if (t->cols[d->col].type == COL_NODES)
		snprintf(buf, len, "N%d", d->node);
	else
		snprintf(buf, len, "%s", t->cols[d->col].name);
}

static bool type_is_number(enum col_type type)
{
	return type != COL_STR && type != COL_ADDR && type != COL_BOOL;
}

/* The on-screen columns of the selection; *n set.  NULL on ENOMEM. */
static struct out_dcol *table_dcols(const struct out_table *t, int *n)
{
	int max = 0, k = 0, node;
	struct out_dcol *d;

	for (int s = 0; s < t->nsel; s++)
		max += (t->cols[t->sel[s].col].type == COL_NODES && t->sel[s].node < 0)
			? nodeset_count(&t->nodes) : 1;
	d = calloc((size_t)max + 1, sizeof(*d));
	if (!d)
		return NULL;
	for (int s = 0; s < t->nsel; s++) {
		const struct col_desc *desc = &t->cols[t->sel[s].col];
		bool right = type_is_number(desc->type) || (desc->flags & COL_RIGHT);

		if (desc->type != COL_NODES || t->sel[s].node >= 0) {
			d[k++] = (struct out_dcol){ t->sel[s].col, t->sel[s].node, 0, right };
			continue;
		}
		nodeset_foreach(node, &t->nodes)
			d[k++] = (struct out_dcol){ t->sel[s].col, node, 0, right };
	}
	*n = k;
	return d;
}

static void table_widths(const struct out_table *t, struct out_dcol *d, int n,
			 unsigned flags)
{
	char buf[4096];       /* a path, escaped */

	for (int k = 0; k < n; k++) {
		if (!(flags & OUT_NOHEADINGS)) {
			dcol_heading(t, &d[k], buf, sizeof(buf));
			d[k].width = (int)strlen(buf);
		}
		for (size_t r = 0; r < t->nrows; r++) {
			int w = (int)strlen(fmt_cell(t, &d[k], r, flags, buf, sizeof(buf)));

			if (w > d[k].width)
				d[k].width = w;
		}
	}
}

/* Raw output (-r): cells separated by one space, never padded; a blank
 * inside a cell is written \x20 (as util-linux does) so that every line
 * splits into the same number of fields. */
static void raw_put(FILE *f, bool last, const char *text)
{
	for (const char *p = text; *p; p++)
		if (*p == ' ' || *p == '\t')
			fprintf(f, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, f);
	fputc(last ? '\n' : ' ', f);
}

static void table_put(FILE *f, const struct out_dcol *d, bool last,
		      const char *text, unsigned flags)
{
	if (flags & OUT_RAW) {
		raw_put(f, last, text);
		return;
	}
	if (d->right)
		fprintf(f, "%*s", d->width, text);
	else if (last)
		fputs(text, f);            /* no trailing blanks */
	else
		fprintf(f, "%-*s", d->width, text);
	fputc(last ? '\n' : ' ', f);
}

int out_print_table(const struct out_table *t, FILE *f, unsigned flags)
{
	struct out_dcol *d;
	char buf[4096];       /* a path, escaped */
	int n;

	if (t->enomem)
		return -ENOMEM;
	d = table_dcols(t, &n);
	if (!d)
		return -ENOMEM;
	table_widths(t, d, n, flags);
	if (!(flags & OUT_NOHEADINGS)) {
		for (int k = 0; k < n; k++) {
			dcol_heading(t, &d[k], buf, sizeof(buf));
			table_put(f, &d[k], k == n - 1, buf, flags);
		}
	}
	for (size_t r = 0; r < t->nrows; r++)
		for (int k = 0; k < n; k++)
			table_put(f, &d[k], k == n - 1,
				  fmt_cell(t, &d[k], r, flags, buf, sizeof(buf)), flags);
	free(d);
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

/* ---- JSON ----------------------------------------------------------------- */

static json_t *json_nodes(const struct out_table *t, const struct out_cell *c)
{
	json_t *o = json_object();
	char key[16];
	int node;

	if (!o)
		return NULL;
	/* every node of the table, then any other node a value was given for */
	nodeset_foreach(node, &t->nodes) {
		snprintf(key, sizeof(key), "%d", node);
		json_object_set_new(o, key, json_integer((json_int_t)cell_node(c, node)));
	}
	for (node = 0; node < c->nnodes; node++) {
		if (nodeset_has(&t->nodes, node) || c->nodes[node] == 0)
			continue;
		snprintf(key, sizeof(key), "%d", node);
		json_object_set_new(o, key, json_integer((json_int_t)c->nodes[node]));
	}
	return o;
}

static json_t *json_cell(const struct out_table *t, int col, const struct out_cell *c)
{
	switch (t->cols[col].type) {
	case COL_STR:
		return json_string(c->v.s);
	case COL_INT:
		return json_integer((json_int_t)c->v.i);
	case COL_COUNT:
	case COL_BYTES:
		return json_integer((json_int_t)c->v.u);
	case COL_ADDR:
		/* a string: kernel addresses exceed int64, and jq's doubles
		 * lose user addresses' low bits */
		return json_sprintf("0x%" PRIx64, c->v.u);
	case COL_NODES:
		return json_nodes(t, c);
	case COL_FLOAT:
		return json_real(c->v.f);
	case COL_BOOL:
		return json_boolean(c->v.b);
	}
	return json_null();
}

json_t *out_to_json(const struct out_table *t)
{
	json_t *a = json_array();

	if (!a || t->enomem) {
		json_decref(a);
		return NULL;
	}
	for (size_t r = 0; r < t->nrows; r++) {
		json_t *o = json_object();

		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
		for (int c = 0; c < t->ncols; c++) {
			const struct out_cell *cell = &t->cells[r * t->ncols + c];

			if (cell->set)
				json_object_set_new(o, t->cols[c].key, json_cell(t, c, cell));
		}
	}
	return a;
}

int out_print_json(json_t *doc, FILE *f)
{
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		return errno ? -errno : -EIO;
	fputc('\n', f);
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int out_check_file_target(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;       /* nothing there, or the write will say why */
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

int out_write_json_file(json_t *doc, const char *path)
{
	char tmp[PATH_MAX];
	int fd, rc = 0;

	if ((rc = out_check_file_target(path)) < 0)
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (json_dumpfd(doc, fd, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
	    write(fd, "\n", 1) != 1)
		rc = errno ? -errno : -EIO;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	/* checked again: what appeared meanwhile is not ours to replace either */
	if (rc == 0 && (rc = out_check_file_target(path)) == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return fsync_dir_of(path);
}

/* ---- Prometheus ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0: the bytes the
 * exposition format's parsers accept (no overlong forms, no surrogates). */
static int utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* A label value as the exposition format wants it: \\, \" and \n
 * escaped, and UTF-8 only.  A byte that is not valid UTF-8 (a command name
 * is any bytes) is written as the text \xHH, as tables show control
 * characters; a raw one would make the whole scrape fail. */
static void prom_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	while (*p) {
		n = utf8_len(p);
		if (n == 0) {
			fprintf(f, "\\\\x%02x", *p++);
			continue;
		}
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		if (*p == '\n')
			fputs("\\n", f);
		else
			fwrite(p, 1, (size_t)n, f);
		p += n;
	}
}

/* One label: key="value". */
static void prom_label(const struct out_table *t, int col,
		       const struct out_cell *cell, FILE *f)
{
	fprintf(f, "%s=\"", t->cols[col].key);
	switch (t->cols[col].type) {
	case COL_STR:
		prom_escape(f, cell->v.s);
		break;
	case COL_INT:
		fprintf(f, "%" PRId64, cell->v.i);
		break;
	case COL_ADDR:
		fprintf(f, "0x%" PRIx64, cell->v.u);
		break;
	case COL_BOOL:
		fputs(cell->v.b ? "true" : "false", f);
		break;
	default:
		fprintf(f, "%" PRIu64, cell->v.u);
		break;
	}
	fputc('"', f);
}

static void prom_labels(const struct out_table *t, size_t row, FILE *f, int node)
{
	bool first = true;

	for (int c = 0; c < t->ncols; c++) {
		const struct out_cell *cell = &t->cells[row * t->ncols + c];

		if (!(t->cols[c].flags & COL_LABEL) || !cell->set)
			continue;
		fputs(first ? "{" : ",", f);
		first = false;
		prom_label(t, c, cell, f);
	}
	if (node >= 0)
		fprintf(f, "%snode=\"%d\"", first ? "{" : ",", node);
	if (!first || node >= 0)
		fputc('}', f);
}

static void prom_value(const struct out_table *t, int col,
		       const struct out_cell *c, FILE *f)
{
	switch (t->cols[col].type) {
	case COL_INT:
		fprintf(f, " %" PRId64 "\n", c->v.i);
		break;
	case COL_FLOAT:
		fprintf(f, " %.9g\n", c->v.f);
		break;
	case COL_BOOL:
		fprintf(f, " %d\n", c->v.b ? 1 : 0);
		break;
	default:
		fprintf(f, " %" PRIu64 "\n", c->v.u);
		break;
	}
}

static bool prom_is_metric(const struct col_desc *d)
{
	if (d->flags & (COL_LABEL | COL_NOPROM))
		return false;
	return d->type != COL_STR && d->type != COL_ADDR;
}

static void prom_metric(const struct out_table *t, int col, FILE *f,
			const char *prefix)
{
	const struct col_desc *d = &t->cols[col];
	bool any = false;
	int node;

	for (size_t r = 0; r < t->nrows && !any; r++)
		any = t->cells[r * t->ncols + col].set;
	if (!any)
		return;
	fprintf(f, "# HELP %s_%s %s\n# TYPE %s_%s gauge\n", prefix, d->key,
		d->help ? d->help : d->key, prefix, d->key);
	for (size_t r = 0; r < t->nrows; r++) {
		const struct out_cell *c = &t->cells[r * t->ncols + col];

		if (!c->set)
			continue;
		if (d->type != COL_NODES) {
			fprintf(f, "%s_%s", prefix, d->key);
			prom_labels(t, r, f, -1);
			prom_value(t, col, c, f);
			continue;
		}
		nodeset_foreach(node, &t->nodes) {
			fprintf(f, "%s_%s", prefix, d->key);
			prom_labels(t, r, f, node);
			fprintf(f, " %" PRIu64 "\n", cell_node(c, node));
		}
	}
}

int out_print_prom(const struct out_table *t, FILE *f, const char *prefix)
{
	if (t->enomem)
		return -ENOMEM;
	for (int c = 0; c < t->ncols; c++)
		if (prom_is_metric(&t->cols[c]))
			prom_metric(t, c, f, prefix);
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

/* ---- Prometheus, summed by group ------------------------------------------ */

/* A row and the labels of its group, as they are printed: rows with the same
 * text are one group. */
struct prom_member {
	char *labels;
	size_t row;
};

struct prom_groups {
	struct prom_member *m;      /* sorted by labels */
	size_t n;
	size_t *start;              /* group g: m[start[g]] .. m[start[g + 1] - 1] */
	size_t ngroups;
};

static int prom_member_cmp(const void *a, const void *b)
{
	const struct prom_member *x = a, *y = b;
	int c = strcmp(x->labels, y->labels);

	return c ? c : (x->row > y->row) - (x->row < y->row);
}

static void prom_groups_free(struct prom_groups *g)
{
	for (size_t i = 0; g->m && i < g->n; i++)
		free(g->m[i].labels);
	free(g->m);
	free(g->start);
}

/* 'key="v",key2="v2"' of the row's by columns (a column not set in the row
 * gives no label); malloc'd, NULL on ENOMEM. */
static char *prom_group_labels(const struct out_table *t, size_t row,
			       const int *by, int nby)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return NULL;
	for (int k = 0; k < nby; k++) {
		const struct out_cell *cell = &t->cells[row * t->ncols + by[k]];

		if (!cell->set)
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		prom_label(t, by[k], cell, f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int prom_groups_make(const struct out_table *t, const int *by, int nby,
			    struct prom_groups *g)
{
	memset(g, 0, sizeof(*g));
	g->m = calloc(t->nrows + 1, sizeof(*g->m));
	g->start = calloc(t->nrows + 1, sizeof(*g->start));
	if (!g->m || !g->start) {
		prom_groups_free(g);
		return -ENOMEM;
	}
	for (; g->n < t->nrows; g->n++) {
		g->m[g->n].row = g->n;
		g->m[g->n].labels = prom_group_labels(t, g->n, by, nby);
		if (!g->m[g->n].labels) {
			prom_groups_free(g);
			return -ENOMEM;
		}
	}
	qsort(g->m, g->n, sizeof(*g->m), prom_member_cmp);
	for (size_t i = 0; i < g->n; i++)
		if (i == 0 || strcmp(g->m[i].labels, g->m[i - 1].labels) != 0)
			g->start[g->ngroups++] = i;
	g->start[g->ngroups] = g->n;
	return 0;
}

/* Summed in a group: sizes and counts.  A ratio, a flag or an id is not. */
static bool prom_is_additive(const struct col_desc *d)
{
	return prom_is_metric(d) &&
	       (d->type == COL_BYTES || d->type == COL_COUNT || d->type == COL_NODES);
}

static void prom_series(FILE *f, const char *prefix, const char *key,
			const char *labels, int node, uint64_t v)
{
	bool any = labels[0] != '\0';

	fprintf(f, "%s%s%s", prefix, key ? "_" : "", key ? key : "");
	if (any || node >= 0)
		fprintf(f, "{%s%s", labels, any && node >= 0 ? "," : "");
	if (node >= 0)
		fprintf(f, "node=\"%d\"", node);
	fprintf(f, "%s %" PRIu64 "\n", any || node >= 0 ? "}" : "", v);
}

/* The sum of a column over the rows of group k (node: of that node of a
 * COL_NODES column); false when no row has the column set. */
static bool prom_group_sum(const struct out_table *t, int col, const struct prom_groups *g,
			   size_t k, int node, uint64_t *sum)
{
	bool any = false;

	*sum = 0;
	for (size_t i = g->start[k]; i < g->start[k + 1]; i++) {
		const struct out_cell *c = &t->cells[g->m[i].row * t->ncols + col];

		if (!c->set)
			continue;
		any = true;
		*sum += node >= 0 ? cell_node(c, node) : c->v.u;
	}
	return any;
}

/* One metric of every group; a group where no row has the column set has
 * no series. */
static void prom_group_metric(const struct out_table *t, int col,
			      const struct prom_groups *g, FILE *f, const char *prefix)
{
	const struct col_desc *d = &t->cols[col];
	bool help = false;
	uint64_t sum;
	int node;

	for (size_t k = 0; k < g->ngroups; k++) {
		const char *labels = g->m[g->start[k]].labels;

		if (!prom_group_sum(t, col, g, k, -1, &sum))
			continue;
		if (!help)
			fprintf(f, "# HELP %s_%s %s, summed over the group\n"
				"# TYPE %s_%s gauge\n", prefix, d->key,
				d->help ? d->help : d->key, prefix, d->key);
		help = true;
		if (d->type != COL_NODES) {
			prom_series(f, prefix, d->key, labels, -1, sum);
			continue;
		}
		nodeset_foreach(node, &t->nodes) {
			prom_group_sum(t, col, g, k, node, &sum);
			prom_series(f, prefix, d->key, labels, node, sum);
		}
	}
}

int out_print_prom_grouped(const struct out_table *t, FILE *f, const char *prefix,
			   const char *const *by, int nby, const char *count_help)
{
	struct prom_groups g;
	int idx[8], rc;

	if (t->enomem)
		return -ENOMEM;
	if (nby < 0 || nby > (int)(sizeof(idx) / sizeof(idx[0])))
		return -EINVAL;
	for (int k = 0; k < nby; k++)
		if ((idx[k] = col_index(t, by[k], strlen(by[k]))) < 0)
			return -EINVAL;
	if ((rc = prom_groups_make(t, idx, nby, &g)) < 0)
		return rc;
	if (g.ngroups > 0)
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", prefix, count_help, prefix);
	for (size_t k = 0; k < g.ngroups; k++)
		prom_series(f, prefix, NULL, g.m[g.start[k]].labels, -1,
			    g.start[k + 1] - g.start[k]);
	for (int c = 0; c < t->ncols; c++)
		if (prom_is_additive(&t->cols[c]))
			prom_group_metric(t, c, &g, f, prefix);
	prom_groups_free(&g);
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

void out_print_columns_help(const struct col_desc *cols, int ncols, FILE *f)
{
	for (int c = 0; c < ncols; c++) {
		if (cols[c].type == COL_NODES)
			fprintf(f, "  %-11s %s (one column per node: N0, N1, ...; "
				"N<id> picks one)\n", cols[c].name, cols[c].help);
		else
			fprintf(f, "  %-11s %s\n", cols[c].name, cols[c].help);
	}
}
