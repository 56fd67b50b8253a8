#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# A move never freezes the process.  stallwork (tests/bench/stallwork.c)
# allocates (mmap + touch + munmap of 1 MiB every 5 ms) and reads random
# pages while it is moved, and reports its own worst waits: what the process
# felt, not what numashift says of its calls.  (Every 1 ms, each cycle takes
# longer than its period under TCG: the allocator then holds or waits for
# the mmap lock back to back, and move_pages crawls at 1 MB/s, measured:
# make bench's stall family reports that load.)  Freezes are seconds against
# milliseconds, far outside the guest's timing noise; the budget's own
# effect is checked by counting calls, never by timing them.

load common
bats_require_minimum_version 1.5.0

setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

SW_PID=
teardown() {
	[ -z "$SW_PID" ] || { kill -KILL "$SW_PID" 2>/dev/null; wait "$SW_PID" 2>/dev/null; }
	SW_PID=
	helper_cleanup
}

# start_stallwork MIB [options]: stallwork on node 0, ready
start_stallwork() {
	local mib=$1 i
	shift
	SW_OUT=$BATS_TEST_TMPDIR/sw.out
	SW_REPORT=$BATS_TEST_TMPDIR/sw.json
	SW_REPORTS=0
	stallwork --mib "$mib" --node 0 --report "$SW_REPORT" "$@" >"$SW_OUT" 2>&1 3>&- &
	SW_PID=$!
	for ((i = 0; i < 1200; i++)); do
		grep -q '^ready' "$SW_OUT" && return 0
		kill -0 "$SW_PID" 2>/dev/null || { cat "$SW_OUT" >&2; return 1; }
		sleep 0.1
	done
	echo "stallwork not ready" >&2
	return 1
}

# sw_window: a new measuring window starts now
sw_window() {
	local n i
	n=$(grep -c '^window' "$SW_OUT" || true)
	kill -USR2 "$SW_PID"
	for ((i = 0; i < 500; i++)); do
		[ "$(grep -c '^window' "$SW_OUT" || true)" -gt "$n" ] && return 0
		sleep 0.01
	done
	echo "stallwork started no window" >&2
	return 1
}

# sw_report: the window's report into $SW_REPORT
sw_report() {
	local i
	SW_REPORTS=$((SW_REPORTS + 1))
	kill -USR1 "$SW_PID"
	for ((i = 0; i < 600; i++)); do
		grep -q "^report $SW_REPORTS\$" "$SW_OUT" && return 0
		sleep 0.05
	done
	echo "stallwork wrote no report $SW_REPORTS" >&2
	return 1
}

# sw_stop: SIGTERM; it checks every page and exits 0 when all are intact
sw_stop() {
	local rc=0
	kill -TERM "$SW_PID"
	wait "$SW_PID" || rc=$?
	SW_PID=
	[ "$rc" = 0 ] || { cat "$SW_OUT" >&2; fail "stallwork exited $rc (data check)"; }
}

# move_measured CMD...: run CMD between a window and its report; prints
# "SECONDS WORST_MMAP_MS WORST_STALL_MS"
move_measured() {
	local t0 t1
	sw_window
	t0=$EPOCHREALTIME
	# 3 (partial) is allowed: pages of the allocator's 1 MiB mappings that
	# were planned and then unmapped did not move
	"$@" >"$BATS_TEST_TMPDIR/move.out" 2>"$BATS_TEST_TMPDIR/move.err" || [ $? = 3 ] ||
		{ cat "$BATS_TEST_TMPDIR/move.err" >&2; return 1; }
	t1=$EPOCHREALTIME
	sw_report
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(jq .mmap_wait_max_ms "$SW_REPORT")" "$(jq .worst_stall_ms "$SW_REPORT")"
}

