# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# Shared helpers of the guest tests: `load common` at the top of a test file.
#
# The guest runs every selected file in one boot, so a test leaves the machine
# as it found it: helpers are killed by the default teardown below (a file that
# defines its own teardown calls helper_cleanup), swap is turned off again.
#
# Helper process (tests/helpers/nshelper.c):
#   start_helper ARGS...    start nshelper in the background and wait for its
#                           ready line; exports HELPER_PID, HELPER_ADDR,
#                           HELPER_LEN and every other key of the ready line as
#                           HELPER_<KEY> (HELPER_FREE_LEN, HELPER_SHARED_ADDR,
#                           HELPER_CHILD, HELPER_THP_SIZE, ...), HELPER_OUT (its
#                           output file), HELPER_LINE (the ready line)
#   verify_helper [PID]     SIGUSR1: the helper checks every byte now; fails
#                           unless it says "verify ok"
#   stop_helper [PID]       SIGTERM, wait; fails unless it exits 0 with
#                           "verify ok"; sets HELPER_MAX_PAUSE_US
#   helper_cleanup          kill what start_helper started and is still alive
#   helper_region [ADDR LEN] the helper's region (or ADDR..ADDR+LEN) as a
#                           --vma START-END spec (plans that leave its library
#                           pages out: one may become shared with a test's own
#                           commands between plan and move, and is then
#                           rightly refused)
# Where memory is (read from the kernel, not from numashift):
#   node_bytes PID NODE [ADDR]   bytes on NODE from numa_maps (kernelpagesize_kB
#                                honoured; ADDR: only the mapping starting there;
#                                NODE "all": resident bytes on any node)
#   node_pages PID NODE [ADDR]   the same in base pages
#   anon_huge_kb PID [ADDR]      AnonHugePages (smaps_rollup, or the mapping's)
#   lazyfree_kb PID [ADDR]       LazyFree
#   smaps_kb PID FIELD [ADDR]    any smaps field in kB
#   mp_status PID ADDR LEN [mpprobe options]   move_pages query summary lines
# Stopped processes (engine auto's single call):
#   proc_stop PID / proc_cont PID    SIGSTOP and wait for every thread; SIGCONT
# The machine:
#   node_count, node_cpus N, node_mem_kb N, node_free_kb N
#   zram_swap [MIB] / zram_swap_off    swap on zram (the guest has none)
# Repetitions:
#   ns_rounds N             N, or half of it (rounded up) when the tools are
#                           the ASan build (make check-vm-asan runs the suite
#                           once more for memory errors; the loops of signals
#                           at random moments took 4 of its 11 minutes)

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

ns_rounds() {
	if grep -qa __asan_init "$(command -v mmigrate)"; then
		echo $((($1 + 1) / 2))
	else
		echo "$1"
	fi
}

NS_HELPER_PIDS=${NS_HELPER_PIDS:-}
declare -gA NS_HELPER_OUTS 2>/dev/null || true
NS_HELPER_SEQ=${NS_HELPER_SEQ:-0}

teardown() {
	helper_cleanup
}

# ---- the helper process -------------------------------------------------------

start_helper() {
	local dir=${BATS_TEST_TMPDIR:-/tmp} n ready out kv key i
	NS_HELPER_SEQ=$((NS_HELPER_SEQ + 1))
	n=$NS_HELPER_SEQ
	ready=$dir/helper.$n.ready
	out=$dir/helper.$n.out
	rm -f "$ready"
	# fd 3 closed: bats waits for every holder of it before ending a test
	# NS_HELPER_BIN: a copy under another name, for selection by -n
	"${NS_HELPER_BIN:-nshelper}" --ready "$ready" "$@" >"$out" 2>&1 3>&- &
	HELPER_PID=$!
	NS_HELPER_PIDS="$NS_HELPER_PIDS $HELPER_PID"
	NS_HELPER_OUTS[$HELPER_PID]=$out
	for ((i = 0; i < 1200; i++)); do
		[ -f "$ready" ] && break
		if ! kill -0 "$HELPER_PID" 2>/dev/null; then
			# bats runs with set -e: keep the status, print the output
			local rc=0
			wait "$HELPER_PID" || rc=$?
			echo "nshelper $* exited $rc before it was ready:" >&2
			cat "$out" >&2
			return 1
		fi
		sleep 0.1
	done
	[ -f "$ready" ] || { echo "nshelper $*: not ready after 120 s" >&2; cat "$out" >&2; return 1; }
	for kv in $(compgen -v HELPER_); do unset "$kv"; done
	HELPER_LINE=$(head -n 1 "$ready")
	for kv in $HELPER_LINE; do
		case $kv in *=*) ;; *) continue ;; esac
		key=${kv%%=*}
		key=${key^^}
		export "HELPER_$key=${kv#*=}"
	done
	export HELPER_OUT=$out HELPER_LINE
}

