/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "outcome.h"
#include "path.h"
#include "privs.h"

int outcome_move(const struct exec_result *r, int started, bool had_work, int sigcode)
{
	struct exec_pair s;
	bool some;

	if (started < 0)
		return started == -ESRCH ? NS_EXIT_FAIL : ns_exit_from_errno(started);
	if (!started)
		return had_work ? NS_EXIT_FAIL : NS_EXIT_OK;
	exec_totals(r, &s);
	some = s.moved || s.discarded;
	switch (r->stop) {
	case EXS_SIGNAL:
		return sigcode ? sigcode : NS_EXIT_SIGINT;
	case EXS_TIMEOUT:
		return NS_EXIT_TIMEOUT;
	case EXS_ERROR:
		return some ? NS_EXIT_PARTIAL : ns_exit_from_errno(r->err ? r->err : -EIO);
	case EXS_GONE:
		return some ? NS_EXIT_PARTIAL : NS_EXIT_FAIL;
	case EXS_DONE:
		break;
	}
	/* a page another process mapped after the plan (-EACCES) stays by the
	 * same rule as one shared when planned: without --move-all it is
	 * reported, not a failure */
	if (r->syscall_failed || exec_not_moved(&s) > s.not_moved[EXR_SHARED])
		return some ? NS_EXIT_PARTIAL : NS_EXIT_FAIL;
	return NS_EXIT_OK;
}

int outcome_discard(const struct discard_set *s, const struct discard_result *r,
		    bool timed_out, int sigcode)
{
	if (r->stopped)
		return sigcode ? sigcode : timed_out ? NS_EXIT_TIMEOUT : NS_EXIT_SIGINT;
	if (r->error && r->discarded == 0 && s->candidate)
		return NS_EXIT_FAIL;
	if (r->error)
		return NS_EXIT_PARTIAL;
	return NS_EXIT_OK;
}

int outcome_lock(int rc, const struct proc_id *id, pid_t holder, int sigcode,
		 char *msg, size_t len)
{
	msg[0] = '\0';
	if (rc == 0)
		return NS_EXIT_OK;
	if (rc == -EBUSY) {
		if (holder)
			snprintf(msg, len, "process %d (%s) is being changed by another numashift "
				 "run (pid %d): try again later or use --wait",
				 (int)id->pid, id->comm, (int)holder);
		else
			snprintf(msg, len, "process %d (%s) is being changed by another numashift "
				 "run: try again later or use --wait", (int)id->pid, id->comm);
		return NS_EXIT_REFUSED;
	}
	if (rc == -EINTR) {
		snprintf(msg, len, "process %d (%s): interrupted while waiting for its lock: "
			 "nothing was changed", (int)id->pid, id->comm);
		return sigcode ? sigcode : NS_EXIT_SIGINT;
	}
	snprintf(msg, len, "cannot take the lock of process %d (%s): %s: nothing was changed",
		 (int)id->pid, id->comm, strerror(-rc));
	return NS_EXIT_FAIL;
}

int outcome_errno(int err, const struct proc_id *id, const char *doing,
		  char *msg, size_t len)
{
	switch (-err) {
	case ESRCH:
		snprintf(msg, len, "process %d (%s) has gone", (int)id->pid, id->comm);
		return NS_EXIT_FAIL;
	case EPERM:
	case EACCES:
		snprintf(msg, len, "%s process %d (%s): permission denied (needs ptrace "
			 "access: same user or CAP_SYS_PTRACE)", doing, (int)id->pid, id->comm);
		return NS_EXIT_PERM;
	default:
		snprintf(msg, len, "%s process %d (%s): %s", doing, (int)id->pid, id->comm,
			 strerror(-err));
		return ns_exit_from_errno(err);
	}
}

int outcome_plan_error(const struct proc_id *id, int rc, bool move_all,
		       const char **kind, char *msg, size_t len)
{
	int code;

	*kind = "gone";
	if (id->missing) {
		snprintf(msg, len, "no such process: %d", (int)id->pid);
		return NS_EXIT_FAIL;
	}
	if (rc == -ESRCH || rc == -ENOENT)
		return outcome_errno(-ESRCH, id, "", msg, len);
	*kind = "permission";
	/* name what is missing, as the guard rails would */
	if ((rc == -EACCES || rc == -EPERM) &&
	    privs_check(id, move_all ? PRIV_MOVE_ALL : PRIV_MOVE, msg, len) == -EPERM)
		return NS_EXIT_PERM;
	code = outcome_errno(rc, id, "cannot read the memory map of", msg, len);
	if (code != NS_EXIT_PERM)
		*kind = "error";
	return code;
}

int outcome_scan_error(const struct proc_id *id, int rc, const char *what,
		       const char **kind, char *msg, size_t len)
{
	*kind = "gone";
	if (id->missing) {
		snprintf(msg, len, "no such process: %d", (int)id->pid);
		return NS_EXIT_FAIL;
	}
	if (rc == -ESRCH || rc == -ENOENT) {
		snprintf(msg, len, "process %d (%s) went away", (int)id->pid, id->comm);
		return NS_EXIT_FAIL;
	}
	if (rc == -EACCES || rc == -EPERM) {
		*kind = "permission";
		snprintf(msg, len, "cannot read %s of process %d (%s): permission "
			 "denied (needs ptrace read access: same user or CAP_SYS_PTRACE)",
			 what, (int)id->pid, id->comm);
		return NS_EXIT_PERM;
	}
	*kind = "error";
	snprintf(msg, len, "cannot read %s of process %d (%s): %s", what,
		 (int)id->pid, id->comm, strerror(-rc));
	return NS_EXIT_FAIL;
}

