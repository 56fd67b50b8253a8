#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# Process selection (common/procs.c) on live helper processes, through the
# test program selectp: by exact name, user, cgroup v2 directory, -A, PID
# lists, and the errors for PIDs that do not exist or are kernel threads.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

SELECTP="$NS_HELPERS/selectp"

# Start a copy of sleep named $1 (comm is the file name), optionally as
# another user ($2), and wait until its comm shows the new name.
start_helper() {
	local name=$1 user=${2:-} pid i
	[ -x "$NSDIR/$name" ] || cp /bin/sleep "$NSDIR/$name"
	if [ -n "$user" ]; then
		setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
			"$NSDIR/$name" 3600 </dev/null >/dev/null 2>&1 3>&- &
	else
		"$NSDIR/$name" 3600 </dev/null >/dev/null 2>&1 3>&- &
	fi
	pid=$!
	for i in $(seq 100); do
		[ "$(cat /proc/$pid/comm 2>/dev/null)" = "$name" ] && break
		sleep 0.05
	done
	echo "$pid" >>"$NSDIR/pids"
	echo "$pid"
}

pids_of() { # the pids selectp printed, one per line
	awk '{print $1}' <<<"$output"
}

sorted() { printf '%s\n' "$@" | sort -n; }

setup_file() {
	export NSX NSDIR CG CGDIR
	NSX=$(printf 'ns%05d' $((RANDOM % 100000)))
	NSDIR=$(mktemp -d /tmp/ns-procs-XXXXXX)
	chmod 755 "$NSDIR"   # user nobody runs a helper from here
	export A1 A2 B1 B2 C1 C2
	A1=$(start_helper "${NSX}_a")
	A2=$(start_helper "${NSX}_a")
	B1=$(start_helper "${NSX}_b")
	B2=$(start_helper "${NSX}_b" nobody)
	C1=$(start_helper "${NSX}_c")
	C2=$(start_helper "${NSX}_c")
	CG=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -n1)
	CGDIR=""
	if [ -n "$CG" ] && mkdir "$CG/$NSX-test" 2>/dev/null; then
		CGDIR="$CG/$NSX-test"
		mkdir "$CGDIR/sub"
		echo "$C1" >"$CGDIR/cgroup.procs"
		echo "$C2" >"$CGDIR/sub/cgroup.procs"
	fi
}

teardown_file() {
	local pid i
	for pid in $(cat "$NSDIR/pids" 2>/dev/null); do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $(cat "$NSDIR/pids" 2>/dev/null); do
		for i in $(seq 100); do
			[ -d /proc/$pid ] && [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] || break
			sleep 0.05
		done
	done
	if [ -n "$CGDIR" ]; then
		for i in $(seq 50); do
			rmdir "$CGDIR/sub" 2>/dev/null; rmdir "$CGDIR" 2>/dev/null && break
			sleep 0.1
		done
	fi
	rm -rf "$NSDIR"
}

@test "helpers are running under their new names" {
	for pid in $A1 $A2 $B1 $B2 $C1 $C2; do
		[ -d /proc/$pid ]
	done
	[ "$(cat /proc/$A1/comm)" = "${NSX}_a" ]
	[ "$(awk '/^Uid:/{print $2}' /proc/$B2/status)" = "$(id -u nobody)" ]
}

@test "-n selects exactly the processes of that name" {
	run "$SELECTP" -n "${NSX}_a"
	assert_success
	assert_equal "$(pids_of)" "$(sorted $A1 $A2)"
	assert_line --partial " ${NSX}_a"
}

@test "-n twice selects either name, sorted by pid" {
	run "$SELECTP" -n "${NSX}_a" -n "${NSX}_b"
	assert_success
	assert_equal "$(pids_of)" "$(sorted $A1 $A2 $B1 $B2)"
}

@test "-n is an exact match, not a prefix" {
	run "$SELECTP" -n "${NSX}_"
	assert_failure 1
	assert_output --partial "no process matched"
}

@test "-u and -n intersect: the helper run as nobody" {
	run "$SELECTP" -n "${NSX}_b" -u nobody
	assert_success
	assert_equal "$(pids_of)" "$B2"
	run "$SELECTP" -n "${NSX}_b" -u "$(id -u nobody)"
	assert_equal "$(pids_of)" "$B2"
	run "$SELECTP" -n "${NSX}_b" -u root
	assert_equal "$(pids_of)" "$B1"
}

