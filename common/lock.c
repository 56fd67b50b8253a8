/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "exitcode.h"
#include "lock.h"
#include "outcome.h"

/* The directory of lock files: /run/numashift when it can be made, else a
 * per-user directory under /tmp (a shared /tmp directory could be
 * pre-created by another user). */
static int lock_dir(char *buf, size_t len)
{
	struct stat st;

	snprintf(buf, len, "/run/numashift");
	if ((mkdir(buf, 0755) == 0 || errno == EEXIST) && access(buf, W_OK) == 0)
		return 0;
	snprintf(buf, len, "/tmp/numashift-%u", (unsigned)getuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(buf, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return -EPERM;
	return 0;
}

/* The pid holding a flock on fd's inode, from /proc/locks; 0 if unknown. */
static pid_t lock_flock_holder(int fd)
{
	char line[256], want[64];
	struct stat st;
	pid_t holder = 0;
	FILE *f;
	int pid, n;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	snprintf(want, sizeof(want), "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	while (!holder && fgets(line, sizeof(line), f)) {
		char dev[64];

		/* "1: FLOCK  ADVISORY  WRITE 1234 00:16:5678 0 EOF"; waiters have "->" */
		if (strstr(line, "->") || sscanf(line, "%*d: FLOCK %*s %*s %d %63s%n",
						 &pid, dev, &n) != 2)
			continue;
		if (strcmp(dev, want) == 0)
			holder = pid;
	}
	fclose(f);
	return holder;
}

/* flock of /proc/PID/pagemap: 0 held (or not possible: l->pfd stays -1),
 * -EBUSY, -EINTR, other -errno. */
static int lock_proc(struct ns_lock *l, pid_t target, bool wait, pid_t *holder)
{
	char p[64];
	int fd, e;

	snprintf(p, sizeof(p), "/proc/%d/pagemap", (int)target);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		e = errno;
		if (e == EWOULDBLOCK && holder)
			*holder = lock_flock_holder(fd);
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	l->pfd = fd;
	return 0;
}

static pid_t lock_read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/* Lock the file at l->path; 1 when the file was replaced meanwhile (a
 * holder unlinked it on release): the caller tries again. */
static int lock_try(struct ns_lock *l, bool wait, pid_t *holder)
{
	struct stat a, b;
	int fd, e;

	fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno;
		if (e != EWOULDBLOCK || !wait) {
			if (holder)
				*holder = lock_read_holder(fd);
			close(fd);
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
		if (flock(fd, LOCK_EX) < 0) {
			e = errno;
			close(fd);
			return -e;
		}
	}
	if (fstat(fd, &a) < 0 || stat(l->path, &b) < 0 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		close(fd);
		return 1;
	}
	l->fd = fd;
	return 0;
}

int lock_take(struct ns_lock *l, pid_t target, bool wait, pid_t *holder)
{
	char dir[128], pidbuf[32];
	int rc, len;

	l->fd = l->pfd = -1;
	if (holder)
		*holder = 0;
	if ((rc = lock_proc(l, target, wait, holder)) < 0)
		return rc;
	if ((rc = lock_dir(dir, sizeof(dir))) < 0)
		goto fail;
	snprintf(l->path, sizeof(l->path), "%s/%d.lock", dir, (int)target);
	while ((rc = lock_try(l, wait, holder)) == 1)
		;
	if (rc < 0)
		goto fail;
	len = snprintf(pidbuf, sizeof(pidbuf), "%d\n", (int)getpid());
	if (ftruncate(l->fd, 0) < 0 || pwrite(l->fd, pidbuf, (size_t)len, 0) != len) {
		rc = -errno;
		close(l->fd);
		l->fd = -1;
		goto fail;
	}
	return 0;
fail:
	if (l->pfd >= 0)
		close(l->pfd);
	l->pfd = -1;
	return rc;
}

void lock_release(struct ns_lock *l)
{
	if (l->pfd >= 0)
		close(l->pfd);
	l->pfd = -1;
	if (l->fd < 0)
		return;
	/* unlinked while still held: a waiter on the old file sees that the
	 * path now names another file (or none) and starts over */
	unlink(l->path);
	close(l->fd);
	l->fd = -1;
}

int lock_take_proc(struct ns_lock *l, const struct proc_id *id, bool wait,
		   const volatile sig_atomic_t *stop, char *msg, size_t len)
{
	pid_t holder = 0;
	int rc = lock_take(l, id->pid, wait, &holder);

	return outcome_lock(rc, id, holder, stop ? ns_exit_from_signal(*stop) : 0, msg, len);
}

int lock_set_take(struct lock_set *s, const struct proc_id *ids, size_t n, size_t stride,
		  bool wait, const volatile sig_atomic_t *stop, char *msg, size_t len)
{
	int code;

	if (!n)
		return 0;
	s->v = calloc(n, sizeof(*s->v));
	if (!s->v) {
		snprintf(msg, len, "out of memory");
		return NS_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		code = lock_take_proc(&s->v[s->n], (const struct proc_id *)((const char *)ids + i * stride),
				      wait, stop, msg, len);
		if (code)
			return code;
		s->n++;
	}
	return 0;
}

void lock_set_release(struct lock_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		lock_release(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
