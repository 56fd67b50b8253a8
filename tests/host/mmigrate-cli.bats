#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mmigrate on the host: usage errors, dry runs on captured --sysroot trees,
# and saved plans that are garbled, from another boot or another process.
# (Moving pages needs two nodes: that is tests/vm/tests/mmigrate-*.bats.)

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

T=$NS_TOP/tests/fixtures/trees/synth-4node
SCHEMAS=$NS_TOP/docs/schema

validate() { # SCHEMA FILE: the JSON document conforms to docs/schema/SCHEMA
	python3 - "$SCHEMAS/$1" "$2" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
}

setup() {
	PLAN=$BATS_TEST_TMPDIR/plan.json
}

teardown() {
	[ -n "${SLEEP_PID:-}" ] && { kill "$SLEEP_PID" 2>/dev/null; wait "$SLEEP_PID" 2>/dev/null; }
	return 0
}

# one line on stderr naming the problem, exit 2
usage_err() {
	run mmigrate "$@"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
}

@test "--help prints the usage on stdout and exits 0; -V the version" {
	run mmigrate --help
	assert_success
	assert_line --partial "Usage: mmigrate PID FROM-NODES TO-NODES"
	assert_output --partial "--discard-lazyfree"
	run mmigrate -V
	assert_success
	assert_output --regexp '^mmigrate .*[0-9]+\.[0-9]+'
}

@test "usage errors: one line, exit 2" {
	usage_err
	usage_err 1 2
	usage_err 1 0 1 2
	usage_err -p 1
	usage_err -p 1 --to 0 5
	usage_err --bogus
	usage_err -p 1 --to 0 --threads 0
	usage_err -p 1 --to 0 --threads x
	usage_err -p 1 --to 0 --batch 0
	usage_err -p 1 --to 0 --rate 0
	usage_err -p 1 --to 0 --rate fast
	usage_err -p 1 --to 0 --nice 40
	usage_err -p 1 --to 0 --retries -1
	usage_err -p 1 --to 0 --timeout 0
	usage_err -p 1 --to 0 --engine turbo
	usage_err -p 1 --to 0 --min-free 100%
	usage_err -p 1 --to 0 --min-free lots
	usage_err -p 1 --to 0 --vma bogus
	usage_err -p 1 --to 0 --vma 0x2000-0x1000
	usage_err -p 1 --to 0 --engine syscall --threads 2
	usage_err -p 1 --to 0 --engine syscall --vma heap
	usage_err --apply x.json -p 1
	usage_err --apply x.json --dry-run
	usage_err abc 0 1
}

@test "--sysroot is for dry runs only" {
	run mmigrate --sysroot "$T" 1000 0 1
	assert_failure 2
	assert_output --partial "only --dry-run"
}

@test "unknown node and same FROM and TO are refused with exit 2" {
	run mmigrate --sysroot "$T" --dry-run 1000 0 9
	assert_failure 2
	assert_output --partial "node 9"
	assert_equal "${#lines[@]}" 1
	run mmigrate --sysroot "$T" --dry-run 1000 1 1
	assert_failure 2
	assert_output --partial "same"
}

@test "a PID that does not exist: exit 1, one line" {
	run mmigrate --sysroot "$T" --dry-run 4000000 0 1
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "no such process: 4000000"
	run mmigrate -p 4000000 --to 0
	assert_failure 1
	assert_output --partial "no such process"
}

@test "dry run: FROM->TO maps the k-th source node to the (k mod |TO|)-th target" {
	run mmigrate -q --sysroot "$T" --dry-run 1000 0,1,2 3
	assert_success
	assert_line --regexp '^1000 worker proc +0 +3 base '
	assert_line --regexp '^1000 worker proc +1 +3 base '
	assert_line --regexp '^1000 worker proc +2 +3 base '
	run mmigrate -q --sysroot "$T" --dry-run 1000 0,1 2,3
	assert_success
	assert_line --regexp '^1000 worker proc +0 +2 base '
	assert_line --regexp '^1000 worker proc +1 +3 base '
	refute_line --regexp '^1000 worker proc +[23] '
	# a captured tree is not this machine: no engine is chosen for it, by
	# --sysroot or by NUMASHIFT_SYSROOT alike
	refute_output --partial "engine"
	run env NUMASHIFT_SYSROOT="$T" "$NS_BIN/mmigrate" -q --dry-run 1000 0,1 2,3
	assert_success
	assert_line --regexp '^1000 worker proc +1 +3 base '
	refute_output --partial "engine"
}

