#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mplace on the one-node host: usage errors, dry runs, launch mode (affinity
# and policy read back from /proc/self/status and numa_maps of the launched
# command) and running mode on a helper with several threads.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load "$NS_TOP/tests/vm/tests/common"

bats_require_minimum_version 1.5.0
SCHEMA=$NS_TOP/docs/schema/place.schema.json

validate() {
	python3 - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
}

jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

kver() { # 6.12 -> 612
	local r=$(uname -r) maj min
	maj=${r%%.*}; r=${r#*.}; min=${r%%[!0-9]*}
	echo $((maj * 100 + min))
}

@test "--help and --version" {
	run mplace --help
	assert_success
	assert_output --partial "Usage: mplace --nodes NODES"
	run mplace --version
	assert_success
}

@test "bad input: one clear line, exit 2" {
	run mplace -- true
	assert_failure 2
	assert_output --partial "no target"
	assert_equal "${#lines[@]}" 1
	run mplace --nodes 0
	assert_failure 2
	assert_output --partial "nothing to place"
	run mplace --nodes 77 -- true
	assert_failure 2
	assert_output --partial "node 77"
	run mplace --nodes 0 --policy scatter -- true
	assert_failure 2
	assert_output --partial "invalid --policy 'scatter'"
	run mplace --nodes 0 --policy interleave --balancing -- true
	assert_failure 2
	assert_output --partial "--balancing needs --policy bind"
	run mplace --auto -- true
	assert_failure 2
	assert_output --partial "--auto places a running process"
	run mplace -p 1 --nodes 0 --policy bind
	assert_failure 2
	assert_output --partial "running process's memory policy"
	run mplace -p 1 --nodes 0 -- true
	assert_failure 2
	run mplace -p 1 --auto --nodes 0
	assert_failure 2
	run mplace --nodes 0 --cpu-nodes 9 -- true
	assert_failure 2
	run mplace -p 1 --nodes 0 --threads 0
	assert_failure 2
	run mplace --bogus
	assert_failure 2
	assert_output --partial "bogus"
}

@test "a PID that does not exist: exit 1" {
	run mplace -p 4000000 --nodes 0
	assert_failure 1
	assert_output --partial "4000000"
}

@test "launch: the command runs on the node's CPUs with a bind policy" {
	local cpus
	cpus=$(node_cpus 0)
	run mplace --nodes 0 -- grep Cpus_allowed_list /proc/self/status
	assert_success
	assert_output --regexp "Cpus_allowed_list:[[:space:]]+$cpus\$"
	run mplace --nodes 0 -- cat /proc/self/numa_maps
	assert_success
	# every mapping of the launched command carries the policy
	local n_all n_bind
	n_all=$(echo "$output" | wc -l)
	n_bind=$(echo "$output" | grep -cE ' bind:0( |$)')
	assert_equal "$n_bind" "$n_all"
}

@test "launch: interleave, preferred and NUMA balancing show in numa_maps" {
	run mplace --nodes 0 --policy interleave -- cat /proc/self/numa_maps
	assert_success
	assert_line --partial " interleave:0 "
	run mplace --nodes 0 --policy preferred -- cat /proc/self/numa_maps
	assert_success
	assert_line --partial " prefer:0 "
	[ "$(kver)" -ge 512 ] || skip "kernel before 5.12"
	run mplace --nodes 0 --balancing -- cat /proc/self/numa_maps
	assert_success
	assert_line --partial " bind=balancing:0 "
}

@test "launch: weighted interleave where the kernel has it, a clear refusal where not" {
	if [ "$(kver)" -ge 609 ]; then
		run mplace --nodes 0 --policy weighted-interleave -- cat /proc/self/numa_maps
		assert_success
		assert_line --partial " weighted interleave:0 "
		run mplace --nodes 0 --policy weighted-interleave --dry-run -- true
		assert_success
		assert_output --partial "weights:"
	else
		run mplace --nodes 0 --policy weighted-interleave -- true
		assert_failure 2
		assert_output --partial "needs Linux 6.9"
	fi
}

@test "launch --dry-run explains and runs nothing; JSON follows the schema" {
	local f=$BATS_TEST_TMPDIR/touched
	run mplace --nodes 0 --dry-run -- touch "$f"
	assert_success
	assert_output --partial "policy:    bind nodes 0"
	[ ! -e "$f" ]
	run mplace --nodes 0 --policy interleave --dry-run -J -- touch "$f"
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["command"][0]')" touch
	[ ! -e "$f" ]
}

@test "launch: a command that cannot be found gives 127, its own status passes through" {
	run -127 mplace --nodes 0 -- /nonexistent/cmd
	assert_output --partial "cannot run '/nonexistent/cmd'"
	run mplace --nodes 0 -- sh -c 'exit 7'
	assert_failure 7
}

@test "running: every thread gets the node's CPUs; the data survives" {
	local cpus t
	cpus=$(node_cpus 0)
	start_helper --mib 16 --writers 3
	taskset -a -p -c 0 "$HELPER_PID" >/dev/null
	run mplace -p "$HELPER_PID" --nodes 0 -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["affinity"]["threads"]')" 4
	for t in /proc/"$HELPER_PID"/task/*; do
		run grep Cpus_allowed_list "$t/status"
		assert_output --regexp "[[:space:]]$cpus\$"
	done
	stop_helper
}

@test "running --dry-run changes no affinity; --auto --dry-run explains its choice" {
	start_helper --mib 16 --writers 1
	taskset -a -p -c 0 "$HELPER_PID" >/dev/null
	run mplace -p "$HELPER_PID" --nodes 0 --dry-run
	assert_success
	assert_output --partial "would set CPUs"
	run grep Cpus_allowed_list "/proc/$HELPER_PID/status"
	assert_output --regexp "[[:space:]]0\$"
	run mplace -p "$HELPER_PID" --auto --dry-run
	assert_success
	assert_output --partial "auto: node 0: holds most of the memory"
	run mplace -p "$HELPER_PID" --auto --dry-run -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["auto"]["node"]')" 0
	run grep Cpus_allowed_list "/proc/$HELPER_PID/status"
	assert_output --regexp "[[:space:]]0\$"
	stop_helper
}

@test "running: the text says the second pass set the threads again, not that it found more" {
	start_helper --mib 4
	run mplace -p "$HELPER_PID" --nodes 0
	assert_success
	# nshelper without --writers has one thread: the second pass sets it again
	assert_line --regexp "^pid $HELPER_PID \(nshelper\): CPUs [0-9,-]+ \(nodes 0\) set for 1 thread, again for 1 after the move$"
	refute_output --partial "more in the second pass"
	stop_helper
}

@test "a negative --nice without CAP_SYS_NICE: 4 before anything changes, in mplace and mmigrate" {
	command -v setpriv >/dev/null || skip "no setpriv"
	local tool rc
	for tool in "mplace -p \$q --nodes 0" "mmigrate -p \$q --to 0"; do
		rc=0
		# nobody's own sleep, started on CPU 0 only: mplace would set it to node 0's CPUs
		setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
			"taskset -c 0 sleep 100 3>&- & q=\$!; sleep 0.2; $tool --nice -5; rc=\$?; grep Cpus_allowed_list /proc/\$q/status >&2; kill \$q; exit \$rc" \
			>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
		assert_equal "$rc" 4
		assert_equal "$(head -1 "$BATS_TEST_TMPDIR/err")" "${tool%% *}: --nice -5 (raising the workers' priority) needs CAP_SYS_NICE"
		assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/err" | tr -d '[:space:]')" "Cpus_allowed_list:0"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" ""
	done
}