verify_helper() {
	local pid=${1:-$HELPER_PID} out n i
	out=${NS_HELPER_OUTS[$pid]}
	n=$(grep -c '^verify ' "$out") || true   # grep -c exits 1 on no match
	kill -USR1 "$pid" || return 1
	for ((i = 0; i < 1200; i++)); do
		[ "$(grep -c '^verify ' "$out")" -gt "$n" ] && break
		sleep 0.1
	done
	grep '^verify ' "$out" | tail -n 1 | grep -qx 'verify ok' && return 0
	echo "nshelper $pid: data check failed:" >&2
	cat "$out" >&2
	return 1
}

stop_helper() {
	local pid=${1:-$HELPER_PID} out rc i ppid
	out=${NS_HELPER_OUTS[$pid]}
	ppid=$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null)
	kill -TERM "$pid" 2>/dev/null
	if [ "$ppid" = "$BASHPID" ]; then
		rc=0
		wait "$pid" || rc=$?
	else
		# not our child (called under `run`, a subshell): wait until it
		# has exited and judge by what it printed
		for ((i = 0; i < 1200; i++)); do
			grep -q '^max_pause_us=' "$out" && break
			[ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
			sleep 0.1
		done
		rc=1
		grep -qx 'verify ok' "$out" && grep -q '^max_pause_us=' "$out" && rc=0
	fi
	NS_HELPER_PIDS=$(echo " $NS_HELPER_PIDS " | sed "s/ $pid / /")
	HELPER_MAX_PAUSE_US=$(sed -n 's/^max_pause_us=//p' "$out" | tail -n 1)
	export HELPER_MAX_PAUSE_US
	if [ "$rc" != 0 ] || ! grep -qx 'verify ok' "$out"; then
		echo "nshelper $pid failed (status $rc):" >&2
		cat "$out" >&2
		return 1
	fi
}