@test "dry run -J: the plan's bytes are the numa_maps pages of the source nodes" {
	run mmigrate -q --sysroot "$T" --dry-run -J 1000 0 1
	assert_success
	# node 0 in numa_maps: 4+3+2048+65536+1000+16+33 base pages (the
	# malformed line is skipped)
	assert_equal "$(echo "$output" | jq '.planned_bytes')" $(((4 + 3 + 2048 + 65536 + 1000 + 16 + 33) * 4096))
	assert_equal "$(echo "$output" | jq '[.processes[0].runs[] | select(.from != 0 or .to != 1)] | length')" 0
	assert_equal "$(echo "$output" | jq '.schema_version')" 2
	assert_equal "$(echo "$output" | jq -r '.processes[0].comm')" "worker proc"
	echo "$output" >"$BATS_TEST_TMPDIR/dry.json"
	validate mmigrate-plan.schema.json "$BATS_TEST_TMPDIR/dry.json"
	# refused plans and spread plans too
	mmigrate -q --sysroot "$T" --dry-run -J 1000 0,1 2 >"$BATS_TEST_TMPDIR/dry.json" || true
	[ "$(jq '[.guard[] | select(.level == "refuse")] | length' "$BATS_TEST_TMPDIR/dry.json")" -gt 0 ]
	validate mmigrate-plan.schema.json "$BATS_TEST_TMPDIR/dry.json"
	mmigrate -q --sysroot "$T" --dry-run -J -p 1000 --to 1,3 >"$BATS_TEST_TMPDIR/dry.json"
	validate mmigrate-plan.schema.json "$BATS_TEST_TMPDIR/dry.json"
}

@test "dry run: hugetlb pages are their own class at their own size" {
	run mmigrate -q --sysroot "$T" --dry-run -J 1000 1 3
	assert_success
	assert_equal "$(echo "$output" | jq '[.processes[0].runs[] | select(.class == "hugetlb")][0].step')" 2097152
	assert_equal "$(echo "$output" | jq '[.processes[0].runs[] | select(.class == "hugetlb")][0].pages')" 1536
}

@test "dry run: --to alone spreads over the targets by free memory and leaves pages there alone" {
	run mmigrate -q --sysroot "$T" --dry-run -J -p 1000 --to 1,3
	assert_success
	assert_equal "$(echo "$output" | jq '[.processes[0].runs[] | select(.to != 1 and .to != 3)] | length')" 0
	assert_equal "$(echo "$output" | jq '[.processes[0].runs[] | select(.from == 1 or .from == 3)] | length')" 0
	local to1 to3
	to1=$(echo "$output" | jq '[.processes[0].runs[] | select(.to == 1) | .pages] | add')
	to3=$(echo "$output" | jq '[.processes[0].runs[] | select(.to == 3) | .pages] | add')
	# node 3 has about 2.5 times node 1's free memory
	[ "$to3" -gt "$to1" ] || fail "to node 3: $to3 pages, to node 1: $to1"
	[ "$(echo "$output" | jq '.processes[0].already_pages')" -gt 0 ]
}

@test "dry run: --vma picks mappings" {
	run mmigrate -q --sysroot "$T" --dry-run -J -p 1000 --from 0,1 --to 2 --vma heap
	assert_success
	assert_equal "$(echo "$output" | jq -c '[.processes[0].runs[].map_start] | unique')" '["0x1000000"]'
	assert_equal "$(echo "$output" | jq '.planned_bytes')" $(((2048 + 512) * 4096))
	run mmigrate -q --sysroot "$T" --dry-run -J -p 1000 --from 0 --to 2 --vma 'file=*worker'
	assert_success
	assert_equal "$(echo "$output" | jq '.planned_bytes')" $(((4 + 3) * 4096))
}

