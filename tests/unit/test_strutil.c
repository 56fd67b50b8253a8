/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* strutil and sysinfo: strict number parsing, sizes, rates, seconds, human
 * sizes; machine facts from the live system and from a sysroot. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include "path.h"
#include "strutil.h"
#include "sysinfo.h"
#include "tap.h"

static void test_u64(void)
{
	uint64_t v = 7;

	ok(str_to_u64("0", &v) == 0 && v == 0, "u64 0");
	ok(str_to_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX, "u64 max");
	v = 7;
	ok(str_to_u64("18446744073709551616", &v) == -ERANGE && v == 7, "u64 max+1 is ERANGE, out untouched");
	ok(str_to_u64("99999999999999999999999", &v) == -ERANGE, "u64 huge is ERANGE");
	ok(str_to_u64("", &v) == -EINVAL, "u64 empty");
	ok(str_to_u64("12x", &v) == -EINVAL, "u64 trailing garbage");
	ok(str_to_u64(" 12", &v) == -EINVAL, "u64 leading blank");
	ok(str_to_u64("12 ", &v) == -EINVAL, "u64 trailing blank");
	ok(str_to_u64("-1", &v) == -EINVAL, "u64 negative");
	ok(str_to_u64("+1", &v) == -EINVAL, "u64 plus sign");
	ok(str_to_u64("0x10", &v) == -EINVAL, "u64 hex refused");
	ok(str_to_u64(NULL, &v) == -EINVAL, "u64 NULL");
}

static void test_int(void)
{
	int v = 5;

	ok(str_to_int("42", 0, 100, &v) == 0 && v == 42, "int 42");
	ok(str_to_int("-3", -5, 5, &v) == 0 && v == -3, "int -3");
	ok(str_to_int("-2147483648", -2147483647 - 1, 0, &v) == 0 && v == -2147483647 - 1, "int INT_MIN");
	ok(str_to_int("2147483647", 0, 2147483647, &v) == 0 && v == 2147483647, "int INT_MAX");
	ok(str_to_int("2147483648", 0, 2147483647, &v) == -ERANGE, "int INT_MAX+1");
	ok(str_to_int("101", 0, 100, &v) == -ERANGE, "int above max");
	ok(str_to_int("-1", 0, 100, &v) == -ERANGE, "int below min");
	ok(str_to_int("1.5", 0, 100, &v) == -EINVAL, "int fraction");
	ok(str_to_int("-", 0, 100, &v) == -EINVAL, "int lone minus");
	ok(str_to_int("--1", -5, 5, &v) == -EINVAL, "int double minus");
	ok(str_to_int("abc", 0, 100, &v) == -EINVAL, "int letters");
}

static void test_size(void)
{
	uint64_t v = 0;

	ok(str_to_size("4096", &v) == 0 && v == 4096, "size plain");
	ok(str_to_size("12B", &v) == 0 && v == 12, "size B");
	ok(str_to_size("64K", &v) == 0 && v == 65536, "size 64K");
	ok(str_to_size("64k", &v) == 0 && v == 65536, "size 64k");
	ok(str_to_size("2MiB", &v) == 0 && v == 2u << 20, "size 2MiB");
	ok(str_to_size("1GB", &v) == 0 && v == 1u << 30, "size 1GB is binary");
	is_u64(str_to_size("1.5G", &v) == 0 ? v : 0, 3ULL << 29, "size 1.5G");
	is_u64(str_to_size("0.5K", &v) == 0 ? v : 0, 512, "size 0.5K");
	is_u64(str_to_size("1T", &v) == 0 ? v : 0, 1ULL << 40, "size 1T");
	is_u64(str_to_size("15E", &v) == 0 ? v : 0, 15ULL << 60, "size 15E");
	ok(str_to_size("16E", &v) == -ERANGE, "size 16E overflows");
	ok(str_to_size("99999999999999999999", &v) == -ERANGE, "size huge number");
	ok(str_to_size("1.5", &v) == -EINVAL, "size fractional bytes refused");
	ok(str_to_size("1.", &v) == -EINVAL, "size '1.'");
	ok(str_to_size(".5K", &v) == -EINVAL, "size '.5K'");
	ok(str_to_size("1.0000000001G", &v) == -EINVAL, "size too many decimals");
	ok(str_to_size("5X", &v) == -EINVAL, "size unknown unit");
	ok(str_to_size("5KK", &v) == -EINVAL, "size double unit");
	ok(str_to_size("5 K", &v) == -EINVAL, "size blank before unit");
	ok(str_to_size("", &v) == -EINVAL, "size empty");
	ok(str_to_size("K", &v) == -EINVAL, "size unit only");
	ok(str_to_size("-1K", &v) == -EINVAL, "size negative");
}