# SIGSTOP a process and wait until every thread of it is stopped (state T):
# engine auto then may take the single migrate_pages(2) call.  proc_cont
# lets it run again.
proc_stop() {
	local pid=$1 i st
	kill -STOP "$pid"
	for ((i = 0; i < 200; i++)); do
		st=$(cat /proc/"$pid"/task/*/stat 2>/dev/null | sed 's/.*) //' | cut -c1 | sort -u | tr -d '\n')
		[ "$st" = T ] && return 0
		sleep 0.05
	done
	echo "process $pid did not stop (thread states: $st)" >&2
	return 1
}

proc_cont() {
	kill -CONT "$1"
}

helper_cleanup() {
	local pid
	for pid in $NS_HELPER_PIDS; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	NS_HELPER_PIDS=
	return 0
}

# ---- where memory is ------------------------------------------------------------

ns_hexnorm() { # 0x00007f.. / 7f.. -> 7f.. (lower case, no leading zeros)
	local a=${1#0x}
	a=${a,,}
	while [ "${a#0}" != "$a" ]; do a=${a#0}; done
	echo "${a:-0}"
}

helper_region() {
	local a=${1:-$HELPER_ADDR} l=${2:-$HELPER_LEN}
	printf '0x%x-0x%x' "$a" $((a + l))
}

# mplace --auto's JSON (file): its bytes per node came from pagemap, not
# numa_maps (which walks each whole mapping under the process's mmap_lock),
# and agree with numa_maps' (node_bytes) within 256 KiB on every node, the
# idle process's own pages read twice
auto_bytes_from_pagemap() { # JSON PID
	local n want got
	[ "$(jq '.auto.numa_maps' "$1")" = false ] || fail "auto read numa_maps: $(jq -c .auto "$1")"
	for n in $(jq '.auto.candidates[].node' "$1"); do
		want=$(node_bytes "$2" "$n")
		got=$(jq ".auto.candidates[] | select(.node == $n) | .bytes" "$1")
		[ $((got > want ? got - want : want - got)) -le $((256 << 10)) ] ||
			fail "node $n: auto counted $got bytes, numa_maps $want"
	done
}

node_bytes() {
	local pid=$1 node=$2 addr=
	[ -n "${3:-}" ] && addr=$(ns_hexnorm "$3")
	awk -v key="N$node=" -v want="$addr" '
		{
			start = $1; sub(/^0+/, "", start)
			if (want != "" && start != want) next
			c = 0; kb = 0
			for (i = 2; i <= NF; i++) {
				if (key == "Nall=" && $i ~ /^N[0-9]+=/) c += substr($i, index($i, "=") + 1)
				else if (index($i, key) == 1) c = substr($i, length(key) + 1)
				if ($i ~ /^kernelpagesize_kB=/) kb = substr($i, 19)
			}
			t += c * kb * 1024
		}
		END { printf "%.0f\n", t }' "/proc/$pid/numa_maps"
}

node_pages() {
	local b
	b=$(node_bytes "$@") || return 1
	echo $((b / $(getconf PAGESIZE)))
}

smaps_kb() {
	local pid=$1 field=$2 addr=
	if [ -z "${3:-}" ]; then
		awk -v f="$field:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' \
			"/proc/$pid/smaps_rollup"
		return
	fi
	addr=$(ns_hexnorm "$3")
	awk -v f="$field:" -v want="$addr" '
		/^[0-9a-f]+-[0-9a-f]+ / {
			split($1, r, "-"); s = r[1]; sub(/^0+/, "", s); inside = (s == want); next
		}
		inside && $1 == f { print $2; found = 1; exit }
		END { if (!found) print 0 }' "/proc/$pid/smaps"
}

anon_huge_kb() { smaps_kb "$1" AnonHugePages "${2:-}"; }
lazyfree_kb() { smaps_kb "$1" LazyFree "${2:-}"; }

# move_pages(2) query mode through mpprobe: "status=S name=NAME count=C first=I"
mp_status() {
	local pid=$1 addr=$2 len=$3
	shift 3
	mpprobe "$@" "$pid" "$addr" "$len"
}

# ---- the machine -------------------------------------------------------------------

node_count() { ls -d /sys/devices/system/node/node[0-9]* | wc -l; }
node_cpus() { cat "/sys/devices/system/node/node$1/cpulist"; }
node_mem_kb() { awk '/MemTotal:/ { print $4 }' "/sys/devices/system/node/node$1/meminfo"; }
node_free_kb() { awk '/MemFree:/ { print $4 }' "/sys/devices/system/node/node$1/meminfo"; }

zram_swap() {
	local mib=${1:-256} m
	if [ ! -e /sys/block/zram0 ]; then
		while read -r m; do
			[ -n "$m" ] || continue
			grep -q "^$m " /proc/modules || insmod "$NS_MODULES/$m.ko" || return 1
		done <"$NS_MODULES/order"
	fi
	[ -e /sys/block/zram0 ] || { echo "zram: no /sys/block/zram0" >&2; return 1; }
	echo "${mib}M" >/sys/block/zram0/disksize || return 1
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
}

zram_swap_off() {
	swapoff /dev/zram0 2>/dev/null
	[ -e /sys/block/zram0/reset ] && echo 1 >/sys/block/zram0/reset
	return 0
}

# NUMA balancing would move a helper's pages behind a test's back (the tools
# warn about it): files that assert where pages are turn it off in
# setup_file and restore it in teardown_file.
numa_balancing_off() {
	NS_NB_SAVED=$(cat /proc/sys/kernel/numa_balancing 2>/dev/null || true)
	export NS_NB_SAVED
	echo 0 >/proc/sys/kernel/numa_balancing 2>/dev/null || true
}

numa_balancing_restore() {
	[ -z "${NS_NB_SAVED:-}" ] || echo "$NS_NB_SAVED" >/proc/sys/kernel/numa_balancing
	return 0
}

# left_out_forced FILE TOOL ARGS...: a process found by -n that exits before
# the tool reads it (the contract in numashift(7): it is left out), made to
# happen in every run rather than hoped for.  Two copies of sleep named after
# the test: LONG_PID (killed by the caller) keeps the selection non-empty,
# VICTIM_PID is found by `TOOL ARGS -n NAME`, run under strace, which holds
# the tool's first open of /proc/VICTIM_PID/FILE (its first read of the
# process after the selection) for 3 s; meanwhile the victim is killed and
# reaped, so the open finds no process.  The tool's status, stdout and stderr
# are left in LEFT_OUT_STATUS, $BATS_TEST_TMPDIR/left-out.out and .err.
# Skips, with the reason, when strace is missing or cannot trace here, and
# when the held open still found the process (a machine too slow for the
# 3 s): the race did not happen.  Fails when the tool never opened FILE.
left_out_forced() {
	local file=$1 name=nsl$$x$BATS_TEST_NUMBER log=$BATS_TEST_TMPDIR/left-out.strace i tool
	shift
	command -v strace >/dev/null || skip "strace is not installed: the race cannot be forced"
	strace -f -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
	cp /bin/sleep "$BATS_TEST_TMPDIR/$name"
	"$BATS_TEST_TMPDIR/$name" 60 3>&- &
	LONG_PID=$!
	"$BATS_TEST_TMPDIR/$name" 60 3>&- &
	VICTIM_PID=$!
	# LeakSanitizer cannot run under ptrace (an ASan build): leaks are
	# checked by every other test
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -o "$log" -P "/proc/$VICTIM_PID/$file" -e inject=openat:delay_enter=3s:when=1 \
		"$@" -n "$name" >"$BATS_TEST_TMPDIR/left-out.out" 2>"$BATS_TEST_TMPDIR/left-out.err" 3>&- &
	tool=$!
	for ((i = 0; i < 400; i++)); do  # up to 20 s to reach the held open
		grep -q "/proc/$VICTIM_PID/$file" "$log" 2>/dev/null && break
		kill -0 "$tool" 2>/dev/null || break
		sleep 0.05
	done
	kill "$VICTIM_PID"
	wait "$VICTIM_PID" 2>/dev/null || true
	LEFT_OUT_STATUS=0
	wait "$tool" || LEFT_OUT_STATUS=$?
	grep -q "/proc/$VICTIM_PID/$file" "$log" ||
		fail "$1 never opened /proc/$VICTIM_PID/$file: $(cat "$BATS_TEST_TMPDIR/left-out.err")"
	grep -q "/proc/$VICTIM_PID/$file.* = -1 ENOENT .*(DELAYED)" "$log" ||
		skip "the race did not happen: the victim was still there after 3 s ($(grep "/proc/$VICTIM_PID/$file" "$log" | head -1))"
}

# A JSON file against a JSON schema (python3-jsonschema).
schema_validate() { # SCHEMA FILE
	python3 - "$1" "$2" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
}

# ---- mplace launch mode ---------------------------------------------------------

# Launch nshelper through mplace: launch_helper MPLACE-ARGS... [--] nshelper
# ARGS (--ready goes last, to nshelper); sets L_PID, L_ADDR, L_LEN.  The
# test's teardown kills L_PID.
launch_helper() {
	local ready=$BATS_TEST_TMPDIR/l.ready i line kv
	rm -f "$ready"
	mplace "$@" --ready "$ready" >"$BATS_TEST_TMPDIR/l.out" 2>&1 3>&- &
	L_PID=$!
	for ((i = 0; i < 600; i++)); do
		[ -f "$ready" ] && break
		kill -0 "$L_PID" 2>/dev/null || { cat "$BATS_TEST_TMPDIR/l.out" >&2; return 1; }
		sleep 0.1
	done
	[ -f "$ready" ] || return 1
	line=$(head -n 1 "$ready")
	for kv in $line; do
		case $kv in addr=*) L_ADDR=${kv#addr=} ;; len=*) L_LEN=${kv#len=} ;; pid=*) [ "${kv#pid=}" = "$L_PID" ] || return 1 ;; esac
	done
}

cpus_of() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status"; }

