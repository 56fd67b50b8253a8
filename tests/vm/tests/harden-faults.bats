#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# Faults during a move: the target exits, execs, is replaced by another
# process with the same PID, churns its mappings, or the target node runs
# out of memory; mlocked memory; runs on different processes side by side.
# Each case asserts where the pages really are and that the data survived.

load common
bats_require_minimum_version 1.5.0

setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

teardown() {
	local p
	for p in ${BG_PIDS:-}; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	BG_PIDS=
	helper_cleanup
}

# Wait until some of PID's memory is on node 1 (the move has begun).
wait_moving() { # PID [ADDR]
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(node_bytes "$1" 1 "${2:-}")" -gt 0 ] && return 0
		sleep 0.1
	done
	echo "nothing reached node 1 in 30 s" >&2
	return 1
}

@test "target killed mid-move: exit 3, the report's moved bytes are really on the target" {
	start_helper --mib 96 --node 0 --no-thp
	local pid=$HELPER_PID addr=$HELPER_ADDR
	mmigrate -J --rate 24M --vma "$(helper_region)" "$pid" 0 1 \
		>"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local mm=$! rc=0 on1
	wait_moving "$pid" "$addr"
	on1=$(node_bytes "$pid" 1 "$addr")
	kill -KILL "$pid"
	wait "$mm" || rc=$?
	assert_equal "$rc" 3
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial "process $pid (nshelper) exited or its PID was reused during the move"
	run jq -r '.processes[0].stop' "$BATS_TEST_TMPDIR/out.json"
	assert_output "process gone"
	local moved
	moved=$(jq '.processes[0].moved_bytes' "$BATS_TEST_TMPDIR/out.json")
	# at least what numa_maps showed just before the kill, never everything
	[ "$moved" -ge "$on1" ] && [ "$moved" -lt "$HELPER_LEN" ] || fail "moved $moved, seen $on1 of $HELPER_LEN"
}

@test "a saved plan whose process exited before anything moved: exit 1, nothing done" {
	start_helper --mib 16 --node 0 --no-thp
	mmigrate -q --dry-run --plan-out "$BATS_TEST_TMPDIR/plan.json" "$HELPER_PID" 0 1 >/dev/null
	kill -KILL "$HELPER_PID"
	wait "$HELPER_PID" 2>/dev/null || true
	run mmigrate --apply "$BATS_TEST_TMPDIR/plan.json"
	assert_failure 1
	assert_output "mmigrate: process $HELPER_PID (nshelper) of plan $BATS_TEST_TMPDIR/plan.json no longer exists"
}

@test "a PID reused by another process (other start time) is never acted on" {
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "no ns_last_pid"
	start_helper --mib 16 --node 0 --no-thp
	local old=$HELPER_PID new i
	mmigrate -q --dry-run --plan-out "$BATS_TEST_TMPDIR/plan.json" "$old" 0 1 >/dev/null
	kill -KILL "$old"
	wait "$old" 2>/dev/null || true
	# the next fork gets the old PID: an nshelper with memory on node 0
	local ready=$BATS_TEST_TMPDIR/reuse.ready
	for ((i = 0; i < 20; i++)); do
		echo $((old - 1)) >/proc/sys/kernel/ns_last_pid
		nshelper --ready "$ready" --mib 16 --node 0 --no-thp >"$BATS_TEST_TMPDIR/reuse.out" 2>&1 3>&- &
		new=$!
		BG_PIDS="$BG_PIDS $new"
		[ "$new" = "$old" ] && break
	done
	[ "$new" = "$old" ] || skip "could not get PID $old again"
	for ((i = 0; i < 600; i++)); do [ -f "$ready" ] && break; sleep 0.1; done
	local addr len
	addr=$(sed -n 's/.* addr=\([^ ]*\).*/\1/p' "$ready")
	len=$(sed -n 's/.* len=\([^ ]*\).*/\1/p' "$ready")
	run mmigrate --apply "$BATS_TEST_TMPDIR/plan.json"
	assert_failure 2
	assert_output --partial "PID $old is now another process"
	assert_output --partial "refusing a reused PID"
	assert_equal "$(node_bytes "$new" 1 "$addr")" 0
	assert_equal "$(node_bytes "$new" 0 "$addr")" "$len"
}

