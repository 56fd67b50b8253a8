#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# A --sysroot tree is read only as a capture: each file it holds must be a
# regular file of sane size (a FIFO would block for ever, a device never
# end), or the tool names the file and exits 2; a garbled file gives its
# first 10 warnings and then a count, not a line for each of its lines.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR/tree
	cp -a "$NS_TOP/tests/fixtures/trees/synth-4node" "$T"
}

refused() { # FILE WHY: every tool that reads FILE under the tree exits 2 naming it
	local cmd st
	for cmd in "mscan -p 1000" "mscan -l -p 1000" "mmigrate --dry-run -p 1000 --to 1" \
		"mplace --dry-run -p 1000 --nodes 1" "mplace --dry-run -p 1000 --auto"; do
		# into files, and KILL: the old code read /dev/zero for ever, with
		# SIGTERM caught, and wrote millions of warnings
		st=0
		timeout -s KILL 20 $cmd --sysroot "$T" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
		assert_equal "$cmd: $st" "$cmd: 2"
		run head -c 100000 "$BATS_TEST_TMPDIR/err"
		assert_line "${cmd%% *}: $T/$1: $2: --sysroot '$T' is not a captured tree"
	done
}

@test "--sysroot: a FIFO in place of numa_maps is refused at once (2), in every tool" {
	rm "$T/proc/1000/numa_maps"
	mkfifo "$T/proc/1000/numa_maps"
	refused proc/1000/numa_maps "not a regular file"
}

@test "--sysroot: numa_maps linked to /dev/urandom or /dev/zero is refused (2)" {
	for dev in /dev/urandom /dev/zero; do
		ln -sf "$dev" "$T/proc/1000/numa_maps"
		refused proc/1000/numa_maps "not a regular file"
	done
}

@test "--sysroot: a device anywhere the tools read is refused (2), optional files too" {
	for f in proc/1000/stat proc/1000/status proc/meminfo sys/devices/system/node/online; do
		[ -e "$T/$f" ] || continue
		cp -a "$NS_TOP/tests/fixtures/trees/synth-4node/$f" "$T/$f.orig"
		ln -sf /dev/zero "$T/$f"
		# mmigrate's dry run reads the topology, the process and its maps
		run timeout -s KILL 20 mmigrate --dry-run --sysroot "$T" -p 1000 --to 1
		assert_equal "$status" 2
		assert_output --partial "$T/$f: not a regular file"
		mv "$T/$f.orig" "$T/$f"
	done
}

@test "--sysroot: a file larger than 256 MiB is refused without being read (2)" {
	truncate -s 300M "$T/proc/1000/numa_maps"
	refused proc/1000/numa_maps "larger than any /proc or /sys file"
}

@test "--sysroot: a garbled file gives 10 warnings and a count, not one per line" {
	head -c 2000000 /dev/urandom | base64 >"$T/proc/1000/numa_maps"
	run timeout -s KILL 20 mscan --sysroot "$T" -p 1000
	assert_equal "$(grep -c 'numa_maps:[0-9]*: ' <<<"$output")" 10
	assert_line --regexp "^mscan: warning: /proc/1000/numa_maps: [0-9]+ more warnings$"
	[ "${#lines[@]}" -lt 20 ] || fail "${#lines[@]} lines"
}
