#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# The guest half of `make bench`: run by scripts/bench in the "bench" guest
# (tests/vm/run --topo bench --script tests/bench/guest.sh BUDGET_SECS).
#
# Every sample is one line on stdout (the results channel, copied back to the
# host as it arrives):
#   NSB test=T kind=4k|thp mib=M tool=X rep=R seconds=S [key=value ...]
# Tools run in a different order in each repetition (order(), below), so
# that no tool always runs first or right after the same other tool; the
# host (tests/bench/report) takes medians and spreads.  The helper process
# (nshelper) is filled once per size and page kind and moved back and forth
# between node 0 and node 1; every move is checked against numa_maps (ok=0
# when less than all of it reached the target).  Lines starting with "#" are
# progress for people.
#
# Each figure gets MIN_REPS (5) repetitions, and up to MAX_REPS (5) while
# the part's share of BUDGET_SECS allows; the host counts and prints how
# many ran.  The memcpy ceiling is cheap and always gets 5.
set -u
budget=${1:-480}
t_start=$EPOCHREALTIME
echo 0 >/proc/sys/kernel/numa_balancing 2>/dev/null
page=$(awk '/KernelPageSize/ { print $2 * 1024; exit }' /proc/self/smaps)
tmp=/tmp/nsb
mkdir -p "$tmp"

say() { echo "# [$(elapsed)s] $*"; }
elapsed() { awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f", b - a }'; }

echo "NSB info kernel=$(uname -r) cpus=$(nproc) page=$page thp=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size)" \
	"node0_kb=$(awk '/MemTotal/ { print $4 }' /sys/devices/system/node/node0/meminfo)" \
	"node1_kb=$(awk '/MemTotal/ { print $4 }' /sys/devices/system/node/node1/meminfo)"

# ---- the helper ---------------------------------------------------------------

# helper_start KIND MIB [nshelper args...]: HPID, HADDR, HLEN, HOUT; HNODE=0
# (HELPER=stallwork: the stall family's workload, which takes the same
# --mib, --node, --thp/--no-thp and --ready)
helper_start() {
	local kind=$1 mib=$2 r=$tmp/ready t0 thp=--no-thp
	shift 2
	[ "$kind" = thp ] && thp=--thp
	rm -f "$r"
	HOUT=$tmp/helper.out
	t0=$EPOCHREALTIME
	"${HELPER:-nshelper}" --mib "$mib" --node 0 $thp --ready "$r" "$@" >"$HOUT" 2>&1 &
	HPID=$!
	while [ ! -f "$r" ]; do
		kill -0 "$HPID" 2>/dev/null || { cat "$HOUT"; echo "# ${HELPER:-nshelper} died" >&2; return 1; }
		sleep 0.05
	done
	HADDR=$(sed -n 's/.* addr=\([^ ]*\).*/\1/p' "$r")
	HLEN=$(sed -n 's/.* len=\([^ ]*\).*/\1/p' "$r")
	HNODE=0
	HFILL=$(secs_since "$t0")
}

helper_kill() {
	kill -KILL "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	return 0
}

# SIGTERM: the helper stops its writers, checks every byte, prints
# max_pause_us; sets HPAUSE and HVERIFY (ok or failed).
helper_stop() {
	kill -TERM "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HPAUSE=$(sed -n 's/^max_pause_us=//p' "$HOUT" | tail -n 1)
	HVERIFY=failed
	grep -qx 'verify ok' "$HOUT" && HVERIFY=ok
}

# Bytes of the helper's region on NODE (numa_maps), and its AnonHugePages kB.
region_on() {
	local a
	a=$(printf '%x' "$HADDR")
	awk -v a="$a" -v k="N$1=" '{ s = $1; sub(/^0+/, "", s) } s == a {
		for (i = 2; i <= NF; i++) if (index($i, k) == 1) n = substr($i, length(k) + 1)
		for (i = 2; i <= NF; i++) if ($i ~ /^kernelpagesize_kB=/) kb = substr($i, 19)
	} END { printf "%.0f\n", n * kb * 1024 }' "/proc/$HPID/numa_maps"
}
thp_kb() { awk '$1 == "AnonHugePages:" { print $2 }' "/proc/$HPID/smaps_rollup"; }

# ---- one sample -------------------------------------------------------------------