@test "the default move keeps a busy process running: its worst mmap wait < 1/10 of the move" {
	local mib=128 r secs mmap_ms
	start_stallwork $mib --no-thp --period-us 5000
	r=$(move_measured mmigrate -J "$SW_PID" 0 1)
	read -r secs mmap_ms _ <<<"$r"
	echo "# default mmigrate: moved in ${secs}s, worst mmap wait ${mmap_ms} ms" >&3
	jq -e '.processes[0].engine == "pages"' "$BATS_TEST_TMPDIR/move.out" >/dev/null ||
		fail "engine: $(jq -c '.processes[0] | {engine, engine_reason}' "$BATS_TEST_TMPDIR/move.out")"
	awk -v s="$secs" -v m="$mmap_ms" 'BEGIN { exit !(m < s * 1000 / 10) }' ||
		fail "the process froze: worst mmap wait ${mmap_ms} ms in a ${secs} s move"
	# every page moved, and the reports' figures are there
	assert_equal "$(node_bytes "$SW_PID" 0 "$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^addr=/) print substr($i, 6) }' "$SW_OUT" | head -n 1)")" 0
	jq -e '.processes[0].stall | .calls > 1 and .max_ms > 0 and .p99_ms <= .max_ms and .median_ms <= .p99_ms' \
		"$BATS_TEST_TMPDIR/move.out" >/dev/null || fail "stall: $(jq -c '.processes[0].stall' "$BATS_TEST_TMPDIR/move.out")"
	[ "$(jq .read_errors "$SW_REPORT")" = 0 ] || fail "the reader saw wrong data"
	sw_stop
}

@test "the check can fail: the single migrate_pages call freezes the same process (6.1)" {
	# the kernel fact the test above guards against: up to 6.6 the call
	# holds the mmap lock for the whole move; from 6.7 only while it scans
	case $(uname -r) in 6.1.*|5.*|4.*) ;; *) skip "kernel $(uname -r) holds the lock only while it scans" ;; esac
	local mib=128 r secs mmap_ms
	start_stallwork $mib --no-thp --period-us 5000
	r=$(move_measured mmigrate -J --engine syscall "$SW_PID" 0 1)
	read -r secs mmap_ms _ <<<"$r"
	echo "# --engine syscall: moved in ${secs}s, worst mmap wait ${mmap_ms} ms" >&3
	awk -v s="$secs" -v m="$mmap_ms" 'BEGIN { exit !(m >= s * 1000 / 10) }' ||
		fail "no freeze seen: worst mmap wait ${mmap_ms} ms in a ${secs} s move"
	sw_stop
}

