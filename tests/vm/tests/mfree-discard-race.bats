#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# A write right after mfree-discard's re-check and before its
# process_madvise call is never lost.  The re-check (kpageflags) cannot see
# such a write: the page stays !swapbacked, only its PTE is dirty.  What
# keeps the data is the kernel: MADV_PAGEOUT reclaims through
# try_to_unmap_one, which clears the PTE (and flushes the TLB) before it
# looks at the dirty bit, so a write either came first and keeps the page
# (re-marked swapbacked) or faults after the clear onto a new page.  The
# workload (tests/helpers/lazyrace.c) frees its region, writes every word
# of every page again and reads it back, round after round, while
# mfree-discard runs again and again; "kept" in mfree-discard's report
# counts pages passed to the kernel as lazily free yet present afterwards:
# written in that window.

load common

# lazyrace in the background (start_helper's ready line and cleanup).
start_race() { NS_HELPER_BIN=lazyrace start_helper "$@"; }

# SIGTERM the workload; its status and summary line in $RACE_RC, $RACE_LINE.
stop_race() {
	RACE_RC=0
	kill -TERM "$HELPER_PID"
	wait "$HELPER_PID" || RACE_RC=$?
	NS_HELPER_PIDS=$(echo " $NS_HELPER_PIDS " | sed "s/ $HELPER_PID / /")
	RACE_LINE=$(grep '^rounds=' "$HELPER_OUT" | tail -n 1)
}

# mfree-discard on the workload RUNS times; sums of discarded and kept
# bytes in $DISCARDED, $KEPT; a bad exit or a crash goes to $BAD.
discard_loop() { # RUNS [options]
	local runs=$1 i rc
	shift
	DISCARDED=0 KEPT=0 UNCOLLAPSED=0
	for ((i = 0; i < runs; i++)); do
		rc=0
		mfree-discard -q -J "$@" -p "$HELPER_PID" >"$BATS_TEST_TMPDIR/j" 2>"$BATS_TEST_TMPDIR/err" 3>&- || rc=$?
		[ "$rc" = 0 ] || echo "run $i: exit $rc: $(head -c 300 "$BATS_TEST_TMPDIR/err")" >>"$BAD"
		DISCARDED=$((DISCARDED + $(jq '.processes[0].discarded // 0' "$BATS_TEST_TMPDIR/j")))
		KEPT=$((KEPT + $(jq '.processes[0].kept // 0' "$BATS_TEST_TMPDIR/j")))
		UNCOLLAPSED=$((UNCOLLAPSED + $(jq '.processes[0].thp.collapse_failed // 0' "$BATS_TEST_TMPDIR/j")))
	done
}

@test "the workload sees a page it wrote dropped (the check can fail)" {
	start_race --mib 4 --drop-written
	sleep 1
	stop_race
	echo "# $RACE_LINE" >&3
	assert_equal "$RACE_RC" 1
	run grep -c '^lost offset=' "$HELPER_OUT"
	[ "$output" -gt 0 ]
}

@test "4 KiB pages: 40 runs against a writer, no written page lost" {
	BAD=$BATS_TEST_TMPDIR/bad
	: >"$BAD"
	start_race --mib 32
	discard_loop 40
	stop_race
	echo "# $RACE_LINE; mfree-discard: discarded $DISCARDED, kept $KEPT bytes" >&3
	[ ! -s "$BAD" ] || fail "$(cat "$BAD")"
	[ "$RACE_RC" = 0 ] || fail "written data lost: $RACE_LINE $(grep -m 5 '^lost' "$HELPER_OUT")"
	# the discarder really dropped lazily freed pages during the rounds, and
	# really passed pages that were written again before its call
	[ "$(sed -n 's/.*zero_before_write=\([0-9]*\).*/\1/p' <<<"$RACE_LINE")" -gt 0 ] ||
		fail "no page was discarded while the workload ran: $RACE_LINE"
	[ "$KEPT" -gt 0 ] || fail "no page was written between the re-check and the call"
}

@test "THPs: 20 runs against a writer, no written page lost (pageout and collapse)" {
	BAD=$BATS_TEST_TMPDIR/bad
	: >"$BAD"
	local thp=/sys/kernel/mm/transparent_hugepage/enabled was
	was=$(sed 's/.*\[\(.*\)\].*/\1/' "$thp")
	[ "$was" != never ] || echo madvise >"$thp"
	start_race --mib 32 --thp
	[ "$was" != never ] || echo never >"$thp"
	[ "$(anon_huge_kb "$HELPER_PID")" -gt 0 ] || skip "no THPs"
	discard_loop 20
	stop_race
	# a THP MADV_COLLAPSE still refuses after its retries stays split (a
	# warning, exit 0): counted here, not a failure
	echo "# $RACE_LINE; mfree-discard: discarded $DISCARDED, kept $KEPT bytes, $UNCOLLAPSED THPs left split" >&3
	[ ! -s "$BAD" ] || fail "$(cat "$BAD")"
	[ "$RACE_RC" = 0 ] || fail "written data lost: $RACE_LINE $(grep -m 5 '^lost' "$HELPER_OUT")"
}
