/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* libFuzzer target for the numa_maps, smaps and maps parsers.  Which parser
 * runs is chosen at build time with -DFUZZ_PARSER=maps_parse_numa_maps etc.
 * Every input must parse without a crash, a leak or an out-of-bounds read. */
#include <stdint.h>
#include <stdio.h>
#include "maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_warn(void *ud, const char *file, unsigned line, const char *msg)
{
	(void)ud; (void)file; (void)line; (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mapping_list l = { 0 };
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	FUZZ_PARSER(f, "fuzz", &l, ignore_warn, NULL);
	fclose(f);
	for (size_t i = 0; i < l.n; i++) {
		(void)mapping_numa_bytes(&l.v[i]);
		(void)map_kind_name(l.v[i].kind);
	}
	maps_free(&l);
	return 0;
}