static void test_rate(void)
{
	uint64_t v = 0;

	ok(str_to_rate("100M", &v) == 0 && v == 100ULL << 20, "rate 100M");
	ok(str_to_rate("100M/s", &v) == 0 && v == 100ULL << 20, "rate 100M/s");
	ok(str_to_rate("1.5GiB/s", &v) == 0 && v == 3ULL << 29, "rate 1.5GiB/s");
	ok(str_to_rate("4096/s", &v) == 0 && v == 4096, "rate bytes/s");
	ok(str_to_rate("/s", &v) == -EINVAL, "rate '/s'");
	ok(str_to_rate("100M/h", &v) == -EINVAL, "rate per hour refused");
	ok(str_to_rate("100M/s/s", &v) == -EINVAL, "rate double /s");
}

static void test_seconds(void)
{
	double v = -1;

	ok(str_to_seconds("2", &v) == 0 && v == 2.0, "seconds 2");
	ok(str_to_seconds("0.5", &v) == 0 && v == 0.5, "seconds 0.5");
	ok(str_to_seconds("1.5s", &v) == 0 && v == 1.5, "seconds 1.5s");
	ok(str_to_seconds("2m", &v) == 0 && v == 120.0, "seconds 2m");
	ok(str_to_seconds("1h", &v) == 0 && v == 3600.0, "seconds 1h");
	ok(str_to_seconds("250ms", &v) == 0 && fabs(v - 0.25) < 1e-12, "seconds 250ms");
	ok(str_to_seconds("-1", &v) == -EINVAL, "seconds negative");
	ok(str_to_seconds("1.2.3", &v) == -EINVAL, "seconds two dots");
	ok(str_to_seconds(".5", &v) == -EINVAL, "seconds leading dot");
	ok(str_to_seconds("5.", &v) == -EINVAL, "seconds trailing dot");
	ok(str_to_seconds("inf", &v) == -EINVAL, "seconds inf");
	ok(str_to_seconds("nan", &v) == -EINVAL, "seconds nan");
	ok(str_to_seconds("1e3", &v) == -EINVAL, "seconds exponent");
	ok(str_to_seconds("2d", &v) == -EINVAL, "seconds unknown unit");
	ok(str_to_seconds("", &v) == -EINVAL, "seconds empty");
	ok(str_to_seconds("0x10", &v) == -EINVAL, "seconds hex");
}

static void test_human(void)
{
	char b[32];

	is_str(str_human_size(0, b, sizeof(b)), "0", "human 0");
	is_str(str_human_size(12, b, sizeof(b)), "12B", "human 12B");
	is_str(str_human_size(1023, b, sizeof(b)), "1023B", "human 1023B");
	is_str(str_human_size(1024, b, sizeof(b)), "1K", "human 1K");
	is_str(str_human_size(512 * 1024, b, sizeof(b)), "512K", "human 512K");
	is_str(str_human_size(1536ULL << 20, b, sizeof(b)), "1.5G", "human 1.5G");
	is_str(str_human_size((1ULL << 20) - 1, b, sizeof(b)), "1M", "human 1M-1 rounds to 1M");
	is_str(str_human_size(1100, b, sizeof(b)), "1.1K", "human 1.1K");
	is_str(str_human_size(UINT64_MAX, b, sizeof(b)), "16E", "human max");
	is_str(str_human_size(10ULL << 40, b, sizeof(b)), "10T", "human 10T");
	str_human_size(1536ULL << 20, b, 3);
	is_str(b, "1.", "human truncated to buffer");
}

static void test_kernel_version(void)
{
	char rel[128];
	int v = sys_kernel_version();

	ok(sys_parse_kernel_version("6.1.0-28-amd64") == 601, "kver 6.1.0-28-amd64");
	ok(sys_parse_kernel_version("6.12") == 612, "kver 6.12");
	ok(sys_parse_kernel_version("6.18.44-fc") == 618, "kver 6.18.44-fc");
	ok(sys_parse_kernel_version("5.4.0") == 504, "kver 5.4.0");
	ok(sys_parse_kernel_version("6") == -EINVAL, "kver '6'");
	ok(sys_parse_kernel_version("x.1") == -EINVAL, "kver 'x.1'");
	ok(sys_parse_kernel_version("6.x") == -EINVAL, "kver '6.x'");
	ok(sys_parse_kernel_version("") == -EINVAL, "kver empty");
	ok(sys_kernel_release(rel, sizeof(rel)) > 0 &&
	   sys_parse_kernel_version(rel) == v, "live kernel %s is %d", rel, v);
	ok(v >= 300, "live kernel version plausible (%d)", v);
}

static void test_sysinfo_live(void)
{
	char id[64];
	uint64_t thp = sys_thp_size();

	path_set_root(NULL);
	is_u64(sys_page_size(), (uint64_t)sysconf(_SC_PAGESIZE), "page size is sysconf's");
	ok(thp == 0 || (thp % sys_page_size() == 0 && thp > sys_page_size()),
	   "live THP size %llu is 0 or a multiple of the page size", (unsigned long long)thp);
	ok(sys_boot_id(id, sizeof(id)) == 36 && id[8] == '-', "live boot id '%s'", id);
}

