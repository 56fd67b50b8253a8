/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec.h"
#include "optval.h"
#include "stall.h"
#include "strutil.h"

int optval_int(const char *name, const char *arg, int min, int max, int *out,
	       char *err, size_t len)
{
	if (str_to_int(arg, min, max, out) < 0)
		return str_invalid(err, len, "invalid %s '%s': expected a number from %d to %d",
			       name, arg, min, max);
	return 0;
}

int optval_threads(const char *arg, int *out, char *err, size_t len)
{
	if (strcmp(arg, "auto") == 0) {
		*out = EXEC_THREADS_AUTO;
		return 0;
	}
	if (str_to_int(arg, 1, EXEC_MAX_THREADS, out) < 0)
		return str_invalid(err, len, "invalid --threads '%s': expected auto or a number "
			       "from 1 to %d", arg, EXEC_MAX_THREADS);
	return 0;
}

int optval_nice(const char *arg, bool *renice, int *out, char *err, size_t len)
{
	if (strcmp(arg, "auto") == 0) {
		*renice = false;
		return 0;
	}
	if (str_to_int(arg, -20, 19, out) < 0)
		return str_invalid(err, len, "invalid --nice '%s': expected auto or a number "
			       "from -20 to 19", arg);
	*renice = true;
	return 0;
}

int optval_rate(const char *arg, uint64_t *out, char *err, size_t len)
{
	uint64_t v;

	if (str_to_rate(arg, &v) < 0 || !v)
		return str_invalid(err, len, "invalid --rate '%s': expected bytes per second, "
			       "e.g. 200M", arg);
	*out = v;
	return 0;
}

int optval_timeout(const char *arg, double *out, char *err, size_t len)
{
	double v;

	if (str_to_seconds(arg, &v) < 0 || !(v > 0))
		return str_invalid(err, len, "invalid --timeout '%s': expected seconds > 0", arg);
	*out = v;
	return 0;
}

int optval_stall(const char *arg, double *out, char *err, size_t len)
{
	double v;

	if (str_to_seconds(arg, &v) < 0 || !(v >= STALL_MIN - 1e-12 && v <= STALL_MAX))
		return str_invalid(err, len, "invalid --max-stall '%s': expected a time from 1ms "
			       "to 10s (e.g. 20ms, 0.05s)", arg);
	*out = v;
	return 0;
}

int optval_min_free(const char *arg, struct guard_opts *go, char *err, size_t len)
{
	size_t n = strlen(arg);
	char num[64], *end;
	uint64_t bytes;
	double pct;

	if (n && arg[n - 1] == '%' && n < sizeof(num)) {
		memcpy(num, arg, n - 1);
		num[n - 1] = '\0';
		pct = strtod(num, &end);
		if (end == num || *end || !(pct >= 0 && pct < 100))
			return str_invalid(err, len, "invalid --min-free '%s': expected a size or "
				       "a percentage below 100%%", arg);
		go->min_free_pct = pct;
		go->min_free_is_bytes = false;
		return 0;
	}
	if (str_to_size(arg, &bytes) < 0)
		return str_invalid(err, len, "invalid --min-free '%s': expected a size (512M) "
			       "or a percentage (5%%)", arg);
	go->min_free_bytes = bytes;
	go->min_free_is_bytes = true;
	return 0;
}

void optval_getopt_error(int c, const char *arg, int opt, char *msg, size_t len)
{
	bool is_long = arg[0] == '-' && arg[1] == '-';
	int name_len = (int)strcspn(arg, "=");

	if (c == ':' && is_long)
		snprintf(msg, len, "option '%.*s' needs an argument", name_len, arg);
	else if (c == ':')
		snprintf(msg, len, "option '-%c' needs an argument", opt);
	else if (is_long && arg[name_len] == '=')
		snprintf(msg, len, "unknown option '%.*s', or it takes no argument", name_len, arg);
	else if (is_long)
		snprintf(msg, len, "unknown option '%s'", arg);
	else if (opt > 0 && opt < 0x80)
		snprintf(msg, len, "unknown option '-%c'", opt);
	else
		snprintf(msg, len, "unknown option '%s'", arg);
}
