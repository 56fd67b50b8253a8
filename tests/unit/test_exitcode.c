/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exitcode: every code of the contract, its name, the errno mapping and
 * how the codes of several processes combine. */
#include <errno.h>
#include "exitcode.h"
#include "tap.h"

static void test_values(void)
{
	/* the numbers are the documented contract (numashift(7)) */
	is_u64(NS_EXIT_OK, 0, "ok is 0");
	is_u64(NS_EXIT_FAIL, 1, "fail is 1");
	is_u64(NS_EXIT_USAGE, 2, "usage is 2");
	is_u64(NS_EXIT_PARTIAL, 3, "partial is 3");
	is_u64(NS_EXIT_PERM, 4, "permission is 4");
	is_u64(NS_EXIT_REFUSED, 5, "refused is 5");
	is_u64(NS_EXIT_TIMEOUT, 124, "timeout is 124");
	is_u64(NS_EXIT_SIGINT, 130, "SIGINT is 130");
	is_u64(NS_EXIT_SIGTERM, 143, "SIGTERM is 143");
}

static void test_names(void)
{
	is_str(ns_exit_name(0), "ok", "name of 0");
	is_str(ns_exit_name(1), "failed", "name of 1");
	is_str(ns_exit_name(2), "usage", "name of 2");
	is_str(ns_exit_name(3), "partial", "name of 3");
	is_str(ns_exit_name(4), "permission", "name of 4");
	is_str(ns_exit_name(5), "refused", "name of 5");
	is_str(ns_exit_name(124), "timeout", "name of 124");
	is_str(ns_exit_name(130), "interrupted", "name of 130");
	is_str(ns_exit_name(143), "terminated", "name of 143");
	is_str(ns_exit_name(6), "unknown", "a code outside the contract");
	is_str(ns_exit_name(-1), "unknown", "a negative code");
}

static void test_errno(void)
{
	is_u64(ns_exit_from_errno(-EPERM), 4, "EPERM -> 4");
	is_u64(ns_exit_from_errno(-EACCES), 4, "EACCES -> 4");
	is_u64(ns_exit_from_errno(-EINVAL), 2, "EINVAL -> 2");
	is_u64(ns_exit_from_errno(-ESRCH), 1, "ESRCH -> 1");
	is_u64(ns_exit_from_errno(-ENOENT), 1, "ENOENT -> 1");
	is_u64(ns_exit_from_errno(-ENOMEM), 1, "ENOMEM -> 1");
	is_u64(ns_exit_from_errno(-EBUSY), 1, "EBUSY -> 1");
	is_u64(ns_exit_from_errno(0), 1, "0 (no errno) -> 1");
}

/* a mix of ordinary codes is partial; interrupts and timeouts win,
 * whichever comes first */
static const struct { int acc, next, want; const char *what; } pairs[] = {
	{ 0, 1, 3, "done and not done -> partial" },
	{ 1, 0, 3, "not done and done -> partial" },
	{ 0, 4, 3, "done and no permission -> partial" },
	{ 5, 1, 3, "refused and failed -> partial" },
	{ 3, 0, 3, "partial and done -> partial" },
	{ 0, 130, 130, "SIGINT after ok wins" },
	{ 130, 0, 130, "SIGINT before ok wins" },
	{ 3, 143, 143, "SIGTERM after partial wins" },
	{ 143, 5, 143, "SIGTERM before refused wins" },
	{ 1, 124, 124, "timeout after failed wins" },
	{ 124, 0, 124, "timeout before ok wins" },
	{ 124, 130, 130, "the later of timeout and SIGINT" },
};

static void test_combine(void)
{
	static const int all[] = { 0, 1, 2, 3, 4, 5, 124, 130, 143 };
	int n = (int)(sizeof(all) / sizeof(all[0]));

	/* the first process's code is the run's */
	for (int i = 0; i < n; i++)
		is_u64(ns_exit_combine(-1, all[i]), all[i], "first code %d kept", all[i]);
	/* alike codes stay */
	for (int i = 0; i < 6; i++)
		is_u64(ns_exit_combine(all[i], all[i]), all[i], "%d and %d -> %d", all[i], all[i], all[i]);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		is_u64(ns_exit_combine(pairs[i].acc, pairs[i].next), pairs[i].want, "%s", pairs[i].what);
	/* a fold over a run, as a tool does */
	{
		int acc = -1;
		static const int run[] = { 0, 0, 1, 0 };

		for (int i = 0; i < 4; i++)
			acc = ns_exit_combine(acc, run[i]);
		is_u64(acc, 3, "0,0,1,0 -> 3");
	}
}

int main(void)
{
	test_values();
	test_names();
	test_errno();
	test_combine();
	return tap_done();
}
