/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* privs: the one privilege matrix of all four tools (the kernel's rules),
 * checked up front so a refusal names what is missing.
 *
 *   what                                   own process      other user's process
 *   scan numa_maps/smaps/pagemap            yes              ptrace read access
 *   node of each page (move_pages query)    yes              ptrace read access
 *   move pages (move_pages/migrate_pages)   yes              ptrace read + CAP_SYS_NICE
 *   --move-all (pages shared with others)   CAP_SYS_NICE     CAP_SYS_NICE
 *   discard (process_madvise)               CAP_SYS_NICE     ptrace read + CAP_SYS_NICE
 *   PFNs in pagemap, /proc/kpageflags       CAP_SYS_ADMIN    CAP_SYS_ADMIN
 *   set CPU affinity (mplace)               yes              CAP_SYS_NICE
 * "ptrace read access" is approximated as: same real/effective uid as the
 * target (and target dumpable) or CAP_SYS_PTRACE; the kernel has the last
 * word and its EPERM/EACCES is reported the same way.
 */
#ifndef NS_PRIVS_H
#define NS_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include "nodes.h"
#include "procs.h"

#define NS_CAP_SYS_ADMIN  21
#define NS_CAP_SYS_NICE   23
#define NS_CAP_SYS_PTRACE 19

enum priv_need {
	PRIV_READ,       /* scan */
	PRIV_MOVE,       /* move pages */
	PRIV_MOVE_ALL,   /* move shared pages too */
	PRIV_DISCARD,    /* process_madvise */
	PRIV_AFFINITY,   /* sched_setaffinity on the target's threads */
};

/* This process has the capability in its effective set. */
bool privs_has_cap(int cap);
/* Raise (on) or lower one capability in the calling thread's effective
 * set; raising needs it permitted.  0 or -errno. */
int privs_cap_set_effective(int cap, bool on);
/* 0 when allowed; -EPERM with 'why' naming the missing capability or access
 * ("moving pages of pid 42 (uid 1000) needs CAP_SYS_NICE").  Only -EPERM
 * is a refusal: -ESRCH (the process has gone) or another -errno (its
 * owner could not be read) leaves why empty and is for the step that
 * acts on the process to meet and report, so callers test for -EPERM. */
int privs_check(const struct proc_id *target, enum priv_need need,
		char *why, size_t len);
/* The target's cpuset memory nodes (Mems_allowed_list of /proc/PID/status). */
int privs_mems_allowed(pid_t pid, struct ns_nodeset *out);
/* pidfd_open(2); -errno (-ENOSYS on old kernels). */
int privs_pidfd_open(pid_t pid);
/* The process behind a pidfd is still alive (poll says not readable). */
bool privs_pidfd_alive(int pidfd);

#endif
