#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# Names that others choose (a process's COMM, the path of a file it maps)
# and arguments echoed in messages never reach the terminal raw: control
# characters are written as \xHH in tables, report lines and on stderr
# (JSON escapes them itself).  A process named with ESC sequences could
# otherwise clear or rewrite root's terminal.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR
	EVIL=$(printf 'ev\033[2Jil\a')
	mkdir -p "$D/bin"
	cp /bin/sleep "$D/bin/$EVIL"
	chmod 755 "$D" "$D/bin"
	"$D/bin/$EVIL" 1000 3>&- &
	EP=$!
	for _ in $(seq 100); do [ "$(cat "/proc/$EP/comm")" = "$EVIL" ] && break; sleep 0.05; done
}

teardown() {
	kill "$EP" 2>/dev/null
	wait "$EP" 2>/dev/null
	return 0
}

raw_free() { # FILE...: no ESC, BEL or other control byte but newline in the files
	local f
	for f in "$@"; do
		if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$f"; then
			fail "control bytes in $f: $(od -c "$f" | head -5)"
		fi
	done
}

@test "a COMM and a mapped path with ESC and BEL are escaped in every tool's tables and lines" {
	local t
	for t in "mscan -p $EP" "mscan -m -p $EP" "mscan -l -p $EP" "mmigrate --dry-run -p $EP --to 0" \
		"mmigrate -p $EP --to 0" "mfree-discard --dry-run -p $EP" "mplace --dry-run -p $EP --nodes 0"; do
		$t >"$D/out" 2>"$D/err" || fail "$t: exit $?"
		raw_free "$D/out" "$D/err"
	done
	mscan -p "$EP" >"$D/out"
	grep -qF 'ev\x1b[2Jil\x07' "$D/out" || fail "no escaped COMM: $(cat "$D/out")"
	mscan -m -p "$EP" >"$D/out"
	grep -qF 'bin/ev\x1b[2Jil\x07' "$D/out" || fail "no escaped path: $(cat "$D/out")"
	# JSON keeps the real name, escaped by JSON
	assert_equal "$(mscan -J -p "$EP" | jq -r '.processes[0].comm')" "$EVIL"
}

@test "messages on stderr escape COMM and the arguments they echo" {
	command -v setpriv >/dev/null || skip "no setpriv"
	local t
	# nobody cannot read root's process: the message names it
	for t in "mscan -p $EP" "mmigrate -p $EP --to 0" "mfree-discard -p $EP"; do
		setpriv --reuid=65534 --regid=65534 --clear-groups $t >"$D/out" 2>"$D/err" && fail "$t: exit 0"
		raw_free "$D/err"
		grep -qF '\x1b[2Jil\x07' "$D/err" || grep -qF "$EP" "$D/err" || fail "$t: $(cat "$D/err")"
	done
	# an argument with a newline or ESC is one line, escaped
	for t in mscan mmigrate mplace mfree-discard; do
		run -2 "$t" -p $'12\n34\e[2J'
		assert_equal "${#lines[@]}" 1
		assert_output --partial '12\x0a34\x1b[2J'
	done
}
