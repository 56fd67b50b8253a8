#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# mplace in numactl's place on two nodes: numactl's lines put the command's
# pages (numa_maps, move_pages query) and CPUs where numactl's own run of
# the same line puts them (the guest has Debian's numactl).
load common

teardown() {
	[ -n "${L_PID:-}" ] && kill -KILL "$L_PID" 2>/dev/null && wait "$L_PID" 2>/dev/null
	helper_cleanup
}

# The policies of a command's mappings and its CPUs, as TOOL ARGS... set
# them: "CPUS policy policy ..." (one word per distinct policy).
placed_by() {
	"$@" sh -c 'sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/$$/status;
		awk "{ print \$2 }" /proc/$$/numa_maps | sort -u' | tr '\n' ' '
}

same_as_numactl() { # numactl's options: mplace's run of them matches numactl's
	local want got
	want=$(placed_by numactl "$@")
	got=$(placed_by mplace "$@")
	[ -n "$want" ] || fail "numactl $* gave nothing"
	assert_equal "$got" "$want"
}

@test "--cpunodebind=1 --membind=1 CMD: pages and CPUs on node 1" {
	launch_helper --cpunodebind=1 --membind=1 nshelper --mib 32 --no-thp
	assert_equal "$(cpus_of "$L_PID")" "$(node_cpus 1)"
	assert_equal "$(node_bytes "$L_PID" 1 "$L_ADDR")" "$L_LEN"
	assert_equal "$(node_bytes "$L_PID" 0 "$L_ADDR")" 0
	run grep -c ' bind:1 ' "/proc/$L_PID/numa_maps"
	[ "$output" -gt 0 ]
	same_as_numactl --cpunodebind=1 --membind=1
}

@test "--interleave=all CMD: pages over both nodes, the CPUs left as they were" {
	local n0 n1
	launch_helper --interleave=all nshelper --mib 32 --no-thp
	assert_equal "$(cpus_of "$L_PID")" "$(cpus_of $$)"
	n0=$(node_bytes "$L_PID" 0 "$L_ADDR")
	n1=$(node_bytes "$L_PID" 1 "$L_ADDR")
	assert_equal $((n0 + n1)) "$L_LEN"
	[ "$n0" -ge $((L_LEN / 4)) ] && [ "$n1" -ge $((L_LEN / 4)) ] || fail "n0=$n0 n1=$n1"
	run grep -c ' interleave:0-1 ' "/proc/$L_PID/numa_maps"
	[ "$output" -gt 0 ]
	same_as_numactl --interleave=all
}

@test "--preferred=1, --physcpubind=1, -N 1 -m 1, +N lists: as numactl places them" {
	launch_helper --preferred=1 nshelper --mib 16 --no-thp
	assert_equal "$(node_bytes "$L_PID" 1 "$L_ADDR")" "$L_LEN"
	same_as_numactl --preferred=1
	same_as_numactl --physcpubind=1
	same_as_numactl -N 1 -m 1
	same_as_numactl --membind=+1
	same_as_numactl --cpunodebind=+0 --interleave='!+0'
	same_as_numactl --localalloc
	same_as_numactl --membind=0-1
}

@test "inside a cpuset of node 1: +0 is node 1 and all is node 1, as in numactl" {
	local cg=/sys/fs/cgroup/ns-numactl-$$
	grep -qw cpuset /sys/fs/cgroup/cgroup.subtree_control ||
		echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control
	mkdir "$cg"
	echo 1 >"$cg/cpuset.mems"
	echo "$(node_cpus 1)" >"$cg/cpuset.cpus"
	run sh -c "echo \$\$ >$cg/cgroup.procs && exec mplace --membind=+0 cat /proc/self/numa_maps"
	local rc=$status out=$output
	run sh -c "echo \$\$ >$cg/cgroup.procs && exec mplace --dry-run --interleave=all true"
	local out2=$output
	run sh -c "echo \$\$ >$cg/cgroup.procs && exec mplace --membind=+1 true"
	local out3=$output st3=$status
	rmdir "$cg"
	assert_equal "$rc" 0
	[[ $out == *" bind:1 "* ]] || fail "+0 in the cpuset of node 1: $out"
	[[ $out2 == *"policy:    interleave nodes 1"* ]] || fail "all in the cpuset: $out2"
	assert_equal "$st3" 2
	[[ $out3 == *"+1 counts past the allowed nodes (1)"* ]] || fail "$out3"
}
