/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* migrate_run: whether a saved plan still applies (the boot, the page size,
 * each process's identity) with its code and line, planning processes that
 * are not there, and a run's exit code from its processes' moves. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "exitcode.h"
#include "migrate_run.h"
#include "path.h"
#include "sysinfo.h"
#include "said.h"
#include "tap.h"
#include "tree.h"

/* A plan of one process (pid 4242, "worker", started at tick 600) in
 * boot "boot-a", saved to file. */
static void save_plan(const char *file, const char *boot, uint64_t page_size)
{
	struct proc_id id = { .pid = 4242, .start_time = 600, .comm = "worker" };
	struct plan_run r = { .map_start = 0x10000, .map_end = 0x20000, .start = 0x10000,
			      .pages = 4, .step = page_size, .cls = PLAN_BASE, .src = 0, .dst = 1 };
	struct plan p;
	struct plan_proc *pp;

	memset(&p, 0, sizeof(p));
	p.schema_version = PLAN_SCHEMA_VERSION;
	snprintf(p.boot_id, sizeof(p.boot_id), "%s", boot);
	p.page_size = page_size;
	p.thp_size = 2 << 20;
	nodeset_add(&p.from, 0);
	nodeset_add(&p.to, 1);
	pp = plan_proc_new(&p, &id);
	plan_add_run(pp, &r);
	plan_proc_finish(pp, page_size);
	ok(plan_save(&p, file) == 0, "a plan saved (boot %s, page size %llu)", boot,
	   (unsigned long long)page_size);
	plan_free(&p);
}

static int verdict(const char *file, char *msg, size_t len)
{
	struct plan p;
	int code;

	msg[0] = '\0';
	code = migrate_plan_verdict(file, &p, msg, len);
	plan_free(&p);
	return code;
}

static void test_verdict(void)
{
	char root[] = "/tmp/ns-test-migrate-XXXXXX";
	char file[PATH_MAX + 16], msg[512];
	uint64_t ps = sys_page_size();

	if (!mkdtemp(root))
		exit(2);
	snprintf(file, sizeof(file), "%s/plan.json", root);
	tree_put(root, "proc/sys/kernel/random/boot_id", "boot-a\n");
	tree_put(root, "proc/4242/stat", "4242 (worker) S 1 4242 0 0 -1 4194304 0 0 0 0 0 0 0 0 "
		 "0 0 1 0 600 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	ok(path_set_root(root) == 0, "a tree with a boot id and process 4242");

	save_plan(file, "boot-a", ps);
	ok(verdict(file, msg, sizeof(msg)) == 0, "the same boot, page size and process: it applies");

	save_plan(file, "boot-b", ps);
	ok(verdict(file, msg, sizeof(msg)) == NS_EXIT_USAGE, "another boot: 2");
	ok(strstr(msg, "was made in another boot (boot id boot-b, now boot-a)") != NULL,
	   "which says both boot ids: %s", msg);

	save_plan(file, "boot-a", ps * 4);
	ok(verdict(file, msg, sizeof(msg)) == NS_EXIT_USAGE, "another page size: 2");
	ok(strstr(msg, "was made on a machine with another page size") != NULL, "as it says: %s", msg);

	save_plan(file, "boot-a", ps);
	tree_put(root, "proc/4242/stat", "4242 (worker) S 1 4242 0 0 -1 4194304 0 0 0 0 0 0 0 0 "
		 "0 0 1 0 9000 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	ok(verdict(file, msg, sizeof(msg)) == NS_EXIT_USAGE, "the PID now another process: 2");
	ok(strstr(msg, "PID 4242 is now another process") && strstr(msg, "refusing a reused PID"),
	   "a reused PID, refused: %s", msg);

	tree_remove(root);
	mkdir(root, 0700);
	tree_put(root, "proc/sys/kernel/random/boot_id", "boot-a\n");
	save_plan(file, "boot-a", ps);
	ok(verdict(file, msg, sizeof(msg)) == NS_EXIT_FAIL, "the process has gone: 1");
	ok(strstr(msg, "process 4242 (worker) of plan ") == msg, "named: %s", msg);

	tree_put(root, "plan.json", "{ not json");
	ok(verdict(file, msg, sizeof(msg)) == NS_EXIT_USAGE, "a file that is no plan: 2");
	ok(strstr(msg, "bad plan ") == msg, "as it says: %s", msg);

	snprintf(file, sizeof(file), "%s/none.json", root);
	ok(verdict(file, msg, sizeof(msg)) == NS_EXIT_FAIL, "a file that cannot be read: 1 (%s)", msg);

	path_set_root(NULL);
	tree_remove(root);
}

/* Planning processes that are not there: each one an error and a code; a
 * dry run takes no lock. */
static void test_plan_missing(void)
{
	struct proc_id ids[2] = { { .pid = 999998, .missing = true }, { .pid = 999999, .missing = true } };
	struct proc_list l = { .v = ids, .n = 2 };
	struct plan_opts po;
	struct migrate_run r;

	memset(&r, 0, sizeof(r));
	memset(&po, 0, sizeof(po));
	nodeset_add(&po.to, 1);
	po.spread = true;
	r.dry_run = true;
	r.hooks = (struct run_hooks){ .err = err_line, .warn = warn_line };
	said[0] = '\0';
	ok(migrate_run_init(&r) == 0, "a run set up");
	ok(migrate_run_plan(&r, &po, &l) == NS_EXIT_FAIL, "no process there: 1");
	ok(r.plan.nprocs == 0 && r.plan_code == NS_EXIT_FAIL, "nothing planned, plan_code 1");
	ok(json_array_size(r.errors) == 2, "both in errors");
	ok(r.locks.n == 0, "a dry run takes no lock");
	ok(strstr(said, "err: ") == said && strstr(said, "999999") != NULL, "each said as an error: %s", said);
	migrate_run_free(&r);
}

/* A run's code from its moves. */
static void test_code(void)
{
	static volatile sig_atomic_t sig;
	struct plan_run run = { .start = 0x10000, .pages = 4, .step = 4096, .src = 0, .dst = 1 };
	struct proc_id a = { .pid = 10, .comm = "a" }, b = { .pid = 11, .comm = "b" };
	struct migrate_run r;

	memset(&r, 0, sizeof(r));
	r.xo.stop = &sig;
	r.plan.page_size = 4096;
	plan_add_run(plan_proc_new(&r.plan, &a), &run);
	plan_proc_new(&r.plan, &b);          /* nothing to move */
	r.out = calloc(2, sizeof(*r.out));
	if (!r.out)
		exit(2);
	ok(migrate_run_code(&r) == NS_EXIT_PARTIAL,
	   "one with work that never started beside one with nothing to move: 3");
	ok(r.out[0].code == NS_EXIT_FAIL && r.out[1].code == NS_EXIT_OK,
	   "their codes 1 and 0");
	r.out[0].ran = -EPERM;
	r.out[1].ran = -EPERM;
	ok(migrate_run_code(&r) == NS_EXIT_PERM, "both could not start for permission: 4");
	r.plan_code = NS_EXIT_FAIL;
	ok(migrate_run_code(&r) == NS_EXIT_PARTIAL, "with another not planned: 3");
	sig = SIGTERM;
	ok(migrate_run_code(&r) == NS_EXIT_SIGTERM, "a SIGTERM caught wins: 143");
	sig = 0;
	r.xo.deadline = sys_now() - 1;
	ok(migrate_run_code(&r) == NS_EXIT_TIMEOUT, "a deadline passed: 124");
	migrate_run_free(&r);
}

int main(void)
{
	test_verdict();
	test_plan_missing();
	test_code();
	return tap_done();
}
