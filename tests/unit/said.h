/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* run_hooks (run_hooks.h) for the unit tests of the run modules: err_line
 * and warn_line append "err: LINE\n" and "warn: LINE\n" to said, which the
 * test clears and reads. */
#ifndef NS_TEST_SAID_H
#define NS_TEST_SAID_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char said[4096];

static void said_line(const char *kind, const char *fmt, va_list ap)
{
	size_t n = strlen(said);

	n += (size_t)snprintf(said + n, sizeof(said) - n, "%s: ", kind);
	if (n < sizeof(said))
		n += (size_t)vsnprintf(said + n, sizeof(said) - n, fmt, ap);
	if (n < sizeof(said) - 1)
		strcat(said, "\n");
}

static void err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	said_line("err", fmt, ap);
	va_end(ap);
}

static void warn_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	said_line("warn", fmt, ap);
	va_end(ap);
}
#endif
