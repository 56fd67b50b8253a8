#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# docs/examples/numashift-job (docs/batch-jobs.md) on the one-node host,
# where it must change nothing: dry-run prologs, epilog reports of a cgroup
# that exists, the mode and job id from Slurm's, PBS's and the caller's
# conventions, usage errors.  The real runs are in the guest:
# tests/vm/tests/batch-slurm.bats.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
EX=$NS_TOP/docs/examples

setup() {
	export NUMASHIFT_BIN=$NS_BIN NUMASHIFT_REPORT_DIR=$BATS_TEST_TMPDIR/reports
	unset SLURM_JOB_ID PBS_JOBID LSB_JOBID JOB_ID SLURM_SCRIPT_CONTEXT
}

@test "the scripts are POSIX sh (dash, shellcheck) and installed executable" {
	[ -x "$EX/numashift-job" ]
	[ "$(readlink "$EX/numashift-prolog")" = numashift-job ]
	[ "$(readlink "$EX/numashift-epilog")" = numashift-job ]
	run dash -n "$EX/numashift-job"
	assert_success
	if command -v shellcheck >/dev/null; then
		run shellcheck -s sh "$EX/numashift-job"
		assert_success
	fi
}

@test "the doc names every setting the script reads, and the script is what it shows" {
	local v
	for v in $(grep -o 'NUMASHIFT_[A-Z_]*' "$EX/numashift-job" | sort -u); do
		grep -q "$v" "$NS_TOP/docs/batch-jobs.md" || fail "docs/batch-jobs.md does not name $v"
	done
	grep -q 'mfree-discard -A --nodes' "$EX/numashift-job"
	grep -q 'mmigrate.* --cgroup .* --from .* --to ' "$EX/numashift-job"
	grep -q 'mscan.* --cgroup .* -J' "$EX/numashift-job"
}

@test "usage errors: no mode, no job id, a bad timeout" {
	run -2 "$EX/numashift-job"
	assert_output --partial "prolog or epilog"
	run -2 "$EX/numashift-job" prolog
	assert_output --partial "no job id"
	NUMASHIFT_TIMEOUT=soon run -2 "$EX/numashift-job" prolog 7
	assert_output --partial "NUMASHIFT_TIMEOUT"
}

@test "Slurm prolog, dry run: the job's nodes, then nothing left to move on one node" {
	SLURM_JOB_ID=7 SLURM_SCRIPT_CONTEXT=prolog_slurmd NUMASHIFT_DRY_RUN=1 NUMASHIFT_JOB_NODES=0 \
		run "$EX/numashift-job"
	assert_success
	assert_output --partial "numashift-prolog: job 7: prolog on nodes 0"
	assert_output --partial "the job has every node"
}

@test "the job's nodes from its cgroup's CPUs when cpuset.mems has every node, as under Slurm" {
	local cg=$BATS_TEST_TMPDIR/job_7
	mkdir "$cg"
	cat /sys/devices/system/node/has_memory >"$cg/cpuset.mems.effective"
	cat /sys/devices/system/node/node0/cpulist >"$cg/cpuset.cpus.effective"
	SLURM_JOB_ID=7 NUMASHIFT_JOB_CGROUP=$cg NUMASHIFT_DRY_RUN=1 run "$EX/numashift-prolog"
	assert_success
	assert_output --partial "prolog on nodes 0 (the job's CPUs $(cat /sys/devices/system/node/node0/cpulist))"
}

@test "under Slurm the time allowed is MessageTimeout less 2 s, from SLURM_CONF; elsewhere 60 s" {
	printf 'ClusterName=c\nmessagetimeout=5   # short\n' >"$BATS_TEST_TMPDIR/slurm.conf"
	SLURM_JOB_ID=7 SLURM_CONF=$BATS_TEST_TMPDIR/slurm.conf NUMASHIFT_DRY_RUN=1 NUMASHIFT_JOB_NODES=0 \
		run "$EX/numashift-prolog"
	assert_success
	assert_output --partial "prolog on nodes 0 (NUMASHIFT_JOB_NODES) within 3 s"
	# Slurm's default MessageTimeout is 10
	SLURM_JOB_ID=7 SLURM_CONF=/dev/null NUMASHIFT_DRY_RUN=1 NUMASHIFT_JOB_NODES=0 run "$EX/numashift-prolog"
	assert_output --partial "within 8 s"
	PBS_JOBID=7 NUMASHIFT_DRY_RUN=1 NUMASHIFT_JOB_NODES=0 run "$EX/numashift-prolog"
	assert_output --partial "within 60 s"
	SLURM_JOB_ID=7 NUMASHIFT_TIMEOUT=30 NUMASHIFT_DRY_RUN=1 NUMASHIFT_JOB_NODES=0 run "$EX/numashift-prolog"
	assert_output --partial "within 30 s"
}

