/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* pagemap: page-level state of a process, batch by batch.
 *
 * One batch is PM_BATCH pagemap entries read with one pread.  As root the
 * PFNs of its present pages are sorted and /proc/kpageflags is read in
 * windows of nearby PFNs (one pread each, small gaps read through), and the
 * node comes from the PFN's memory block; otherwise the node comes from one
 * move_pages(2) query for the batch.  All buffers are allocated once per
 * reader, so memory use does not grow with the process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "path.h"
#include "pagemap.h"
#include "sysinfo.h"

#define KPF_WIN 4096   /* kpageflags entries read at most in one pread */
#define KPF_GAP 64     /* unneeded entries read through rather than seek */

struct pfn_range {
	uint64_t start, end;   /* [start, end) in PFNs */
	int node;
};

struct pfn_nodes {
	struct pfn_range *v;
	size_t n;
};

struct pm_slot {
	uint64_t pfn;
	uint32_t idx;          /* index in the batch */
};

/* How pm_walk skips holes (ranges of all-zero pagemap entries) without
 * reading them: a sparse mapping of terabytes with a few resident pages must
 * cost what its resident pages cost. */
enum pm_skip {
	PM_SKIP_NONE,   /* read everything */
	PM_SKIP_SEEK,   /* a captured pagemap file: lseek(SEEK_DATA) */
	PM_SKIP_SCAN,   /* live, kernel 6.7+: the PAGEMAP_SCAN ioctl */
};

/* PAGEMAP_SCAN (linux/fs.h of 6.7+; Debian 12's headers predate it) */
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages,
		 category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct pm_page_region {
	uint64_t start, end, categories;
};
#define PM_PAGEMAP_SCAN    _IOWR('f', 16, struct pm_scan_arg)
#define PM_PAGE_IS_PRESENT (1ULL << 3)
#define PM_PAGE_IS_SWAPPED (1ULL << 4)
#define PM_PAGE_IS_PFNZERO (1ULL << 5)
#define PM_PAGE_IS_HUGE    (1ULL << 6)
#define PM_HUGE_VEC        256     /* huge-page regions per ioctl */

enum { PM_UNIFORM = 1, PM_THP_BLOCK = 2 };   /* pm_reader.uni */

struct pm_reader {
	pid_t pid;
	enum pm_skip skip;
	unsigned want;
	int pm_fd, kpf_fd;
	bool has_pfn, has_kpf;
	bool thp_scan;         /* no kpageflags: THPs from PAGEMAP_SCAN (6.7+) */
	bool thp_hint;         /* PM_WANT_THP_ONLY with kpageflags: a block PAGEMAP_SCAN
				* shows PMD-mapped (6.7+) needs no kpageflags read */
	uint64_t page;         /* base page size */
	uint64_t zero_pfn;     /* PM_WANT_THP_ONLY with kpageflags: the shared zero
				* page's PFN (0: not known) */
	uint64_t thp_pages;    /* base pages in a PMD THP; 1 without THP */
	struct pfn_nodes *pn;  /* PFN -> node, when PFNs are visible */

	uint64_t *ent;         /* PM_BATCH pagemap entries */
	uint64_t *kpf;         /* PM_BATCH effective kpageflags */
	uint8_t *kpf_ok;       /* PM_BATCH: kpf[i] is known */
	uint8_t *huge;         /* PM_BATCH: in a PAGE_IS_HUGE region (thp_scan, thp_hint) */
	uint8_t *uni;          /* PM_BATCH, PM_WANT_THP_ONLY, at the first entry of a
				* THP block: PM_UNIFORM when its entries are identical
				* but for the PFN (+1 each): one state, one node, one
				* step; PM_THP_BLOCK when they are not (bits differ) */
	bool any_uni;          /* this batch has such a block */
	int *node;             /* PM_BATCH nodes */
	struct pm_slot *slot;  /* PM_BATCH present PFNs, sorted */
	uint64_t *win;         /* KPF_WIN kpageflags of one window */
	uint64_t *hbuf;        /* thp_pages: the flags before a window */
	void **addr;           /* PM_BATCH move_pages query addresses */
	int *status;           /* PM_BATCH move_pages query results */
};

/* ---- PFN to node ---------------------------------------------------- */