# run_tool TOOL FROM TO: the command of one sample (its stdout in $tmp/out)
run_tool() {
	local tool=$1 a=$2 b=$3
	case $tool in
	mmigrate) ${NSB_TIMEOUT:+timeout -k 20 "$NSB_TIMEOUT"} mmigrate -q -J "$HPID" "$a" "$b" ;;
	threads1) mmigrate -q -J --threads 1 "$HPID" "$a" "$b" ;;
	threads2) mmigrate -q -J --threads 2 "$HPID" "$a" "$b" ;;
	moveall) mmigrate -q -J --move-all "$HPID" "$a" "$b" ;;
	batch*) mmigrate -q -J --batch "${tool#batch}" "$HPID" "$a" "$b" ;;
	discard) mmigrate -q -J --discard-lazyfree "$HPID" "$a" "$b" ;;
	rate*) mmigrate -q -J --rate "${tool#rate}M" "$HPID" "$a" "$b" ;;
	plan) mmigrate -q -J --dry-run "$HPID" "$a" "$b" ;;
	migratepages) ${NSB_TIMEOUT:+timeout -k 20 "$NSB_TIMEOUT"} migratepages "$HPID" "$a" "$b" ;;
	bare) nsbench migrate "$HPID" "$a" "$b" ;;
	syscall) ${NSB_TIMEOUT:+timeout -k 20 "$NSB_TIMEOUT"} mmigrate -q -J --engine syscall "$HPID" "$a" "$b" ;;
	*) echo "unknown tool $tool" >&2; return 2 ;;
	esac >"$tmp/out" 2>"$tmp/err"
}

# key=value words of mmigrate's JSON result for the helper, from one jq run
# (every jq start is slow in the emulated guest): moved_bytes discarded_bytes
# tool_seconds plan_seconds calls engine, the call times (issue 15, the
# JSON's "stall": call_max_ms call_median_ms call_p99_ms, the budget as
# max_stall_ms, over_budget_calls), the workers that ran (threads_ran;
# empty when absent), and engine_reason (spaces as "_").
mm_fields() {
	jq -r --argjson p "$HPID" '([.. | objects | select(.pid? == $p)] | first // {}) as $r |
		"moved_bytes=\($r.moved_bytes // "") discarded_bytes=\($r.discarded_bytes // "")" +
		" tool_seconds=\($r.seconds // "") plan_seconds=\($r.plan_seconds // "")" +
		" calls=\($r.calls // "") engine=\($r.engine // "")" +
		" call_max_ms=\($r.stall.max_ms // "") call_median_ms=\($r.stall.median_ms // "")" +
		" call_p99_ms=\($r.stall.p99_ms // "") max_stall_ms=\($r.stall.budget_ms // "")" +
		" over_budget_calls=\($r.stall.over_budget_calls // "") threads_ran=\($r.threads // "")" +
		" engine_reason=\($r.engine_reason // "" | tostring | gsub("[[:space:]]+"; "_"))"' \
		"$tmp/out" 2>/dev/null || echo "moved_bytes= discarded_bytes= tool_seconds= plan_seconds= calls= engine="
}

# sample TEST KIND MIB TOOL REP [extra key=value]: move the helper to the other
# node with TOOL (plan: no move) and print the result line.
sample() {
	local test=$1 kind=$2 mib=$3 tool=$4 rep=$5 extra=${6:-} a=$HNODE b t0 s rc on ok=1 more=""
	b=$((1 - a))
	t0=$EPOCHREALTIME
	run_tool "$tool" "$a" "$b"
	rc=$?
	s=$(secs_since "$t0")
	if [ "$tool" != plan ]; then
		on=$(region_on "$b")
		# lazily freed pages discarded instead of moved are not on any node
		if [ "$tool" = discard ] || [ -n "$extra" ]; then
			[ "$(region_on "$a")" = 0 ] || ok=0
		else
			[ "$on" = "$HLEN" ] || ok=0
		fi
		HNODE=$b
		more="target_bytes=$on thp_kb=$(thp_kb)"
	fi
	case $tool in
	migratepages) ;;
	bare) more="$more $(sed 's/^seconds=/call_seconds=/' "$tmp/out")" ;;
	*) more="$more $(mm_fields)" ;;
	esac
	if [ "$rc" != 0 ]; then
		# exit 3 with the whole region moved (checked above) is a page
		# outside it: a library page that became shared between plan and
		# move is refused by the kernel (seen: 1-3 pages in a few samples of a run).  The
		# sample still timed the region's move; the line keeps rc.
		[ "$rc" = 3 ] && [ "$tool" != plan ] || ok=0
		more="$more rc=$rc err=$(head -c 200 "$tmp/err" | tr -s ' \n' '__')"
		# what mmigrate said did not move, and why
		[ -s "$tmp/out" ] && echo "# $tool exit $rc: $(jq -c --argjson p "$HPID" \
			'[.. | objects | select(.pid? == $p)] | first | {status, stop, not_moved_bytes,
			not_moved_by_reason_bytes, thp_split, retries}' "$tmp/out" 2>/dev/null)"
	fi
	echo "NSB test=$test kind=$kind mib=$mib tool=$tool rep=$rep seconds=$s ok=$ok $more $extra"
}

