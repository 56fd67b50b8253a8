/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <inttypes.h>
#include <stdio.h>
#include "exitcode.h"
#include "report.h"
#include "strutil.h"

void report_move_stall(struct report_move *m, double max_stall)
{
	stall_summarize(&m->r.stall, m->engine == EXEC_SYSCALL ? 0 : max_stall, &m->stall);
}

json_t *report_guard_json(const struct guard_result *g)
{
	json_t *a = json_array();

	for (size_t i = 0; i < g->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "level",
			g->v[i].level == GUARD_REFUSE ? "refuse" : "warn", "text", g->v[i].text));
	return a;
}

static json_t *pair_json(const struct exec_pair *x, uint64_t ps)
{
	json_t *nm = json_object(), *nmb = json_object();

	for (int k = 0; k < EXR_NREASONS; k++) {
		json_object_set_new(nm, exec_reason_key((enum exec_reason)k),
				    json_integer((json_int_t)x->not_moved[k]));
		json_object_set_new(nmb, exec_reason_key((enum exec_reason)k),
				    json_integer((json_int_t)(x->not_moved[k] * ps)));
	}
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:I,s:I}",
			 "planned_pages", (json_int_t)x->planned, "planned_bytes", (json_int_t)(x->planned * ps),
			 "moved_pages", (json_int_t)x->moved, "moved_bytes", (json_int_t)(x->moved * ps),
			 "already_pages", (json_int_t)x->already, "already_bytes", (json_int_t)(x->already * ps),
			 "discarded_pages", (json_int_t)x->discarded, "discarded_bytes", (json_int_t)(x->discarded * ps),
			 "gone_pages", (json_int_t)x->gone, "gone_bytes", (json_int_t)(x->gone * ps),
			 "not_moved_pages", (json_int_t)exec_not_moved(x),
			 "not_moved_bytes", (json_int_t)(exec_not_moved(x) * ps),
			 "not_moved_by_reason_pages", nm, "not_moved_by_reason_bytes", nmb,
			 "thp_planned", (json_int_t)x->thp_planned, "thp_moved", (json_int_t)x->thp_moved);
}

json_t *report_move_json(const struct plan *p, const struct plan_proc *pp,
			 const struct report_move *o)
{
	uint64_t ps = p->page_size;
	struct exec_pair s;
	json_t *j, *pairs = json_array(), *resid = json_object();
	char key[16];

	exec_totals(&o->r, &s);
	if (!o->ran) {         /* not started: everything planned is still to do */
		s.planned = plan_total_bytes(p, pp) / ps + pp->already_pages;
		s.already = pp->already_pages;
	}
	for (size_t k = 0; k < o->r.npairs; k++) {
		json_t *pj = pair_json(&o->r.pairs[k], ps);

		json_object_set_new(pj, "from", json_integer(o->r.pairs[k].src));
		json_object_set_new(pj, "to", json_integer(o->r.pairs[k].dst));
		json_array_append_new(pairs, pj);
	}
	for (int n = 0; n < o->r.residual_slots; n++) {
		snprintf(key, sizeof(key), "%d", n);
		if (o->r.residual[n] || (o->r.residual_known && o->r.residual_slots))
			json_object_set_new(resid, key, json_integer((json_int_t)(o->r.residual[n] * ps)));
	}
	j = json_pack("{s:i,s:s,s:s,s:i,s:s}", "pid", (int)pp->id.pid, "comm", pp->id.comm,
		      "status", ns_exit_name(o->code), "exit_code", o->code,
		      "stop", o->ran > 0 ? exec_stop_name(o->r.stop) : o->ran < 0 ? "error" : "not started");
	/* already: found on the target when planning, or when its batch ran */
	s.already += o->ran ? pp->already_pages : 0;
	s.planned += o->ran ? pp->already_pages : 0;
	json_object_update_new(j, pair_json(&s, ps));
	json_object_set_new(j, "shared_left_pages", json_integer((json_int_t)pp->shared_pages));
	json_object_set_new(j, "shared_left_bytes", json_integer((json_int_t)(pp->shared_pages * ps)));
	json_object_set_new(j, "thp_whole", o->r.thp_known ? json_integer((json_int_t)o->r.thp_whole) : json_null());
	json_object_set_new(j, "thp_split", o->r.thp_known ? json_integer((json_int_t)o->r.thp_split) : json_null());
	json_object_set_new(j, "retries", json_integer((json_int_t)o->r.retries));
	json_object_set_new(j, "calls", json_integer((json_int_t)o->r.calls));
	json_object_set_new(j, "threads", o->ran > 0 ? json_integer(o->r.threads) : json_null());
	json_object_set_new(j, "stall", o->ran > 0 ? stall_json(&o->stall) : json_null());
	json_object_set_new(j, "plan_seconds", pp->plan_seconds >= 0 ? json_real(pp->plan_seconds) : json_null());
	json_object_set_new(j, "seconds", json_real(o->r.seconds));
	json_object_set_new(j, "bytes_per_second",
			    json_real(o->r.seconds > 0 ? (double)(s.moved * ps) / o->r.seconds : 0));
	json_object_set_new(j, "engine", o->ran ? json_string(exec_engine_name(o->engine)) : json_null());
	json_object_set_new(j, "engine_reason", o->ran ? json_string(o->engine_why) : json_null());
	if (o->ran && o->engine == EXEC_SYSCALL)
		json_object_set_new(j, "syscall_not_migrated", json_integer((json_int_t)o->r.syscall_failed));
	json_object_set_new(j, "residual_bytes", o->r.residual_known ? resid : json_null());
	if (!o->r.residual_known)
		json_decref(resid);
	json_object_set_new(j, "pairs", pairs);
	return j;
}

