#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# util-linux's output options in all four tools: -o (+COLS), -O, -H,
# --noheadings, -r, -J, -b; and numashift(7)'s table of short options is
# each tool's own option string, letter for letter.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load "$NS_TOP/tests/vm/tests/common"
bats_require_minimum_version 1.5.0

setup() {
	start_helper --mib 4 --no-thp --free-pct 50
	P=$HELPER_PID
}

teardown() {
	helper_cleanup
}

# TOOL ARGS...: each line of the tool's table output (stdout)
tool_table() { "$@" 2>/dev/null; }

@test "-H lists the columns and exits 0, in every tool; -O prints every column" {
	local t
	for t in mscan mmigrate mplace mfree-discard; do
		run -0 "$t" -H
		assert_line --regexp '^  PID +process id$'
		run -0 "$t" --list-columns
		assert_line --regexp '^  COMM +command name$'
	done
	# -O: every column -H lists (mscan: its default view)
	local want got
	want=$(mscan -H | awk '/^  [A-Z]/ { print $1 }' | sed 's/^NODES$/N0/' | tr '\n' ' ')
	got=$(mscan -p "$P" -O | head -1 | tr -s ' ' | sed 's/^ //; s/ *$/ /')
	assert_equal "$got" "$want"
	want=$(mfree-discard -H | awk '/^  [A-Z]/ { print $1 }' | tr '\n' ' ')
	got=$(mfree-discard --dry-run -p "$P" -O | head -1 | tr -s ' ' | sed 's/^ //; s/ *$/ /')
	assert_equal "$got" "$want"
}

@test "-r: one space between cells, a blank inside a cell as \\x20; --noheadings; -b" {
	local line
	# a mapped path with a blank: the helper's own binary is not one, so
	# take mscan -m of a process that maps a file with a space in its name
	cp "$(command -v sleep)" "$BATS_TEST_TMPDIR/my sleep"
	"$BATS_TEST_TMPDIR/my sleep" 100 3>&- &
	local sp=$!
	for _ in $(seq 100); do grep -q "my sleep" "/proc/$sp/maps" 2>/dev/null && break; sleep 0.02; done
	run -0 mscan -m -r -o PATH,SIZE -p "$sp"
	kill "$sp"
	assert_line --regexp '^[^ ]*my\\x20sleep [0-9.]+[KMG]?$'
	refute_line --regexp '  '
	# every line of a raw table has the same number of fields
	run -0 mfree-discard --dry-run -r -O -p "$P"
	[ "$(awk '{ print NF }' <<<"$output" | sort -u | wc -l)" = 1 ] || fail "fields differ: $output"
	run -0 mscan -p "$P" -r --noheadings -b -o PID,TOTAL
	assert_output --regexp "^$P [0-9]+$"
	run -0 mmigrate --dry-run -p "$P" --to 0 -r --noheadings -o PID,BYTES
	refute_line --regexp '^PID'
}

@test "-o names a column the table lacks: one line, exit 2, in every tool" {
	run -2 mscan -p "$P" -o PID,BOGUS
	assert_output --partial "BOGUS"
	run -2 mmigrate --dry-run -p "$P" --to 0 -o BOGUS
	assert_output --partial "BOGUS"
	run -2 mfree-discard --dry-run -p "$P" -o BOGUS
	assert_output --partial "BOGUS"
	run -2 mplace -p "$P" --nodes 0 -o BOGUS
	assert_output --partial "BOGUS"
}

# The short options of TOOL as its getopt_long string has them (with
# the CLI_*_SHORT strings of cmd/cli.h expanded), sorted.
tool_letters() {
	local expand
	# one sed command per string macro: s/" CLI_X_SHORT "/letters/g
	expand=$(sed -n 's/^#define \(CLI_[A-Z]*_SHORT\) "\(.*\)"/s\/" \1 "\/\2\/g;/p' "$NS_TOP/cmd/cli.h")
	grep -o 'getopt_long(argc, argv, "[^)]*' "$NS_TOP/cmd/$1.c" |
		sed "$expand s/.*argv, \"\([^\"]*\)\".*/\1/; s/[+:]//g" |
		grep -o '[A-Za-z]' | sort | tr -d '\n'
}

# The letters numashift(7)'s SHORT OPTIONS table gives TOOL (column COL).
page_letters() {
	awk -v col="$2" '/^# SHORT OPTIONS/ { on = 1; next } /^# / { on = 0 }
		on && /^\|  -/ { letter = substr($2, 2); k = 0; next }
		on && /^:  / && letter != "" { k++; if (k == col && $2 != "-") print letter }' \
		"$NS_TOP/docs/numashift.7.scd" | sort | tr -d '\n'
}

@test "numashift(7)'s short-option table is each tool's option string" {
	local t k=0
	for t in mscan mmigrate mplace mfree-discard; do
		k=$((k + 1))
		assert_equal "$(page_letters "$t" "$k")" "$(tool_letters "$t")"
	done
}
