/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* optval: the values that the execution options of mmigrate, mplace and
 * mfree-discard take (--threads, --batch, --rate, --nice, --retries,
 * --timeout, --min-free, --max-stall), checked against their limits.
 * Each returns 0 with the value set, or -EINVAL with the reason in err
 * ("invalid --rate '0': expected bytes per second, e.g. 200M"), the value
 * untouched.  Never prints: the command turns err into a usage error.
 */
#ifndef NS_OPTVAL_H
#define NS_OPTVAL_H

#include <stddef.h>
#include <stdint.h>
#include "guard.h"

/* An integer in [min, max]; name is the option ("--batch"). */
int optval_int(const char *name, const char *arg, int min, int max, int *out,
	       char *err, size_t len);
/* --threads: auto (EXEC_THREADS_AUTO) or 1 to EXEC_MAX_THREADS. */
int optval_threads(const char *arg, int *out, char *err, size_t len);
/* --nice: auto (*renice false) or -20 to 19 (*renice true, *out). */
int optval_nice(const char *arg, bool *renice, int *out, char *err, size_t len);
/* --rate: bytes per second > 0 (200M). */
int optval_rate(const char *arg, uint64_t *out, char *err, size_t len);
/* --timeout: seconds > 0 (30, 1.5, 500ms). */
int optval_timeout(const char *arg, double *out, char *err, size_t len);
/* --max-stall: seconds from STALL_MIN to STALL_MAX (20ms, 0.05). */
int optval_stall(const char *arg, double *out, char *err, size_t len);
/* --min-free: a size (512M: min_free_bytes, min_free_is_bytes) or a
 * percentage below 100 (5%: min_free_pct). */
int optval_min_free(const char *arg, struct guard_opts *go, char *err, size_t len);

/* What getopt_long refused (an optstring with a leading ':'), as one line
 * naming the option: c is its return (':' an argument missing, else an
 * unknown option, or a long one given "=VALUE" that takes none); arg the
 * word it stopped at (argv[optind - 1]); opt its optopt. */
void optval_getopt_error(int c, const char *arg, int opt, char *msg, size_t len);

#endif