@test "epilog: the mode from the name it is called by, the job id from PBS's \$1" {
	local cg f
	cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$cg" ] || skip "no cgroup2 mount"
	# the root cgroup holds this test's processes: a report with them
	NUMASHIFT_JOB_CGROUP=$cg run "$EX/numashift-epilog" 12.pbs user group
	assert_success
	f=$NUMASHIFT_REPORT_DIR/job_12.pbs.$(uname -n).json
	[ -s "$f" ] || fail "no report $f"
	run python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['tool'], any(p['pid'] == $$ for p in d['processes']))" "$f"
	assert_output "mscan True"
	[ ! -e "$f.tmp" ]
}

@test "epilog: no cgroup for the job is reported and is no failure" {
	NUMASHIFT_STRICT=1 SLURM_JOB_ID=99 SLURM_SCRIPT_CONTEXT=epilog_slurmd \
		NUMASHIFT_JOB_CGROUP=$BATS_TEST_TMPDIR/none run "$EX/numashift-job"
	assert_success
	assert_output --partial "no cgroup for the job: nothing to report (no job cgroup, no CPUs of this host from scontrol: every node)"
}

# A sysfs tree of 2 sockets x 2 cores x 2 threads numbered as Linux does
# on most SMT machines: CPUs 0-3 the first threads (0-1 socket 0, 2-3
# socket 1), 4-7 their siblings; node 0 is socket 0, node 1 socket 1.
fake_smt_sysfs() { # dir
	local s=$1/devices/system c core
	mkdir -p "$s/cpu" "$s/node/node0" "$s/node/node1"
	echo 0-7 >"$s/cpu/online"
	for c in 0 1 2 3 4 5 6 7; do
		core=$((c % 4))
		mkdir -p "$s/cpu/cpu$c/topology"
		echo "$core,$((core + 4))" >"$s/cpu/cpu$c/topology/thread_siblings_list"
		if [ $core -lt 2 ]; then echo 0-1,4-5; else echo 2-3,6-7; fi >"$s/cpu/cpu$c/topology/core_siblings_list"
	done
	echo 0-1,4-5 >"$s/node/node0/cpulist"
	echo 2-3,6-7 >"$s/node/node1/cpulist"
	echo 0-1 >"$s/node/has_memory"
}

# A scontrol that answers `-d show job 7` as Slurm 22.05 does for a job on
# cn01-cn03 (CPU_IDs are Slurm's abstract IDs), and `show hostnames`.
fake_scontrol() { # dir
	mkdir -p "$1"
	cat >"$1/scontrol" <<-'EOF'
		#!/bin/sh
		echo "$*" >>"${0%/*}/calls"
		case "$*" in
		"show hostnames cn[01-02]") printf 'cn01\ncn02\n' ;;
		"-d show job 7") printf '%s\n' 'JobId=7 JobName=x' '   NodeList=cn[01-03]' \
			'   JOB_GRES=(null)' '     Nodes=cn[01-02] CPU_IDs=4-5 Mem=0 GRES=' \
			'     Nodes=cn03 CPU_IDs=0-1 Mem=0 GRES=' '   MinCPUsNode=1' ;;
		*) echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1 ;;
		esac
	EOF
	chmod 755 "$1/scontrol"
}

