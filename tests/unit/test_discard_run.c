/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* discard_run: a process's code and what is kept of it (its entry, its
 * rows, its lines) when it is missing, gone before its turn, named, refused
 * for swap, or found in a dry run; and the run's code when every process
 * was left out, or a signal or the deadline came before the first; a
 * real run refused by another run's lock or for CAP_SYS_NICE. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "discard_run.h"
#include "exitcode.h"
#include "lock.h"
#include "privs.h"
#include "sysinfo.h"
#include "said.h"
#include "tap.h"
/* <sys/mman.h> last: its MAP_* macros would hide maps.h's enum names */
#include <sys/mman.h>
#undef MAP_ANON
#undef MAP_FILE
#undef MAP_STACK
#undef MAP_HUGETLB

static volatile sig_atomic_t stop_sig;

/* A run's settings as mfree-discard's defaults: a dry run unless said. */
static void run_init(struct discard_run *r, const struct proc_sel *sel)
{
	memset(r, 0, sizeof(*r));
	said[0] = '\0';
	stop_sig = 0;
	r->sel = sel;
	r->dry_run = true;
	r->stop = &stop_sig;
	r->dopts.max_stall = STALL_DEFAULT;
	r->hooks = (struct run_hooks){ .err = err_line, .warn = warn_line };
	if (discard_run_init(r) < 0)
		exit(2);
}

/* The identity of a process that has exited and been reaped. */
static struct proc_id gone_id(void)
{
	struct proc_id id = { 0 };
	pid_t pid = fork();

	if (pid < 0)
		exit(2);
	if (pid == 0)
		_exit(0);
	procs_identify(pid, &id);
	waitpid(pid, NULL, 0);
	return id;
}

static void test_missing(void)
{
	struct proc_sel sel = { 0 };
	struct proc_id id = { .pid = 999999, .missing = true };
	struct discard_run r;

	run_init(&r, &sel);
	ok(discard_run_one(&r, &id) == NS_EXIT_FAIL, "a process named with -p and not there: 1");
	is_str(said, "err: no such process: 999999\n", "said as an error");
	is_u64(json_array_size(r.procs), 1, "it has an entry");
	is_u64(out_nrows(r.table), 0, "and no rows");
	discard_run_free(&r);
}

static void test_gone(void)
{
	struct proc_id id = gone_id();
	pid_t pids[1] = { id.pid };
	struct proc_sel none = { 0 }, named = { .pids = pids, .npids = 1 };
	struct proc_list l = { .v = &id, .n = 1 };
	struct discard_run r;
	char want[256];

	run_init(&r, &none);
	ok(discard_run_one(&r, &id) == DISCARD_RUN_LEFT_OUT, "gone before its turn, not named: left out");
	snprintf(want, sizeof(want), "warn: process %d (%s) exited before its turn: left out\n",
		 (int)id.pid, id.comm);
	is_str(said, want, "said as a warning");
	is_u64(json_array_size(r.procs), 0, "it has no entry");
	discard_run_free(&r);

	run_init(&r, &none);
	ok(discard_run_all(&r, &l) == NS_EXIT_FAIL, "a run whose every process was left out: 1");
	ok(strstr(said, "err: every selected process exited before its turn\n") != NULL,
	   "which it says");
	discard_run_free(&r);

	run_init(&r, &named);
	ok(discard_run_one(&r, &id) == NS_EXIT_FAIL, "gone and named with -p: 1");
	ok(strncmp(said, "err: ", 5) == 0 && strstr(said, "left out") == NULL,
	   "said as an error, not left out");
	is_u64(json_array_size(r.procs), 1, "it has an entry");
	is_u64(out_nrows(r.table), 0, "and no rows");
	discard_run_free(&r);
}

/* A stop before the first process: none is run, the rest count as 1 and
 * the signal or the deadline gives the code. */
static void test_stop_first(void)
{
	struct proc_sel sel = { 0 };
	struct proc_id id;
	struct proc_list l = { .v = &id, .n = 1 };
	struct discard_run r;

	if (procs_identify(getpid(), &id) < 0)
		exit(2);
	run_init(&r, &sel);
	stop_sig = SIGINT;
	ok(discard_run_all(&r, &l) == ns_exit_from_signal(SIGINT), "SIGINT before the first: 130");
	is_u64(json_array_size(r.procs), 0, "no process was run");
	ok(!r.timed_out, "not timed out");
	discard_run_free(&r);

	run_init(&r, &sel);
	r.deadline = sys_now() - 1;
	ok(discard_run_all(&r, &l) == NS_EXIT_TIMEOUT, "the deadline passed before the first: 124");
	ok(r.timed_out, "timed out");
	is_u64(json_array_size(r.procs), 0, "no process was run");
	discard_run_free(&r);
}

