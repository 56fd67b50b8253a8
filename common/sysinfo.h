/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* sysinfo: page sizes and small machine facts.  Never hard-code 4096 or
 * 2 MiB: arm64 has 64 KiB base pages and 512 MiB PMD THPs. */
#ifndef NS_SYSINFO_H
#define NS_SYSINFO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Base page size of this machine (sysconf). */
/* Seconds on CLOCK_MONOTONIC (durations, deadlines). */
double sys_now(void);
/* Sleep secs seconds, unless *stop is or turns non-zero (a signal handler
 * sets it: the signal ends the sleep): false then, true when slept. */
bool sys_sleep(double secs, const volatile sig_atomic_t *stop);
uint64_t sys_page_size(void);
/* PMD THP size from /sys/kernel/mm/transparent_hugepage/hpage_pmd_size
 * (through path.h); 0 when THP is unavailable. */
uint64_t sys_thp_size(void);
/* Swap configured (SwapTotal of /proc/meminfo > 0). */
bool sys_has_swap(void);
/* /proc/sys/kernel/random/boot_id, the current boot ("" if unknown). */
int sys_boot_id(char *buf, size_t len);
/* NUMA balancing (kernel.numa_balancing) enabled. */
bool sys_numa_balancing(void);
/* Kernel release ("6.1.0-28-amd64") and its major.minor as one number
 * (6.1 -> 601), from uname(2) of the running kernel (never the sysroot):
 * it decides which system-call behaviour to expect.  -EINVAL if the release
 * cannot be parsed. */
int sys_kernel_version(void);
/* The release string of uname(2) into buf; its length or -errno. */
int sys_kernel_release(char *buf, size_t len);
/* "6.1.0-28-amd64" -> 601, "6.12" -> 612; -EINVAL otherwise. */
int sys_parse_kernel_version(const char *release);

/* Values of a meminfo-style file (through path.h): lines "Key: N kB" or
 * "Node 3 Key: N kB" (the "Node N " prefix is skipped) or "Key: N" without a
 * unit.  vals[i] gets keys[i]'s value in bytes (kB times 1024), or as is when
 * the line has no unit; keys not found leave vals[i] untouched.  Returns the
 * number of keys found, or -errno when the file cannot be opened. */
int sys_read_meminfo(const char *path, const char *const *keys,
		     uint64_t *vals, int nkeys);

#endif
