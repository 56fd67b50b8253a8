/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* privs: capabilities, the privilege matrix on own and other users'
 * processes (as root, with and without effective capabilities),
 * Mems_allowed_list, and pidfds. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include "tap.h"
#include "nodes.h"
#include "privs.h"
#include "procs.h"

static int set_effective_caps(int on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		d[i].effective = on ? d[i].permitted : 0;
	return (int)syscall(SYS_capset, &h, d);
}

/* A child that becomes user nobody and stops; -1 on failure. */
static pid_t start_nobody(void)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid > 0 && (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st))) {
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void test_matrix(void)
{
	struct proc_id self, other;
	char why[256];
	pid_t child;
	int rc;

	procs_identify(getpid(), &self);
	is_u64(privs_check(&self, PRIV_READ, why, sizeof(why)), 0, "own process: read");
	is_u64(privs_check(&self, PRIV_MOVE, why, sizeof(why)), 0, "own process: move");
	is_u64(privs_check(&self, PRIV_AFFINITY, why, sizeof(why)), 0, "own process: affinity");
	if (geteuid() != 0) {
		printf("ok %d - # SKIP other users' processes need root to set up\n", ++tap_n);
		return;
	}
	ok(privs_has_cap(NS_CAP_SYS_ADMIN) && privs_has_cap(NS_CAP_SYS_NICE), "root has CAP_SYS_ADMIN, CAP_SYS_NICE");
	child = start_nobody();
	ok(child > 0 && procs_identify(child, &other) == 0 && other.uid == 65534, "a process of user nobody");
	if (child <= 0)
		return;
	is_u64(privs_check(&other, PRIV_MOVE_ALL, why, sizeof(why)), 0, "root: move-all on nobody's process");

	ok(set_effective_caps(0) == 0, "effective capabilities dropped");
	ok(!privs_has_cap(NS_CAP_SYS_ADMIN) && !privs_has_cap(NS_CAP_SYS_NICE), "no capability in effect");
	rc = privs_check(&other, PRIV_READ, why, sizeof(why));
	ok(rc == -EPERM && strstr(why, "CAP_SYS_PTRACE") && strstr(why, "uid 65534"),
	   "no caps: reading nobody's process refused (%s)", why);
	rc = privs_check(&self, PRIV_MOVE_ALL, why, sizeof(why));
	ok(rc == -EPERM && strstr(why, "CAP_SYS_NICE") && strstr(why, "--move-all"),
	   "no caps: --move-all on own process needs CAP_SYS_NICE (%s)", why);
	is_u64(-privs_check(&self, PRIV_DISCARD, why, sizeof(why)), EPERM, "no caps: discard needs CAP_SYS_NICE");
	is_u64(privs_check(&self, PRIV_MOVE, why, sizeof(why)), 0, "no caps: moving own pages is allowed");
	is_u64(-privs_check(&other, PRIV_AFFINITY, why, sizeof(why)), EPERM, "no caps: affinity of another user's process");
	set_effective_caps(1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	is_u64(-privs_check(&other, PRIV_READ, why, sizeof(why)), ESRCH, "gone process: -ESRCH");
}

static void test_mems_and_pidfd(void)
{
	struct ns_nodeset ms;
	int fd, st;
	pid_t child;

	ok(privs_mems_allowed(getpid(), &ms) == 0 && nodeset_has(&ms, 0), "Mems_allowed_list of self holds node 0");
	fflush(stdout);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	fd = privs_pidfd_open(child);
	if (fd == -ENOSYS) {
		printf("ok %d - # SKIP pidfd_open(2) not available\n", ++tap_n);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return;
	}
	ok(fd >= 0 && privs_pidfd_alive(fd), "pidfd of a live child: alive");
	kill(child, SIGKILL);
	/* exited but not yet reaped still counts as gone */
	waitid(P_PID, (id_t)child, NULL, WEXITED | WNOWAIT);
	ok(fd >= 0 && !privs_pidfd_alive(fd), "after SIGKILL: not alive");
	waitpid(child, &st, 0);
	if (fd >= 0)
		close(fd);
	is_u64(-privs_pidfd_open(child), ESRCH, "pidfd_open of a reaped pid: -ESRCH");
}

/* Lowering CAP_SYS_NICE for one call and raising it again (exec_syscall
 * without --move-all). */
static void test_cap_lower_raise(void)
{
	bool had = privs_has_cap(NS_CAP_SYS_NICE);

	ok(privs_cap_set_effective(NS_CAP_SYS_NICE, false) == 0, "lowering CAP_SYS_NICE works");
	ok(!privs_has_cap(NS_CAP_SYS_NICE), "CAP_SYS_NICE no longer effective");
	if (had) {
		ok(privs_cap_set_effective(NS_CAP_SYS_NICE, true) == 0 &&
		   privs_has_cap(NS_CAP_SYS_NICE), "raised again from the permitted set");
	} else {
		ok(privs_cap_set_effective(NS_CAP_SYS_NICE, true) == -EPERM,
		   "not permitted: raising is refused (-EPERM)");
	}
	ok(privs_cap_set_effective(-1, false) == -EINVAL, "a capability out of range is -EINVAL");
}

int main(void)
{
	alarm(60);
	test_matrix();
	test_mems_and_pidfd();
	test_cap_lower_raise();
	return tap_done();
}
