/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strutil.h"

/* Leading run of decimal digits into *out; returns the number of digits
 * consumed (0: none), or -ERANGE on overflow.  Hand-written rather than
 * strtoull because strtoull accepts signs and leading blanks. */
static int str_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(s[n] - '0'), &v))
			return -ERANGE;
	}
	*out = v;
	return n;
}

int str_to_u64(const char *s, uint64_t *out)
{
	uint64_t v;
	int n;

	if (!s)
		return -EINVAL;
	n = str_digits(s, &v);
	if (n < 0)
		return n;
	if (n == 0 || s[n])
		return -EINVAL;
	*out = v;
	return 0;
}

int str_to_int(const char *s, int min, int max, int *out)
{
	uint64_t v;
	bool neg;
	int64_t sv;
	int rc;

	if (!s)
		return -EINVAL;
	neg = s[0] == '-';
	rc = str_to_u64(s + neg, &v);
	if (rc < 0)
		return rc;
	if (v > (uint64_t)INT_MAX + neg)
		return -ERANGE;
	sv = neg ? -(int64_t)v : (int64_t)v;
	if (sv < min || sv > max)
		return -ERANGE;
	*out = (int)sv;
	return 0;
}

/* Binary multiplier of a size suffix ("", "B", "K", "KB", "KiB", ... "E"),
 * case-insensitive; 0 when the suffix is not one. */
static uint64_t str_size_unit(const char *u)
{
	static const char letters[] = "KMGTPE";
	const char *p;
	uint64_t mult;

	if (!*u || strcmp(u, "B") == 0 || strcmp(u, "b") == 0)
		return 1;
	/* strchr would find the terminator for a NUL, and ' ' & ~0x20 is one */
	if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return 0;
	p = strchr(letters, u[0] & ~0x20);
	if (!p)
		return 0;
	mult = 1ULL << (10 * (p - letters + 1));
	u++;
	if (!*u || strcmp(u, "B") == 0 || strcmp(u, "iB") == 0 ||
	    strcmp(u, "b") == 0 || strcmp(u, "ib") == 0)
		return mult;
	return 0;
}

/* Size with an explicit end: parses s[0..len).  Shared by size and rate. */
static int str_size_n(const char *s, size_t len, uint64_t *out)
{
	char buf[64], *unit;
	uint64_t whole, frac = 0, scale = 1, mult, v, fpart;
	int n, nf = 0;

	if (len == 0 || len >= sizeof(buf))
		return len ? -ERANGE : -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	n = str_digits(buf, &whole);
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	unit = buf + n;
	if (*unit == '.') {
		unit++;
		/* more than 9 fraction digits mean nothing for a size and
		 * keep frac small enough for the 128-bit product below */
		for (; *unit >= '0' && *unit <= '9'; unit++, nf++) {
			if (nf >= 9)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*unit - '0');
			scale *= 10;
		}
		if (nf == 0)
			return -EINVAL;
	}
	mult = str_size_unit(unit);
	if (!mult)
		return -EINVAL;
	if (nf && mult == 1)
		return -EINVAL;    /* "1.5" bytes is not a size */
	if (__builtin_mul_overflow(whole, mult, &v))
		return -ERANGE;
	fpart = (uint64_t)((unsigned __int128)frac * mult / scale);
	if (__builtin_add_overflow(v, fpart, &v))
		return -ERANGE;
	*out = v;
	return 0;
}

int str_to_size(const char *s, uint64_t *out)
{
	if (!s)
		return -EINVAL;
	return str_size_n(s, strlen(s), out);
}

int str_to_rate(const char *s, uint64_t *out)
{
	size_t len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len >= 2 && strcmp(s + len - 2, "/s") == 0)
		len -= 2;
	return str_size_n(s, len, out);
}

int str_to_seconds(const char *s, double *out)
{
	char num[64];
	const char *u;
	double v, mult;
	size_t n = 0;
	int dots = 0;

	if (!s)
		return -EINVAL;
	for (u = s; (*u >= '0' && *u <= '9') || *u == '.'; u++) {
		dots += *u == '.';
		n++;
	}
	if (n == 0 || dots > 1 || n >= sizeof(num) || s[0] == '.' || u[-1] == '.')
		return n >= sizeof(num) ? -ERANGE : -EINVAL;
	if (!*u || strcmp(u, "s") == 0)
		mult = 1;
	else if (strcmp(u, "ms") == 0)
		mult = 0.001;
	else if (strcmp(u, "m") == 0)
		mult = 60;
	else if (strcmp(u, "h") == 0)
		mult = 3600;
	else
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	v = strtod(num, NULL) * mult;
	if (!isfinite(v))
		return -ERANGE;
	*out = v;
	return 0;
}

const char *str_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned __int128 tenths;
	uint64_t unit = 1;
	int u = 0;

	if (!buf || len == 0)
		return buf;
	if (bytes == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	while (u < 6 && bytes >= unit * 1024) {
		unit *= 1024;
		u++;
	}
	/* value in tenths of the unit, rounded to nearest */
	tenths = ((unsigned __int128)bytes * 10 + unit / 2) / unit;
	if (tenths >= 10240 && u < 6) {      /* 1023.96K rounds to 1M */
		unit *= 1024;
		u++;
		tenths = ((unsigned __int128)bytes * 10 + unit / 2) / unit;
	}
	if (u == 0 || tenths % 10 == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(tenths / 10), units[u]);
	else
		snprintf(buf, len, "%llu.%u%c", (unsigned long long)(tenths / 10),
			 (unsigned)(tenths % 10), units[u]);
	return buf;
}

static bool str_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

const char *str_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	const char *p;

	for (p = s; *p && !str_is_ctl((unsigned char)*p); p++)
		;
	if (!*p || len == 0)
		return s;
	for (p = s; *p && o + 1 < len; p++) {
		if (!str_is_ctl((unsigned char)*p)) {
			buf[o++] = *p;
			continue;
		}
		if (o + 4 >= len)
			break;
		snprintf(buf + o, len - o, "\\x%02x", (unsigned char)*p);
		o += 4;
	}
	buf[o] = '\0';
	return buf;
}

int str_invalid(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
