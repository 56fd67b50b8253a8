#!/bin/bash
# mmigrate speed in the guest (topology "bench"): serial mmigrate vs
# migratepages(8) vs one migrate_pages(2) call (mmigrate --engine syscall),
# --threads 2 vs serial, batch sizes, and planning vs moving time.
#   tests/vm/run --build DIR --topo bench --timeout 2400 --script tests/vm/mmigrate-bench.sh [MIB] [REPS]
# Each sample moves a fresh nshelper region from node 0 to node 1; the tools
# are alternated within each repetition; medians are printed at the end.
set -u
mib=${1:-256} reps=${2:-5}
echo 0 >/proc/sys/kernel/numa_balancing 2>/dev/null
declare -A samples

helper() { # KIND (4k|thp) MIB -> HPID HADDR HLEN
	local r=/tmp/bench.ready thp=--no-thp
	[ "$1" = thp ] && thp=--thp
	rm -f "$r"
	nshelper --mib "$2" --node 0 $thp --ready "$r" >/tmp/bench.out 2>&1 &
	HPID=$!
	while [ ! -f "$r" ]; do sleep 0.1; done
	HADDR=$(sed -n 's/.* addr=\([^ ]*\).*/\1/p' "$r")
	HLEN=$(sed -n 's/.* len=\([^ ]*\).*/\1/p' "$r")
}

on_node() { # NODE: bytes of the helper region on NODE (numa_maps)
	local a
	a=$(printf '%x' "$HADDR")
	awk -v a="$a" -v k="N$1=" '$1 == a { for (i = 2; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) * 4096 }' \
		"/proc/$HPID/numa_maps"
}

run_tool() { # NAME -> seconds of the move
	case $1 in
	mmigrate) mmigrate -q "$HPID" 0 1 ;;
	migratepages) migratepages "$HPID" 0 1 ;;
	syscall) mmigrate -q --engine syscall "$HPID" 0 1 ;;
	threads2) mmigrate -q --threads 2 "$HPID" 0 1 ;;
	batch*) mmigrate -q --batch "${1#batch}" "$HPID" 0 1 ;;
	plan) mmigrate -q --dry-run "$HPID" 0 1 >/dev/null ;;
	esac
}

sample() { # KIND TOOL [MIB]
	local kind=$1 tool=$2 m=${3:-$mib} t0 t1 s moved
	helper "$kind" "$m"
	t0=$EPOCHREALTIME
	run_tool "$tool" >/dev/null 2>&1
	t1=$EPOCHREALTIME
	s=$(echo "$t1 - $t0" | bc -l 2>/dev/null || awk "BEGIN { print $t1 - $t0 }")
	moved=$(on_node 1)
	kill "$HPID"; wait "$HPID" 2>/dev/null
	if [ "$tool" != plan ] && [ "${moved:-0}" != "$HLEN" ]; then
		echo "# $kind $tool: only ${moved:-0} of $HLEN bytes on node 1" >&2
	fi
	samples[$kind.$tool${3:+.$3M}]+=" $s"
	printf '# %s %s %s MiB %.3f s\n' "$kind" "$tool" "$m" "$s"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for ((r = 1; r <= reps; r++)); do
	# alternate the order from one repetition to the next
	if ((r % 2)); then order="mmigrate migratepages syscall"; else order="syscall migratepages mmigrate"; fi
	for t in $order; do sample 4k "$t"; done
	for t in $order threads2; do sample thp "$t"; done
	for b in 64 512 4096 65536; do sample 4k "batch$b"; done
	sample 4k plan 1024
	sample thp plan 1024
done
sample 4k mmigrate 1024
sample thp mmigrate 1024

echo "== medians (seconds; $mib MiB unless noted; $(uname -r))"
for k in "${!samples[@]}"; do
	printf '%-22s %8.3f  n=%d\n' "$k" "$(echo "${samples[$k]}" | median)" "$(echo "${samples[$k]}" | wc -w)"
done | sort