static int pfn_range_cmp(const void *a, const void *b)
{
	const struct pfn_range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static int pfn_nodes_add(struct pfn_nodes *p, size_t *cap, uint64_t start,
			 uint64_t end, int node)
{
	if (p->n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct pfn_range *v = realloc(p->v, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		*cap = c;
	}
	p->v[p->n++] = (struct pfn_range){ start, end, node };
	return 0;
}

/* Add the memoryM entries of /sys/devices/system/node/nodeN. */
static int pfn_nodes_scan_node(struct pfn_nodes *p, size_t *cap, int node,
			       uint64_t block_pages)
{
	DIR *d = path_opendir("/sys/devices/system/node/node%d", node);
	struct dirent *de;
	unsigned long m;
	char *end;
	int rc = 0;

	if (!d)
		return -errno;
	while (rc == 0 && (de = readdir(d))) {
		if (strncmp(de->d_name, "memory", 6) != 0)
			continue;
		m = strtoul(de->d_name + 6, &end, 10);
		if (end == de->d_name + 6 || *end)
			continue;  /* memory_failure, memory_side_cache, ... */
		rc = pfn_nodes_add(p, cap, m * block_pages, (m + 1) * block_pages, node);
	}
	closedir(d);
	return rc;
}

/* Sort and join neighbouring blocks of one node: a handful of ranges. */
static void pfn_nodes_merge(struct pfn_nodes *p)
{
	size_t i, k = 0;

	qsort(p->v, p->n, sizeof(*p->v), pfn_range_cmp);
	for (i = 0; i < p->n; i++) {
		if (k && p->v[k - 1].end == p->v[i].start && p->v[k - 1].node == p->v[i].node)
			p->v[k - 1].end = p->v[i].end;
		else
			p->v[k++] = p->v[i];
	}
	p->n = k;
}

static int pfn_nodes_block_pages(uint64_t *out)
{
	char buf[64], *end;
	uint64_t bs;
	int rc = path_read_str(buf, sizeof(buf), "/sys/devices/system/memory/block_size_bytes");

	if (rc < 0)
		return rc;
	bs = strtoull(buf, &end, 16);   /* hex, without "0x" */
	if (end == buf || *end || bs < sys_page_size())
		return -EINVAL;
	*out = bs / sys_page_size();
	return 0;
}

int pfn_nodes_load(struct pfn_nodes **out)
{
	struct pfn_nodes *p;
	uint64_t block_pages;
	struct dirent *de;
	size_t cap = 0;
	char *end;
	long node;
	DIR *d;
	int rc = pfn_nodes_block_pages(&block_pages);

	if (rc < 0)
		return rc;
	d = path_opendir("/sys/devices/system/node");
	if (!d)
		return -errno;
	p = calloc(1, sizeof(*p));
	if (!p) {
		closedir(d);
		return -ENOMEM;
	}
	while (rc == 0 && (de = readdir(d))) {
		if (strncmp(de->d_name, "node", 4) != 0)
			continue;
		node = strtol(de->d_name + 4, &end, 10);
		if (end == de->d_name + 4 || *end || node < 0)
			continue;
		rc = pfn_nodes_scan_node(p, &cap, (int)node, block_pages);
	}
	closedir(d);
	if (rc == 0 && p->n == 0)
		rc = -ENOENT;
	if (rc < 0) {
		pfn_nodes_free(p);
		return rc;
	}
	pfn_nodes_merge(p);
	*out = p;
	return 0;
}

static const struct pfn_range *pfn_nodes_find(const struct pfn_nodes *p,
					      uint64_t pfn)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfn < p->v[mid].start)
			hi = mid;
		else if (pfn >= p->v[mid].end)
			lo = mid + 1;
		else
			return &p->v[mid];
	}
	return NULL;
}

int pfn_nodes_lookup(const struct pfn_nodes *p, uint64_t pfn)
{
	const struct pfn_range *x = pfn_nodes_find(p, pfn);

	return x ? x->node : -1;
}

void pfn_nodes_free(struct pfn_nodes *p)
{
	if (!p)
		return;
	free(p->v);
	free(p);
}

/* ---- reader --------------------------------------------------------- */

/* pread all of len bytes; the part past end of file reads as zeros (pagemap
 * ends at the top of user space, kpageflags at the last PFN).  Returns the
 * bytes really read or -errno. */
static ssize_t pm_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	memset((char *)buf + got, 0, len - got);
	return (ssize_t)got;
}

/* PFNs are shown only to a reader with CAP_SYS_ADMIN (checked when pagemap
 * is opened): look at one page of our own that is surely present. */
static bool pm_probe_pfn(uint64_t page)
{
	volatile uint64_t here = 1;
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	bool shown;

	if (fd < 0)
		return false;
	here++;
	shown = pm_pread_full(fd, &e, sizeof(e), (uintptr_t)&here / page * 8) == sizeof(e) &&
		(e & PM_E_PRESENT) && (e & PM_E_PFN_MASK);
	close(fd);
	return shown;
}

