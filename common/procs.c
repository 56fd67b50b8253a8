/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* procs: process selection (libproc2 for name/user/cgroup/all on the live
 * machine) and process identity (through path.h, so --sysroot trees work). */
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <libproc2/pids.h>
#include "pagemap.h"
#include "path.h"
#include "procs.h"

#define PROCS_PF_KTHREAD 0x00200000UL   /* include/linux/sched.h */

/* A growing pid-sorted result. */
struct procs_acc {
	struct proc_id *v;
	size_t n, cap;
};

static int procs_acc_add(struct procs_acc *a, const struct proc_id *id)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct proc_id *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *id;
	return 0;
}

static int procs_cmp_pid(const void *a, const void *b)
{
	const struct proc_id *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Sort by pid and drop duplicates (a PID both listed and matched). */
static void procs_acc_finish(struct procs_acc *a)
{
	size_t i, k = 0;

	if (a->n == 0)
		return;
	qsort(a->v, a->n, sizeof(*a->v), procs_cmp_pid);
	for (i = 0; i < a->n; i++)
		if (k == 0 || a->v[k - 1].pid != a->v[i].pid)
			a->v[k++] = a->v[i];
	a->n = k;
}

/* ---- identity through path.h ---------------------------------------- */

/* "pid (comm) S ppid ..." : comm may hold spaces and ')', so it ends at the
 * last ')'.  Fields are numbered as in proc(5). */
static int procs_parse_stat(char *buf, struct proc_id *out)
{
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	char *p, *tok, *save = NULL;
	size_t len;
	int field;

	if (!open || !close || close < open)
		return -EINVAL;
	len = (size_t)(close - open - 1);
	if (len >= sizeof(out->comm))
		len = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, len);
	out->comm[len] = '\0';
	p = close + 1;
	for (field = 3; (tok = strtok_r(p, " ", &save)); field++, p = NULL) {
		if (field == 3)
			out->zombie = tok[0] == 'Z' || tok[0] == 'X';
		if (field == 9)
			out->kthread = (strtoul(tok, NULL, 10) & PROCS_PF_KTHREAD) != 0;
		if (field == 22) {
			out->start_time = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -EINVAL;
}

/* Name: and the real uid from the Uid: line of /proc/PID/status. */
static int procs_parse_status(FILE *f, struct proc_id *out, bool want_name)
{
	char line[512];
	bool have_uid = false;

	while (fgets(line, sizeof(line), f)) {
		if (want_name && strncmp(line, "Name:\t", 6) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out->comm, sizeof(out->comm), "%.*s", (int)sizeof(out->comm) - 1, line + 6);
		} else if (strncmp(line, "Uid:", 4) == 0) {
			out->uid = (uid_t)strtoul(line + 4, NULL, 10);
			have_uid = true;
		}
	}
	return have_uid ? 0 : -EINVAL;
}

/* A missing file under /proc/PID means the process has gone. */
static int procs_gone(int err)
{
	return err == -ENOENT || err == -ESRCH ? -ESRCH : err;
}

int procs_identify(pid_t pid, struct proc_id *out)
{
	char buf[1024];
	bool have_stat;
	FILE *f;
	int rc;

	if (pid <= 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	if (!path_exists("/proc/%d", (int)pid))
		return -ESRCH;
	/* A captured tree may lack stat or status; the live /proc has both. */
	rc = path_read_str(buf, sizeof(buf), "/proc/%d/stat", (int)pid);
	have_stat = rc >= 0;
	if (have_stat && procs_parse_stat(buf, out) < 0)
		return -EINVAL;
	if (!have_stat && (path_is_live() || rc != -ENOENT))
		return procs_gone(rc);
	f = path_fopen("/proc/%d/status", (int)pid);
	if (!f) {
		rc = -errno;
		if (!have_stat || path_is_live())
			return procs_gone(rc);
		return 0;
	}
	rc = procs_parse_status(f, out, !have_stat);
	fclose(f);
	return rc;
}

int procs_mm_open(pid_t pid)
{
	return path_open(O_RDONLY, "/proc/%d/pagemap", (int)pid);
}

bool procs_mm_same(int fd)
{
	uint64_t e;

	/* pagemap reads nothing once its mm has no users left */
	return pm_fd_entries(fd, 1, 0, 1, &e) == 1;
}

int procs_check_same(const struct proc_id *id)
{
	struct proc_id now;
	char buf[1024];
	int rc;

	/* the start time is in stat alone: one read, not identify's two */
	memset(&now, 0, sizeof(now));
	rc = path_read_str(buf, sizeof(buf), "/proc/%d/stat", (int)id->pid);
	if (rc >= 0) {
		if (procs_parse_stat(buf, &now) < 0)
			return -ESRCH;
	} else if (path_is_live() || rc != -ENOENT) {
		return procs_gone(rc);
	} else if ((rc = procs_identify(id->pid, &now)) < 0) {
		return procs_gone(rc);   /* a captured tree without stat */
	}
	/* a zombie has no memory left to act on: it has gone */
	return now.start_time == id->start_time && !now.zombie ? 0 : -ESRCH;
}

int procs_parse_user(const char *s, uid_t *out)
{
	struct passwd pw, *res = NULL;
	char buf[4096], *end;
	unsigned long v;

	if (!s || !*s)
		return -ENOENT;
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v >= (uid_t)-1)
			return -ENOENT;
		*out = (uid_t)v;
		return 0;
	}
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*out = res->pw_uid;
	return 0;
}

