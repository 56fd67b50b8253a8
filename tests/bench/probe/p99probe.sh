#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# Where the long move_pages(2) calls of a busy move spend their time (issue
# 15: the p99 call time against --max-stall).  Run in the bench guest by
# tests/bench/probe/run.  stallwork (the stall family's busy workload) is
# moved back and forth by mmigrate with callclock.so preloaded: one "CC"
# line per call (mode rep wall_ms cpu_ms runq_ms nvcsw nivcsw entries tid),
# then one "PROBE" summary line per move.
#   p99probe.sh KIND MIB REPS MODES...   (MODES: auto, or a --threads count)
set -u
kind=${1:-4k} mib=${2:-512} reps=${3:-3}
shift 3
modes=${*:-auto 1}
echo 0 >/proc/sys/kernel/numa_balancing 2>/dev/null
echo 1 >/proc/sys/kernel/sched_schedstats 2>/dev/null
tmp=/tmp/probe
mkdir -p "$tmp"
so=$(dirname "$(command -v stallwork)")/callclock.so
[ -f "$so" ] || { echo "p99probe: $so missing" >&2; exit 1; }
thp=--no-thp
[ "$kind" = thp ] && thp=--thp
rm -f "$tmp/ready"
stallwork --mib "$mib" --node 0 $thp --ready "$tmp/ready" --read-period-us 100 --report "$tmp/sw.json" \
	>"$tmp/sw.out" 2>&1 &
pid=$!
while [ ! -f "$tmp/ready" ]; do
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/sw.out"; exit 1; }
	sleep 0.05
done
echo "PROBE info kernel=$(uname -r) cpus=$(nproc) kind=$kind mib=$mib modes=$modes"
from=0
for ((r = 1; r <= reps; r++)); do
	for m in $modes; do
		to=$((1 - from))
		rm -f "$tmp/cc"
		opt=()
		[ "$m" = auto ] || opt=(--threads "$m")
		t0=$EPOCHREALTIME
		LD_PRELOAD=$so CALLCLOCK_OUT=$tmp/cc mmigrate -q -J "${opt[@]}" "$pid" "$from" "$to" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
		from=$to
		sed "s/^/CC $m $r /" "$tmp/cc"
		# budget from the JSON; summary of the calls over 1.5x it and within it
		budget=$(jq -r '[.. | objects | select(.stall?)][0].stall.budget_ms // 20' "$tmp/out" 2>/dev/null)
		threads=$(jq -r '[.. | objects | select(.threads?)][0].threads // ""' "$tmp/out" 2>/dev/null)
		awk -v m="$m" -v r="$r" -v b="$budget" -v rc="$rc" -v wall="$wall" -v th="$threads" '
			{ n++; w[n] = $1; tw += $1; tc += $2; tq += $3
			  if ($1 > 1.5 * b) { o++; ow += $1; oc += $2; oq += $3; ov += $4; oi += $5 }
			  else { k++; kw += $1; kc += $2; kq += $3; kv += $4; ki += $5 } }
			END {
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
				p99 = n ? w[int(0.99 * (n - 1)) + 1] : 0
				printf "PROBE mode=%s rep=%d rc=%s move_s=%s threads=%s calls=%d p99_ms=%.1f max_ms=%.1f budget_ms=%s", m, r, rc, wall, th, n, p99, n ? w[n] : 0, b
				printf " all_wall_ms=%.0f all_cpu_ms=%.0f all_runq_ms=%.0f", tw, tc, tq
				printf " over=%d over_wall_ms=%.0f over_cpu_ms=%.0f over_runq_ms=%.0f over_sleep_ms=%.0f over_nvcsw=%d over_nivcsw=%d", o, ow, oc, oq, ow - oc - oq, ov, oi
				printf " within=%d within_wall_ms=%.0f within_cpu_ms=%.0f within_runq_ms=%.0f within_nvcsw=%d within_nivcsw=%d\n", k, kw, kc, kq, kv, ki
			}' "$tmp/cc"
	done
done
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
echo "PROBE done"
