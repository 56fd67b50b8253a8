#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# Stopping: SIGINT/SIGTERM between batches (130/143) and --timeout (124),
# each with a report that says what really moved.

load common

# NUMA balancing would move the helper's pages behind the tests' back (the
# tool warns about it); off for these tests, restored afterwards.
setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

teardown() {
	helper_cleanup
	[ -n "${BG_PID:-}" ] && { kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; }
	return 0
}

@test "SIGINT mid-move: exit 130, and the report's moved bytes are where numa_maps says" {
	start_helper --mib 128 --node 0 --no-thp
	mmigrate -q -J --rate 32M --vma "$(helper_region)" -p "$HELPER_PID" --from 0 --to 1 \
		>"$BATS_TEST_TMPDIR/out.json" 3>&- &
	BG_PID=$!
	sleep 1.5
	kill -INT "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	assert_equal "$rc" 130
	local moved on1
	moved=$(jq '.processes[0].moved_bytes' "$BATS_TEST_TMPDIR/out.json")
	on1=$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")
	[ "$moved" -gt 0 ] && [ "$moved" -lt "$HELPER_LEN" ] || fail "moved $moved of $HELPER_LEN"
	assert_equal "$on1" "$moved"
	assert_equal "$(jq -r '.processes[0].stop' "$BATS_TEST_TMPDIR/out.json")" interrupted
	verify_helper
}

@test "SIGTERM: exit 143" {
	start_helper --mib 64 --node 0 --no-thp
	mmigrate -q --rate 16M "$HELPER_PID" 0 1 >/dev/null 3>&- &
	BG_PID=$!
	sleep 1
	kill -TERM "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	assert_equal "$rc" 143
	verify_helper
}

@test "--timeout: exit 124 with a report of what moved" {
	start_helper --mib 64 --node 0 --no-thp
	run mmigrate -J --rate 16M --timeout 1 --vma "$(helper_region)" "$HELPER_PID" 0 1
	assert_failure 124
	local moved
	moved=$(echo "$output" | jq '.processes[0].moved_bytes')
	assert_equal "$(echo "$output" | jq -r '.processes[0].stop')" timeout
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$moved"
	verify_helper
}

@test "a process that exits mid-move ends cleanly with a message" {
	start_helper --mib 128 --node 0 --no-thp
	mmigrate --rate 32M "$HELPER_PID" 0 1 >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	BG_PID=$!
	sleep 1.5
	kill -KILL "$HELPER_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	assert_equal "$rc" 3
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output --partial "exited"
}
