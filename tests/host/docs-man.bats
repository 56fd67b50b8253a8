#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# The man pages (docs/*.scd, built by scdoc into $NS_BUILD/man) and the
# completions against the tools themselves: every long option a tool takes
# (from its --help and its getopt table in cmd/<tool>.c, read at test time)
# is in its man page and in its bash, zsh and fish completions; each tool's
# page has the sections the issue asks for and names every exit code the
# tool's --help names.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
TOOLS="mscan mmigrate mplace mfree-discard"

longopts() {
	{
		"$1" --help | grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//'
		sed -n '/struct option/,/{ *NULL/p' "$NS_TOP/cmd/$1.c" |
			sed -n 's/.*{ *"\([a-z0-9-]*\)",.*/\1/p'
	} | sort -u
}

# A section of an scdoc page: from "# NAME" to the next "# ".
section() {
	awk -v want="# $2" '/^# / { on = ($0 == want); next } on' "$1"
}

@test "every long option of each tool is in its man page" {
	local t o missing=
	for t in $TOOLS; do
		[ "$(longopts "$t" | wc -l)" -gt 5 ]
		for o in $(longopts "$t"); do
			grep -q -- "--$o\\b" "$NS_TOP/docs/$t.1.scd" || missing="$missing $t:--$o"
		done
	done
	[ -z "$missing" ] || fail "not in the man page:$missing"
}

@test "every long option of each tool is in its bash, zsh and fish completions" {
	local t o missing=
	for t in $TOOLS; do
		for o in $(longopts "$t"); do
			grep -q -- "--$o\\b" "$NS_BUILD/completions/$t.bash" || missing="$missing bash:$t:--$o"
			grep -q -- "--$o\\b" "$NS_BUILD/completions/_$t" || missing="$missing zsh:$t:--$o"
			grep -Eq -- "-l $o( |\$)" "$NS_BUILD/completions/$t.fish" || missing="$missing fish:$t:--$o"
		done
	done
	[ -z "$missing" ] || fail "not completed:$missing"
}

@test "each tool's page has EXIT STATUS, ENVIRONMENT, EXAMPLES and SEE ALSO" {
	local t s r page
	for t in $TOOLS; do
		page=$NS_TOP/docs/$t.1.scd
		head -n 1 "$page" | grep -qx "$t(1)" || fail "$page: first line is not $t(1)"
		for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
			grep -qx "# $s" "$page" || fail "$page: no '# $s' section"
			[ -n "$(section "$page" "$s" | tr -d '[:space:]')" ] || fail "$page: '# $s' is empty"
		done
		for r in numactl migratepages numastat; do
			section "$page" "SEE ALSO" | grep -Eq "\\*?$r\\*?\\(8\\)" ||
				fail "$page: SEE ALSO lacks $r(8)"
		done
		# EXAMPLES run the tool itself
		section "$page" EXAMPLES | grep -q "$t " || fail "$page: no example runs $t"
	done
}

@test "each page names every exit code its tool's --help names" {
	local t c page
	for t in $TOOLS; do
		page=$NS_TOP/docs/$t.1.scd
		for c in $("$t" --help | sed -n '/^Exit/,$p' | grep -Eo '\b[0-9]{1,3}\b' | sort -un); do
			section "$page" "EXIT STATUS" | grep -Eq "(^|[^0-9])$c([^0-9]|\$)" ||
				fail "$page: EXIT STATUS does not name $c"
		done
	done
}

@test "numashift(7) is built, names the tools and the tools' pages point to it" {
	local t page=$NS_TOP/docs/numashift.7.scd
	head -n 1 "$page" | grep -qx 'numashift(7)'
	for t in $TOOLS; do
		section "$page" "SEE ALSO" | grep -q "$t\\*\\{0,1\\}(1)" || fail "numashift(7) SEE ALSO lacks $t(1)"
	done
	for r in numactl migratepages numastat; do
		section "$page" "SEE ALSO" | grep -Eq "\\*?$r\\*?\\(8\\)" || fail "numashift(7): no $r(8)"
	done
}

@test "every page builds with scdoc, and make built it into \$NS_BUILD/man, dated by its last commit" {
	local src name epoch day
	command -v scdoc >/dev/null || skip "scdoc is not installed"
	for src in "$NS_TOP"/docs/*.[178].scd; do
		name=$(basename "$src" .scd)
		epoch=$("$NS_TOP/scripts/man-date" "$src")
		day=$(date -u -d "@$epoch" +%F)
		run -0 env SOURCE_DATE_EPOCH="$epoch" scdoc <"$src"
		[[ $output == *".TH \"${name%.*}\" \"${name##*.}\" \"$day\""* ]] || fail "$name: no .TH line dated $day"
		[ -s "$NS_BUILD/man/$name" ] || fail "$NS_BUILD/man/$name was not built"
		cmp -s <(printf '%s\n' "$output") "$NS_BUILD/man/$name" || fail "$NS_BUILD/man/$name is stale"
		# the same source builds to the same page on another day
		grep -q "^\.TH \"${name%.*}\" \"${name##*.}\" \"$day\"" "$NS_BUILD/man/$name" ||
			fail "$NS_BUILD/man/$name is not dated $day"
	done
}

@test "scripts/man-date: a usage error without exactly one page, exit 2 and one line" {
	run --separate-stderr "$NS_TOP/scripts/man-date"
	assert_equal "$status" 2
	assert_equal "$stderr" "usage: man-date PAGE.scd"
	run --separate-stderr "$NS_TOP/scripts/man-date" a.scd b.scd
	assert_equal "$status" 2
	assert_equal "$stderr" "usage: man-date PAGE.scd"
}

@test "man renders each built page without warnings" {
	command -v man >/dev/null || skip "man is not installed"
	local p
	for p in "$NS_BUILD"/man/*.[178]; do
		run --separate-stderr man --warnings -l "$p"
		assert_success
		[ -z "$stderr" ] || fail "$p: $stderr"
	done
}