/* The PFN of the shared zero page: a page of our own read before it is
 * written maps it, and kpageflags must say so (a kernel may map a page of
 * its own instead, whose PFN is soon someone else's).  0 when not known. */
static uint64_t pm_probe_zero_pfn(uint64_t page, int kpf_fd)
{
	static uint64_t pfn;
	static bool done;
	volatile const char *p;
	uint64_t e = 0;
	int fd;

	if (done)
		return pfn;
	done = true;
	p = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pm_pread_full(fd, &e, sizeof(e), (uintptr_t)p / page * 8) == sizeof(e) &&
	    (e & PM_E_PRESENT)) {
		uint64_t f = 0, z = e & PM_E_PFN_MASK;

		if (z && pm_pread_full(kpf_fd, &f, sizeof(f), z * 8) == sizeof(f) &&
		    (f & (1ULL << KPF_ZERO_PAGE)))
			pfn = z;
	}
	if (fd >= 0)
		close(fd);
	munmap((void *)p, page);
	return pfn;
}

static int pm_alloc(struct pm_reader *r)
{
	r->ent = malloc(PM_BATCH * sizeof(*r->ent));
	r->node = malloc(PM_BATCH * sizeof(*r->node));
	if (!r->ent || !r->node)
		return -ENOMEM;
	if (r->want & PM_WANT_NODE) {
		r->addr = malloc(PM_BATCH * sizeof(*r->addr));
		r->status = malloc(PM_BATCH * sizeof(*r->status));
		if (!r->addr || !r->status)
			return -ENOMEM;
	}
	if ((r->thp_scan || r->thp_hint) && !(r->huge = malloc(PM_BATCH)))
		return -ENOMEM;
	if (!r->has_kpf)
		return 0;
	r->kpf = malloc(PM_BATCH * sizeof(*r->kpf));
	r->kpf_ok = malloc(PM_BATCH);
	r->slot = malloc(PM_BATCH * sizeof(*r->slot));
	r->win = malloc(KPF_WIN * sizeof(*r->win));
	r->hbuf = malloc(r->thp_pages * sizeof(*r->hbuf));
	r->uni = malloc(PM_BATCH);
	if (!r->kpf || !r->kpf_ok || !r->slot || !r->win || !r->hbuf || !r->uni)
		return -ENOMEM;
	return 0;
}

static enum pm_skip pm_skip_mode(int fd)
{
	struct stat st;

	/* /proc files are regular files too: only a captured tree seeks */
	if (path_is_live())
		return PM_SKIP_SCAN;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return PM_SKIP_SEEK;
	return PM_SKIP_NONE;
}

