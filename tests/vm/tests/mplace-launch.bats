#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 3node
# mplace launch mode: the command's pages and CPUs are on the chosen nodes
# (numa_maps and /proc/PID/status), memory-only nodes with --cpu-nodes.
load common

teardown() {
	[ -n "${L_PID:-}" ] && kill -KILL "$L_PID" 2>/dev/null && wait "$L_PID" 2>/dev/null
	helper_cleanup
}

@test "--nodes 1: pages and CPUs on node 1" {
	launch_helper --nodes 1 -- nshelper --mib 32 --no-thp
	assert_equal "$(cpus_of "$L_PID")" "$(node_cpus 1)"
	assert_equal "$(node_bytes "$L_PID" 1 "$L_ADDR")" "$L_LEN"
	assert_equal "$(node_bytes "$L_PID" 0 "$L_ADDR")" 0
	run grep -c ' bind:1 ' "/proc/$L_PID/numa_maps"
	[ "$output" -gt 0 ]
}

@test "memory-only node 2 with --cpu-nodes 0: memory on 2, threads on node 0's CPUs" {
	[ "$NS_TOPO" = 3node ] || skip "3node only"
	launch_helper --nodes 2 --cpu-nodes 0 -- nshelper --mib 32 --no-thp
	assert_equal "$(cpus_of "$L_PID")" "$(node_cpus 0)"
	assert_equal "$(node_bytes "$L_PID" 2 "$L_ADDR")" "$L_LEN"
}

@test "memory-only node without --cpu-nodes: one clear line, exit 2" {
	[ "$NS_TOPO" = 3node ] || skip "3node only"
	run mplace --nodes 2 -- true
	assert_failure 2
	assert_output --partial "have no CPUs"
	assert_equal "${#lines[@]}" 1
}

@test "interleave over nodes 0,1 spreads the pages over both" {
	launch_helper --nodes 0,1 --policy interleave -- nshelper --mib 32 --no-thp
	local n0 n1
	n0=$(node_bytes "$L_PID" 0 "$L_ADDR")
	n1=$(node_bytes "$L_PID" 1 "$L_ADDR")
	assert_equal $((n0 + n1)) "$L_LEN"
	[ "$n0" -ge $((L_LEN / 4)) ] && [ "$n1" -ge $((L_LEN / 4)) ] || fail "n0=$n0 n1=$n1"
}

@test "--balancing sets MPOL_F_NUMA_BALANCING with bind" {
	launch_helper --nodes 1 --balancing -- nshelper --mib 8 --no-thp
	run grep -c 'bind=balancing:1' "/proc/$L_PID/numa_maps"
	[ "$output" -gt 0 ]
}

@test "weighted interleave: used on 6.12, refused with a clear message on 6.1" {
	if [ "$NS_KVER" = 6.1 ]; then
		run mplace --nodes 0,1 --policy weighted-interleave -- true
		assert_failure 2
		assert_output --partial "needs Linux 6.9"
		return
	fi
	run mplace --nodes 0,1 --policy weighted-interleave --dry-run -- true
	assert_success
	assert_output --partial "weights:"
	launch_helper --nodes 0,1 --policy weighted-interleave -- nshelper --mib 32 --no-thp
	local n0 n1
	n0=$(node_bytes "$L_PID" 0 "$L_ADDR")
	n1=$(node_bytes "$L_PID" 1 "$L_ADDR")
	assert_equal $((n0 + n1)) "$L_LEN"
	[ "$n0" -gt 0 ] && [ "$n1" -gt 0 ]
	grep -q 'weighted interleave' "/proc/$L_PID/numa_maps"
}

@test "bad input: unknown node and policy, exit 2" {
	run mplace --nodes 5 -- true
	assert_failure 2
	assert_output --partial "node 5"
	run mplace --nodes 0 --policy nearest -- true
	assert_failure 2
}