# order R WORDS...: the words in repetition R's order.  Repetition R starts
# with the R-th word (mod n); each next word is, of those not yet run, the
# one that has least often run right after the previous word in repetitions
# 0..R-1 (ties: the next one after it in WORDS, cyclically).  A plain
# rotation would put every word right after the same other word in every
# repetition, so whatever a tool leaves behind in the guest (moved library
# pages, a fragmented node) would always land on the same next tool.  Here
# two words alternate; 4 or 6 words in n repetitions run right after every
# other exactly once; each of 5 follows at least 3 different others in 5.
order() {
	local r=$1
	shift
	local n=$# i k p x best bc c
	local -a w=("$@") row used
	local -A cnt=()
	for ((i = 0; i <= r; i++)); do
		row=($((i % n)))
		used=()
		used[i % n]=1
		for ((k = 1; k < n; k++)); do
			p=${row[k - 1]} best=-1 bc=0
			for ((x = 0; x < n; x++)); do
				[ -n "${used[(p + 1 + x) % n]:-}" ] && continue
				c=${cnt[$p,$(((p + 1 + x) % n))]:-0}
				if ((best < 0 || c < bc)); then best=$(((p + 1 + x) % n)) bc=$c; fi
			done
			row+=("$best")
			used[best]=1
			cnt[$p,$best]=$((bc + 1))
		done
	done
	for ((k = 0; k < n; k++)); do printf '%s ' "${w[row[k]]}"; done
}

# ---- time ------------------------------------------------------------------------

# more_reps DONE DEADLINE ROUND_SECS: go on while fewer than MAX_REPS
# repetitions ran and, past the first MIN_REPS, one more round still ends
# before DEADLINE (seconds since the start).
more_reps() {
	local done=$1 deadline=$2 round=$3
	[ "$done" -lt "$MAX_REPS" ] || return 1
	[ "$done" -lt "$MIN_REPS" ] && return 0
	awk -v e="$(elapsed)" -v d="$deadline" -v r="$round" 'BEGIN { exit !(e + r <= d) }'
}

# deadline SHARE: the end of a part that may use SHARE percent of the budget
# left when it starts, the parts after it included in the rest.
deadline() {
	awk -v e="$(elapsed)" -v b="$budget" -v s="$1" 'BEGIN { l = b - e; if (l < 0) l = 0; printf "%.0f", e + l * s / 100 }'
}

# ---- parts ----------------------------------------------------------------------

# Tools against each other (and --threads, --dry-run) on one helper.
part_compare() { # KIND MIB DEADLINE TOOLS...
	local kind=$1 mib=$2 dl=$3 r=0 t t0 round=0
	shift 3
	helper_start "$kind" "$mib" || return 1
	echo "NSB test=fill kind=$kind mib=$mib tool=nshelper rep=1 seconds=$HFILL ok=1"
	say "$kind $mib MiB: $* (until ${dl}s)"
	while more_reps "$r" "$dl" "$round"; do
		t0=$EPOCHREALTIME
		for t in $(order "$r" "$@"); do sample compare "$kind" "$mib" "$t" $((r + 1)); done
		round=$(secs_since "$t0")
		r=$((r + 1))
	done
	helper_kill
}