int pm_open(struct pm_reader **out, pid_t pid, unsigned want)
{
	struct pm_reader *r = calloc(1, sizeof(*r));
	uint64_t thp = sys_thp_size();
	int rc;

	if (!r)
		return -ENOMEM;
	r->pid = pid;
	r->want = want;
	r->kpf_fd = -1;
	r->page = sys_page_size();
	r->thp_pages = thp >= r->page ? thp / r->page : 1;
	r->pm_fd = path_open(O_RDONLY, "/proc/%d/pagemap", (int)pid);
	if (r->pm_fd < 0) {
		/* live, a missing pagemap means the process is gone; a captured
		 * tree may simply not hold one */
		rc = r->pm_fd == -ENOENT && path_is_live() ? -ESRCH : r->pm_fd;
		free(r);
		return rc;
	}
	r->skip = pm_skip_mode(r->pm_fd);
	/* A captured tree cannot be probed: trust its PFNs until one is 0. */
	r->has_pfn = path_is_live() ? pm_probe_pfn(r->page) : true;
	if ((want & PM_WANT_KPF) && r->has_pfn) {
		r->kpf_fd = path_open(O_RDONLY, "/proc/kpageflags");
		r->has_kpf = r->kpf_fd >= 0;
	}
	/* without kpageflags, THPs from PAGEMAP_SCAN where the kernel has it
	 * (found out by the first call: older kernels say ENOTTY) */
	r->thp_scan = (want & PM_WANT_KPF) && !r->has_kpf && r->skip == PM_SKIP_SCAN;
	r->thp_hint = (want & PM_WANT_THP_ONLY) && r->has_kpf && r->skip == PM_SKIP_SCAN &&
		      r->thp_pages > 1;
	if ((want & PM_WANT_THP_ONLY) && r->has_kpf && path_is_live())
		r->zero_pfn = pm_probe_zero_pfn(r->page, r->kpf_fd);
	if ((want & PM_WANT_NODE) && r->has_pfn && pfn_nodes_load(&r->pn) < 0)
		r->pn = NULL;
	rc = pm_alloc(r);
	if (rc < 0) {
		pm_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

bool pm_has_pfn(const struct pm_reader *r)
{
	return r->has_pfn;
}

bool pm_has_kpf(const struct pm_reader *r)
{
	return r->has_kpf;
}

bool pm_has_thp(const struct pm_reader *r)
{
	return r->has_kpf || r->thp_scan;
}

void pm_close(struct pm_reader *r)
{
	if (!r)
		return;
	if (r->pm_fd >= 0)
		close(r->pm_fd);
	if (r->kpf_fd >= 0)
		close(r->kpf_fd);
	pfn_nodes_free(r->pn);
	free(r->ent);
	free(r->kpf);
	free(r->kpf_ok);
	free(r->huge);
	free(r->uni);
	free(r->node);
	free(r->slot);
	free(r->win);
	free(r->hbuf);
	free(r->addr);
	free(r->status);
	free(r);
}

int pm_read_entries(struct pm_reader *r, uint64_t start, uint64_t n,
		    uint64_t *buf)
{
	ssize_t got = pm_pread_full(r->pm_fd, buf, n * sizeof(*buf),
				    start / r->page * sizeof(*buf));

	return got < 0 ? (int)got : 0;
}

ssize_t pm_fd_entries(int fd, uint64_t page, uint64_t start, size_t n, uint64_t *buf)
{
	ssize_t got = pm_pread_full(fd, buf, n * sizeof(*buf), start / page * sizeof(*buf));

	return got < 0 ? got : got / (ssize_t)sizeof(*buf);
}

/* ---- kpageflags ----------------------------------------------------- */

#define KPF_BIT(b) (1ULL << (b))

static int pm_slot_cmp(const void *a, const void *b)
{
	const struct pm_slot *x = a, *y = b;

	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

/* The present PFNs of the batch, sorted.  A present page without a PFN
 * means this reader cannot see PFNs after all: kpageflags is off. */
static size_t pm_collect_pfns(struct pm_reader *r, size_t n)
{
	bool up = true, down = true;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t e = r->ent[i], pfn = e & PM_E_PFN_MASK;

		r->kpf_ok[i] = 0;
		if (!(e & PM_E_PRESENT))
			continue;
		if (!pfn) {
			r->has_pfn = r->has_kpf = false;
			return 0;
		}
		if (m && pfn < r->slot[m - 1].pfn)
			up = false;
		if (m && pfn > r->slot[m - 1].pfn)
			down = false;
		r->slot[m++] = (struct pm_slot){ pfn, (uint32_t)i };
	}
	/* memory faulted in order often has descending PFNs (the page
	 * allocator's per-CPU lists): reversing is O(n), sorting is not */
	if (!up && down) {
		for (size_t a = 0, b = m - 1; a < b; a++, b--) {
			struct pm_slot t = r->slot[a];

			r->slot[a] = r->slot[b];
			r->slot[b] = t;
		}
	} else if (!up) {
		qsort(r->slot, m, sizeof(*r->slot), pm_slot_cmp);
	}
	return m;
}

/* Flags of the head of the folio whose tail is at 'pfn', looked for in the
 * PMD-THP-sized aligned block before it (folios are naturally aligned and at
 * most that large).  Returns false when no head was found. */
static bool pm_head_before(struct pm_reader *r, uint64_t pfn, uint64_t *flags)
{
	uint64_t base = pfn & ~(r->thp_pages - 1), n = pfn - base;
	ssize_t got;

	if (n == 0)
		return false;
	got = pm_pread_full(r->kpf_fd, r->hbuf, n * 8, base * 8);
	if (got < (ssize_t)(n * 8))
		return false;
	while (n-- > 0) {
		if (r->hbuf[n] & KPF_BIT(KPF_COMPOUND_HEAD)) {
			*flags = r->hbuf[n];
			return true;
		}
		if (!(r->hbuf[n] & KPF_BIT(KPF_COMPOUND_TAIL)))
			return false;
	}
	return false;
}

/* Give every tail page its folio head's flags (6.1 leaves ANON,
 * SWAPBACKED, ... on the head only), keeping its own ZERO_PAGE bit.  The
 * pages between a head and its tails are all in the window, except for the
 * head of a folio the window starts inside. */
static void pm_window_heads(struct pm_reader *r, size_t len, uint64_t w0)
{
	uint64_t cur = 0, f;
	bool have = false;

	for (size_t k = 0; k < len; k++) {
		f = r->win[k];
		if (f & KPF_BIT(KPF_COMPOUND_HEAD)) {
			cur = f;
			have = true;
		} else if (!(f & KPF_BIT(KPF_COMPOUND_TAIL))) {
			have = false;
		} else {
			if (!have && k == 0)
				have = pm_head_before(r, w0, &cur);
			if (have)
				r->win[k] = cur | (f & KPF_BIT(KPF_ZERO_PAGE));
		}
	}
}

/* Read kpageflags for slots [j, k] (PFNs within one window). */
static int pm_read_window(struct pm_reader *r, size_t j, size_t k)
{
	uint64_t w0 = r->slot[j].pfn, len = r->slot[k].pfn - w0 + 1;
	ssize_t got = pm_pread_full(r->kpf_fd, r->win, len * 8, w0 * 8);
	size_t known;

	if (got < 0)
		return (int)got;
	known = (size_t)got / 8;   /* PFNs past the last one read as unknown */
	pm_window_heads(r, known, w0);
	for (; j <= k; j++) {
		uint64_t off = r->slot[j].pfn - w0;

		if (off < known) {
			r->kpf[r->slot[j].idx] = r->win[off];
			r->kpf_ok[r->slot[j].idx] = 1;
		}
	}
	return 0;
}

/* PM_WANT_THP_ONLY: kpageflags of the first page of each THP-aligned
 * block (at batch index i0 + k * thp_pages) whose pages are all present
 * with consecutive PFNs from a THP-aligned one; a THP head gives the whole
 * block its flags, everything else present is known not to be a PMD THP.
 * A THP block whose pagemap entries differ only in the PFN (entry k is the
 * first entry + k, the PFN being the low bits) is PM_UNIFORM: its pages
 * are not looked at one by one again (same bits, flags and node). */
static int pm_fill_kpf_thp(struct pm_reader *r, uint64_t start, size_t n)
{
	uint64_t tp = r->thp_pages, i0;

	memset(r->uni, 0, n);
	r->any_uni = false;
	i0 = tp > 1 ? (tp - start / r->page % tp) % tp : n;
	for (uint64_t b = i0; tp > 1 && b + tp <= n; b += tp) {
		uint64_t e0 = r->ent[b], pfn = e0 & PM_E_PFN_MASK, f;
		uint64_t j;
		bool same = true;
		ssize_t got;

		if (!(e0 & PM_E_PRESENT) || !pfn || pfn % tp)
			continue;
		/* consecutive PFNs; uniform when the other bits are the same
		 * too (soft-dirty or exclusive may differ in a PTE-mapped THP) */
		for (j = 1; j < tp; j++) {
			uint64_t e = r->ent[b + j];

			if (e == e0 + j)
				continue;
			same = false;
			if (!(e & PM_E_PRESENT) || (e & PM_E_PFN_MASK) != pfn + j)
				break;
		}
		if (j < tp)
			continue;
		if (r->thp_hint && (e0 & PM_E_EXCLUSIVE) && r->huge[b] && r->huge[b + tp - 1]) {
			/* PMD-mapped and mapped by this process alone: a THP
			 * head.  Not the huge zero page, which is never
			 * exclusive: PAGEMAP_SCAN calls it PAGE_IS_HUGE, and
			 * PAGE_IS_PFNZERO missed it before Linux 6.16 */
			f = KPF_BIT(KPF_THP) | KPF_BIT(KPF_COMPOUND_HEAD);
		} else {
			got = pm_pread_full(r->kpf_fd, &f, sizeof(f), pfn * 8);
			if (got < 0)
				return (int)got;
			if (got < (ssize_t)sizeof(f) || !(f & KPF_BIT(KPF_COMPOUND_HEAD)) ||
			    !(f & KPF_BIT(KPF_THP)) || (f & KPF_BIT(KPF_HUGE)))
				continue;
			/* the huge zero page is KPF_THP and KPF_ZERO_PAGE */
			f &= KPF_BIT(KPF_THP) | KPF_BIT(KPF_COMPOUND_HEAD) | KPF_BIT(KPF_ZERO_PAGE);
		}
		if (same) {
			r->uni[b] = PM_UNIFORM;
			r->any_uni = true;
			r->kpf[b] = f;
			r->kpf_ok[b] = 1;
			continue;
		}
		r->uni[b] = PM_THP_BLOCK;
		for (j = 0; j < tp; j++) {
			r->kpf[b + j] = f;
			r->kpf_ok[b + j] = 1;
		}
	}
	/* the rest, entry by entry: present pages are known not to be THPs */
	for (size_t i = 0; i < n; i++) {
		uint64_t e;

		if (r->uni[i]) {
			i += tp - 1;
			continue;
		}
		e = r->ent[i];
		r->kpf[i] = 0;
		r->kpf_ok[i] = (e & PM_E_PRESENT) != 0;
		if (r->zero_pfn && (e & PM_E_PRESENT) && (e & PM_E_PFN_MASK) == r->zero_pfn)
			r->kpf[i] = KPF_BIT(KPF_ZERO_PAGE);
		if ((e & PM_E_PRESENT) && !(e & PM_E_PFN_MASK)) {
			r->has_pfn = r->has_kpf = false;   /* PFNs hidden after all */
			memset(r->kpf_ok, 0, n);
			memset(r->uni, 0, n);
			r->any_uni = false;
			return 0;
		}
	}
	return 0;
}

static int pm_fill_kpf(struct pm_reader *r, size_t n)
{
	size_t m = pm_collect_pfns(r, n), j = 0, k;
	int rc;

	while (j < m) {
		for (k = j; k + 1 < m; k++) {
			uint64_t next = r->slot[k + 1].pfn;

			if (next - r->slot[k].pfn > KPF_GAP || next - r->slot[j].pfn >= KPF_WIN)
				break;
		}
		rc = pm_read_window(r, j, k);
		if (rc < 0)
			return rc;
		j = k + 1;
	}
	return 0;
}

/* ---- nodes ---------------------------------------------------------- */

/* Turn the uniform block at batch index b back into pages looked at one by
 * one (their flags copied from its first page). */
static void pm_unfold(struct pm_reader *r, size_t b)
{
	for (uint64_t j = 1; j < r->thp_pages; j++) {
		r->kpf[b + j] = r->kpf[b];
		r->kpf_ok[b + j] = r->kpf_ok[b];
	}
	r->uni[b] = 0;
}

static void pm_nodes_from_pfn(struct pm_reader *r, size_t n)
{
	const struct pfn_range *last = NULL;

	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = r->ent[i] & PM_E_PFN_MASK;

		if (!(r->ent[i] & PM_E_PRESENT))
			continue;
		/* neighbouring pages are mostly in the same range */
		if (!last || pfn < last->start || pfn >= last->end)
			last = pfn_nodes_find(r->pn, pfn);
		r->node[i] = last ? last->node : RUN_NODE_UNKNOWN;
		if (r->any_uni && r->uni[i] == PM_UNIFORM) {
			/* a uniform block in one PFN range has one node; one
			 * that straddles two ranges goes page by page */
			if (last && pfn + r->thp_pages <= last->end)
				i += r->thp_pages - 1;
			else
				pm_unfold(r, i);
		}
	}
}

/* One move_pages(2) query (nodes == NULL) for the present pages. */
static int pm_nodes_from_query(struct pm_reader *r, uint64_t start, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (r->ent[i] & PM_E_PRESENT)
			r->addr[m++] = (void *)(uintptr_t)(start + i * r->page);
	if (m == 0)
		return 0;
	if (syscall(SYS_move_pages, r->pid, (unsigned long)m, r->addr, NULL,
		    r->status, 0) < 0)
		return -errno;
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (r->ent[i] & PM_E_PRESENT) {
			r->node[i] = r->status[m] >= 0 ? r->status[m] : RUN_NODE_UNKNOWN;
			m++;
		}
	return 0;
}

static int pm_fill_nodes(struct pm_reader *r, uint64_t start, size_t n)
{
	if ((r->want & PM_WANT_NODE) && r->has_pfn && r->pn) {
		/* every present page gets its node below */
		for (size_t i = 0; i < n; i++)
			if (!(r->ent[i] & PM_E_PRESENT))
				r->node[i] = RUN_NODE_NONE;
		pm_nodes_from_pfn(r, n);
		return 0;
	}
	/* only the PFN path knows a uniform block's node in one step */
	if (r->any_uni) {
		for (size_t i = 0; i < n; i++)
			if (r->uni[i] == PM_UNIFORM)
				pm_unfold(r, i);
		r->any_uni = false;
	}
	for (size_t i = 0; i < n; i++)
		r->node[i] = (r->ent[i] & PM_E_PRESENT) ? RUN_NODE_UNKNOWN : RUN_NODE_NONE;
	if (!(r->want & PM_WANT_NODE) || !path_is_live())
		return 0;
	return pm_nodes_from_query(r, start, n);
}

/* ---- runs ----------------------------------------------------------- */

static unsigned pm_kpf_state(uint64_t f)
{
	unsigned s = RUN_KPF;
	bool huge = f & KPF_BIT(KPF_HUGE);

	if (huge)
		s |= RUN_HUGETLB;
	else if (f & KPF_BIT(KPF_THP))
		s |= RUN_THP;
	if (f & KPF_BIT(KPF_ZERO_PAGE))
		s |= RUN_ZERO;
	if (!huge && (f & KPF_BIT(KPF_ANON)) && !(f & KPF_BIT(KPF_SWAPBACKED)) &&
	    !(f & KPF_BIT(KPF_SWAPCACHE)))
		s |= RUN_LAZYFREE;
	return s;
}

static unsigned pm_page_state(const struct pm_reader *r, size_t i)
{
	uint64_t e = r->ent[i];
	unsigned s = 0;

	if (e & PM_E_PRESENT)
		s |= RUN_PRESENT;
	if (e & PM_E_SWAPPED)
		s |= RUN_SWAPPED;
	if (e & PM_E_FILE)
		s |= RUN_FILE;
	if (e & PM_E_EXCLUSIVE)
		s |= RUN_EXCLUSIVE;
	if (e & PM_E_SOFTDIRTY)
		s |= RUN_SOFTDIRTY;
	if (r->thp_scan && (e & PM_E_PRESENT))
		return s | RUN_THP_SCAN | (r->huge[i] ? RUN_THP : 0);
	if (!r->has_kpf)
		return s;
	if (!(e & PM_E_PRESENT))
		return s | RUN_KPF;   /* nothing to know about an absent page */
	if (r->kpf_ok[i])
		s |= pm_kpf_state(r->kpf[i]);
	return s;
}

/* Add pages [0, n) of the batch at 'start' to the current run, emitting
 * each run that ends. */
static int pm_merge(struct pm_reader *r, uint64_t start, size_t n,
		    struct page_run *cur, pm_run_fn fn, void *ud)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		unsigned s = pm_page_state(r, i);
		int node = r->node[i];
		/* a uniform block: its pages all have this state and node */
		uint64_t step = r->any_uni && r->uni[i] == PM_UNIFORM ? r->thp_pages : 1;

		if (cur->pages && cur->flags == s && cur->node == node) {
			cur->pages += step;
			i += step - 1;
			continue;
		}
		if (cur->pages && (rc = fn(ud, cur)) != 0)
			return rc;
		cur->start = start + i * r->page;
		cur->pages = step;
		cur->flags = s;
		cur->node = node;
		cur->pfn = (s & RUN_PRESENT) ? r->ent[i] & PM_E_PFN_MASK : 0;
		i += step - 1;
	}
	return 0;
}

