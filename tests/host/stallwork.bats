#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# stallwork (tests/bench/stallwork.c), the busy workload of make bench's stall
# family and of the guest's no-freeze tests: on the host (node 0), it gets
# ready, its signals start a window and write reports, and the report has
# every field with sane values.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

setup() {
	SW=${NS_HELPERS:-$NS_TOP/build/helpers}/stallwork
	[ -x "$SW" ] || SW=$(command -v stallwork) || fail "stallwork not built"
	D=$BATS_TEST_TMPDIR
}

teardown() {
	if [ -n "${SPID:-}" ]; then
		{ kill -KILL "$SPID"; wait "$SPID"; } 2>/dev/null
	fi
	return 0
}

# start ARGS...: SPID, once its "ready" line is out
start() {
	"$SW" --report "$D/r.json" "$@" >"$D/out" 2>"$D/err" 3>&- &
	SPID=$!
	for _ in $(seq 100); do
		grep -q '^ready ' "$D/out" && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$D/out" "$D/err"
	fail "stallwork did not get ready"
}

# report N: wait for the N-th "report" line
report() {
	for _ in $(seq 100); do
		grep -qx "report $1" "$D/out" && return 0
		sleep 0.05
	done
	fail "no 'report $1' line"
}

# field NAME: one field of the report
field() { jq -r ".$1" "$D/r.json"; }

@test "ready line: pid, address and length of the region" {
	start --mib 16 --node 0 --ready "$D/ready"
	run -0 cat "$D/out"
	assert_output --regexp "^ready $SPID addr=0x[0-9a-f]+ len=16777216$"
	assert_equal "$(cat "$D/ready")" "$output"
	# the whole region is on node 0 (numa_maps of the mapping at addr)
	addr=$(sed -n 's/.* addr=0x\([0-9a-f]*\).*/\1/p' "$D/out")
	run -0 awk -v a="$addr" '{ s = $1; sub(/^0+/, "", s) } s == a' "/proc/$SPID/numa_maps"
	assert_output --regexp ' N0=4096 '
}

@test "SIGUSR2 starts a window, SIGUSR1 reports it, SIGTERM ends with a check" {
	start --mib 16 --node 0
	sleep 0.5
	kill -USR2 "$SPID"
	# the window has started once its line is out
	for _ in $(seq 100); do grep -qx 'window 1' "$D/out" && break; sleep 0.05; done
	grep -qx 'window 1' "$D/out" || fail "no 'window 1' line"
	sleep 1
	kill -USR1 "$SPID"
	report 1
	run -0 jq -e '.pid > 0 and .mib == 16 and .page == "4k" and .node == 0 and .report == 1
		and .final == false and (has("verify") | not)' "$D/r.json"
	# the window: about the second between the signals, not the time before
	run -0 jq -e '.window_s > 0.5 and .window_s < 5' "$D/r.json"
	run -0 jq -e '.alloc_ops > 10 and .alloc_ops_per_s > 10 and .alloc_ops_per_s <= 1100
		and .mmap_calls - 2 * .alloc_ops <= 0 and .mmap_calls - 2 * .alloc_ops >= -1 and .read_ops > 1000 and .read_ops_per_s > 1000
		and .read_errors == 0' "$D/r.json"
	run -0 jq -e '.mmap_wait_max_ms > 0 and .mmap_wait_median_ms <= .mmap_wait_p99_ms
		and .mmap_wait_p99_ms <= .mmap_wait_max_ms and .alloc_cycle_max_ms >= .mmap_wait_max_ms
		and .read_gap_max_ms > 0' "$D/r.json"
	run -0 jq -e '.worst_stall_ms == ([.mmap_wait_max_ms, .read_gap_max_ms] | max)
		and .worst_stall_ms < 1000 * .window_s' "$D/r.json"
	# every timeline entry lies in the window, at or above the threshold,
	# in order, and the worst wait is on it when it is above the threshold
	run -0 jq -e '.threshold_ms == 1 and .timeline_dropped == 0
		and all(.timeline[]; .t_ms >= 0 and .t_ms <= 1000 * $w and .ms >= 1
			and (.kind == "mmap" or .kind == "munmap" or .kind == "read"))
		and ([.timeline[].t_ms] == ([.timeline[].t_ms] | sort))
		and (.worst_stall_ms < 1 or ([.timeline[].ms] | max) == .worst_stall_ms)' \
		--argjson w "$(field window_s)" "$D/r.json"
	kill -TERM "$SPID"
	local rc=0
	wait "$SPID" || rc=$?
	SPID=
	assert_equal "$rc" 0
	report 2
	run -0 jq -e '.report == 2 and .final == true and .verify == "ok"' "$D/r.json"
}

@test "a stop of the process shows as a wait on the timeline" {
	start --mib 8 --threshold-us 50000
	kill -USR2 "$SPID"
	sleep 0.3
	# what a frozen memory map does to it, roughly: nothing runs for 0.5 s
	kill -STOP "$SPID"
	sleep 0.5
	kill -CONT "$SPID"
	sleep 0.3
	kill -USR1 "$SPID"
	report 1
	run -0 jq -e '.worst_stall_ms >= 450 and .read_gap_max_ms >= 450
		and any(.timeline[]; .kind == "read" and .ms >= 450 and .t_ms >= 200 and .t_ms < 600)' "$D/r.json"
	# a new window forgets it
	kill -USR2 "$SPID"
	sleep 0.3
	kill -USR1 "$SPID"
	report 2
	run -0 jq -e '.worst_stall_ms < 450 and .window_s < 5' "$D/r.json"
}

@test "THP: the region is aligned and advised huge" {
	[ -r /sys/kernel/mm/transparent_hugepage/enabled ] || skip "no THP"
	grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled && skip "THP disabled"
	start --mib 16 --thp --no-alloc
	addr=$(sed -n 's/.* addr=\(0x[0-9a-f]*\).*/\1/p' "$D/out")
	[ $((addr % $(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size))) = 0 ]
	kill -USR1 "$SPID"
	report 1
	run -0 jq -e '.page == "thp" and .alloc_ops == 0 and .mmap_calls == 0 and .read_ops > 0' "$D/r.json"
}

@test "bad options: one line, exit 2" {
	run -2 "$SW"
	run -2 "$SW" --mib 0
	run -2 "$SW" --mib x
	run -2 "$SW" --mib 8 --node -1
	assert_output "stallwork: --node: '-1' is not a number from 0 to 1023"
	run -2 "$SW" --mib 8 extra
	run -0 "$SW" --help
	assert_output --partial "SIGUSR2"
}
