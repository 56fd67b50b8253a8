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
helper_start() {
	local kind=$1 mib=$2 r=$tmp/ready t0 thp=--no-thp
	shift 2
	[ "$kind" = thp ] && thp=--thp
	rm -f "$r"
	HOUT=$tmp/helper.out
	t0=$EPOCHREALTIME
	nshelper --mib "$mib" --node 0 $thp --ready "$r" "$@" >"$HOUT" 2>&1 &
	HPID=$!
	while [ ! -f "$r" ]; do
		kill -0 "$HPID" 2>/dev/null || { cat "$HOUT"; echo "# nshelper died" >&2; return 1; }
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
	mmigrate) ${NSB_TIMEOUT:+timeout "$NSB_TIMEOUT"} mmigrate -q -J "$HPID" "$a" "$b" ;;
	threads2) mmigrate -q -J --threads 2 "$HPID" "$a" "$b" ;;
	moveall) mmigrate -q -J --move-all "$HPID" "$a" "$b" ;;
	batch*) mmigrate -q -J --batch "${tool#batch}" "$HPID" "$a" "$b" ;;
	discard) mmigrate -q -J --discard-lazyfree "$HPID" "$a" "$b" ;;
	rate*) mmigrate -q -J --rate "${tool#rate}M" "$HPID" "$a" "$b" ;;
	plan) mmigrate -q -J --dry-run "$HPID" "$a" "$b" ;;
	migratepages) ${NSB_TIMEOUT:+timeout "$NSB_TIMEOUT"} migratepages "$HPID" "$a" "$b" ;;
	bare) nsbench migrate "$HPID" "$a" "$b" ;;
	*) echo "unknown tool $tool" >&2; return 2 ;;
	esac >"$tmp/out" 2>"$tmp/err"
}

# key=value words of mmigrate's JSON result for the helper, from one jq run
# (every jq start is slow in the emulated guest): moved_bytes discarded_bytes
# tool_seconds plan_seconds calls engine (empty when absent).
mm_fields() {
	jq -r --argjson p "$HPID" '([.. | objects | select(.pid? == $p)] | first // {}) as $r |
		"moved_bytes=\($r.moved_bytes // "") discarded_bytes=\($r.discarded_bytes // "")" +
		" tool_seconds=\($r.seconds // "") plan_seconds=\($r.plan_seconds // "")" +
		" calls=\($r.calls // "") engine=\($r.engine // "")"' \
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

# Shares of the budget: each part may use this percentage of what is left
# when it starts; what it does not use goes to the parts after it.
big=${2:-1024}
MIN_REPS=${3:-5}
MAX_REPS=${4:-5}
[ "$MAX_REPS" -ge "$MIN_REPS" ] || MAX_REPS=$MIN_REPS
tools="mmigrate migratepages bare threads2 moveall"
# in order of importance: a guest cut short by its timeout loses the last
part_compare 4k 256 "$(deadline 10)" $tools plan
part_compare thp 256 "$(deadline 10)" $tools plan
part_memcpy 4k 256
part_memcpy thp 256
# 512 MiB: the workload of mmigrate's speed goal; 1 GiB without --move-all
part_compare 4k 512 "$(deadline 12)" $tools plan
part_compare thp 512 "$(deadline 12)" $tools plan
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
echo "NSB info total_seconds=$(elapsed) budget=$budget"
say "done"
