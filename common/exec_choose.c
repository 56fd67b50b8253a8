/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* exec: engine auto's table of rules, and how many workers (exec.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include "exec_int.h"
#include "privs.h"
#include "procs.h"

const char *exec_engine_name(enum exec_engine e)
{
	return e == EXEC_SYSCALL ? "syscall" : e == EXEC_PAGES ? "pages" : "auto";
}

int exec_threads(const struct plan *p, const struct plan_proc *pp, const struct exec_opts *o)
{
	cpu_set_t set;
	uint64_t bytes, per;
	int n;

	if (o->threads != EXEC_THREADS_AUTO)
		return o->threads < EXEC_MAX_THREADS ? o->threads : EXEC_MAX_THREADS;
	n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
	if (n > EXEC_AUTO_THREADS_MAX)
		n = EXEC_AUTO_THREADS_MAX;
	bytes = 0;
	for (size_t i = 0; i < pp->nruns; i++)
		bytes += plan_run_bytes(&pp->runs[i], p->page_size);
	per = (bytes + EXEC_AUTO_THREAD_BYTES - 1) / EXEC_AUTO_THREAD_BYTES;
	if ((uint64_t)n > per)
		n = (int)per;
	return n > 1 ? n : 1;
}

/* ---- engine auto: a table of rules, the first that applies decides -------- */

struct exec_choice {
	const struct plan *p;
	const struct plan_proc *pp;
	const struct exec_opts *o;
	const char *how;            /* how the process is kept from running */
};

/* Each rule returns why it applies, or NULL. */
static const char *exec_rule_running(struct exec_choice *ch)
{
	return procs_frozen(ch->pp->id.pid, &ch->how) ? NULL :
	       "running: move_pages calls within --max-stall";
}

static const char *exec_rule_option(struct exec_choice *ch)
{
	const struct exec_opts *o = ch->o;

	return ch->p->filtered ? "--vma" : o->threads > 1 ? "--threads" : o->rate ? "--rate" :
	       o->deadline > 0 ? "--timeout" : o->batch_given ? "--batch" :
	       o->discard_lazyfree ? "--discard-lazyfree" : o->requery ? "saved plan" : NULL;
}

static const char *exec_rule_spread(struct exec_choice *ch)
{
	return ch->p->spread && nodeset_count(&ch->p->to) != 1 ? "spread over several targets" : NULL;
}

static const char *exec_rule_huge(struct exec_choice *ch)
{
	for (size_t i = 0; i < ch->pp->nruns; i++)
		if (ch->pp->runs[i].cls != PLAN_BASE)
			return ch->pp->runs[i].cls == PLAN_THP ? "THPs" : "hugetlb pages";
	return NULL;
}

/* migrate_pages obeys the caller's own cpuset */
static const char *exec_rule_our_cpuset(struct exec_choice *ch)
{
	struct ns_nodeset mine;

	return privs_mems_allowed(getpid(), &mine) < 0 || !nodeset_subset(&ch->p->to, &mine) ?
	       "targets outside our cpuset" : NULL;
}

/* The call runs without CAP_SYS_NICE (lowered for it without --move-all:
 * the kernel then moves only pages mapped by the process alone, as
 * move_pages does without MPOL_MF_MOVE_ALL), and without it the kernel
 * wants the targets inside the process's cpuset. */
static const char *exec_rule_their_cpuset(struct exec_choice *ch)
{
	struct ns_nodeset theirs;

	if (ch->o->move_all && privs_has_cap(NS_CAP_SYS_NICE))
		return NULL;
	if (ch->pp->coarse && privs_has_cap(NS_CAP_SYS_NICE))
		return "sharing not known";
	return privs_mems_allowed(ch->pp->id.pid, &theirs) < 0 ||
	       !nodeset_subset(&ch->p->to, &theirs) ? "targets outside the process's cpuset" : NULL;
}

static const char *exec_rule_stopped(struct exec_choice *ch)
{
	return ch->how && strcmp(ch->how, "cgroup frozen") == 0 ?
	       "cgroup frozen: one call, nothing notices" :
	       "every thread stopped: one call, nothing notices";
}

static const struct exec_rule {
	const char *(*applies)(struct exec_choice *ch);
	enum exec_engine engine;
} exec_rules[] = {
	{ exec_rule_running,      EXEC_PAGES },    /* a running process never freezes */
	{ exec_rule_option,       EXEC_PAGES },    /* an option that needs calls of our own */
	{ exec_rule_spread,       EXEC_PAGES },    /* several targets by free memory */
	{ exec_rule_huge,         EXEC_PAGES },    /* THPs counted whole, hugetlb */
	{ exec_rule_our_cpuset,   EXEC_PAGES },
	{ exec_rule_their_cpuset, EXEC_PAGES },
	{ exec_rule_stopped,      EXEC_SYSCALL },  /* always applies */
};

enum exec_engine exec_choose(const struct plan *p, const struct plan_proc *pp,
			     const struct exec_opts *o, const char **why)
{
	struct exec_choice ch = { p, pp, o, NULL };

	if (o->engine != EXEC_AUTO) {
		*why = "asked for";
		return o->engine;
	}
	for (size_t i = 0; i < sizeof(exec_rules) / sizeof(exec_rules[0]); i++)
		if ((*why = exec_rules[i].applies(&ch)))
			return exec_rules[i].engine;
	*why = "not reached";
	return EXEC_PAGES;
}