@test "-u alone selects every process of the user" {
	run "$SELECTP" -u nobody
	assert_success
	assert_line --regexp "^$B2 $(id -u nobody) "
	for pid in $(pids_of); do
		[ ! -d /proc/$pid ] || [ "$(awk '/^Uid:/{print $2}' /proc/$pid/status)" = "$(id -u nobody)" ]
	done
}

@test "-u with an unknown user is bad input" {
	run "$SELECTP" -u no-such-user-xyz
	assert_failure 2
	assert_output --partial "unknown user 'no-such-user-xyz'"
}

@test "--cgroup selects the directory and everything below it" {
	[ -n "$CGDIR" ] || skip "cgroup2 is not mounted writable here"
	run "$SELECTP" --cgroup "$CGDIR"
	assert_success
	assert_equal "$(pids_of)" "$(sorted $C1 $C2)"
	run "$SELECTP" --cgroup "$CGDIR/sub"
	assert_equal "$(pids_of)" "$C2"
}

@test "--cgroup paths relative to the cgroup2 mount" {
	[ -n "$CGDIR" ] || skip "cgroup2 is not mounted writable here"
	run "$SELECTP" --cgroup "$NSX-test"
	assert_equal "$(pids_of)" "$(sorted $C1 $C2)"
	run "$SELECTP" --cgroup "/$NSX-test/sub/"
	assert_equal "$(pids_of)" "$C2"
}

@test "--cgroup and -n intersect" {
	[ -n "$CGDIR" ] || skip "cgroup2 is not mounted writable here"
	run "$SELECTP" --cgroup "$CGDIR" -n "${NSX}_a"
	assert_failure 1
	run "$SELECTP" --cgroup "$CGDIR" -n "${NSX}_c"
	assert_equal "$(pids_of)" "$(sorted $C1 $C2)"
}

@test "--cgroup that does not exist, or leads out of the hierarchy" {
	[ -n "$CG" ] || skip "no cgroup2 mount"
	run "$SELECTP" --cgroup "$NSX-no-such-dir"
	assert_failure 2
	assert_output --partial "cgroup '$NSX-no-such-dir' not found"
	run "$SELECTP" --cgroup "../.."
	assert_failure 2
}

@test "-A includes the helpers and no kernel thread" {
	local kthreads=0 pid flags
	for pid in /proc/[0-9]*; do
		flags=$(awk '{print $9}' "$pid/stat" 2>/dev/null) || continue
		[ -n "$flags" ] && (( flags & 0x200000 )) && kthreads=$((kthreads + 1))
	done
	[ "$kthreads" -gt 0 ]   # else this test could not fail
	run "$SELECTP" -A
	assert_success
	for pid in $A1 $A2 $B1 $B2 $C1 $C2; do
		assert_line --regexp "^$pid "
	done
	for pid in $(pids_of); do
		flags=$(awk '{print $9}' /proc/$pid/stat 2>/dev/null) || continue
		[ -z "$flags" ] || ! (( flags & 0x200000 ))
	done
}

@test "a kernel thread's name matches nothing" {
	local k name
	for k in /proc/[0-9]*; do
		flags=$(awk '{print $9}' "$k/stat" 2>/dev/null) || continue
		if [ -n "$flags" ] && (( flags & 0x200000 )); then name=$(cat "$k/comm"); break; fi
	done
	[ -n "$name" ]
	run "$SELECTP" -n "$name"
	assert_failure 1
}

@test "-p lists PIDs as given; with -n the union, no duplicates" {
	run "$SELECTP" -p "$B1,$A1"
	assert_success
	assert_equal "$(pids_of)" "$(sorted $A1 $B1)"
	run "$SELECTP" -p "$B1" -p "$A1" -n "${NSX}_a"
	assert_equal "$(pids_of)" "$(sorted $A1 $A2 $B1)"
}

@test "-p with a PID that does not exist: kept beside the others, alone exit 1" {
	local max
	max=$(cat /proc/sys/kernel/pid_max)   # PIDs are below pid_max
	run --separate-stderr "$SELECTP" -p "$A1,$max"
	assert_failure 3
	assert_equal "$(pids_of)" "$A1"
	assert_equal "$stderr" "selectp: no such process: $max"
	run "$SELECTP" -p "$max"
	assert_failure 1
	assert_output "selectp: no such process: $max"
}

