/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* discard: lazily freed pages found from pagemap/kpageflags or smaps and
 * dropped with process_madvise(MADV_PAGEOUT).  See discard.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "discard.h"
#include "pagemap.h"
#include "path.h"
#include "procs.h"
#include "sysinfo.h"

/* <sys/mman.h> is not included: its MAP_ANON clashes with maps.h */
#define DISCARD_MADV_PAGEOUT 21   /* 5.4+ */
#define DISCARD_MADV_COLLAPSE 25  /* 6.1+ */
#define DISCARD_COLLAPSE_TRIES 4  /* calls per THP while MADV_COLLAPSE says EAGAIN */
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

#define DISCARD_IOV_MAX 1024   /* UIO_MAXIOV: the kernel's per-call limit */
#define DISCARD_SCAN_SLICE (16ULL << 20)   /* scanned() every 16 MiB of a mapping */

const char *discard_mode_name(enum discard_mode m)
{
	switch (m) {
	case DISCARD_PRECISE: return "precise";
	case DISCARD_MAPPING: return "mapping";
	default: return "auto";
	}
}

const char *discard_thp_name(enum discard_thp t)
{
	return t == DISCARD_THP_SKIP ? "skip" : "collapse";
}

/* The index of arg among names[0..n) (an enum's values in order); else
 * -EINVAL with err saying what option opt expects. */
static int name_index(const char *opt, const char *arg, const char *const *names, size_t n,
		      const char *expected, char *err, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return (int)i;
	snprintf(err, len, "invalid %s '%s': expected %s", opt, arg, expected);
	return -EINVAL;
}

int discard_mode_parse(const char *arg, enum discard_mode *out, char *err, size_t len)
{
	static const char *const names[] = { "auto", "precise", "mapping" };  /* DISCARD_AUTO ... */
	int i = name_index("--mode", arg, names, 3, "auto, precise or mapping", err, len);

	if (i < 0)
		return i;
	*out = (enum discard_mode)i;
	return 0;
}

int discard_thp_parse(const char *arg, enum discard_thp *out, char *err, size_t len)
{
	static const char *const names[] = { "collapse", "skip" };  /* DISCARD_THP_COLLAPSE ... */
	int i = name_index("--thp", arg, names, 2, "collapse or skip", err, len);

	if (i < 0)
		return i;
	*out = (enum discard_thp)i;
	return 0;
}

/* The kernel cuts one call at MAX_RW_COUNT (INT_MAX rounded down to a
 * page); stay below it so a call is never silently cut short. */
static uint64_t discard_call_max(uint64_t page)
{
	return (uint64_t)INT_MAX & ~(page - 1);
}

int discard_read_smaps(pid_t pid, struct discard_smaps *out)
{
	struct smaps_rollup r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = maps_read_rollup(pid, &r, NULL, NULL);
	if (rc < 0)
		return rc;
	out->rss = r.rss;
	out->lazyfree = r.lazyfree;
	out->anon_huge = r.anon_huge;
	out->swap = r.swap;
	return 0;
}

/* Private anonymous memory is the only kind MADV_FREE applies to; locked
 * and PFN/IO mappings would make the whole call fail with EINVAL. */
static bool discard_mapping_eligible(const struct mapping *m)
{
	if (m->kind != MAPKIND_ANON && m->kind != MAPKIND_HEAP && m->kind != MAPKIND_STACK)
		return false;
	if (m->perms[0] && m->perms[3] != 'p')
		return false;
	if (strstr(m->vmflags, "lo") || strstr(m->vmflags, "pf") ||
	    strstr(m->vmflags, "io") || strstr(m->vmflags, "ht"))
		return false;
	return true;
}

