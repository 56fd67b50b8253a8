/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exec: engine syscall, the one migrate_pages(2) call (exec.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "exec_int.h"
#include "privs.h"
#include "procs.h"
#include "sysinfo.h"

static long sys_migrate_pages(pid_t pid, unsigned long maxnode,
			      const unsigned long *from, const unsigned long *to)
{
	return syscall(SYS_migrate_pages, pid, maxnode, from, to);
}

/* Node sets as the kernel's bit masks. */
static void exec_mask(const struct ns_nodeset *s, unsigned long *mask, size_t words)
{
	int n;

	memset(mask, 0, words * sizeof(*mask));
	nodeset_foreach(n, s)
		mask[(size_t)n / (8 * sizeof(long))] |= 1UL << ((size_t)n % (8 * sizeof(long)));
}

int exec_syscall(const struct proc_id *id, const struct plan *p,
		 const struct plan_proc *pp, const struct exec_opts *o,
		 struct exec_result *r)
{
	enum { W = NS_MAX_NODES / (8 * sizeof(long)) };
	unsigned long from[W], to[W];
	struct ns_nodeset fs = p->from;
	double t0;
	long rc;
	bool lowered;
	int err;

	if (procs_check_same(id) < 0)
		return -ESRCH;
	if (nodeset_empty(&fs))        /* spread: every node with planned pages */
		for (size_t i = 0; i < pp->nruns; i++)
			nodeset_add(&fs, pp->runs[i].src);
	exec_mask(&fs, from, W);
	exec_mask(&p->to, to, W);
	/* With CAP_SYS_NICE the kernel would also move pages shared with other
	 * processes (MPOL_MF_MOVE_ALL): without --move-all this thread lowers
	 * it for the call and raises it again. */
	lowered = !o->move_all && privs_has_cap(NS_CAP_SYS_NICE);
	if (lowered && (err = privs_cap_set_effective(NS_CAP_SYS_NICE, false)) < 0) {
		r->stop = EXS_ERROR;
		r->err = err;
		return 0;
	}
	t0 = sys_now();
	rc = sys_migrate_pages(id->pid, NS_MAX_NODES + 1, from, to);
	err = rc < 0 ? -errno : 0;
	r->seconds = sys_now() - t0;
	r->calls = 1;
	r->threads = 1;
	(void)stall_add(&r->stall, r->seconds);
	if (lowered && privs_cap_set_effective(NS_CAP_SYS_NICE, true) < 0 && !err)
		err = -EPERM;      /* cannot go on as before: stop here */
	if (err == -ENOMEM) {
		/* the target filled up: what did not fit is "target full", as
		 * move_pages reports it page by page (the query below counts) */
	} else if (err) {
		r->stop = EXS_ERROR;
		r->err = err;
		/* the call may have moved part before it failed: the query
		 * afterwards says how much */
		if (err == -ESRCH || procs_check_same(id) < 0)
			return 0;
	} else {
		r->syscall_failed = (uint64_t)rc;
	}
	exec_after(p, pp, r, o->batch ? o->batch : EXEC_DEFAULT_BATCH);
	if (r->residual_known) {
		/* the kernel gives a count only: what left each source moved */
		enum exec_reason why = err == -ENOMEM ? EXR_NOMEM : EXR_NOT_MIGRATED;

		for (size_t k = 0; k < r->npairs; k++) {
			struct exec_pair *x = &r->pairs[k];
			uint64_t left = x->src < r->residual_slots ? r->residual[x->src] : 0;
			uint64_t stay = left < x->planned ? left : x->planned;

			x->moved = x->planned - stay;
			x->not_moved[why] = stay;
			r->residual[x->src] -= stay;   /* shared by pairs of one source */
		}
		for (size_t k = 0; k < r->npairs; k++)
			r->residual[r->pairs[k].src] += r->pairs[k].not_moved[why];
	}
	return 0;
}
