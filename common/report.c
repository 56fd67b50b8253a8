/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "discard.h"
#include "exitcode.h"
#include "place.h"
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
	json_object_set_new(j, "nice", o->ran > 0 ? json_integer(o->r.nice) : json_null());
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

/* ---- plans (mmigrate --dry-run) ---- */

const struct col_desc report_plan_cols[] = {
	{ "PID",     "pid",     COL_INT,   COL_LABEL, "process id" },
	{ "COMM",    "comm",    COL_STR,   COL_LABEL, "command name" },
	{ "FROM",    "from",    COL_INT,   COL_LABEL, "source node" },
	{ "TO",      "to",      COL_INT,   COL_LABEL, "target node" },
	{ "CLASS",   "class",   COL_STR,   COL_LABEL, "page size class: base, thp, hugetlb" },
	{ "RUNS",    "runs",    COL_COUNT, 0, "runs of pages" },
	{ "ENTRIES", "entries", COL_COUNT, 0, "move_pages entries (a THP is one)" },
	{ "BYTES",   "bytes",   COL_BYTES, 0, "bytes to move" },
};
const int report_plan_ncols = (int)(sizeof(report_plan_cols) / sizeof(report_plan_cols[0]));

void report_plan_rows(struct out_table *t, const struct plan *p)
{
	struct plan_group *g;
	size_t n;

	if (plan_groups(p, &g, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		out_row(t);
		out_set_int(t, "PID", g[i].pp->id.pid);
		out_set_str(t, "COMM", g[i].pp->id.comm);
		out_set_int(t, "FROM", g[i].src);
		out_set_int(t, "TO", g[i].dst);
		out_set_str(t, "CLASS", plan_class_name(g[i].cls));
		out_set_u64(t, "RUNS", g[i].runs);
		out_set_u64(t, "ENTRIES", g[i].entries);
		out_set_u64(t, "BYTES", g[i].bytes);
	}
	free(g);
}

json_t *report_plan_json(const struct plan *p, const struct exec_opts *xo, bool engines,
			 const struct guard_result *g, json_t *errors)
{
	json_t *doc = plan_to_json(p);
	json_t *procs;

	if (!doc)
		return NULL;
	procs = json_object_get(doc, "processes");
	json_object_set_new(doc, "planned_bytes", json_integer((json_int_t)plan_total_bytes(p, NULL)));
	for (size_t i = 0; engines && i < p->nprocs; i++) {
		json_t *proc = json_array_get(procs, i);
		const char *why;
		enum exec_engine e = exec_choose(p, &p->procs[i], xo, &why);

		if (!proc)
			continue;
		json_object_set_new(proc, "engine", json_string(exec_engine_name(e)));
		json_object_set_new(proc, "engine_reason", json_string(why));
	}
	json_object_set_new(doc, "guard", report_guard_json(g));
	json_object_set_new(doc, "errors", errors ? json_incref(errors) : json_array());
	json_object_set_new(doc, "exit_code", json_integer(g->refuse));
	return doc;
}

void report_plan_lines(FILE *f, const struct plan *p, const struct exec_opts *xo,
		       bool engines)
{
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct plan_proc *pp = &p->procs[i];
		char b[32], cb[256];

		fprintf(f, "pid %d (%s): %s to move", (int)pp->id.pid,
			str_escape(pp->id.comm, cb, sizeof(cb)),
			str_human_size(plan_total_bytes(p, pp), b, sizeof(b)));
		fprintf(f, ", %s already on target",
			str_human_size(pp->already_pages * p->page_size, b, sizeof(b)));
		if (pp->shared_pages)
			fprintf(f, ", %s shared with other processes left out (--move-all)",
				str_human_size(pp->shared_pages * p->page_size, b, sizeof(b)));
		fprintf(f, "%s", pp->coarse ? " (page addresses not known: queried when moving)" : "");
		if (pp->nruns && engines) {
			const char *why;
			enum exec_engine e = exec_choose(p, pp, xo, &why);

			fprintf(f, "; engine %s (%s)", exec_engine_name(e), why);
		}
		fprintf(f, "\n");
	}
}

/* ---- discards (mfree-discard) ---- */