@test "no job cgroup under Slurm: the job's CPUs on this host from scontrol, Slurm's abstract IDs mapped" {
	local bin=$BATS_TEST_TMPDIR/bin sys=$BATS_TEST_TMPDIR/sys
	fake_scontrol "$bin"
	fake_smt_sysfs "$sys"
	# Slurm's 4-5 are socket 1's first core, its two threads: CPUs 2 and 6
	PATH=$bin:$PATH NUMASHIFT_SYSFS=$sys SLURMD_NODENAME=cn02 SLURM_JOB_ID=7 NUMASHIFT_DRY_RUN=1 \
		NUMASHIFT_DAEMON_CGROUPS= NUMASHIFT_JOB_CGROUP=$BATS_TEST_TMPDIR/none run "$EX/numashift-prolog"
	assert_success
	assert_output --partial "prolog on nodes 1 (scontrol: the job's CPUs 2,6, Slurm's 4-5) within 8 s"
	grep -qx 'show hostnames cn\[01-02\]' "$bin/calls"
	# Slurm's 0-1 are socket 0's first core: CPUs 0 and 4, not 0 and 1
	PATH=$bin:$PATH NUMASHIFT_SYSFS=$sys SLURMD_NODENAME=cn03 SLURM_JOB_ID=7 NUMASHIFT_DRY_RUN=1 \
		NUMASHIFT_DAEMON_CGROUPS= NUMASHIFT_JOB_CGROUP=$BATS_TEST_TMPDIR/none run "$EX/numashift-prolog"
	assert_output --partial "prolog on nodes 0 (scontrol: the job's CPUs 0,4, Slurm's 0-1)"
	# not one of the job's hosts, or an unknown job: every node
	PATH=$bin:$PATH NUMASHIFT_SYSFS=$sys SLURMD_NODENAME=cn09 SLURM_JOB_ID=7 NUMASHIFT_DRY_RUN=1 \
		NUMASHIFT_DAEMON_CGROUPS= NUMASHIFT_JOB_CGROUP=$BATS_TEST_TMPDIR/none run "$EX/numashift-prolog"
	assert_output --partial "prolog on nodes 0-1 (no job cgroup, no CPUs of this host from scontrol: every node)"
	PATH=$bin:$PATH NUMASHIFT_SYSFS=$sys SLURMD_NODENAME=cn01 SLURM_JOB_ID=8 NUMASHIFT_DRY_RUN=1 \
		NUMASHIFT_DAEMON_CGROUPS= NUMASHIFT_JOB_CGROUP=$BATS_TEST_TMPDIR/none run "$EX/numashift-prolog"
	assert_output --partial "scontrol -d show job 8: slurm_load_jobs error: Invalid job id specified"
	assert_output --partial "every node"
	# an abstract ID past the machine's CPUs (slurm.conf's node line does
	# not match the hardware) is said, and the job gets every node
	echo 0-4 >"$sys/devices/system/cpu/online"
	PATH=$bin:$PATH NUMASHIFT_SYSFS=$sys SLURMD_NODENAME=cn02 SLURM_JOB_ID=7 NUMASHIFT_DRY_RUN=1 \
		NUMASHIFT_DAEMON_CGROUPS= NUMASHIFT_JOB_CGROUP=$BATS_TEST_TMPDIR/none run "$EX/numashift-prolog"
	assert_output --partial "abstract CPU 5 is past the machine's 5 CPUs"
	assert_output --partial "prolog on nodes 0-1 (no job cgroup: every node)"
}

@test "epilog without the job's cgroup: the state of the job's nodes from scontrol, as JSON" {
	local bin=$BATS_TEST_TMPDIR/bin f
	fake_scontrol "$bin"
	# this host's CPUs 0-1 as Slurm's 0-1 (cn03): node 0's, on one node
	PATH=$bin:$PATH SLURMD_NODENAME=cn03 SLURM_JOB_ID=7 SLURM_SCRIPT_CONTEXT=epilog_slurmd NUMASHIFT_STRICT=1 \
		NUMASHIFT_JOB_CGROUP=$BATS_TEST_TMPDIR/none run "$EX/numashift-job"
	assert_success
	f=$NUMASHIFT_REPORT_DIR/job_7.$(uname -n).nodes.json
	assert_output --partial "no cgroup for the job (its processes are gone): its nodes 0 (scontrol: the job's CPUs"
	assert_output --partial "in $f"
	run python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['job'], d['job_nodes'], d['mscan']['tool'], [t['node'] for t in d['mscan']['topology']][0])" "$f"
	assert_output "7 0 mscan 0"
	[ ! -e "$f.tmp" ]
}
