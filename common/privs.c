/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* privs: capability and ownership checks made before acting, so that a
 * refusal can name what is missing instead of passing on a bare EPERM. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "path.h"
#include "privs.h"

bool privs_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3)
		return false;
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

/* Set or clear one capability in the calling thread's effective set (it
 * stays permitted, so it can be raised again). */
int privs_cap_set_effective(int cap, bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint32_t bit;

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3)
		return -EINVAL;
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	bit = 1U << (cap % 32);
	if (on && !(data[cap / 32].permitted & bit))
		return -EPERM;
	if (on)
		data[cap / 32].effective |= bit;
	else
		data[cap / 32].effective &= ~bit;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

/* The four ids of a "Uid:" or "Gid:" line of /proc/PID/status. */
struct privs_ids {
	unsigned long uid[4], gid[4];
};

static int privs_read_ids(pid_t pid, struct privs_ids *ids)
{
	char line[512];
	unsigned long *v;
	int found = 0;
	FILE *f = path_fopen("/proc/%d/status", (int)pid);

	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Uid:", 4) == 0)
			v = ids->uid;
		else if (strncmp(line, "Gid:", 4) == 0)
			v = ids->gid;
		else
			continue;
		if (sscanf(line + 4, "%lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3]) == 4)
			found++;
	}
	fclose(f);
	return found == 2 ? 0 : -EINVAL;
}

/* PTRACE_MODE_READ_REALCREDS without CAP_SYS_PTRACE: our real uid and gid
 * equal the target's real, effective and saved ids, and the target is
 * dumpable (a non-dumpable process's /proc/PID belongs to root). */
static bool privs_same_owner(pid_t pid, const struct privs_ids *ids)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char p[64];
	struct stat st;

	for (int i = 0; i < 3; i++)
		if (ids->uid[i] != uid || ids->gid[i] != gid)
			return false;
	if (path_format(p, sizeof(p), "/proc/%d", (int)pid) < 0 || stat(p, &st) < 0)
		return false;
	return st.st_uid == uid;
}

static const char *privs_what(enum priv_need need)
{
	switch (need) {
	case PRIV_READ:     return "reading the memory map of";
	case PRIV_MOVE:     return "moving pages of";
	case PRIV_MOVE_ALL: return "moving shared pages (--move-all) of";
	case PRIV_DISCARD:  return "discarding pages of";
	case PRIV_AFFINITY: return "setting the CPU affinity of";
	}
	return "acting on";
}

static int privs_refuse(const struct proc_id *t, enum priv_need need,
			const char *missing, char *why, size_t len)
{
	if (why && len)
		snprintf(why, len, "%s pid %d (uid %u) needs %s", privs_what(need),
			 (int)t->pid, (unsigned)t->uid, missing);
	return -EPERM;
}

int privs_check(const struct proc_id *target, enum priv_need need,
		char *why, size_t len)
{
	struct privs_ids ids;
	bool own, ptrace_ok, nice = privs_has_cap(NS_CAP_SYS_NICE);
	int rc = privs_read_ids(target->pid, &ids);

	if (why && len)
		why[0] = '\0';
	if (rc < 0)             /* never a refusal: see privs.h */
		return rc == -EPERM ? -EACCES : rc;
	own = privs_same_owner(target->pid, &ids);
	ptrace_ok = own || privs_has_cap(NS_CAP_SYS_PTRACE);
	if (need == PRIV_AFFINITY) {
		/* sched_setaffinity: same effective uid as the target's uid or euid */
		if (ids.uid[0] == geteuid() || ids.uid[1] == geteuid() || nice)
			return 0;
		return privs_refuse(target, need, "CAP_SYS_NICE", why, len);
	}
	if (!ptrace_ok)
		return privs_refuse(target, need,
				    "to run as its user or CAP_SYS_PTRACE", why, len);
	switch (need) {
	case PRIV_READ:
		return 0;
	case PRIV_MOVE:
		if (own || nice)
			return 0;
		break;
	case PRIV_MOVE_ALL:
	case PRIV_DISCARD:
		if (nice)
			return 0;
		break;
	case PRIV_AFFINITY:
		break;
	}
	return privs_refuse(target, need, "CAP_SYS_NICE", why, len);
}

int privs_mems_allowed(pid_t pid, struct ns_nodeset *out)
{
	char line[4096];
	int rc = -EINVAL;
	FILE *f = path_fopen("/proc/%d/status", (int)pid);

	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Mems_allowed_list:", 18) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		rc = nodeset_parse_list(line + 18 + strspn(line + 18, " \t"), out);
		break;
	}
	fclose(f);
	return rc;
}

int privs_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
#else
	(void)pid;
	return -ENOSYS;
#endif
}

bool privs_pidfd_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int rc;

	do
		rc = poll(&p, 1, 0);
	while (rc < 0 && errno == EINTR);
	/* a pidfd becomes readable when the process exits */
	return rc == 0;
}
