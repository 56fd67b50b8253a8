#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# A closed output pipe ends a tool quietly with the status its work had:
# no "write error", no SIGPIPE death, and a --watch loop stops.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	sleep 1000 3>&- &
	SP=$!
}

teardown() {
	kill "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	return 0
}

@test "mscan --watch into a pipe that closes: stops at once, exit 0, nothing on stderr" {
	local t0=$SECONDS st
	timeout 20 mscan --watch 0.1 -p "$SP" 2>"$BATS_TEST_TMPDIR/err" | head -n 3 >/dev/null
	st=${PIPESTATUS[0]}
	assert_equal "$st" 0
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	[ $((SECONDS - t0)) -lt 10 ] || fail "took $((SECONDS - t0)) s"
}

@test "every tool's output into an already closed pipe: quiet, the work's status" {
	local st
	for cmd in "mscan -p $SP" "mscan -m -J -p $SP" "mscan --topology --prom" \
		"mmigrate --dry-run -J -p $SP --to 0" "mfree-discard --dry-run -p $SP" \
		"mplace --dry-run -p $SP --nodes 0" "mscan --help"; do
		# the reader closes its end at once: every write meets a closed pipe
		$cmd 2>"$BATS_TEST_TMPDIR/err" | { exec 0<&-; sleep 0.5; }
		st=${PIPESTATUS[0]}
		assert_equal "$cmd: $st" "$cmd: 0"
		assert_equal "$cmd: $(cat "$BATS_TEST_TMPDIR/err")" "$cmd: "
	done
}

@test "every tool's output into a full device: exit 1 and one line, 'write error'" {
	[ -w /dev/full ] || skip "no /dev/full"
	local cmd st
	for cmd in "mscan -p $SP" "mscan -m -J -p $SP" "mscan --topology --prom" \
		"mmigrate --dry-run -J -p $SP --to 0" "mfree-discard --dry-run -p $SP" \
		"mplace --dry-run -p $SP --nodes 0"; do
		st=0
		$cmd >/dev/full 2>"$BATS_TEST_TMPDIR/err" || st=$?
		assert_equal "$cmd: $st" "$cmd: 1"
		assert_equal "$cmd: $(cat "$BATS_TEST_TMPDIR/err")" \
			"$cmd: ${cmd%% *}: write error: No space left on device"
	done
}
