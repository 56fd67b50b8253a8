#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# needs: slurm
# The batch-job scripts of docs/examples under a real Slurm: Debian 12's own
# munged, slurmctld and slurmd (22.05, unpacked by scripts/deps slurm, never
# installed on the host) run in the guest, slurm.conf names the project's
# prolog and epilog, and a job submitted with sbatch runs on node 1's CPU.
# Everything asserted is what Slurm and the kernel say happened: scontrol
# for the job's state, the job's own cgroup, numa_maps and smaps for where
# memory is, the scripts' syslog lines, and the prolog wrapper's clock.
# One kernel is enough (Debian 12's, 6.1); on 6.12 the file skips.
load common

W=/tmp/ns-slurm
CONF=/etc/slurm
MSG_TIMEOUT=10
CG=/sys/fs/cgroup
DAEMONCG=$CG/system.slice/nsdaemon.service
JOB_USER=nsjob
JOB_UID=1500
EXTRA_ADDR=10.17.0.1/32

# what the test adds to /etc, taken out again at the end
ETC_ADDED="/etc/hosts /etc/nsswitch.conf /etc/munge /etc/slurm /var/lib/munge /var/log/munge /run/munge
	/var/spool/slurmctld /var/spool/slurmd /var/log/slurm /var/log/numashift"

