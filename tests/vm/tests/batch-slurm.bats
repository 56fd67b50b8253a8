#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 3node
# The batch-job scripts of docs/examples (docs/batch-jobs.md) in the guest,
# with the environment a Slurm prolog/epilog gets from slurmd and a cgroup v2
# tree like Slurm's:
#   /sys/fs/cgroup/system.slice/slurmstepd.scope/job_<id>/step_0/user/task_0
#   /sys/fs/cgroup/system.slice/<daemon>.service
# The job runs on node 1: as Slurm's task/cgroup does, its cgroup's cpuset.cpus
# is node 1's CPU and its cpuset.mems is left at every node (seen under a real
# slurmd in slurm-real.bats).  Where memory is afterwards is read from numa_maps
# and smaps (common.bash), and the helpers check their data.  Slurm 22.05
# makes the job's cgroup only after the prolog and removes it before the
# epilog: a job with no cgroup gets its CPUs from a fake scontrol on PATH.
load common

JOB=4242
CG=/sys/fs/cgroup
SLICE=$CG/system.slice
JOBCG=$SLICE/slurmstepd.scope/job_$JOB
TASKCG=$JOBCG/step_0/user/task_0
DAEMONCG=$SLICE/nsdaemon.service
SCRIPT=$NS_TOP/docs/examples/numashift-job

setup() {
	[ -x "$SCRIPT" ] || skip "no $SCRIPT in the guest"
	grep -qw cpuset $CG/cgroup.controllers || skip "no cpuset controller"
	# cpuset and memory down to the job, as Slurm's cgroup/v2 plugin does
	echo "+cpuset +memory" >$CG/cgroup.subtree_control
	mkdir -p "$TASKCG" "$DAEMONCG"
	echo "+cpuset +memory" >$SLICE/cgroup.subtree_control
	echo "+cpuset +memory" >$SLICE/slurmstepd.scope/cgroup.subtree_control
	echo 1 >"$JOBCG/cpuset.cpus"
	REPORTS=$BATS_TEST_TMPDIR/reports
	export PATH=$NS_BIN:$PATH
}

teardown() {
	helper_cleanup
	local d p
	# back to the root cgroup, then the tree goes, leaves first
	for d in "$TASKCG" "$DAEMONCG"; do
		[ -d "$d" ] || continue
		while read -r p; do echo "$p" >$CG/cgroup.procs 2>/dev/null; done <"$d/cgroup.procs"
	done
	for d in "$TASKCG" "$JOBCG/step_0/user" "$JOBCG/step_0" "$JOBCG" "$SLICE/slurmstepd.scope" \
		"$DAEMONCG" "$SLICE"; do
		rmdir "$d" 2>/dev/null
	done
	return 0
}

# What slurmd gives a prolog or epilog (slurm.conf Prolog=/Epilog=).
slurm_env() { # context
	env SLURM_JOB_ID=$JOB SLURM_JOBID=$JOB SLURM_JOB_USER=root SLURM_JOB_UID=0 \
		SLURM_JOB_GID=0 SLURM_JOB_PARTITION=batch SLURM_CLUSTER_NAME=nstest \
		SLURMD_NODENAME=nsguest SLURM_JOB_NODELIST=nsguest SLURM_SCRIPT_CONTEXT="$1" \
		SLURM_CONF=/etc/slurm/slurm.conf NUMASHIFT_REPORT_DIR="$REPORTS" "${@:2}"
}

into() { echo "$2" >"$1/cgroup.procs"; }

# The daemon's memory left node 1 for nodes 0 and 2, its data intact.
left_node1() { # pid bytes-on-node-1-before
	[ "$(node_bytes "$1" 1)" -lt $((1 << 20)) ] || fail "daemon still has $(node_bytes "$1" 1) bytes on node 1"
	[ $(($(node_bytes "$1" 0) + $(node_bytes "$1" 2))) -ge $(($2 - (1 << 20))) ]
	verify_helper "$1"
}