@test "-p with a kernel thread: refused naming it" {
	local k pid=""
	for k in /proc/[0-9]*; do
		flags=$(awk '{print $9}' "$k/stat" 2>/dev/null) || continue
		if [ -n "$flags" ] && (( flags & 0x200000 )); then pid=${k#/proc/}; break; fi
	done
	[ -n "$pid" ]
	run "$SELECTP" -p "$pid"
	assert_failure 2
	assert_output --partial "process $pid is a kernel thread"
}

@test "the selecting process never selects itself" {
	run "$SELECTP" -n selectp
	assert_failure 1
}

@test "identity: start time and uid agree with /proc" {
	run "$SELECTP" -p "$B2"
	assert_success
	assert_output "$B2 $(id -u nobody) $(awk '{print $22}' /proc/$B2/stat) ${NSX}_b"
}

@test "--sysroot: -p reads identity from the tree; other selections refused" {
	local t="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$t/proc/4242" "$t/proc/4243"
	echo '4242 (fake (prog)) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0' >"$t/proc/4242/stat"
	printf 'Name:\tfake (prog)\nUid:\t1000\t1000\t1000\t1000\n' >"$t/proc/4242/status"
	echo '4243 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0' >"$t/proc/4243/stat"
	run "$SELECTP" --sysroot "$t" -p 4242
	assert_success
	assert_output "4242 1000 987654 fake (prog)"
	run --separate-stderr "$SELECTP" --sysroot "$t" -p 4242,4244
	assert_failure 3
	assert_equal "$stderr" "selectp: no such process: 4244"
	run "$SELECTP" --sysroot "$t" -p 4244
	assert_failure 1
	assert_output "selectp: no such process: 4244"
	run "$SELECTP" --sysroot "$t" -p 4243
	assert_failure 2
	run "$SELECTP" --sysroot "$t" -n "fake (prog)"
	assert_failure 2
	assert_output --partial "only -p PID"
}

# The tools select through the same module: mscan's PID column must list
# what selectp lists, and its errors carry the contract's exit codes.
mscan_pids() { awk 'NR > 1 {print $1}' <<<"$output"; }

@test "mscan selects the same processes (-n, -u, --cgroup, -p)" {
	[ -x "$NS_BIN/mscan" ] || skip "mscan not built"
	local sel
	for sel in "-n ${NSX}_a" "-n ${NSX}_b -u nobody" "-p $B1,$A2 -n ${NSX}_c"; do
		run "$SELECTP" $sel
		want=$(pids_of)
		run "$NS_BIN/mscan" $sel
		assert_success
		assert_equal "$(mscan_pids)" "$want"
	done
	if [ -n "$CGDIR" ]; then
		run "$NS_BIN/mscan" --cgroup "$CGDIR"
		assert_equal "$(mscan_pids)" "$(sorted $C1 $C2)"
	fi
}

@test "mscan: no such PID exits 1 naming it; a kernel thread exits 2" {
	[ -x "$NS_BIN/mscan" ] || skip "mscan not built"
	local max
	max=$(cat /proc/sys/kernel/pid_max)
	run "$NS_BIN/mscan" -p "$max"
	assert_failure 1
	assert_output "mscan: no such process: $max"
	run "$NS_BIN/mscan" -p 2
	if (( $(awk '{print $9}' /proc/2/stat) & 0x200000 )); then
		assert_failure 2
		assert_output --partial "process 2 is a kernel thread"
	fi
}

@test "the tools link neither libproc2 nor libnuma (start-up cost); -n loads libproc2 then" {
	local t
	for t in mscan mmigrate mplace mfree-discard; do
		[ -x "$NS_BIN/$t" ] || skip "$t not built"
		run ldd "$NS_BIN/$t"
		assert_success
		refute_output --partial libproc2
		refute_output --partial libnuma
	done
	# ... and a selection by name still finds the helper (through dlopen)
	run "$NS_BIN/mscan" -n "${NSX}_a"
	assert_success
	assert_output --partial "$A1"
}

@test "libproc2 that cannot be loaded: -n/-u/-A exit 1 naming it, -p still works" {
	[ -x "$NS_BIN/mscan" ] || skip "mscan not built"
	local sel
	mkdir -p "$BATS_TEST_TMPDIR/lib"
	echo "not a library" >"$BATS_TEST_TMPDIR/lib/libproc2.so.0"
	for sel in "-n ${NSX}_a" "-u nobody" "-A"; do
		run env LD_LIBRARY_PATH="$BATS_TEST_TMPDIR/lib" "$NS_BIN/mscan" $sel
		assert_failure 1
		assert_equal "${#lines[@]}" 1
		assert_output --regexp "^mscan: cannot load libproc2\.so\.0 \(libproc2.*libproc2-0\).*: .*lib/libproc2\.so\.0"
	done
	run env LD_LIBRARY_PATH="$BATS_TEST_TMPDIR/lib" "$NS_BIN/mscan" -p "$A1"
	assert_success
	assert_output --partial "$A1"
}
