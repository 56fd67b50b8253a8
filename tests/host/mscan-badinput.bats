#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mscan: bad input gives one clear line on stderr and the contract's exit code.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

SYNTH=$NS_TOP/tests/fixtures/trees/synth-4node

@test "non-numeric PID: exit 2, named" {
	run mscan -p abc
	assert_failure 2
	assert_output "mscan: invalid PID 'abc': expected a positive number (try 'mscan --help')"
}

@test "negative or zero PID: exit 2" {
	run mscan -p -5
	assert_failure 2
	assert_output --partial "invalid PID '-5'"
	run mscan -p 0
	assert_failure 2
}

@test "PID that does not exist: exit 1, the PID named" {
	local pid=4194000
	while [ -d "/proc/$pid" ]; do pid=$((pid + 1)); done
	run mscan -p "$pid"
	assert_failure 1
	assert_output "mscan: no such process: $pid"
	run mscan --sysroot "$SYNTH" -p 9999
	assert_failure 1
	assert_output "mscan: no such process: 9999"
}

@test "unknown column: exit 2, named" {
	run mscan --sysroot "$SYNTH" -p 1000 -o PID,BOGUS
	assert_failure 2
	assert_output "mscan: unknown column 'BOGUS' (try 'mscan --help')"
	run mscan --sysroot "$SYNTH" -p 1000 -o N7
	assert_failure 2
	assert_output --partial "unknown column 'N7'"
	run mscan --sysroot "$SYNTH" -p 1000 -m -o PID,COMM
	assert_failure 2
	assert_output --partial "unknown column 'COMM'"
}

@test "nonexistent, non-directory, proc-less or unreadable sysroot: exit 2" {
	run mscan --sysroot /nonexistent/tree -p 1
	assert_failure 2
	assert_output "mscan: cannot use sysroot '/nonexistent/tree': No such file or directory (try 'mscan --help')"
	run mscan --sysroot /etc/passwd -p 1
	assert_failure 2
	run mscan --sysroot "$BATS_TEST_TMPDIR" -p 1
	assert_failure 2
	assert_output --partial "has no proc/ directory"
	NUMASHIFT_SYSROOT=/nonexistent/tree run mscan -p 1
	assert_failure 2
	# unreadable: root reads everything, so ask as nobody
	mkdir -p "$BATS_TEST_TMPDIR/locked/proc"
	chmod 700 "$BATS_TEST_TMPDIR/locked"
	chmod 755 "$BATS_TEST_TMPDIR"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$NS_BIN/mscan" \
		--sysroot "$BATS_TEST_TMPDIR/locked" -p 1
	assert_failure 2
	assert_output --partial "Permission denied"
}

@test "NUMASHIFT_SYSROOT selects a tree like --sysroot" {
	NUMASHIFT_SYSROOT=$SYNTH run mscan -p 1001 -o COMM --noheadings
	assert_success
	assert_output "idle"
}

@test "selection other than -p under --sysroot: exit 2" {
	run mscan --sysroot "$SYNTH" -n idle
	assert_failure 2
	assert_output "mscan: under --sysroot only -p PID selection is possible"
	run mscan --sysroot "$SYNTH" -A
	assert_failure 2
	run mscan --sysroot "$SYNTH" -u root
	assert_failure 2
}

@test "unknown option or missing argument: one line naming it, exit 2" {
	run mscan --bogus
	assert_failure 2
	assert_output "mscan: unknown option '--bogus' (try 'mscan --help')"
	run mscan -Z
	assert_failure 2
	assert_output "mscan: unknown option '-Z' (try 'mscan --help')"
	run mscan -p
	assert_failure 2
	assert_output "mscan: option '-p' needs an argument (try 'mscan --help')"
	run mscan --watch
	assert_failure 2
	assert_output "mscan: option '--watch' needs an argument (try 'mscan --help')"
	run mscan -p 1 extra
	assert_failure 2
	assert_output --partial "unexpected argument 'extra'"
}

@test "no selection is a usage error naming the options" {
	run mscan
	assert_failure 2
	assert_output --partial "no process selected: use -p PID, -n NAME, -u USER, --cgroup PATH or -A"
}

@test "conflicting options and bad --watch: exit 2" {
	run mscan -p 1 -J --prom
	assert_failure 2
	run mscan -p 1 -m --pages
	assert_failure 2
	run mscan -p 1 --watch 0
	assert_failure 2
	run mscan -p 1 --watch soon
	assert_failure 2
	assert_output --partial "invalid --watch interval 'soon'"
}

@test "unknown user and missing cgroup: exit 2" {
	run mscan -u no-such-user-xyz
	assert_failure 2
	assert_output --partial "unknown user 'no-such-user-xyz'"
	run mscan --cgroup /no/such/cgroup
	assert_failure 2
}

@test "--help on stdout lists every column, exit 0; --version" {
	run --separate-stderr mscan --help
	assert_success
	assert_output --partial "Usage: mscan"
	for col in PID COMM NODES TOTAL MAIN THP LAZYFREE SWAP START END PERMS KIND PATH SIZE POLICY PAGES NODE STATE EXCL CPUS FREETHP MEMONLY DISTANCES; do
		assert_line --regexp "^  $col "
	done
	[ -z "$stderr" ]
	run mscan -V
	assert_success
	assert_output --regexp '^mscan \(numashift\) [0-9]'
}
