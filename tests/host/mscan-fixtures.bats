#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mscan on captured and synthetic sysroot trees (tests/fixtures/trees): the
# outputs of expected/CASES compared byte for byte, the numbers checked
# against sums computed here from the tree's own files, JSON against the schema.
# UPDATE_GOLDEN=1 rewrites the expected outputs instead of comparing them
# (as tests/fixtures/trees/update-expected does); review with git diff.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TREES=$NS_TOP/tests/fixtures/trees
SYNTH=$TREES/synth-4node
SCHEMA=$NS_TOP/docs/schema/mscan.schema.json

# run every case of a tree; print a diff for each mismatch
check_cases() {
	local tree=$1 name rc args got bad=0
	while read -r name rc args; do
		case "$name" in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2086
		mscan --sysroot "$TREES/$tree" $args >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
		got=$?
		if [ "$got" != "$rc" ]; then
			echo "$tree/$name: exit $got, want $rc"; bad=1
		fi
		if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
			cat "$BATS_TEST_TMPDIR/out" >"$TREES/$tree/expected/$name"
			rm -f "$TREES/$tree/expected/$name.err"
			[ ! -s "$BATS_TEST_TMPDIR/err" ] || cat "$BATS_TEST_TMPDIR/err" >"$TREES/$tree/expected/$name.err"
			continue
		fi
		if ! diff -u "$TREES/$tree/expected/$name" "$BATS_TEST_TMPDIR/out"; then
			echo "$tree/$name: stdout differs"; bad=1
		fi
		local experr=$TREES/$tree/expected/$name.err
		[ -f "$experr" ] || experr=/dev/null
		if ! diff -u "$experr" "$BATS_TEST_TMPDIR/err"; then
			echo "$tree/$name: stderr differs"; bad=1
		fi
	done <"$TREES/$tree/expected/CASES"
	return $bad
}

validate() { # JSON files against the schema
	python3 - "$SCHEMA" "$@" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
bad = 0
for f in sys.argv[2:]:
    for e in v.iter_errors(json.load(open(f))):
        print(f, list(e.path), e.message); bad = 1
sys.exit(bad)
PY
}

# per-node bytes of a numa_maps file: "node bytes" lines (N<node>= x kernelpagesize_kB)
awk_node_bytes() {
	awk '{ kps = 0
	       for (i = 1; i <= NF; i++) if ($i ~ /^kernelpagesize_kB=[0-9]+$/) { split($i, a, "="); kps = a[2] }
	       for (i = 1; i <= NF; i++) if ($i ~ /^N[0-9]+=[0-9]+$/) { split(substr($i, 2), a, "="); b[a[1]] += a[2] * kps * 1024 } }
	     END { for (n in b) print n, b[n] }' "$1" | sort -n
}

json_node_bytes() { # mscan -J on stdin, pid -> "node bytes" lines
	python3 -c '
import json, sys
d = json.load(sys.stdin)
p = [p for p in d["processes"] if p["pid"] == int(sys.argv[1])][0]
for n, b in sorted(p["node_bytes"].items(), key=lambda kv: int(kv[0])):
    if b: print(n, b)' "$1"
}

@test "synthetic 4-node tree: every case matches its expected output" {
	run check_cases synth-4node
	assert_success
}

@test "captured tree from this machine: every case matches its expected output" {
	run check_cases real-1node
	assert_success
}

