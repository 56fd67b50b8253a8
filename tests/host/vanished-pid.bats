#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# A PID of a -p list that does not exist (a pgrep-fed script races exits
# every day) is reported in the table's stderr line and in the JSON's
# "errors", and the run's status is 3 when others were done, 1 when none
# was: in mscan, mmigrate and mfree-discard.  mplace takes one PID.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load "$NS_TOP/tests/vm/tests/common"
bats_require_minimum_version 1.5.0

setup() {
	start_helper --mib 4 --no-thp --free-pct 50
	MAX=$(cat /proc/sys/kernel/pid_max)     # never a live PID
}

teardown() {
	helper_cleanup
}

# TOOL ARGS...: run with -p HELPER,MAX, then with MAX alone
check_tool() {
	local tool=$1
	shift
	run --separate-stderr "$tool" "$@" -p "$HELPER_PID,$MAX"
	assert_failure 3
	assert_equal "${stderr_lines[0]}" "$tool: no such process: $MAX"
	assert_output --partial "$HELPER_PID"
	run --separate-stderr "$tool" -J "$@" -p "$HELPER_PID,$MAX"
	assert_failure 3
	jq -e --argjson p "$MAX" '[.errors // [], .processes // []] | flatten
		| map(select(.pid == $p and (.message // .error) == "no such process: \($p)")) | length == 1' \
		<<<"$output" >/dev/null || fail "$tool -J: no entry for $MAX: $output"
	jq -e --argjson p "$HELPER_PID" '[.processes[]? | select(.pid == $p)] | length == 1' \
		<<<"$output" >/dev/null || fail "$tool -J: no entry for the helper: $output"
	run "$tool" "$@" -p "$MAX"
	assert_failure 1
	assert_output "$tool: no such process: $MAX"
}

@test "mscan: a missing PID beside a live one: 3, named on stderr and in the JSON" {
	check_tool mscan
}

@test "mmigrate: a missing PID beside a live one: 3, named on stderr and in the JSON" {
	check_tool mmigrate --to 0
	run --separate-stderr mmigrate --dry-run --to 0 -p "$HELPER_PID,$MAX"
	assert_failure 3
	assert_output --partial "pid $MAX: not planned (gone)"
}

@test "mfree-discard: a missing PID beside a live one: 3, named on stderr and in the JSON" {
	check_tool mfree-discard
}

@test "mplace says plainly that it takes one PID" {
	run -2 mplace -p "$HELPER_PID,$MAX" --nodes 0
	assert_output --partial "mplace places one process"
}
