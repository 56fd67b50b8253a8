#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# needs: redis
# A real program moved under its own load (issue 15): Debian's Redis, its
# memory bound to node 0, moved to node 1 by migratepages and by default
# mmigrate while redis-benchmark writes new keys, with the latency that
# redis-benchmark itself measures.  Run in the bench guest:
#
#   flock /tmp/ns-vm.lock tests/vm/run --build build --kernel 6.1 --topo bench \
#       --script tests/bench/redis.sh [REPS [KEYS [VALUE [BATCH]]]]
#
# (scripts/deps redis fetches Redis into tests/vm/cache/redis first.)
# The server (no persistence) gets KEYS (default 300000) keys of VALUE
# (default 1024) bytes in db 0 by DEBUG POPULATE.  The load is redis-benchmark
# -t set in a loop of BATCH requests (default 2000) with 50 clients, random
# keys in a keyspace of 10^8 and 256-byte values, in db 1: nearly every SET
# adds a key, so the server keeps allocating (jemalloc maps new extents, the
# dict grows; the /proc figures printed first show it).  Each
# batch's --csv line (rps, p99, max) is stamped with the time it arrived; a
# move's figures come from the batches that overlap it.
#
# Each repetition moves the server node 0 -> 1 once by each tool, in
# alternated order; after each move the load stops and the data is checked:
# every DEBUG DIGEST-VALUE of db 0 as before the first move (the load never
# writes db 0), then the whole server's DEBUG DIGEST across the move back
# (migratepages 1 -> 0, without load).  One line a move on stdout:
#   NSR move tool=T rep=R seconds=S max_ms= p99_ms= ops= base_ops= ...
# and the medians with [min-max] at the end.
set -u
reps=${1:-5} keys=${2:-300000} vsize=${3:-1024} batch=${4:-2000}
tmp=/tmp/nsr
mkdir -p "$tmp"
port=6379
t_start=$EPOCHREALTIME
elapsed() { awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }
say() { echo "# [$(elapsed)s] $*"; }
cli() { redis-cli -p "$port" "$@"; }

command -v redis-server >/dev/null || { echo "NSR skip: no Redis in the guest (scripts/deps redis)"; exit 0; }
echo 0 >/proc/sys/kernel/numa_balancing 2>/dev/null
ip link set lo up 2>/dev/null
echo "NSR info kernel=$(uname -r) redis=$(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')" \
	"keys=$keys value=$vsize batch=$batch reps=$reps"

numactl --membind=0 redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
	--enable-debug-command local --logfile "$tmp/server.log" --daemonize no &
spid=$!
for _ in $(seq 100); do [ "$(cli ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
[ "$(cli ping 2>/dev/null)" = PONG ] || { cat "$tmp/server.log"; echo "NSR fail: redis-server did not start"; exit 1; }

# MiB of the server's memory on NODE (numa_maps: pages of kernelpagesize_kB)
node_mib() {
	awk -v n="N$1=" '{ kb = 4; p = 0
		for (i = 1; i <= NF; i++) {
			if (index($i, n) == 1) p = substr($i, length(n) + 1)
			if ($i ~ /^kernelpagesize_kB=/) kb = substr($i, 19)
		}
		t += p * kb } END { printf "%.0f", t / 1024 }' "/proc/$spid/numa_maps"
}
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$spid/status"; }

t0=$EPOCHREALTIME
cli DEBUG POPULATE "$keys" key "$vsize" >/dev/null
say "populated $keys keys of $vsize bytes in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s:" \
	"rss $(($(status_kb VmRSS) / 1024)) MiB, node0 $(node_mib 0) MiB, node1 $(node_mib 1) MiB," \
	"AnonHugePages $(awk '/^AnonHugePages/ { s += $2 } END { print s / 1024 }' "/proc/$spid/smaps") MiB"

# db 0's digests, key by key, 1000 keys a command, one redis-cli for all
awk -v n="$keys" 'BEGIN { for (i = 0; i < n; i += 1000) { printf "DEBUG DIGEST-VALUE"
	for (j = i; j < i + 1000 && j < n; j++) printf " key:%d", j; printf "\n" } }' >"$tmp/digest.cmds"
db0_digest() { redis-cli -p "$port" -n 0 <"$tmp/digest.cmds" | md5sum | cut -d' ' -f1; }
t0=$EPOCHREALTIME
d0=$(db0_digest)
say "db 0 digest $d0 ($(cli -n 0 dbsize) keys) in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