/* Mark the pages of [start, start + n pages) that lie in PAGE_IS_HUGE
 * regions (PAGEMAP_SCAN, 6.7+).  A kernel without the ioctl turns
 * thp_scan off for the rest of the walk (the pages then say nothing). */
static void pm_fill_huge(struct pm_reader *r, uint64_t start, size_t n)
{
	/* as a hint to kpageflags, the huge zero page is left to kpageflags */
	uint64_t zero = r->thp_hint ? PM_PAGE_IS_PFNZERO : 0;
	struct pm_page_region reg[PM_HUGE_VEC];
	uint64_t addr = start, end = start + n * r->page;
	struct pm_scan_arg a;
	long got;

	memset(r->huge, 0, n);
	while (addr < end) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = addr;
		a.end = end;
		a.vec = (uint64_t)(uintptr_t)reg;
		a.vec_len = PM_HUGE_VEC;
		a.category_inverted = zero;
		a.category_mask = PM_PAGE_IS_HUGE | zero;
		a.return_mask = PM_PAGE_IS_HUGE;
		got = ioctl(r->pm_fd, PM_PAGEMAP_SCAN, &a);
		if (got < 0) {
			if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
				r->thp_scan = r->thp_hint = false;
			return;
		}
		for (long k = 0; k < got; k++) {
			uint64_t s = reg[k].start < start ? start : reg[k].start;
			uint64_t e = reg[k].end > end ? end : reg[k].end;

			if (e > s)
				memset(r->huge + (s - start) / r->page, 1, (e - s) / r->page);
		}
		if (got < PM_HUGE_VEC || a.walk_end <= addr)
			break;
		addr = a.walk_end;
	}
}

