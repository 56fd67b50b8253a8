/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
/* lazyrace: lazily freed memory that a discarder acts on while it is
 * written again, for the guest tests of mfree-discard.
 *
 *   lazyrace --mib N [--thp] [--hold] [--drop-written] [--ready FILE]
 *
 * Default (the race): a thread loops over rounds; each round frees the
 * whole region with MADV_FREE, then writes every 8-byte word of every page
 * again with the round's value (a hash of offset and round, never zero),
 * in ascending page order on even rounds and descending on odd ones, then
 * reads the whole region back.  A page written after MADV_FREE must keep
 * what was written: any word that reads back otherwise is reported on
 * stderr ("lost offset=N round=R got=V") and counted.  Before writing a
 * page the thread reads its first word: zero means the page was discarded
 * while lazily free (allowed; counted to show the discarder was at work).
 *
 * --drop-written: the test of the test: each round drops one page just
 * written (MADV_DONTNEED), as a discarder that lost a write would; the
 * check must then count it lost.
 *
 * --hold: one round's MADV_FREE and nothing more; the pages stay lazily
 * free.  SIGUSR2 then makes the process exec "sleep 1000" (same PID, new
 * address space).
 *
 * Both print "ready pid=P addr=A len=L" (stdout and --ready FILE, written
 * atomically) once the region is lazily free.  SIGTERM/SIGINT stops the
 * loop after its current page, prints "rounds=R zero_before_write=Z lost=L"
 * and exits 0 when nothing was lost, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t *region;
static size_t region_len, page_words, pages;
static atomic_bool stopping;
static bool drop_written;
static atomic_uint_fast64_t rounds, zero_before, lost;

static void die(const char *what)
{
	fprintf(stderr, "lazyrace: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The value of word w in round r: never zero (low bit set). */
static uint64_t word_value(uint64_t w, uint64_t r)
{
	uint64_t x = (w + 1) * 0x9e3779b97f4a7c15ULL ^ (r + 1) * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	return x | 1;
}

static void write_page(size_t p, uint64_t r)
{
	uint64_t *w = region + p * page_words;

	if (w[0] == 0)
		atomic_fetch_add(&zero_before, 1);
	for (size_t i = 0; i < page_words; i++)
		w[i] = word_value(p * page_words + i, r);
}

static void check_region(uint64_t r)
{
	for (size_t i = 0; i < pages * page_words; i++) {
		uint64_t got = region[i];

		if (got != word_value(i, r)) {
			atomic_fetch_add(&lost, 1);
			fprintf(stderr, "lost offset=%zu round=%" PRIu64 " got=%#" PRIx64 "\n",
				i * 8, r, got);
		}
	}
}

static void *race_loop(void *arg)
{
	(void)arg;
	for (uint64_t r = 1; !atomic_load(&stopping); r++) {
		if (madvise(region, region_len, MADV_FREE))
			die("madvise MADV_FREE");
		for (size_t k = 0; k < pages; k++) {
			if (atomic_load(&stopping))
				return NULL;   /* a round half written is not checked */
			write_page(r % 2 ? pages - 1 - k : k, r);
		}
		if (drop_written && madvise(region + (r % pages) * page_words,
					    page_words * 8, MADV_DONTNEED))
			die("madvise MADV_DONTNEED");
		check_region(r);
		atomic_store(&rounds, r);
	}
	return NULL;
}

static void ready(const char *path)
{
	char line[160], tmp[4096];
	FILE *f;

	snprintf(line, sizeof(line), "ready pid=%d addr=%p len=%zu\n", (int)getpid(),
		 (void *)region, region_len);
	fputs(line, stdout);
	fflush(stdout);
	if (!path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(line, f) < 0 || fclose(f) || rename(tmp, path))
		die(path);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "thp", no_argument, NULL, 't' },
		{ "hold", no_argument, NULL, 'H' },
		{ "ready", required_argument, NULL, 'r' },
		{ "drop-written", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ready_path = NULL;
	bool thp = false, hold = false;
	unsigned long mib = 32;
	pthread_t tid;
	sigset_t set;
	int c, sig;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': mib = strtoul(optarg, NULL, 10); break;
		case 't': thp = true; break;
		case 'H': hold = true; break;
		case 'r': ready_path = optarg; break;
		case 'D': drop_written = true; break;
		default:
			fprintf(stderr, "usage: lazyrace --mib N [--thp] [--hold] "
				"[--drop-written] [--ready FILE]\n");
			return 2;
		}
	}
	if (mib == 0 || mib > 4096) {
		fprintf(stderr, "lazyrace: --mib %lu: 1 to 4096\n", mib);
		return 2;
	}
	/* the main thread takes the signals (sigwait); the loop never does */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	region_len = mib << 20;
	page_words = (size_t)sysconf(_SC_PAGESIZE) / 8;
	pages = region_len / (page_words * 8);
	/* 2 MiB aligned, so that --thp gets whole THPs */
	region = mmap(NULL, region_len + (2 << 20), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		die("mmap");
	region = (uint64_t *)(((uintptr_t)region + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
	madvise(region, region_len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	for (size_t p = 0; p < pages; p++)
		write_page(p, 0);
	atomic_store(&zero_before, 0);   /* the first touch of each page */
	if (hold) {
		if (madvise(region, region_len, MADV_FREE))
			die("madvise MADV_FREE");
	} else if (pthread_create(&tid, NULL, race_loop, NULL)) {
		errno = EAGAIN;
		die("pthread_create");
	}
	ready(ready_path);
	for (;;) {
		if (sigwait(&set, &sig))
			die("sigwait");
		if (sig == SIGUSR2 && hold) {
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
			execlp("sleep", "sleep", "1000", (char *)NULL);
			die("exec sleep");
		}
		if (sig != SIGUSR2)
			break;
	}
	atomic_store(&stopping, true);
	if (!hold)
		pthread_join(tid, NULL);
	printf("rounds=%" PRIu64 " zero_before_write=%" PRIu64 " lost=%" PRIu64 "\n",
	       (uint64_t)atomic_load(&rounds), (uint64_t)atomic_load(&zero_before),
	       (uint64_t)atomic_load(&lost));
	return atomic_load(&lost) ? 1 : 0;
}
