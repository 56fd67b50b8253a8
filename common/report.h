/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* report: the core's results as what the commands render.  One JSON shape
 * for a process's move, written by mmigrate (each of its "processes") and by
 * mplace (its "move"); one shape for guard findings; the move table's rows
 * (output.h's row model) and its summary line.  A command fills a
 * report_move from exec_proc and outcome_move, then asks for its JSON, rows
 * or line: no command writes these shapes itself.  Prints only into the
 * FILE it is given.
 */
#ifndef NS_REPORT_H
#define NS_REPORT_H

#include <signal.h>
#include <stdio.h>
#include <jansson.h>
#include "discard.h"
#include "exec.h"
#include "guard.h"
#include "maps.h"
#include "nodes.h"
#include "output.h"
#include "pagemap.h"
#include "place.h"
#include "plan.h"
#include "scan.h"
#include "stall.h"

/* A process's move, as it ended. */
struct report_move {
	struct exec_result r;          /* exec_proc's result (free it: exec_result_free) */
	int ran;                       /* 1 ran, 0 not started, -errno could not start */
	int code;                      /* outcome_move */
	enum exec_engine engine;       /* the engine that ran (or would have) */
	const char *engine_why;        /* what chose it (exec_choose) */
	struct stall_summary stall;    /* the calls' times (stall_summarize) */
};

/* Summarise the calls of a run that ended: budget as the engine had it
 * (none for the one migrate_pages call). */
void report_move_stall(struct report_move *m, double max_stall);

/* {"pid", "comm", "status", "exit_code", "stop", planned/moved/already/
 * discarded/gone/not_moved _pages and _bytes, not_moved_by_reason_*,
 * thp_*, shared_left_*, retries, calls, threads, stall, plan_seconds,
 * seconds, bytes_per_second, engine, engine_reason, residual_bytes,
 * "pairs": [...]} (docs/json.md, "A move"). */
json_t *report_move_json(const struct plan *p, const struct plan_proc *pp,
			 const struct report_move *m);

/* The result of a run of moves (mmigrate, schema_version
 * REPORT_MOVES_SCHEMA): {"engine", "applied_plan", "processes": [each
 * process's move, out[i] for p's procs[i]], "exit_code", "status",
 * "errors": the processes not planned}. */
#define REPORT_MOVES_SCHEMA 2
json_t *report_moves_json(const struct plan *p, const struct report_move *out,
			  enum exec_engine engine, bool applied_plan, int code,
			  json_t *errors);

/* Guard findings: [{"level": "warn"|"refuse", "text"}]. */
json_t *report_guard_json(const struct guard_result *g);

/* The move table: one row per process and source->target pair. */
extern const struct col_desc report_move_cols[];
extern const int report_move_ncols;
struct out_table *report_move_table(void);
void report_move_rows(struct out_table *t, const struct plan *p,
		      const struct plan_proc *pp, const struct report_move *m);
/* "pid N (COMM): STOP: moved SIZE in S s (RATE/s), longest call ..." */
void report_move_line(FILE *f, const struct plan *p, const struct plan_proc *pp,
		      const struct report_move *m);

/* A plan (mmigrate --dry-run): the table (one row per process, source,
 * target and page class: plan_groups), the JSON document (plan_to_json plus
 * "planned_bytes", each process's "engine" and "engine_reason" when
 * engines is set, "guard", "errors" and "exit_code"), and the lines under
 * the table ("pid N (COMM): SIZE to move, ...; engine E (why)").  engines:
 * say which engine each process gets (a live system; a captured tree is
 * not ours to move). */
extern const struct col_desc report_plan_cols[];
extern const int report_plan_ncols;
void report_plan_rows(struct out_table *t, const struct plan *p);
json_t *report_plan_json(const struct plan *p, const struct exec_opts *xo, bool engines,
			 const struct guard_result *g, json_t *errors);
void report_plan_lines(FILE *f, const struct plan *p, const struct exec_opts *xo,
		       bool engines);

/* mmigrate's text (report_migrate.c).  A plan: t (report_plan_cols, its
 * columns selected by the caller) filled and printed, then the lines under
 * it; the moves: t (report_move_table) filled from out[i] for p's procs[i]
 * and printed, then each process's line.  Both end with a line for each
 * process not planned ("pid N: not planned (KIND)", errors:
 * outcome_error_json's entries).  rc of out_print_table. */
int report_plan_print(FILE *f, struct out_table *t, unsigned flags, const struct plan *p,
		      const struct exec_opts *xo, bool engines, json_t *errors);
int report_moves_print(FILE *f, struct out_table *t, unsigned flags, const struct plan *p,
		       const struct report_move *out, json_t *errors);

/* mmigrate's progress bar on a terminal: "\rPROG: [###   ] DONE/PLANNED
 * RATE/s ETA Ns ", redrawn at most every 0.1 s and when a move is done.
 * report_progress_draw fits exec_opts.progress and report_progress_end
 * migrate_run.moved (it wipes the bar when on), with ud the bar.  Drawing
 * never changes what runs. */
struct report_progress {
	FILE *f;                      /* stderr */
	const char *prog;             /* the program's name, first on the line */
	bool on;                      /* a bar is drawn */
	double last_draw;             /* exec_progress.seconds of the last; -1 none */
};
void report_progress_draw(void *bar, const struct exec_progress *p);
void report_progress_end(void *bar);

/* A discard (mfree-discard): the table (a row per node and one "all" per
 * process) and the JSON process entry (docs/json.md).  s NULL: the process
 * was not read (error says why); applied: discard_apply ran (r holds it). */
extern const struct col_desc report_discard_cols[];
extern const int report_discard_ncols;
#define REPORT_DISCARD_DEFAULT "PID,COMM,NODE,FOUND,DISCARDED,KEPT,SKIPPED,THP-DISC,THP-KEPT,THP-COLL"
void report_discard_rows(struct out_table *t, const struct proc_id *id,
			 const struct discard_set *s, const struct discard_result *r,
			 bool applied);
json_t *report_discard_json(const struct proc_id *id, const struct discard_set *s,
			    const struct discard_result *r, bool applied, int code,
			    const char *error, double max_stall);

/* The result of a discard run (mfree-discard, schema_version
 * REPORT_DISCARD_SCHEMA): {"dry_run", "processes" (report_discard_json's
 * entries; the reference is taken), "status", "exit_code"}. */
#define REPORT_DISCARD_SCHEMA 1
json_t *report_discards_json(json_t *procs, bool dry_run, int code);

/* A placement (mplace): an affinity pass {threads, gone, failed, passes};
 * --auto's choice {node, why, total, candidates: [...]}. */
json_t *report_affinity_json(const struct place_aff_result *a);
json_t *report_auto_json(const struct place_auto *a);

/* A placement as mplace shows it (report_place.c): where it goes (the
 * lists as the command formatted them, "" for none) and, for a running
 * process, what happened.  The JSON documents are docs/json.md's "mplace"
 * (schema_version REPORT_PLACE_SCHEMA). */
#define REPORT_PLACE_SCHEMA 2
struct report_place {
	const char *nodes, *cpu_nodes, *cpus;
	const char *cpus_desc;             /* "0-3 (nodes 0)", "0-3", "unchanged" */
	bool dry_run;
	/* a launch */
	char *const *cmd;                  /* the command and its arguments */
	const char *policy;                /* its policy's name, or "unchanged" */
	bool balancing;
	const struct ns_nodeset *weighted; /* the nodes of weights, NULL: none read */
	const int *weights;                /* weighted interleave, by node */
	/* a running process */
	struct proc_id id;
	struct place_auto au;              /* --auto's choice (have_auto) */
	bool have_auto;
	struct place_aff_result aff;       /* the affinity pass before the move */
	struct place_aff_result aff_again; /* and after it: threads started meanwhile */
	bool aff_done;
	struct plan plan;
	struct guard_result guard;
	struct report_move mv;             /* the move, as mmigrate reports one */
	bool moved;
	int code;
	char error[256];                   /* the affinity's refusal, "" none */
};
/* {"mode": "launch", "command", "nodes", "cpu_nodes", "cpus", "policy",
 * "balancing", "weights"} */
json_t *report_launch_json(const struct report_place *p);
/* "command:", "cpus:", "policy:" and "weights:" lines of a launch's dry run. */
void report_launch_lines(FILE *f, const struct report_place *p);
/* {"mode": "running", "pid", "comm", ..., "guard", "planned_bytes", "auto",
 * "affinity", "affinity_second_pass", "move", "error"} */
json_t *report_place_json(const struct report_place *p);
/* "pid N (COMM): would set CPUs ... and move SIZE to nodes ..." (dry run),
 * or "pid N (COMM): CPUs ... set for N threads[, again for N after the
 * move]"; the move's table and line follow it (report_move_rows). */
void report_place_line(FILE *f, const struct report_place *p);

/* A scan (mscan, report_scan.c): four row sets, each a column table and
 * its rows: processes, mappings (-m), page runs (--pages) and nodes
 * (--topology).  shown: the nodes that get a NODES cell even with nothing
 * resident on them. */
extern const struct col_desc report_proc_cols[];
extern const int report_proc_ncols;
#define REPORT_PROC_DEFAULT "PID,COMM,NODES,TOTAL,MAIN"
#define REPORT_PROC_LONG    "PID,COMM,NODES,TOTAL,MAIN,THP,LAZYFREE,SWAP"
extern const struct col_desc report_map_cols[];
extern const int report_map_ncols;
#define REPORT_MAP_DEFAULT "START,END,PERMS,KIND,PATH,SIZE,NODES,THP,LAZYFREE,SWAP,POLICY"
extern const struct col_desc report_run_cols[];
extern const int report_run_ncols;
#define REPORT_RUN_DEFAULT "START,PAGES,SIZE,NODE,STATE,EXCL,THP,LAZYFREE"
extern const struct col_desc report_node_cols[];
extern const int report_node_ncols;
#define REPORT_NODE_DEFAULT "NODE,CPUS,TOTAL,FREE,FREETHP,MEMONLY,DISTANCES"
/* A process's row from its scan (scan_process).  cgroup: fill CGROUP
 * (procs_cgroup; empty when the process is gone meanwhile or the system
 * has cgroup v1 only), when it is shown or the rows are grouped by it. */
void report_proc_row(struct out_table *t, const struct ns_nodeset *shown,
		     const struct scan_proc *s, bool cgroup);
/* A mapping's row (of scan_proc's maps). */
void report_map_row(struct out_table *t, const struct ns_nodeset *shown, pid_t pid,
		    const struct mapping *mp);
/* A node's row; DISTANCES "10,20" in node order. */
void report_node_row(struct out_table *t, const struct ns_topology *topo,
		     const struct ns_node *nd);
/* The page runs of one process: report_runs_walk adds a row to t for each
 * run of each mapping and sums the present pages per node (the shared zero
 * page is nobody's); report_runs_proc_row turns the sums into the
 * process's row.  -EINTR when *stop turned non-zero, else pm_walk's rc. */
struct report_runs {
	struct out_table *t;
	pid_t pid;
	uint64_t page_size;
	uint64_t *node_bytes;               /* per node, node_slots of them, zeroed */
	int node_slots;
	uint64_t total;                     /* bytes of present pages */
	const volatile sig_atomic_t *stop;  /* may be NULL */
	const struct mapping *mp;           /* the mapping being walked */
};
int report_runs_walk(struct pm_reader *r, struct report_runs *c,
		     const struct mapping_list *maps);
void report_runs_proc_row(struct out_table *t, const struct ns_nodeset *shown,
			  const struct proc_id *id, const struct report_runs *c, bool cgroup);
/* What scan_process must read (SCAN_*) for the columns the rows will show:
 * table (a text table shows the columns selected; JSON and Prometheus
 * show them all); longfmt (-l): the process rows' rollup columns. */
unsigned report_proc_needs(const struct out_table *t, bool table, bool longfmt);
unsigned report_map_needs(const struct out_table *t, bool table);
/* [node, ...]; the node rows (t) with "distances" as {"<node>": distance}. */
json_t *report_nodes_json(const struct ns_nodeset *s);
json_t *report_topology_json(const struct out_table *t, const struct ns_topology *topo);

/* What one scan produced, as mscan renders it: each part NULL when the
 * view has none. */
struct report_scan {
	struct out_table *procs;      /* process rows (every view but --topology alone) */
	struct out_table *detail;     /* mapping rows (-m) or page runs (--pages: runs) */
	struct out_table *nodes;      /* node rows (--topology) */
	bool runs;
	json_t *errors;               /* processes not read: outcome_error_json's */
};
/* mscan's document (schema_version REPORT_SCAN_SCHEMA): {"tool", "version",
 * "time" (when time is not 0), "page_size", "thp_size", "nodes" (shown),
 * "topology", "processes", "runs" or "mappings", "errors" (with processes)}. */
#define REPORT_SCAN_SCHEMA 1
json_t *report_scan_json(const struct report_scan *s, const struct ns_topology *topo,
			 const struct ns_nodeset *shown, long long time);
/* Prometheus text: numashift_node_*, then numashift_process_* (or, with
 * by (nby labels, 0: by node alone), the process rows summed:
 * numashift_processes_*), then numashift_mapping_* or numashift_page_run_*. */
int report_scan_prom(FILE *f, const struct report_scan *s, const char *const *by, int nby);
/* --prom-by ARG: 0 for "pid" (a series set per process; by and nby
 * untouched); 1 for the sums, with by[0..1] and *nby set to the labels:
 * "node" (none: by node alone), "comm", "cgroup", "comm,cgroup" or
 * "cgroup,comm"; -EINVAL with the reason in err otherwise. */
int report_scan_prom_by(const char *arg, const char **by, int *nby, char *err, size_t len);
/* Tables: the nodes, a blank line, then the detail rows or else the
 * process rows; no process table when no process was read and errors say
 * why. */
int report_scan_tables(FILE *f, const struct report_scan *s, unsigned flags);

#endif
