/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* run_hooks: what a command gives the core's run modules (migrate_run.h,
 * discard_run.h, place_run.h, scan_pass.h) so that they can report as they
 * go, in the order things happen: its own printers of an error and of a
 * warning line (the modules never print), the readers' warnings, and its
 * check of a read of a process's files (which reads each module hands it:
 * see the module's header).  run_left_out says through them that a
 * process gone before its turn is left out.
 */
#ifndef NS_RUN_HOOKS_H
#define NS_RUN_HOOKS_H

#include <stdbool.h>
#include "maps.h"
#include "procs.h"
#include "select.h"

struct run_hooks {
	/* one line each, without the program name or a newline; never NULL */
	void (*err)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	void (*warn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* a read of a process's files, with its rc (a command stops on a
	 * --sysroot tree that is no capture): every read or only the failed
	 * ones, as each module's header says; may be NULL */
	void (*read_done)(int rc);
	maps_warn_fn maps_warn;       /* the readers' warnings, with ud; may be NULL */
	void *ud;                     /* for maps_warn and the module's own hooks */
};

/* A process gone before its turn (rc from reading or changing it) that the
 * selection sel leaves out (select_left_out): true, said through h->warn.
 * False when sel is NULL or names it. */
bool run_left_out(const struct run_hooks *h, const struct proc_sel *sel,
		  const struct proc_id *id, int rc);

#endif
