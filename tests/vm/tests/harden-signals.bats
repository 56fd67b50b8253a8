#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# SIGINT, SIGTERM and a closed output pipe at random moments, 50 times in all:
# the exit code is the contract's (130, 143; a closed pipe ends quietly with
# the status the work had), a report on stdout and a plan written with
# --plan-out are complete JSON or absent (no temporary file left), and the
# helper's data checks out afterwards.  Small helper, rate-limited moves of
# about a second, so the whole file stays short.

load common

setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

rand_delay() { printf '0.%03d' $((RANDOM % 1000)); }

# One run of mmigrate moving the helper's whole region to node $1 (0 or 1),
# stopped by signal $2 after a random delay.  Appends a line to $BAD for
# anything wrong.
signal_once() {
	local to=$1 sig=$2 want=$3 d=$BATS_TEST_TMPDIR/run rc=0 delay
	rm -rf "$d"
	mkdir "$d"
	delay=$(rand_delay)
	# every run starts with the whole region on the other node, so that each
	# has the same second of work (a run after an interrupted one would
	# otherwise have only the rest to move and mostly end before its signal)
	mmigrate -q --vma "$(helper_region)" --to $((1 - to)) -p "$HELPER_PID" \
		>/dev/null 2>"$BATS_TEST_TMPDIR/reset.err" 3>&- ||
		echo "moving the region back to node $((1 - to)) first failed: $(head -c 300 "$BATS_TEST_TMPDIR/reset.err")" >>"$BAD"
	# the region only (here and below): a library page of the helper that
	# the test's own commands map meanwhile is rightly refused as shared
	mmigrate -q -J --rate 12M --plan-out "$d/plan.json" --vma "$(helper_region)" --to "$to" \
		-p "$HELPER_PID" >"$d/out.json" 2>"$d/err" 3>&- &
	local mm=$! w
	# signal mmigrate itself, never the forked shell before its exec: that
	# shell still has bats' own traps, which then report the test failed
	# twice or leave it waiting until the test's timeout (seen on 6.12)
	for ((w = 0; w < 500; w++)); do
		[ "$(cat /proc/$mm/comm 2>/dev/null)" = mmigrate ] && break
		sleep 0.01
	done
	sleep "$delay"
	kill -"$sig" "$mm" 2>/dev/null || true
	wait "$mm" || rc=$?
	local what="SIG$sig after ${delay}s: exit $rc"
	case $rc in
	"$want") ;;
	0) ;;   # it had finished before the signal came
	*) echo "$what (want $want or 0): $(head -c 300 "$d/err") $(jq -c '.processes[0] |
		{stop, status, planned_pages, moved_pages, already_pages, gone_pages, not_moved_by_reason_pages, retries}' \
		"$d/out.json" 2>/dev/null)" >>"$BAD" ;;
	esac
	if [ -s "$d/out.json" ] && ! jq -e .processes "$d/out.json" >/dev/null 2>&1; then
		echo "$what: stdout is not complete JSON: $(tail -c 200 "$d/out.json")" >>"$BAD"
	fi
	if [ -e "$d/plan.json" ] && ! jq -e .schema_version "$d/plan.json" >/dev/null 2>&1; then
		echo "$what: plan.json is not complete JSON" >>"$BAD"
	fi
	if [ -n "$(ls "$d" | grep -v -x -e out.json -e err -e plan.json)" ]; then
		echo "$what: left behind: $(ls "$d")" >>"$BAD"
	fi
	if grep -qE 'Sanitizer|runtime error|Segmentation|Aborted' "$d/err"; then
		echo "$what: crash: $(head -c 300 "$d/err")" >>"$BAD"
	fi
	case $rc in
	130|143)
		[ ! -s "$d/out.json" ] || jq -e '.processes[0].stop == "interrupted" or .processes[0].stop == "not started" or .processes[0].stop == "done"' \
			"$d/out.json" >/dev/null || echo "$what: stop is $(jq -c '.processes[0].stop' "$d/out.json")" >>"$BAD"
		;;
	esac
	echo "$what" >>"$LOG"
}

# The helper's pages are all on node 0 or 1, none lost.
check_helper() {
	local on0 on1
	on0=$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")
	on1=$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")
	[ $((on0 + on1)) = "$HELPER_LEN" ] || echo "helper: $on0 + $on1 bytes on nodes 0+1, want $HELPER_LEN" >>"$BAD"
	verify_helper
}

@test "SIGINT and SIGTERM at random moments, 40 times (ASan 20): 130/143, reports whole or absent" {
	BAD=$BATS_TEST_TMPDIR/bad LOG=$BATS_TEST_TMPDIR/log
	: >"$BAD"
	start_helper --mib 12 --node 0 --no-thp
	local i n
	n=$(ns_rounds 40)
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			signal_once $(((i / 2) % 2 ? 0 : 1)) TERM 143
		else
			signal_once $(((i / 2) % 2 ? 0 : 1)) INT 130
		fi
		((i % 10 == 9)) && check_helper
	done
	cat "$LOG"
	grep -c 'exit 0$' "$LOG" | sed 's/$/ runs ended before their signal/'
	[ ! -s "$BAD" ] || fail "$(cat "$BAD")"
	# most runs must really have been interrupted, or the test tested nothing
	[ "$(grep -cE 'exit (130|143)$' "$LOG")" -ge $((n / 2)) ] || fail "too few runs were interrupted"
	stop_helper
}

@test "output into a closed pipe at random moments, 10 times: quiet end, the work's status" {
	BAD=$BATS_TEST_TMPDIR/bad
	: >"$BAD"
	start_helper --mib 12 --node 0 --no-thp
	local i delay to st
	for ((i = 0; i < 10; i++)); do
		delay=$(rand_delay)
		to=$((i % 2 ? 0 : 1))
		# the reader goes away after a random delay without reading
		mmigrate -q --rate 12M --vma "$(helper_region)" --to "$to" -p "$HELPER_PID" \
			2>"$BATS_TEST_TMPDIR/err" 3>&- |
			sleep "$delay"
		st=${PIPESTATUS[0]}
		[ "$st" = 0 ] || echo "pipe closed after ${delay}s: exit $st" >>"$BAD"
		[ ! -s "$BATS_TEST_TMPDIR/err" ] ||
			echo "pipe closed after ${delay}s: stderr: $(head -c 300 "$BATS_TEST_TMPDIR/err")" >>"$BAD"
		[ "$(node_bytes "$HELPER_PID" "$to" "$HELPER_ADDR")" = "$HELPER_LEN" ] ||
			echo "pipe closed after ${delay}s: not everything on node $to" >>"$BAD"
	done
	verify_helper
	# mscan --watch stops when its reader goes away
	timeout 60 mscan --watch 0.2 -p "$HELPER_PID" 2>"$BATS_TEST_TMPDIR/err" 3>&- | head -n 3 >/dev/null
	st=${PIPESTATUS[0]}
	[ "$st" = 0 ] || echo "mscan --watch | head: exit $st" >>"$BAD"
	[ ! -s "$BATS_TEST_TMPDIR/err" ] || echo "mscan --watch | head: $(cat "$BATS_TEST_TMPDIR/err")" >>"$BAD"
	[ ! -s "$BAD" ] || fail "$(cat "$BAD")"
	stop_helper
}
