/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* stall: call sizes from a time budget, and the calls' times.  See stall.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stall.h"

/* aim below the budget: the next call's cost is a guess */
#define STALL_AIM 0.75
/* the sizes are varied by this much around the target, alternately */
#define STALL_JITTER 0.25

void stall_sizer_init(struct stall_sizer *s, double budget, uint64_t first,
		      uint64_t min, uint64_t max)
{
	memset(s, 0, sizeof(*s));
	s->budget = budget > 0 ? budget : STALL_DEFAULT;
	s->min = min ? min : 1;
	s->max = max > s->min ? max : s->min;
	s->next = first < s->min ? s->min : first > s->max ? s->max : first;
}

/* Least squares of time = fixed + per_byte x bytes over the calls in
 * use[]; false without spread in the sizes or with a slope of 0 or less. */
static bool stall_lsq(const struct stall_sizer *s, const bool *use, double *fixed,
		      double *per_byte)
{
	double mb = 0, mt = 0, sbb = 0, sbt = 0;
	unsigned n = 0;

	for (unsigned i = 0; i < s->n; i++)
		if (use[i]) {
			mb += s->b[i];
			mt += s->t[i];
			n++;
		}
	if (n < 4)
		return false;
	mb /= n;
	mt /= n;
	for (unsigned i = 0; i < s->n; i++)
		if (use[i]) {
			sbb += (s->b[i] - mb) * (s->b[i] - mb);
			sbt += (s->b[i] - mb) * (s->t[i] - mt);
		}
	if (sbb <= 0.01 * mb * mb * n || sbt <= 0)
		return false;
	*per_byte = sbt / sbb;
	*fixed = mt - *per_byte * mb;
	return true;
}

static int stall_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Fit over the window without the calls that waited for something else
 * (the process's own mmap_lock writers, the scheduler): time per byte
 * above twice the window's median.  Such waits do not grow with the size of
 * a call, and they must not shrink the calls to nothing. */
static void stall_fit(struct stall_sizer *s)
{
	bool use[STALL_WINDOW] = { false };
	double r[STALL_WINDOW], med, fixed, per, tmin = s->t[0];
	double mb = 0, mt = 0;

	for (unsigned i = 0; i < s->n; i++) {
		mb += s->b[i];
		mt += s->t[i];
		if (s->t[i] < tmin)
			tmin = s->t[i];
		r[i] = s->t[i] / s->b[i];
	}
	mb /= s->n;
	mt /= s->n;
	qsort(r, s->n, sizeof(r[0]), stall_cmp);
	med = r[s->n / 2];
	for (unsigned i = 0; i < s->n; i++)
		use[i] = s->t[i] / s->b[i] <= 2 * med;
	if (stall_lsq(s, use, &fixed, &per)) {
		s->fixed = fixed < 0 ? 0 : fixed > tmin ? tmin : fixed;
		s->per_byte = per;
	} else if (s->fixed > tmin) {
		s->fixed = tmin;
	}
	/* never less than a tenth of the typical time per byte: a noisy fit
	 * must not make bytes look free */
	if (s->n < 4 || s->per_byte < 0.1 * med)
		s->per_byte = med - s->fixed / mb > 0.1 * med ? med - s->fixed / mb : 0.1 * med;
}

void stall_sizer_observe(struct stall_sizer *s, uint64_t bytes, double seconds)
{
	double want, target, predicted;
	uint64_t next;
	unsigned slot;

	if (!bytes || !(seconds >= 0))
		return;
	if (seconds < 1e-6)
		seconds = 1e-6;
	predicted = s->calls ? s->fixed + s->per_byte * (double)bytes : 0;
	slot = s->calls % STALL_WINDOW;
	s->b[slot] = (double)bytes;
	s->t[slot] = seconds;
	s->calls++;
	if (s->n < STALL_WINDOW)
		s->n++;
	stall_fit(s);
	target = STALL_AIM * s->budget - s->fixed;
	if (target < s->fixed)           /* no size fits: twice the fixed cost */
		target = s->fixed;
	want = target / s->per_byte;
	/* two calls in a row far over the budget and the fit: the machine
	 * slowed down (one such call is a wait for something else, which a
	 * smaller call would not have spared): halve the next at once, the fit
	 * follows within a few calls */
	if (seconds > 2 * s->budget && seconds > 2 * predicted && s->slow &&
	    want > (double)bytes / 2)
		want = (double)bytes / 2;
	s->slow = seconds > 2 * s->budget && seconds > 2 * predicted;
	want *= (s->calls & 1) ? 1 + STALL_JITTER : 1 - STALL_JITTER;
	if (want > 2.0 * (double)bytes)
		want = 2.0 * (double)bytes;
	next = want >= (double)s->max ? s->max : (uint64_t)want;
	s->next = next < s->min ? s->min : next;
}

int stall_add(struct stall_stats *s, double seconds)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = seconds;
	return 0;
}

int stall_merge(struct stall_stats *dst, const struct stall_stats *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (stall_add(dst, src->v[i]) < 0)
			return -ENOMEM;
	return 0;
}

void stall_free(struct stall_stats *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The value at quantile q of n sorted values (nearest rank). */
static double stall_rank(const double *v, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n);

	return v[k ? k - 1 : 0];
}

int stall_summarize(const struct stall_stats *s, double budget, struct stall_summary *out)
{
	double *v;

	memset(out, 0, sizeof(*out));
	out->budget = budget;
	out->calls = s->n;
	if (!s->n)
		return 0;
	v = malloc(s->n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, s->v, s->n * sizeof(*v));
	qsort(v, s->n, sizeof(*v), stall_cmp);
	out->max = v[s->n - 1];
	out->median = stall_rank(v, s->n, 0.5);
	out->p99 = stall_rank(v, s->n, 0.99);
	for (size_t i = 0; budget > 0 && i < s->n; i++)
		out->over += v[i] > budget;
	free(v);
	return 0;
}

bool stall_overrun(const struct stall_summary *s)
{
	return s->budget > 0 && s->calls && s->max > 1.5 * s->budget;
}

static json_t *stall_ms(double seconds)
{
	return json_real(round(seconds * 1e6) / 1e3);
}

json_t *stall_json(const struct stall_summary *s)
{
	json_t *j = json_object();

	json_object_set_new(j, "budget_ms", s->budget > 0 ? stall_ms(s->budget) : json_null());
	json_object_set_new(j, "calls", json_integer((json_int_t)s->calls));
	json_object_set_new(j, "over_budget_calls", json_integer((json_int_t)s->over));
	json_object_set_new(j, "max_ms", stall_ms(s->max));
	json_object_set_new(j, "median_ms", stall_ms(s->median));
	json_object_set_new(j, "p99_ms", stall_ms(s->p99));
	return j;
}
