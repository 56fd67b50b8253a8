/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* lock: one run at a time per target process.  A lock file
 * /run/numashift/PID.lock (or /tmp/numashift-UID/PID.lock when /run is not
 * writable) held with flock(2); the holder writes its own pid inside so that
 * a second run can name it.  The lock goes away with the holder's file
 * descriptor, so a crashed run never leaves a stale lock.  Never prints.
 */
#ifndef NS_LOCK_H
#define NS_LOCK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "procs.h"

struct ns_lock {
	int fd;              /* -1 when not held */
	int pfd;             /* /proc/PID/pagemap held with flock, or -1 */
	char path[256];
};

/* Runs of different users (root and the process's owner) use different
 * lock directories, so the lock file alone would not keep them apart: first
 * /proc/PID/pagemap is locked with flock(2).  Every run that may change the
 * process's memory can open that file (it needs the same ptrace access), all
 * of them open the same inode, and the holder is found in /proc/locks.  When
 * pagemap cannot be opened, the lock file alone is used.
 *
 * Take the lock of target pid.  wait: block until the holder ends.
 * -EBUSY when held by another run (*holder is its pid, 0 if unknown);
 * -EINTR when waiting was interrupted; other -errno. */
int lock_take(struct ns_lock *l, pid_t target, bool wait, pid_t *holder);
void lock_release(struct ns_lock *l);

/* Take process id's lock the one way every tool that changes a process
 * does: 0 when taken; otherwise outcome_lock's code and its line in msg
 * (stop: the caught signal, for a wait it interrupted; may be NULL). */
int lock_take_proc(struct ns_lock *l, const struct proc_id *id, bool wait,
		   const volatile sig_atomic_t *stop, char *msg, size_t len);

/* The locks of a run over several processes: taken in order before
 * planning, so that no plan is made while another run moves the same
 * pages; released together. */
struct lock_set {
	struct ns_lock *v;
	size_t n;            /* held */
};
/* Take the locks of n processes, ids[0] and each stride bytes after it (a
 * proc_list's or a plan's processes), as lock_take_proc does.  0 when all
 * are held; else the code and line of the first that could not be taken
 * (those before stay held until lock_set_release); out of memory: 1. */
int lock_set_take(struct lock_set *s, const struct proc_id *ids, size_t n, size_t stride,
		  bool wait, const volatile sig_atomic_t *stop, char *msg, size_t len);
void lock_set_release(struct lock_set *s);

#endif
