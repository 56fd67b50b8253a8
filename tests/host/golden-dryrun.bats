#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# Golden dry runs: mmigrate, mplace and mfree-discard --dry-run --sysroot on
# the synthetic tree (tests/fixtures/trees/synth-4node), compared byte for
# byte with expected/TOOL/NAME (stdout), NAME.err (stderr, when not empty)
# and NAME.plan (the --plan-out file of a case whose arguments hold %PLAN%),
# as mscan's cases in mscan-fixtures.bats.  expected/TOOL/CASES lists the
# cases: name, exit status, arguments.
#
# The outputs are deterministic: the tree fixes the PIDs, start times and
# free memory, has no boot id and no /proc/stat (CPU load 0); the tree's
# path, which differs between checkouts, is written as @SYSROOT@.
#
# A change that alters an output on purpose (a new JSON field, a new
# column) rewrites the expected files with
#   UPDATE_GOLDEN=1 NS_TOP=$PWD PATH=$PWD/build/bin:$PATH bats tests/host/golden-dryrun.bats
# then `git diff tests/fixtures/trees` shows each change for review.  A case
# whose exit status differs from CASES fails in both modes.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TREE=$NS_TOP/tests/fixtures/trees/synth-4node
SCHEMAS=$NS_TOP/docs/schema

# run_cases TOOL: every case of expected/TOOL/CASES; a diff for each mismatch
run_cases() {
	local tool=$1 dir=$TREE/expected/$1 name rc args got bad=0 n=0 f
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err plan=$BATS_TEST_TMPDIR/plan
	while read -r name rc args; do
		case "$name" in ''|'#'*) continue ;; esac
		n=$((n + 1))
		rm -f "$plan"
		# shellcheck disable=SC2086
		"$tool" --sysroot "$TREE" --dry-run ${args//%PLAN%/$plan} >"$out" 2>"$err"
		got=$?
		[ "$got" = "$rc" ] || { echo "$tool/$name: exit $got, CASES says $rc"; bad=1; }
		sed -i "s|$TREE|@SYSROOT@|g" "$out" "$err"
		[ ! -f "$plan" ] || sed -i "s|$TREE|@SYSROOT@|g" "$plan"
		for f in "" .err .plan; do
			local got_f=$out want=$dir/$name$f
			case "$f" in .err) got_f=$err ;; .plan) got_f=$plan ;; esac
			if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
				if [ -s "$got_f" ] || { [ -z "$f" ] && [ -f "$got_f" ]; }; then
					cat "$got_f" >"$want"   # the plan is 0600: not its mode
				else
					rm -f "$want"
				fi
				continue
			fi
			[ -f "$got_f" ] || got_f=/dev/null
			[ -f "$want" ] || want=/dev/null
			diff -u "$want" "$got_f" || { echo "$tool/$name$f differs"; bad=1; }
		done
		case "$args" in *%PLAN%*) [ -s "$plan" ] || { echo "$tool/$name: no plan written"; bad=1; } ;; esac
	done <"$dir/CASES"
	[ "$n" -gt 0 ] || { echo "$tool: no cases in $dir/CASES"; bad=1; }
	echo "# $tool: $n cases" >&3
	return $bad
}

validate() { # SCHEMA FILE...: each JSON document conforms to docs/schema/SCHEMA
	python3 - "$SCHEMAS/$1" "${@:2}" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft7Validator(schema)
bad = 0
for f in sys.argv[2:]:
    for e in v.iter_errors(json.load(open(f))):
        print(f, list(e.path), e.message); bad = 1
sys.exit(bad)
PY
}

@test "mmigrate --dry-run: every case matches its expected output and plan" {
	run run_cases mmigrate
	assert_success
}

@test "mplace --dry-run: every case matches its expected output" {
	run run_cases mplace
	assert_success
}

@test "mfree-discard --dry-run: every case matches its expected output" {
	run run_cases mfree-discard
	assert_success
}

@test "expected JSON outputs and plans are valid against their schemas" {
	run validate mmigrate-plan.schema.json "$TREE"/expected/mmigrate/*.json "$TREE"/expected/mmigrate/*.plan
	assert_success
	run validate place.schema.json "$TREE"/expected/mplace/*.json
	assert_success
	run validate discard.schema.json "$TREE"/expected/mfree-discard/*.json
	assert_success
}

@test "a plan written with --plan-out is the -J plan without the dry run's summary" {
	local d=$TREE/expected/mmigrate
	mmigrate -q --sysroot "$TREE" --dry-run -J 1000 0 1 |
		jq 'del(.planned_bytes, .guard, .errors, .exit_code)' >"$BATS_TEST_TMPDIR/j"
	jq . "$d/plan.txt.plan" >"$BATS_TEST_TMPDIR/p"
	run diff -u "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/j"
	assert_success
	assert_equal "$(jq -r .tool "$d/plan.txt.plan")" mmigrate
	assert_equal "$(jq '.processes | length' "$d/plan-spread.txt.plan")" 3
}