@test "prolog: lazily freed memory on the job's node is discarded, daemons move off it" {
	local lazy daemon before
	# a leftover daemon with 64 MiB on node 1, the job's node
	start_helper --mib 64 --no-thp --node 1
	daemon=$HELPER_PID
	into "$DAEMONCG" "$daemon"
	# a process (in no job) with 32 MiB lazily freed on node 1
	start_helper --mib 64 --no-thp --free-pct 50 --node 1
	lazy=$HELPER_PID
	[ "$(lazyfree_kb "$lazy")" -gt 16000 ] || fail "helper has no lazily freed memory"
	before=$(node_bytes "$daemon" 1)
	[ "$before" -gt $((60 << 20)) ]

	run slurm_env prolog_slurmd NUMASHIFT_STRICT=1 "$SCRIPT"
	echo "$output"
	assert_success
	assert_output --partial "prolog on nodes 1 (the job's CPUs 1)"

	left_node1 "$daemon" "$before"
	# the lazily freed pages are gone; the live half stayed
	[ "$(lazyfree_kb "$lazy")" -lt 1024 ] || fail "LazyFree still $(lazyfree_kb "$lazy") kB"
	verify_helper "$lazy"
}

@test "prolog: a cpuset.mems narrower than every node wins over the CPUs; every node: nothing moves" {
	start_helper --mib 32 --no-thp --node 0
	into "$DAEMONCG" "$HELPER_PID"
	echo 1-2 >"$JOBCG/cpuset.mems"
	run slurm_env prolog_slurmd NUMASHIFT_STRICT=1 "$SCRIPT"
	assert_success
	assert_output --partial "prolog on nodes 1-2 (the job's cpuset.mems.effective)"
	[ "$(node_bytes "$HELPER_PID" 0)" -gt $((30 << 20)) ]
	echo 0-2 >"$JOBCG/cpuset.mems"
	echo 0-1 >"$JOBCG/cpuset.cpus"
	run slurm_env prolog_slurmd NUMASHIFT_STRICT=1 NUMASHIFT_JOB_NODES=0-2 "$SCRIPT"
	assert_success
	assert_output --partial "prolog on nodes 0-2 (NUMASHIFT_JOB_NODES)"
	assert_output --partial "the job has every node"
	[ "$(node_bytes "$HELPER_PID" 0)" -gt $((30 << 20)) ]
	verify_helper
}

@test "prolog: NUMASHIFT_DRY_RUN shows the moves and moves nothing" {
	start_helper --mib 32 --no-thp --node 1
	into "$DAEMONCG" "$HELPER_PID"
	run slurm_env prolog_slurmd NUMASHIFT_DRY_RUN=1 NUMASHIFT_STRICT=1 "$SCRIPT"
	assert_success
	# the plan names the daemon
	assert_output --regexp "(^|[^0-9])$HELPER_PID[^0-9]"
	[ "$(node_bytes "$HELPER_PID" 1)" -gt $((30 << 20)) ]
	verify_helper
}

@test "epilog: a JSON report of where the job's memory is, per node" {
	local f
	start_helper --mib 48 --no-thp --node 1
	into "$TASKCG" "$HELPER_PID"
	run slurm_env epilog_slurmd NUMASHIFT_STRICT=1 "$SCRIPT"
	echo "$output"
	assert_success
	f=$REPORTS/job_$JOB.$(uname -n).json
	[ -s "$f" ] || fail "no report $f"
	run jq -r ".processes[] | select(.pid == $HELPER_PID) | .node_bytes[\"1\"]" "$f"
	assert_success
	[ "$output" -gt $((46 << 20)) ] || fail "report says $output bytes on node 1"
	run jq -r '.schema_version' "$f"
	assert_output 1
	# the kernel's own per-node account of the job's cgroup
	grep -q '^anon N0=[0-9]* N1=[0-9]*' "$REPORTS/job_$JOB.$(uname -n).numa_stat"
	verify_helper
}

@test "epilog: no process left is no failure, and no report is written" {
	run slurm_env epilog_slurmd NUMASHIFT_STRICT=1 "$SCRIPT"
	assert_success
	assert_output --partial "no process of the job is left"
	[ ! -e "$REPORTS/job_$JOB.$(uname -n).json" ]
}