const struct col_desc report_discard_cols[] = {
	{ "PID",        "pid",              COL_INT,   COL_LABEL, "process id" },
	{ "COMM",       "comm",             COL_STR,   COL_LABEL, "command name" },
	{ "MODE",       "mode",             COL_STR,   COL_LABEL, "precise (kpageflags) or mapping (smaps)" },
	{ "NODE",       "node",             COL_STR,   COL_LABEL, "node, or 'all' for the process" },
	{ "FOUND",      "found",            COL_BYTES, 0, "lazily freed bytes found" },
	{ "DISCARDED",  "discarded",        COL_BYTES, 0, "bytes present before and gone after" },
	{ "KEPT",       "kept",             COL_BYTES, 0, "lazily freed bytes kept: written again (precise mode)" },
	{ "SKIPPED",    "skipped",          COL_BYTES, 0, "bytes found but left out (THPs, see --thp)" },
	{ "THP-DISC",   "thp_discarded",    COL_COUNT, 0, "lazily freed THPs discarded" },
	{ "THP-KEPT",   "thp_kept",         COL_COUNT, 0, "lazily freed THPs kept (written again)" },
	{ "THP-COLL",   "thp_collapsed",    COL_COUNT, 0, "THPs collapsed back after the pageout" },
	{ "RSS-BEFORE", "rss_before",       COL_BYTES, 0, "Rss before (smaps)" },
	{ "RSS-AFTER",  "rss_after",        COL_BYTES, 0, "Rss after (smaps)" },
	{ "LAZY-AFTER", "lazyfree_after",   COL_BYTES, 0, "LazyFree left (smaps)" },
	{ "AHP-BEFORE", "anon_huge_before", COL_BYTES, 0, "AnonHugePages before (smaps)" },
	{ "AHP-AFTER",  "anon_huge_after",  COL_BYTES, 0, "AnonHugePages after (smaps)" },
};
const int report_discard_ncols = (int)(sizeof(report_discard_cols) / sizeof(report_discard_cols[0]));


static json_t *smaps_json(const struct discard_smaps *s)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "rss", (json_int_t)s->rss,
			 "lazyfree", (json_int_t)s->lazyfree,
			 "anon_huge", (json_int_t)s->anon_huge,
			 "swap", (json_int_t)s->swap);
}

static json_t *warnings_json(unsigned w)
{
	json_t *a = json_array();

	if (w & DISCARD_W_SWAP)
		json_array_append_new(a, json_string("swap"));
	if (w & DISCARD_W_NO_KPF)
		json_array_append_new(a, json_string("no_kpageflags"));
	if (w & DISCARD_W_THP_MAYBE)
		json_array_append_new(a, json_string("thp_blocks_left_out"));
	if (w & DISCARD_W_REWRITTEN)
		json_array_append_new(a, json_string("rewritten"));
	return a;
}

static json_t *nodes_json(const struct discard_set *s, bool applied)
{
	json_t *o = json_object();

	for (int n = 0; n < s->node_slots; n++) {
		const struct discard_node *d = &s->node[n];
		char key[16];
		json_t *j;

		if (!d->found && !d->candidate && !d->skipped)
			continue;
		j = json_pack("{s:I,s:I}", "candidate", (json_int_t)d->candidate,
			      "skipped", (json_int_t)d->skipped);
		json_object_set_new(j, "found", s->exact ?
				    json_integer((json_int_t)d->found) : json_null());
		if (applied) {
			json_object_set_new(j, "discarded", json_integer((json_int_t)d->discarded));
			json_object_set_new(j, "kept", s->exact ?
					    json_integer((json_int_t)d->kept) : json_null());
		}
		snprintf(key, sizeof(key), "%d", n);
		json_object_set_new(o, key, j);
	}
	return o;
}

json_t *report_discard_json(const struct proc_id *id, const struct discard_set *s,
			    const struct discard_result *r, bool applied, int code,
			    const char *error, double max_stall)
{
	json_t *p = json_pack("{s:i,s:s,s:I,s:s,s:s,s:i}",
			      "pid", (int)id->pid, "comm", id->comm,
			      "start_time", (json_int_t)id->start_time,
			      "status", ns_exit_name(code), "mode",
			      s ? discard_mode_name(s->mode) : "none",
			      "exit_code", code);

	json_object_set_new(p, "error", error ? json_string(error) : json_null());
	if (s && s->mode != DISCARD_AUTO) {
		json_object_set_new(p, "found", json_integer((json_int_t)s->found));
		json_object_set_new(p, "candidate", json_integer((json_int_t)s->candidate));
		json_object_set_new(p, "skipped", json_integer((json_int_t)s->skipped));
		json_object_set_new(p, "nodes", nodes_json(s, applied));
		json_object_set_new(p, "warnings", warnings_json(s->warn));
		json_object_set_new(p, "smaps_before", smaps_json(&s->before));
		json_object_set_new(p, "thp", json_pack("{s:I,s:I}",
			"found", (json_int_t)s->thp_found,
			"skipped", (json_int_t)s->thp_skipped));
	}
	if (s && applied) {
		json_t *thp = json_object_get(p, "thp");

		json_object_set_new(p, "discarded", json_integer((json_int_t)r->discarded));
		json_object_set_new(p, "kept", s->exact ?
				    json_integer((json_int_t)r->kept) : json_null());
		json_object_set_new(p, "advised", json_integer((json_int_t)r->advised));
		struct stall_summary st;

		json_object_set_new(p, "calls", json_integer((json_int_t)r->calls));
		stall_summarize(&r->stall, max_stall, &st);
		json_object_set_new(p, "stall", stall_json(&st));
		json_object_set_new(thp, "discarded", json_integer((json_int_t)r->thp_discarded));
		json_object_set_new(thp, "kept", json_integer((json_int_t)r->thp_kept));
		json_object_set_new(thp, "collapsed", json_integer((json_int_t)r->thp_collapsed));
		json_object_set_new(thp, "collapse_failed", json_integer((json_int_t)r->collapse_failed));
		json_object_set_new(p, "smaps_after_pageout", smaps_json(&r->after_pageout));
		json_object_set_new(p, "smaps_after", smaps_json(&r->after));
	}
	return p;
}