# bats 1.8 (Debian 12's) cannot skip from setup_file (it reports the file
# failed): setup_file leaves its reason in SLURM_SKIP and the test skips.
setup_file() {
	local f t0=$SECONDS
	export SLURM_SKIP=
	if [ "$NS_KVER" != 6.1 ]; then
		SLURM_SKIP="runs on one kernel, 6.1 (Debian 12's)"
	elif [ ! -x /usr/sbin/slurmd ]; then
		SLURM_SKIP="no Slurm in the guest: scripts/deps slurm (as root; make check-vm runs it) fetches Debian's"
	fi
	for f in $ETC_ADDED; do
		[ -n "$SLURM_SKIP" ] || [ ! -e "$f" ] ||
			SLURM_SKIP="$f exists already: this guest is not the plain test guest"
	done
	[ -z "$SLURM_SKIP" ] || return 0
	mkdir -p "$W"
	cp /etc/passwd "$W/passwd.orig"
	cp /etc/group "$W/group.orig"
	# the accounts the packages' maintainer scripts would add, and a user
	# for the job
	cat >>/etc/passwd <<-EOF
		slurm:x:64030:64030::/nonexistent:/bin/false
		munge:x:64031:64031::/nonexistent:/bin/false
		$JOB_USER:x:$JOB_UID:$JOB_UID::$W/home:/bin/sh
	EOF
	cat >>/etc/group <<-EOF
		slurm:x:64030:
		munge:x:64031:
		$JOB_USER:x:$JOB_UID:
	EOF
	echo "127.0.0.1 $(uname -n) localhost" >/etc/hosts
	# Slurm resolves names with AI_ADDRCONFIG, and glibc counts 127.0.0.1
	# as no IPv4 address at all: without a second address every lookup,
	# even from /etc/hosts, fails ("Unable to resolve") and neither daemon
	# can bind its port
	ip addr add $EXTRA_ADDR dev lo
	printf 'passwd: files\ngroup: files\nhosts: files\n' >/etc/nsswitch.conf
	mkdir -p "$W/home/jobs"
	chown -R "$JOB_UID:$JOB_UID" "$W/home"

	# syslog: the scripts log each step with logger(1)
	syslogd -O "$W/syslog" 3>&- </dev/null >/dev/null 2>&1
	pidof syslogd >"$W/syslogd.pid"

	# MUNGE as the package sets it up: its own user, a key only it reads,
	# directories no one else may write to
	# (the guest has no install(1))
	mkdir -p /etc/munge /var/log/munge /var/lib/munge /run/munge
	chown munge:munge /etc/munge /var/log/munge /var/lib/munge /run/munge
	chmod 700 /etc/munge /var/log/munge
	chmod 711 /var/lib/munge
	chmod 755 /run/munge
	mungekey --create --keyfile /etc/munge/munge.key
	chown munge:munge /etc/munge/munge.key
	chmod 400 /etc/munge/munge.key
	setpriv --reuid munge --regid munge --clear-groups /usr/sbin/munged 3>&- </dev/null >"$W/munged.out" 2>&1 ||
		{ cat "$W/munged.out" /var/log/munge/munged.log >&2; return 1; }

	# the project's prolog and epilog, as docs/batch-jobs.md installs them
	mkdir -p $CONF /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
	chown slurm:slurm /var/spool/slurmctld /var/log/slurm
	cp "$NS_TOP/docs/examples/numashift-job" $CONF/
	chmod 755 $CONF/numashift-job
	ln -s numashift-job $CONF/numashift-prolog
	ln -s numashift-job $CONF/numashift-epilog
	# Prolog= and Epilog= name one wrapper each (a glob such as prolog.d/*
	# was seen to run its scripts out of name order).  Around the
	# project's script (absolute paths: no PATH) the prolog's wrapper
	# keeps the environment slurmd gives a prolog, the job's cgroup as it
	# is then, and the clock before and after numashift-prolog, from
	# /proc/uptime (busybox's date has no %N); the epilog's keeps what is
	# left of the job's cgroup before numashift-epilog
	cat >$CONF/prolog-wrap <<-EOF
		#!/bin/sh
		read -r t0 rest </proc/uptime
		/usr/bin/env >$W/prolog.env
		for d in \$(/usr/bin/find $CG -type d -name "job_\$SLURM_JOB_ID"); do
			echo "\$d \$(/usr/bin/cat \$d/cpuset.cpus.effective) \$(/usr/bin/cat \$d/cpuset.mems) \$(/usr/bin/cat \$d/cpuset.mems.effective)"
		done >$W/prolog.cgroup
		$CONF/numashift-prolog
		rc=\$?
		read -r t1 rest </proc/uptime
		echo "\$t0 \$t1" >$W/prolog.clock
		exit \$rc
	EOF
	cat >$CONF/epilog-wrap <<-EOF
		#!/bin/sh
		for d in \$(/usr/bin/find $CG -type d -name "job_\$SLURM_JOB_ID"); do
			echo "\$d procs: \$(/usr/bin/find \$d -name cgroup.procs -exec /usr/bin/cat {} + | /usr/bin/tr '\\n' ' ')"
		done >$W/epilog.cgroup
		exec $CONF/numashift-epilog
	EOF
	chmod 755 $CONF/prolog-wrap $CONF/epilog-wrap
	# the tools where `make install` puts them (PREFIX=/usr/local)
	mkdir -p /usr/local/bin
	for f in "$NS_BIN"/*; do ln -sf "$f" "/usr/local/bin/${f##*/}"; done

	cat >$CONF/cgroup.conf <<-EOF
		CgroupPlugin=cgroup/v2
		IgnoreSystemd=yes
		ConstrainCores=yes
		ConstrainRAMSpace=yes
	EOF
	cat >$CONF/slurm.conf <<-EOF
		ClusterName=nstest
		SlurmctldHost=$(uname -n)
		SlurmUser=slurm
		AuthType=auth/munge
		CredType=cred/munge
		StateSaveLocation=/var/spool/slurmctld
		SlurmdSpoolDir=/var/spool/slurmd
		SlurmctldPidFile=/run/slurmctld.pid
		SlurmdPidFile=/run/slurmd.pid
		SlurmctldLogFile=/var/log/slurm/slurmctld.log
		SlurmdLogFile=/var/log/slurm/slurmd.log
		SlurmdDebug=debug2
		LogTimeFormat=iso8601_ms
		ProctrackType=proctrack/cgroup
		TaskPlugin=task/cgroup,task/affinity
		PrologFlags=Contain
		Prolog=$CONF/prolog-wrap
		Epilog=$CONF/epilog-wrap
		MessageTimeout=$MSG_TIMEOUT
		SchedulerType=sched/builtin
		SelectType=select/cons_tres
		SelectTypeParameters=CR_Core
		JobCompType=jobcomp/none
		AccountingStorageType=accounting_storage/none
		JobAcctGatherType=jobacct_gather/none
		MpiDefault=none
		ReturnToService=2
	EOF
	# the node as slurmd sees it, with CPU 0 (node 0's) kept for the
	# system: a job gets CPU 1, node 1's
	f=$(env -i /usr/sbin/slurmd -C | head -n 1)
	[[ $f == NodeName=* ]] || { echo "slurmd -C: $f" >&2; return 1; }
	echo "$f CpuSpecList=0 State=UNKNOWN" >>$CONF/slurm.conf
	echo "PartitionName=batch Nodes=$(uname -n) Default=YES MaxTime=INFINITE State=UP" >>$CONF/slurm.conf

	# daemons' cgroups: Slurm's cgroup/v2 plugin puts its own under
	# system.slice (IgnoreSystemd=yes: no systemd to ask): slurmd moves
	# itself to system.slice/slurmstepd.scope/slurmd, each slurmstepd
	# takes its controllers from slurmstepd.scope's cgroup.controllers
	# (slurmd checks for cpu and memory and says "Controller cpu is not
	# enabled!" otherwise).  22.05 splits cgroup.controllers on spaces
	# and keeps the final newline, so the last controller listed never
	# matches (fixed in 23.02.1, SchedMD bug 16151).  The kernel lists
	# controllers in a fixed order, cpuset cpu io memory hugetlb pids, so
	# with only cpu, cpuset and memory, memory comes last: slurmstepd
	# then reports "memory cgroup controller is not available" and the
	# batch step fails.  Adding pids puts a controller after memory.  The
	# scope is made here with the same controllers, so that the cgroup
	# slurmd moves into, slurmstepd.scope/slurmd, lists pids last too
	# (slurmd only adds cpuset, memory and cpu there).
	grep -qw pids $CG/cgroup.controllers ||
		{ echo "no pids controller: Slurm 22.05 would miss memory" >&2; return 1; }
	echo "+cpu +cpuset +memory +pids" >$CG/cgroup.subtree_control
	mkdir -p "$DAEMONCG" $CG/system.slice/slurmstepd.scope
	echo "+cpu +cpuset +memory +pids" >$CG/system.slice/cgroup.subtree_control
	echo "+cpu +cpuset +memory +pids" >$CG/system.slice/slurmstepd.scope/cgroup.subtree_control

	# started as a service manager would: no environment from this test
	env -i /usr/sbin/slurmctld 3>&- </dev/null >"$W/slurmctld.out" 2>&1 ||
		{ cat "$W/slurmctld.out" /var/log/slurm/slurmctld.log >&2; return 1; }
	env -i /usr/sbin/slurmd 3>&- </dev/null >"$W/slurmd.out" 2>&1 ||
		{ cat "$W/slurmd.out" /var/log/slurm/slurmd.log >&2; return 1; }
	# (a client waits MessageTimeout for a daemon that does not answer)
	local t1=$SECONDS
	while [ $((SECONDS - t1)) -lt 90 ]; do
		if [ "$(timeout 15 sinfo -h -o %T 2>/dev/null)" = idle ]; then
			echo "# munged, slurmctld and slurmd up, the node idle, in $((SECONDS - t0)) s" >&3
			return 0
		fi
		sleep 1
	done
	echo "the node never became idle: $(timeout 15 sinfo -h -o '%T %E' 2>&1)" >&2
	tail -n 30 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2
	return 1
}

