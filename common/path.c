/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "path.h"

static char root_prefix[PATH_MAX];
static char refused[PATH_MAX];      /* "FILE: why" of the last refusal */

int path_set_root(const char *root)
{
	struct stat st;
	char proc[PATH_MAX];
	size_t n;

	if (!root || !*root || strcmp(root, "/") == 0) {
		root_prefix[0] = '\0';
		return 0;
	}
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n >= sizeof(root_prefix) - 64)
		return -ENAMETOOLONG;
	if (stat(root, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (access(root, R_OK | X_OK) < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "%.*s/proc", (int)n, root);
	if (stat(proc, &st) < 0 || !S_ISDIR(st.st_mode))
		return -EINVAL;
	memcpy(root_prefix, root, n);
	root_prefix[n] = '\0';
	return 0;
}

int path_use_root(const char *root, bool changes_things, char *err, size_t len)
{
	int rc;

	if (!root || !*root)
		return 0;
	rc = path_set_root(root);
	if (rc == -EINVAL)
		snprintf(err, len, "sysroot '%s' has no proc/ directory", root);
	else if (rc < 0)
		snprintf(err, len, "cannot use sysroot '%s': %s", root, strerror(-rc));
	if (rc < 0)
		return rc;
	if (!changes_things || path_is_live())
		return 0;
	snprintf(err, len, "refusing to change a process under --sysroot '%s' "
		 "(a captured tree can only be read)", root);
	return -EROFS;
}

const char *path_root(void)
{
	return root_prefix;
}

bool path_is_live(void)
{
	return root_prefix[0] == '\0';
}

const char *path_refused(void)
{
	return refused;
}

/* open(2) of a composed path; under a root only a regular file (at most
 * PATH_TREE_FILE_MAX bytes when 'capped'). */
static int path_open_checked(const char *p, int flags, bool capped)
{
	struct stat st = { 0 };
	int fd;

	if (path_is_live()) {
		fd = open(p, flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	fd = open(p, flags | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (capped && (uint64_t)st.st_size > PATH_TREE_FILE_MAX)) {
		snprintf(refused, sizeof(refused), "%.*s: %s", PATH_MAX - 64, p,
			 S_ISREG(st.st_mode) ? "larger than any /proc or /sys file" :
			 "not a regular file");
		close(fd);
		return -PATH_ENOTCAPTURE;
	}
	/* reads of a regular file never block: back to ordinary reads */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t r = strlen(root_prefix);
	int n;

	if (r >= len)
		return -ENAMETOOLONG;
	memcpy(buf, root_prefix, r);
	n = vsnprintf(buf + r, len - r, fmt, ap);
	if (n < 0 || (size_t)n >= len - r)
		return -ENAMETOOLONG;
	return 0;
}

int path_format(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vformat(buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

int path_open(int flags, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vformat(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	return path_open_checked(p, flags, false);
}

FILE *path_fopen(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	FILE *f;
	int rc;

	va_start(ap, fmt);
	rc = vformat(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc < 0 || (rc = path_open_checked(p, O_RDONLY, true)) < 0) {
		errno = -rc;
		return NULL;
	}
	f = fdopen(rc, "r");
	if (!f)
		close(rc);
	return f;
}

DIR *path_opendir(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vformat(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return opendir(p);
}

int path_exists(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vformat(p, sizeof(p), fmt, ap);
	va_end(ap);
	return rc == 0 && access(p, F_OK) == 0;
}

static int read_fd_str(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = '\0';
	return (int)got;
}

int path_read_str(char *buf, size_t len, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	int rc, fd;

	va_start(ap, fmt);
	rc = vformat(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	fd = path_open_checked(p, O_RDONLY, true);
	if (fd < 0)
		return fd;
	rc = read_fd_str(fd, buf, len);
	close(fd);
	return rc;
}

int path_read_u64(uint64_t *val, const char *fmt, ...)
{
	char p[PATH_MAX], buf[64], *end;
	va_list ap;
	unsigned long long v;
	int rc, fd;

	va_start(ap, fmt);
	rc = vformat(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	fd = path_open_checked(p, O_RDONLY, true);
	if (fd < 0)
		return fd;
	rc = read_fd_str(fd, buf, sizeof(buf));
	close(fd);
	if (rc < 0)
		return rc;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

int path_mountinfo_line(char *line, struct path_mount *out)
{
	char *sep = strstr(line, " - "), *mnt, *end;
	int n = 0;

	if (!sep || sscanf(line, "%*u %*u %u:%u %*s %n", &out->major, &out->minor, &n) != 2 ||
	    n == 0 || line + n >= sep)
		return -EINVAL;
	mnt = line + n;
	end = strchr(mnt, ' ');
	if (!end || end > sep)
		return -EINVAL;
	*end = '\0';
	out->mnt = mnt;
	out->fstype = sep + 3;
	end = strpbrk(sep + 3, " \n");
	if (end)
		*end = '\0';
	return *out->fstype ? 0 : -EINVAL;
}