void procs_list_free(struct proc_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- cgroup v2 ------------------------------------------------------ */

/* The cgroup2 mount point of this process's mount namespace (pure v2 has it
 * at /sys/fs/cgroup, the hybrid layout at /sys/fs/cgroup/unified). */
static int procs_cgroup2_mount(char *buf, size_t len)
{
	char line[4096];
	struct path_mount pm;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (path_mountinfo_line(line, &pm) < 0 || strcmp(pm.fstype, "cgroup2") != 0)
			continue;
		if (strlen(pm.mnt) >= len)
			continue;
		snprintf(buf, len, "%s", pm.mnt);
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

/* The user's PATH as a cgroup path ("/a/b", "/" for the root): a directory
 * under the cgroup2 mount, given either in full or relative to it. */
static int procs_cgroup_resolve(const char *arg, char *cg, size_t len)
{
	char mnt[PATH_MAX], full[PATH_MAX * 2], real[PATH_MAX];
	size_t m;
	struct stat st;
	int rc = procs_cgroup2_mount(mnt, sizeof(mnt));

	if (rc < 0)
		return rc;
	m = strlen(mnt);
	if (strncmp(arg, mnt, m) == 0 && (arg[m] == '/' || arg[m] == '\0'))
		snprintf(full, sizeof(full), "%s", arg);
	else
		snprintf(full, sizeof(full), "%s/%s", mnt, arg + strspn(arg, "/"));
	if (!realpath(full, real) || stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOENT;
	/* ".." must not lead out of the hierarchy */
	if (strncmp(real, mnt, m) != 0 || (real[m] != '/' && real[m] != '\0'))
		return -ENOENT;
	snprintf(cg, len, "%s", real[m] ? real + m : "/");
	return 0;
}

/* The "0::/path" line of /proc/PID/cgroup is cg or below it. */
static bool procs_in_cgroup(char **lines, const char *cg)
{
	size_t n = strlen(cg);
	const char *p;

	for (; lines && *lines; lines++) {
		if (strncmp(*lines, "0::", 3) != 0)
			continue;
		p = *lines + 3;
		if (strcmp(cg, "/") == 0)
			return true;
		return strncmp(p, cg, n) == 0 && (p[n] == '\0' || p[n] == '/');
	}
	return false;
}

int procs_cgroup(pid_t pid, char *buf, size_t len)
{
	char line[PATH_MAX + 8];
	FILE *f = path_fopen("/proc/%d/cgroup", (int)pid);
	int rc = -ENOENT;
	size_t n;

	if (!f)
		return errno == ENOENT && path_is_live() ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		n = strcspn(line + 3, "\n");
		rc = n < len ? 0 : -ENAMETOOLONG;
		if (rc == 0)
			snprintf(buf, len, "%.*s", (int)n, line + 3);
		break;
	}
	fclose(f);
	return rc;
}

/* The process's cgroup v2 reports "frozen 1" in cgroup.events. */
static bool procs_cgroup_frozen(pid_t pid)
{
	char mnt[PATH_MAX], cg[PATH_MAX + 16], line[PATH_MAX + 8];
	char *nl;
	bool frozen = false;
	FILE *f;

	if (procs_cgroup2_mount(mnt, sizeof(mnt)) < 0)
		return false;
	f = path_fopen("/proc/%d/cgroup", (int)pid);
	if (!f)
		return false;
	cg[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			if ((nl = strchr(line, '\n')))
				*nl = '\0';
			snprintf(cg, sizeof(cg), "%s", line + 3);
			break;
		}
	fclose(f);
	if (!cg[0] || !(f = path_fopen("%s%s/cgroup.events", mnt, strcmp(cg, "/") ? cg : "")))
		return false;
	while (fgets(line, sizeof(line), f))
		if (strcmp(line, "frozen 1\n") == 0)
			frozen = true;
	fclose(f);
	return frozen;
}

/* Every thread's state (after the last ')' of its stat) is T or t. */
static bool procs_threads_stopped(pid_t pid)
{
	DIR *d = path_opendir("/proc/%d/task", (int)pid);
	struct dirent *e;
	char buf[1024], *p;
	int seen = 0;
	bool stopped = d != NULL;

	while (d && stopped && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (path_read_str(buf, sizeof(buf), "/proc/%d/task/%s/stat", (int)pid, e->d_name) < 0)
			continue;        /* a thread that just exited */
		p = strrchr(buf, ')');
		stopped = p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't');
		seen++;
	}
	if (d)
		closedir(d);
	return stopped && seen > 0;
}

bool procs_frozen(pid_t pid, const char **how)
{
	const char *h = procs_threads_stopped(pid) ? "every thread stopped" :
			procs_cgroup_frozen(pid) ? "cgroup frozen" : NULL;

	if (how)
		*how = h;
	return h != NULL;
}

/* ---- selection ------------------------------------------------------ */

enum { PI_PID, PI_RUID, PI_CMD, PI_FLAGS, PI_START, PI_VSIZE, PI_CGROUP };

static bool procs_name_ok(const struct proc_sel *sel, const char *comm)
{
	if (sel->nnames == 0)
		return true;
	for (size_t i = 0; i < sel->nnames; i++)
		if (strcmp(sel->names[i], comm) == 0)
			return true;
	return false;
}

static bool procs_uid_ok(const struct proc_sel *sel, uid_t uid)
{
	if (sel->nuids == 0)
		return true;
	for (size_t i = 0; i < sel->nuids; i++)
		if (sel->uids[i] == uid)
			return true;
	return false;
}

static bool procs_has_filter(const struct proc_sel *sel)
{
	return sel->nnames || sel->nuids || sel->cgroup || sel->all;
}

/* libproc2 is loaded when a selection needs it (by name, user, cgroup or
 * -A), not linked: linking it costs every run of every tool about 0.5 ms of
 * start-up (it pulls libsystemd, libgcrypt and four compression libraries),
 * which is most of what `mscan -p PID` costs.  Its header is still the
 * contract (the PIDS_VAL layout); only the three entry points are looked up.
 * NS_LIBPROC2 is its soname, found by the Makefile. */
#ifndef NS_LIBPROC2
#define NS_LIBPROC2 "libproc2.so.0"
#endif

static struct {
	int (*pids_new)(struct pids_info **, enum pids_item *, int);
	struct pids_stack *(*pids_get)(struct pids_info *, enum pids_fetch_type);
	int (*pids_unref)(struct pids_info **);
	char err[256];
} procs_lib;

const char *procs_lib_error(void)
{
	return procs_lib.err;
}

static int procs_lib_load(void)
{
	const char *why = "a symbol is missing";
	void *h;

	if (procs_lib.pids_unref)
		return 0;
	/* the handle is kept for the life of the process, like a linked one */
	h = dlopen(NS_LIBPROC2, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		why = dlerror();
	if (h) {
		*(void **)&procs_lib.pids_new = dlsym(h, "procps_pids_new");
		*(void **)&procs_lib.pids_get = dlsym(h, "procps_pids_get");
		*(void **)&procs_lib.pids_unref = dlsym(h, "procps_pids_unref");
		if (procs_lib.pids_new && procs_lib.pids_get && procs_lib.pids_unref)
			return 0;
		procs_lib.pids_unref = NULL;
	}
	snprintf(procs_lib.err, sizeof(procs_lib.err),
		 "cannot load %s (libproc2, procps-ng 4's library; Debian package libproc2-0), "
		 "needed to select processes by name, user, cgroup or -A: %s",
		 NS_LIBPROC2, why ? why : "unknown error");
	return -ELIBACC;
}

/* Walk the live /proc with libproc2 and add the user processes that pass
 * every filter given. */
static int procs_select_live(const struct proc_sel *sel, struct procs_acc *acc)
{
	enum pids_item items[] = { PIDS_ID_PID, PIDS_ID_RUID, PIDS_CMD,
				   PIDS_FLAGS, PIDS_TICS_BEGAN,
				   PIDS_VSIZE_BYTES, PIDS_CGROUP_V };
	int nitems = sel->cgroup ? 7 : 6;   /* read cgroup files only if asked */
	struct pids_info *info = NULL;
	struct pids_stack *s;
	char cg[PATH_MAX];
	struct proc_id id;
	int rc = 0;

	if (sel->cgroup) {
		rc = procs_cgroup_resolve(sel->cgroup, cg, sizeof(cg));
		if (rc < 0)
			return rc;
	}
	if ((rc = procs_lib_load()) < 0)
		return rc;
	if (procs_lib.pids_new(&info, items, nitems) < 0)
		return -ENOMEM;
	while ((s = procs_lib.pids_get(info, PIDS_FETCH_TASKS_ONLY))) {
		memset(&id, 0, sizeof(id));
		id.pid = PIDS_VAL(PI_PID, s_int, s, info);
		if (id.pid == sel->exclude)
			continue;
		/* kernel threads and zombies have no user memory */
		if ((PIDS_VAL(PI_FLAGS, ul_int, s, info) & PROCS_PF_KTHREAD) ||
		    PIDS_VAL(PI_VSIZE, ul_int, s, info) == 0)
			continue;
		id.uid = PIDS_VAL(PI_RUID, u_int, s, info);
		id.start_time = PIDS_VAL(PI_START, ull_int, s, info);
		snprintf(id.comm, sizeof(id.comm), "%.*s", (int)sizeof(id.comm) - 1,
			 PIDS_VAL(PI_CMD, str, s, info));
		if (!procs_name_ok(sel, id.comm) || !procs_uid_ok(sel, id.uid))
			continue;
		if (sel->cgroup && !procs_in_cgroup(PIDS_VAL(PI_CGROUP, strv, s, info), cg))
			continue;
		rc = procs_acc_add(acc, &id);
		if (rc < 0)
			break;
	}
	procs_lib.pids_unref(&info);
	return rc;
}

static int procs_select_pids(const struct proc_sel *sel, struct procs_acc *acc,
			     pid_t *bad_pid)
{
	struct proc_id id;
	int rc;

	for (size_t i = 0; i < sel->npids; i++) {
		if (sel->pids[i] == sel->exclude)
			continue;
		rc = procs_identify(sel->pids[i], &id);
		if (rc == 0 && id.kthread)
			rc = -EINVAL;
		if (rc == -ESRCH) {            /* a placeholder: see procs_select */
			if (bad_pid && !*bad_pid)
				*bad_pid = sel->pids[i];
			memset(&id, 0, sizeof(id));
			id.pid = sel->pids[i];
			id.missing = true;
			rc = 0;
		} else if (rc < 0) {
			if (bad_pid)
				*bad_pid = sel->pids[i];
			return rc;
		}
		rc = procs_acc_add(acc, &id);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int procs_select(const struct proc_sel *sel, struct proc_list *out,
		 pid_t *bad_pid)
{
	struct procs_acc acc = { 0 };
	int rc;

	out->v = NULL;
	out->n = 0;
	if (procs_has_filter(sel) && !path_is_live())
		return -ENOTSUP;
	rc = procs_select_pids(sel, &acc, bad_pid);
	if (rc == 0 && procs_has_filter(sel))
		rc = procs_select_live(sel, &acc);
	if (rc < 0) {
		free(acc.v);
		return rc;
	}
	procs_acc_finish(&acc);
	for (size_t i = 0; i < acc.n; i++)
		if (!acc.v[i].missing) {
			out->v = acc.v;
			out->n = acc.n;
			return 0;
		}
	/* every one named is missing, and nothing else matched */
	free(acc.v);
	return acc.n ? -ESRCH : 0;
}