@test "other schedulers: PBS-style prologue and epilogue (job id as argument, own cgroup)" {
	local pbscg=$CG/pbs-test-$JOB f
	mkdir -p "$pbscg"
	start_helper --mib 32 --no-thp --node 2
	into "$pbscg" "$HELPER_PID"
	# PBS runs prologue/epilogue as root with the job id as $1, no SLURM_*
	run env NUMASHIFT_JOB_CGROUP="$pbscg" NUMASHIFT_JOB_NODES=2 NUMASHIFT_REPORT_DIR="$REPORTS" \
		NUMASHIFT_STRICT=1 NUMASHIFT_DAEMON_CGROUPS="" "$NS_TOP/docs/examples/numashift-epilog" "$JOB.pbs01" user group
	assert_success
	f=$REPORTS/job_$JOB.pbs01.$(uname -n).json
	run jq -r ".processes[0].node_bytes[\"2\"]" "$f"
	[ "$output" -gt $((30 << 20)) ]
	run env NUMASHIFT_JOB_NODES=2 NUMASHIFT_STRICT=1 NUMASHIFT_DAEMON_CGROUPS="$pbscg" \
		"$NS_TOP/docs/examples/numashift-prolog" "$JOB.pbs01"
	assert_success
	# its memory left node 2 (the "job's" node) for nodes 0 and 1
	[ "$(node_bytes "$HELPER_PID" 2)" -lt $((1 << 20)) ]
	verify_helper
	echo "$HELPER_PID" >$CG/cgroup.procs
	rmdir "$pbscg"
}

@test "a tool's timeout reaches the script's status in strict mode, and 0 otherwise" {
	start_helper --mib 256 --no-thp --node 1
	into "$DAEMONCG" "$HELPER_PID"
	# one second for everything, with the copy held to 16 MB/s by a
	# wrapper that adds --rate: mmigrate stops at its --timeout (124)
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\nexec %s/mmigrate --rate 16M "$@"\n' "$NS_BIN" >"$BATS_TEST_TMPDIR/bin/mmigrate"
	chmod +x "$BATS_TEST_TMPDIR/bin/mmigrate"
	ln -s "$NS_BIN/mfree-discard" "$BATS_TEST_TMPDIR/bin/mfree-discard"
	run slurm_env prolog_slurmd NUMASHIFT_TIMEOUT=1 NUMASHIFT_STRICT=1 NUMASHIFT_BIN="$BATS_TEST_TMPDIR/bin" "$SCRIPT"
	assert_failure 124
	assert_output --partial "stopped by the timeout"
	verify_helper
	run slurm_env prolog_slurmd NUMASHIFT_TIMEOUT=1 NUMASHIFT_BIN="$BATS_TEST_TMPDIR/bin" "$SCRIPT"
	assert_success
	verify_helper
}

# A scontrol that answers `-d show job 4343` as Slurm 22.05 does for a job
# on CPU 1 of this host (CPU_IDs: Slurm's abstract IDs, the guest's own with
# one thread per core).
fake_scontrol() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/scontrol" <<-'EOF'
		#!/bin/sh
		[ "$*" = "-d show job 4343" ] || { echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1; }
		printf '%s\n' 'JobId=4343 JobName=x' '   NodeList=nsguest' '   JOB_GRES=(null)' \
			'     Nodes=nsguest CPU_IDs=1 Mem=0 GRES=' '   MinCPUsNode=1'
	EOF
	chmod 755 "$BATS_TEST_TMPDIR/bin/scontrol"
}

@test "no job cgroup (Slurm 22.05's prolog and epilog): the job's node from scontrol" {
	local daemon before f
	fake_scontrol
	start_helper --mib 48 --no-thp --node 1
	daemon=$HELPER_PID
	into "$DAEMONCG" "$daemon"
	before=$(node_bytes "$daemon" 1)
	# job 4343 has no cgroup: its CPU comes from scontrol, with slurmd's PATH
	run slurm_env prolog_slurmd SLURM_JOB_ID=4343 NUMASHIFT_STRICT=1 \
		PATH="$BATS_TEST_TMPDIR/bin:$NS_BIN:/usr/bin:/bin" "$SCRIPT"
	echo "$output"
	assert_success
	assert_output --partial "prolog on nodes 1 (scontrol: the job's CPUs 1, Slurm's 1)"
	left_node1 "$daemon" "$before"
	# the epilog: the job's node as the job left it
	run slurm_env epilog_slurmd SLURM_JOB_ID=4343 NUMASHIFT_STRICT=1 \
		PATH="$BATS_TEST_TMPDIR/bin:$NS_BIN:/usr/bin:/bin" "$SCRIPT"
	echo "$output"
	assert_success
	f=$REPORTS/job_4343.$(uname -n).nodes.json
	assert_output --partial "its nodes 1 (scontrol: the job's CPUs 1, Slurm's 1) as it left them in $f"
	run jq -e '.job_nodes == "1" and ([.mscan.topology[] | select(.node == 1)] | length == 1)' "$f"
	assert_success
}
