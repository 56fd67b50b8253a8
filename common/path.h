/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* path: every read of /proc and /sys by the core's readers goes through here,
 * so that a captured tree can stand in for the live machine (--sysroot DIR or
 * NUMASHIFT_SYSROOT).  Paths given to these functions are absolute
 * ("/proc/%d/numa_maps"); the root prefix is added here.
 *
 * The root is process-wide state, set once by a command before it reads
 * anything.  System calls (move_pages, ...) always act on the live machine:
 * callers check path_is_live() before making one.
 * All functions return -errno on failure and never print.
 */
#ifndef NS_PATH_H
#define NS_PATH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <dirent.h>
#include <sys/types.h>

/* root == NULL or "" (or "/") means the live machine.  Fails with -ENOENT,
 * -ENOTDIR or -EACCES when root is not a readable directory, and with
 * -EINVAL when it has no proc/ directory. */
int path_set_root(const char *root);
/* --sysroot (or NUMASHIFT_SYSROOT) as a command takes it: NULL or "" the
 * live machine; else path_set_root, its failure said in err ("sysroot 'R'
 * has no proc/ directory", "cannot use sysroot 'R': ...").  changes_things:
 * a tool that would change a process refuses a captured tree (-EROFS, "a
 * captured tree can only be read").  0 or -errno. */
int path_use_root(const char *root, bool changes_things, char *err, size_t len);
const char *path_root(void);            /* "" when live */
bool path_is_live(void);

/* Compose root + formatted absolute path into buf; -ENAMETOOLONG. */
int path_format(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Under a root, what is opened must be a regular file (a FIFO would block,
 * a device never end): anything else fails with -PATH_ENOTCAPTURE, and so
 * does a file larger than PATH_TREE_FILE_MAX opened by path_fopen or
 * path_read_*; path_refused() says which file and why.  The live /proc and /sys are
 * taken as they are. */
#define PATH_ENOTCAPTURE EMEDIUMTYPE
#define PATH_TREE_FILE_MAX (256ULL << 20)
const char *path_refused(void);

int path_open(int flags, const char *fmt, ...)          /* fd or -errno */
	__attribute__((format(printf, 2, 3)));
FILE *path_fopen(const char *fmt, ...)                  /* "re"; NULL+errno */
	__attribute__((format(printf, 1, 2)));
DIR *path_opendir(const char *fmt, ...)                 /* NULL+errno */
	__attribute__((format(printf, 1, 2)));
int path_exists(const char *fmt, ...)                   /* 1, 0 */
	__attribute__((format(printf, 1, 2)));

/* One line of /proc/PID/mountinfo, "36 35 98:0 /mnt1 /mnt2 rw,noatime
 * master:1 - ext3 /dev/root rw": the device, and the mount point (escaped
 * as the kernel prints it) and file system type cut out of line with '\0'.
 * -EINVAL for a line of another shape. */
struct path_mount {
	unsigned major, minor;
	const char *mnt, *fstype;
};
int path_mountinfo_line(char *line, struct path_mount *out);

/* Read a small file whole (trailing newline stripped); returns its length. */
int path_read_str(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read a file holding one unsigned decimal number. */
int path_read_u64(uint64_t *val, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
