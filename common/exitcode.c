/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <signal.h>
#include "exitcode.h"

int ns_exit_combine(int acc, int next)
{
	if (acc < 0)
		return next;
	if (next == NS_EXIT_SIGINT || next == NS_EXIT_SIGTERM || next == NS_EXIT_TIMEOUT)
		return next;
	if (acc == NS_EXIT_SIGINT || acc == NS_EXIT_SIGTERM || acc == NS_EXIT_TIMEOUT)
		return acc;
	return acc == next ? acc : NS_EXIT_PARTIAL;
}

int ns_exit_from_errno(int neg_errno)
{
	switch (-neg_errno) {
	case EPERM:
	case EACCES:
		return NS_EXIT_PERM;
	case EINVAL:
		return NS_EXIT_USAGE;
	default:
		return NS_EXIT_FAIL;
	}
}

int ns_exit_from_signal(int sig)
{
	switch (sig) {
	case SIGINT: return NS_EXIT_SIGINT;
	case SIGTERM: return NS_EXIT_SIGTERM;
	default: return 0;
	}
}

const char *ns_exit_name(int code)
{
	switch (code) {
	case NS_EXIT_OK: return "ok";
	case NS_EXIT_FAIL: return "failed";
	case NS_EXIT_USAGE: return "usage";
	case NS_EXIT_PARTIAL: return "partial";
	case NS_EXIT_PERM: return "permission";
	case NS_EXIT_REFUSED: return "refused";
	case NS_EXIT_TIMEOUT: return "timeout";
	case NS_EXIT_SIGINT: return "interrupted";
	case NS_EXIT_SIGTERM: return "terminated";
	default: return "unknown";
	}
}
