#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 3node
# mmigrate moves a live process's pages: checked from numa_maps and
# move_pages(2) query mode, never from the tool's report alone.

load common

# NUMA balancing would move the helper's pages behind the tests' back (the
# tool warns about it); off for these tests, restored afterwards.
setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

mib=64

# all of the helper's private region is on node $1 (numa_maps and a query)
assert_region_on() {
	local node=$1 pid=${2:-$HELPER_PID} addr=${3:-$HELPER_ADDR} len=${4:-$HELPER_LEN}
	assert_equal "$(node_bytes "$pid" "$node" "$addr")" "$len"
	run mp_status "$pid" "$addr" "$len"
	assert_success
	assert_line --regexp "^status=$node name=node$node count=$((len / HELPER_PAGE_SIZE)) first=0$"
}

@test "PID FROM TO moves every base page to the target, data intact, exit 0" {
	start_helper --mib $mib --node 0 --no-thp
	assert_region_on 0
	run mmigrate -q "$HELPER_PID" 0 1
	assert_success
	assert_region_on 1
	verify_helper
}

@test "THPs move whole: AnonHugePages is the same afterwards" {
	start_helper --mib $mib --node 0 --thp
	local before
	before=$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")
	[ "$before" -ge $((mib * 1024 / 2)) ] || fail "only $before kB of THP to start with"
	run mmigrate -q -J -p "$HELPER_PID" --from 0 --to 1
	assert_success
	assert_equal "$(echo "$output" | jq '.processes[0].thp_split')" 0
	# as root the plan finds every THP from kpageflags (one read per
	# THP-aligned candidate block): one entry each
	assert_equal "$(echo "$output" | jq '.processes[0].thp_planned')" \
		$((before / ($(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size) / 1024)))
	assert_equal "$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")" "$before"
	assert_region_on 1
	verify_helper
}

@test "with writer threads running and --threads 2 the data survives" {
	start_helper --mib $mib --node 0 --writers 2
	run mmigrate -q --threads 2 -p "$HELPER_PID" --from 0 --to 1
	assert_success
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" 0
	stop_helper
}

@test "memory the process unmaps during the move has gone: not a failure, exit 0" {
	start_helper --mib $mib --node 0 --no-thp
	local o=$BATS_TEST_TMPDIR/o.json half=$((HELPER_LEN / 2)) rc=0 g i
	# 16 MiB/s: the lower half takes 2 s; once the first pages are on
	# node 1 the helper unmaps the upper half (SIGUSR2)
	mmigrate -q -J --threads 1 --rate 16M -p "$HELPER_PID" --from 0 --to 1 \
		--vma "$(helper_region)" >"$o" &
	local m=$!
	for ((i = 0; i < 300; i++)); do
		[ "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" -gt 0 ] && break
		sleep 0.1
	done
	kill -USR2 "$HELPER_PID"
	wait "$m" || rc=$?
	grep -qx "unmapped $half" "$HELPER_OUT" || fail "helper: $(cat "$HELPER_OUT")"
	assert_equal "$rc" 0
	assert_equal "$(jq '.processes[0].not_moved_pages' "$o")" 0
	g=$(jq '.processes[0].gone_bytes' "$o")
	# the unmapped half, less what moved before the signal (a burst of
	# 1.6 MiB, then 16 MiB/s)
	[ "$g" -ge $((half - 16 * 1024 * 1024)) ] && [ "$g" -le "$half" ] ||
		fail "gone_bytes $g, unmapped $half"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$half"
	verify_helper
}

@test "the JSON report's figures match numa_maps" {
	start_helper --mib $mib --node 0 --no-thp
	local t0=$EPOCHREALTIME wall
	run mmigrate -q -J "$HELPER_PID" 0 1
	wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	assert_success
	local moved planned
	moved=$(echo "$output" | jq '.processes[0].moved_bytes')
	planned=$(echo "$output" | jq '.processes[0].planned_bytes')
	assert_equal "$moved" "$planned"
	[ "$moved" -ge "$HELPER_LEN" ] || fail "moved $moved < $HELPER_LEN"
	assert_equal "$(echo "$output" | jq '.processes[0].residual_bytes["0"]')" 0
	assert_equal "$(echo "$output" | jq -r '.status')" ok
	# the scan and plan of this process were timed: more than nothing, less
	# than the whole run (bats' own clock)
	assert_equal "$(echo "$output" | jq -r '.processes[0].plan_seconds | type')" number
	assert_equal "$(echo "$output" | jq --argjson w "$wall" \
		'.processes[0].plan_seconds > 0 and .processes[0].plan_seconds < $w')" true
	assert_region_on 1
}

@test "--dry-run moves nothing and prints the plan" {
	start_helper --mib $mib --node 0 --no-thp
	run mmigrate -q --dry-run "$HELPER_PID" 0 1
	assert_success
	assert_output --partial "to move"
	assert_region_on 0
	run mmigrate -q --dry-run -J "$HELPER_PID" 0 1
	assert_success
	[ "$(echo "$output" | jq '.planned_bytes')" -ge "$HELPER_LEN" ]
	assert_region_on 0
}

@test "a memory-only node is a target like any other" {
	start_helper --mib $mib --node 0 --thp
	run mmigrate -q "$HELPER_PID" 0 2
	assert_success
	assert_region_on 2
	verify_helper
}

@test "--to alone moves every page off the target set" {
	start_helper --mib $mib --node 0 --no-thp
	run mmigrate -q -p "$HELPER_PID" --to 1
	assert_success
	assert_region_on 1
	verify_helper
}

@test "--vma START-END moves only that range" {
	start_helper --mib $mib --node 0 --no-thp
	local start end half=$((HELPER_LEN / 2))
	start=$(printf '0x%x' "$HELPER_ADDR")
	end=$(printf '0x%x' $((HELPER_ADDR + 4096)))
	# the filter picks mappings: the helper's region is one mapping
	run mmigrate -q -p "$HELPER_PID" --from 0 --to 1 --vma "$start-$end"
	assert_success
	assert_region_on 1
	run mmigrate -q -p "$HELPER_PID" --from 1 --to 0 --vma heap
	# nothing of the helper's region is in [heap]
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	[ "$half" -gt 0 ]
}