@test "dry run: a target left with less than --min-free is refused (exit 5), --force warns" {
	# 921 MiB of nodes 0 and 1 into the 1 GiB free of node 2 (4 GiB): less
	# than 5% would be left
	run mmigrate --sysroot "$T" --dry-run 1000 0,1 2
	assert_failure 5
	assert_output --partial "refused: node 2 has 1G free"
	run mmigrate --sysroot "$T" --dry-run --force 1000 0,1 2
	assert_success
	assert_output --partial "going on (--force)"
	run mmigrate -q --sysroot "$T" --dry-run --min-free 50M 1000 0,1 2
	assert_success
	run mmigrate -q --sysroot "$T" --dry-run --min-free 2% 1000 0,1 2
	assert_success
}

@test "dry run: a warning for a bind policy that keeps new pages elsewhere" {
	run mmigrate --sysroot "$T" --dry-run 1000 1 3
	assert_success
	assert_output --partial "has policy bind:1-2"
	run mmigrate --sysroot "$T" --dry-run 1000 1 2
	assert_success
	refute_output --partial "has policy bind"
}

@test "--plan-out writes the plan atomically; it is the -J plan" {
	run mmigrate -q --sysroot "$T" --dry-run --plan-out "$PLAN" 1000 0 1
	assert_success
	[ -f "$PLAN" ]
	assert_equal "$(jq -r '.tool' "$PLAN")" mmigrate
	assert_equal "$(jq '.processes[0].pid' "$PLAN")" 1000
	assert_equal "$(jq '.processes[0] | has("start_time")' "$PLAN")" true
	validate mmigrate-plan.schema.json "$PLAN"
	ls "$BATS_TEST_TMPDIR" | { ! grep -v '^plan.json$'; }
}

live_plan() { # a plan of a live sleep process (nothing to move on one node)
	sleep 300 3>&- &
	SLEEP_PID=$!
	run mmigrate -q --dry-run --plan-out "$PLAN" -p "$SLEEP_PID" --to 0
	assert_success
}

@test "--apply of a plan with nothing to move: exit 0; the JSON result fits its schema" {
	live_plan
	validate mmigrate-plan.schema.json "$PLAN"
	run mmigrate -q --apply "$PLAN"
	assert_success
	assert_output --partial "nothing to move"
	mmigrate -q -J --apply "$PLAN" >"$BATS_TEST_TMPDIR/res.json"
	validate mmigrate-result.schema.json "$BATS_TEST_TMPDIR/res.json"
	assert_equal "$(jq -r '.processes[0].stop' "$BATS_TEST_TMPDIR/res.json")" "not started"
	assert_equal "$(jq '.applied_plan' "$BATS_TEST_TMPDIR/res.json")" true
	assert_equal "$(jq '.processes[0].plan_seconds' "$BATS_TEST_TMPDIR/res.json")" null
	mmigrate -q -J -p "$SLEEP_PID" --to 0 >"$BATS_TEST_TMPDIR/res.json"
	validate mmigrate-result.schema.json "$BATS_TEST_TMPDIR/res.json"
	assert_equal "$(jq '.processes[0].already_bytes > 0' "$BATS_TEST_TMPDIR/res.json")" true
	assert_equal "$(jq '.processes[0].plan_seconds > 0' "$BATS_TEST_TMPDIR/res.json")" true
}

@test "--apply refuses a plan from another boot (exit 2)" {
	live_plan
	jq '.boot_id = "00000000-0000-0000-0000-000000000000"' "$PLAN" >"$PLAN.x"
	run mmigrate --apply "$PLAN.x"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	assert_output --partial "another boot"
}

