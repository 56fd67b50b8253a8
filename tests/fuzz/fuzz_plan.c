/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* libFuzzer target for the plan-file reader: any bytes either fail with an
 * error message or give a plan that saves and reads back to the same totals.
 * plan_load is open + size check + this parse; the parse is what is fuzzed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_plan_roundtrip(const struct plan *p)
{
	struct plan q;
	char err[256];
	json_t *doc = plan_to_json(p);

	if (!doc)
		return;
	if (plan_from_json(doc, &q, err, sizeof(err)) != 0)
		abort();        /* a plan we accepted must read back */
	if (q.nprocs != p->nprocs || plan_total_bytes(&q, NULL) != plan_total_bytes(p, NULL))
		abort();
	plan_free(&q);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	struct plan p;
	char err[256];
	json_t *doc;

	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return 0;
	err[0] = '\0';
	if (plan_from_json(doc, &p, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < p.nprocs; i++)
			for (size_t j = 0; j < p.procs[i].nruns; j++)
				(void)plan_run_entries(&p.procs[i].runs[j], p.page_size);
		fuzz_plan_roundtrip(&p);
		plan_free(&p);
	} else if (err[0] == '\0' || strchr(err, '\n')) {
		abort();        /* every refusal names its problem on one line */
	}
	json_decref(doc);
	return 0;
}
