/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* report: a run of mmigrate as text, its plan (a dry run) or its moves. */
#include <stdio.h>
#include "report.h"

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
