/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stall: call sizes from a time budget, and the calls' times.  See stall.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stall.h"

/* aim below the budget: the next call's cost is a guess */
#define STALL_AIM 0.75

void stall_sizer_init(struct stall_sizer *s, double budget, uint64_t first,
		      uint64_t min, uint64_t max)
{
	memset(s, 0, sizeof(*s));
	s->budget = budget > 0 ? budget : STALL_DEFAULT;
	s->min = min ? min : 1;
	s->max = max > s->min ? max : s->min;
	s->next = first < s->min ? s->min : first > s->max ? s->max : first;
}

void stall_sizer_observe(struct stall_sizer *s, uint64_t bytes, double seconds)
{
	double cost, want;
	uint64_t next;

	if (!bytes || !(seconds >= 0))
		return;
	if (seconds < 1e-6)
		seconds = 1e-6;
	cost = seconds / (double)bytes;
	/* slower: believe it at once; faster: half way */
	s->cost = !s->cost || cost > s->cost ? cost : (s->cost + cost) / 2;
	want = STALL_AIM * s->budget / s->cost;
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

static int stall_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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
