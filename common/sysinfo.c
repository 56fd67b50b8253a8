/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "path.h"
#include "strutil.h"
#include "sysinfo.h"

double sys_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool sys_sleep(double secs, const volatile sig_atomic_t *stop)
{
	struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		if (*stop)
			return false;
	return !*stop;
}

uint64_t sys_page_size(void)
{
	static uint64_t cached;
	long v;

	if (!cached) {
		v = sysconf(_SC_PAGESIZE);
		cached = v > 0 ? (uint64_t)v : (uint64_t)getpagesize();
	}
	return cached;
}

/* Not cached: the root may change between calls (tests, --sysroot). */
uint64_t sys_thp_size(void)
{
	uint64_t v;

	if (path_read_u64(&v, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size") < 0)
		return 0;
	return v;
}

/* One meminfo line: after an optional "Node N " prefix, "Key:" then blanks,
 * a number and an optional " kB".  Returns the key's index or -1. */
static int sys_meminfo_line(char *line, const char *const *keys, int nkeys,
			    uint64_t *val)
{
	char *p = line, *colon, *num, *end;
	uint64_t v;
	int i;

	if (strncmp(p, "Node ", 5) == 0) {
		p += 5;
		while (*p >= '0' && *p <= '9')
			p++;
		while (*p == ' ')
			p++;
	}
	colon = strchr(p, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	for (i = 0; i < nkeys; i++)
		if (strcmp(p, keys[i]) == 0)
			break;
	if (i == nkeys)
		return -1;
	num = colon + 1;
	while (*num == ' ' || *num == '\t')
		num++;
	end = num;
	while (*end >= '0' && *end <= '9')
		end++;
	if (end == num)
		return -1;
	if (*end == ' ' && strncmp(end, " kB", 3) == 0) {
		*end = '\0';
		if (str_to_u64(num, &v) < 0 || __builtin_mul_overflow(v, 1024, &v))
			return -1;
	} else {
		*end = '\0';
		if (str_to_u64(num, &v) < 0)
			return -1;
	}
	*val = v;
	return i;
}

int sys_read_meminfo(const char *path, const char *const *keys,
		     uint64_t *vals, int nkeys)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t v;
	FILE *f;
	int found = 0, i;

	f = path_fopen("%s", path);
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		i = sys_meminfo_line(line, keys, nkeys, &v);
		if (i >= 0) {
			vals[i] = v;
			found++;
		}
	}
	free(line);
	fclose(f);
	return found;
}

bool sys_has_swap(void)
{
	static const char *const keys[] = { "SwapTotal" };
	uint64_t total = 0;

	if (sys_read_meminfo("/proc/meminfo", keys, &total, 1) < 1)
		return false;
	return total > 0;
}

int sys_boot_id(char *buf, size_t len)
{
	int rc;

	if (!buf || len == 0)
		return -EINVAL;
	rc = path_read_str(buf, len, "/proc/sys/kernel/random/boot_id");
	if (rc < 0)
		buf[0] = '\0';
	return rc;
}

bool sys_numa_balancing(void)
{
	uint64_t v;

	/* 1 = NUMA_BALANCING_NORMAL, 2 = memory tiering: any bit means on */
	if (path_read_u64(&v, "/proc/sys/kernel/numa_balancing") < 0)
		return false;
	return v != 0;
}

int sys_parse_kernel_version(const char *release)
{
	char *end;
	long major, minor;

	if (!release || release[0] < '0' || release[0] > '9')
		return -EINVAL;
	errno = 0;
	major = strtol(release, &end, 10);
	if (errno || *end != '.' || end[1] < '0' || end[1] > '9' || major > 1000)
		return -EINVAL;
	minor = strtol(end + 1, &end, 10);
	if (errno || minor > 99)
		return -EINVAL;
	return (int)(major * 100 + minor);
}

int sys_kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (!buf || len == 0)
		return -EINVAL;
	if (uname(&u) < 0)
		return -errno;
	snprintf(buf, len, "%s", u.release);
	return (int)strlen(buf);
}

int sys_kernel_version(void)
{
	char rel[128];
	int rc;

	rc = sys_kernel_release(rel, sizeof(rel));
	if (rc < 0)
		return rc;
	return sys_parse_kernel_version(rel);
}
