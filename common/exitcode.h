/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exitcode: the one exit-status contract of all numashift tools.
 *
 *   0   everything that was asked was done
 *   1   nothing was done (no such process, no process matched, the process went
 *       away before anything happened, a system call failed)
 *   2   usage or bad input (command line, plan file, sysroot)
 *   3   partial: some pages or some processes done, some not (the report says
 *       which and why)
 *   4   permission denied (the missing capability or access is named)
 *   5   refused by a guard rail before anything moved
 *   124 --timeout expired (the report says what was done)
 *   130 stopped by SIGINT, 143 stopped by SIGTERM
 * Output into a closed pipe ends quietly with the status the work had.
 */
#ifndef NS_EXITCODE_H
#define NS_EXITCODE_H

enum ns_exit {
	NS_EXIT_OK = 0,
	NS_EXIT_FAIL = 1,
	NS_EXIT_USAGE = 2,
	NS_EXIT_PARTIAL = 3,
	NS_EXIT_PERM = 4,
	NS_EXIT_REFUSED = 5,
	NS_EXIT_TIMEOUT = 124,
	NS_EXIT_SIGINT = 130,
	NS_EXIT_SIGTERM = 143,
};

/* Outcome of several processes: all alike give that code, a mix gives 3.
 * Pass -1 as acc for the first one.  Interrupts and timeouts win over all. */
int ns_exit_combine(int acc, int next);

/* Exit status for a failed operation that returned -errno before anything was
 * done: EPERM/EACCES -> 4, EINVAL -> 2, everything else -> 1. */
int ns_exit_from_errno(int neg_errno);

/* The code of a caught signal: SIGINT 130, SIGTERM 143, anything else 0. */
int ns_exit_from_signal(int sig);

/* Short name of a code ("ok", "partial", ...) for reports and JSON. */
const char *ns_exit_name(int code);

#endif
