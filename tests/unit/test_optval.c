/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* optval: the execution options' values, their limits and the reasons
 * given for a value out of them. */
#include <errno.h>
#include "exec.h"
#include "optval.h"
#include "tap.h"

static void test_numbers(void)
{
	char err[300] = "";
	uint64_t rate = 7;
	int v = 7;

	ok(optval_int("--batch", "512", 1, 1 << 20, &v, err, sizeof(err)) == 0 && v == 512,
	   "--batch 512");
	ok(optval_int("--nice", "20", -20, 19, &v, err, sizeof(err)) == -EINVAL && v == 512,
	   "--nice 20 refused, value untouched");
	is_str(err, "invalid --nice '20': expected a number from -20 to 19", "and why");
	ok(optval_threads("auto", &v, err, sizeof(err)) == 0 && v == EXEC_THREADS_AUTO,
	   "--threads auto");
	ok(optval_threads("8", &v, err, sizeof(err)) == 0 && v == 8, "--threads 8");
	ok(optval_threads("65", &v, err, sizeof(err)) == -EINVAL, "--threads 65");
	is_str(err, "invalid --threads '65': expected auto or a number from 1 to 64", "and why");
	{
		bool rn = true;

		v = 99;
		ok(optval_nice("auto", &rn, &v, err, sizeof(err)) == 0 && !rn && v == 99,
		   "--nice auto: no nice of its own");
		ok(optval_nice("-5", &rn, &v, err, sizeof(err)) == 0 && rn && v == -5, "--nice -5");
		ok(optval_nice("19", &rn, &v, err, sizeof(err)) == 0 && rn && v == 19, "--nice 19");
		ok(optval_nice("20", &rn, &v, err, sizeof(err)) == -EINVAL, "--nice 20");
		is_str(err, "invalid --nice '20': expected auto or a number from -20 to 19",
		       "--nice 20: the line names auto and the range");
		ok(optval_nice("Auto", &rn, &v, err, sizeof(err)) == -EINVAL, "--nice Auto");
	}
	ok(optval_rate("200M", &rate, err, sizeof(err)) == 0 && rate == 200ULL << 20, "--rate 200M");
	ok(optval_rate("1G/s", &rate, err, sizeof(err)) == 0 && rate == 1ULL << 30, "--rate 1G/s");
	ok(optval_rate("0", &rate, err, sizeof(err)) == -EINVAL && rate == 1ULL << 30,
	   "--rate 0 refused, value untouched");
	is_str(err, "invalid --rate '0': expected bytes per second, e.g. 200M", "and why");
}

static void test_times(void)
{
	char err[300] = "";
	double v = 0;

	ok(optval_timeout("1.5", &v, err, sizeof(err)) == 0 && v == 1.5, "--timeout 1.5");
	ok(optval_timeout("0", &v, err, sizeof(err)) == -EINVAL && v == 1.5, "--timeout 0");
	is_str(err, "invalid --timeout '0': expected seconds > 0", "and why");
	ok(optval_stall("20ms", &v, err, sizeof(err)) == 0 && v > 0.0199 && v < 0.0201,
	   "--max-stall 20ms");
	ok(optval_stall("1ms", &v, err, sizeof(err)) == 0, "--max-stall 1ms, the lowest");
	ok(optval_stall("10s", &v, err, sizeof(err)) == 0 && v == 10, "--max-stall 10s, the highest");
	ok(optval_stall("11s", &v, err, sizeof(err)) == -EINVAL, "--max-stall 11s");
	is_str(err, "invalid --max-stall '11s': expected a time from 1ms to 10s (e.g. 20ms, 0.05s)",
	       "and why");
}

static void test_min_free(void)
{
	struct guard_opts go = { .min_free_pct = 5 };
	char err[300] = "";

	ok(optval_min_free("512M", &go, err, sizeof(err)) == 0 && go.min_free_is_bytes &&
	   go.min_free_bytes == 512ULL << 20, "--min-free 512M");
	ok(optval_min_free("2.5%", &go, err, sizeof(err)) == 0 && !go.min_free_is_bytes &&
	   go.min_free_pct == 2.5, "--min-free 2.5%%");
	ok(optval_min_free("100%", &go, err, sizeof(err)) == -EINVAL, "--min-free 100%%");
	is_str(err, "invalid --min-free '100%': expected a size or a percentage below 100%",
	       "and why");
	ok(optval_min_free("lots", &go, err, sizeof(err)) == -EINVAL, "--min-free lots");
	is_str(err, "invalid --min-free 'lots': expected a size (512M) or a percentage (5%)",
	       "and why");
	ok(!go.min_free_is_bytes && go.min_free_pct == 2.5, "a refused value changes nothing");
}

static void test_getopt(void)
{
	char msg[200];

	optval_getopt_error(':', "--rate", 0, msg, sizeof(msg));
	is_str(msg, "option '--rate' needs an argument", "a long option without its argument");
	optval_getopt_error(':', "-p", 'p', msg, sizeof(msg));
	is_str(msg, "option '-p' needs an argument", "a short one");
	optval_getopt_error('?', "--all=1", 0, msg, sizeof(msg));
	is_str(msg, "unknown option '--all', or it takes no argument", "--all=1");
	optval_getopt_error('?', "--bogus", 0, msg, sizeof(msg));
	is_str(msg, "unknown option '--bogus'", "an unknown long option");
	optval_getopt_error('?', "-xZ", 'Z', msg, sizeof(msg));
	is_str(msg, "unknown option '-Z'", "an unknown short one, among others");
	optval_getopt_error('?', "-\xc3", -61, msg, sizeof(msg));
	is_str(msg, "unknown option '-\xc3'", "a byte that is not ASCII: the word");
}

int main(void)
{
	test_numbers();
	test_times();
	test_min_free();
	test_getopt();
	return tap_done();
}
