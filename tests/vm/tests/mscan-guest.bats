#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node 3node
# mscan on a machine with several nodes: its figures are the kernel's.

load common

# bytes on NODE of PID in mscan's JSON (0 when the node is absent)
mscan_node() { jq -r --arg n "$2" '.processes[0].node_bytes[$n] // 0' <<<"$1"; }

@test "mscan -J: bytes per node are the numa_maps sums" {
	start_helper --mib 32 --node 1 --shared-mib 4
	local json n
	json=$(mscan -J -p "$HELPER_PID")
	for n in $(seq 0 $(($(node_count) - 1))); do
		assert_equal "$(mscan_node "$json" "$n")" "$(node_bytes "$HELPER_PID" "$n")"
	done
	[ "$(mscan_node "$json" 1)" -ge "$HELPER_LEN" ]
	assert_equal "$(jq -r '.processes[0].main_node' <<<"$json")" 1
	stop_helper
}

@test "mscan -m -J: the helper's mapping is on node 1, THP counted" {
	start_helper --mib 32 --node 1 --thp
	local json row
	json=$(mscan -m -J -p "$HELPER_PID")
	row=$(jq -c --arg a "$HELPER_ADDR" '.mappings[] | select(.start == $a)' <<<"$json")
	[ -n "$row" ] || fail "no mapping at $HELPER_ADDR in: $json"
	assert_equal "$(jq -r '.node_bytes["1"]' <<<"$row")" "$HELPER_LEN"
	assert_equal "$(jq -r '.node_bytes["0"] // 0' <<<"$row")" 0
	assert_equal "$(jq -r '.thp_bytes' <<<"$row")" "$(($(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR") * 1024))"
	stop_helper
}

@test "mscan follows a move made by migratepages" {
	start_helper --mib 32 --node 0
	migratepages "$HELPER_PID" 0 1
	local json
	json=$(mscan -J -p "$HELPER_PID")
	assert_equal "$(mscan_node "$json" 1)" "$(node_bytes "$HELPER_PID" 1)"
	[ "$(mscan_node "$json" 1)" -ge "$HELPER_LEN" ]
	stop_helper
}

@test "mscan --pages -J: the region's runs are on the node move_pages reports" {
	start_helper --mib 8 --node 1 --no-thp
	local json
	json=$(mscan --pages -J -p "$HELPER_PID")
	run jq -r --arg a "$HELPER_ADDR" --argjson len "$HELPER_LEN" '
		def num: ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
		($a | num) as $lo | [.runs[] | select((.start | num) >= $lo and (.start | num) < $lo + $len)]
		| "\(map(.size_bytes) | add) \(map(.node) | unique | map(tostring) | join(","))"' <<<"$json"
	assert_output "$HELPER_LEN 1"
	run mpprobe "$HELPER_PID" "$HELPER_ADDR" "$HELPER_LEN"
	assert_line "status=1 name=node1 count=$((HELPER_LEN / HELPER_PAGE_SIZE)) first=0"
	stop_helper
}

@test "mscan --topology shows every node; on 3node node 2 is memory-only" {
	run mscan --topology -J
	assert_success
	local json=$output n
	assert_equal "$(jq '.topology | length' <<<"$json")" "$(node_count)"
	for n in 0 1; do
		assert_equal "$(jq -r ".topology[$n].memory_only" <<<"$json")" false
		assert_equal "$(jq -r ".topology[$n].cpus" <<<"$json")" "$(node_cpus "$n")"
		assert_equal "$(jq -r ".topology[$n].total_bytes" <<<"$json")" "$(($(node_mem_kb "$n") * 1024))"
	done
	if [ "$NS_TOPO" = 3node ]; then
		assert_equal "$(jq -r '.topology[2].memory_only' <<<"$json")" true
		assert_equal "$(jq -r '.topology[2].cpu_count' <<<"$json")" 0
		run mscan --topology
		assert_success
		assert_line --regexp '^ +2 .* yes '
	fi
}
