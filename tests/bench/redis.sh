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
#       --script tests/bench/redis.sh [REPS [KEYS [LOADVALUE [BATCH [BUDGET]]]]]
#
# (scripts/deps redis fetches Redis into tests/vm/cache/redis first.)
# Every move gets a fresh server (no persistence) with KEYS (default 300000)
# keys of 1024 bytes in db 0 by DEBUG POPULATE.  The load is redis-benchmark
# -t set in a loop of BATCH requests (default 200) from 10 clients, random
# keys in a keyspace of 10^8 and LOADVALUE-byte values (default 65536) in
# db 1: nearly every SET adds a key, so the data set keeps growing the way a
# cache's does, and jemalloc maps a new extent (mmap) each time the reserve
# it retains runs out, every few seconds at this rate.  Each mmap takes the
# process's mmap_lock for writing: behind migrate_pages(2), which holds it
# for reading through the whole move up to 6.6, the server stops.  A sampler
# reads VmSize (which needs no mmap_lock) every 0.1 s: maps= counts the
# growths within the move, first_map_s= when the first came (seconds into
# the move), mapped_mib= by how much, late_maps= the growths within 0.5 s
# after the move (an mmap that waited for the lock lands there).  Each batch's --csv line (rps, p99,
# max) is stamped with the time it arrived; a move's figures come from the
# batches that overlap it, base_ops= from those before it.
#
# Each repetition moves the server node 0 -> 1 once by each tool, in
# alternated order.  BUDGET (seconds, default 0: none) bounds the run, as
# make bench gives it (scripts/bench): a repetition starts only when the
# mean time of those before still fits in what is left, else the run stops
# with "NSR info stopped_after_reps=N" (the report's n shows it).  After each move the load stops and the data is checked:
# every DEBUG DIGEST-VALUE of db 0 as before the move (the load never writes
# db 0); every value in db 1 is one that redis-benchmark writes (db1_check);
# the whole server's DEBUG DIGEST is the same across a move back
# (migratepages 1 -> 0, without load).  One line a move on stdout:
#   NSR move tool=T rep=R seconds=S max_ms= p99_ms= ops= base_ops= maps= ...
# and the medians with [min-max] at the end.
set -u
reps=${1:-5} keys=${2:-300000} lvalue=${3:-65536} batch=${4:-200} budget=${5:-0}
vsize=1024 clients=10
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
	"keys=$keys value=$vsize load_value=$lvalue clients=$clients batch=$batch reps=$reps budget=$budget"

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

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

# db 0's digests, key by key, 1000 keys a command, one redis-cli for all
awk -v n="$keys" 'BEGIN { for (i = 0; i < n; i += 1000) { printf "DEBUG DIGEST-VALUE"
	for (j = i; j < i + 1000 && j < n; j++) printf " key:%d", j; printf "\n" } }' >"$tmp/digest.cmds"
