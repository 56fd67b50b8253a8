#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# One run at a time changes a process's memory, whoever started it: the lock
# of mmigrate, mplace and mfree-discard is a flock on /proc/PID/pagemap,
# which root and the process's owner open alike (their lock files live in
# different directories and never met).
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load "$NS_TOP/tests/vm/tests/common"
bats_require_minimum_version 1.5.0

setup() {
	command -v setpriv >/dev/null || skip "no setpriv"
	[ "$(id -u)" = 0 ] || skip "needs root to become nobody"
	D=$BATS_TEST_TMPDIR
	chmod 755 "$D"
	setpriv --reuid=65534 --regid=65534 --clear-groups sleep 1000 3>&- &
	NP=$!
	# until its exec of sleep, setpriv (root, then not dumpable) keeps
	# /proc/NP/pagemap from its new owner
	for _ in $(seq 200); do [ "$(cat /proc/$NP/comm 2>/dev/null)" = sleep ] && break; sleep 0.05; done
	HOLDER=
}

teardown() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	[ -n "${HELPER_PID:-}" ] && kill "$HELPER_PID" 2>/dev/null
	kill "$NP" 2>/dev/null
	wait 2>/dev/null
	return 0
}

@test "while the owner's run holds a process, root's mmigrate, mplace and mfree-discard refuse (5)" {
	# the owner (nobody) holds the lock its own run would hold
	setpriv --reuid=65534 --regid=65534 --clear-groups flock -o "/proc/$NP/pagemap" sleep 60 3>&- &
	HOLDER=$!
	for _ in $(seq 100); do grep -q "FLOCK.* $HOLDER " /proc/locks && break; sleep 0.05; done
	grep -q "FLOCK.* $HOLDER " /proc/locks || fail "no lock taken"
	run -5 mmigrate -p "$NP" --to 0
	assert_output --partial "(pid $HOLDER)"
	run -5 mplace -p "$NP" --nodes 0
	assert_output --partial "(pid $HOLDER)"
	# dry runs change nothing and take no lock
	run -0 mmigrate --dry-run -p "$NP" --to 0
	run -0 mfree-discard --dry-run -p "$NP"
	kill "$HOLDER"
	wait "$HOLDER" 2>/dev/null || true
	HOLDER=
	run -0 mmigrate -p "$NP" --to 0
	run -0 mfree-discard -p "$NP"
}

@test "the owner's own mmigrate waits (--wait) for root's run on its process" {
	flock -o "/proc/$NP/pagemap" sleep 2 3>&- &
	HOLDER=$!
	for _ in $(seq 100); do grep -q "FLOCK.* $HOLDER " /proc/locks && break; sleep 0.05; done
	run -5 setpriv --reuid=65534 --regid=65534 --clear-groups mmigrate -p "$NP" --to 0
	assert_output --partial "(pid $HOLDER)"
	run -0 setpriv --reuid=65534 --regid=65534 --clear-groups mmigrate -q --wait -p "$NP" --to 0
	wait "$HOLDER" || true
	HOLDER=
}

@test "mfree-discard takes the same lock: it never discards pages that a run is moving" {
	start_helper --mib 16 --no-thp --free-pct 50
	local hp=$HELPER_PID
	flock -o "/proc/$hp/pagemap" sleep 60 3>&- &
	HOLDER=$!
	for _ in $(seq 100); do grep -q "FLOCK.* $HOLDER " /proc/locks && break; sleep 0.05; done
	run -5 mfree-discard -p "$hp"
	assert_output --partial "process $hp (nshelper) is being changed by another numashift run (pid $HOLDER)"
	kill "$HOLDER"
	wait "$HOLDER" 2>/dev/null || true
	HOLDER=
	run -0 mfree-discard -q -p "$hp"
}

# A signal while --wait waits for another run's lock: the tool stops with the
# signal's code and changes nothing (mplace once went on without the lock).
wait_interrupted() { # SIGNAL CODE TOOL ARGS...
	local sig=$1 code=$2 out=$BATS_TEST_TMPDIR/out
	shift 2
	"$@" >"$out" 2>&1 &
	local tp=$!
	# it waits on the pagemap flock: a second FLOCK line appears for it
	for _ in $(seq 100); do grep -q "FLOCK.* $tp " /proc/locks && break; sleep 0.05; done
	sleep 0.2
	kill -"$sig" "$tp"
	local rc=0
	wait "$tp" || rc=$?
	[ "$rc" = "$code" ] || fail "$3 --wait: exit $rc after SIG$sig, expected $code: $(cat "$out")"
	grep -q "interrupted while waiting for its lock" "$out" || fail "no message: $(cat "$out")"
}

@test "SIGINT or SIGTERM during --wait for the lock: 130/143 and nothing changed, in every tool" {
	start_helper --mib 8 --no-thp --free-pct 50
	local hp=$HELPER_PID before
	before=$(taskset -p "$hp" | sed 's/.*: //')
	flock -o "/proc/$hp/pagemap" sleep 60 3>&- &
	HOLDER=$!
	for _ in $(seq 100); do grep -q "FLOCK.* $HOLDER " /proc/locks && break; sleep 0.05; done
	wait_interrupted TERM 143 mplace --wait -p "$hp" --nodes 0 --cpu-nodes 0
	wait_interrupted INT 130 mplace --wait -p "$hp" --nodes 0
	wait_interrupted TERM 143 mmigrate --wait -p "$hp" --to 0
	wait_interrupted INT 130 mmigrate --wait -p "$hp" --to 0
	wait_interrupted TERM 143 mfree-discard --wait -p "$hp"
	wait_interrupted INT 130 mfree-discard --wait -p "$hp"
	[ "$(taskset -p "$hp" | sed 's/.*: //')" = "$before" ] || fail "mplace changed the affinity without the lock"
}
