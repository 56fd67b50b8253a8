/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* Small sysroot trees for the unit tests: files written under a temporary
 * root (made with mkdtemp), removed again at the end.  A failure to write
 * ends the test binary with status 2 (the runner reports it). */
#ifndef NS_TEST_TREE_H
#define NS_TEST_TREE_H
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Write text to root/rel, making its directories. */
static inline void tree_put(const char *root, const char *rel, const char *text)
{
	char p[PATH_MAX], cmd[PATH_MAX + 32];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0 || !(f = fopen(p, "w")))
		exit(2);
	fputs(text, f);
	fclose(f);
}

static inline void tree_remove(const char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		exit(2);
}
#endif