static int discard_grow_nodes(struct discard_set *s, int node)
{
	struct discard_node *nv;
	int slots;

	if (node < s->node_slots)
		return 0;
	slots = node + 1;
	nv = realloc(s->node, (size_t)slots * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	memset(nv + s->node_slots, 0,
	       (size_t)(slots - s->node_slots) * sizeof(*nv));
	s->node = nv;
	s->node_slots = slots;
	return 0;
}

/* Node figures of pages whose node is not known go to slot 0 only when the
 * machine has one node; otherwise they are counted in the totals alone. */
static struct discard_node *discard_node_of(struct discard_set *s, int node)
{
	if (node < 0 || discard_grow_nodes(s, node) < 0)
		return NULL;
	return &s->node[node];
}

static int discard_push(struct discard_set *s, uint64_t start, uint64_t len,
			int node, unsigned flags)
{
	struct discard_range *last = s->n ? &s->v[s->n - 1] : NULL;

	if (last && last->start + last->len == start && last->node == node &&
	    last->flags == flags) {
		last->len += len;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct discard_range *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct discard_range){ start, len, node, flags };
	return 0;
}

/* What one mapping contributes, collected by the pagemap walk. */
struct discard_walk {
	struct discard_set *set;
	const struct discard_opts *o;
	const struct mapping *m;
	size_t first;           /* index of this mapping's first range */
	uint64_t kpf_lazy;      /* lazyfree bytes kpageflags reports */
};

static bool discard_node_wanted(const struct discard_opts *o, int node)
{
	if (!o->limit_nodes)
		return true;
	return node >= 0 && nodeset_has(&o->nodes, node);
}

static int discard_walk_precise(void *ud, const struct page_run *r)
{
	struct discard_walk *w = ud;
	struct discard_set *s = w->set;
	uint64_t len = r->pages * s->page_size;
	unsigned want = RUN_PRESENT | RUN_LAZYFREE | RUN_KPF;

	if ((r->flags & want) != want || (r->flags & (RUN_SWAPPED | RUN_FILE)))
		return 0;
	w->kpf_lazy += len;
	if (!discard_node_wanted(w->o, r->node))
		return 0;
	return discard_push(s, r->start, len, r->node,
			    (r->flags & RUN_THP) ? DR_THP : 0);
}

static int discard_walk_mapping(void *ud, const struct page_run *r)
{
	struct discard_walk *w = ud;

	if (!(r->flags & RUN_PRESENT) || (r->flags & (RUN_SWAPPED | RUN_FILE)))
		return 0;
	if (!discard_node_wanted(w->o, r->node))
		return 0;
	return discard_push(w->set, r->start, r->pages * w->set->page_size,
			    r->node, 0);
}

/* Split range i at 'at' (inside it); the second part gets 'flags'. */
static int discard_split(struct discard_set *s, size_t i, uint64_t at)
{
	struct discard_range tail;

	if (s->n == s->cap) {
		size_t cap = s->cap * 2;
		struct discard_range *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	tail = s->v[i];
	tail.len = s->v[i].start + s->v[i].len - at;
	s->v[i].len = at - s->v[i].start;
	memmove(&s->v[i + 2], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->v[i + 1] = tail;
	s->n++;
	return 0;
}

/* Mapping mode: every fully present THP-aligned block may be a live THP,
 * which MADV_PAGEOUT would split (or swap) whatever its state; cut those
 * blocks out as DR_SKIPPED ranges. */
static int discard_cut_thp_blocks(struct discard_set *s, size_t first)
{
	uint64_t thp = s->thp_size;
	size_t i;
	int rc;

	for (i = first; i < s->n; i++) {
		struct discard_range *r = &s->v[i];
		uint64_t b = (r->start + thp - 1) & ~(thp - 1);

		if (r->flags & DR_SKIPPED || b + thp > r->start + r->len)
			continue;
		if (b > r->start) {
			rc = discard_split(s, i, b);
			if (rc < 0)
				return rc;
			continue;   /* the next round looks at the tail */
		}
		/* r starts at a block boundary: mark whole blocks */
		uint64_t nb = r->len / thp * thp;

		if (nb < r->len) {
			rc = discard_split(s, i, r->start + nb);
			if (rc < 0)
				return rc;
			r = &s->v[i];
		}
		r->flags |= DR_SKIPPED | DR_THP;
	}
	return 0;
}

static void discard_count_ranges(struct discard_set *s, size_t first)
{
	for (size_t i = first; i < s->n; i++) {
		const struct discard_range *r = &s->v[i];
		struct discard_node *nd = discard_node_of(s, r->node);
		bool skip = r->flags & DR_SKIPPED;

		if (s->exact) {
			s->found += r->len;
			if (nd)
				nd->found += r->len;
			if (r->flags & DR_THP && s->thp_size)
				s->thp_found += r->len / s->thp_size;
		}
		if (skip) {
			s->skipped += r->len;
			if (nd)
				nd->skipped += r->len;
			if (r->flags & DR_THP && s->thp_size)
				s->thp_skipped += r->len / s->thp_size;
		} else {
			s->candidate += r->len;
			if (nd)
				nd->candidate += r->len;
		}
	}
}

static void discard_mark_skipped(struct discard_set *s, size_t first,
				 unsigned flag_needed)
{
	for (size_t i = first; i < s->n; i++)
		if ((s->v[i].flags & flag_needed) == flag_needed)
			s->v[i].flags |= DR_SKIPPED;
}

static int discard_scan_mapping(struct pm_reader *pm, struct discard_set *s,
				const struct discard_opts *o,
				const struct mapping *m)
{
	struct discard_walk w = { .set = s, .o = o, .m = m, .first = s->n };
	int rc;

	/* No clean lazily freed bytes: nothing here can be discarded, and a
	 * walk of a large sparse mapping (a sanitizer's shadow, a runtime's
	 * reserved heap) would read pagemap for terabytes of holes. */
	if ((m->have & MAP_F_SMAPS) && m->lazyfree == 0)
		return 0;
	/* with a 'scanned' listener, in slices, each reported when done */
	for (uint64_t a = m->start; a < m->end; ) {
		uint64_t e = o->scanned && m->end - a > DISCARD_SCAN_SLICE ?
			     a + DISCARD_SCAN_SLICE : m->end;

		rc = pm_walk(pm, a, e, s->exact ? discard_walk_precise : discard_walk_mapping, &w);
		if (rc < 0)
			return rc;
		if (o->scanned && e < m->end && (rc = o->scanned(o->scanned_ud, s, e)) < 0)
			return rc;
		a = e;
	}
	if (s->exact) {
		/* smaps LazyFree counts only clean pages: less than what
		 * kpageflags calls lazyfree means some were written again */
		bool rewritten = m->have & MAP_F_SMAPS && m->lazyfree < w.kpf_lazy;

		if (rewritten)
			s->warn |= DISCARD_W_REWRITTEN;
		if (rewritten && o->thp == DISCARD_THP_SKIP)
			discard_mark_skipped(s, w.first, DR_THP);
	} else {
		s->found += m->lazyfree;
		if (m->anon_huge && s->thp_size) {
			rc = discard_cut_thp_blocks(s, w.first);
			if (rc < 0)
				return rc;
			s->warn |= DISCARD_W_THP_MAYBE;
		}
	}
	discard_count_ranges(s, w.first);
	return 0;
}

static int discard_open_reader(const struct proc_id *id,
			       const struct discard_opts *o,
			       struct discard_set *out, struct pm_reader **pm)
{
	bool precise_ok;
	int rc;

	rc = pm_open(pm, id->pid, PM_WANT_NODE |
		     (o->mode == DISCARD_MAPPING ? 0 : PM_WANT_KPF));
	if (rc < 0)
		return rc;
	precise_ok = pm_has_kpf(*pm) && pm_has_pfn(*pm);
	if (o->mode == DISCARD_PRECISE && !precise_ok) {
		pm_close(*pm);
		*pm = NULL;
		return -EOPNOTSUPP;
	}
	if (o->mode == DISCARD_AUTO && !precise_ok)
		out->warn |= DISCARD_W_NO_KPF;
	out->mode = (o->mode != DISCARD_MAPPING && precise_ok) ?
		DISCARD_PRECISE : DISCARD_MAPPING;
	out->exact = out->mode == DISCARD_PRECISE;
	return 0;
}

/* MADV_FREE marks pages lazyfree through per-CPU batches; until a batch is
 * drained its pages still look swapbacked (kpageflags) and uncounted
 * (smaps).  move_pages(2) with zero entries on ourselves drains every CPU's
 * batches (do_pages_move calls lru_cache_disable) and moves nothing. */
static void discard_drain_lru(void)
{
	void *page = NULL;
	int node = 0, status = 0;

	if (path_is_live())
		syscall(SYS_move_pages, 0, 0UL, &page, &node, &status, 0);
}

int discard_find(const struct proc_id *id, const struct discard_opts *o,
		 struct discard_set *out)
{
	struct mapping_list ml = { 0 };
	struct pm_reader *pm = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->id = *id;
	out->page_size = sys_page_size();
	out->thp_size = sys_thp_size();
	discard_drain_lru();
	/* smaps first: a page freed after this read can only make the
	 * per-mapping comparison more cautious */
	rc = maps_read_smaps(id->pid, &ml, NULL, NULL);
	if (rc < 0)
		return rc;
	rc = o->no_totals ? 0 : discard_read_smaps(id->pid, &out->before);
	if (rc < 0)
		goto done;
	rc = discard_open_reader(id, o, out, &pm);
	if (rc < 0)
		goto done;
	if (out->mode == DISCARD_MAPPING && sys_has_swap())
		out->warn |= DISCARD_W_SWAP;
	for (size_t i = 0; i < ml.n && rc >= 0; i++) {
		const struct mapping *m = &ml.v[i];

		if (!discard_mapping_eligible(m))
			continue;
		if (o->vma_filter && !o->vma_filter(o->vma_ud, m))
			continue;
		rc = discard_scan_mapping(pm, out, o, m);
		if (rc >= 0 && o->scanned)
			rc = o->scanned(o->scanned_ud, out, m->end);
	}
done:
	pm_close(pm);
	maps_free(&ml);
	if (rc < 0)
		discard_set_free(out);
	return rc < 0 ? rc : 0;
}

void discard_result_free(struct discard_result *r)
{
	stall_free(&r->stall);
}

void discard_set_free(struct discard_set *s)
{
	free(s->v);
	free(s->node);
	s->v = NULL;
	s->node = NULL;
	s->n = s->cap = 0;
	s->node_slots = 0;
}

/* ---- applying ---------------------------------------------------------- */

/* A batch of iovecs for one process_madvise call. */
struct discard_batch {
	struct iovec iov[DISCARD_IOV_MAX];
	int n;
	uint64_t bytes;
};

struct discard_ctx {
	int pidfd;
	int mmfd;                 /* procs_mm_open at the start: notices an exec */
	int advice;
	struct discard_set *set;
	const struct discard_opts *o;
	struct discard_result *res;
	struct discard_batch b;
	struct stall_sizer sizer; /* bytes per call, from the budget */
	uint64_t failed;          /* iovecs the kernel refused */
	bool any_done;            /* some call went through */
};

static long discard_madvise(int pidfd, const struct iovec *iov, int n,
			    int advice)
{
	return syscall(SYS_process_madvise, pidfd, iov, (size_t)n, advice, 0U);
}

static bool discard_should_stop(const struct discard_opts *o)
{
	return o->stop && o->stop(o->stop_ud);
}

/* One call; on a short count, skip the iovec that stopped the kernel
 * (e.g. ENOMEM: unmapped meanwhile) and go on with the rest. */
static int discard_flush(struct discard_ctx *c)
{
	struct discard_batch *b = &c->b;
	int i = 0, tries = 0;

	while (i < b->n) {
		uint64_t bytes = 0;
		double t0 = sys_now();
		long done = discard_madvise(c->pidfd, &b->iov[i], b->n - i,
					    c->advice);
		int err = errno;

		t0 = sys_now() - t0;
		for (int k = i; k < b->n; k++)
			bytes += b->iov[k].iov_len;
		stall_sizer_observe(&c->sizer, bytes, t0);
		if (stall_add(&c->res->stall, t0) < 0)
			return -ENOMEM;
		c->res->calls++;
		if (done < 0) {
			if (!c->any_done && (err == EPERM || err == ESRCH ||
					     err == ENOSYS))
				return -err;
			if (err == ESRCH)
				return -err;
			/* MADV_COLLAPSE's EAGAIN is transient (a page locked,
			 * off the LRU or referenced right now): try it again */
			if (c->advice == DISCARD_MADV_COLLAPSE && err == EAGAIN &&
			    ++tries < DISCARD_COLLAPSE_TRIES) {
				nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
				continue;
			}
			tries = 0;
			if (c->advice == DISCARD_MADV_COLLAPSE) {
				/* the THP stays split, its data intact: not
				 * a discard refused */
				if (!c->res->collapse_error)
					c->res->collapse_error = -err;
			} else if (!c->res->error) {
				c->res->error = -err;
			}
			c->failed++;
			i++;
			continue;
		}
		tries = 0;
		c->any_done = true;
		if (c->advice == DISCARD_MADV_PAGEOUT)
			c->res->advised += (uint64_t)done;
		while (i < b->n && (uint64_t)done >= b->iov[i].iov_len) {
			done -= (long)b->iov[i].iov_len;
			i++;
		}
		/* a short count means iov[i] failed: the next round's call
		 * starting at it reports why */
	}
	b->n = 0;
	b->bytes = 0;
	return 0;
}

static bool discard_mm_gone(const struct discard_ctx *c)
{
	return c->mmfd >= 0 && !procs_mm_same(c->mmfd);
}

/* The batch's call unless a stop came (then 1, nothing called): polled
 * before every call, the last one of a walk too.  A process that exec'd
 * another program keeps its pidfd but not its ranges: -ESRCH, as gone. */
static int discard_call(struct discard_ctx *c)
{
	if (discard_should_stop(c->o)) {
		c->res->stopped = true;
		return 1;
	}
	if (discard_mm_gone(c))
		return -ESRCH;
	return discard_flush(c);
}

/* How much of [start, start+len) goes into a call with 'room' bytes left:
 * a cut falls on a THP boundary only (a range that covers part of a THP
 * would split it), and at least up to the next one. */
static uint64_t discard_cut(const struct discard_ctx *c, uint64_t start, uint64_t len,
			    uint64_t room)
{
	uint64_t align = c->set->thp_size > c->set->page_size ? c->set->thp_size : c->set->page_size;
	uint64_t end;

	if (len <= room)
		return len;
	end = (start + room) & ~(align - 1);
	if (end <= start)
		end = (start / align + 1) * align;
	return end - start < len ? end - start : len;
}

static int discard_add(struct discard_ctx *c, uint64_t start, uint64_t len)
{
	int rc;

	while (len) {
		uint64_t max = c->sizer.next, room, take;

		if (c->b.n == DISCARD_IOV_MAX || c->b.bytes >= max ||
		    (c->b.n && discard_cut(c, start, len, max - c->b.bytes) > max - c->b.bytes)) {
			rc = discard_call(c);
			if (rc != 0)
				return rc;
			continue;
		}
		room = max - c->b.bytes;
		take = discard_cut(c, start, len, room);
		c->b.iov[c->b.n].iov_base = (void *)(uintptr_t)start;
		c->b.iov[c->b.n].iov_len = take;
		c->b.n++;
		c->b.bytes += take;
		start += take;
		len -= take;
	}
	return 0;
}

/* Precise mode: right before the call, keep only what is still lazyfree. */
struct discard_recheck {
	struct discard_ctx *c;
	const struct discard_range *r;
};

static int discard_recheck_run(void *ud, const struct page_run *run)
{
	struct discard_recheck *rc = ud;
	unsigned want = RUN_PRESENT | RUN_LAZYFREE | RUN_KPF;

	if ((run->flags & want) != want || (run->flags & (RUN_SWAPPED | RUN_FILE)))
		return 0;
	return discard_add(rc->c, run->start, run->pages * rc->c->set->page_size);
}

static int discard_pageout(struct discard_ctx *c, struct pm_reader *pm)
{
	struct discard_set *s = c->set;
	int rc = 0;

	c->advice = DISCARD_MADV_PAGEOUT;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		const struct discard_range *r = &s->v[i];

		if (r->flags & DR_SKIPPED)
			continue;
		if (s->exact) {
			struct discard_recheck rk = { c, r };

			rc = pm_walk(pm, r->start, r->start + r->len,
				     discard_recheck_run, &rk);
		} else {
			rc = discard_add(c, r->start, r->len);
		}
	}
	if (rc == 0 && c->b.n)
		rc = discard_call(c);
	return rc < 0 ? rc : 0;
}

/* Present bytes of [start, end), counted by the pagemap walk. */
struct discard_present {
	uint64_t bytes, page;
};

static int discard_present_run(void *ud, const struct page_run *run)
{
	struct discard_present *p = ud;

	if (run->flags & RUN_PRESENT && !(run->flags & RUN_SWAPPED))
		p->bytes += run->pages * p->page;
	return 0;
}

static int discard_present(struct pm_reader *pm, uint64_t start, uint64_t end,
			   uint64_t page, uint64_t *out)
{
	struct discard_present p = { 0, page };
	int rc = pm_walk(pm, start, end, discard_present_run, &p);

	*out = p.bytes;
	return rc;
}

/* After the pageout: what went and what stayed, per node and per THP. */
static int discard_measure(struct discard_ctx *c, struct pm_reader *pm)
{
	struct discard_set *s = c->set;
	uint64_t thp = s->thp_size;
	int rc;

	for (size_t i = 0; i < s->n; i++) {
		const struct discard_range *r = &s->v[i];
		struct discard_node *nd = discard_node_of(s, r->node);
		uint64_t present = 0;

		if (r->flags & DR_SKIPPED)
			continue;
		if (r->flags & DR_THP && thp && !(r->start & (thp - 1))) {
			for (uint64_t a = r->start; a < r->start + r->len; a += thp) {
				uint64_t p;

				rc = discard_present(pm, a, a + thp, s->page_size, &p);
				if (rc < 0)
					return rc;
				present += p;
				if (p)
					c->res->thp_kept++;
				else
					c->res->thp_discarded++;
			}
		} else {
			rc = discard_present(pm, r->start, r->start + r->len,
					     s->page_size, &present);
			if (rc < 0)
				return rc;
		}
		if (present > r->len)
			present = r->len;
		c->res->discarded += r->len - present;
		if (s->exact)
			c->res->kept += present;
		if (nd) {
			nd->discarded += r->len - present;
			if (s->exact)
				nd->kept += present;
		}
	}
	return 0;
}

/* Collapse back the lazyfree THPs that stayed whole-resident (written
 * again); a partly discarded block is left alone: MADV_COLLAPSE would fill
 * its holes with new zeroed pages. */
static int discard_collapse(struct discard_ctx *c, struct pm_reader *pm)
{
	struct discard_set *s = c->set;
	uint64_t thp = s->thp_size;
	int rc;

	c->advice = DISCARD_MADV_COLLAPSE;
	c->failed = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct discard_range *r = &s->v[i];

		if (r->flags & DR_SKIPPED || !(r->flags & DR_THP) || !thp ||
		    (r->start & (thp - 1)))
			continue;
		for (uint64_t a = r->start; a < r->start + r->len; a += thp) {
			uint64_t p;

			rc = discard_present(pm, a, a + thp, s->page_size, &p);
			if (rc < 0)
				return rc;
			if (p != thp)
				continue;
			rc = discard_add(c, a, thp);
			if (rc != 0)
				return rc < 0 ? rc : 0;
		}
	}
	rc = c->b.n ? discard_call(c) : 0;
	c->res->collapse_failed = c->failed;
	return rc < 0 ? rc : 0;
}

int discard_apply(int pidfd, struct discard_set *set,
		  const struct discard_opts *o, struct discard_result *res)
{
	struct discard_ctx *c;
	struct pm_reader *pm = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (set->candidate == 0) {
		res->after_pageout = res->after = set->before;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (struct discard_ctx){ .pidfd = pidfd, .mmfd = -1, .set = set, .o = o, .res = res };
	if (path_is_live()) {
		c->mmfd = procs_mm_open(set->id.pid);
		if (c->mmfd < 0) {
			rc = c->mmfd == -ENOENT ? -ESRCH : c->mmfd;
			goto out;
		}
	}
	/* the first call: 2 MiB; then what the budget allows */
	stall_sizer_init(&c->sizer, o->max_stall, 2ULL << 20, set->page_size,
			 discard_call_max(set->page_size));
	rc = pm_open(&pm, set->id.pid, PM_WANT_NODE | (set->exact ? PM_WANT_KPF : 0));
	if (rc < 0)
		goto out;
	if (set->exact && !pm_has_kpf(pm)) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	rc = discard_pageout(c, pm);
	if (rc == 0 && discard_mm_gone(c))
		rc = -ESRCH;    /* what was read after an exec is not its pages */
	if (rc < 0)
		goto out;
	rc = o->no_totals ? 0 : discard_read_smaps(set->id.pid, &res->after_pageout);
	if (rc < 0)
		goto out;
	rc = discard_measure(c, pm);
	if (rc < 0)
		goto out;
	if (set->exact && o->thp == DISCARD_THP_COLLAPSE && res->thp_kept &&
	    !res->stopped) {
		rc = discard_collapse(c, pm);
		if (rc < 0)
			goto out;
	}
	rc = o->no_totals ? 0 : discard_read_smaps(set->id.pid, &res->after);
	if (rc < 0)
		goto out;
	if (res->after.anon_huge > res->after_pageout.anon_huge && set->thp_size)
		res->thp_collapsed = (res->after.anon_huge -
				      res->after_pageout.anon_huge) / set->thp_size;
out:
	pm_close(pm);
	if (c->mmfd >= 0)
		close(c->mmfd);
	free(c);
	return rc < 0 ? rc : 0;
}
