/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* procs: identity checks that exec and exit cannot slip past. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "procs.h"
#include "tap.h"

/* A child that execs sleep when its parent writes to the pipe. */
static pid_t child_that_execs(int *go)
{
	int fds[2];
	pid_t p;
	char c;

	if (pipe(fds) < 0)
		exit(2);
	p = fork();
	if (p == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) == 1)
			execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(1);
	}
	close(fds[0]);
	*go = fds[1];
	return p;
}

int main(void)
{
	struct proc_id before, after;
	int go, fd, rc;
	pid_t p;

	alarm(60);
	p = child_that_execs(&go);
	ok(procs_identify(p, &before) == 0, "identify the child");
	fd = procs_mm_open(p);
	ok(fd >= 0, "pin its address space");
	ok(procs_mm_same(fd), "same address space before the exec");
	if (write(go, "x", 1) != 1)
		return 2;
	for (int i = 0; i < 200; i++) {
		if (procs_identify(p, &after) == 0 && strcmp(after.comm, "sleep") == 0)
			break;
		usleep(10000);
	}
	is_str(after.comm, "sleep", "the child exec'd sleep");
	ok(procs_check_same(&before) == 0, "start time and PID alone do not see the exec");
	ok(!procs_mm_same(fd), "the pinned address space does");
	close(fd);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	rc = procs_check_same(&before);
	ok(rc == -ESRCH, "a reaped process is gone (%d)", rc);
	return tap_done();
}
