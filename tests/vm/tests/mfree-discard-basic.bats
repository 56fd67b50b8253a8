#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# mfree-discard as root (precise mode): clean lazily freed pages go, pages
# written again stay byte for byte, live THPs stay whole, --nodes limits.
load common

json() { jq -r "$1" "$BATS_TEST_TMPDIR/j"; }
# mfree-discard -J ARGS: the document in $BATS_TEST_TMPDIR/j (warnings apart)
discard_json() {
	status=0
	mfree-discard -J "$@" >"$BATS_TEST_TMPDIR/j" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	cat "$BATS_TEST_TMPDIR/err" >&2
}
clean_len() { echo $((HELPER_FREE_LEN - HELPER_REWRITE_LEN)); }

@test "4K pages: LazyFree 0 after, Rss down by the clean bytes, data intact" {
	start_helper --mib 64 --no-thp --free-pct 50 --rewrite-pct 25 --node 0
	# the Rss of the helper's region: the process's own total also moves
	# with what its runtime does meanwhile (an ASan-built helper's shadow)
	local rss=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR") clean=$(clean_len)
	discard_json -p "$HELPER_PID"
	assert_equal "$status" 0
	assert_equal "$(json '.processes[0].mode')" precise
	assert_equal "$(lazyfree_kb "$HELPER_PID")" 0
	local drop=$((rss - $(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")))
	[ "$drop" -ge $((clean / 1024 - 256)) ] && [ "$drop" -le $((clean / 1024 + 256)) ] ||
		fail "Rss fell by $drop kB, expected about $((clean / 1024)) kB"
	assert_equal "$(json '.processes[0].discarded')" "$clean"
	assert_equal "$(json '.processes[0].kept')" "$HELPER_REWRITE_LEN"
	assert_equal "$(json '.processes[0].nodes["0"].discarded')" "$clean"
	verify_helper
	stop_helper
}

@test "THPs: AnonHugePages after = before minus the clean THPs discarded" {
	start_helper --mib 64 --thp --free-pct 50 --rewrite-pct 25 --node 0
	[ "$HELPER_THP" = 1 ] || skip "no THPs"
	local ahp=$(anon_huge_kb "$HELPER_PID") clean=$(clean_len) thp=$HELPER_THP_SIZE
	[ "$ahp" -ge 65536 ] || skip "only $ahp kB of THPs"
	discard_json -p "$HELPER_PID"
	assert_equal "$status" 0
	jq -c '.processes[0].thp, .processes[0].smaps_after_pageout' "$BATS_TEST_TMPDIR/j" >&3
	assert_equal "$(json '.processes[0].thp.discarded')" $((clean / thp))
	assert_equal "$(json '.processes[0].thp.kept')" $((HELPER_REWRITE_LEN / thp))
	assert_equal "$(json '.processes[0].thp.collapsed')" $((HELPER_REWRITE_LEN / thp))
	assert_equal "$(anon_huge_kb "$HELPER_PID")" $((ahp - clean / 1024))
	assert_equal "$(lazyfree_kb "$HELPER_PID")" 0
	verify_helper
	stop_helper
}

@test "--thp skip: the THPs of a mapping with rewritten pages stay, none split" {
	start_helper --mib 32 --thp --free-pct 50 --rewrite-pct 25 --node 0
	[ "$HELPER_THP" = 1 ] || skip "no THPs"
	local ahp=$(anon_huge_kb "$HELPER_PID")
	discard_json -p "$HELPER_PID" --thp skip
	assert_equal "$status" 0
	assert_equal "$(json '.processes[0].thp.skipped')" $((HELPER_FREE_LEN / HELPER_THP_SIZE))
	assert_equal "$(anon_huge_kb "$HELPER_PID")" "$ahp"
	verify_helper
	stop_helper
}

@test "--nodes 1 discards only the lazily freed pages on node 1" {
	start_helper --mib 32 --no-thp --free-pct 50 --node 0
	local a=$HELPER_PID
	start_helper --mib 32 --no-thp --free-pct 50 --node 1
	local b=$HELPER_PID
	local lfa=$(lazyfree_kb "$a") na=$(node_bytes "$a" 0)
	[ "$lfa" -gt 0 ]
	run mfree-discard -p "$a,$b" --nodes 1
	assert_success
	[ "$(lazyfree_kb "$a")" -ge "$lfa" ]
	assert_equal "$(node_bytes "$a" 0)" "$na"
	assert_equal "$(lazyfree_kb "$b")" 0
	verify_helper "$a"
	verify_helper "$b"
}

@test "--dry-run shows what would go and drops nothing" {
	start_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	local rss=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")
	[ "$rss" -gt 0 ]
	discard_json -p "$HELPER_PID" --dry-run
	assert_equal "$status" 0
	assert_equal "$(json '.processes[0].found')" "$HELPER_FREE_LEN"
	assert_equal "$(json '.processes[0].discarded // "none"')" none
	[ "$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")" -ge $((rss - 64)) ]
	assert_equal "$(lazyfree_kb "$HELPER_PID")" $(( $(clean_len) / 1024 ))
	stop_helper
}

@test "a process with no lazily freed pages: no-op, exit 0" {
	start_helper --mib 16 --thp
	local rss=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")
	[ "$rss" -gt 0 ]
	run mfree-discard -p "$HELPER_PID"
	assert_success
	[ "$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")" -ge $((rss - 64)) ]
	stop_helper
}