static void test_sysinfo_root(const char *top)
{
	static const char *const keys[] = { "MemTotal", "HugePages_Free", "Nope", "Hugepagesize" };
	uint64_t vals[4] = { 0, 0, 77, 0 };
	char root[4096], id[64];

	snprintf(root, sizeof(root), "%s/tests/fixtures/parsers/sysroot-4node", top);
	ok(path_set_root(root) == 0, "sysroot fixture set");
	is_u64(sys_thp_size(), 2097152, "THP size from the sysroot");
	ok(sys_has_swap(), "swap from sysroot meminfo");
	ok(sys_numa_balancing(), "numa_balancing from sysroot");
	ok(sys_boot_id(id, sizeof(id)) == 36, "boot id from sysroot");
	is_str(id, "3f1c2a9e-5b7d-4e21-9c0a-1d2e3f405162", "boot id value");
	ok(sys_read_meminfo("/proc/meminfo", keys, vals, 4) == 3, "meminfo: 3 of 4 keys found");
	is_u64(vals[0], 33554432ULL * 1024, "meminfo MemTotal in bytes");
	is_u64(vals[1], 10, "meminfo HugePages_Free is a count");
	is_u64(vals[2], 77, "meminfo missing key untouched");
	is_u64(vals[3], 2048ULL * 1024, "meminfo Hugepagesize");
	vals[0] = 0;
	ok(sys_read_meminfo("/sys/devices/system/node/node1/meminfo", keys, vals, 1) == 1 &&
	   vals[0] == 8388608ULL * 1024, "node meminfo with 'Node N' prefix");
	ok(sys_read_meminfo("/proc/nonexistent", keys, vals, 1) == -ENOENT, "meminfo missing file");
	path_set_root(NULL);
}

static void test_use_root(const char *top)
{
	char root[4096], err[4200] = "";

	snprintf(root, sizeof(root), "%s/tests/fixtures/parsers/sysroot-4node", top);
	ok(path_use_root(NULL, true, err, sizeof(err)) == 0 && path_is_live(), "no sysroot: live");
	ok(path_use_root("", true, err, sizeof(err)) == 0 && path_is_live(), "an empty one: live");
	ok(path_use_root(root, false, err, sizeof(err)) == 0 && !path_is_live(),
	   "a captured tree to read");
	is_u64(-path_use_root(root, true, err, sizeof(err)), EROFS, "refused to a tool that changes");
	ok(strstr(err, "(a captured tree can only be read)") != NULL, "and why: %s", err);
	is_u64(-path_use_root("/nonexistent-ns", false, err, sizeof(err)), ENOENT, "no such root");
	is_str(err, "cannot use sysroot '/nonexistent-ns': No such file or directory", "and why");
	snprintf(root, sizeof(root), "%s/tests", top);
	is_u64(-path_use_root(root, false, err, sizeof(err)), EINVAL, "a root without proc/");
	ok(strstr(err, "has no proc/ directory") != NULL, "and why: %s", err);
	path_set_root(NULL);
}

static void test_escape(void)
{
	char buf[32], small[8];
	const char *clean = "worker proc";

	ok(str_escape(clean, buf, sizeof(buf)) == clean, "escape: a clean name is returned as is");
	is_str(str_escape("ev\033[2Jil\a", buf, sizeof(buf)), "ev\\x1b[2Jil\\x07", "escape: ESC and BEL");
	is_str(str_escape("a\nb\tc\177", buf, sizeof(buf)), "a\\x0ab\\x09c\\x7f", "escape: newline, tab, DEL");
	is_str(str_escape("caf\xc3\xa9", buf, sizeof(buf)), "caf\xc3\xa9", "escape: UTF-8 kept");
	is_str(str_escape("ab\033\033", small, sizeof(small)), "ab\\x1b", "escape: cut whole, never half an escape");
}

static void test_invalid(void)
{
	char err[16];

	ok(str_invalid(err, sizeof(err), "bad '%s'", "x") == -EINVAL, "invalid: -EINVAL");
	is_str(err, "bad 'x'", "invalid: the reason");
	str_invalid(err, sizeof(err), "a reason longer than %d bytes", 16);
	is_str(err, "a reason longer", "invalid: cut to the buffer");
}

static void test_sleep(void)
{
	volatile sig_atomic_t stop = 0;
	double t0 = sys_now();

	ok(sys_sleep(0.02, &stop), "sys_sleep 20ms: slept");
	ok(sys_now() - t0 >= 0.019, "for 20ms at least");
	stop = SIGINT;
	t0 = sys_now();
	ok(!sys_sleep(0.02, &stop), "a stop already there: false");
}

int main(void)
{
	const char *top = getenv("NS_TOP");

	test_u64();
	test_int();
	test_size();
	test_rate();
	test_seconds();
	test_human();
	test_escape();
	test_invalid();
	test_kernel_version();
	test_sleep();
	test_sysinfo_live();
	test_sysinfo_root(top ? top : ".");
	test_use_root(top ? top : ".");
	return tap_done();
}
