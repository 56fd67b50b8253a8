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
	assert_output --partial "no cgroup for the job"
}
