#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 3node
# Bad input on a live machine: one clear line and the documented exit code.

load common

# NUMA balancing would move the helper's pages behind the tests' back (the
# tool warns about it); off for these tests, restored afterwards.
setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

@test "a node that does not exist: exit 2, one line" {
	start_helper --mib 8 --node 0 --no-thp
	run mmigrate "$HELPER_PID" 0 7
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	assert_output --partial "node 7"
}

@test "the same FROM and TO: exit 2" {
	start_helper --mib 8 --node 0 --no-thp
	run mmigrate "$HELPER_PID" 1 1
	assert_failure 2
	assert_equal "${#lines[@]}" 1
}

@test "a PID that does not exist: exit 1, one line" {
	run mmigrate 4000000 0 1
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "no such process"
}

@test "a garbled plan file: exit 2, one line" {
	echo '{"schema_version": 1, "tool": "mmigrate", "processes": 3' >"$BATS_TEST_TMPDIR/p.json"
	run mmigrate --apply "$BATS_TEST_TMPDIR/p.json"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	assert_output --partial "bad plan"
}
