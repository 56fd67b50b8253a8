#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node 3node
# The guest machine is what tests/vm/README.md promises.

load common

@test "the guest has the topology's nodes, each with its CPUs" {
	case $NS_TOPO in
	2node) assert_equal "$(node_count)" 2 ;;
	3node) assert_equal "$(node_count)" 3 ;;
	*) fail "unknown topology $NS_TOPO" ;;
	esac
	assert_equal "$(node_cpus 0)" 0
	assert_equal "$(node_cpus 1)" 1
}

@test "3node: node 2 has memory and no CPU" {
	[ "$NS_TOPO" = 3node ] || skip "3node only"
	assert_equal "$(node_cpus 2)" ""
	run cat /sys/devices/system/node/has_cpu
	assert_output 0-1
	run cat /sys/devices/system/node/has_memory
	assert_output 0-2
}

@test "every node has about 768 MiB" {
	local n kb
	for n in $(seq 0 $(($(node_count) - 1))); do
		kb=$(node_mem_kb "$n")
		# firmware and the kernel keep some of node 0
		[ "$kb" -gt $((600 * 1024)) ] && [ "$kb" -le $((768 * 1024)) ] ||
			fail "node $n has $kb kB"
	done
}

@test "THP is always on, cgroup2 and /tmp are mounted, the kernel is the one asked for" {
	run cat /sys/kernel/mm/transparent_hugepage/enabled
	assert_output --partial '[always]'
	run grep -E ' /sys/fs/cgroup cgroup2 | /tmp tmpfs ' /proc/mounts
	assert_equal "${#lines[@]}" 2
	[[ $(uname -r) == "$NS_KVER".* ]]
	[ "$(id -u)" = 0 ]
}