json_t *outcome_error_json(const struct proc_id *id, const char *kind,
			   const char *msg, int code)
{
	return json_pack("{s:i,s:s,s:s,s:s,s:i}", "pid", (int)id->pid, "comm", id->comm,
			 "error", kind, "message", msg, "exit_code", code);
}

int outcome_run(const int *codes, size_t n, int sigcode, bool deadline_passed)
{
	int acc = -1;

	for (size_t i = 0; i < n; i++)
		acc = ns_exit_combine(acc, codes[i]);
	if (acc < 0)
		acc = NS_EXIT_OK;
	if (sigcode)
		return sigcode;
	if (deadline_passed && acc != NS_EXIT_OK)
		return NS_EXIT_TIMEOUT;
	return acc;
}

int outcome_affinity(const struct place_aff_result *a, pid_t pid, char *msg, size_t len)
{
	if (!a->failed)
		return NS_EXIT_OK;
	snprintf(msg, len, "pid %d: affinity refused for %u of %u threads: %s",
		 (int)pid, a->failed, a->failed + a->threads, strerror(-a->err));
	if (a->threads)
		return NS_EXIT_PARTIAL;
	return a->err == -EPERM ? NS_EXIT_PERM :
		a->err == -EINVAL ? NS_EXIT_REFUSED : NS_EXIT_FAIL;
}

int outcome_discard_apply_error(const struct proc_id *id, int rc, char *msg, size_t len)
{
	switch (rc) {
	case -EPERM:
	case -EACCES:
		snprintf(msg, len, "pid %d: process_madvise needs CAP_SYS_NICE "
			 "and ptrace access to the process", (int)id->pid);
		return NS_EXIT_PERM;
	case -ESRCH:
		snprintf(msg, len, "pid %d: the process went away", (int)id->pid);
		return NS_EXIT_FAIL;
	case -ENOSYS:
		snprintf(msg, len, "pid %d: this kernel has no process_madvise "
			 "(5.10+) or pidfd_open (5.3+)", (int)id->pid);
		return NS_EXIT_FAIL;
	default:
		snprintf(msg, len, "pid %d: %s", (int)id->pid, strerror(-rc));
		return NS_EXIT_FAIL;
	}
}

int outcome_discard_find_error(const struct proc_id *id, int rc, char *msg, size_t len)
{
	switch (rc) {
	case -EOPNOTSUPP:
		snprintf(msg, len, "pid %d: precise mode needs CAP_SYS_ADMIN (PFNs "
			 "and /proc/kpageflags); use --mode mapping", (int)id->pid);
		return NS_EXIT_PERM;
	case -EPERM:
	case -EACCES:
		snprintf(msg, len, "pid %d: cannot read its memory map: needs to run "
			 "as its user or CAP_SYS_PTRACE", (int)id->pid);
		return NS_EXIT_PERM;
	case -ENOENT:
		if (!path_is_live()) {
			snprintf(msg, len, "pid %d: the tree under --sysroot has no "
				 "/proc/%d/pagemap (capture-sysroot --pagemap)",
				 (int)id->pid, (int)id->pid);
			return NS_EXIT_USAGE;
		}
		/* fall through */
	case -ESRCH:
		snprintf(msg, len, "pid %d: the process went away", (int)id->pid);
		return NS_EXIT_FAIL;
	default:
		snprintf(msg, len, "pid %d: cannot read its pages: %s", (int)id->pid,
			 strerror(-rc));
		return NS_EXIT_FAIL;
	}
}

bool outcome_stall(const struct proc_id *id, const struct stall_summary *s,
		   const char *what, char *msg, size_t len)
{
	if (!stall_overrun(s))
		return false;
	snprintf(msg, len, "process %d (%s): the longest %s call took %.1f ms, more than 1.5 x "
		 "the --max-stall budget of %.0f ms (%llu of %llu calls over it)",
		 (int)id->pid, id->comm, what, s->max * 1e3, s->budget * 1e3,
		 (unsigned long long)s->over, (unsigned long long)s->calls);
	return true;
}

bool outcome_unaccounted(const struct proc_id *id, const struct exec_result *r,
			 char *msg, size_t len)
{
	if (!r->unaccounted)
		return false;
	snprintf(msg, len, "process %d (%s): %llu planned pages got no outcome from the kernel: "
		 "counted as not moved (a numashift bug: please report it)",
		 (int)id->pid, id->comm, (unsigned long long)r->unaccounted);
	return true;
}

bool outcome_move_error(const struct proc_id *id, const struct exec_result *r,
			char *msg, size_t len)
{
	const char *what = strerror(r->err ? -r->err : EIO);

	if (r->stop != EXS_ERROR)
		return false;
	if (r->nice_failed)
		snprintf(msg, len, "process %d (%s): the kernel refused the workers' nice %d "
			 "(--nice): %s", (int)id->pid, id->comm, r->nice, what);
	else if (r->err == -EACCES)
		snprintf(msg, len, "process %d (%s): the kernel refused the target nodes "
			 "(cpuset or permission)", (int)id->pid, id->comm);
	else
		snprintf(msg, len, "process %d (%s): move stopped: %s", (int)id->pid, id->comm,
			 what);
	return true;
}
