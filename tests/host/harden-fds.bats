#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# A tool started with stdin, stdout or stderr closed opens /dev/null there
# first: otherwise the next file it opens (the lock file of the process it
# moves, a /proc file) gets fd 0, 1 or 2 and the report is written into it.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup() {
	sleep 1000 3>&- &
	SP=$!
	HOLDER=
	MP=
}

teardown() {
	[ -n "$MP" ] && kill "$MP" 2>/dev/null
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	kill "$SP" 2>/dev/null
	wait 2>/dev/null
	return 0
}

@test "mmigrate with stdout closed: its lock file never becomes its stdout" {
	[ "$(id -u)" = 0 ] || skip "the lock directory /run/numashift is root's"
	local lock=/run/numashift/$SP.lock fd1
	mkdir -p /run/numashift
	# another run holds the process's lock: mmigrate --wait opens the lock
	# file and waits, with the file open
	flock "$lock" sleep 1000 3>&- &
	HOLDER=$!
	for _ in $(seq 100); do [ -e "$lock" ] && break; sleep 0.05; done
	mmigrate --wait -q -p "$SP" --to 0 >&- 2>/dev/null 3>&- &
	MP=$!
	for _ in $(seq 200); do
		ls -l "/proc/$MP/fd" 2>/dev/null | grep -q "$lock" && break
		sleep 0.05
	done
	ls -l "/proc/$MP/fd" | grep -q "$lock" || fail "mmigrate never opened $lock"
	fd1=$(readlink "/proc/$MP/fd/1")
	assert_equal "$fd1" /dev/null
}

@test "every tool runs with fds 0, 1 and 2 closed: exit 0, as with /dev/null" {
	for t in mscan mmigrate mplace mfree-discard; do
		run sh -c "$t --version <&- >&- 2>&-"
		assert_success
		run sh -c "$t --help <&- >&- 2>&-"
		assert_success
	done
	run sh -c "mscan -p $SP <&- >&- 2>&-"
	assert_success
	run sh -c "mmigrate --dry-run -p $SP --to 0 >&- 2>&-"
	assert_success
}
