#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# Permissions as an unprivileged user (uid 65534 through setpriv): another
# user's process is refused up front by every tool with the missing
# capability named (exit 4) and nothing changes; on its own processes the
# user can scan and move pages; --move-all and discarding, which need
# CAP_SYS_NICE, are refused by name.

load common

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

setup() {
	command -v setpriv >/dev/null || skip "no setpriv in the guest"
	NB_DIR=$(mktemp -d /tmp/nb.XXXXXX)
	chmod 777 "$NB_DIR"
}

teardown() {
	[ -n "${NB_PID:-}" ] && { kill -KILL "$NB_PID" 2>/dev/null; wait "$NB_PID" 2>/dev/null; }
	rm -rf "$NB_DIR"
	helper_cleanup
}

start_nobody_helper() { # ARGS: nshelper as uid 65534; sets NB_PID NB_ADDR NB_LEN
	local i
	$NOBODY nshelper --ready "$NB_DIR/ready" "$@" >"$NB_DIR/out" 2>&1 3>&- &
	NB_PID=$!
	for ((i = 0; i < 600; i++)); do [ -f "$NB_DIR/ready" ] && break; sleep 0.1; done
	[ -f "$NB_DIR/ready" ] || { cat "$NB_DIR/out" >&2; return 1; }
	NB_ADDR=$(sed -n 's/.* addr=\([^ ]*\).*/\1/p' "$NB_DIR/ready")
	NB_LEN=$(sed -n 's/.* len=\([^ ]*\).*/\1/p' "$NB_DIR/ready")
}

nobody_verify() {
	local i n
	n=$(grep -c '^verify ' "$NB_DIR/out") || true
	kill -USR1 "$NB_PID"
	for ((i = 0; i < 600; i++)); do
		[ "$(grep -c '^verify ' "$NB_DIR/out")" -gt "$n" ] && break
		sleep 0.1
	done
	grep '^verify ' "$NB_DIR/out" | tail -n 1 | grep -qx 'verify ok' || { cat "$NB_DIR/out" >&2; return 1; }
}

# exit 4, one line naming a capability (warnings aside: they are not the
# refusal, and numa_balancing is off so that there are none normally)
refused() {
	[ "$status" = 4 ] || fail "exit $status, want 4: $output"
	local refusal
	# the tool's lines (a --dry-run may print its empty table's heading)
	refusal=$(printf '%s\n' "${lines[@]}" | grep -E '^(mscan|mmigrate|mplace|mfree-discard): ' | grep -v ': warning: ')
	[ "$(printf '%s\n' "$refusal" | wc -l)" = 1 ] || fail "want one line: $output"
	assert_output --regexp 'CAP_SYS_[A-Z]+'
}

@test "another user's process: every tool refuses up front naming the capability (exit 4)" {
	start_helper --mib 8 --node 0 --no-thp --free-pct 50
	run $NOBODY mscan -p "$HELPER_PID"
	refused
	assert_output --partial "CAP_SYS_PTRACE"
	run $NOBODY mscan -m -p "$HELPER_PID"
	refused
	run $NOBODY mmigrate "$HELPER_PID" 0 1
	refused
	run $NOBODY mmigrate --dry-run "$HELPER_PID" 0 1
	refused
	run $NOBODY mplace -p "$HELPER_PID" --nodes 1
	refused
	run $NOBODY mfree-discard -p "$HELPER_PID"
	refused
	run $NOBODY mfree-discard --dry-run -p "$HELPER_PID"
	refused
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "own process: an unprivileged user scans it and moves its pages" {
	start_nobody_helper --mib 16 --node 0 --no-thp
	run $NOBODY mscan -p "$NB_PID"
	assert_success
	run $NOBODY mscan -m -J -p "$NB_PID"
	assert_success
	echo "$output" | jq -e '.mappings | length > 0' >/dev/null
	run $NOBODY mmigrate -J "$NB_PID" 0 1
	assert_success
	assert_equal "$(node_bytes "$NB_PID" 1 "$NB_ADDR")" "$NB_LEN"
	nobody_verify
}

@test "own process: mplace --auto counts its pages per node without root (queries)" {
	start_nobody_helper --mib 16 --node 1 --no-thp --zero-mib 1
	$NOBODY mplace -p "$NB_PID" --auto --dry-run -J >"$NB_DIR/j"
	assert_equal "$(jq '.auto.node' "$NB_DIR/j")" 1
	auto_bytes_from_pagemap "$NB_DIR/j" "$NB_PID"
	[ "$(jq '.auto.candidates[] | select(.node == 1) | .bytes' "$NB_DIR/j")" -ge "$NB_LEN" ]
	nobody_verify
}

@test "own process: --move-all and discarding are refused naming CAP_SYS_NICE" {
	start_nobody_helper --mib 8 --node 0 --no-thp --free-pct 50
	run $NOBODY mmigrate --move-all "$NB_PID" 0 1
	refused
	assert_output --partial "CAP_SYS_NICE"
	assert_equal "$(node_bytes "$NB_PID" 1 "$NB_ADDR")" 0
	run $NOBODY mfree-discard -p "$NB_PID"
	refused
	assert_output --partial "CAP_SYS_NICE"
	run $NOBODY mplace --move-all -p "$NB_PID" --nodes 1
	refused
	assert_output --partial "CAP_SYS_NICE"
	nobody_verify
}

@test "own process: mmigrate --discard-lazyfree without CAP_SYS_NICE is refused by name" {
	start_nobody_helper --mib 8 --node 0 --no-thp --free-pct 50
	run $NOBODY mmigrate --discard-lazyfree "$NB_PID" 0 1
	nobody_verify
	refused
	assert_output --partial "CAP_SYS_NICE"
}

@test "a plan saved by root is not applied by nobody to root's process" {
	start_helper --mib 8 --node 0 --no-thp
	mmigrate -q --dry-run --plan-out "$NB_DIR/plan.json" "$HELPER_PID" 0 1 >/dev/null
	chmod 644 "$NB_DIR/plan.json"
	run $NOBODY mmigrate --apply "$NB_DIR/plan.json"
	refused
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
}
