/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "maps.h"
#include "nodes.h"
#include "path.h"

/* One parse of one file.  nodes[] collects a numa_maps line's N<node>=
 * counts before they go into a node_pages array sized to fit. */
struct mp_state {
	const char *name;
	unsigned lineno;
	maps_warn_fn warn;
	void *ud;
	uint64_t prev_start;
	bool have_prev;
	int key_hint;        /* smaps: where the next key lookup starts */
	uint64_t nodes[NS_MAX_NODES];
	int maxnode;
};

/* A piece of the current line (not NUL-terminated). */
struct span {
	const char *s;
	size_t len;
};

#define SHOW(sp) (int)((sp).len > 60 ? 60 : (sp).len), (sp).s

static void mp_warn(struct mp_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void mp_warn(struct mp_state *st, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!st->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->warn(st->ud, st->name, st->lineno, msg);
}

const char *map_kind_name(enum map_kind k)
{
	static const char *const names[] = {
		[MAPKIND_ANON] = "anon", [MAPKIND_HEAP] = "heap", [MAPKIND_STACK] = "stack",
		[MAPKIND_FILE] = "file", [MAPKIND_SHM] = "shm", [MAPKIND_HUGETLB] = "hugetlb",
		[MAPKIND_SPECIAL] = "special",
	};

	if ((unsigned)k >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[k];
}

/* ---- small pieces --------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex number at *p, at most 16 digits; advances *p.  -1 if none or too long. */
static int parse_hex(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int d, n = 0;

	while ((d = hexval(s[n])) >= 0) {
		if (n == 16)
			return -1;
		v = v << 4 | (uint64_t)d;
		n++;
	}
	if (n == 0)
		return -1;
	*p = s + n;
	*out = v;
	return 0;
}

/* Decimal digits only, the whole span.  -EINVAL or -ERANGE. */
static int span_u64(struct span sp, uint64_t *out)
{
	uint64_t v = 0;

	if (sp.len == 0)
		return -EINVAL;
	for (size_t i = 0; i < sp.len; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return -EINVAL;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(sp.s[i] - '0'), &v))
			return -ERANGE;
	}
	*out = v;
	return 0;
}

static bool span_is(struct span sp, const char *word)
{
	size_t n = strlen(word);

	return sp.len == n && memcmp(sp.s, word, n) == 0;
}

/* Next blank-separated token at *p; false at the end of the line. */
static bool span_next(const char **p, struct span *tok)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return false;
	tok->s = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	tok->len = (size_t)(s - tok->s);
	*p = s;
	return true;
}

/* Copy of a path, decoding the kernel's \ooo escapes of the characters it
 * escapes (only those: a literal backslash is not escaped by the kernel). */
