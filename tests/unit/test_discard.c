/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* Unit tests of the discarder's stop: discard_apply polls opts->stop before
 * every process_madvise call, the last of a walk too, so a signal seen
 * before a call means no call; and a target that exec'd another program
 * gets no call on that program.  Run on this test's own lazily freed pages
 * (process_madvise on oneself) and on a child's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "discard.h"
#include "procs.h"
#include "sysinfo.h"
#include "tap.h"
/* <sys/mman.h> last: its MAP_* macros would hide maps.h's enum names */
#include <sys/mman.h>
#undef MAP_ANON
#undef MAP_FILE
#undef MAP_STACK
#undef MAP_HUGETLB

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct stop_count {
	unsigned polls, after;    /* say stop from poll number 'after' on */
};

static bool stop_after(void *ud)
{
	struct stop_count *s = ud;

	return ++s->polls > s->after;
}

/* 'pages' base pages written then lazily freed; NULL when MADV_FREE fails. */
static char *lazy_pages(size_t pages, uint64_t ps)
{
	char *p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, pages * ps, MADV_NOHUGEPAGE);
	memset(p, 0x5a, pages * ps);
	if (madvise(p, pages * ps, MADV_FREE) < 0) {
		munmap(p, pages * ps);
		return NULL;
	}
	return p;
}

static bool in_range(void *ud, const struct mapping *m)
{
	const char *p = ud;

	return m->start <= (uintptr_t)p && (uintptr_t)p < m->end;
}

/* A signal seen before the first call (stop says yes at once): the pages
 * found are left alone, not one call is made, and the result says stopped;
 * the same set without a stop makes calls (the test can see one). */
static void test_stop_before_call(void)
{
	const size_t pages = 64;     /* one call's worth: the last batch is the only one */
	uint64_t ps = sys_page_size();
	char *p = lazy_pages(pages, ps);
	struct discard_opts o = { .mode = DISCARD_AUTO, .thp = DISCARD_THP_COLLAPSE,
				  .no_totals = true, .vma_filter = in_range };
	struct stop_count sc = { 0, 0 };
	struct discard_set s;
	struct discard_result r;
	struct proc_id id;
	int pidfd, rc;

	if (!p) {
		ok(1, "# SKIP MADV_FREE not supported");
		return;
	}
	o.vma_ud = p;
	procs_identify(getpid(), &id);
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	rc = discard_find(&id, &o, &s);
	ok(rc == 0 && s.candidate > 0, "discard_find finds the lazily freed pages (%llu bytes)",
	   rc == 0 ? (unsigned long long)s.candidate : 0ULL);
	if (rc != 0 || pidfd < 0) {
		if (rc == 0)
			discard_set_free(&s);
		return;
	}
	o.stop = stop_after;
	o.stop_ud = &sc;
	rc = discard_apply(pidfd, &s, &o, &r);
	ok(rc == 0, "stopped at once: discard_apply returns 0 (%d)", rc);
	is_u64(r.calls, 0, "stopped at once: no process_madvise call");
	ok(r.stopped, "stopped at once: the result says stopped");
	ok(sc.polls > 0, "stopped at once: stop was asked (%u polls)", sc.polls);
	discard_result_free(&r);
	discard_set_free(&s);

	o.stop = NULL;
	memset(p, 0x5a, pages * ps);
	madvise(p, pages * ps, MADV_FREE);
	rc = discard_find(&id, &o, &s);
	if (rc == 0) {
		rc = discard_apply(pidfd, &s, &o, &r);
		ok(rc == 0 && r.calls > 0 && !r.stopped,
		   "without a stop the same pages take %llu call(s)", (unsigned long long)r.calls);
		discard_result_free(&r);
		discard_set_free(&s);
	}
	close(pidfd);
	munmap(p, pages * ps);
}

/* A child with 64 lazily freed pages that execs sleep on SIGUSR2; its
 * close-on-exec pipe tells the parent when the exec is done. */
struct exec_child {
	pid_t pid;
	int exec_fd;         /* read end: EOF once the child has exec'd */
	bool done;
};