db0_digest() { redis-cli -p "$port" -n 0 <"$tmp/digest.cmds" | md5sum | cut -d' ' -f1; }
# db 1: "keys bad distinct": how many keys, how many whose value is not one
# the load writes, how many different values.  redis-benchmark fills each
# loop's LOADVALUE bytes from a fixed-seed generator, with characters '0' to
# 'o': a value of another length, with another byte (a page of zeroes) or
# more different values than batches ran would be a value the load never
# wrote
db1_check() {
	cli -n 1 --no-raw EVAL "local ks = redis.call('keys', '*') local seen = {} local bad, nd = 0, 0
		for _, k in ipairs(ks) do local v = redis.call('get', k)
			if #v ~= tonumber(ARGV[1]) or string.find(v, '[^0-o]') then bad = bad + 1
			elseif not seen[v] then seen[v] = true nd = nd + 1 end end
		return {#ks, bad, nd}" 0 "$lvalue" | awk '{ printf "%s%s", s, $NF; s = " " } END { print "" }'
}

server_start() {
	numactl --membind=0 redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
		--enable-debug-command local --logfile "$tmp/server.log" --daemonize no &
	spid=$!
	for _ in $(seq 100); do [ "$(cli ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
	[ "$(cli ping 2>/dev/null)" = PONG ] || { cat "$tmp/server.log"; echo "NSR fail: redis-server did not start"; exit 1; }
	cli DEBUG POPULATE "$keys" key "$vsize" >/dev/null
}
server_stop() {
	cli shutdown nosave >/dev/null 2>&1
	wait "$spid" 2>/dev/null
}

# ---- the load ---------------------------------------------------------------
# redis-benchmark under script(1): a terminal, so that each --csv line comes
# out when its batch ends; each line is stamped with its arrival time.
load_start() { # out
	script -qfec "redis-benchmark -p $port -t set -n $batch -c $clients -r 100000000 -d $lvalue --dbnum 1 -l --csv" \
		/dev/null |
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
# window FILE M0 M1: max_ms p99_ms ops base_ops base_max_ms batches, from
# the batches that overlap [M0, M1] (a batch spans from the line before to
# its line); base_ figures from the batches before the move
window() {
	awk -F, -v m0="$2" -v m1="$3" -v n="$batch" '
		{ t = $1 + 0; if (NR > 1 && t > m0 && prev < m1) {
			if (!k) first = prev; last = t; k++
			if ($9 + 0 > mx) mx = $9 + 0; if ($8 + 0 > p99) p99 = $8 + 0 }
		  else if (NR > 1 && t <= m0) { bn++; if (!bf) bf = prev; bl = t; if ($9 + 0 > bmx) bmx = $9 + 0 }
		  prev = t }
		END { printf "max_ms=%.1f p99_ms=%.1f ops=%.0f base_ops=%.0f base_max_ms=%.1f batches=%d", mx, p99,
			k ? k * n / (last - first) : 0, bn ? bn * n / (bl - bf) : 0, bmx, k }' "$1"
}
# VmSize every 0.1 s (reading it takes no mmap_lock), stamped
sampler_start() { # out
	while :; do echo "$EPOCHREALTIME $(status_kb VmSize)"; sleep 0.1; done >"$1" &
	SPID_SAMPLER=$!
}
# maps FILE M0 M1: the VmSize growths within [M0, M1]: how many, the first's
# time into the move, MiB in all; late_maps= those within 0.5 s after the
# move (an mmap that waited for the lock through the move completes there)
maps_in() {
	awk -v m0="$2" -v m1="$3" '
		NR > 1 && $2 > prev && $1 > m0 && $1 <= m1 { n++; mib += ($2 - prev) / 1024; if (!f) f = $1 - m0 }
		NR > 1 && $2 > prev && $1 > m1 && $1 <= m1 + 0.5 { late++ }
		{ prev = $2 }
		END { printf "maps=%d first_map_s=%s mapped_mib=%.0f late_maps=%d", n, n ? sprintf("%.2f", f) : "-", mib, late }' "$1"
}

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
	if [ "$budget" -gt 0 ] && [ "$r" -gt 1 ] &&
		awk -v e="$(elapsed)" -v r="$r" -v b="$budget" 'BEGIN { exit !(e + e / (r - 1) > b) }'; then
		say "rep $r not started: $(elapsed) s of the ${budget} s budget used"
		echo "NSR info stopped_after_reps=$((r - 1))"
		break
	fi
	tools="migratepages mmigrate"
	[ $((r % 2)) = 0 ] && tools="mmigrate migratepages"
	for tool in $tools; do
		t0=$EPOCHREALTIME
		server_start
		d0=$(db0_digest)
		rss0=$(($(status_kb VmRSS) / 1024)) vm0=$(($(status_kb VmSize) / 1024))
		say "rep $r $tool: server $spid, $keys keys in $(secs "$t0" "$EPOCHREALTIME") s, rss $rss0 MiB," \
			"vmsize $vm0 MiB, node0 $(node_mib 0) MiB"
		sampler_start "$tmp/vm.txt"
		load_start "$tmp/load.csv"
		sleep 2
		lmaps0=$(wc -l <"/proc/$spid/maps") rssm=$(($(status_kb VmRSS) / 1024))
		m0=$EPOCHREALTIME
		mover "$tool" 0 1
		rc=$?
		m1=$EPOCHREALTIME
		sleep 1.5
		load_stop
		kill "$SPID_SAMPLER"; wait "$SPID_SAMPLER" 2>/dev/null
		on1=$(node_mib 1) on0=$(node_mib 0)
		extra=""
		# the process's own result: the document's top level has an
		# "engine" too (the one asked for) but no stall
		[ "$tool" = mmigrate ] && extra=$(jq -r '.processes[0] | "engine=\(.engine) threads=\(.threads // "-")" +
			" calls=\(.stall.calls // "-") call_max_ms=\(.stall.max_ms // "-") call_p99_ms=\(.stall.p99_ms // "-")"' \
			"$tmp/mmigrate.json" 2>/dev/null)
		data=ok
		[ "$(db0_digest)" = "$d0" ] || data=bad_db0
		read -r n1 bad1 nd1 < <(db1_check)
		nb=$(wc -l <"$tmp/load.csv")
		[ "${bad1:-x}" = 0 ] && [ "${nd1:-0}" -le $((nb + 1)) ] || data=bad_db1
		da=$(cli DEBUG DIGEST)
		migratepages "$spid" 1 0
		[ "$(cli DEBUG DIGEST)" = "$da" ] || data=bad_back
		res "NSR move tool=$tool rep=$r rc=$rc seconds=$(secs "$m0" "$m1")" \
			"$(window "$tmp/load.csv" "$m0" "$m1") $(maps_in "$tmp/vm.txt" "$m0" "$m1")" \
			"node1_mib=$on1 node0_mib=$on0 rss_at_move_mib=$rssm rss_after_mib=$(($(status_kb VmRSS) / 1024))" \
			"vmsize_mib=$vm0->$(($(status_kb VmSize) / 1024)) maps_lines=$lmaps0->$(wc -l <"/proc/$spid/maps")" \
			"db1_keys=$n1 db1_values=$nd1 batches_all=$nb data=$data $extra"
		cp "$tmp/load.csv" "$tmp/load-$tool-$r.csv"
		server_stop
	done
done

# ---- summary: median [min-max] per tool ----------------------------------------
for tool in migratepages mmigrate; do
	line="NSR summary tool=$tool"
	for key in seconds max_ms p99_ms ops base_ops maps; do
		line="$line $key=$(sed -n "s/^NSR move tool=$tool .* $key=\([^ ]*\).*/\1/p" "$tmp/moves" | sort -g |
			awk '{ v[NR] = $1 } END { if (NR) printf "%s[%s-%s]", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }')"
	done
	echo "$line data=$(grep "^NSR move tool=$tool " "$tmp/moves" | grep -c ' data=ok')/$(grep -c "^NSR move tool=$tool " "$tmp/moves")ok"
done
exit 0
