/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* lock: a process's lock as the tools take it (lock_take_proc) and a run's
 * set of locks, on this test's own process. */
#include <string.h>
#include <unistd.h>
#include "exitcode.h"
#include "lock.h"
#include "tap.h"

static void test_set(void)
{
	struct proc_id ids[2];
	struct lock_set s = { 0 };
	struct ns_lock one = { .fd = -1 };
	char msg[512] = "";

	ok(procs_identify(getpid(), &ids[0]) == 0, "this process identified");
	ids[1] = ids[0];
	is_u64(lock_set_take(&s, ids, 0, sizeof(ids[0]), false, NULL, msg, sizeof(msg)), 0,
	       "no process: nothing to take");
	is_u64(lock_set_take(&s, ids, 2, sizeof(ids[0]), false, NULL, msg, sizeof(msg)),
	       NS_EXIT_REFUSED, "the same process twice: the second is held by the first (5)");
	ok(s.n == 1 && strstr(msg, "another numashift run"), "one held, the line says why: %s", msg);
	is_u64(lock_take_proc(&one, &ids[0], false, NULL, msg, sizeof(msg)), NS_EXIT_REFUSED,
	       "held by the set: refused");
	lock_set_release(&s);
	ok(s.n == 0 && !s.v, "released");
	is_u64(lock_take_proc(&one, &ids[0], false, NULL, msg, sizeof(msg)), 0,
	       "then taken by another");
	lock_release(&one);
}

int main(void)
{
	test_set();
	return tap_done();
}