teardown_file() {
	local f p
	# setup_file skipped before it changed anything (6.12, no Slurm, not
	# a plain guest): nothing to undo, and nothing of the guest's to touch
	[ -d "$W" ] || return 0
	[ -s /run/slurmctld.pid ] && timeout 20 scancel -u "$JOB_USER" 2>/dev/null
	ip addr del $EXTRA_ADDR dev lo 2>/dev/null
	for f in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid "$W/syslogd.pid"; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 1
	# every process left in Slurm's cgroups, then the cgroups, leaves first
	for f in $(find $CG/system.slice -name cgroup.procs 2>/dev/null); do
		while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$f"
	done
	sleep 0.5
	find $CG/system.slice -depth -type d -exec rmdir {} \; 2>/dev/null
	rm -f /usr/local/bin/mscan /usr/local/bin/mmigrate /usr/local/bin/mfree-discard /usr/local/bin/mplace
	[ -f "$W/passwd.orig" ] && cp "$W/passwd.orig" /etc/passwd
	[ -f "$W/group.orig" ] && cp "$W/group.orig" /etc/group
	# shellcheck disable=SC2086
	rm -rf $ETC_ADDED
	return 0
}

# scontrol's value of KEY for job ID
job_field() { timeout 15 scontrol show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

@test "slurmd runs the prolog and epilog around a job on node 1: memory moves, the job completes" {
	[ -z "$SLURM_SKIP" ] || skip "$SLURM_SKIP"
	local daemon lazy before id state t0 t1 f cgline
	# a leftover daemon with 64 MiB on node 1, in its service's cgroup
	start_helper --mib 64 --no-thp --node 1
	daemon=$HELPER_PID
	echo "$daemon" >"$DAEMONCG/cgroup.procs"
	before=$(node_bytes "$daemon" 1)
	[ "$before" -gt $((60 << 20)) ]
	# a process with 32 MiB lazily freed on node 1
	start_helper --mib 64 --no-thp --free-pct 50 --node 1
	lazy=$HELPER_PID
	[ "$(lazyfree_kb "$lazy")" -gt 16000 ] || fail "helper has no lazily freed memory"

	cat >"$W/home/job.sh" <<-'EOF'
		#!/bin/sh
		echo "cpus $(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)"
		echo "cgroup $(cat /proc/self/cgroup)"
		sleep 1
	EOF
	chmod 755 "$W/home/job.sh"
	run setpriv --reuid $JOB_USER --regid $JOB_USER --clear-groups \
		env -i PATH=/usr/bin:/bin HOME="$W/home" sbatch --parsable -D "$W/home/jobs" -o "$W/home/jobs/%j.out" "$W/home/job.sh"
	echo "$output"
	assert_success
	id=${output%%;*}
	t0=$SECONDS
	while [ $((SECONDS - t0)) -lt 90 ]; do
		state=$(job_field "$id" JobState)
		case $state in PENDING|CONFIGURING|RUNNING|COMPLETING|"") ;; *) break ;; esac
		# the known failure below: no need to wait out the 90 s
		grep -q 'memory cgroup controller is not available' /var/log/slurm/slurmd.log 2>/dev/null && break
		sleep 1
	done
	# what Slurm and the scripts say, in the TAP output whatever happens
	(
	set +e
	echo "scontrol -d show job $id:"; timeout 15 scontrol -d show job "$id"
	echo "job output:"; cat "$W/home/jobs/$id.out"
	echo "syslog:"; cat "$W/syslog"
	echo "prolog's environment:"; cat "$W/prolog.env"
	echo "job cgroup in the prolog (cpus, mems, mems.effective):"; cat "$W/prolog.cgroup"
	echo "job cgroup before the epilog:"; cat "$W/epilog.cgroup"
	echo "prolog clock (uptime before, after): $(cat "$W/prolog.clock")"
	echo "epilog's report:"; cat /var/log/numashift/job_"$id".*
	echo "slurmd.log (prolog/epilog):"; grep -iE 'prolog|epilog' /var/log/slurm/slurmd.log
	for f in $CG/system.slice/*slurmstepd.scope/cgroup.controllers \
		$CG/system.slice/*slurmstepd.scope/slurmd/cgroup.controllers; do
		[ -e "$f" ] && echo "controllers Slurm reads: $f: $(cat "$f")"
	done
	grep -E 'Controller .* is not enabled|controller is not available' /var/log/slurm/slurmd.log
	ls -la /var/log/numashift
	if [ "$state" != COMPLETED ]; then
		timeout 15 squeue -a -o '%i %T %r %N'
		tail -n 40 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log
	fi
	) >"$W/report" 2>&1
	sed 's/^/# /' "$W/report" >&3
	# the prolog ran in slurmd's environment and found the tools
	grep -q '^SLURM_SCRIPT_CONTEXT=prolog_slurmd$' "$W/prolog.env"
	! grep -q '^PATH=.*/ns/' "$W/prolog.env"
	! grep -q 'not found' "$W/syslog"
	# slurmstepd's task/cgroup says "memory cgroup controller is not
	# available" when memory is the last controller in slurmstepd.scope's
	# cgroup.controllers (Slurm 22.05's parsing, see setup_file); pids
	# after it is meant to prevent that (issue 17 item 3)
	! grep -q 'memory cgroup controller is not available' /var/log/slurm/slurmd.log ||
		fail "slurmstepd: memory cgroup controller is not available (job $id $state)"
	[ "$state" = COMPLETED ] || fail "job $id ended $state"

	# the job ran on CPU 1, node 1's
	grep -qx 'cpus 1' "$W/home/jobs/$id.out"
	# the prolog had slurmd's environment, not this test's (whose PATH has
	# /ns/bin): Slurm 22.05 gives it a PATH without /usr/local/bin
	grep -qx 'PATH=/sbin:/usr/sbin:/bin:/usr/bin' "$W/prolog.env"
	grep -qx "SLURM_CONF=$CONF/slurm.conf" "$W/prolog.env"
	# the job's tasks ran in Slurm's scope, named after the node by
	# Debian's build (several slurmd per host): NODENAME_slurmstepd.scope
	grep -qE "^cgroup 0::/system.slice/($(uname -n)_)?slurmstepd.scope/job_$id/" "$W/home/jobs/$id.out" ||
		fail "the job's cgroup is not under Slurm's scope: $(grep '^cgroup' "$W/home/jobs/$id.out")"
	# Slurm 22.05 makes the job's cgroup after the prolog (PrologFlags=
	# Contain or not) and removes it before the epilog: the prolog finds
	# the job's CPUs from scontrol, Slurm's abstract CPU 1, which is the
	# guest's CPU 1 (one thread per core), node 1.  A Slurm that makes the
	# cgroup first would give the same node from the cgroup's CPUs: Slurm
	# narrows cpuset.cpus to CPU 1 and leaves cpuset.mems at every node.
	cgline=$(tr -d '\n' <"$W/prolog.cgroup" 2>/dev/null)
	if [ -z "$cgline" ]; then
		grep -q "numashift-prolog: job $id: prolog on nodes 1 (scontrol: the job's CPUs 1, Slurm's 1) within $((MSG_TIMEOUT - 2)) s\$" "$W/syslog" ||
			fail "the prolog did not find node 1 from scontrol"
	else
		grep -q "/job_$id 1 0-1 0-1\$" "$W/prolog.cgroup"
		grep -q "numashift-prolog: job $id: prolog on nodes 1 (the job's CPUs 1) within $((MSG_TIMEOUT - 2)) s\$" "$W/syslog" ||
			fail "the prolog did not find node 1 from the job's cgroup"
	fi
	! grep -q 'not found' "$W/syslog"
	# within MessageTimeout, timed by the wrapper around numashift-prolog
	read -r t0 t1 <"$W/prolog.clock"
	awk -v a="$t0" -v b="$t1" -v n=$MSG_TIMEOUT \
		'BEGIN { printf "# prolog took %.2f s (MessageTimeout %d s)\n", b - a, n; exit !(b - a < n) }' >&3 ||
		fail "the prolog took $t0 -> $t1, not less than MessageTimeout $MSG_TIMEOUT s"
	# the daemon's memory left node 1 for node 0, its data intact
	[ "$(node_bytes "$daemon" 1)" -lt $((1 << 20)) ] || fail "daemon still has $(node_bytes "$daemon" 1) bytes on node 1"
	[ "$(node_bytes "$daemon" 0)" -ge $((before - (1 << 20))) ]
	verify_helper "$daemon"
	# the lazily freed pages on node 1 are gone, the live half stayed
	[ "$(lazyfree_kb "$lazy")" -lt 1024 ] || fail "LazyFree still $(lazyfree_kb "$lazy") kB"
	verify_helper "$lazy"
	# the epilog: with the job's cgroup gone (and its processes with it),
	# the state of the job's node as the job left it, node 1 found again
	# from scontrol; with the cgroup still there, mscan's report of it
	f=/var/log/numashift/job_$id.$(uname -n)
	if [ -s "$W/epilog.cgroup" ]; then
		jq -e '.schema_version == 1' "$f.json"
	else
		grep -q "numashift-epilog: job $id: no cgroup for the job (its processes are gone): its nodes 1 (scontrol: the job's CPUs 1, Slurm's 1) as it left them in $f.nodes.json\$" "$W/syslog" ||
			fail "the epilog did not report node 1"
		jq -e '.job == "'"$id"'" and .job_nodes == "1" and .mscan.schema_version == 1
			and ([.mscan.topology[] | select(.node == 1 and .free_bytes > 0)] | length == 1)' "$f.nodes.json"
	fi
}
