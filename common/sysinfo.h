/* sysinfo: page sizes and small machine facts.  Never hard-code 4096 or
 * 2 MiB: arm64 has 64 KiB base pages and 512 MiB PMD THPs. */
#ifndef NS_SYSINFO_H
#define NS_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

/* Base page size of this machine (sysconf). */
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
 * (6.1 -> 601). */
int sys_kernel_version(void);

#endif
