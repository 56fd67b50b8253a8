#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 3node
# nshelper, the process every integration test moves, does what it says:
# its pages land where asked, THP when asked, and its data check catches a
# corrupted byte.  Where pages are is read from numa_maps and smaps.

load common

@test "nshelper --node 1: every page of the region is on node 1" {
	start_helper --mib 64 --node 1
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" 0
	# the binding is gone once the region is filled (or a move would be undone)
	run grep "^${HELPER_ADDR#0x} " "/proc/$HELPER_PID/numa_maps"
	assert_output --regexp "^${HELPER_ADDR#0x} default "
	stop_helper
}

@test "nshelper --node 2: pages land on the memory-only node" {
	start_helper --mib 32 --node 2
	assert_equal "$(node_bytes "$HELPER_PID" 2 "$HELPER_ADDR")" "$HELPER_LEN"
	stop_helper
}

@test "nshelper --thp: the region is made of transparent huge pages" {
	start_helper --mib 64 --thp --node 0
	assert_equal "$HELPER_THP" 1
	local kb
	kb=$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")
	# all of it, bar a THP or two the guest could not assemble
	[ "$kb" -ge $(((HELPER_LEN - 2 * HELPER_THP_SIZE) / 1024)) ] || fail "AnonHugePages $kb kB"
	stop_helper
}

@test "nshelper --no-thp: no huge pages even with THP always" {
	start_helper --mib 32 --no-thp
	assert_equal "$HELPER_THP" 0
	assert_equal "$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")" 0
	assert_equal "$(node_bytes "$HELPER_PID" all "$HELPER_ADDR")" "$HELPER_LEN"
	stop_helper
}

@test "nshelper --corrupt: the data check names the corrupted byte and exits 1" {
	start_helper --mib 8 --corrupt 123457
	run verify_helper
	assert_failure
	assert_output --partial 'verify FAILED offset=123457 region=private'
	run stop_helper
	assert_failure
	assert_output --partial 'failed (status 1)'
}

@test "a byte changed from outside (/proc/PID/mem) fails the data check" {
	start_helper --mib 8 --writers 0
	local at=$((HELPER_ADDR + 4096 * 100 + 3))
	printf '\xa5' | dd of="/proc/$HELPER_PID/mem" bs=1 seek="$at" conv=notrunc 2>/dev/null
	run stop_helper
	assert_failure
	assert_output --partial "verify FAILED offset=$((4096 * 100 + 3)) "
}

@test "nshelper --writers: threads keep rewriting and checking while running" {
	start_helper --mib 32 --writers 2 --churn
	assert_equal "$HELPER_WRITERS" 2
	verify_helper
	sleep 1
	verify_helper
	stop_helper
	[[ $HELPER_MAX_PAUSE_US =~ ^[0-9]+$ ]] && [ "$HELPER_MAX_PAUSE_US" -gt 0 ]
}

@test "nshelper --writers: a corrupted word in a writer's slice is caught" {
	start_helper --mib 8 --writers 1 --corrupt 4000000
	run stop_helper
	assert_failure
	assert_output --partial 'verify FAILED offset=4000000'
}

@test "nshelper --free-pct/--rewrite-pct: lazily freed pages, rewritten ones kept" {
	start_helper --mib 64 --thp --free-pct 50 --rewrite-pct 25
	assert_equal "$HELPER_FREE_LEN" $((32 * 1024 * 1024))
	assert_equal "$HELPER_REWRITE_LEN" $((16 * 1024 * 1024))
	local kb
	# MADV_FREE marks pages through a per-CPU batch: give it a moment
	for _ in 1 2 3 4 5; do
		kb=$(lazyfree_kb "$HELPER_PID" "$HELPER_ADDR")
		[ "$kb" -gt 0 ] && break
		sleep 0.2
	done
	[ "$kb" -gt 0 ] && [ "$kb" -le $(((HELPER_FREE_LEN - HELPER_REWRITE_LEN) / 1024)) ] ||
		fail "LazyFree $kb kB"
	stop_helper
}

@test "nshelper --fork: the child shares the pages (mapmax=2) and checks its own view" {
	start_helper --mib 16 --fork --node 1
	[ -n "$HELPER_CHILD" ] && kill -0 "$HELPER_CHILD"
	run grep "^${HELPER_ADDR#0x} " "/proc/$HELPER_PID/numa_maps"
	assert_output --partial 'mapmax=2'
	assert_equal "$(node_bytes "$HELPER_CHILD" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	stop_helper
	! kill -0 "$HELPER_CHILD" 2>/dev/null
}

@test "nshelper --shared-mib and --file: both mappings bound, filled and checked" {
	start_helper --mib 8 --node 1 --shared-mib 8 --file "$BATS_TEST_TMPDIR/data" --file-mib 4
	assert_equal "$HELPER_SHARED_LEN" $((8 * 1024 * 1024))
	assert_equal "$HELPER_FILE_LEN" $((4 * 1024 * 1024))
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_SHARED_ADDR")" "$HELPER_SHARED_LEN"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_FILE_ADDR")" "$HELPER_FILE_LEN"
	run grep "^${HELPER_FILE_ADDR#0x} " "/proc/$HELPER_PID/numa_maps"
	assert_output --partial "file=$BATS_TEST_TMPDIR/data"
	verify_helper
	stop_helper
}

@test "nshelper --hugetlb: huge pages when the pool has them, hugetlb=0 otherwise" {
	echo 0 >/proc/sys/vm/nr_hugepages
	start_helper --mib 4 --hugetlb 2
	assert_equal "$HELPER_HUGETLB" 0
	stop_helper
	echo 2 >/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages
	start_helper --mib 4 --hugetlb 2 --node 1
	echo 0 >/proc/sys/vm/nr_hugepages
	assert_equal "$HELPER_HUGETLB" 2
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_HUGETLB_ADDR")" "$HELPER_HUGETLB_LEN"
	stop_helper
}

@test "nshelper --mlock: the region is locked" {
	start_helper --mib 16 --mlock
	local kb
	kb=$(awk '/^VmLck:/ { print $2 }' "/proc/$HELPER_PID/status")
	[ "$kb" -ge 16384 ] || fail "VmLck $kb kB"
	stop_helper
}

@test "numactl's migratepages moves the helper to node 1, then to memory-only node 2" {
	start_helper --mib 64 --node 0
	migratepages "$HELPER_PID" 0 1
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	migratepages "$HELPER_PID" 1 2
	assert_equal "$(node_bytes "$HELPER_PID" 2 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" 0
	stop_helper
}

@test "zram swap can be turned on and off" {
	zram_swap 64
	run awk '/^SwapTotal:/ { print $2 }' /proc/meminfo
	[ "$output" -gt 60000 ]
	zram_swap_off
	run awk '/^SwapTotal:/ { print $2 }' /proc/meminfo
	assert_output 0
}
