#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# mfree-discard without CAP_SYS_ADMIN (mapping mode from smaps LazyFree), with
# and without swap (zram), and without CAP_SYS_NICE.
load common

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
NICE="--inh-caps=+sys_nice --ambient-caps=+sys_nice"

setup() {
	command -v setpriv >/dev/null || skip "no setpriv in the guest"
	NB_DIR=$(mktemp -d /tmp/nb.XXXXXX)
	chmod 777 "$NB_DIR"
}

teardown() {
	[ -n "${NB_PID:-}" ] && kill "$NB_PID" 2>/dev/null && wait "$NB_PID" 2>/dev/null
	zram_swap_off
	rm -rf "$NB_DIR"
	helper_cleanup
}

start_nobody_helper() { # ARGS: nshelper as uid 65534
	local i
	$NOBODY nshelper --ready "$NB_DIR/ready" "$@" >"$NB_DIR/out" 2>&1 3>&- &
	NB_PID=$!
	for ((i = 0; i < 600; i++)); do [ -f "$NB_DIR/ready" ] && break; sleep 0.1; done
	[ -f "$NB_DIR/ready" ] || { cat "$NB_DIR/out" >&2; return 1; }
}

nobody_verify() {
	kill -USR1 "$NB_PID"
	for ((i = 0; i < 600; i++)); do grep -q '^verify ' "$NB_DIR/out" && break; sleep 0.1; done
	grep -qx 'verify ok' "$NB_DIR/out" || { cat "$NB_DIR/out" >&2; return 1; }
}

@test "no swap: mapping mode, CAP_SYS_ADMIN named, clean pages go, live THPs whole" {
	start_nobody_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	run $NOBODY $NICE mfree-discard -p "$NB_PID"
	assert_success
	assert_output --partial "precise mode needs CAP_SYS_ADMIN"
	assert_equal "$(lazyfree_kb "$NB_PID")" 0
	assert_equal "$(smaps_kb "$NB_PID" Swap)" 0
	nobody_verify
	kill "$NB_PID"; wait "$NB_PID"; rm -f "$NB_DIR"/*
	start_nobody_helper --mib 32 --thp --free-pct 50 --rewrite-pct 25
	local ahp=$(anon_huge_kb "$NB_PID")
	run $NOBODY $NICE mfree-discard -p "$NB_PID"
	assert_success
	assert_equal "$(anon_huge_kb "$NB_PID")" "$ahp"
	nobody_verify
}

@test "without CAP_SYS_NICE: exit 4 naming it" {
	start_nobody_helper --mib 8 --no-thp --free-pct 50
	run $NOBODY mfree-discard -p "$NB_PID"
	assert_failure 4
	assert_output --partial "CAP_SYS_NICE"
}

@test "with swap: mapping mode refuses (exit 5) unless --force; root stays precise" {
	zram_swap 128 || skip "no zram"
	start_nobody_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	local lf=$(lazyfree_kb "$NB_PID")
	run $NOBODY $NICE mfree-discard -p "$NB_PID"
	assert_failure 5
	assert_output --partial "swap"
	[ "$(lazyfree_kb "$NB_PID")" -ge "$lf" ]
	run $NOBODY $NICE mfree-discard -p "$NB_PID" --force
	assert_success
	assert_equal "$(lazyfree_kb "$NB_PID")" 0
	nobody_verify
	# root: precise mode passes only lazily freed pages: nothing swapped
	start_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	run mfree-discard -p "$HELPER_PID"
	assert_success
	assert_equal "$(lazyfree_kb "$HELPER_PID")" 0
	assert_equal "$(smaps_kb "$HELPER_PID" Swap)" 0
	verify_helper
	stop_helper
}