static char *path_unescape(const char *s, size_t len, const char *escaped)
{
	char *out = malloc(len + 1), *o = out;
	size_t i = 0;
	int c;

	if (!out)
		return NULL;
	while (i < len) {
		if (s[i] == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			c = (s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0');
			if (c && strchr(escaped, c)) {
				*o++ = (char)c;
				i += 4;
				continue;
			}
		}
		*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

static bool prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

bool mapping_has_vmflag(const struct mapping *m, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = m->vmflags;

	while ((p = strstr(p, flag)) != NULL) {
		if ((p == m->vmflags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static enum map_kind maps_classify(const struct mapping *m)
{
	const char *p = m->path;

	if (m->huge || mapping_has_vmflag(m, "ht"))
		return MAPKIND_HUGETLB;
	if (!p || !*p)
		return MAPKIND_ANON;
	if (p[0] == '[') {
		if (strcmp(p, "[heap]") == 0)
			return MAPKIND_HEAP;
		if (prefix(p, "[stack"))         /* "[stack]", old "[stack:TID]" */
			return MAPKIND_STACK;
		if (prefix(p, "[anon_shmem:"))
			return MAPKIND_SHM;
		if (prefix(p, "[anon:"))
			return MAPKIND_ANON;
		return MAPKIND_SPECIAL;
	}
	if (prefix(p, "/anon_hugepage") || prefix(p, "/dev/hugepages"))
		return MAPKIND_HUGETLB;
	if (prefix(p, "/dev/zero") || prefix(p, "/SYSV") || prefix(p, "/memfd:") ||
	    prefix(p, "/dev/shm/"))
		return MAPKIND_SHM;
	if (p[0] == '/')
		return MAPKIND_FILE;
	return MAPKIND_SPECIAL;
}

static void mapping_clear(struct mapping *m)
{
	free(m->path);
	free(m->policy);
	free(m->node_pages);
	memset(m, 0, sizeof(*m));
}

uint64_t mapping_node_bytes(const struct mapping *m, int node)
{
	if (node < 0 || node >= m->node_slots || !m->node_pages)
		return 0;
	return m->node_pages[node] * m->page_size;
}

uint64_t mapping_numa_bytes(const struct mapping *m)
{
	uint64_t pages = 0;

	for (int n = 0; n < m->node_slots; n++)
		pages += m->node_pages[n];
	return pages * m->page_size;
}

static int list_push(struct mapping_list *l, struct mapping *m)
{
	struct mapping *v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *m;
	memset(m, 0, sizeof(*m));
	return 0;
}

void maps_free(struct mapping_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		mapping_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Ascending start addresses; a line going backwards is malformed. */
static bool mp_ascending(struct mp_state *st, uint64_t start)
{
	if (st->have_prev && start <= st->prev_start) {
		mp_warn(st, "mapping at %llx does not follow the one at %llx",
			(unsigned long long)start, (unsigned long long)st->prev_start);
		return false;
	}
	st->prev_start = start;
	st->have_prev = true;
	return true;
}

/* ---- merging ---------------------------------------------------------------- */

/* Move what src knows into dst (same start address). */
static void mapping_absorb(struct mapping *dst, struct mapping *src)
{
	if (src->have & MAP_F_NUMA) {
		free(dst->policy);
		free(dst->node_pages);
		dst->policy = src->policy;
		dst->node_pages = src->node_pages;
		dst->node_slots = src->node_slots;
		src->policy = NULL;
		src->node_pages = NULL;
		dst->page_size = src->page_size ? src->page_size : dst->page_size;
		dst->anon = src->anon;
		dst->dirty = src->dirty;
		dst->mapped = src->mapped;
		dst->mapmax = src->mapmax;
		dst->swapcache = src->swapcache;
		dst->active = src->active;
		dst->writeback = src->writeback;
		dst->huge = src->huge;
	}
	if (src->have & (MAP_F_SMAPS | MAP_F_MAPS)) {
		dst->end = src->end;
		memcpy(dst->perms, src->perms, sizeof(dst->perms));
		dst->offset = src->offset;
		dst->inode = src->inode;
		dst->dev = src->dev;
	}
	if (src->have & MAP_F_SMAPS) {
		if (!dst->page_size || !(dst->have & MAP_F_NUMA))
			dst->page_size = src->page_size;
		dst->size = src->size;
		dst->rss = src->rss;
		dst->pss = src->pss;
		dst->lazyfree = src->lazyfree;
		dst->anon_huge = src->anon_huge;
		dst->shmem_huge = src->shmem_huge;
		dst->file_huge = src->file_huge;
		dst->swap = src->swap;
		dst->locked = src->locked;
		dst->hugetlb_shared = src->hugetlb_shared;
		dst->hugetlb_private = src->hugetlb_private;
		dst->anonymous = src->anonymous;
		memcpy(dst->vmflags, src->vmflags, sizeof(dst->vmflags));
	}
	/* maps/smaps print the path unescaped and name [vdso] and friends,
	 * which numa_maps does not: theirs wins */
	if (src->path && (!dst->path || (src->have & (MAP_F_SMAPS | MAP_F_MAPS)))) {
		free(dst->path);
		dst->path = src->path;
		src->path = NULL;
	}
	dst->have |= src->have;
	dst->kind = maps_classify(dst);
}

static int mapping_cmp(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool list_sorted(const struct mapping_list *l)
{
	for (size_t i = 1; i < l->n; i++)
		if (l->v[i - 1].start > l->v[i].start)
			return false;
	return true;
}

/* Merge add (sorted, parsed from one file) into out by start address; add
 * is emptied.  In place: matching mappings are absorbed, then out grows by
 * the new ones only and is merged from the end, so a second file over the
 * same mappings costs no second array. */
static int maps_merge(struct mapping_list *out, struct mapping_list *add)
{
	size_t i = 0, j = 0, extra = 0, k;
	struct mapping *v;

	if (out->n == 0) {
		free(out->v);
		*out = *add;
		memset(add, 0, sizeof(*add));
		return 0;
	}
	if (!list_sorted(out))
		qsort(out->v, out->n, sizeof(*out->v), mapping_cmp);
	while (j < add->n) {
		if (i < out->n && out->v[i].start < add->v[j].start) {
			i++;
		} else if (i < out->n && out->v[i].start == add->v[j].start) {
			mapping_absorb(&out->v[i++], &add->v[j]);
			mapping_clear(&add->v[j++]);     /* have == 0: taken */
		} else {
			extra++;
			j++;
		}
	}
	if (extra) {
		if (out->n + extra > out->cap) {
			v = realloc(out->v, (out->n + extra) * sizeof(*v));
			if (!v) {
				maps_free(add);
				return -ENOMEM;
			}
			out->v = v;
			out->cap = out->n + extra;
		}
		i = out->n;
		j = add->n;
		k = out->n + extra;
		while (j > 0) {
			if (!add->v[j - 1].have)
				j--;
			else if (i > 0 && out->v[i - 1].start > add->v[j - 1].start)
				out->v[--k] = out->v[--i];
			else
				out->v[--k] = add->v[--j];
		}
		out->n += extra;
	}
	free(add->v);
	memset(add, 0, sizeof(*add));
	return 0;
}

/* ---- line reading ------------------------------------------------------------ */

typedef int (*line_fn)(struct mp_state *st, char *line, void *arg);

/* Feed every line of f to fn with one reused buffer; a line holding a NUL
 * byte is malformed.  Stops on fn's -errno (ENOMEM). */
static int mp_lines(FILE *f, struct mp_state *st, line_fn fn, void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&line, &cap, f)) > 0) {
		st->lineno++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (strlen(line) != (size_t)n) {
			mp_warn(st, "line holds a NUL byte");
			continue;
		}
		rc = fn(st, line, arg);
		if (rc < 0)
			break;
	}
	if (rc == 0 && ferror(f))
		rc = errno ? -errno : -EIO;
	free(line);
	return rc;
}

static struct mp_state *mp_new(const char *name, maps_warn_fn warn, void *ud)
{
	struct mp_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->name = name ? name : "?";
	st->warn = warn;
	st->ud = ud;
	st->maxnode = -1;
	return st;
}

/* ---- numa_maps ----------------------------------------------------------------- */

struct numa_field {
	const char *key;
	size_t off;
};

static const struct numa_field numa_fields[] = {
	{ "anon",      offsetof(struct mapping, anon) },
	{ "dirty",     offsetof(struct mapping, dirty) },
	{ "mapped",    offsetof(struct mapping, mapped) },
	{ "mapmax",    offsetof(struct mapping, mapmax) },
	{ "swapcache", offsetof(struct mapping, swapcache) },
	{ "active",    offsetof(struct mapping, active) },
	{ "writeback", offsetof(struct mapping, writeback) },
};

/* "N<digits>" */
static bool numa_is_node_key(struct span key)
{
	if (key.len < 2 || key.s[0] != 'N')
		return false;
	for (size_t i = 1; i < key.len; i++)
		if (key.s[i] < '0' || key.s[i] > '9')
			return false;
	return true;
}

/* A token the kernel prints after the policy: ends a path or policy. */
static bool numa_is_field(struct span t)
{
	const char *eq = memchr(t.s, '=', t.len);
	struct span key;

	if (span_is(t, "heap") || span_is(t, "stack") || span_is(t, "huge"))
		return true;
	if (!eq)
		return false;
	key.s = t.s;
	key.len = (size_t)(eq - t.s);
	if (span_is(key, "file") || span_is(key, "kernelpagesize_kB") ||
	    numa_is_node_key(key))
		return true;
	for (size_t i = 0; i < sizeof(numa_fields) / sizeof(numa_fields[0]); i++)
		if (span_is(key, numa_fields[i].key))
			return true;
	return false;
}

/* Policy tokens: one word, or "weighted interleave..." / "prefer (many)..." */
static void numa_policy(const char **p, struct span *pol)
{
	const char *s = *p;
	struct span next;

	for (;;) {
		const char *save = s;

		if (!span_next(&s, &next))
			break;
		if (!(span_is(*pol, "weighted") || next.s[0] == '(') || numa_is_field(next)) {
			s = save;
			break;
		}
		pol->len = (size_t)(next.s + next.len - pol->s);
	}
	*p = s;
}

/* file=PATH: PATH runs up to the next known field (the kernel escapes
 * blanks, hand-written files may not). */
static void numa_path(const char **p, struct span *path)
{
	const char *s = *p;
	struct span next;

	for (;;) {
		const char *save = s;

		if (!span_next(&s, &next))
			break;
		if (numa_is_field(next)) {
			s = save;
			break;
		}
		path->len = (size_t)(next.s + next.len - path->s);
	}
	*p = s;
}

/* N<node>=<pages> */
static int numa_node_field(struct mp_state *st, struct span tok, struct span key,
			   struct span val)
{
	struct span id = { key.s + 1, key.len - 1 };
	uint64_t node, pages;

	if (span_u64(id, &node) < 0 || node >= NS_MAX_NODES) {
		mp_warn(st, "node %.*s out of range (highest is %d) in '%.*s'",
			SHOW(id), NS_MAX_NODES - 1, SHOW(tok));
		return -1;
	}
	if (span_u64(val, &pages) < 0) {
		mp_warn(st, "bad page count in '%.*s'", SHOW(tok));
		return -1;
	}
	st->nodes[node] += pages;
	if ((int)node > st->maxnode)
		st->maxnode = (int)node;
	return 0;
}

/* One "key=value" token other than file=. */
static int numa_kv(struct mp_state *st, struct mapping *m, struct span tok,
		   const char *eq, bool *have_kps)
{
	struct span key = { tok.s, (size_t)(eq - tok.s) };
	struct span val = { eq + 1, tok.len - key.len - 1 };
	uint64_t v;
	int rc;

	if (numa_is_node_key(key))
		return numa_node_field(st, tok, key, val);
	for (size_t i = 0; i < sizeof(numa_fields) / sizeof(numa_fields[0]); i++) {
		if (!span_is(key, numa_fields[i].key))
			continue;
		rc = span_u64(val, &v);
		if (rc < 0) {
			mp_warn(st, "%s in '%.*s'", rc == -ERANGE ?
				"number too large" : "bad number", SHOW(tok));
			return -1;
		}
		*(uint64_t *)((char *)m + numa_fields[i].off) = v;
		return 0;
	}
	if (span_is(key, "kernelpagesize_kB")) {
		rc = span_u64(val, &v);
		if (rc < 0 || v == 0 || v > (UINT64_MAX >> 10)) {
			mp_warn(st, "bad page size in '%.*s'", SHOW(tok));
			return -1;
		}
		m->page_size = v << 10;
		*have_kps = true;
		return 0;
	}
	/* a field of a newer kernel looks like the others: lower case */
	if (key.len == 0 || strspn(key.s, "abcdefghijklmnopqrstuvwxyz_") < key.len) {
		mp_warn(st, "unexpected '%.*s'", SHOW(tok));
		return -1;
	}
	return 0;
}

static int numa_take_nodes(struct mp_state *st, struct mapping *m)
{
	int slots = st->maxnode + 1;

	if (slots == 0)
		return 0;
	m->node_pages = malloc((size_t)slots * sizeof(*m->node_pages));
	if (!m->node_pages)
		return -ENOMEM;
	memcpy(m->node_pages, st->nodes, (size_t)slots * sizeof(*m->node_pages));
	m->node_slots = slots;
	return 0;
}

/* Parse one numa_maps line into m.  1: ok, 0: malformed (warned),
 * -ENOMEM. */
static int numa_line(struct mp_state *st, const char *line, struct mapping *m)
{
	const char *p = line, *eq, *special = NULL;
	struct span tok, pol, path = { NULL, 0 };
	bool have_kps = false;

	if (parse_hex(&p, &m->start) < 0 || (*p != ' ' && *p != '\0')) {
		tok.s = line;
		tok.len = strcspn(line, " ");
		mp_warn(st, "bad address '%.*s'", SHOW(tok));
		return 0;
	}
	if (!span_next(&p, &pol) || numa_is_field(pol)) {
		mp_warn(st, "no memory policy after the address (truncated line?)");
		return 0;
	}
	numa_policy(&p, &pol);
	while (span_next(&p, &tok)) {
		if (span_is(tok, "heap") || span_is(tok, "stack")) {
			special = tok.s[0] == 'h' ? "[heap]" : "[stack]";
			continue;
		}
		if (span_is(tok, "huge")) {
			m->huge = true;
			continue;
		}
		eq = memchr(tok.s, '=', tok.len);
		if (!eq) {
			mp_warn(st, "unexpected '%.*s'", SHOW(tok));
			return 0;
		}
		if (eq - tok.s == 4 && memcmp(tok.s, "file", 4) == 0) {
			path.s = eq + 1;
			path.len = tok.len - 5;
			numa_path(&p, &path);
			if (path.len == 0) {
				mp_warn(st, "empty file= path");
				return 0;
			}
			continue;
		}
		if (numa_kv(st, m, tok, eq, &have_kps) < 0)
			return 0;
	}
	if (st->maxnode >= 0 && !have_kps) {
		mp_warn(st, "page counts without kernelpagesize_kB (truncated line?)");
		return 0;
	}
	if (!mp_ascending(st, m->start))
		return 0;
	m->policy = strndup(pol.s, pol.len);
	if (path.s)
		m->path = path_unescape(path.s, path.len, "\n\t =");
	else if (special)
		m->path = strdup(special);
	if (!m->policy || ((path.s || special) && !m->path) ||
	    numa_take_nodes(st, m) < 0)
		return -ENOMEM;
	m->have = MAP_F_NUMA;
	m->kind = maps_classify(m);
	return 1;
}

static int numa_line_fn(struct mp_state *st, char *line, void *arg)
{
	struct mapping m;
	int rc;

	memset(&m, 0, sizeof(m));
	rc = numa_line(st, line, &m);
	if (st->maxnode >= 0) {
		memset(st->nodes, 0, (size_t)(st->maxnode + 1) * sizeof(st->nodes[0]));
		st->maxnode = -1;
	}
	if (rc == 1)
		rc = list_push(arg, &m);
	mapping_clear(&m);
	return rc < 0 ? rc : 0;
}

/* ---- smaps and maps ---------------------------------------------------------- */

/* "rw-p " (stops at the first wrong byte, so never reads past a NUL) */
static bool perms_ok(const char *p)
{
	return (p[0] == 'r' || p[0] == '-') && (p[1] == 'w' || p[1] == '-') &&
	       (p[2] == 'x' || p[2] == '-') && (p[3] == 'p' || p[3] == 's') &&
	       p[4] == ' ';
}

/* "START-END PERMS OFFSET MAJ:MIN INODE [PATH]" into m.  false: malformed
 * (warned). */
static bool maps_header(struct mp_state *st, const char *line, struct mapping *m)
{
	const char *p = line;
	uint64_t major, minor;
	struct span ino;

	if (parse_hex(&p, &m->start) < 0 || *p++ != '-' ||
	    parse_hex(&p, &m->end) < 0 || *p++ != ' ')
		goto bad;
	if (m->end <= m->start) {
		mp_warn(st, "mapping %llx-%llx ends before it starts",
			(unsigned long long)m->start, (unsigned long long)m->end);
		return false;
	}
	if (!perms_ok(p))
		goto bad;
	memcpy(m->perms, p, 4);
	m->perms[4] = '\0';
	p += 5;
	if (parse_hex(&p, &m->offset) < 0 || *p++ != ' ' ||
	    parse_hex(&p, &major) < 0 || *p++ != ':' || parse_hex(&p, &minor) < 0 ||
	    *p++ != ' ')
		goto bad;
	m->dev = makedev((unsigned)major, (unsigned)minor);
	ino.s = p;
	ino.len = strspn(p, "0123456789");
	if (span_u64(ino, &m->inode) < 0 || (p[ino.len] != ' ' && p[ino.len] != '\0'))
		goto bad;
	p += ino.len;
	while (*p == ' ')
		p++;
	if (*p) {
		m->path = path_unescape(p, strlen(p), "\n");
		if (!m->path)
			return false;
	}
	return true;
bad:
	mp_warn(st, "bad mapping header '%.60s'", line);
	return false;
}

/* smaps/smaps_rollup "Key: N kB" lines, in the kernel's order, with where
 * the kept ones go.  The lookup starts after the key matched last, so in
 * the kernel's order each line costs one comparison. */
struct smaps_key {
	const char *name;
	size_t len;
	int moff;   /* offset in struct mapping, -1: not kept there */
	int roff;   /* offset in struct smaps_rollup, -1: not kept there */
};

#define MOFF(f) (int)offsetof(struct mapping, f)
#define ROFF(f) (int)offsetof(struct smaps_rollup, f)
#define KEY(name, m, r) { name, sizeof(name) - 1, m, r }
static const struct smaps_key smaps_keys[] = {
	KEY("Size",            MOFF(size),            -1),
	KEY("KernelPageSize",  MOFF(page_size),       -1),
	KEY("MMUPageSize",     -1,                    -1),
	KEY("Rss",             MOFF(rss),             ROFF(rss)),
	KEY("Pss",             MOFF(pss),             ROFF(pss)),
	KEY("Pss_Dirty",       -1,                    -1),
	KEY("Pss_Anon",        -1,                    -1),
	KEY("Pss_File",        -1,                    -1),
	KEY("Pss_Shmem",       -1,                    -1),
	KEY("Shared_Clean",    -1,                    -1),
	KEY("Shared_Dirty",    -1,                    -1),
	KEY("Private_Clean",   -1,                    -1),
	KEY("Private_Dirty",   -1,                    -1),
	KEY("Referenced",      -1,                    -1),
	KEY("Anonymous",       MOFF(anonymous),       ROFF(anon)),
	KEY("KSM",             -1,                    -1),
	KEY("LazyFree",        MOFF(lazyfree),        ROFF(lazyfree)),
	KEY("AnonHugePages",   MOFF(anon_huge),       ROFF(anon_huge)),
	KEY("ShmemPmdMapped",  MOFF(shmem_huge),      ROFF(shmem_huge)),
	KEY("FilePmdMapped",   MOFF(file_huge),       ROFF(file_huge)),
	KEY("Shared_Hugetlb",  MOFF(hugetlb_shared),  -1),
	KEY("Private_Hugetlb", MOFF(hugetlb_private), -1),
	KEY("Swap",            MOFF(swap),            ROFF(swap)),
	KEY("SwapPss",         -1,                    -1),
	KEY("Locked",          MOFF(locked),          ROFF(locked)),
	KEY("THPeligible",     -1,                    -1),
	KEY("ProtectionKey",   -1,                    -1),
};
#define NKEYS (int)(sizeof(smaps_keys) / sizeof(smaps_keys[0]))

enum { LINE_BAD, LINE_HEADER, LINE_KEY, LINE_VMFLAGS, LINE_UNKNOWN_KEY };

/* What an smaps line is, by its start: hex digits then '-' for a header,
 * a word then ':' for a key. */
static int smaps_kind(const char *line, const char **colon)
{
	const char *p = line;

	while (hexval(*p) >= 0)
		p++;
	if (p > line && *p == '-')
		return LINE_HEADER;
	for (p = line; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	     (*p >= '0' && *p <= '9') || *p == '_'; p++)
		;
	if (p == line || *p != ':')
		return LINE_BAD;
	*colon = p;
	if (p - line == 7 && memcmp(line, "VmFlags", 7) == 0)
		return LINE_VMFLAGS;
	return LINE_KEY;
}

/* Index of a key in smaps_keys, or -1; *hint is where the search starts
 * and is moved past the match. */
static int smaps_key_find(struct span key, int *hint)
{
	int i = *hint;

	for (int n = 0; n < NKEYS; n++, i = (i + 1) % NKEYS) {
		if (smaps_keys[i].len == key.len &&
		    memcmp(smaps_keys[i].name, key.s, key.len) == 0) {
			*hint = (i + 1) % NKEYS;
			return i;
		}
	}
	return -1;
}

/* A kept key's value "   123 kB" in bytes.  Returns the key index, -1 for
 * a key we do not keep (its value is not looked at), -2 for a bad value
 * (warned). */
static int smaps_value(struct mp_state *st, const char *line, const char *colon,
		       uint64_t *bytes)
{
	struct span key = { line, (size_t)(colon - line) }, num;
	const char *p = colon + 1;
	uint64_t v;
	int i, rc;

	i = smaps_key_find(key, &st->key_hint);
	if (i < 0 || (smaps_keys[i].moff < 0 && smaps_keys[i].roff < 0))
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	num.s = p;
	num.len = strspn(p, "0123456789");
	rc = span_u64(num, &v);
	p += num.len;
	if (rc == 0 && (p[0] != ' ' || p[1] != 'k' || p[2] != 'B' || p[3] != '\0'))
		rc = -EINVAL;
	if (rc == 0 && __builtin_mul_overflow(v, 1024, &v))
		rc = -ERANGE;
	if (rc < 0) {
		mp_warn(st, "bad value for %.*s: '%.40s'", SHOW(key), colon + 1);
		return -2;
	}
	*bytes = v;
	return i;
}

/* VmFlags into a fixed buffer, cut after the last whole flag that fits. */
static void smaps_vmflags(struct mapping *m, const char *p)
{
	size_t n = 0;
	struct span tok;

	m->vmflags[0] = '\0';
	while (span_next(&p, &tok)) {
		if (n + (n > 0) + tok.len >= sizeof(m->vmflags))
			break;
		if (n)
			m->vmflags[n++] = ' ';
		memcpy(m->vmflags + n, tok.s, tok.len);
		n += tok.len;
		m->vmflags[n] = '\0';
	}
}

/* smaps parse: cur is the mapping being filled (in the list), or none
 * after a bad header, whose value lines are then skipped quietly. */
struct smaps_ctx {
	struct mapping_list *list;
	bool cur;
	bool bad_header;
};

static int smaps_line_fn(struct mp_state *st, char *line, void *arg)
{
	struct smaps_ctx *c = arg;
	struct mapping m, *cur;
	const char *colon = NULL;
	uint64_t v;
	int kind, i;

	kind = smaps_kind(line, &colon);
	if (kind == LINE_HEADER) {
		memset(&m, 0, sizeof(m));
		c->cur = false;
		c->bad_header = true;
		if (!maps_header(st, line, &m) || !mp_ascending(st, m.start)) {
			mapping_clear(&m);
			return 0;
		}
		m.have = MAP_F_SMAPS;
		m.kind = maps_classify(&m);
		if (list_push(c->list, &m) < 0) {
			mapping_clear(&m);
			return -ENOMEM;
		}
		c->cur = true;
		c->bad_header = false;
		return 0;
	}
	if (kind == LINE_BAD) {
		mp_warn(st, "unrecognised line '%.60s'", line);
		return 0;
	}
	if (!c->cur) {
		if (!c->bad_header)
			mp_warn(st, "value line before any mapping header");
		c->bad_header = true;   /* one warning is enough */
		return 0;
	}
	cur = &c->list->v[c->list->n - 1];
	if (kind == LINE_VMFLAGS) {
		smaps_vmflags(cur, colon + 1);
		cur->kind = maps_classify(cur);
		return 0;
	}
	i = smaps_value(st, line, colon, &v);
	if (i >= 0 && smaps_keys[i].moff >= 0)
		*(uint64_t *)((char *)cur + smaps_keys[i].moff) = v;
	return 0;
}

static int maps_line_fn(struct mp_state *st, char *line, void *arg)
{
	struct mapping m;

	memset(&m, 0, sizeof(m));
	if (!maps_header(st, line, &m) || !mp_ascending(st, m.start)) {
		mapping_clear(&m);
		return 0;
	}
	m.have = MAP_F_MAPS;
	m.kind = maps_classify(&m);
	if (list_push(arg, &m) < 0) {
		mapping_clear(&m);
		return -ENOMEM;
	}
	return 0;
}

/* ---- entry points -------------------------------------------------------------- */

static int maps_parse(FILE *f, const char *name, struct mapping_list *out,
		      maps_warn_fn warn, void *ud, line_fn fn, bool smaps)
{
	struct mapping_list add = { NULL, 0, 0 };
	struct smaps_ctx ctx = { &add, false, false };
	struct mp_state *st;
	int rc;

	if (!f || !out)
		return -EINVAL;
	st = mp_new(name, warn, ud);
	if (!st)
		return -ENOMEM;
	rc = mp_lines(f, st, fn, smaps ? (void *)&ctx : (void *)&add);
	free(st);
	if (rc < 0) {
		maps_free(&add);
		return rc;
	}
	return maps_merge(out, &add);
}

int maps_parse_numa_maps(FILE *f, const char *name, struct mapping_list *out,
			 maps_warn_fn warn, void *ud)
{
	return maps_parse(f, name, out, warn, ud, numa_line_fn, false);
}

int maps_parse_smaps(FILE *f, const char *name, struct mapping_list *out,
		     maps_warn_fn warn, void *ud)
{
	return maps_parse(f, name, out, warn, ud, smaps_line_fn, true);
}

int maps_parse_maps(FILE *f, const char *name, struct mapping_list *out,
		    maps_warn_fn warn, void *ud)
{
	return maps_parse(f, name, out, warn, ud, maps_line_fn, false);
}

/* Open /proc/PID/<file> with a large stdio buffer: the kernel fills each
 * read() of a seq_file as far as the buffer goes, so fewer, larger reads. */
static FILE *maps_open(pid_t pid, const char *file, char **iobuf, int *err)
{
	enum { IOBUF = 64 * 1024 };
	FILE *f;

	*iobuf = NULL;
	f = path_fopen("/proc/%d/%s", (int)pid, file);
	if (!f) {
		*err = -errno;
		if (*err == -ENOENT && !path_exists("/proc/%d", (int)pid))
			*err = -ESRCH;
		return NULL;
	}
	*iobuf = malloc(IOBUF);
	if (*iobuf)
		setvbuf(f, *iobuf, _IOFBF, IOBUF);
	return f;
}

typedef int (*parse_fn)(FILE *f, const char *name, struct mapping_list *out,
			maps_warn_fn warn, void *ud);

static int maps_read(pid_t pid, const char *file, parse_fn parse,
		     struct mapping_list *out, maps_warn_fn warn, void *ud)
{
	char name[64], *iobuf;
	FILE *f;
	int rc;

	f = maps_open(pid, file, &iobuf, &rc);
	if (!f)
		return rc;
	snprintf(name, sizeof(name), "/proc/%d/%s", (int)pid, file);
	rc = parse(f, name, out, warn, ud);
	fclose(f);
	free(iobuf);
	return rc;
}

int maps_read_numa_maps(pid_t pid, struct mapping_list *out,
			maps_warn_fn warn, void *ud)
{
	return maps_read(pid, "numa_maps", maps_parse_numa_maps, out, warn, ud);
}

int maps_read_smaps(pid_t pid, struct mapping_list *out,
		    maps_warn_fn warn, void *ud)
{
	return maps_read(pid, "smaps", maps_parse_smaps, out, warn, ud);
}

int maps_read_maps(pid_t pid, struct mapping_list *out,
		   maps_warn_fn warn, void *ud)
{
	return maps_read(pid, "maps", maps_parse_maps, out, warn, ud);
}

static int rollup_line_fn(struct mp_state *st, char *line, void *arg)
{
	struct smaps_rollup *r = arg;
	struct mapping m;
	const char *colon = NULL;
	uint64_t v;
	int kind, i;

	kind = smaps_kind(line, &colon);
	if (kind == LINE_HEADER) {
		memset(&m, 0, sizeof(m));
		maps_header(st, line, &m);
		mapping_clear(&m);
		return 0;
	}
	if (kind == LINE_BAD) {
		mp_warn(st, "unrecognised line '%.60s'", line);
		return 0;
	}
	if (kind == LINE_VMFLAGS)
		return 0;
	i = smaps_value(st, line, colon, &v);
	if (i >= 0 && smaps_keys[i].roff >= 0)
		*(uint64_t *)((char *)r + smaps_keys[i].roff) = v;
	return 0;
}

int maps_read_rollup(pid_t pid, struct smaps_rollup *r,
		     maps_warn_fn warn, void *ud)
{
	char name[64], *iobuf;
	struct mp_state *st;
	FILE *f;
	int rc;

	memset(r, 0, sizeof(*r));
	f = maps_open(pid, "smaps_rollup", &iobuf, &rc);
	if (!f)
		return rc;
	snprintf(name, sizeof(name), "/proc/%d/smaps_rollup", (int)pid);
	st = mp_new(name, warn, ud);
	rc = st ? mp_lines(f, st, rollup_line_fn, r) : -ENOMEM;
	free(st);
	fclose(f);
	free(iobuf);
	return rc;
}

struct mapping *maps_find(struct mapping_list *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;
	struct mapping *m;

	/* the last mapping starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	m = &l->v[lo - 1];
	if (m->end ? addr < m->end : addr == m->start)
		return m;
	return NULL;
}

/* ---- hugetlb without a page walk ---------------------------------------- */

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U   /* Linux 6.3; vm.memfd_noexec=2 requires it */
#endif

/* The device of the kernel's shmem mount: a memfd of our own lives there
 * (mm/shmem.c: memfd_create, SysV shm and shared anonymous memory all use
 * shm_mnt unless they are hugetlb).  0 when no memfd can be made. */
static uint64_t maps_shm_dev(void)
{
	static uint64_t dev;
	static bool done;
	struct stat st;
	int fd;

	if (done)
		return dev;
	done = true;
	fd = memfd_create("numashift", MFD_CLOEXEC);
	if (fd < 0)
		fd = memfd_create("numashift", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0)
		dev = st.st_dev;
	close(fd);
	return dev;
}

/* Add the mounts of one mountinfo file to out (vcap: its capacity). */
static int maps_mounts_add(FILE *f, struct maps_hugetlb_devs *out, size_t *vcap)
{
	char *line = NULL;
	size_t cap = 0;
	struct path_mount pm;
	int rc = 0;

	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		if (path_mountinfo_line(line, &pm) < 0)
			continue;
		if (out->n == *vcap) {
			size_t c = *vcap ? *vcap * 2 : 64;
			struct maps_mount_dev *v = realloc(out->v, c * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			out->v = v;
			*vcap = c;
		}
		out->v[out->n].dev = makedev(pm.major, pm.minor);
		out->v[out->n++].hugetlbfs = strcmp(pm.fstype, "hugetlbfs") == 0;
	}
	free(line);
	fclose(f);
	return rc;
}

int maps_hugetlb_devs(pid_t pid, struct maps_hugetlb_devs *out)
{
	size_t vcap = 0;
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	f = path_fopen("/proc/%d/mountinfo", (int)pid);
	if (!f) {
		rc = -errno;
		return rc == -ENOENT && !path_exists("/proc/%d", (int)pid) ? -ESRCH : rc;
	}
	rc = maps_mounts_add(f, out, &vcap);
	/* and our own: a process in a container maps files whose device is
	 * the host's (overlayfs layers), which only the host's list names;
	 * device numbers are the same in every mount namespace */
	if (rc == 0 && (f = path_fopen("/proc/self/mountinfo")) != NULL)
		rc = maps_mounts_add(f, out, &vcap);
	if (rc < 0) {
		maps_hugetlb_devs_free(out);
		return rc;
	}
	out->shm = maps_shm_dev();
	return 0;
}

void maps_hugetlb_devs_free(struct maps_hugetlb_devs *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

bool maps_may_be_hugetlb(const struct mapping *m, const struct maps_hugetlb_devs *d)
{
	switch (m->kind) {
	case MAPKIND_HUGETLB:
		return true;
	case MAPKIND_ANON: case MAPKIND_HEAP: case MAPKIND_STACK: case MAPKIND_SPECIAL:
		return false;
	case MAPKIND_FILE: case MAPKIND_SHM:
		break;
	}
	if (d->shm && m->dev == d->shm)
		return false;
	/* shmem's own names off the shmem mount: a hugetlb segment or memfd */
	if (m->kind == MAPKIND_SHM && m->path &&
	    (prefix(m->path, "/SYSV") || prefix(m->path, "/memfd:") ||
	     prefix(m->path, "/dev/zero") || prefix(m->path, "[anon_shmem:")))
		return true;
	for (size_t i = 0; i < d->n; i++)
		if (m->dev == d->v[i].dev)
			return d->v[i].hugetlbfs;
	/* a device the process's mountinfo does not list (a mount outside its
	 * root, unmounted since, or a kernel-internal one): cannot tell */
	return true;
}