@test "--max-stall: a smaller budget gives more, smaller calls" {
	local calls_small calls_big
	start_helper --mib 64 --node 0 --no-thp
	run --separate-stderr mmigrate -J --max-stall 2ms "$HELPER_PID" 0 1
	assert_success
	calls_small=$(echo "$output" | jq .processes[0].stall.calls)
	assert_equal "$(echo "$output" | jq .processes[0].stall.budget_ms)" 2
	run --separate-stderr mmigrate -J --max-stall 2s "$HELPER_PID" 1 0
	assert_success
	calls_big=$(echo "$output" | jq .processes[0].stall.calls)
	assert_equal "$(echo "$output" | jq .processes[0].stall.budget_ms)" 2000
	echo "# 64 MiB: $calls_small calls within 2 ms, $calls_big within 2 s" >&3
	[ "$calls_small" -gt "$calls_big" ] || fail "2 ms: $calls_small calls, 2 s: $calls_big"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "mfree-discard --max-stall: a smaller budget gives more process_madvise calls" {
	local small big
	start_helper --mib 64 --node 0 --no-thp --free-pct 100
	run --separate-stderr mfree-discard -J --max-stall 1ms -p "$HELPER_PID"
	assert_success
	small=$(echo "$output" | jq .processes[0].stall.calls)
	assert_equal "$(echo "$output" | jq .processes[0].stall.budget_ms)" 1
	[ "$(echo "$output" | jq .processes[0].discarded)" -gt 0 ] || fail "nothing discarded"
	stop_helper
	start_helper --mib 64 --node 0 --no-thp --free-pct 100
	run --separate-stderr mfree-discard -J --max-stall 5s -p "$HELPER_PID"
	assert_success
	big=$(echo "$output" | jq .processes[0].stall.calls)
	echo "# 64 MiB lazily freed: $small calls within 1 ms, $big within 5 s" >&3
	[ "$small" -gt "$big" ] || fail "1 ms: $small calls, 5 s: $big"
	stop_helper
}

@test "threads auto: the JSON says how many ran; --threads 1 is one" {
	start_helper --mib 128 --node 0 --no-thp
	run --separate-stderr mmigrate -J "$HELPER_PID" 0 1
	assert_success
	# 2 CPUs in the guest, 128 MiB: two workers
	assert_equal "$(echo "$output" | jq .processes[0].threads)" 2
	run --separate-stderr mmigrate -J --threads 1 "$HELPER_PID" 1 0
	assert_success
	assert_equal "$(echo "$output" | jq .processes[0].threads)" 1
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "--nice auto raises the workers alone, to -5 as root; under nice 3 they keep 3" {
	start_helper --mib 64 --node 0 --no-thp
	local o=$BATS_TEST_TMPDIR/o.json m t n w=0 i main=
	# a slow move (--rate: 4 s) so that its threads are read while it runs
	mmigrate -q -J --rate 16M --threads 2 "$HELPER_PID" 0 1 >"$o" &
	m=$!
	for ((i = 0; i < 300 && w < 2; i++)); do
		sleep 0.1
		w=0
		for t in /proc/$m/task/*; do
			n=$(awk '{ print $19 }' "$t/stat" 2>/dev/null) || continue
			if [ "${t##*/}" = "$m" ]; then
				main=$n
			elif [ "$n" = -5 ]; then
				w=$((w + 1))
			fi
		done
	done
	wait "$m"
	[ "$w" -eq 2 ] || fail "$w of the 2 workers seen at nice -5"
	assert_equal "$main" 0
	assert_equal "$(jq .processes[0].nice "$o")" -5
	run --separate-stderr bash -c 'renice 3 -p $$ >/dev/null && exec mmigrate -J "$0" 1 0' "$HELPER_PID"
	assert_success
	assert_equal "$(echo "$output" | jq .processes[0].nice)" 3
	run --separate-stderr mmigrate -J --nice 0 "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(echo "$output" | jq .processes[0].nice)" 0
	verify_helper
}

@test "--nice auto refused by the kernel (root of a user namespace): the move goes on at nice 0" {
	command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "no unshare(1), nsenter(1)"
	local t from=0 to=1 wrap=$BATS_TEST_TMPDIR/nshelper-userns
	# the helper in a user namespace of its own, and mmigrate in the same
	# one (from a child namespace the kernel lets nobody read a process of
	# the initial one).  mmigrate has CAP_SYS_NICE there, so auto asks for
	# -5; setpriority(2) wants it in the initial namespace and refuses.
	printf '#!/bin/sh\nexec unshare --user --map-root-user nshelper "$@"\n' >"$wrap"
	chmod +x "$wrap"
	NS_HELPER_BIN=$wrap start_helper --mib 16 --node 0 --no-thp
	for t in 2 1; do
		run --separate-stderr nsenter --user -t "$HELPER_PID" \
			mmigrate -J --threads "$t" "$HELPER_PID" "$from" "$to"
		assert_success
		assert_equal "$(echo "$output" | jq .processes[0].nice)" 0
		assert_equal "$(echo "$output" | jq .processes[0].threads)" "$t"
		assert_equal "$(node_bytes "$HELPER_PID" "$to" "$HELPER_ADDR")" "$HELPER_LEN"
		set -- "$to" "$from"
		from=$1 to=$2
	done
	# an explicit --nice -5 is not a wish: the run stops and says why
	run --separate-stderr nsenter --user -t "$HELPER_PID" mmigrate --nice -5 "$HELPER_PID" 0 1
	assert_failure 4
	[[ "$stderr" == *"the kernel refused the workers' nice -5 (--nice)"* ]] ||
		fail "stderr does not name the nice: $stderr"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "a call over 1.5 x --max-stall is a warning, exactly when the JSON says so" {
	local max warned=no
	start_helper --mib 16 --node 0 --thp
	# one THP entry cannot be split: at 1 ms some call outlasts 1.5 ms
	run --separate-stderr mmigrate -J --max-stall 1ms "$HELPER_PID" 0 1
	assert_success
	max=$(echo "$output" | jq .processes[0].stall.max_ms)
	grep -q "more than 1.5 x the --max-stall budget of 1 ms" <<<"$stderr" && warned=yes
	echo "# 16 MiB of THPs at 1 ms: longest call $max ms, warned: $warned" >&3
	if awk -v m="$max" 'BEGIN { exit !(m > 1.5) }'; then
		assert_equal "$warned" yes
	else
		assert_equal "$warned" no
	fi
	# within budget: no warning
	run --separate-stderr mmigrate -J --max-stall 10s "$HELPER_PID" 1 0
	assert_success
	! grep -q "max-stall budget" <<<"$stderr" || fail "warned within a 10 s budget: $stderr"
	verify_helper
}