const struct col_desc report_move_cols[] = {
	{ "PID",       "pid",        COL_INT,   COL_LABEL, "process id" },
	{ "COMM",      "comm",       COL_STR,   COL_LABEL, "command name" },
	{ "FROM",      "from",       COL_INT,   COL_LABEL, "source node" },
	{ "TO",        "to",         COL_INT,   COL_LABEL, "target node" },
	{ "PLANNED",   "planned",    COL_BYTES, 0, "bytes planned" },
	{ "MOVED",     "moved",      COL_BYTES, 0, "bytes moved" },
	{ "ALREADY",   "already",    COL_BYTES, 0, "bytes found on the target when their batch ran" },
	{ "DISCARDED", "discarded",  COL_BYTES, 0, "lazily freed bytes discarded instead of copied" },
	{ "GONE",      "gone",       COL_BYTES, 0, "bytes no longer on the source when their batch ran" },
	{ "NOT-MOVED", "not_moved",  COL_BYTES, 0, "bytes that did not move" },
	{ "WHY",       "why",        COL_STR,   0, "reasons of pages not moved" },
	{ "THP",       "thp",        COL_COUNT, 0, "THPs moved" },
};

static void why_string(const struct exec_pair *x, uint64_t ps, char *buf, size_t len)
{
	size_t off = 0;
	char b[32];

	buf[0] = '\0';
	for (int k = 0; k < EXR_NREASONS && off < len; k++)
		if (x->not_moved[k])
			off += (size_t)snprintf(buf + off, len - off, "%s%s %s", off ? "," : "",
						exec_reason_key((enum exec_reason)k),
						str_human_size(x->not_moved[k] * ps, b, sizeof(b)));
}

const int report_move_ncols = (int)(sizeof(report_move_cols) / sizeof(report_move_cols[0]));

struct out_table *report_move_table(void)
{
	return out_table_new(report_move_cols,
			     (int)(sizeof(report_move_cols) / sizeof(report_move_cols[0])), NULL);
}

void report_move_rows(struct out_table *t, const struct plan *p,
		      const struct plan_proc *pp, const struct report_move *m)
{
	uint64_t ps = p->page_size;
	char why[256];

	for (size_t k = 0; k < m->r.npairs; k++) {
		const struct exec_pair *x = &m->r.pairs[k];

		out_row(t);
		out_set_int(t, "PID", pp->id.pid);
		out_set_str(t, "COMM", pp->id.comm);
		out_set_int(t, "FROM", x->src);
		out_set_int(t, "TO", x->dst);
		out_set_u64(t, "PLANNED", x->planned * ps);
		out_set_u64(t, "MOVED", x->moved * ps);
		out_set_u64(t, "ALREADY", x->already * ps);
		out_set_u64(t, "DISCARDED", x->discarded * ps);
		out_set_u64(t, "GONE", x->gone * ps);
		out_set_u64(t, "NOT-MOVED", exec_not_moved(x) * ps);
		why_string(x, ps, why, sizeof(why));
		out_set_str(t, "WHY", why[0] ? why : "-");
		out_set_u64(t, "THP", x->thp_moved);
	}
}

void report_move_line(FILE *f, const struct plan *p, const struct plan_proc *pp,
		      const struct report_move *o)
{
	uint64_t ps = p->page_size;
	char cb[256], b[32];
	const char *comm = str_escape(pp->id.comm, cb, sizeof(cb));
	struct exec_pair s;

	if (!pp->nruns && o->ran == 0) {
		fprintf(f, "pid %d (%s): nothing to move\n", (int)pp->id.pid, comm);
		return;
	}
	exec_totals(&o->r, &s);
	fprintf(f, "pid %d (%s): %s: moved %s", (int)pp->id.pid, comm,
		o->ran > 0 ? exec_stop_name(o->r.stop) : o->ran < 0 ? "error" : "not started",
		str_human_size(s.moved * ps, b, sizeof(b)));
	if (exec_not_moved(&s))
		fprintf(f, ", not moved %s", str_human_size(exec_not_moved(&s) * ps, b, sizeof(b)));
	if (s.discarded)
		fprintf(f, ", discarded %s", str_human_size(s.discarded * ps, b, sizeof(b)));
	fprintf(f, " in %.2fs (%s/s)", o->r.seconds,
		str_human_size(o->r.seconds > 0 ? (uint64_t)((double)(s.moved * ps) / o->r.seconds) : 0,
			       b, sizeof(b)));
	if (o->ran > 0 && o->engine == EXEC_SYSCALL)
		fprintf(f, " (one migrate_pages call: %s)", o->engine_why);
	else if (o->ran > 0 && o->stall.calls)
		fprintf(f, ", longest call %.1f ms (budget %.0f ms, %d thread%s)", o->stall.max * 1e3,
			o->stall.budget * 1e3, o->r.threads, o->r.threads == 1 ? "" : "s");
	if (o->r.thp_known)
		fprintf(f, ", THPs whole %" PRIu64 " split %" PRIu64, o->r.thp_whole, o->r.thp_split);
	if (o->r.retries)
		fprintf(f, ", %" PRIu64 " retries", o->r.retries);
	if (o->r.residual_known) {
		uint64_t left = 0;

		for (int n = 0; n < o->r.residual_slots; n++)
			left += o->r.residual[n];
		fprintf(f, ", %s still on source nodes", str_human_size(left * ps, b, sizeof(b)));
	}
	fprintf(f, "\n");
}