@test "expected JSON outputs are valid against docs/schema/mscan.schema.json" {
	run validate "$TREES"/*/expected/*.json
	assert_success
}

@test "per-node bytes equal numa_maps N<node>= x kernelpagesize_kB (hugetlb 2M and 1G included)" {
	mscan --sysroot "$SYNTH" -p 1000 -J -q >"$BATS_TEST_TMPDIR/j"
	# the tree's garbled lines (no kernelpagesize_kB) add nothing to awk's sums either
	awk_node_bytes "$SYNTH/proc/1000/numa_maps" >"$BATS_TEST_TMPDIR/want"
	json_node_bytes 1000 <"$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/got"
	run diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_success
	# node 2 holds the 1 GiB hugetlb page at its real size
	run grep -c . "$BATS_TEST_TMPDIR/got"
	assert_output 4
	run awk '$1 == 2 { print ($2 >= 1073741824) }' "$BATS_TEST_TMPDIR/got"
	assert_output 1
}

@test "captured tree: per-node bytes equal the awk sums of its numa_maps" {
	local t=$TREES/real-1node pid
	pid=$(basename "$(ls -d "$t"/proc/[0-9]*)")
	mscan --sysroot "$t" -p "$pid" -J >"$BATS_TEST_TMPDIR/j"
	awk_node_bytes "$t/proc/$pid/numa_maps" >"$BATS_TEST_TMPDIR/want"
	json_node_bytes "$pid" <"$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/got"
	run diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_success
}

@test "-l: THP, lazyfree and swap equal smaps_rollup" {
	run sh -c "mscan --sysroot '$SYNTH' -p 1000 -l -J -q | python3 -c '
import json, sys
p = json.load(sys.stdin)[\"processes\"][0]
print(p[\"thp_bytes\"] // 1024, p[\"lazyfree_bytes\"] // 1024, p[\"swap_bytes\"] // 1024)'"
	assert_success
	want=$(awk '/^AnonHugePages:/ { t = $2 } /^LazyFree:/ { l = $2 } /^Swap:/ { s = $2 } END { print t, l, s }' \
		"$SYNTH/proc/1000/smaps_rollup")
	assert_output "$want"
}

@test "-m: per-mapping THP, lazyfree and swap sum to the smaps totals" {
	run sh -c "mscan --sysroot '$SYNTH' -p 1001 -m -J | python3 -c '
import json, sys
m = json.load(sys.stdin)[\"mappings\"]
print(sum(x[\"rss_bytes\"] for x in m) // 1024, sum(x[\"thp_bytes\"] for x in m) // 1024)'"
	assert_success
	want=$(awk '/^Rss:/ { r += $2 } /^AnonHugePages:/ { t += $2 } END { print r, t }' "$SYNTH/proc/1001/smaps")
	assert_output "$want"
}

@test "garbled numa_maps and smaps lines: warnings with file:line, the rest still read, exit 0" {
	run mscan --sysroot "$SYNTH" -p 1000 -m
	assert_success
	assert_output --partial "mscan: warning: /proc/1000/numa_maps:15: "
	assert_output --partial "mscan: warning: /proc/1000/numa_maps:16: "
	assert_output --partial "mscan: warning: /proc/1000/smaps:55: "
	assert_output --partial "7ffd00000000"      # the stack, after the bad lines' neighbours
	run mscan --sysroot "$SYNTH" -p 1000 -m -q
	assert_success
	refute_output --partial "warning"
}

@test "paths with spaces: numa_maps' \\040 is shown as a space" {
	run mscan --sysroot "$SYNTH" -p 1000 -m -o PATH --noheadings
	assert_success
	assert_line "/data/My Documents/big file.db"
	assert_line "/dev/hugepages1G/huge one"
	refute_output --partial '\040'
}

@test "memory-only node: listed, marked, and its pages counted" {
	run mscan --sysroot "$SYNTH" --topology -o NODE,CPUS,MEMONLY --noheadings
	assert_success
	assert_line "3 -   yes"
	run mscan --sysroot "$SYNTH" -p 1000 -o N3 --bytes --noheadings -q
	assert_output "273940480"
}

@test "a process that went away mid-scan: warning, the others shown, exit 3" {
	run mscan --sysroot "$SYNTH" -p 1000,1002 -q
	assert_failure 3
	assert_output --partial "worker proc"
	run mscan --sysroot "$SYNTH" -p 1002
	assert_failure 1
	assert_output "mscan: process 1002 (gone) went away"
}

@test "--pages on a tree with pagemap and kpageflags: runs with node, state, THP and lazyfree" {
	run mscan --sysroot "$SYNTH" -p 1004 --pages --noheadings -o START,PAGES,NODE,STATE,THP,LAZYFREE
	assert_success
	assert_line "10000    8 0 present no  no"
	assert_line "18000    8 1 present no  yes"
	assert_line "20000    8 - swapped -   -"
	assert_line "28000    8 - absent  -   -"
	assert_line "200000 512 2 present yes no"
}
