/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* report: a run of mmigrate as text, its plan (a dry run) or its moves,
 * and its progress bar. */
#include <stdio.h>
#include "report.h"
#include "strutil.h"

static void errors_lines(FILE *f, json_t *errors)
{
	size_t i;
	json_t *e;

	json_array_foreach(errors, i, e)
		fprintf(f, "pid %d: not planned (%s)\n",
			(int)json_integer_value(json_object_get(e, "pid")),
			json_string_value(json_object_get(e, "error")));
}

int report_plan_print(FILE *f, struct out_table *t, unsigned flags, const struct plan *p,
		      const struct exec_opts *xo, bool engines, json_t *errors)
{
	int rc;

	report_plan_rows(t, p);
	rc = out_print_table(t, f, flags);
	report_plan_lines(f, p, xo, engines);
	errors_lines(f, errors);
	return rc;
}

int report_moves_print(FILE *f, struct out_table *t, unsigned flags, const struct plan *p,
		       const struct report_move *out, json_t *errors)
{
	int rc;

	for (size_t i = 0; i < p->nprocs; i++)
		report_move_rows(t, p, &p->procs[i], &out[i]);
	rc = out_print_table(t, f, flags);
	for (size_t i = 0; i < p->nprocs; i++)
		report_move_line(f, p, &p->procs[i], &out[i]);
	errors_lines(f, errors);
	return rc;
}

/* ---- the progress bar ------------------------------------------------------- */

void report_progress_draw(void *bar, const struct exec_progress *p)
{
	struct report_progress *b = bar;
	char a[32], t[32], r[32];
	double rate, eta;
	int width = 30, fill;

	if (p->seconds - b->last_draw < 0.1 && p->done_bytes < p->planned_bytes)
		return;
	b->last_draw = p->seconds;
	rate = p->seconds > 0 ? (double)p->moved_bytes / p->seconds : 0;
	eta = rate > 0 ? (double)(p->planned_bytes - p->done_bytes) / rate : 0;
	fill = p->planned_bytes ? (int)((double)width * (double)p->done_bytes / (double)p->planned_bytes) : width;
	fprintf(b->f, "\r%s: [%.*s%*s] %s/%s %s/s ETA %.0fs ", b->prog,
		fill, "##############################", width - fill, "",
		str_human_size(p->done_bytes, a, sizeof(a)),
		str_human_size(p->planned_bytes, t, sizeof(t)),
		str_human_size((uint64_t)rate, r, sizeof(r)), eta);
}

/* A process's move ended: its bar goes, the next one starts afresh. */
void report_progress_end(void *bar)
{
	struct report_progress *b = bar;

	if (b->on)
		fprintf(b->f, "\r\033[K");
	b->last_draw = -1;
}
