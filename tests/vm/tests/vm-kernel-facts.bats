#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 3node
# The kernel behaviour that numashift and its tests rely on
# (../shared/KERNEL-FACTS.md), checked on each kernel with move_pages(2)
# called directly (mpprobe), not through numashift.

load common

@test "move_pages on a never-touched anonymous page: -EFAULT on 6.1, -ENOENT on 6.12" {
	local want
	case $NS_KVER in
	6.1) want=EFAULT ;;
	*) want=ENOENT ;;
	esac
	run mpprobe --untouched 8
	assert_success
	assert_line "status=-$( [ $want = EFAULT ] && echo 14 || echo 2) name=$want count=8 first=0"
	# move mode says the same
	run mpprobe --untouched 8 --node 1
	assert_success
	assert_line --partial "name=$want count=8 first=0"
}

@test "move_pages on an unmapped address: -EFAULT on every kernel" {
	start_helper --mib 2
	run mpprobe "$HELPER_PID" 4096 4096
	assert_success
	assert_line 'status=-14 name=EFAULT count=1 first=0'
	stop_helper
}

@test "move_pages to a node that does not exist fails the whole call with ENODEV" {
	start_helper --mib 2
	run mpprobe --node 7 "$HELPER_PID" "$HELPER_ADDR" "$HELPER_LEN"
	assert_failure
	assert_line 'errno=ENODEV'
	stop_helper
}

@test "move_pages, one entry per base page over THPs: exactly the second entry of each THP is -EBUSY" {
	start_helper --mib 16 --thp --node 0
	local per=$((HELPER_THP_SIZE / HELPER_PAGE_SIZE)) nthp=$((HELPER_LEN / HELPER_THP_SIZE))
	local huge_before
	huge_before=$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")
	[ "$huge_before" -eq $((HELPER_LEN / 1024)) ] || skip "only $huge_before kB in THPs"
	run mpprobe --node 1 --list "$HELPER_PID" "$HELPER_ADDR" "$HELPER_LEN"
	assert_success
	assert_line "status=1 name=node1 count=$(((per - 1) * nthp)) first=0"
	assert_line "status=-16 name=EBUSY count=$nthp first=1"
	# and each of them is the second entry of its THP
	local busy
	busy=$(echo "$output" | awk -v per="$per" '$1 == "entry" && $3 == "status=-16" && $2 % per != 1 { n++ } END { print n + 0 }')
	assert_equal "$busy" 0
	# the whole THPs moved, still huge
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")" "$huge_before"
	stop_helper
}

@test "move_pages, one entry per THP: no errors, THPs kept" {
	start_helper --mib 16 --thp --node 0
	run mpprobe --node 1 --step "$HELPER_THP_SIZE" "$HELPER_PID" "$HELPER_ADDR" "$HELPER_LEN"
	assert_success
	assert_output "ret=0
status=1 name=node1 count=$((HELPER_LEN / HELPER_THP_SIZE)) first=0"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	# query mode reads the node back page by page
	run mpprobe "$HELPER_PID" "$HELPER_ADDR" "$HELPER_LEN"
	assert_line "status=1 name=node1 count=$((HELPER_LEN / HELPER_PAGE_SIZE)) first=0"
	stop_helper
}
