#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# tests/vm/tcg-flake: which guest deaths tests/vm/run may boot again.  Only
# an int3 trap in kernel text (multi-threaded TCG's race with the kernel's
# own code patching) is the emulator's; a kernel BUG, a user-space int3 or a
# clean console are not, and a guest that dies of those fails the run.  The
# logs are the consoles of real guests (6.12) and edits of them: the 6.1
# form of the same oops, a BUG in its place, a user-space trap line.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
FLAKE=$NS_TOP/tests/vm/tcg-flake
LOGS=$NS_TOP/tests/fixtures/vm-console

@test "tcg-flake: the int3 oops while the kernel boots (6.12) is the emulator's" {
	run -0 "$FLAKE" "$LOGS/int3-boot-6.12.log"
	assert_output "int3 trap in kernel text at sched_clock_cpu+0x9/0x190 (task swapper/0)"
}

@test "tcg-flake: the int3 oops in a test's page fault (6.12) is the emulator's" {
	run -0 "$FLAKE" "$LOGS/int3-alloc-6.12.log"
	assert_output "int3 trap in kernel text at __alloc_pages_noprof+0xe2/0x310 (task bash)"
}

@test "tcg-flake: 6.1's form of the oops header (no 'Oops: ') is found too" {
	run -0 "$FLAKE" "$LOGS/int3-6.1.log"
	assert_output --partial "int3 trap in kernel text at sched_clock_cpu"
}

@test "tcg-flake: a kernel BUG, a user-space int3 and a clean console are not the emulator's" {
	run -1 "$FLAKE" "$LOGS/bug-6.12.log"
	assert_output ""
	run -1 "$FLAKE" "$LOGS/user-int3-6.1.log"
	assert_output ""
	run -1 "$FLAKE" "$LOGS/clean-6.1.log"
	assert_output ""
}

@test "tcg-flake: a log that cannot be read is not the emulator's; no argument is a usage error" {
	run -1 "$FLAKE" "$BATS_TEST_TMPDIR/none.log"
	run -2 "$FLAKE"
	assert_output "usage: tcg-flake CONSOLE-LOG"
}

@test "tests/vm/run: NS_VM_BOOT_TRIES must be a whole number of boots, 1 or more" {
	run -2 env NS_VM_BOOT_TRIES=0 "$NS_TOP/tests/vm/run" --script /dev/null
	assert_output "vm: NS_VM_BOOT_TRIES: a whole number of boots, 1 or more (try --help)"
	run -2 env NS_VM_BOOT_TRIES=two "$NS_TOP/tests/vm/run" --script /dev/null
	assert_output --partial "NS_VM_BOOT_TRIES"
}

# ---- tests/vm/run's repeat, with a stand-in for QEMU ---------------------------
# The stand-in writes, for its Nth start, the console and results channel
# given in $FAKE/N.console and $FAKE/N.results, then exits.  It needs what a
# real run needs before QEMU starts: the cached 6.12 kernel and the guest's
# tools (make deps-vm); without them these tests skip.

fake_setup() {
	[ -f "$NS_TOP/tests/vm/cache/kernel-6.12/vmlinuz" ] ||
		skip "no cached 6.12 kernel (tests/vm/run fetches it: make check-vm)"
	local t
	for t in busybox cpio gzip xz jq; do
		command -v "$t" >/dev/null || skip "the guest's tools are not installed: no $t (make deps-vm)"
	done
	FAKE=$BATS_TEST_TMPDIR/fake
	mkdir -p "$FAKE/bin"
	cat >"$FAKE/bin/qemu-system-x86_64" <<'EOS'
#!/bin/bash
n=$(( $(cat "$FAKE/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$FAKE/count"
for a in "$@"; do
	case $a in
	file:*console.log) cp "$FAKE/$n.console" "${a#file:}" 2>/dev/null ;;
	file:*results.log) cp "$FAKE/$n.results" "${a#file:}" 2>/dev/null ;;
	esac
done
exit 0
EOS
	chmod +x "$FAKE/bin/qemu-system-x86_64"
	export FAKE
	echo true >"$FAKE/script.sh"
	printf 'NUMASHIFT-VM-BEGIN kernel=fake\nNUMASHIFT-VM-END status=0\n' >"$FAKE/ok.results"
}

fake_run() { # runs tests/vm/run --script with the stand-in; removes its logs
	run env PATH="$FAKE/bin:$PATH" "$NS_TOP/tests/vm/run" --build "$NS_BUILD" --kernel 6.12 \
		--topo 3node --script "$FAKE/script.sh"
	local logs
	logs=$(sed -n 's/^vm: logs in //p' <<<"$output")
	[ -z "$logs" ] || rm -rf "${NS_TOP:?}/$logs"
	STARTS=$(cat "$FAKE/count")
}

@test "tests/vm/run: a guest that died of the int3 race is booted again, and the second boot counts" {
	fake_setup
	cp "$LOGS/int3-boot-6.12.log" "$FAKE/1.console"
	cp "$FAKE/ok.results" "$FAKE/2.results"
	fake_run
	assert_success
	assert_output --partial "died of an emulator fault, not of a test: int3 trap in kernel text at sched_clock_cpu"
	assert_output --partial "booting again (try 2 of 3"
	assert_output --partial "script ok"
	[ "$STARTS" = 2 ]
}

@test "tests/vm/run: a guest that died of anything else, or after a 'not ok', is not booted again" {
	fake_setup
	cp "$LOGS/bug-6.12.log" "$FAKE/1.console"
	cp "$FAKE/ok.results" "$FAKE/2.results"
	fake_run
	assert_failure 1
	refute_output --partial "booting again"
	[ "$STARTS" = 1 ]
	rm "$FAKE/count"
	cp "$LOGS/int3-alloc-6.12.log" "$FAKE/1.console"
	printf 'NUMASHIFT-VM-BEGIN kernel=fake\nnot ok 1 a test that failed\n' >"$FAKE/1.results"
	fake_run
	assert_failure 1
	refute_output --partial "booting again"
	[ "$STARTS" = 1 ]
}

@test "tests/vm/run: NS_VM_BOOT_TRIES boots at most, then the death fails the run" {
	fake_setup
	cp "$LOGS/int3-boot-6.12.log" "$FAKE/1.console"
	cp "$LOGS/int3-boot-6.12.log" "$FAKE/2.console"
	cp "$FAKE/ok.results" "$FAKE/3.results"
	NS_VM_BOOT_TRIES=2 fake_run
	assert_failure 1
	assert_output --partial "booting again (try 2 of 2"
	assert_output --partial "guest ended without the end marker"
	[ "$STARTS" = 2 ]
}