# --batch sizes, 4 KiB pages (with THPs a 256 MiB region is 128 entries).
part_batch() { # MIB DEADLINE SIZES...
	local mib=$1 dl=$2 r=0 t t0 round=0
	shift 2
	helper_start 4k "$mib" || return 1
	say "batch sizes $* (4k, $mib MiB, until ${dl}s)"
	while more_reps "$r" "$dl" "$round"; do
		t0=$EPOCHREALTIME
		for t in $(order "$r" "$@"); do sample batch 4k "$mib" "batch$t" $((r + 1)); done
		round=$(secs_since "$t0")
		r=$((r + 1))
	done
	helper_kill
}

# The node-to-node copy ceiling: 1 and 2 threads alternated, 5 repetitions.
part_memcpy() { # KIND MIB
	local kind=$1 mib=$2 thp=--no-thp line
	[ "$kind" = thp ] && thp=--thp
	say "memcpy ceiling $kind $mib MiB"
	nsbench memcpy --mib "$mib" --from 0 --to 1 --threads 1,2 $thp --reps 5 >"$tmp/memcpy" ||
		{ echo "# memcpy $kind $mib MiB failed" >&2; return 0; }
	while read -r line; do
		set -- $line
		echo "NSB test=memcpy kind=$kind mib=$mib tool=memcpy${1#threads=} ok=1 $2 $3 $4"
	done <"$tmp/memcpy"
}

# Half of the region clean lazyfree: plain move vs --discard-lazyfree, a fresh
# helper per sample (a discard cannot be repeated).
part_lazyfree() { # KIND MIB DEADLINE
	local kind=$1 mib=$2 dl=$3 r=0 t t0 round=0
	say "lazyfree $kind $mib MiB (50% clean MADV_FREE, until ${dl}s)"
	while more_reps "$r" "$dl" "$round"; do
		t0=$EPOCHREALTIME
		r=$((r + 1))
		for t in $(order "$r" mmigrate discard); do
			helper_start "$kind" "$mib" --free-pct 50 || return 1
			sample lazyfree "$kind" "$mib" "$t" "$r" "lazyfree_kb_before=$(awk '$1 == "LazyFree:" { print $2 }' "/proc/$HPID/smaps_rollup")"
			helper_kill
		done
		round=$(secs_since "$t0")
	done
}

# The target's stall: a writer thread rewrites the region during the move and
# records its longest pause.  A move is cut at 180 s (timeout; ok=0): on 6.1
# under TCG every 4 KiB page moved while the writer runs costs a TLB
# shootdown to the writer's vCPU, about 6 ms each.
part_stall() { # KIND MIB DEADLINE TOOLS...
	local kind=$1 mib=$2 dl=$3 r=0 t line t0 round=0
	shift 3
	say "stall $kind $mib MiB, 1 writer thread: $* (until ${dl}s)"
	while more_reps "$r" "$dl" "$round"; do
		t0=$EPOCHREALTIME
		r=$((r + 1))
		for t in $(order "$r" "$@"); do
			helper_start "$kind" "$mib" --writers 1 || return 1
			line=$(NSB_TIMEOUT=180 sample stall "$kind" "$mib" "$t" "$r")
			helper_stop
			echo "$line max_pause_us=${HPAUSE:-} verify=$HVERIFY"
		done
		round=$(secs_since "$t0")
	done
}

part_rate() { # MIB DEADLINE RATES_MIB...
	local mib=$1 dl=$2 r=0 t t0 round=0
	shift 2
	helper_start 4k "$mib" || return 1
	say "--rate $* MiB/s (4k, $mib MiB, until ${dl}s)"
	while more_reps "$r" "$dl" "$round"; do
		t0=$EPOCHREALTIME
		for t in $(order "$r" "$@"); do sample rate 4k "$mib" "rate$t" $((r + 1)) "requested_bps=$((t * 1048576))"; done
		round=$(secs_since "$t0")
		r=$((r + 1))
	done
	helper_kill
}

# ---- the stall family (issue 15) --------------------------------------------

# stallwork (tests/bench/stallwork.c) is the busy process: an allocator
# thread (mmap, write, munmap of 1 MiB every ms) and a reader thread (random
# pages of its region), each timing its own waits.  The reader pauses 100 us
# before each read: in this TCG guest a reader spinning without pause makes
# every 4 KiB page that move_pages(2) moves cost a cross-vCPU TLB shootdown
# of about 2 ms (6.1, 16 MiB: 32.7 s against 0.96 s with the workload idle,
# 1.95 s with the pause, 1.06 s by migrate_pages(2)), the emulator's cost
# that real CPUs pay in microseconds.  sw_start KIND MIB [stallwork
# args...]: SWPID (also HPID, HADDR, HLEN for region_on), HNODE=0.
sw_start() {
	local kind=$1 mib=$2
	shift 2
	SWREP=$tmp/sw.json SWN=0 SWR=0
	rm -f "$SWREP"
	HELPER=stallwork helper_start "$kind" "$mib" --read-period-us 100 --report "$SWREP" "$@" || return 1
	SWPID=$HPID SWOUT=$HOUT
}