@test "--apply refuses a reused PID (exit 2) and a gone process (exit 1)" {
	live_plan
	jq '.processes[0].start_time -= 1' "$PLAN" >"$PLAN.x"
	run mmigrate --apply "$PLAN.x"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	assert_output --partial "reused PID"
	jq '.processes[0].comm = "other"' "$PLAN" >"$PLAN.x"
	run mmigrate --apply "$PLAN.x"
	assert_failure 2
	kill "$SLEEP_PID"; wait "$SLEEP_PID" 2>/dev/null || true; SLEEP_PID=
	run mmigrate --apply "$PLAN"
	assert_failure 1
	assert_output --partial "no longer exists"
}

garbled() { # JQ-FILTER EXPECTED-TEXT: the edited plan is refused with one line
	jq "$1" "$PLAN" >"$PLAN.x"
	run mmigrate --apply "$PLAN.x"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	assert_output --partial "$2"
}

@test "--apply refuses garbled plans with exit 2 and one line naming the problem" {
	run mmigrate -q --sysroot "$T" --dry-run --plan-out "$PLAN" 1000 0 1
	assert_success
	head -c 100 "$PLAN" >"$PLAN.x"
	run mmigrate --apply "$PLAN.x"
	assert_failure 2
	assert_output --partial "bad plan"
	echo '[]' >"$PLAN.x"
	run mmigrate --apply "$PLAN.x"
	assert_failure 2
	run mmigrate --apply "$BATS_TEST_TMPDIR/none.json"
	assert_failure 1
	assert_output --partial "cannot read plan"
	garbled '.schema_version = 3' "schema_version 3"
	# a plan saved by 0.1 (schema 1: the same plan) passes the version check
	garbled '.schema_version = 1' "was made in another boot"
	garbled '.tool = "mscan"' "'tool'"
	garbled 'del(.boot_id)' "'boot_id'"
	garbled '.page_size = 1000' "'page_size'"
	garbled '.processes = {}' "'processes'"
	garbled '.processes[0].pid = -4' "'pid'"
	garbled 'del(.processes[0].start_time)' "'start_time'"
	garbled '.processes[0].runs[0].pages = 0' "'pages'"
	garbled '.processes[0].runs[0].pages = "12"' "'pages'"
	garbled '.processes[0].runs[0].class = "giant"' "'class'"
	garbled '.processes[0].runs[0].step = 12288' "'step'"
	garbled '.processes[0].runs[0].start = .processes[0].runs[0].map_end' "not inside its mapping"
	garbled '.processes[0].runs[0].start = 4096' "address string"
	garbled '.processes[0].runs[0].map_end = "0xzz"' "'map_end'"
	garbled '.processes[0].runs[0].to = .processes[0].runs[0].from' "to the node it is on"
	garbled '.processes[0].runs[0].to = 5000' "'to'"
	garbled '.processes[0].runs[0].coarse = 1' "'coarse'"
}

@test "--apply refuses a plan with no process, or one process twice (exit 2), even with --wait" {
	live_plan
	garbled '.processes = []' "bad plan: it lists no process"
	garbled '.processes += .processes' "bad plan: process $SLEEP_PID is listed twice"
	# with --wait the old code waited forever for its own lock
	run timeout 20 mmigrate --wait --apply "$PLAN.x"
	assert_failure 2
	assert_output "mmigrate: bad plan: process $SLEEP_PID is listed twice"
}

@test "-n: processes that exit before they are planned are left out (exit 0), as in every tool" {
	load "$NS_TOP/tests/vm/tests/common"
	left_out_forced numa_maps mmigrate --dry-run --to 0
	kill "$LONG_PID"
	wait "$LONG_PID" 2>/dev/null || true
	assert_equal "$LEFT_OUT_STATUS" 0
	run cat "$BATS_TEST_TMPDIR/left-out.err"
	assert_line "mmigrate: warning: process $VICTIM_PID (nsl$$x$BATS_TEST_NUMBER) exited before its turn: left out"
	run cat "$BATS_TEST_TMPDIR/left-out.out"
	assert_output --partial "pid $LONG_PID (nsl$$x$BATS_TEST_NUMBER)"
	refute_output --partial "$VICTIM_PID"
}
