#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# mmigrate --plan-out / --apply: a saved plan runs later, only on the same
# process in the same boot.

load common

# NUMA balancing would move the helper's pages behind the tests' back (the
# tool warns about it); off for these tests, restored afterwards.
setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

setup() {
	PLAN=$BATS_TEST_TMPDIR/plan.json
}

@test "--dry-run --plan-out saves the plan and moves nothing; --apply then moves it" {
	start_helper --mib 64 --node 0 --no-thp
	# the region only: a library page of the helper that the jq and awk
	# runs below map too would be refused as shared (exit 3), rightly
	run mmigrate -q --dry-run --plan-out "$PLAN" --vma "$(helper_region)" "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(jq '.schema_version' "$PLAN")" 2
	assert_equal "$(jq -r '.boot_id' "$PLAN")" "$(cat /proc/sys/kernel/random/boot_id)"
	assert_equal "$(jq '.processes[0].pid' "$PLAN")" "$HELPER_PID"
	run mmigrate -q -J --apply "$PLAN"
	assert_success
	assert_equal "$(echo "$output" | jq -r '.applied_plan')" true
	# planned by the run before: no planning time of its own
	assert_equal "$(echo "$output" | jq '.processes[0].plan_seconds')" null
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "a move plans from maps and pagemap what its dry run plans from numa_maps" {
	local file=$BATS_TEST_TMPDIR/data keys
	start_helper --mib 64 --node 0 --file "$file" --file-mib 8
	# the helper's own regions: library pages that jq maps too change
	# between the two plans
	set -- --vma anon --vma "file=$file" "$HELPER_PID" 0 1
	run mmigrate -q --dry-run --plan-out "$PLAN" "$@"
	assert_success
	run mmigrate -q --plan-out "$BATS_TEST_TMPDIR/move.json" "$@"
	assert_success
	keys='.processes[0] | {planned_pages, already_pages, shared_pages, thp_entries, folios_known, runs}'
	assert_equal "$(jq -c "$keys" "$BATS_TEST_TMPDIR/move.json")" "$(jq -c "$keys" "$PLAN")"
	# the dry run read numa_maps (the policies); the move did not
	assert_equal "$(jq '.processes[0].numa_maps' "$PLAN")" true
	assert_equal "$(jq '.processes[0].numa_maps' "$BATS_TEST_TMPDIR/move.json")" false
	# and the plan was not empty
	[ "$(jq '.processes[0].planned_pages' "$PLAN")" -gt 16384 ]
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "--apply moves only what is still on its source node" {
	start_helper --mib 64 --node 0 --no-thp
	run mmigrate -q --dry-run --plan-out "$PLAN" --vma "$(helper_region)" "$HELPER_PID" 0 1
	assert_success
	# half of it moves by other means first
	run mpprobe --node 1 "$HELPER_PID" "$HELPER_ADDR" $((HELPER_LEN / 2))
	assert_success
	run mmigrate -q -J --apply "$PLAN"
	assert_success
	local already moved
	already=$(echo "$output" | jq '.processes[0].already_bytes')
	moved=$(echo "$output" | jq '.processes[0].moved_bytes')
	[ "$already" -ge $((HELPER_LEN / 2)) ] || fail "already $already"
	[ "$moved" -ge $((HELPER_LEN / 2)) ] && [ "$moved" -lt "$HELPER_LEN" ] || fail "moved $moved"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "a plan for a PID that now belongs to another process is refused (exit 2)" {
	start_helper --mib 16 --node 0 --no-thp
	run mmigrate -q --dry-run --plan-out "$PLAN" "$HELPER_PID" 0 1
	assert_success
	# same PID, other start time: what a reused PID looks like
	jq '.processes[0].start_time += 1' "$PLAN" >"$PLAN.reused"
	run mmigrate --apply "$PLAN.reused"
	assert_failure 2
	assert_output --partial "reused PID"
	assert_equal "${#lines[@]}" 1
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
}

@test "a plan from another boot is refused (exit 2)" {
	start_helper --mib 16 --node 0 --no-thp
	mmigrate -q --dry-run --plan-out "$PLAN" "$HELPER_PID" 0 1
	jq '.boot_id = "00000000-0000-0000-0000-000000000000"' "$PLAN" >"$PLAN.boot"
	run mmigrate --apply "$PLAN.boot"
	assert_failure 2
	assert_output --partial "another boot"
}

@test "a plan whose process has exited: exit 1" {
	start_helper --mib 16 --node 0 --no-thp
	mmigrate -q --dry-run --plan-out "$PLAN" "$HELPER_PID" 0 1
	stop_helper
	run mmigrate --apply "$PLAN"
	assert_failure 1
	assert_output --partial "no longer exists"
}
