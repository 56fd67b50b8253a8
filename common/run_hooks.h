/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* run_hooks: what a command gives the core's run modules (migrate_run.h,
 * discard_run.h) so that they can report as they go, in the order things
 * happen: its own printers of an error and of a warning line (the modules
 * never print), the readers' warnings, and its check after each read of a
 * process's files.
 */
#ifndef NS_RUN_HOOKS_H
#define NS_RUN_HOOKS_H

#include "maps.h"

struct run_hooks {
	/* one line each, without the program name or a newline; never NULL */
	void (*err)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	void (*warn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* each read of a process's files, with its rc, before anything is said
	 * of it (a command stops on a --sysroot tree that is no capture); may
	 * be NULL */
	void (*read_done)(int rc);
	maps_warn_fn maps_warn;       /* the readers' warnings, with ud; may be NULL */
	void *ud;                     /* for maps_warn and the module's own hooks */
};

#endif
