/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* mplace's placement options translated by one table: see place_opts.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "place_opts.h"

enum opt_kind {
	OPT_MEMORY,      /* sets the memory nodes (and for numactl's, the policy) */
	OPT_CPU_NODES,   /* the nodes whose CPUs to run on */
	OPT_CPUS,        /* the CPUs by number */
	OPT_POLICY,      /* --policy P */
	OPT_BALANCING,   /* --balancing */
	OPT_AUTO,        /* --auto */
};

static const struct opt_desc {
	const char *opt;            /* with its "--", as messages name it */
	enum opt_kind kind;
	enum place_policy policy;   /* OPT_MEMORY: the policy it sets */
} opt_table[] = {
	{ "--nodes",               OPT_MEMORY,    PLACE_BIND },
	{ "--cpu-nodes",           OPT_CPU_NODES, 0 },
	{ "--cpus",                OPT_CPUS,      0 },
	{ "--policy",              OPT_POLICY,    0 },
	{ "--balancing",           OPT_BALANCING, 0 },
	{ "--auto",                OPT_AUTO,      0 },
	/* numactl's, with numactl's meaning */
	{ "--membind",             OPT_MEMORY,    PLACE_BIND },
	{ "--interleave",          OPT_MEMORY,    PLACE_INTERLEAVE },
	{ "--preferred",           OPT_MEMORY,    PLACE_PREFERRED },
	{ "--preferred-many",      OPT_MEMORY,    PLACE_PREFERRED },
	{ "--weighted-interleave", OPT_MEMORY,    PLACE_WEIGHTED },
	{ "--localalloc",          OPT_MEMORY,    PLACE_LOCAL },
	{ "--cpunodebind",         OPT_CPU_NODES, 0 },
	{ "--physcpubind",         OPT_CPUS,      0 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct opt_desc *opt_find(const char *name)
{
	for (size_t i = 0; name && i < NELEM(opt_table); i++)
		if (strcmp(opt_table[i].opt + 2, name) == 0)
			return &opt_table[i];
	return NULL;
}

bool place_opts_takes(const char *name)
{
	return opt_find(name) != NULL;
}

/* A refusal: its message into err, -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A node list option's argument: numactl's "same" is the list before. */
static int node_list(struct place_opts *o, const char *opt, const char *arg,
		     const char **out, char *err, size_t errlen)
{
	if (strcmp(arg, "same") == 0) {
		if (!o->last_list)
			return fail(err, errlen, "%s same: no node list before it to be the "
				    "same as", opt);
		*out = o->last_list;
		return 0;
	}
	*out = o->last_list = arg;
	return 0;
}

/* The memory nodes and policy come from one option: --nodes (with
 * --policy) or one of numactl's, as numactl refuses two policies. */
static int set_memory(struct place_opts *o, const struct opt_desc *d, const char *arg,
		      char *err, size_t errlen)
{
	bool by_nodes = strcmp(d->opt, "--nodes") == 0;

	if (o->mem_opt)
		return fail(err, errlen, "%s and %s both set the memory %s: give one",
			    o->mem_opt, d->opt,
			    !by_nodes && !place_opts_by_nodes(o) ? "policy" : "nodes");
	o->mem_opt = d->opt;
	o->nodes_arg = NULL;
	if (arg && node_list(o, d->opt, arg, &o->nodes_arg, err, errlen) < 0)
		return -EINVAL;
	if (by_nodes)
		return 0;
	if (o->policy_set)
		return fail(err, errlen, "--policy and %s both set the memory policy: "
			    "give one", d->opt);
	o->policy = d->policy;
	return 0;
}

static int set_policy(struct place_opts *o, const char *arg, char *err, size_t errlen)
{
	if (place_policy_parse(arg, &o->policy) < 0)
		return fail(err, errlen, "invalid --policy '%s': expected bind, preferred, "
			    "interleave, weighted-interleave or local", arg);
	if (o->mem_opt && !place_opts_by_nodes(o))
		return fail(err, errlen, "--policy and %s both set the memory policy: "
			    "give one", o->mem_opt);
	o->policy_set = true;
	return 0;
}

int place_opts_set(struct place_opts *o, const char *name, const char *arg,
		   char *err, size_t errlen)
{
	const struct opt_desc *d = opt_find(name);

	if (!d)
		return -ENOENT;
	switch (d->kind) {
	case OPT_MEMORY:
		return set_memory(o, d, arg, err, errlen);
	case OPT_CPU_NODES:
		o->cpu_opt = d->opt;
		return node_list(o, d->opt, arg, &o->cpu_nodes_arg, err, errlen);
	case OPT_CPUS:
		o->cpu_opt = d->opt;
		o->cpus_arg = arg;
		return 0;
	case OPT_POLICY:
		return set_policy(o, arg, err, errlen);
	case OPT_BALANCING:
		o->balancing = true;
		return 0;
	case OPT_AUTO:
		o->autoplace = true;
		return 0;
	}
	return -ENOENT;
}

bool place_opts_by_nodes(const struct place_opts *o)
{
	return o->mem_opt && strcmp(o->mem_opt, "--nodes") == 0;
}

bool place_opts_has_policy(const struct place_opts *o)
{
	return o->mem_opt || o->policy_set;
}

/* What the memory options ask for, in each mode. */
static int check_memory(const struct place_opts *o, bool have_pid, bool have_cmd,
			char *err, size_t errlen)
{
	bool numactl = o->mem_opt && !place_opts_by_nodes(o);

	if (have_pid && numactl)
		return fail(err, errlen, "%s sets the memory policy of a launched command; "
			    "for a running process give --nodes NODES (its memory moves "
			    "there)", o->mem_opt);
	if (have_pid && (o->policy_set || o->balancing))
		return fail(err, errlen, "--policy and --balancing apply to a launched "
			    "command: the kernel cannot set a running process's memory "
			    "policy");
	if (have_pid && !o->autoplace && !o->nodes_arg)
		return fail(err, errlen, "no target: give --nodes NODES or --auto");
	if (o->policy == PLACE_LOCAL && o->nodes_arg)
		return fail(err, errlen, "--policy local allocates on the node of the CPU: "
			    "drop --nodes");
	if (have_cmd && !o->mem_opt && !o->policy_set && !o->cpu_nodes_arg && !o->cpus_arg)
		return fail(err, errlen, "no target: give --nodes NODES, --cpu-nodes NODES "
			    "or --cpus CPUS (or numactl's --membind, --cpunodebind, ...)");
	if (have_cmd && o->policy_set && o->policy != PLACE_LOCAL && !o->nodes_arg)
		return fail(err, errlen, "--policy %s needs --nodes NODES",
			    place_policy_name(o->policy));
	return 0;
}

int place_opts_check(const struct place_opts *o, bool have_pid, bool have_cmd,
		     char *err, size_t errlen)
{
	if (have_pid && have_cmd)
		return fail(err, errlen, "give either -p PID or a command after '--', not "
			    "both (numactl's -p is --preferred: write --preferred=NODE)");
	if (!have_pid && !have_cmd)
		return fail(err, errlen, "nothing to place: give -p PID or '-- COMMAND'");
	if (o->cpus_arg && o->cpu_nodes_arg)
		return fail(err, errlen, "give the CPUs either by node (--cpu-nodes, "
			    "--cpunodebind) or by number (--cpus, --physcpubind), not both");
	if (o->autoplace && !have_pid)
		return fail(err, errlen, "--auto places a running process: give -p PID");
	if (o->autoplace && o->mem_opt)
		return fail(err, errlen, "--auto chooses the node itself: drop %s",
			    o->mem_opt);
	if (check_memory(o, have_pid, have_cmd, err, errlen) < 0)
		return -EINVAL;
	if (o->balancing && o->policy != PLACE_BIND)
		return fail(err, errlen, "--balancing needs --policy bind or --membind "
			    "(MPOL_F_NUMA_BALANCING works with MPOL_BIND only)");
	return 0;
}

/* numactl's options that mplace does not take, and what to write instead:
 * one line each, rather than "unknown option". */
static const struct numactl_not {
	const char *name;
	char letter;           /* numactl's short form, 0 when mplace has it */
	const char *instead;
} numactl_not[] = {
	{ "all", 'a', "node and CPU numbers already name any node or CPU, and all, ! "
		"and +N count within the cpuset, as numactl's do without --all" },
	{ "cpubind", 'c', "it is the old name of --cpunodebind: write --cpunodebind NODES" },
	{ "show", 's', "mplace shows no policy: 'numactl --show', or 'mscan -p PID' for "
		"where a process's memory is" },
	{ "hardware", 0, "write 'mscan --topology' (or 'numactl --hardware')" },
	{ "cpu-compress", 0, "write 'mscan --topology' (or 'numactl --hardware')" },
	{ "shm", 'S', NULL }, { "file", 'f', NULL }, { "shmid", 'I', NULL },
	{ "offset", 0, NULL }, { "length", 'L', NULL }, { "shmmode", 'M', NULL },
	{ "strict", 't', NULL }, { "huge", 'u', NULL }, { "touch", 'T', NULL },
	{ "dump", 'd', NULL }, { "dump-nodes", 'D', NULL }, { "verify", 0, NULL },
};

int place_opts_numactl_not(const char *name, size_t len, int letter,
			   char *err, size_t errlen)
{
	for (size_t i = 0; i < NELEM(numactl_not); i++) {
		const struct numactl_not *o = &numactl_not[i];
		bool hit = name ? strlen(o->name) == len && strncmp(name, o->name, len) == 0 :
			o->letter && letter == o->letter;

		if (!hit)
			continue;
		snprintf(err, errlen, "numactl's --%s is not taken by mplace: %s", o->name,
			 o->instead ? o->instead : "it sets the policy of shared memory or "
			 "a file, and mplace places processes: use numactl for it");
		return 1;
	}
	return 0;
}
