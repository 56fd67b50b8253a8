/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* select: the selection options' values into a proc_sel, and what a failed
 * selection means to the user (exit code and line). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "exitcode.h"
#include "path.h"
#include "select.h"
#include "tap.h"
#include "tree.h"

static void test_values(void)
{
	struct proc_sel s = { 0 };
	char err[300] = "";
	pid_t pid = 7;

	ok(select_parse_pid("42", &pid, err, sizeof(err)) == 0 && pid == 42, "PID 42");
	ok(select_parse_pid("0", &pid, err, sizeof(err)) == -EINVAL && pid == 42, "PID 0 refused");
	is_str(err, "invalid PID '0': expected a positive number", "PID 0: the reason");
	ok(select_add_pids(&s, "1,2,3", err, sizeof(err)) == 0 && s.npids == 3 &&
	   s.pids[0] == 1 && s.pids[2] == 3, "-p 1,2,3");
	ok(select_add_pids(&s, "4", err, sizeof(err)) == 0 && s.npids == 4, "-p again appends");
	ok(select_add_pids(&s, "", err, sizeof(err)) == -EINVAL, "-p ''");
	is_str(err, "empty PID list", "-p '': the reason");
	ok(select_add_pids(&s, "1,,2", err, sizeof(err)) == -EINVAL, "-p 1,,2");
	is_str(err, "invalid PID list '1,,2': empty item", "-p 1,,2: the reason");
	ok(select_add_pids(&s, ",1", err, sizeof(err)) == -EINVAL, "-p ,1");
	ok(select_add_pids(&s, "5,x", err, sizeof(err)) == -EINVAL, "-p 5,x");
	is_str(err, "invalid PID 'x': expected a positive number", "-p 5,x names the item");
	ok(select_add_name(&s, "app", err, sizeof(err)) == 0 && s.nnames == 1, "-n app");
	is_str(s.names[0], "app", "-n app kept");
	ok(select_add_name(&s, "", err, sizeof(err)) == -EINVAL, "-n ''");
	is_str(err, "empty process name", "-n '': the reason");
	ok(select_add_user(&s, "0", err, sizeof(err)) == 0 && s.nuids == 1 && s.uids[0] == 0,
	   "-u 0");
	ok(select_add_user(&s, "no-such-user-here", err, sizeof(err)) == -EINVAL, "-u unknown");
	is_str(err, "unknown user 'no-such-user-here'", "-u unknown: the reason");
	ok(select_set_cgroup(&s, "a/b", err, sizeof(err)) == 0, "--cgroup a/b");
	ok(select_set_cgroup(&s, "c", err, sizeof(err)) == 0, "--cgroup c");
	is_str(s.cgroup, "c", "the last --cgroup counts");
	ok(select_set_cgroup(&s, "", err, sizeof(err)) == -EINVAL, "--cgroup ''");
	is_str(err, "empty cgroup path", "--cgroup '': the reason");
	select_free(&s);
	ok(s.npids == 0 && !s.pids && !s.cgroup, "select_free empties it");
}

static void test_left_out(void)
{
	struct proc_sel s = { 0 };
	struct proc_id named = { .pid = 10 }, found = { .pid = 11, .comm = "app" };
	char err[64], msg[128];

	select_add_pids(&s, "10", err, sizeof(err));
	ok(!select_left_out(&s, &named, -ESRCH, msg, sizeof(msg)),
	   "a PID named with -p is not left out");
	ok(select_left_out(&s, &found, -ESRCH, msg, sizeof(msg)),
	   "a process found otherwise and gone is");
	is_str(msg, "process 11 (app) exited before its turn: left out", "and says so");
	ok(select_left_out(&s, &found, -ENOENT, msg, sizeof(msg)),
	   "-ENOENT on the live machine too");
	ok(!select_left_out(&s, &found, -EACCES, msg, sizeof(msg)), "another error is not");
	select_free(&s);
}

static void test_run_live(void)
{
	struct proc_sel s = { 0 };
	struct proc_list l = { 0 };
	char msg[512], err[64], arg[32];
	pid_t child = fork();
	int rc = 1, code;

	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(arg, sizeof(arg), "%d", (int)child);
	select_add_pids(&s, arg, err, sizeof(err));
	code = select_run(&s, &l, &rc, msg, sizeof(msg));
	ok(code == 0 && rc == 0 && l.n == 1 && l.v[0].pid == child, "a live child is selected");
	procs_list_free(&l);
	select_free(&s);

	select_add_pids(&s, "2147483646", err, sizeof(err));
	code = select_run(&s, &l, &rc, msg, sizeof(msg));
	ok(code == NS_EXIT_FAIL && rc == -ESRCH, "a PID alone that does not exist: 1");
	is_str(msg, "no such process: 2147483646", "and its line");
	procs_list_free(&l);
	select_free(&s);

	snprintf(arg, sizeof(arg), "%d", (int)getpid());
	select_add_pids(&s, arg, err, sizeof(err));
	code = select_run(&s, &l, NULL, msg, sizeof(msg));
	ok(code == NS_EXIT_FAIL && l.n == 0, "never the tool itself: none matched");
	is_str(msg, "no process matched", "and its line");
	procs_list_free(&l);
	select_free(&s);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static void test_run_sysroot(void)
{
	char root[] = "/tmp/ns-select-XXXXXX", msg[512], err[64];
	struct proc_sel s = { 0 };
	struct proc_list l = { 0 };
	int rc = 0, code;

	if (!mkdtemp(root))
		exit(2);
	tree_put(root, "proc/100/status", "Name:\tapp\nPid:\t100\nUid:\t0\t0\t0\t0\n");
	if (path_set_root(root) != 0)
		exit(2);
	select_add_name(&s, "app", err, sizeof(err));
	code = select_run(&s, &l, &rc, msg, sizeof(msg));
	ok(code == NS_EXIT_USAGE && rc == -ENOTSUP, "-n under --sysroot: 2");
	is_str(msg, "under --sysroot only -p PID selection is possible", "and its line");
	select_free(&s);
	ok(!select_left_out(&s, &(struct proc_id){ .pid = 5 }, -ENOENT, msg, sizeof(msg)),
	   "-ENOENT in a captured tree is not a process gone");
	path_set_root(NULL);
	tree_remove(root);
}

int main(void)
{
	alarm(60);
	test_values();
	test_left_out();
	test_run_live();
	test_run_sysroot();
	return tap_done();
}