# sw_wait WORD N: wait for stallwork's line "WORD N" (at most 60 s)
sw_wait() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -qx "$1 $2" "$SWOUT" && return 0
		sleep 0.05
	done
	echo "# stallwork: no '$1 $2' line" >&2
	return 1
}
sw_window() { SWN=$((SWN + 1)); kill -USR2 "$SWPID"; sw_wait window "$SWN"; }
sw_report() { SWR=$((SWR + 1)); kill -USR1 "$SWPID"; sw_wait report "$SWR"; }

# key=value words of the workload's report
sw_fields() {
	jq -r '"worst_stall_ms=\(.worst_stall_ms) mmap_wait_max_ms=\(.mmap_wait_max_ms)" +
		" mmap_wait_p99_ms=\(.mmap_wait_p99_ms) read_gap_max_ms=\(.read_gap_max_ms)" +
		" alloc_ops_per_s=\(.alloc_ops_per_s) read_ops_per_s=\(.read_ops_per_s)" +
		" read_errors=\(.read_errors) window_s=\(.window_s)"' "$SWREP" 2>/dev/null
}

# The timeline of the waits of at least 5 ms: "t_ms:ms:k,..." (k: m mmap,
# u munmap, r read), for the report's plot.
sw_timeline() {
	jq -r '[.timeline[] | select(.ms >= 5) | "\(.t_ms | floor):\(.ms * 10 | floor / 10):" +
		({"mmap": "m", "munmap": "u", "read": "r"}[.kind] // "x")] | join(",")' "$SWREP" 2>/dev/null
}

# stall_sample KIND MIB TOOL REP: move the workload to the other node with
# TOOL inside a window of its own; one "stallwork" line (the move's time, the
# mover's CPU seconds, the workload's figures, mmigrate's JSON) and one
# "stalltl" line (the timeline).
stall_sample() {
	local kind=$1 mib=$2 tool=$3 rep=$4 a=$HNODE b rc s cpu ok=1 more="" TIMEFORMAT='%R %U %S'
	b=$((1 - a))
	sw_window || return 1
	{ time NSB_TIMEOUT=${STALL_TIMEOUT:-180} run_tool "$tool" "$a" "$b"; } 2>"$tmp/time"
	rc=$?
	sw_report || return 1
	read -r s cpu <<<"$(awk '{ printf "%s %.3f", $1, $2 + $3 }' "$tmp/time")"
	[ "$(region_on "$b")" = "$HLEN" ] || ok=0
	HNODE=$b
	case $tool in
	migratepages) ;;
	*) more=$(mm_fields) ;;
	esac
	if [ "$rc" != 0 ]; then
		[ "$rc" = 3 ] || ok=0
		more="$more rc=$rc err=$(head -c 200 "$tmp/err" | tr -s ' \n' '__')"
		# what mmigrate said did not move, and why
		[ -s "$tmp/out" ] && echo "# $tool exit $rc: $(jq -c --argjson p "$SWPID" \
			'[.. | objects | select(.pid? == $p)] | first | {status, stop, not_moved_bytes,
			not_moved_by_reason_bytes, gone_bytes, residual_bytes, thp_split, retries}' "$tmp/out" 2>/dev/null)"
	fi
	echo "NSB test=stallwork kind=$kind mib=$mib tool=$tool rep=$rep seconds=$s ok=$ok from=$a to=$b" \
		"cpu_seconds=$cpu thp_kb=$(thp_kb) $(sw_fields) $more"
	echo "NSB test=stalltl kind=$kind mib=$mib tool=$tool rep=$rep seconds=$s tl=$(sw_timeline)"
}