/* This process with lazily freed pages, in a dry run: found, nothing
 * applied.  Mapping mode with swap is refused (5) unless forced. */
static void test_dry_run_self(void)
{
	uint64_t ps = sys_page_size();
	struct proc_sel sel = { 0 };
	struct proc_id id;
	struct discard_run r;
	char *p = mmap(NULL, 64 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int code;

	if (p == MAP_FAILED || procs_identify(getpid(), &id) < 0)
		exit(2);
	memset(p, 0x5a, 64 * ps);
	madvise(p, 64 * ps, MADV_FREE);

	run_init(&r, &sel);
	r.force = true;
	ok(discard_run_one(&r, &id) == NS_EXIT_OK, "a dry run, forced: 0");
	is_u64(json_array_size(r.procs), 1, "it has an entry");
	ok(out_nrows(r.table) > 0, "and rows (%zu)", out_nrows(r.table));
	ok(strstr(said, "err: ") == NULL, "no error said");
	discard_run_free(&r);

	run_init(&r, &sel);
	r.dopts.mode = DISCARD_MAPPING;
	code = discard_run_one(&r, &id);
	if (sys_has_swap()) {
		ok(code == NS_EXIT_REFUSED, "mapping mode with swap, not forced: 5");
		ok(strstr(said, "refusing mapping mode with swap") != NULL, "which it says");
	} else {
		ok(code == NS_EXIT_OK, "mapping mode without swap: 0");
		ok(strstr(said, "refusing") == NULL, "no refusal said");
	}
	is_u64(json_array_size(r.procs), 1, "it has an entry");
	discard_run_free(&r);
	munmap(p, 64 * ps);
}

/* This process, not a dry run: another run's lock refuses it (5) and the
 * missing CAP_SYS_NICE refuses it (4), each before anything is advised,
 * with its line and an entry.  Needs CAP_SYS_NICE to lower it. */
static void test_refused_self(void)
{
	uint64_t ps = sys_page_size();
	struct proc_sel sel = { 0 };
	struct proc_id id;
	struct discard_run r;
	struct ns_lock lk;
	char *p = mmap(NULL, 64 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char line[512];
	int code;

	if (p == MAP_FAILED || procs_identify(getpid(), &id) < 0)
		exit(2);
	memset(p, 0x5a, 64 * ps);
	madvise(p, 64 * ps, MADV_FREE);
	if (!privs_has_cap(NS_CAP_SYS_NICE)) {
		printf("ok %d - # SKIP not run with CAP_SYS_NICE\n", ++tap_n);
		munmap(p, 64 * ps);
		return;
	}
	if (lock_take(&lk, getpid(), false, NULL) < 0)
		exit(2);
	run_init(&r, &sel);
	r.dry_run = false;
	code = discard_run_one(&r, &id);
	lock_release(&lk);
	ok(code == NS_EXIT_REFUSED, "another run holds its lock: 5 (%d)", code);
	snprintf(line, sizeof(line), "err: process %d (%s) is being changed by another "
		 "numashift run (pid %d): try again later or use --wait\n", (int)id.pid,
		 id.comm, (int)getpid());
	is_str(said, line, "the lock's line, nothing else");
	ok(json_array_size(r.procs) == 1 &&
	   json_integer_value(json_object_get(json_array_get(r.procs, 0), "exit_code")) == 5 &&
	   json_integer_value(json_object_get(json_array_get(r.procs, 0), "calls")) == 0,
	   "an entry with its code, no call made");
	discard_run_free(&r);

	run_init(&r, &sel);
	r.dry_run = false;
	if (privs_cap_set_effective(NS_CAP_SYS_NICE, false) < 0)
		exit(2);
	code = discard_run_one(&r, &id);
	privs_cap_set_effective(NS_CAP_SYS_NICE, true);
	ok(code == NS_EXIT_PERM, "without CAP_SYS_NICE: 4 (%d)", code);
	ok(strstr(said, "err: ") == said && strstr(said, "needs CAP_SYS_NICE") != NULL,
	   "which it says: %s", said);
	is_u64(json_array_size(r.procs), 1, "an entry");
	ok(json_integer_value(json_object_get(json_array_get(r.procs, 0), "exit_code")) == 4 &&
	   json_integer_value(json_object_get(json_array_get(r.procs, 0), "calls")) == 0,
	   "with its code, no call made");
	discard_run_free(&r);
	munmap(p, 64 * ps);
}

int main(void)
{
	test_missing();
	test_gone();
	test_stop_first();
	test_dry_run_self();
	test_refused_self();
	return tap_done();
}
