#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# The exit status of a run over several processes when some of them cannot
# be done: refused for permission, gone, zombies.  The same outcome for all
# gives that code, a mix gives 3 (numashift(7)), in every tool.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup() {
	sleep 1000 3>&- &
	SP=$!
}

teardown() {
	kill "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	return 0
}

as_nobody() { # CMD...: run CMD as nobody with OWN set to a sleep nobody owns
	setpriv --reuid=65534 --regid=65534 --clear-groups bash -c \
		"sleep 100 3>&- & OWN=\$!; $*; rc=\$?; kill \$OWN; exit \$rc"
}

@test "a process refused for permission among processes done: 3 in every tool, run or dry run" {
	command -v setpriv >/dev/null || skip "no setpriv"
	[ "$(id -u)" = 0 ] || skip "needs root to become nobody"
	local cmd
	for cmd in "mmigrate -p $SP,\$OWN --to 0" "mmigrate --dry-run -p $SP,\$OWN --to 0" \
		"mmigrate -J -p $SP,\$OWN --to 0" "mscan -p $SP,\$OWN" \
		"mfree-discard --dry-run -p $SP,\$OWN"; do
		run -3 as_nobody "$cmd >/dev/null"
		assert_output --partial " $SP"
	done
	# alone, the refused process gives 4
	run -4 as_nobody "mmigrate -p $SP --to 0 >/dev/null"
	run -4 as_nobody "mscan -p $SP >/dev/null"
}

zombie() { # sets Z to a zombie (a child its parent never reaps), ZP to the parent
	local f=$BATS_TEST_TMPDIR/zpid
	cp /bin/sleep "$BATS_TEST_TMPDIR/nszombie"
	# the child exits only once its parent is sleep(1), which never reaps:
	# a child that died before the exec would be reaped by bash itself
	bash -c "bash -c 'until [ \"\$(cat /proc/\$PPID/comm)\" = sleep ]; do sleep 0.01; done
		exec \"\$0\" 0' '$BATS_TEST_TMPDIR/nszombie' 3>&- & echo \$! >'$f'; exec sleep 1000" 3>&- &
	ZP=$!
	for _ in $(seq 200); do
		[ -s "$f" ] && Z=$(cat "$f") && [ "$(cut -d' ' -f3 "/proc/$Z/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.05
	done
	fail "no zombie"
}

@test "a zombie has gone, in every tool: alone 1, among others 3, not matched by -n" {
	zombie
	local t
	for t in "mscan -p $Z" "mmigrate -p $Z --to 0" "mmigrate --dry-run -p $Z --to 0" \
		"mfree-discard -p $Z" "mfree-discard --dry-run -p $Z" \
		"mplace -p $Z --nodes 0" "mplace -p $Z --nodes 0 --dry-run" "mplace -p $Z --auto --dry-run"; do
		run -1 $t
		assert_output --regexp "$Z\b.*(gone|went away|exited)"
	done
	for t in "mscan -p $Z,$SP" "mmigrate -p $Z,$SP --to 0" "mmigrate --dry-run -p $Z,$SP --to 0" \
		"mfree-discard --dry-run -p $Z,$SP"; do
		run -3 $t
		assert_output --regexp "$Z\b.*(gone|went away|exited)"
	done
	for t in "mscan" "mmigrate --to 0" "mfree-discard --dry-run"; do
		run -1 $t -n nszombie
		assert_output --partial "no process matched"
	done
	kill "$ZP"
}

@test "a kernel thread is refused (2) by every tool, mplace too, before anything is changed" {
	[ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ] || skip "pid 2 is not kthreadd here"
	local before t
	before=$(taskset -p 2)
	for t in "mplace -p 2 --nodes 0 --dry-run" "mplace -p 2 --auto --dry-run" "mplace -p 2 --nodes 0" \
		"mscan -p 2" "mmigrate -p 2 --to 0" "mfree-discard -p 2"; do
		run -2 $t
		assert_output "${t%% *}: process 2 is a kernel thread: it has no user memory"
	done
	assert_equal "$(taskset -p 2)" "$before"
}

@test "mfree-discard: a process killed mid-run after some calls is partial (3), as in mmigrate" {
	[ -r /proc/kpageflags ] && [ "$(id -u)" = 0 ] || skip "needs root"
	local try rc pid md l0 l i d=$BATS_TEST_TMPDIR
	for ((try = 0; try < 5; try++)); do
		rm -f "$d/ready"
		nshelper --mib 1024 --no-thp --free-pct 100 --ready "$d/ready" >"$d/h.out" 2>&1 3>&- &
		pid=$!
		for ((i = 0; i < 600; i++)); do
			[ -f "$d/ready" ] || ! kill -0 "$pid" 2>/dev/null && break
			sleep 0.05
		done
		[ -f "$d/ready" ] || fail "nshelper not ready: $(cat "$d/h.out")"
		l0=$(awk '/^LazyFree/ { print $2 }' "/proc/$pid/smaps_rollup")
		mfree-discard -J --max-stall 1ms -p "$pid" >"$d/out.json" 2>"$d/err" 3>&- &
		md=$!
		# kill it as soon as the first pages have gone
		while :; do
			l=$(awk '/^LazyFree/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null)
			[ -n "$l" ] && [ "$l" -lt "$l0" ] && break
			kill -0 "$md" 2>/dev/null || break
		done
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null || true
		rc=0
		wait "$md" || rc=$?
		grep -q "the process went away" "$d/err" && break
	done
	grep -q "the process went away" "$d/err" || skip "mfree-discard ended before the kill 5 times"
	jq -c '.processes[0] | {status, calls, error}' "$d/out.json"
	assert_equal "$rc" 3
	assert_equal "$(jq -r '.processes[0].status' "$d/out.json")" partial
	[ "$(jq '.processes[0].calls' "$d/out.json")" -gt 0 ]
}
