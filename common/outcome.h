/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* outcome: the one outcome policy of all four tools, over the exit-code
 * contract of exitcode.h.  What a process's result is worth (its exit code),
 * how the codes of a run's processes combine, and what a failed step's errno
 * means (a code and one line saying so).  The commands only ask; they never
 * decide a code themselves.
 *
 *   a move (mmigrate, mplace -p)  outcome_move
 *   a discard (mfree-discard)     outcome_discard, and its steps that
 *                                 failed: outcome_discard_find_error,
 *                                 outcome_discard_apply_error
 *   the per-process lock          outcome_lock
 *   an affinity pass (mplace -p)  outcome_affinity
 *   a step that failed            outcome_errno
 *   a process not planned         outcome_plan_error
 *   a process not read (mscan)    outcome_scan_error
 *   the calls' times, a lost page outcome_stall, outcome_unaccounted
 *   a move that stopped on error  outcome_move_error
 *   the run                       outcome_run
 *
 * sigcode: the code of a caught SIGINT/SIGTERM (130/143), 0 when none.
 * Never prints.
 */
#ifndef NS_OUTCOME_H
#define NS_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include "discard.h"
#include "exec.h"
#include "exitcode.h"
#include "place.h"
#include "procs.h"
#include "stall.h"

/* A process's move.  started: 1 exec_proc ran (r is its result), 0 it did
 * not start (nothing planned, or the run stopped before its turn), -errno it
 * could not start.  had_work: the plan had pages for it.
 *   not started: 1 when it had work, else 0;
 *   stopped by a signal: sigcode; by the deadline: 124;
 *   a call failed for the whole process: 3 when pages moved or were
 *     discarded before, else the errno's code;
 *   the process went away: 3 when pages moved or were discarded, else 1;
 *   every batch ran: 0 when no planned page is left without moving, else 3
 *     when some moved or were discarded, 1 when none.
 * Pages found on the target already are neither done nor failed; nor are
 * pages the kernel refused as shared (-EACCES: mapped by another process
 * since the plan), which stay by the rule that left out the pages shared
 * when planned (--move-all moves both). */
int outcome_move(const struct exec_result *r, int started, bool had_work, int sigcode);

/* A process's discard (discard_apply's result r of set s). */
int outcome_discard(const struct discard_set *s, const struct discard_result *r,
		    bool timed_out, int sigcode);

/* discard_find failed with rc for process id: the code and one line
 * ("pid N: ...").  -EOPNOTSUPP (precise mode without kpageflags) and
 * EPERM/EACCES 4; -ENOENT under --sysroot (a tree without pagemap) 2, on
 * the live machine as -ESRCH (gone) 1; any other 1. */
int outcome_discard_find_error(const struct proc_id *id, int rc, char *msg, size_t len);
/* Opening the process (pidfd_open) or discard_apply failed with rc:
 * EPERM/EACCES 4 (process_madvise's privileges named), -ESRCH (gone),
 * -ENOSYS (an old kernel) and any other 1. */
int outcome_discard_apply_error(const struct proc_id *id, int rc, char *msg, size_t len);

/* lock_take's rc for process id: 0 taken; -EBUSY 5 (another run holds it:
 * holder, 0 if unknown); -EINTR (a signal while waiting) sigcode, or 130;
 * any other error 1 (the run must not go on without the lock).  msg: one
 * line naming the process and why, empty when taken. */
int outcome_lock(int rc, const struct proc_id *id, pid_t holder, int sigcode,
		 char *msg, size_t len);

/* An affinity pass over a process's threads (place_set_affinity_all): 0
 * when no thread was refused; else msg says how many were, and the code is
 * 3 when some threads were set, or the refusal's: EPERM 4, EINVAL (CPUs
 * outside the process's cpuset) 5, any other 1. */
int outcome_affinity(const struct place_aff_result *a, pid_t pid, char *msg, size_t len);

/* A step that failed with -errno before anything was done to process id:
 * its code (ns_exit_from_errno, with ESRCH and a zombie: 1) and one line:
 * "<doing> process PID (COMM): <what the errno means here>".
 * doing: e.g. "cannot read the memory map of". */
int outcome_errno(int err, const struct proc_id *id, const char *doing,
		  char *msg, size_t len);

/* A selected process that could not be planned (plan_add_process's rc;
 * a missing one: named with -p, not there): its code, its kind for
 * outcome_error_json ("gone", "permission", "error") and one line.  A
 * permission error names the privilege a move needs (privs_check). */
int outcome_plan_error(const struct proc_id *id, int rc, bool move_all,
		       const char **kind, char *msg, size_t len);
/* The same for a process whose WHAT ("numa_maps", "pagemap") could not be
 * read: "gone" ("process N (COMM) went away") 1, "permission" 4, "error" 1. */
int outcome_scan_error(const struct proc_id *id, int rc, const char *what,
		       const char **kind, char *msg, size_t len);

/* One shape, in every tool's JSON "errors" array, for a process that was
 * selected but not done (gone, no such process, permission, error):
 * {"pid", "comm", "error": kind, "message", "exit_code"}. */
json_t *outcome_error_json(const struct proc_id *id, const char *kind,
			   const char *msg, int code);

/* The calls of a move or discard that ended: one line when the longest
 * took more than 1.5 x the --max-stall budget (stall_overrun); what:
 * "move_pages", "process_madvise".  false: nothing to say. */
bool outcome_stall(const struct proc_id *id, const struct stall_summary *s,
		   const char *what, char *msg, size_t len);
/* Planned pages that got no outcome from the kernel (an executor bug; they
 * count as not moved): one line; false when there are none. */
bool outcome_unaccounted(const struct proc_id *id, const struct exec_result *r,
			 char *msg, size_t len);

/* A move that stopped on an error (EXS_ERROR): the kernel refused an
 * explicit --nice, or the target nodes (-EACCES), or another errno; one
 * line.  false for any other end. */
bool outcome_move_error(const struct proc_id *id, const struct exec_result *r,
			char *msg, size_t len);

/* The run's code from its processes' codes (combined as ns_exit_combine
 * does; none: 0), then a signal (sigcode) wins over everything, and a
 * deadline that passed turns any code but 0 into 124. */
int outcome_run(const int *codes, size_t n, int sigcode, bool deadline_passed);

#endif