/* First address in [addr, end) whose entry may be non-zero (present or
 * swapped), or end.  Falls back to addr (read everything) when the kernel
 * or file cannot tell. */
static uint64_t pm_next_data(struct pm_reader *r, uint64_t addr, uint64_t end)
{
	struct pm_page_region reg = { 0 };
	struct pm_scan_arg a;
	off_t off;
	long n;

	switch (r->skip) {
	case PM_SKIP_SEEK:
		off = lseek(r->pm_fd, (off_t)(addr / r->page * 8), SEEK_DATA);
		if (off < 0)
			return errno == ENXIO ? end : addr;
		addr = addr > (uint64_t)off / 8 * r->page ? addr : (uint64_t)off / 8 * r->page;
		return addr < end ? addr : end;
	case PM_SKIP_SCAN:
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = addr;
		a.end = end;
		a.vec = (uint64_t)(uintptr_t)&reg;
		a.vec_len = 1;
		/* the first page is all we want: without a limit the kernel
		 * walks on to the end of that region (a whole dense mapping) */
		a.max_pages = 1;
		a.category_anyof_mask = PM_PAGE_IS_PRESENT | PM_PAGE_IS_SWAPPED;
		a.return_mask = PM_PAGE_IS_PRESENT | PM_PAGE_IS_SWAPPED;
		n = ioctl(r->pm_fd, PM_PAGEMAP_SCAN, &a);
		if (n < 0) {
			if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
				r->skip = PM_SKIP_NONE;   /* kernel before 6.7 */
			return addr;
		}
		if (n == 0)
			return a.walk_end >= end ? end : a.walk_end;
		return reg.start > addr ? reg.start : addr;
	default:
		return addr;
	}
}

