#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# What harden-signals.bats and harden-faults.bats check of mmigrate, for
# mplace -p (the move and the affinity) and mfree-discard: SIGINT and
# SIGTERM at random moments give 130/143 with a whole report and nothing
# changed after the signal; the target exiting or exec'ing mid-run stops
# the run with the status of what was done.  Each signalled run starts
# from the same state (a run after an interrupted one would have less to
# do and mostly end before its signal), the signal goes to the tool only
# after its exec (a signal to the forked shell runs bats' own traps), and
# each test demands a minimum of really interrupted runs.

load common

setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

teardown() {
	local p
	for p in ${BG_PIDS:-}; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	BG_PIDS=
	helper_cleanup
}

rand_delay() { # MAX_MS: a random delay below it, in seconds
	local ms=$((RANDOM % $1))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# Wait until PID runs the program COMM (the forked shell has exec'd).
# Wait until PID runs COMM and catches SIGTERM (SigCgt bit 15): a signal
# before the tool's handlers are in place (the exec, the dynamic loader,
# ASan's start: 10-40 ms in the ASan guest) kills it by default, with no
# report and nothing done, which is not what these tests are about.
wait_comm() { # PID COMM
	local w cgt
	for ((w = 0; w < 500; w++)); do
		if [ "$(cat /proc/"$1"/comm 2>/dev/null)" = "$2" ]; then
			cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/"$1"/status 2>/dev/null)
			[ -n "$cgt" ] && (((16#$cgt >> 14) & 1)) && return 0
		fi
		sleep 0.01
	done
	return 1
}

# The CPU list of every thread of PID, one line each, sorted and unique.
thread_cpus() {
	local t
	for t in /proc/"$1"/task/*; do
		sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status"
	done | sort -u
}

# Wait until some of PID's memory at ADDR is on node 1 (the move has begun).
wait_moving() { # PID ADDR
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(node_bytes "$1" 1 "$2")" -gt 0 ] && return 0
		sleep 0.1
	done
	echo "nothing reached node 1 in 30 s" >&2
	return 1
}

# ---- mplace -p ------------------------------------------------------------------

# One mplace -p run moving the helper (whole region on node 0, every thread
# on CPU 0) to node 1, signal $1 after a random delay.  Appends to $BAD what
# is wrong and to $LOG one line per run.
mplace_signal_once() {
	local sig=$1 want=$2 d=$BATS_TEST_TMPDIR/run rc=0 delay j
	rm -rf "$d"
	mkdir "$d"
	mmigrate -q --vma "$(helper_region)" --to 0 -p "$HELPER_PID" >/dev/null 2>"$d/reset" 3>&- ||
		echo "moving the region back to node 0 failed: $(head -c 300 "$d/reset")" >>"$BAD"
	taskset -a -p 1 "$HELPER_PID" >/dev/null
	delay=$(rand_delay 1000)
	mplace -J --rate 12M -p "$HELPER_PID" --nodes 1 >"$d/out.json" 2>"$d/err" 3>&- &
	local mp=$!
	wait_comm "$mp" mplace
	sleep "$delay"
	kill -"$sig" "$mp" 2>/dev/null || true
	wait "$mp" || rc=$?
	j=$d/out.json
	local what="SIG$sig after ${delay}s: exit $rc" stop on1 moved cpus
	stop=$(jq -r '.move.stop // "none"' "$j" 2>/dev/null)
	on1=$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")
	cpus=$(thread_cpus "$HELPER_PID" | tr '\n' ' ')
	jq -e . "$j" >/dev/null 2>&1 || echo "$what: stdout is not complete JSON: $(tail -c 200 "$j")" >>"$BAD"
	[ "$(jq '.exit_code' "$j" 2>/dev/null)" = "$rc" ] ||
		echo "$what: the report says exit $(jq '.exit_code' "$j" 2>/dev/null)" >>"$BAD"
	grep -qE 'Sanitizer|runtime error|Segmentation|Aborted' "$d/err" &&
		echo "$what: crash: $(head -c 300 "$d/err")" >>"$BAD"
	case $rc in
	"$want")
		if [ "$(jq '.affinity' "$j")" = null ]; then
			# seen before the affinity: nothing changed at all
			[ "$cpus" = "0 " ] || echo "$what: no affinity reported, threads on CPUs $cpus" >>"$BAD"
			[ "$on1" = 0 ] || echo "$what: no affinity reported, $on1 bytes on node 1" >>"$BAD"
		fi
		if [ "$stop" = interrupted ]; then
			# stopped mid-move (a last call in flight may finish the
			# region): no second affinity pass, the moves reported
			[ "$(jq '.affinity_second_pass.passes' "$j")" = 0 ] ||
				echo "$what: a second affinity pass after the signal" >>"$BAD"
			moved=$(jq '.move.moved_bytes' "$j")
			[ "$moved" -ge "$on1" ] || echo "$what: reports $moved bytes moved, $on1 on node 1" >>"$BAD"
		fi
		case $stop in interrupted|done|none) ;; *) echo "$what: stop is $stop" >>"$BAD" ;; esac
		;;
	0) ;;   # it had finished before the signal came
	3)      # finished, a page left behind (busy); a library page that
		# became shared meanwhile no longer makes it 3
		[ "$stop" = done ] || echo "$what: exit 3 with stop $stop: $(head -c 300 "$d/err")" >>"$BAD" ;;
	*) echo "$what (want $want or 0): $(head -c 300 "$d/err")" >>"$BAD" ;;
	esac
	echo "$what stop $stop" >>"$LOG"
}

@test "mplace -p: SIGINT and SIGTERM at random moments, 24 times (ASan 12): 130/143, whole report, nothing after" {
	BAD=$BATS_TEST_TMPDIR/bad LOG=$BATS_TEST_TMPDIR/log
	: >"$BAD"
	start_helper --mib 12 --node 0 --no-thp --writers 1
	local i n
	n=$(ns_rounds 24)
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			mplace_signal_once TERM 143
		else
			mplace_signal_once INT 130
		fi
		((i % 8 == 7)) && { verify_helper || echo "helper data after run $i" >>"$BAD"; }
	done
	cat "$LOG"
	[ ! -s "$BAD" ] || fail "$(cat "$BAD")"
	# most runs must really have been stopped by their signal
	[ "$(grep -cE 'exit (130|143) ' "$LOG")" -ge $((n / 2)) ] || fail "too few runs were interrupted"
	stop_helper
}

@test "mplace -p: target killed mid-move: exit 3, the moved bytes really moved" {
	start_helper --mib 96 --node 0 --no-thp
	local pid=$HELPER_PID addr=$HELPER_ADDR rc=0 on1 moved
	taskset -a -p 1 "$pid" >/dev/null
	mplace -J --rate 24M -p "$pid" --nodes 1 >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local mp=$!
	wait_moving "$pid" "$addr"
	on1=$(node_bytes "$pid" 1 "$addr")
	kill -KILL "$pid"
	wait "$mp" || rc=$?
	[ "$rc" = 3 ] || fail "exit $rc, want 3: $(cat "$BATS_TEST_TMPDIR/err")"
	run jq -r '.move.stop' "$BATS_TEST_TMPDIR/out.json"
	assert_output "process gone"
	moved=$(jq '.move.moved_bytes' "$BATS_TEST_TMPDIR/out.json")
	[ "$moved" -ge "$on1" ] && [ "$moved" -lt "$HELPER_LEN" ] || fail "moved $moved, seen $on1 of $HELPER_LEN"
}

@test "mplace -p: target execs mid-move: exit 3, and the new program is left alone" {
	# a bash with 64 MiB of heap on node 0, on CPU 0, that execs sleep on
	# SIGUSR2 (as in harden-faults.bats)
	mkfifo "$BATS_TEST_TMPDIR/idle"
	taskset -c 0 bash -c 'printf -v big "%*s" 67108864 x; trap "exec sleep 1000" USR2
		exec 9<>"$2"; echo ready >"$1"; while :; do read -t 0.1 -u 9 _ || :; done' \
		_ "$BATS_TEST_TMPDIR/ready" "$BATS_TEST_TMPDIR/idle" 3>&- &
	local pid=$! i rc=0 base
	BG_PIDS="$pid"
	for ((i = 0; i < 600; i++)); do [ -f "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.1; done
	base=$(node_bytes "$pid" 1)
	mplace -J --rate 16M -p "$pid" --nodes 1 >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local mp=$!
	for ((i = 0; i < 300; i++)); do
		[ "$(node_bytes "$pid" 1)" -gt $((base + 4194304)) ] && break
		sleep 0.1
	done
	kill -USR2 "$pid"
	for ((i = 0; i < 100; i++)); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.1; done
	wait "$mp" || rc=$?
	assert_equal "$(cat /proc/$pid/comm)" sleep
	jq -c '{affinity, affinity_second_pass, stop: .move.stop, moved: .move.moved_bytes}' "$BATS_TEST_TMPDIR/out.json" >&3
	[ "$(jq '.move.moved_bytes' "$BATS_TEST_TMPDIR/out.json")" -gt 0 ] || fail "nothing moved before the exec (exit $rc)"
	[ "$rc" = 3 ] || fail "exit $rc, expected 3: $(head -c 300 "$BATS_TEST_TMPDIR/err")"
	assert_equal "$(jq -r '.move.stop' "$BATS_TEST_TMPDIR/out.json")" "process gone"
	# the program that replaced it is not the one placed: no second pass
	assert_equal "$(jq '.affinity_second_pass.passes' "$BATS_TEST_TMPDIR/out.json")" 0
}

# ---- mfree-discard ---------------------------------------------------------------

# Seconds (ms) of one whole mfree-discard run over a fresh helper, to spread
# the signals over the run whatever the guest's speed.
discard_ms() {
	local s e
	start_helper --mib 64 --node 0 --no-thp --free-pct 100 --rewrite-pct 25
	s=${EPOCHREALTIME/./}     # busybox date has no %N
	mfree-discard -q -J --max-stall 2ms -p "$HELPER_PID" >/dev/null 2>&1 3>&-
	e=${EPOCHREALTIME/./}
	stop_helper >&2
	echo $(((e - s) / 1000))
}

# One run over a fresh helper (64 MiB lazily freed, the first quarter
# written again), signal $1 after a random delay below $3 ms.
discard_signal_once() {
	local sig=$1 want=$2 max=$3 d=$BATS_TEST_TMPDIR/run rc=0 delay j st lazy
	rm -rf "$d"
	mkdir "$d"
	start_helper --mib 64 --node 0 --no-thp --free-pct 100 --rewrite-pct 25
	delay=$(rand_delay "$max")
	mfree-discard -J --max-stall 2ms -p "$HELPER_PID" >"$d/out.json" 2>"$d/err" 3>&- &
	local md=$!
	wait_comm "$md" mfree-discard
	sleep "$delay"
	kill -"$sig" "$md" 2>/dev/null || true
	wait "$md" || rc=$?
	j=$d/out.json
	local what="SIG$sig after ${delay}s: exit $rc"
	st=$(jq -r '.processes[0].status' "$j" 2>/dev/null)
	lazy=$(lazyfree_kb "$HELPER_PID" "$HELPER_ADDR")
	jq -e . "$j" >/dev/null 2>&1 || echo "$what: stdout is not complete JSON: $(tail -c 200 "$j")" >>"$BAD"
	[ "$(jq '.exit_code' "$j" 2>/dev/null)" = "$rc" ] ||
		echo "$what: the report says exit $(jq '.exit_code' "$j" 2>/dev/null)" >>"$BAD"
	grep -qE 'Sanitizer|runtime error|Segmentation|Aborted' "$d/err" &&
		echo "$what: crash: $(head -c 300 "$d/err")" >>"$BAD"
	case $rc in
	"$want")
		case $st in
		interrupted|terminated)
			# stopped before the end: clean lazily freed pages are left
			[ "$lazy" -gt 0 ] || echo "$what: process $st, but LazyFree is 0" >>"$BAD" ;;
		ok|null) ;;    # its work was done (or not begun) when the signal came
		*) echo "$what: process status $st" >>"$BAD" ;;
		esac ;;
	0) [ "$lazy" = 0 ] || echo "$what: exit 0 with $lazy kB LazyFree left" >>"$BAD" ;;
	*) echo "$what (want $want or 0): $(head -c 300 "$d/err")" >>"$BAD" ;;
	esac
	stop_helper 2>>"$BAD" || echo "$what: the helper's data" >>"$BAD"
	echo "$what status $st lazyfree ${lazy}kB" >>"$LOG"
}

@test "mfree-discard: SIGINT and SIGTERM at random moments, 20 times (ASan 10): 130/143, whole report, data intact" {
	BAD=$BATS_TEST_TMPDIR/bad LOG=$BATS_TEST_TMPDIR/log
	: >"$BAD"
	local ms i n
	n=$(ns_rounds 20)
	ms=$(discard_ms)
	echo "# a whole run: $ms ms" >&3
	[ "$ms" -gt 150 ] || skip "a whole run takes $ms ms: too short to interrupt"
	# the calls come in the first third or so of a run (then it measures
	# what went): signals there (6.1: 6 of 20 spread over the whole run
	# came mid-work)
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			discard_signal_once TERM 143 $((ms / 3))
		else
			discard_signal_once INT 130 $((ms / 3))
		fi
	done
	cat "$LOG"
	[ ! -s "$BAD" ] || fail "$(cat "$BAD")"
	[ "$(grep -cE 'exit (130|143) status (interrupted|terminated)' "$LOG")" -ge $((n * 3 / 10)) ] ||
		fail "too few runs were interrupted mid-work"
}

@test "mfree-discard: target killed mid-run: exit 3 (some discarded), no crash" {
	start_helper --mib 256 --node 0 --no-thp --free-pct 100
	local pid=$HELPER_PID rc=0 lazy0 i
	lazy0=$(lazyfree_kb "$pid" "$HELPER_ADDR")
	mfree-discard -J --max-stall 1ms -p "$pid" >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local md=$!
	for ((i = 0; i < 3000; i++)); do
		[ "$(lazyfree_kb "$pid" "$HELPER_ADDR")" -lt "$lazy0" ] && break
		sleep 0.01
	done
	kill -KILL "$pid"
	wait "$md" || rc=$?
	jq -c '.processes[0] | {status, calls, discarded, error}' "$BATS_TEST_TMPDIR/out.json" >&3
	[ "$rc" = 3 ] || fail "exit $rc, want 3: $(cat "$BATS_TEST_TMPDIR/err")"
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial "pid $pid: the process went away"
	[ "$(jq '.processes[0].calls' "$BATS_TEST_TMPDIR/out.json")" -gt 0 ]
}

@test "mfree-discard: target execs mid-run: stops at the next call, exit 3, the new program untouched" {
	start_helper_bin() { NS_HELPER_BIN=lazyrace start_helper "$@"; }
	start_helper_bin --mib 256 --hold
	local pid=$HELPER_PID rc=0 lazy0 i
	lazy0=$(lazyfree_kb "$pid" "$HELPER_ADDR")
	mfree-discard -J --max-stall 1ms -p "$pid" >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local md=$!
	for ((i = 0; i < 3000; i++)); do
		[ "$(lazyfree_kb "$pid" "$HELPER_ADDR")" -lt "$lazy0" ] && break
		sleep 0.01
	done
	kill -USR2 "$pid"
	for ((i = 0; i < 100; i++)); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.05; done
	wait "$md" || rc=$?
	assert_equal "$(cat /proc/$pid/comm)" sleep
	jq -c '.processes[0] | {status, calls, discarded, kept, error}' "$BATS_TEST_TMPDIR/out.json" >&3
	[ "$rc" = 3 ] || fail "exit $rc, want 3: $(cat "$BATS_TEST_TMPDIR/err")"
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial "pid $pid: the process went away"
}
