#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# The zsh (completions/_<tool>) and fish (completions/<tool>.fish)
# completions: each shell loads them without error; fish's are run with
# `complete -C` for a few partial lines.  Skipped when the shell is not
# installed (scripts/deps check installs zsh and fish).
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
TOOLS="mscan mmigrate mplace mfree-discard"

need() { command -v "$1" >/dev/null || skip "$1 is not installed"; }

common_block() { # FILE: the shared part of the file
	sed -n '/^# ---- numashift common:/,/^# ---- numashift common end/p' "$1"
}

@test "zsh and fish files: each built file holds the one shared part in place" {
	local t
	for t in $TOOLS; do
		[ "$(common_block "$NS_BUILD/completions/_$t" | wc -l)" -gt 40 ]
		diff -u <(common_block "$NS_TOP/completions/common.zsh") <(common_block "$NS_BUILD/completions/_$t")
		[ "$(common_block "$NS_BUILD/completions/$t.fish" | wc -l)" -gt 40 ]
		diff -u <(common_block "$NS_TOP/completions/common.fish") <(common_block "$NS_BUILD/completions/$t.fish")
		! grep -q '@numashift-common@' "$NS_BUILD/completions/_$t" "$NS_BUILD/completions/$t.fish"
	done
}

@test "zsh: compinit finds the four completions and loads them without error" {
	need zsh
	run zsh -f -c '
		fpath=("$NS_BUILD/completions" $fpath)
		autoload -Uz compinit && compinit -u -d "$BATS_TEST_TMPDIR/zcompdump"
		for t in mscan mmigrate mplace mfree-discard; do
			[[ $_comps[$t] == _$t ]] || { print "no completion for $t"; exit 1 }
			autoload -Uz +X _$t || exit 1
		done
		print loaded'
	assert_success
	assert_output loaded
	for t in $TOOLS; do
		run zsh -n "$NS_BUILD/completions/_$t"
		assert_success
	done
}

@test "fish: the files load without error" {
	need fish
	local t
	for t in $TOOLS; do
		run fish --no-config -c "source $NS_BUILD/completions/$t.fish"
		assert_success
		assert_output ""
	done
}

fish_comp() { # TOOL LINE
	fish --no-config -c "source $NS_BUILD/completions/$1.fish; complete -C '$2'" | cut -f1
}

@test "fish: every option from --help is offered" {
	need fish
	local t o
	for t in $TOOLS; do
		run fish_comp "$t" "$t --"
		for o in $("$t" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			assert_line -- "$o"
		done
	done
}

@test "fish: node lists, columns, --vma kinds, mplace's command" {
	need fish
	local r=$BATS_TEST_TMPDIR/root n
	for n in 0 1 3; do mkdir -p "$r/sys/devices/system/node/node$n"; done
	export NUMASHIFT_SYSROOT=$r
	run fish_comp mmigrate "mmigrate --to "
	assert_output "$(printf '%s\n' 0 1 3 all)"
	run fish_comp mmigrate "mmigrate --from=0,"
	assert_output "$(printf '%s\n' --from=0,1 --from=0,3)"
	run fish_comp mmigrate "mmigrate 1 0,1,"
	assert_output "0,1,3"
	run fish_comp mscan "mscan --topology -o NODE,F"
	assert_output "$(printf '%s\n' NODE,FREE NODE,FREETHP)"
	run fish_comp mscan "mscan -o N"
	assert_output "$(printf '%s\n' N0 N1 N3 NODES)"
	run fish_comp mmigrate "mmigrate --dry-run -o E"
	assert_output ENTRIES
	run fish_comp mmigrate "mmigrate -o E"
	refute_line ENTRIES
	assert_line PLANNED
	run fish_comp mfree-discard "mfree-discard --vma "
	assert_output "$(printf '%s\n' anon heap stack)"
	run fish_comp mplace "mplace --nodes 0 -- bas"
	assert_line bash
}

@test "fish: PIDs with their command names" {
	need fish
	local name=nsfish$$ pid
	cp /bin/sleep "$BATS_TEST_TMPDIR/$name"
	"$BATS_TEST_TMPDIR/$name" 60 3>&- &
	pid=$!
	run fish --no-config -c "source $NS_BUILD/completions/mscan.fish; complete -C 'mscan -p 1,$pid'"
	kill "$pid"
	assert_line "1,$pid	$name"
}