# ---- the load ---------------------------------------------------------------
# redis-benchmark under script(1): a terminal, so that each --csv line comes
# out when its batch ends; each line is stamped with its arrival time.
load_start() { # out
	script -qfec "redis-benchmark -p $port -t set -n $batch -c 50 -r 100000000 -d 256 --dbnum 1 -l --csv" /dev/null |
		while IFS= read -r l; do
			l=${l%$'\r'}
			case $l in '"SET"'*) echo "$EPOCHREALTIME,${l//\"/}" ;; esac
		done >"$1" &
	LPIPE=$!
}
load_stop() {
	local p
	for p in $(pgrep -x redis-benchmark); do kill "$p"; done
	wait "$LPIPE" 2>/dev/null
}
# window FILE M0 M1: max_ms p99_ms ops base_ops batches, from the batches
# that overlap [M0, M1] (a batch spans from the line before to its line)
window() {
	awk -F, -v m0="$2" -v m1="$3" -v n="$batch" '
		{ t = $1 + 0; if (NR > 1 && t > m0 && prev < m1) {
			if (!k) first = prev; last = t; k++
			if ($9 + 0 > mx) mx = $9 + 0; if ($8 + 0 > p99) p99 = $8 + 0 }
		  else if (NR > 1 && t <= m0) { bn++; if (!bf) bf = prev; bl = t }
		  prev = t }
		END { printf "max_ms=%.1f p99_ms=%.1f ops=%.0f base_ops=%.0f batches=%d", mx, p99,
			k ? k * n / (last - first) : 0, bn ? bn * n / (bl - bf) : 0, k }' "$1"
}

# ---- does it allocate during the load? ----------------------------------------
maps0=$(wc -l <"/proc/$spid/maps") vm0=$(status_kb VmSize) rss0=$(status_kb VmRSS)
load_start "$tmp/probe.csv"
sleep 10
load_stop
echo "NSR alloc seconds=10 maps=$maps0->$(wc -l <"/proc/$spid/maps") vmsize_mib=$((vm0 / 1024))->$(($(status_kb VmSize) / 1024))" \
	"rss_mib=$((rss0 / 1024))->$(($(status_kb VmRSS) / 1024))" \
	"ops=$(awk -F, 'NR > 1 { n++; if (!f) f = p; l = $1 } { p = $1 } END { printf "%.0f", n ? n * '"$batch"' / (l - f) : 0 }' "$tmp/probe.csv")"

res() { echo "$*"; echo "$*" >>"$tmp/moves"; }
: >"$tmp/moves"

# ---- the moves ------------------------------------------------------------------
mover() { # tool from to
	case $1 in
	migratepages) migratepages "$spid" "$2" "$3" ;;
	mmigrate) mmigrate -q -J "$spid" "$2" "$3" >"$tmp/mmigrate.json" ;;
	esac
}
for ((r = 1; r <= reps; r++)); do
	tools="migratepages mmigrate"
	[ $((r % 2)) = 0 ] && tools="mmigrate migratepages"
	for tool in $tools; do
		load_start "$tmp/load.csv"
		sleep 2
		maps0=$(wc -l <"/proc/$spid/maps") vm0=$(status_kb VmSize)
		m0=$EPOCHREALTIME
		mover "$tool" 0 1
		rc=$?
		m1=$EPOCHREALTIME
		grew="maps=$maps0->$(wc -l <"/proc/$spid/maps") vmsize_mib=$((vm0 / 1024))->$(($(status_kb VmSize) / 1024))"
		sleep 1.5
		load_stop
		on1=$(node_mib 1) on0=$(node_mib 0)
		extra=""
		# the process's own result: the document's top level has an
		# "engine" too (the one asked for) but no stall
		[ "$tool" = mmigrate ] && extra=$(jq -r '.processes[0] | "engine=\(.engine) threads=\(.threads // "-")" +
			" calls=\(.stall.calls // "-") call_max_ms=\(.stall.max_ms // "-") call_p99_ms=\(.stall.p99_ms // "-")"' \
			"$tmp/mmigrate.json" 2>/dev/null)
		data=ok
		[ "$(db0_digest)" = "$d0" ] || data=bad
		da=$(cli DEBUG DIGEST)
		migratepages "$spid" 1 0
		[ "$(cli DEBUG DIGEST)" = "$da" ] || data=bad
		res "NSR move tool=$tool rep=$r rc=$rc seconds=$(awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.3f", b - a }')" \
			"$(window "$tmp/load.csv" "$m0" "$m1") node1_mib=$on1 node0_mib=$on0" \
			"rss_mib=$(($(status_kb VmRSS) / 1024)) $grew data=$data $extra"
		cp "$tmp/load.csv" "$tmp/load-$tool-$r.csv"
	done
done
say "db 0: $(cli -n 0 dbsize) keys, db 1: $(cli -n 1 dbsize) keys"

# ---- summary: median [min-max] per tool ----------------------------------------
for tool in migratepages mmigrate; do
	line="NSR summary tool=$tool"
	for key in seconds max_ms p99_ms ops base_ops; do
		line="$line $key=$(sed -n "s/^NSR move tool=$tool .* $key=\([^ ]*\).*/\1/p" "$tmp/moves" | sort -g |
			awk '{ v[NR] = $1 } END { if (NR) printf "%s[%s-%s]", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }')"
	done
	echo "$line data=$(grep "^NSR move tool=$tool " "$tmp/moves" | grep -c ' data=ok')/$(grep -c "^NSR move tool=$tool " "$tmp/moves")ok"
done
cli shutdown nosave >/dev/null 2>&1
wait "$spid" 2>/dev/null
exit 0
