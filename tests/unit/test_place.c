/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* place: CPU lists as a user types them (numactl's syntax, relative to the
 * allowed CPUs), the local policy, and this process's own CPU sets. */
#include <errno.h>
#include <stdlib.h>
#include "place.h"
#include "tap.h"

/* What a user CPU list parses to, formatted ("0-3"), or "error: ..." */
static const char *cpus_fmt(const char *list, const char *online, const char *allowed)
{
	static char buf[256];
	struct place_cpus on = { 0 }, al = { 0 }, out;
	char err[200];

	place_cpus_parse(online, &on);
	place_cpus_parse(allowed, &al);
	if (place_cpus_parse_user(list, &on, &al, &out, err, sizeof(err)) < 0) {
		snprintf(buf, sizeof(buf), "error: %s", err);
	} else {
		place_cpus_format(&out, buf, sizeof(buf));
		place_cpus_free(&out);
	}
	place_cpus_free(&on);
	place_cpus_free(&al);
	return buf;
}

static void test_cpu_lists(void)
{
	/* 8 CPUs online but 5; this process may run on 2-3 and 6-7 */
	const char *on = "0-4,6-8", *al = "2-3,6-7";

	is_str(cpus_fmt("0-3", on, al), "0-3", "absolute range");
	is_str(cpus_fmt("3-6", on, al), "3-4,6", "a range skips offline 5");
	is_str(cpus_fmt("all", on, al), "2-3,6-7", "all: the allowed CPUs");
	is_str(cpus_fmt("+0", on, al), "2", "+0: the first allowed CPU");
	is_str(cpus_fmt("+1-2", on, al), "3,6", "+1-2: the 2nd and 3rd allowed");
	is_str(cpus_fmt("!+0", on, al), "3,6-7", "!+0: the allowed but the first");
	is_str(cpus_fmt("!3", on, al), "2,6-7", "!3: within the allowed CPUs");
	is_str(cpus_fmt("+4", on, al),
	       "error: bad CPU list '+4': +4 counts past the allowed CPUs (2-3,6-7): +0 is the first of them",
	       "+4 past the allowed CPUs");
	is_str(cpus_fmt("5", on, al), "error: CPU 5 is not online", "offline CPU named");
	is_str(cpus_fmt("99", on, al), "error: CPU 99 is not online", "CPU past the last");
	is_str(cpus_fmt("4-2", on, al), "error: bad CPU list '4-2': range 4-2 is backwards", "backwards");
	is_str(cpus_fmt("", on, al), "error: empty CPU list", "empty list");
	is_str(cpus_fmt("01", on, al),
	       "error: bad CPU list '01': '01' has a leading zero (numactl reads it as octal): "
	       "write the number without it", "leading zero");
	is_str(cpus_fmt("!all", on, al), "error: CPU list '!all' selects no CPU", "!all is nothing");
	is_str(cpus_fmt("1,a", on, al), "error: bad CPU list '1,a': 'a' is not a CPU number", "letters");
}

static void test_local_policy(void)
{
	enum place_policy p;
	struct ns_nodeset none;

	nodeset_zero(&none);
	ok(place_policy_parse("local", &p) == 0 && p == PLACE_LOCAL, "policy local parses");
	is_str(place_policy_name(PLACE_LOCAL), "local", "its name");
	ok(place_policy_mode(PLACE_LOCAL, &none) == PLACE_MPOL_LOCAL, "MPOL_LOCAL (4)");
	ok(place_probe_policy(PLACE_LOCAL, &none, false) == 0, "the kernel takes MPOL_LOCAL");
}

static void test_self(void)
{
	struct place_cpus on, me;
	cpu_set_t s;

	CPU_ZERO(&s);
	ok(place_cpus_online(&on) == 0 && on.ncpus > 0, "online CPUs read");
	ok(place_cpus_self(&me) == 0 && me.ncpus > 0, "own affinity read");
	ok(sched_getaffinity(0, sizeof(s), &s) == 0 && CPU_COUNT(&s) == me.ncpus,
	   "own affinity is sched_getaffinity's");
	for (int cpu = 0; cpu <= me.max_cpu; cpu++)
		if (place_cpus_has(&me, cpu) && !place_cpus_has(&on, cpu))
			ok(0, "CPU %d of the affinity is online", cpu);
	place_cpus_free(&on);
	place_cpus_free(&me);
}

int main(void)
{
	test_cpu_lists();
	test_local_policy();
	test_self();
	return tap_done();
}
