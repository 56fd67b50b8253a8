#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# The bash completions (completions/<tool>.bash) loaded in a real bash
# (--norc, no bash-completion package): COMP_WORDS/COMP_CWORD are set as
# bash sets them for a partial command line and the COMPREPLY the tool's
# completion function leaves is compared with what the tool itself says.
# Option lists come from the binaries' --help and the getopt tables in
# cmd/<tool>.c at test time, never from a copy in this file.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
TOOLS="mscan mmigrate mplace mfree-discard"

setup_file() {
	# comp LINE: print what completing LINE offers, one per line.  Words
	# are split as bash does (COMP_WORDBREAKS: '=' is a word of its own).
	cat >"$BATS_FILE_TMPDIR/comp" <<'EOF'
#!/bin/bash
line=$1
words=()
read -r -a toks <<<"$line"
for tok in "${toks[@]}"; do
	while [[ $tok == *=* ]]; do
		[[ -n ${tok%%=*} ]] && words+=("${tok%%=*}")
		words+=("=")
		tok=${tok#*=}
	done
	[[ -n $tok ]] && words+=("$tok")
done
[[ $line == *" " ]] && words+=("")
tool=${words[0]}
. "$NS_BUILD/completions/$tool.bash" || exit 3
spec=$(complete -p "$tool") || exit 3
fn=$(sed -n 's/.* -F \([^ ]*\) .*/\1/p' <<<"$spec")
COMP_WORDS=("${words[@]}")
COMP_CWORD=$((${#words[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMP_TYPE=${COMP_TYPE:-9}
COMPREPLY=()
"$fn" "$tool" "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]}" || exit 4
printf '%s\n' "${COMPREPLY[@]}"
EOF
	chmod +x "$BATS_FILE_TMPDIR/comp"
}

comp() { bash --norc --noprofile "$BATS_FILE_TMPDIR/comp" "$1"; }
# the same, sorted (compgen's file order is the directory's)
comp_sorted() { comp "$1" | LC_ALL=C sort; }

# Long options from the tool's --help and from its getopt table.
help_longopts() {
	{
		"$1" --help | grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//'
		table_longopts "$1"
	} | sort -u
}
# getopt_long table of cmd/TOOL.c: "name kind" (kind: no_argument, ...)
# (the shared lists of cmd/cli.h, CLI_*_LONG_OPTIONS, expanded, and the
# lists they name in turn)
table_opts() {
	local m text more
	text=$(sed -n '/struct option/,/{ *NULL/p' "$NS_TOP/cmd/$1.c")
	more=$text
	while [ -n "$more" ]; do
		# a list not found in cli.h gives an option "unresolved-NAME", which
		# no --help and no completion has: the checks below then fail
		more=$(for m in $(grep -o 'CLI_[A-Z_]*_LONG_OPTIONS' <<<"$more" | sort -u); do
			awk -v m="$m" '$0 ~ "^#define " m "([ \t]|$)" { on = 1; sub("#define " m, "") }
				on { print; if ($0 !~ /\\$/) exit }
				END { if (!on) { n = tolower(m); gsub(/_/, "-", n)
					printf "{ \"unresolved-%s\", no_argument,\n", n } }' "$NS_TOP/cmd/cli.h"
		done)
		text+=$'\n'$more
	done
	sed -n 's/.*{ *"\([a-z0-9-]*\)", *\([a-z_]*\),.*/\1 \2/p' <<<"$text"
}
table_longopts() { table_opts "$1" | awk '{ print $1 }'; }
# Short options: the letters of getopt_long's option string.
# (the CLI_*_SHORT strings of cmd/cli.h expanded)
table_shortopts() {
	local expand
	# one sed command per string macro: s/" CLI_X_SHORT "/letters/g
	expand=$(sed -n 's/^#define \(CLI_[A-Z]*_SHORT\) "\(.*\)"/s\/" \1 "\/\2\/g;/p' "$NS_TOP/cmd/cli.h")
	grep -o 'getopt_long(argc, argv, "[^)]*' "$NS_TOP/cmd/$1.c" |
		sed "$expand s/.*argv, \"\([^\"]*\)\".*/\1/; s/[+:]//g" |
		grep -o '[A-Za-z]'
}

# The node tree of a fake sysroot: nodes 0, 1 and 3 (2 is gone, as after
# offlining), for NUMASHIFT_SYSROOT.
fake_nodes() {
	local r=$BATS_TEST_TMPDIR/root n
	for n in 0 1 3; do mkdir -p "$r/sys/devices/system/node/node$n"; done
	mkdir -p "$r/sys/devices/system/node/power" "$r/proc"
	echo "$r"
}

@test "each built bash file is the tool's part with the one shared part in place" {
	local t
	for t in $TOOLS; do
		# the built file: the source with its marker line replaced by common.bash
		diff -u <(sed -e '/^# @numashift-common@$/{r '"$NS_TOP"'/completions/common.bash' -e 'd;}' \
			"$NS_TOP/completions/$t.bash") "$NS_BUILD/completions/$t.bash"
		grep -q '^_numashift_words()' "$NS_BUILD/completions/$t.bash"
		! grep -q '@numashift-common@' "$NS_BUILD/completions/$t.bash"
	done
}

@test "every long and short option of each tool is offered, and nothing else" {
	local t o offered known
	for t in $TOOLS; do
		offered=$(comp "$t -")
		[ -n "$offered" ]
		for o in $(help_longopts "$t"); do
			grep -qx -- "--$o" <<<"$offered" || fail "$t: --$o is not completed"
		done
		for o in $(table_shortopts "$t"); do
			grep -qx -- "-$o" <<<"$offered" || fail "$t: -$o is not completed"
		done
		known=$( (help_longopts "$t" | sed 's/^/--/'; table_shortopts "$t" | sed 's/^/-/') )
		for o in $offered; do
			grep -qx -- "$o" <<<"$known" || fail "$t: completes $o, which $t does not take"
		done
		run comp "$t --he"
		assert_output -- "--help"
	done
}

@test "an option's argument is never completed as another option" {
	local t o kind
	for t in $TOOLS; do
		while read -r o kind; do
			[ "$kind" = required_argument ] || continue
			run comp "$t --$o -"
			assert_success
			refute_output --regexp '^--[a-z]' || fail "$t --$o: its argument completes as an option"
			# and the option after the argument completes again
			run comp "$t --$o 1 --he"
			assert_output -- "--help"
		done < <(table_opts "$t")
	done
}

@test "node lists: the nodes that exist, all, ranges, after a comma the rest" {
	local r
	r=$(fake_nodes)
	export NUMASHIFT_SYSROOT=$r
	run comp "mmigrate --to "
	assert_output "$(printf '%s\n' 0 1 3 all)"
	run comp "mmigrate --from 0,"
	assert_output "$(printf '%s\n' 0,1 0,3)"
	run comp "mmigrate --from 0,3,"
	assert_output "0,3,1"
	run comp "mfree-discard --nodes=1"
	assert_output "1"
	run comp "mplace --nodes 1-"
	assert_output "1-3"
	run comp "mplace --cpu-nodes !"
	assert_output "$(printf '%s\n' '!0' '!1' '!3' )"
	run comp "mplace --nodes a"
	assert_output "all"
	# mmigrate PID FROM TO: the 2nd and 3rd words are node lists
	run comp "mmigrate 1 0,"
	assert_output "$(printf '%s\n' 0,1 0,3)"
	run comp "mmigrate 1 0 "
	assert_output "$(printf '%s\n' 0 1 3 all)"
	# --sysroot on the line wins over the environment
	unset NUMASHIFT_SYSROOT
	mkdir -p "$BATS_TEST_TMPDIR/r2/sys/devices/system/node/node7"
	run comp "mmigrate --sysroot $BATS_TEST_TMPDIR/r2 --to "
	assert_output "$(printf '%s\n' 7 all)"
}

@test "node lists on this machine come from /sys/devices/system/node" {
	local want
	want=$(ls -d /sys/devices/system/node/node[0-9]* | sed 's|.*/node||' | sort -n; echo all)
	run comp "mfree-discard --nodes "
	assert_output "$want"
}

@test "PIDs: by number and by command name, listed with their command names" {
	local name=nscomp$$ pid n
	cp /bin/sleep "$BATS_TEST_TMPDIR/$name"
	"$BATS_TEST_TMPDIR/$name" 60 3>&- &
	pid=$!
	run comp "mscan -p ${pid:0:3}"
	kill "$pid"
	assert_line "$pid"
	# every offered PID starts with what was typed, and is a live process
	for n in $output; do
		[[ $n == "${pid:0:3}"* ]] || fail "offered $n for ${pid:0:3}"
	done
	"$BATS_TEST_TMPDIR/$name" 60 3>&- &
	pid=$!
	run comp "mscan -p $name"
	assert_output "$pid"
	run comp "mfree-discard --pid=1,$name"
	assert_output "1,$pid"
	run comp "mplace -p $name"
	assert_output "$pid"
	run comp "mmigrate $name"
	assert_output "$pid"
	run comp "mscan -n ${name:0:6}"
	assert_line "$name"
	# a second TAB lists the choices: each PID with its command name
	COMP_TYPE=63 run comp "mscan -p ${pid:0:1}"
	assert_line "$pid ($name)"
	# after a comma: the list so far, not the PIDs already named
	run comp "mscan -p $pid,${pid:0:1}"
	refute_line "$pid,$pid"
	kill "$pid"
}

@test "kernel threads are not offered as PIDs" {
	[ -d /proc/2 ] && [ -z "$(tr -d '\0' </proc/2/cmdline)" ] || skip "no kthreadd visible"
	run comp "mscan -p 2"
	assert_success
	# (no candidate at all is fine: refute_line needs at least one line)
	! grep -qx 2 <<<"$output" || fail "kthreadd (PID 2) offered: $output"
}

@test "--vma kinds are the ones the tool's --help lists; file= takes files" {
	local t want
	for t in mmigrate mfree-discard; do
		# "--vma SPEC  only matching mappings: heap, stack, ..., START-END"
		want=$("$t" --help | sed -n '/--vma/,/START-END/p' | tr '\n' ' ' |
			sed 's/.*mappings://; s/START-END.*//' | grep -o '[a-z]*=\{0,1\}' | grep .)
		run comp "$t --vma "
		assert_output "$want"
	done
	run comp "mmigrate --vma f"
	assert_output "$(printf '%s\n' file file=)"
	touch "$BATS_TEST_TMPDIR/libfoo.so"
	run comp "mmigrate --vma file=$BATS_TEST_TMPDIR/libf"
	assert_output "$BATS_TEST_TMPDIR/libfoo.so"
}

# The column tables (struct col_desc NAME[]) of FILE (under the top): names of one.
source_columns() {
	sed -n "/struct col_desc $2\\[\\]/,/^};/p" "$NS_TOP/$1" |
		sed -n 's/^[[:space:]]*{ *"\([A-Z0-9-]*\)".*/\1/p'
}

# Every column table the tool has (in FILE, where its rows are built), with
# the view option that shows it.
check_columns() {
	local tool=$1 file=$2 table view want
	shift 2
	# a column table not named here is a view this test does not know
	for table in $(sed -n 's/.*struct col_desc \([a-z_]*\)\[\].*/\1/p' "$NS_TOP/$file"); do
		[[ " $* " == *" $table="* ]] || fail "$tool: column table $table is new: add its view here"
	done
	for pair in "$@"; do
		table=${pair%%=*} view=${pair#*=}
		want=$(source_columns "$file" "$table")
		[ -n "$want" ]
		grep -qx NODES <<<"$want" && want=$(printf '%s\n' "$want" N0 N1 N3)
		run comp "$tool $view -o "
		assert_output "$want"
	done
}

@test "-o completes the columns of the view on the line (from the tables in common/)" {
	export NUMASHIFT_SYSROOT=$(fake_nodes)
	check_columns mscan common/report_scan.c report_proc_cols= report_map_cols=-m \
		report_run_cols=--pages report_node_cols=--topology
	run comp "mscan -o PID,CO"
	assert_output "PID,COMM"
	run comp "mscan --mappings --output=+pa"
	assert_output "$(printf '%s\n' +PATH +PAGESIZE)"
	run comp "mscan -o PID,N"
	assert_output "$(printf '%s\n' PID,NODES PID,N0 PID,N1 PID,N3)"
	run comp "mfree-discard -o thp-"
	assert_output "$(printf '%s\n' THP-DISC THP-KEPT THP-COLL)"
}

# The names of a column table of common/report.c.
report_columns() {
	sed -n "/struct col_desc $1\\[\\]/,/^};/p" "$NS_TOP/common/report.c" |
		sed -n 's/^[[:space:]]*{ *"\([A-Z0-9-]*\)".*/\1/p'
}

@test "mmigrate, mplace, mfree-discard: -o completes their tables' columns (common/report.c)" {
	local want t
	want=$(report_columns report_move_cols)
	[ -n "$want" ]
	for t in mmigrate mplace; do
		run comp "$t -o "
		assert_output "$want"
	done
	want=$(report_columns report_discard_cols)
	[ -n "$want" ]
	run comp "mfree-discard -o "
	assert_output "$want"
	# a dry run shows the plan: its columns, not the move's
	want=$(report_columns report_plan_cols)
	[ -n "$want" ]
	run comp "mmigrate --dry-run -o "
	assert_output "$want"
	run comp "mfree-discard --dry-run -o "
	assert_output "$(report_columns report_discard_cols)"
}

@test "the tools without -o have no column completion" {
	local t
	for t in $TOOLS; do
		table_opts "$t" | grep -q '^output ' && continue
		run comp "$t -o "
		refute_output --regexp '^[A-Z]'
	done
}

@test "files after --apply and --plan-out, directories after --sysroot" {
	local d=$BATS_TEST_TMPDIR
	touch "$d/plan-a.json"
	mkdir "$d/plans"
	run comp_sorted "mmigrate --apply $d/pl"
	assert_output "$(printf '%s\n' "$d/plan-a.json" "$d/plans" | LC_ALL=C sort)"
	run comp "mmigrate --plan-out=$d/plan-"
	assert_output "$d/plan-a.json"
	run comp "mscan --sysroot $d/pl"
	assert_output "$d/plans"
}

@test "fixed words: --engine, --mode, --thp, --policy take what --help names" {
	local line t o w
	for line in "mmigrate engine" "mfree-discard mode" "mfree-discard thp" "mplace policy"; do
		read -r t o <<<"$line"
		run comp "$t --$o "
		assert_success
		[ -n "$output" ]
		for w in $output; do
			"$t" --help | grep -q -- "$w" || fail "$t --$o offers $w, not in --help"
		done
	done
	run comp "mplace --policy w"
	assert_output "weighted-interleave"
}

@test "mplace: the launched command and its arguments complete as commands and files" {
	run comp "mplace --nodes 0 -- bas"
	assert_line bash
	run comp "mplace --nodes 0 bas"
	assert_line bash
	run comp "mplace --nodes 0 -- bash --no"
	assert_success
	[[ $output != *--nodes* ]] || fail "mplace's own options offered inside the command"
	run comp "mplace --nodes 0 -- bash $NS_TOP/completions/mpl"
	assert_line "$NS_TOP/completions/mplace.bash"
}

@test "users after -u, cgroup directories after --cgroup" {
	run comp "mscan -u roo"
	assert_line root
	run comp "mfree-discard --cgroup /sys/fs/cg"
	assert_output "/sys/fs/cgroup/"
	run comp "mmigrate --cgroup "
	assert_output --regexp '^/sys/fs/cgroup.*/$'
}
