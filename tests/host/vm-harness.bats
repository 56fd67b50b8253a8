#!/usr/bin/env bats
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
