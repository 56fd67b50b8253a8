/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* strutil: parsing and formatting of numbers, sizes and rates.  All parsers
 * take the whole string: trailing garbage is an error (-EINVAL), overflow is
 * -ERANGE. */
#ifndef NS_STRUTIL_H
#define NS_STRUTIL_H

#include <stddef.h>
#include <stdint.h>

int str_to_u64(const char *s, uint64_t *out);          /* decimal only */
int str_to_int(const char *s, int min, int max, int *out);
/* "4096", "64K", "1.5G", "2MiB", "1GB" -> bytes (K=1024; KB=1000 is also 1024:
 * memory people mean binary units). */
int str_to_size(const char *s, uint64_t *out);
/* A rate in bytes/s: a size with an optional "/s" ("100M", "100M/s"). */
int str_to_rate(const char *s, uint64_t *out);
/* Seconds, fractions allowed ("2", "0.5", "1.5s", "2m"). */
int str_to_seconds(const char *s, double *out);
/* Human size "1.5 GiB"-style into buf, without the space: "1.5G", "512K",
 * "0", "12B". */
const char *str_human_size(uint64_t bytes, char *buf, size_t len);
/* s made safe for a terminal: control characters (below 0x20, and 0x7f)
 * written as \xHH.  Returns s itself when it has none, else buf (cut to
 * len - 1 bytes).  For names that others choose: COMM, mapped file paths,
 * arguments echoed in messages. */
const char *str_escape(const char *s, char *buf, size_t len);
/* How a parser of common/ refuses a value: the reason, formatted, into err
 * (len bytes); returns -EINVAL. */
int str_invalid(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
