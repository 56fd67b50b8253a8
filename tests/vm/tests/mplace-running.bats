#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# mplace on a running process: every thread's affinity and its memory end
# on the target; --auto picks the node holding most of the memory.
load common

# NUMA balancing would move pages behind the tests' back and make some busy
# while mplace moves them; off for these tests, restored afterwards.
setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

all_threads_on() { # PID CPULIST
	local t c
	for t in /proc/"$1"/task/*; do
		c=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
		[ "$c" = "$2" ] || { echo "thread ${t##*/}: $c, want $2" >&2; return 1; }
	done
}

@test "-p PID --nodes 1: all threads and the memory move to node 1, data intact" {
	start_helper --mib 64 --node 0 --writers 3
	taskset -a -p 1 "$HELPER_PID" >/dev/null   # CPU 0 only
	local rc=0
	mplace -p "$HELPER_PID" --nodes 1 --move-all -J >"$BATS_TEST_TMPDIR/j" || rc=$?
	jq -c '.affinity, .move' "$BATS_TEST_TMPDIR/j" >&3
	assert_equal "$rc" 0
	assert_equal "$(jq '.affinity.threads' "$BATS_TEST_TMPDIR/j")" 4
	all_threads_on "$HELPER_PID" "$(node_cpus 1)"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" 0
	stop_helper
}

@test "--dry-run changes nothing" {
	start_helper --mib 32 --node 0
	taskset -a -p 1 "$HELPER_PID" >/dev/null
	run mplace -p "$HELPER_PID" --nodes 1 --dry-run
	assert_success
	assert_output --partial "would set CPUs"
	all_threads_on "$HELPER_PID" 0
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	stop_helper
}

@test "a dry run warns of a bind policy, as mmigrate's does; the move reads no numa_maps" {
	local wrap=$BATS_TEST_TMPDIR/nshelper-bound plan=$BATS_TEST_TMPDIR/plan.json
	# the task's policy shows on every mapping in numa_maps: "bind:0"
	printf '#!/bin/sh\nexec numactl --membind=0 nshelper "$@"\n' >"$wrap"
	chmod +x "$wrap"
	NS_HELPER_BIN=$wrap start_helper --mib 8 --no-thp
	grep -q " bind:0 " /proc/"$HELPER_PID"/numa_maps
	run mplace -p "$HELPER_PID" --nodes 1 --dry-run
	assert_success
	assert_output --partial "has policy bind:0: new pages will keep going there"
	run mmigrate --dry-run "$HELPER_PID" 0 1
	assert_success
	assert_output --partial "has policy bind:0: new pages will keep going there"
	# the move itself does not walk numa_maps, so it cannot say it
	run mmigrate -q --plan-out "$plan" --vma "$(helper_region)" "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(jq '.processes[0].numa_maps' "$plan")" false
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "--auto picks the node holding most of the memory and moves the threads there" {
	# 1 MiB only read: the zero page, which numa_maps does not count
	start_helper --mib 64 --node 1 --zero-mib 1
	taskset -a -p 1 "$HELPER_PID" >/dev/null
	run mplace -p "$HELPER_PID" --auto --dry-run
	assert_success
	assert_output --partial "auto: node 1: holds most of the memory"
	all_threads_on "$HELPER_PID" 0
	mplace -p "$HELPER_PID" --auto --dry-run -J >"$BATS_TEST_TMPDIR/d"
	auto_bytes_from_pagemap "$BATS_TEST_TMPDIR/d" "$HELPER_PID"
	[ "$(jq '.auto.candidates[] | select(.node == 1) | .bytes' "$BATS_TEST_TMPDIR/d")" -ge "$HELPER_LEN" ]
	mplace -p "$HELPER_PID" --auto --move-all -J >"$BATS_TEST_TMPDIR/j"
	assert_equal "$(jq '.auto.node' "$BATS_TEST_TMPDIR/j")" 1
	all_threads_on "$HELPER_PID" "$(node_cpus 1)"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	stop_helper
}

@test "bad input and missing process" {
	run mplace -p 4000000 --nodes 1
	assert_failure 1
	run mplace -p 1 --nodes 9
	assert_failure 2
	assert_output --partial "node 9"
}
