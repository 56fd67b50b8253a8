#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mplace in numactl's place: numactl's options with numactl's meaning (what
# the launched command gets, read back from its /proc/self/status and
# numa_maps), its +N relative lists, and one line for each numactl option
# mplace does not take.  On the host's node 0; tests/vm has the two-node run.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load "$NS_TOP/tests/vm/tests/common"

bats_require_minimum_version 1.5.0
SCHEMA=$NS_TOP/docs/schema/place.schema.json

validate() { schema_validate "$SCHEMA" "$1"; }

# Every mapping of the launched command's numa_maps carries this policy.
all_maps() { # POLICY-WORD (e.g. "bind:0") then the mplace options
	local want=$1 n_all n_pol
	shift
	run mplace "$@" cat /proc/self/numa_maps
	assert_success
	n_all=$(echo "$output" | wc -l)
	n_pol=$(echo "$output" | grep -cE " $want( |\$)")
	assert_equal "$n_pol" "$n_all"
}

last_cpu() { awk -F'[-,]' '{ print $NF }' /sys/devices/system/cpu/online; }

@test "numactl's common lines: --cpunodebind=0 --membind=0, --interleave=all, --preferred=0" {
	run mplace --cpunodebind=0 --membind=0 grep Cpus_allowed_list /proc/self/status
	assert_success
	assert_output --regexp "[[:space:]]$(node_cpus 0)\$"
	all_maps bind:0 --cpunodebind=0 --membind=0
	all_maps interleave:0 --interleave=all
	all_maps prefer:0 --preferred=0
	all_maps local --localalloc
	# the same with numactl's letters, and "same"
	all_maps bind:0 -N 0 -m same
	all_maps interleave:0 -i 0
	all_maps prefer:0 -P 0
}

@test "a memory option leaves the CPUs as they are, a CPU option the policy" {
	local c
	c=$(last_cpu)
	run taskset -c "$c" mplace --membind=0 grep Cpus_allowed_list /proc/self/status
	assert_success
	assert_output --regexp "[[:space:]]$c\$"
	run taskset -c "$c" mplace --interleave=all grep Cpus_allowed_list /proc/self/status
	assert_output --regexp "[[:space:]]$c\$"
	# mplace's own --nodes moves the command to the node's CPUs
	run taskset -c "$c" mplace --nodes 0 grep Cpus_allowed_list /proc/self/status
	assert_output --regexp "[[:space:]]$(node_cpus 0)\$"
	all_maps default --physcpubind=0
	all_maps default --cpunodebind=0
}

@test "--physcpubind: CPU numbers, and +N within this process's affinity" {
	local c
	c=$(last_cpu)
	[ "$c" -ge 1 ] || skip "one CPU"
	run mplace --physcpubind=0-$c grep Cpus_allowed_list /proc/self/status
	assert_success
	assert_output --regexp "[[:space:]]0-$c\$"
	run mplace -C "$c" grep Cpus_allowed_list /proc/self/status
	assert_output --regexp "[[:space:]]$c\$"
	# numactl's meaning of +0: the first CPU this process may run on
	run taskset -c "$c" mplace --physcpubind=+0 grep Cpus_allowed_list /proc/self/status
	assert_success
	assert_output --regexp "[[:space:]]$c\$"
	run taskset -c "$c" mplace --physcpubind=+1 true
	assert_failure 2
	assert_output "mplace: --physcpubind: bad CPU list '+1': +1 counts past the allowed CPUs ($c): +0 is the first of them (try 'mplace --help')"
	run taskset -c "$c" mplace --physcpubind=all grep Cpus_allowed_list /proc/self/status
	assert_output --regexp "[[:space:]]$c\$"
}

@test "+N node lists count within this cpuset's nodes" {
	all_maps bind:0 --membind=+0
	all_maps interleave:0 --interleave=+0-0
	run mplace --membind=+1 true
	assert_failure 2
	assert_output --partial "+1 counts past the allowed nodes (0)"
	assert_equal "${#lines[@]}" 1
	run mplace --membind='!+0' true
	assert_failure 2
	assert_output --partial "selects no node"
	run mplace --nodes +0 --dry-run -- true
	assert_success
	assert_output --partial "policy:    bind nodes 0"
}

