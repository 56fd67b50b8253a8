/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* libFuzzer target for number, size, rate and seconds parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[64];
	uint64_t v;
	double d;
	int i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (str_to_u64(s, &v) == 0)
		str_human_size(v, buf, sizeof(buf));
	if (str_to_size(s, &v) == 0)
		str_human_size(v, buf, sizeof(buf));
	(void)str_to_rate(s, &v);
	(void)str_to_seconds(s, &d);
	(void)str_to_int(s, -5, 5, &i);
	free(s);
	return 0;
}