/* Add the hole [addr, next) (no page present or swapped) to the current
 * run.  Its non-present flags (soft-dirty of the VMA) come from its first
 * entry. */
static int pm_merge_hole(struct pm_reader *r, uint64_t addr, uint64_t next,
			 struct page_run *cur, pm_run_fn fn, void *ud)
{
	uint64_t e = 0;
	unsigned s;
	int rc;

	if (pm_read_entries(r, addr, 1, &e) < 0)
		e = 0;
	s = e & PM_E_SOFTDIRTY ? RUN_SOFTDIRTY : 0;
	if (r->has_kpf)
		s |= RUN_KPF;
	if (cur->pages && cur->flags == s && cur->node == RUN_NODE_NONE) {
		cur->pages += (next - addr) / r->page;
		return 0;
	}
	if (cur->pages && (rc = fn(ud, cur)) != 0)
		return rc;
	cur->start = addr;
	cur->pages = (next - addr) / r->page;
	cur->flags = s;
	cur->node = RUN_NODE_NONE;
	cur->pfn = 0;
	return 0;
}

int pm_walk(struct pm_reader *r, uint64_t start, uint64_t end,
	    pm_run_fn fn, void *ud)
{
	struct page_run cur = { 0 };
	uint64_t addr;
	size_t n;
	int rc;

	if (start % r->page || end % r->page || end < start)
		return -EINVAL;
	for (addr = start; addr < end; addr += n * r->page) {
		uint64_t next = pm_next_data(r, addr, end);

		if (next > addr) {
			rc = pm_merge_hole(r, addr, next, &cur, fn, ud);
			if (rc != 0)
				return rc;
			n = (next - addr) / r->page;
			continue;
		}
		n = (end - addr) / r->page;
		if (n > PM_BATCH) {
			n = PM_BATCH;
			/* a batch that ends at a THP boundary splits no THP */
			if (r->thp_pages > 1 && (addr / r->page + n) % r->thp_pages)
				n -= (addr / r->page + n) % r->thp_pages;
		}
		rc = pm_read_entries(r, addr, n, r->ent);
		r->any_uni = false;   /* set by the THP-only kpageflags reader */
		if (rc == 0 && r->thp_hint)
			pm_fill_huge(r, addr, n);
		if (rc == 0 && r->has_kpf)
			rc = (r->want & PM_WANT_THP_ONLY) ? pm_fill_kpf_thp(r, addr, n) : pm_fill_kpf(r, n);
		if (rc == 0 && r->thp_scan)
			pm_fill_huge(r, addr, n);
		if (rc == 0)
			rc = pm_fill_nodes(r, addr, n);
		if (rc == 0)
			rc = pm_merge(r, addr, n, &cur, fn, ud);
		if (rc != 0)
			return rc;
	}
	return cur.pages ? fn(ud, &cur) : 0;
}
