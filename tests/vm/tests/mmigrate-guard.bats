#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# Guard rails: refusals before anything moves (exit 5), --force, the cpuset
# of the target process, one run per process.

load common

# NUMA balancing would move the helper's pages behind the tests' back (the
# tool warns about it); off for these tests, restored afterwards.
setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

CG=/sys/fs/cgroup/ns-mmigrate-test

teardown() {
	helper_cleanup
	[ -n "${BG_PID:-}" ] && { kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; }
	if [ -d "$CG" ]; then
		while read -r p; do echo "$p" >/sys/fs/cgroup/cgroup.procs 2>/dev/null; done <"$CG/cgroup.procs"
		rmdir "$CG"
	fi
	return 0
}

@test "a target node too small is refused before anything moves (exit 5)" {
	local free_kb hog
	free_kb=$(node_free_kb 1)
	# leave about 100 MiB free on node 1, then try to move 160 MiB there
	hog=$(((free_kb / 1024) - 100))
	start_helper --mib "$hog" --node 1 --no-thp
	local hog_pid=$HELPER_PID
	start_helper --mib 160 --node 0 --no-thp
	run mmigrate "$HELPER_PID" 0 1
	assert_failure 5
	assert_output --partial "node 1"
	assert_output --partial "--min-free"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"

	# --force goes on: what fits moves, the rest is reported, exit 3
	run mmigrate -q -J --force --min-free 0 "$HELPER_PID" 0 1
	assert_failure 3
	local moved not full
	moved=$(echo "$output" | jq '.processes[0].moved_bytes')
	not=$(echo "$output" | jq '.processes[0].not_moved_bytes')
	[ "$moved" -gt 0 ] && [ "$not" -gt 0 ] || fail "moved $moved not moved $not"
	# the report is true: what it says moved is on node 1 now (give or
	# take the helper's other small mappings)
	local on1
	on1=$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")
	[ "$on1" -le "$moved" ] && [ "$on1" -ge $((moved - 4 * 1024 * 1024)) ] ||
		fail "node 1 has $on1 of the region, report says $moved moved"
	verify_helper
	verify_helper "$hog_pid"
}

@test "a target node outside the process's cpuset is refused by name (exit 5)" {
	[ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroup v2"
	grep -qw cpuset /sys/fs/cgroup/cgroup.controllers || skip "no cpuset controller"
	echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$CG"
	echo 0 >"$CG/cpuset.mems"
	start_helper --mib 16 --node 0 --no-thp
	echo "$HELPER_PID" >"$CG/cgroup.procs"
	run mmigrate "$HELPER_PID" 0 1
	assert_failure 5
	assert_output --partial "node 1 is not in the cpuset of pid $HELPER_PID"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	# the plan says which engine a forced run would take: not the single
	# migrate_pages(2) call, which the kernel refuses for such targets
	proc_stop "$HELPER_PID"
	run mmigrate --dry-run --force "$HELPER_PID" 0 1
	proc_cont "$HELPER_PID"
	assert_output --partial "engine pages (targets outside the process's cpuset)"
}

@test "a second run on the same process refuses naming the first; --wait waits" {
	start_helper --mib 64 --node 0 --no-thp
	mmigrate -q --rate 16M "$HELPER_PID" 0 1 3>&- &
	BG_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[ -n "$(cat /run/numashift/"$HELPER_PID".lock /tmp/numashift-0/"$HELPER_PID".lock 2>/dev/null)" ] && break
		sleep 0.1
	done
	run mmigrate "$HELPER_PID" 1 0
	assert_failure 5
	assert_output --partial "another numashift run (pid $BG_PID)"
	run mmigrate -q --wait "$HELPER_PID" 1 0
	assert_success
	wait "$BG_PID"
	BG_PID=
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}