static pid_t lazy_child(int *exec_fd)
{
	int ready[2], ex[2];
	sigset_t set;
	pid_t pid;
	char c;

	if (pipe(ready) < 0 || pipe2(ex, O_CLOEXEC) < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid = fork();
	if (pid == 0) {
		int sig;

		close(ready[0]);
		close(ex[0]);
		if (!lazy_pages(64, sys_page_size()) || write(ready[1], "r", 1) != 1)
			_exit(1);
		sigwait(&set, &sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		execlp("sleep", "sleep", "100", (char *)NULL);
		_exit(127);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	close(ready[1]);
	close(ex[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		close(ex[0]);
		return -1;
	}
	close(ready[0]);
	*exec_fd = ex[0];
	return pid;
}

/* The stop poll right before the first call: the child execs now. */
static bool exec_now(void *ud)
{
	struct exec_child *e = ud;
	char c;

	if (!e->done) {
		kill(e->pid, SIGUSR2);
		while (read(e->exec_fd, &c, 1) > 0)
			;
		e->done = true;
	}
	return false;
}

static void test_exec_midway(void)
{
	struct discard_opts o = { .mode = DISCARD_AUTO, .thp = DISCARD_THP_COLLAPSE,
				  .no_totals = true, .stop = exec_now };
	struct exec_child e = { 0 };
	struct discard_set s;
	struct discard_result r;
	struct proc_id id;
	int pidfd, rc;

	e.pid = lazy_child(&e.exec_fd);
	if (e.pid < 0) {
		ok(0, "a child with lazily freed pages");
		return;
	}
	o.stop_ud = &e;
	procs_identify(e.pid, &id);
	pidfd = (int)syscall(SYS_pidfd_open, e.pid, 0);
	rc = discard_find(&id, &o, &s);
	ok(rc == 0 && s.candidate > 0 && pidfd >= 0,
	   "discard_find finds the child's lazily freed pages");
	if (rc == 0) {
		rc = discard_apply(pidfd, &s, &o, &r);
		ok(e.done, "the child exec'd right before the first call");
		ok(rc == -ESRCH, "exec'd: discard_apply says gone (%d)", rc);
		is_u64(r.calls, 0, "exec'd: no call on the new program");
		discard_result_free(&r);
		discard_set_free(&s);
	}
	kill(e.pid, SIGKILL);
	waitpid(e.pid, NULL, 0);
	close(e.exec_fd);
	if (pidfd >= 0)
		close(pidfd);
}

/* --mode and --thp by name; another name is refused with the line the
 * command prints. */
static void test_parse(void)
{
	enum discard_mode m = DISCARD_AUTO;
	enum discard_thp t = DISCARD_THP_COLLAPSE;
	char err[160] = "";

	ok(discard_mode_parse("precise", &m, err, sizeof(err)) == 0 && m == DISCARD_PRECISE, "--mode precise");
	ok(discard_mode_parse("mapping", &m, err, sizeof(err)) == 0 && m == DISCARD_MAPPING, "--mode mapping");
	ok(discard_mode_parse("auto", &m, err, sizeof(err)) == 0 && m == DISCARD_AUTO, "--mode auto");
	ok(discard_mode_parse("fast", &m, err, sizeof(err)) == -EINVAL && m == DISCARD_AUTO,
	   "--mode fast refused, the mode unchanged");
	is_str(err, "invalid --mode 'fast': expected auto, precise or mapping", "the line said");
	ok(discard_thp_parse("skip", &t, err, sizeof(err)) == 0 && t == DISCARD_THP_SKIP, "--thp skip");
	ok(discard_thp_parse("collapse", &t, err, sizeof(err)) == 0 && t == DISCARD_THP_COLLAPSE,
	   "--thp collapse");
	ok(discard_thp_parse("Skip", &t, err, sizeof(err)) == -EINVAL, "--thp Skip refused");
	is_str(err, "invalid --thp 'Skip': expected collapse or skip", "the line said");
}

int main(void)
{
	test_parse();
	test_stop_before_call();
	test_exec_midway();
	return tap_done();
}
