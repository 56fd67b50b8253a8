/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* procs: which processes to act on, and who they are.  The only module that
 * includes libproc2.
 *
 * Selection by PID list, exact command name, user, cgroup v2 directory (all
 * processes at or below it) or all user processes (never kernel threads).
 * Under --sysroot only PID selection of PIDs present in the tree is allowed
 * (libproc2 always reads the live /proc).
 *
 * How criteria combine: PIDs given by number are taken as listed; the
 * filters (names, users, cgroup, all) intersect each other, like
 * `pgrep -u U NAME`, and several values of one filter are alternatives
 * (-n a -n b: either name).  The result is the union of the listed PIDs and
 * the filtered processes, sorted by pid, without duplicates, and never holds
 * 'exclude'.  Filters select user processes only: kernel threads and
 * zombies (no address space) are never matched.  A kernel thread listed by
 * PID is refused (-EINVAL, *bad_pid set): it has no user memory.  A zombie
 * listed by PID is kept (zombie set): it counts as gone when its turn comes
 * (procs_check_same says -ESRCH), like a process that exits later.
 * The cgroup path is a cgroup v2 directory, given in full
 * (/sys/fs/cgroup/unified/a/b or /sys/fs/cgroup/a/b, wherever cgroup2 is
 * mounted) or relative to the cgroup2 mount ("a/b" or "/a/b" as in
 * /proc/PID/cgroup); processes in it or in any directory below it match.
 */
#ifndef NS_PROCS_H
#define NS_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_id {
	pid_t pid;
	uint64_t start_time;  /* /proc/PID/stat field 22, clock ticks since boot */
	uid_t uid;            /* real uid */
	char comm[64];
	bool kthread;         /* PF_KTHREAD in stat flags (field 9) */
	bool zombie;          /* state Z or X (field 3): exited, not yet reaped */
	bool missing;         /* named with -p but no such process when selected:
			       * a placeholder (pid only) for the report */
};

struct proc_sel {
	pid_t *pids;    size_t npids;
	char **names;   size_t nnames;  /* exact comm match (comm is cut at 15 chars) */
	uid_t *uids;    size_t nuids;
	char *cgroup;                   /* cgroup v2 directory path, or NULL */
	bool all;                       /* -A: every user process */
	pid_t exclude;                  /* never select this pid (the tool itself); 0 = none */
};

struct proc_list {
	struct proc_id *v;
	size_t n;
};

/* Resolve a selection.  A PID given by number that does not exist is kept
 * as a placeholder (missing, pid only) when something else was selected,
 * so that the report names it beside the others; when nothing else was:
 * -ESRCH (*bad_pid says which).  Errors: -ENOENT (cgroup directory not found),
 * -ENOTSUP (selection other than PIDs under --sysroot), -EINVAL (a PID given
 * by number is a kernel thread: *bad_pid says which), -ELIBACC (libproc2,
 * loaded on first use by name/user/cgroup/all selection, could not be
 * loaded: procs_lib_error() says why).  An empty
 * result for name/user/cgroup/all is not an error (n == 0). */
int procs_select(const struct proc_sel *sel, struct proc_list *out,
		 pid_t *bad_pid);
/* Why libproc2 could not be loaded (after -ELIBACC): one line. */
const char *procs_lib_error(void);
/* Identity of one PID from /proc/PID/stat and status (through path.h).
 * -ESRCH when /proc/PID does not exist.  In a captured tree a missing stat
 * (start_time 0, comm from status Name) or status (uid 0) is tolerated. */
int procs_identify(pid_t pid, struct proc_id *out);
/* Still the same process: alive (not a zombie) and the same start time.
 * -ESRCH if it has gone, exited (a zombie) or the PID was reused. */
int procs_check_same(const struct proc_id *id);
/* Pin the process's current address space: an fd on /proc/PID/pagemap
 * holds the mm it was opened on.  procs_mm_same(fd) turns false once that
 * address space is gone: the process exited, or exec'd another program
 * (which keeps both the PID and the start time, so procs_check_same cannot
 * see it).  -errno from open. */
int procs_mm_open(pid_t pid);
bool procs_mm_same(int fd);
/* Nothing in the process can run now: every thread is stopped (state T
 * or t: SIGSTOP, a job-control stop, a debugger) or its cgroup v2 is
 * frozen (cgroup.freeze; cgroup.events says "frozen 1").  *how (may be
 * NULL) says which.  false when it runs or cannot be read. */
bool procs_frozen(pid_t pid, const char **how);
/* The process's cgroup v2 path as /proc/PID/cgroup gives it ("/a/b.scope",
 * relative to the reader's cgroup namespace), into buf.  -ENOENT when the
 * file has no cgroup v2 line (a cgroup v1 only system) or is missing from a
 * captured tree, -ESRCH when the process is gone, -ENAMETOOLONG. */
int procs_cgroup(pid_t pid, char *buf, size_t len);
/* User name to uid (or a numeric uid); -ENOENT if unknown. */
int procs_parse_user(const char *s, uid_t *out);
void procs_list_free(struct proc_list *l);

#endif
