/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* idlist: numactl's list syntax over bitmaps.  See idlist.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "idlist.h"

struct idl {
	const struct idlist_spec *sp;
	const char *whole;        /* the list as typed, for messages */
	bool neg, rel;
	uint64_t *base;           /* the base set within valid */
	char *err;
	size_t errlen;
};

/* One end of an entry as typed: its digits, and the number unless it is
 * too large for any id. */
struct idl_num {
	const char *text;
	int len;
	long v;                   /* -1: nbits or more */
};

static bool idl_has(const uint64_t *m, size_t nbits, long id)
{
	return id >= 0 && (size_t)id < nbits && (m[id / 64] >> (id % 64)) & 1;
}

static void idl_set(uint64_t *m, long id)
{
	m[id / 64] |= 1ULL << (id % 64);
}

static int idl_err(struct idl *p, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int idl_err(struct idl *p, int rc, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* "0-3,5" of a bitmap into buf (cut to len). */
static void idl_format(const uint64_t *m, size_t nbits, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (long a = 0; (size_t)a < nbits; a++) {
		long b = a;
		int w;

		if (!idl_has(m, nbits, a))
			continue;
		while (idl_has(m, nbits, b + 1))
			b++;
		w = b > a ? snprintf(buf + used, len - used, "%s%ld-%ld", used ? "," : "", a, b) :
			snprintf(buf + used, len - used, "%s%ld", used ? "," : "", a);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
		a = b;
	}
}

/* Digits at *pp (advanced past them): 0, or -EINVAL for no digit. */
static int idl_digits(const char **pp, size_t nbits, struct idl_num *n)
{
	const char *s = *pp;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	n->text = s;
	n->v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if (n->v >= 0 && (n->v = n->v * 10 + (*s - '0')) >= (long)nbits)
			n->v = -1;
	n->len = (int)(s - n->text);
	*pp = s;
	return 0;
}

static int idl_entry_len(const char *p)
{
	return (int)strcspn(p, ",");
}

/* The k-th id of the base set, or -1. */
static long idl_nth(const struct idl *p, long k)
{
	for (long id = 0; k >= 0 && (size_t)id < p->sp->nbits; id++)
		if (idl_has(p->base, p->sp->nbits, id) && k-- == 0)
			return id;
	return -1;
}

/* The id an end names: the number itself, or the n-th of the base set. */
static int idl_resolve(struct idl *p, const struct idl_num *n, long *id)
{
	const struct idlist_spec *sp = p->sp;
	char set[256];

	if (n->len > 1 && n->text[0] == '0')
		return idl_err(p, -EINVAL, "bad %s list '%s': '%.*s' has a leading zero "
			       "(numactl reads it as octal): write the number without it",
			       sp->what, p->whole, n->len, n->text);
	if (p->rel) {
		*id = n->v < 0 ? -1 : idl_nth(p, n->v);
		if (*id >= 0)
			return 0;
		idl_format(p->base, sp->nbits, set, sizeof(set));
		return idl_err(p, -ENODEV, "bad %s list '%s': +%.*s counts past the allowed "
			       "%ss (%s): +0 is the first of them", sp->what, p->whole,
			       n->len, n->text, sp->what, set);
	}
	*id = n->v;
	if (!idl_has(sp->exist, sp->nbits, n->v))
		return idl_err(p, -ENODEV, "%s %.*s %s", sp->what, n->len, n->text, sp->missing);
	if (!p->neg && !idl_has(sp->valid, sp->nbits, n->v))
		return idl_err(p, -ENODEV, "%s %.*s %s", sp->what, n->len, n->text, sp->invalid);
	return 0;
}

/* One entry "N" or "N-M" at *pp, added to set. */
static int idl_entry(struct idl *p, const char **pp, uint64_t *set)
{
	const struct idlist_spec *sp = p->sp;
	const char *s = *pp, *start = *pp;
	const uint64_t *fill;
	struct idl_num na, nb;
	long a, b;
	int rc;

	if (!*s || *s == ',')
		return idl_err(p, -EINVAL, "bad %s list '%s': empty entry", sp->what, p->whole);
	if (idl_digits(&s, sp->nbits, &na) < 0)
		return idl_err(p, -EINVAL, "bad %s list '%s': '%.*s' is not a %s number",
			       sp->what, p->whole, idl_entry_len(start), start, sp->what);
	nb = na;
	if (*s == '-') {
		s++;
		if (idl_digits(&s, sp->nbits, &nb) < 0)
			return idl_err(p, -EINVAL, "bad %s list '%s': expected a number after '-'",
				       sp->what, p->whole);
	}
	if (*s && *s != ',')
		return idl_err(p, -EINVAL, "bad %s list '%s': '%.*s' is not a %s number or range",
			       sp->what, p->whole, idl_entry_len(start), start, sp->what);
	/* a backwards range is a typing error, named before what it names (the
	 * k-th id of a set grows with k: the same check for +N) */
	if (na.v >= 0 && nb.v >= 0 && nb.v < na.v)
		return idl_err(p, -EINVAL, "bad %s list '%s': range %.*s is backwards",
			       sp->what, p->whole, (int)(s - start), start);
	rc = idl_resolve(p, &na, &a);
	if (rc == 0)
		rc = idl_resolve(p, &nb, &b);
	if (rc < 0)
		return rc;
	fill = p->rel ? p->base : p->neg ? sp->exist : sp->valid;
	for (long id = a; id <= b; id++)
		if (id == a || id == b || idl_has(fill, sp->nbits, id))
			idl_set(set, id);
	*pp = s;
	return 0;
}

static int idl_list(struct idl *p, const char *s, uint64_t *set)
{
	const size_t words = IDLIST_WORDS(p->sp->nbits);
	int rc;

	if (strcmp(s, "all") == 0) {
		memcpy(set, p->base, words * sizeof(*set));
		return 0;
	}
	for (;;) {
		rc = idl_entry(p, &s, set);
		if (rc < 0 || !*s)
			return rc;
		s++;    /* ',' */
	}
}

int idlist_parse(const char *s, const struct idlist_spec *sp, uint64_t *out,
		 char *err, size_t errlen)
{
	const size_t words = IDLIST_WORDS(sp->nbits);
	struct idl p = { .sp = sp, .whole = s, .err = err, .errlen = errlen };
	uint64_t *set;
	bool any = false;
	int rc;

	if (!s || !*s)
		return idl_err(&p, -EINVAL, "empty %s list", sp->what);
	p.neg = *s == '!';
	s += p.neg;
	p.rel = *s == '+';
	s += p.rel;
	if (!*s)
		return idl_err(&p, -EINVAL, "bad %s list '%s': expected %ss after '%c'",
			       sp->what, p.whole, sp->what, s[-1]);
	p.base = calloc(words ? words : 1, sizeof(*p.base));
	set = calloc(words ? words : 1, sizeof(*set));
	if (!p.base || !set) {
		rc = idl_err(&p, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < words; i++)
		p.base[i] = sp->valid[i] & (sp->base ? sp->base[i] : ~0ULL);
	rc = idl_list(&p, s, set);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < words; i++) {
		if (p.neg)
			set[i] = p.base[i] & ~set[i];
		any |= set[i] != 0;
	}
	if (!any) {
		rc = idl_err(&p, -EINVAL, "%s list '%s' selects no %s", sp->what, p.whole,
			     sp->nothing);
		goto out;
	}
	memcpy(out, set, words * sizeof(*out));
out:
	free(p.base);
	free(set);
	return rc;
}
