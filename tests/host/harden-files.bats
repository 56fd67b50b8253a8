#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# Files the tools write and read: a plan (--plan-out) is written to a
# temporary file in the same directory and renamed, so it is never left half
# written, and only over nothing or a regular file (never a device, FIFO,
# symlink or directory); a plan
# file is read only if it is a regular file of at most 64 MiB.  Nothing in
# numashift is setuid.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup() {
	sleep 1000 3>&- &
	SP=$!
	# a plan names the process by its command: wait until the fork is sleep
	for _ in $(seq 200); do [ "$(cat /proc/$SP/comm 2>/dev/null)" = sleep ] && break; sleep 0.01; done
	D=$BATS_TEST_TMPDIR
}

teardown() {
	kill "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	return 0
}

plan_out() { # FILE [more options]: a dry run of the sleep saving its plan
	local f=$1
	shift
	mmigrate --dry-run -q -p "$SP" --to 0 --plan-out "$f" "$@" >/dev/null
}

@test "--plan-out over a device node, FIFO, symlink or directory: refused (2), left as it was" {
	# a device made here, never the machine's /dev: the old code replaced
	# what was at the path with a 0600 regular file
	mknod "$D/null" c 1 3
	mkfifo "$D/fifo"
	mkdir "$D/dir" "$D/elsewhere"
	echo "precious" >"$D/precious"
	ln -s "$D/precious" "$D/link"
	ln -s "$D/elsewhere/target.json" "$D/dangling"
	ln -s "$D/null" "$D/stdout"
	local before
	before=$(stat -c '%F %t,%T %a' "$D/null")
	for f in null fifo dir link dangling stdout; do
		run plan_out "$D/$f"
		assert_failure 2
		assert_output "mmigrate: refusing --plan-out '$D/$f': it exists and is not a regular file (try 'mmigrate --help')"
	done
	assert_equal "$(stat -c '%F %t,%T %a' "$D/null")" "$before"
	[ -p "$D/fifo" ] && [ -d "$D/dir" ] || fail "the FIFO or the directory was replaced"
	assert_equal "$(readlink "$D/link")" "$D/precious"
	assert_equal "$(readlink "$D/dangling")" "$D/elsewhere/target.json"
	assert_equal "$(readlink "$D/stdout")" "$D/null"
	assert_equal "$(cat "$D/precious")" "precious"
	[ ! -e "$D/elsewhere/target.json" ] || fail "the link's target was created"
	assert_equal "$(ls "$D" | tr '\n' ' ')" "dangling dir elsewhere fifo link null precious stdout "
}

@test "--plan-out over a regular file replaces it; an empty name is a usage error" {
	echo old >"$D/plan.json"
	run plan_out "$D/plan.json"
	assert_success
	assert_equal "$(jq '.processes[0].pid' "$D/plan.json")" "$SP"
	run plan_out ""
	assert_failure 2
	assert_output "mmigrate: empty --plan-out file name (try 'mmigrate --help')"
}

@test "--plan-out leaves no temporary file behind, success or failure, and is private" {
	run plan_out "$D/plan.json"
	assert_success
	assert_equal "$(ls "$D")" "plan.json"
	assert_equal "$(stat -c %a "$D/plan.json")" 600
	# the write fails (the directory is gone): nothing is left
	run plan_out "$D/nodir/plan.json"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "cannot write plan $D/nodir/plan.json"
	assert_equal "$(ls "$D")" "plan.json"
}

@test "--plan-out into a directory the caller cannot write: refused, nothing written" {
	command -v setpriv >/dev/null || skip "no setpriv"
	local ro rc=0
	ro=$(mktemp -d /tmp/harden-ro.XXXXXX)
	chmod 755 "$ro"
	# nobody scans a process of its own: a sleep it starts
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
		"sleep 100 3>&- & p=\$!; mmigrate --dry-run -q -p \$p --to 0 --plan-out $ro/plan.json; rc=\$?; kill \$p; exit \$rc" \
		>"$D/out" 2>"$D/err" || rc=$?
	local left
	left=$(ls -A "$ro")
	rm -rf "$ro"
	assert_equal "$rc" 1
	assert_equal "$(cat "$D/err")" "mmigrate: cannot write plan $ro/plan.json: Permission denied"
	assert_equal "$left" ""
}

@test "a plan larger than 64 MiB is refused before it is parsed, quickly" {
	# real JSON, 80 MiB: a long string in an otherwise valid document
	python3 -c '
import sys
sys.stdout.write("{\"schema_version\": 1, \"pad\": \"" + "a" * (80 << 20) + "\"}")' >"$D/huge.json"
	local t0=$SECONDS
	run mmigrate --apply "$D/huge.json"
	assert_failure 2
	assert_output "mmigrate: bad plan $D/huge.json: too large ($(stat -c %s "$D/huge.json") bytes, at most 67108864)"
	[ $((SECONDS - t0)) -lt 5 ] || fail "took $((SECONDS - t0)) s"
}

@test "a plan that is a FIFO, a directory or a device is refused without blocking" {
	mkfifo "$D/fifo"
	mkdir "$D/dir"
	for f in "$D/fifo" "$D/dir" /dev/zero /dev/urandom; do
		run timeout 10 mmigrate --apply "$f"
		assert_failure 2
		assert_output "mmigrate: bad plan $f: not a regular file"
	done
}

@test "a saved plan just under the limit still loads (the limit is not too tight)" {
	plan_out "$D/plan.json"
	# pad the saved plan with whitespace to 60 MiB: same plan, big file
	python3 - "$D/plan.json" <<'PY'
import sys
p = sys.argv[1]
s = open(p, 'rb').read()
open(p, 'wb').write(s + b' ' * ((60 << 20) - len(s)))
PY
	run mmigrate -q --apply "$D/plan.json"
	# one node on the host: nothing to move, but the plan was read
	refute_output --partial "bad plan"
	refute_output --partial "too large"
	[ "$status" -lt 2 ] || fail "exit $status: $output"
}

@test "nothing numashift builds is setuid or setgid" {
	run find "$NS_BIN" "$NS_HELPERS" -perm /6000
	assert_success
	assert_output ""
	run grep -nE 'install .*-m *[0-7]*[4-7][0-7]{3}' "$NS_TOP/Makefile"
	assert_failure
}