# The workload moved back and forth by each tool in turn, 5 repetitions;
# first its figures over 2 s without a move (test=stallbase).
part_stallwork() { # KIND MIB DEADLINE TOOLS...
	local kind=$1 mib=$2 dl=$3 r=0 t t0 round=0
	shift 3
	sw_start "$kind" "$mib" || return 1
	echo "NSB test=fill kind=$kind mib=$mib tool=stallwork rep=1 seconds=$HFILL ok=1"
	say "stall family $kind $mib MiB, allocating and reading: $* (until ${dl}s)"
	sw_window && sleep 2 && sw_report &&
		echo "NSB test=stallbase kind=$kind mib=$mib tool=none rep=1 seconds=0 ok=1 $(sw_fields)"
	while more_reps "$r" "$dl" "$round"; do
		t0=$EPOCHREALTIME
		for t in $(order "$r" "$@"); do stall_sample "$kind" "$mib" "$t" $((r + 1)); done
		round=$(secs_since "$t0")
		r=$((r + 1))
	done
	kill -TERM "$SWPID" 2>/dev/null
	wait "$SWPID" 2>/dev/null
	echo "NSB test=stallverify kind=$kind mib=$mib tool=stallwork rep=1 seconds=0 ok=1" \
		"verify=$(jq -r '.verify // "none"' "$SWREP" 2>/dev/null)"
}

# The stall family: the busy workload at 512 MiB and 1 GiB, 4 KiB pages and
# THPs, moved by migratepages, the bare migrate_pages(2) call (mmigrate
# --engine syscall) and default mmigrate.
stall_family() { # SHARE_PERCENT
	local tools="migratepages syscall mmigrate" p i=0 n
	n=$(echo $stall_parts | wc -w)
	for p in $stall_parts; do
		i=$((i + 1))
		part_stallwork "${p%:*}" "${p#*:}" "$(deadline $(($1 / (n - i + 1))))" $tools
	done
}

# Shares of the budget: each part may use this percentage of what is left
# when it starts; what it does not use goes to the parts after it.
big=${2:-1024}
MIN_REPS=${3:-5}
MAX_REPS=${4:-5}
# which families: all (default), stall (issue 15's: the busy workload, and
# the idle comparison at 256 MiB-1 GiB), classic (all but the stall family)
families=${5:-all}
# the stall family's parts, KIND:MIB (default all four)
stall_parts=${6:-4k:512 4k:1024 thp:512 thp:1024}
[ "$MAX_REPS" -ge "$MIN_REPS" ] || MAX_REPS=$MIN_REPS
# threads1: the serial mover (--threads 1), against which --threads 2 is
# measured; default mmigrate runs --threads auto
tools="mmigrate migratepages bare threads1 threads2 moveall"
if [ "$families" = stall ]; then
	# the idle process: default mmigrate against migratepages, the bare
	# call and the serial mover, 4 KiB pages and THPs, 256 MiB to 1 GiB
	# (the same tools as the classic family's, so that the rows replace
	# its rows whole)
	for mib in 256 512 "$big"; do
		t=$tools
		[ "$mib" = 256 ] || t=${tools% moveall}
		part_compare 4k "$mib" "$(deadline 5)" $t plan
		part_compare thp "$mib" "$(deadline 5)" $t plan
	done
	stall_family 100
	echo "NSB info total_seconds=$(elapsed) budget=$budget families=$families"
	say "done"
	exit 0
fi
# in order of importance: a guest cut short by its timeout loses the last
part_compare 4k 256 "$(deadline 10)" $tools plan
part_compare thp 256 "$(deadline 10)" $tools plan
part_memcpy 4k 256
part_memcpy thp 256
# 512 MiB: the workload of mmigrate's speed goal; 1 GiB without --move-all
part_compare 4k 512 "$(deadline 12)" $tools plan
part_compare thp 512 "$(deadline 12)" $tools plan
[ "$families" = classic ] || stall_family 45
part_memcpy thp 512
part_compare 4k "$big" "$(deadline 25)" ${tools% moveall} plan
part_compare thp "$big" "$(deadline 25)" ${tools% moveall} plan
part_lazyfree 4k 256 "$(deadline 20)"
part_batch 256 "$(deadline 30)" 64 512 4096 16384 65536
part_stall thp 256 "$(deadline 35)" migratepages mmigrate
part_stall 4k 16 "$(deadline 35)" migratepages mmigrate
part_rate 64 "$(deadline 60)" 16 32
part_memcpy 4k "$big"
part_memcpy thp "$big"
echo "NSB info total_seconds=$(elapsed) budget=$budget families=$families"
say "done"