@test "target execs another program mid-move: that part stops at the next batch, exit 3" {
	# a bash with 64 MiB of heap on node 0 (CPU 0) that execs sleep on SIGUSR2;
	# it waits with the read builtin on a FIFO: a forked sleep would share
	# the heap (copy on write) with its child, and the plan leave it out
	mkfifo "$BATS_TEST_TMPDIR/idle"
	taskset -c 0 bash -c 'printf -v big "%*s" 67108864 x; trap "exec sleep 1000" USR2
		exec 9<>"$2"; echo ready >"$1"; while :; do read -t 0.1 -u 9 _ || :; done' \
		_ "$BATS_TEST_TMPDIR/ready" "$BATS_TEST_TMPDIR/idle" 3>&- &
	local pid=$! i rc=0
	BG_PIDS="$pid"
	for ((i = 0; i < 600; i++)); do [ -f "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.1; done
	# bash's file pages may be on node 1 already: wait for 4 MiB more there
	local base
	base=$(node_bytes "$pid" 1)
	mmigrate -J --rate 16M "$pid" 0 1 >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local mm=$!
	for ((i = 0; i < 300; i++)); do
		[ "$(node_bytes "$pid" 1)" -gt $((base + 4194304)) ] && break
		sleep 0.1
	done
	kill -USR2 "$pid"
	for ((i = 0; i < 100; i++)); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.1; done
	wait "$mm" || rc=$?
	assert_equal "$(cat /proc/$pid/comm)" sleep
	local moved stop
	moved=$(jq '.processes[0].moved_bytes' "$BATS_TEST_TMPDIR/out.json")
	stop=$(jq -r '.processes[0].stop' "$BATS_TEST_TMPDIR/out.json")
	[ "$moved" -gt 0 ] || fail "nothing moved before the exec (exit $rc)"
	# exec keeps the PID and the start time: the pinned address space tells
	[ "$rc" = 3 ] || fail "exit $rc, expected 3: $(head -c 300 "$BATS_TEST_TMPDIR/err")"
	assert_equal "$stop" "process gone"
}

@test "target churns mmap/munmap/mremap during the move: no crash, the survivors move intact" {
	start_helper --mib 64 --node 0 --no-thp --churn --writers 1
	run --separate-stderr mmigrate -J "$HELPER_PID" 0 1
	# pages of churned mappings may vanish between plan and batch: partial at worst
	[ "$status" = 0 ] || [ "$status" = 3 ] || fail "exit $status: $output"
	echo "$output" | jq -e '.processes[0].moved_bytes > 0' >/dev/null
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" 0
	verify_helper
	stop_helper
}

@test "target node full: the capacity check refuses before anything moves (exit 5)" {
	local free_kb hog_mib
	free_kb=$(node_free_kb 1)
	hog_mib=$((free_kb / 1024 - 80))
	start_helper --mib "$hog_mib" --node 1 --no-thp
	local hog=$HELPER_PID
	start_helper --mib 128 --node 0 --no-thp
	run mmigrate "$HELPER_PID" 0 1
	assert_failure 5
	assert_output --partial "node 1"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
	verify_helper "$hog"
}

@test "target node runs out mid-move (--force): partial, exit 3, nothing lost" {
	local free_kb hog_mib
	free_kb=$(node_free_kb 1)
	hog_mib=$((free_kb / 1024 - 64))
	start_helper --mib "$hog_mib" --node 1 --no-thp
	local hog=$HELPER_PID
	start_helper --mib 160 --node 0 --no-thp
	run --separate-stderr mmigrate -J --force --min-free 0 --vma "$(helper_region)" "$HELPER_PID" 0 1
	assert_failure 3
	local moved left on1 on0
	moved=$(echo "$output" | jq '.processes[0].moved_bytes')
	left=$(echo "$output" | jq '.processes[0].not_moved_bytes')
	on1=$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")
	on0=$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")
	[ "$moved" -gt 0 ] && [ "$left" -gt 0 ] || fail "moved $moved, not moved $left"
	assert_equal "$on1" "$moved"
	assert_equal $((on0 + on1)) "$HELPER_LEN"
	echo "$output" | jq -e '.processes[0].pairs[0].not_moved_by_reason_bytes.target_full > 0' >/dev/null ||
		fail "no target_full reason: $(echo "$output" | jq -c '.processes[0].pairs')"
	verify_helper
	verify_helper "$hog"
}

@test "mlocked memory moves (the kernel allows it) and stays locked" {
	start_helper --mib 32 --node 0 --no-thp --mlock
	local locked
	locked=$(smaps_kb "$HELPER_PID" Locked "$HELPER_ADDR")
	[ "$locked" -gt 0 ] || fail "not locked: $locked kB"
	run --separate-stderr mmigrate -J --vma "$(helper_region)" "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(smaps_kb "$HELPER_PID" Locked "$HELPER_ADDR")" "$locked"
	verify_helper
}

@test "runs on different processes proceed side by side" {
	start_helper --mib 48 --node 0 --no-thp
	local a=$HELPER_PID a_addr=$HELPER_ADDR len=$HELPER_LEN
	start_helper --mib 48 --node 0 --no-thp
	local b=$HELPER_PID b_addr=$HELPER_ADDR ra=0 rb=0
	mmigrate -q --rate 48M "$a" 0 1 >"$BATS_TEST_TMPDIR/a" 2>&1 3>&- &
	local ma=$!
	mmigrate -q --rate 48M "$b" 0 1 >"$BATS_TEST_TMPDIR/b" 2>&1 3>&- &
	local mb=$!
	wait "$ma" || ra=$?
	wait "$mb" || rb=$?
	assert_equal "$ra $rb" "0 0"
	assert_equal "$(node_bytes "$a" 1 "$a_addr")" "$len"
	assert_equal "$(node_bytes "$b" 1 "$b_addr")" "$len"
	verify_helper "$a"
	verify_helper "$b"
}