static void discard_row(struct out_table *t, const struct proc_id *id,
			const struct discard_set *s, const char *node)
{
	out_row(t);
	out_set_int(t, "PID", id->pid);
	out_set_str(t, "COMM", id->comm);
	out_set_str(t, "MODE", discard_mode_name(s->mode));
	out_set_str(t, "NODE", node);
}

void report_discard_rows(struct out_table *t, const struct proc_id *id,
			 const struct discard_set *s, const struct discard_result *r,
			 bool applied)
{
	for (int n = 0; n < s->node_slots; n++) {
		const struct discard_node *d = &s->node[n];
		char name[16];

		if (!d->found && !d->candidate && !d->skipped)
			continue;
		snprintf(name, sizeof(name), "%d", n);
		discard_row(t, id, s, name);
		if (s->exact)
			out_set_u64(t, "FOUND", d->found);
		out_set_u64(t, "SKIPPED", d->skipped);
		if (!applied)
			continue;
		out_set_u64(t, "DISCARDED", d->discarded);
		if (s->exact)
			out_set_u64(t, "KEPT", d->kept);
	}
	discard_row(t, id, s, "all");
	out_set_u64(t, "FOUND", s->found);
	out_set_u64(t, "SKIPPED", s->skipped);
	out_set_u64(t, "RSS-BEFORE", s->before.rss);
	out_set_u64(t, "AHP-BEFORE", s->before.anon_huge);
	if (!applied)
		return;
	out_set_u64(t, "DISCARDED", r->discarded);
	if (s->exact)
		out_set_u64(t, "KEPT", r->kept);
	if (s->exact) {   /* THPs are visible in kpageflags only */
		out_set_u64(t, "THP-DISC", r->thp_discarded);
		out_set_u64(t, "THP-KEPT", r->thp_kept);
		out_set_u64(t, "THP-COLL", r->thp_collapsed);
	}
	out_set_u64(t, "RSS-AFTER", r->after.rss);
	out_set_u64(t, "LAZY-AFTER", r->after.lazyfree);
	out_set_u64(t, "AHP-AFTER", r->after.anon_huge);
}

/* ---- placements (mplace) ---- */

json_t *report_affinity_json(const struct place_aff_result *a)
{
	return json_pack("{s:i,s:i,s:i,s:i}", "threads", a->threads, "gone", a->gone,
			 "failed", a->failed, "passes", a->passes);
}

json_t *report_auto_json(const struct place_auto *a)
{
	json_t *c = json_array();

	for (int i = 0; i < a->ncand; i++)
		json_array_append_new(c, json_pack("{s:i,s:I,s:I,s:I,s:f,s:b}",
			"node", a->cand[i].node, "bytes", (json_int_t)a->cand[i].bytes,
			"free", (json_int_t)a->cand[i].free, "need", (json_int_t)a->cand[i].need,
			"busy", a->cand[i].busy, "room", a->cand[i].room));
	return json_pack("{s:i,s:s,s:I,s:b,s:o}", "node", a->node, "why", a->why,
			 "total", (json_int_t)a->total, "numa_maps", a->numa_maps,
			 "candidates", c);
}

json_t *report_moves_json(const struct plan *p, const struct report_move *out,
			  enum exec_engine engine, bool applied_plan, int code,
			  json_t *errors)
{
	json_t *procs = json_array(), *doc;

	for (size_t i = 0; i < p->nprocs; i++)
		json_array_append_new(procs, report_move_json(p, &p->procs[i], &out[i]));
	doc = json_pack("{s:i,s:s,s:s,s:s,s:b,s:o,s:i,s:s}", "schema_version", REPORT_MOVES_SCHEMA,
			"tool", "mmigrate", "version", NS_VERSION, "engine", exec_engine_name(engine),
			"applied_plan", applied_plan, "processes", procs,
			"exit_code", code, "status", ns_exit_name(code));
	json_object_set_new(doc, "errors", json_incref(errors));
	return doc;
}

json_t *report_discards_json(json_t *procs, bool dry_run, int code)
{
	return json_pack("{s:i,s:s,s:s,s:b,s:o,s:s,s:i}",
			 "schema_version", REPORT_DISCARD_SCHEMA, "tool", "mfree-discard",
			 "version", NS_VERSION,
			 "dry_run", dry_run, "processes", procs,
			 "status", ns_exit_name(code), "exit_code", code);
}