@test "numactl's numbers that would mean something else are refused" {
	run mplace --membind=00 true
	assert_failure 2
	assert_output --partial "'00' has a leading zero (numactl reads it as octal)"
	run mplace --membind=0x0 true
	assert_failure 2
	assert_output --partial "'0x0' is not a node number or range"
	run mplace --membind=netdev:lo true
	assert_failure 2
	assert_output --partial "'netdev:lo' is not a node number"
}

@test "numactl's options mplace does not take: one line naming it, exit 2" {
	local line want
	while IFS='|' read -r want line; do
		run mplace $line
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --partial "$want"
	done <<'EOF'
numactl's --show is not taken by mplace: mplace shows no policy|--show
numactl's --show is not taken|-s
numactl's --hardware is not taken by mplace: write 'mscan --topology'|--hardware
numactl's --cpu-compress is not taken|--cpu-compress
numactl's --all is not taken|--all --membind=0 true
numactl's --all is not taken|-a -m 0 true
numactl's --cpubind is not taken by mplace: it is the old name of --cpunodebind|--cpubind=0 true
numactl's --cpubind is not taken|-c 0 true
numactl's --shm is not taken by mplace: it sets the policy of shared memory|--shm /tmp/k --interleave=all
numactl's --shm is not taken|-S /tmp/k
numactl's --file is not taken|-f /dev/shm/x
numactl's --length is not taken|-L 1g
numactl's --touch is not taken|--touch
numactl's --dump-nodes is not taken|-D
numactl's --verify is not taken|--verify
numactl's -p is --preferred: write --preferred=0|-p 0 true
numactl's -p is --preferred: write --preferred=NODE|-p 1 true
numactl's -b is --balancing: write --balancing|-b -m 0 true
EOF
}

@test "numactl's conflicts: two policies, a policy for a running process" {
	run mplace --membind=0 --interleave=0 true
	assert_failure 2
	assert_output --partial "--membind and --interleave both set the memory policy"
	run mplace --nodes 0 --membind=0 true
	assert_failure 2
	run mplace --policy interleave --membind=0 true
	assert_failure 2
	run mplace --preferred=0,0,0 true
	assert_success
	run mplace --cpus 0 --cpunodebind=0 true
	assert_failure 2
	assert_output --partial "not both"
	run mplace -p $$ --membind=0
	assert_failure 2
	assert_output --partial "for a running process give --nodes NODES"
	run mplace --localalloc --nodes 0 true
	assert_failure 2
	run mplace --balancing --interleave=0 true
	assert_failure 2
	assert_output --partial "--balancing needs --policy bind or --membind"
}

@test "launch --dry-run -J of numactl's lines follows the schema" {
	local j=$BATS_TEST_TMPDIR/j
	mplace --dry-run -J --physcpubind=0 true >"$j"
	validate "$j"
	grep -q '"policy": "unchanged"' "$j"
	grep -q '"cpus": "0"' "$j"
	mplace --dry-run -J --localalloc true >"$j"
	validate "$j"
	grep -q '"policy": "local"' "$j"
	grep -q '"cpus": ""' "$j"
	mplace --dry-run -J --cpunodebind=0 --membind=0 true >"$j"
	validate "$j"
	grep -q '"policy": "bind"' "$j"
}

@test "running mode: --cpus sets every thread's CPUs" {
	local c t
	c=$(last_cpu)
	start_helper --mib 8 --writers 2
	run mplace -p "$HELPER_PID" --nodes 0 --cpus "$c"
	assert_success
	assert_output --partial "CPUs $c set for 3 threads"
	for t in /proc/"$HELPER_PID"/task/*; do
		run grep Cpus_allowed_list "$t/status"
		assert_output --regexp "[[:space:]]$c\$"
	done
	stop_helper
}
