/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* libFuzzer target for the node-list parsers and formatter: a parsed set
 * must format and parse back to the same set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_nodeset valid, allowed, a, b;
	char *s, err[256], buf[8192];

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nodeset_zero(&valid);
	for (int n = 0; n < 64; n += (n < 8 ? 1 : 7))
		nodeset_add(&valid, n);
	nodeset_zero(&allowed);       /* a cpuset of some of them, and one gap */
	for (int n = 1; n < 8; n += 2)
		nodeset_add(&allowed, n);
	if (nodeset_parse_user(s, &valid, size & 1 ? &allowed : NULL, &a, err, sizeof(err)) == 0) {
		nodeset_format(&a, buf, sizeof(buf));
		if (nodeset_parse_list(buf, &b) != 0 || !nodeset_equal(&a, &b) ||
		    !nodeset_subset(&a, &valid))
			abort();
	}
	if (nodeset_parse_list(s, &a) == 0) {
		nodeset_format(&a, buf, sizeof(buf));
		if (nodeset_parse_list(buf, &b) != 0 || !nodeset_equal(&a, &b))
			abort();
	}
	free(s);
	return 0;
}
