#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# topo: 2node
# Kinds of memory: pages shared with another process (--move-all), hugetlb
# pages (the target's pool), THP without kpageflags.

load common
bats_require_minimum_version 1.5.0

# NUMA balancing would move the helper's pages behind the tests' back (the
# tool warns about it); off for these tests, restored afterwards.
setup_file() { numa_balancing_off; }

teardown_file() { numa_balancing_restore; }

HP=/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages

pool() { printf "$HP" "$1"; }

MFK=/proc/sys/vm/min_free_kbytes

teardown() {
	helper_cleanup
	echo 0 >"$(pool 0)"
	echo 0 >"$(pool 1)"
	[ -z "${MFK_WAS:-}" ] || echo "$MFK_WAS" >"$MFK"
	return 0
}

@test "pages shared with a forked child stay unless --move-all" {
	start_helper --mib 32 --node 0 --no-thp --fork
	# stopped: engine auto may take the single call
	proc_stop "$HELPER_PID"
	run mmigrate -J "$HELPER_PID" 0 1
	proc_cont "$HELPER_PID"
	assert_success
	assert_output --partial "--move-all"
	local shared
	shared=$(echo "$output" | sed -n '/^{/,$p' | jq '.processes[0].shared_left_bytes')
	[ "$shared" -ge "$HELPER_LEN" ] || fail "shared $shared"
	# when something was planned (pages the parent wrote since the fork),
	# it went in one migrate_pages(2) call made without CAP_SYS_NICE: the
	# kernel left the shared pages where they are
	local engine
	engine=$(echo "$output" | sed -n '/^{/,$p' | jq -r '.processes[0].engine')
	[ "$engine" = syscall ] || [ "$engine" = null ] || fail "engine $engine"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	run mmigrate -q --move-all "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	verify_helper
}

@test "a hugetlb mapping moves when the target's pool has room" {
	[ -e "$(pool 0)" ] || skip "no 2 MiB hugetlb pages"
	echo 4 >"$(pool 0)"
	echo 4 >"$(pool 1)"
	start_helper --mib 8 --node 0 --no-thp --hugetlb 4
	[ "${HELPER_HUGETLB:-0}" = 4 ] || skip "no hugetlb pages for the helper"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_HUGETLB_ADDR")" "$HELPER_HUGETLB_LEN"
	run mmigrate -q "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_HUGETLB_ADDR")" "$HELPER_HUGETLB_LEN"
	verify_helper
}

@test "a hugetlb memfd, which maps shows as a plain memfd, moves as whole huge pages" {
	[ -e "$(pool 0)" ] || skip "no 2 MiB hugetlb pages"
	echo 4 >"$(pool 0)"
	echo 4 >"$(pool 1)"
	start_helper --mib 8 --node 0 --no-thp --hugetlb 4 --hugetlb-memfd
	[ "${HELPER_HUGETLB:-0}" = 4 ] || skip "no hugetlb pages for the helper"
	# the move plans from maps and pagemap; only the memfd's device tells
	# it from a shmem memfd, and then numa_maps gives its page size
	grep -q "^$(ns_hexnorm "$HELPER_HUGETLB_ADDR")-.*/memfd:nshelper-huge" /proc/"$HELPER_PID"/maps
	run mmigrate -q --plan-out "$BATS_TEST_TMPDIR/plan.json" "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_HUGETLB_ADDR")" "$HELPER_HUGETLB_LEN"
	run jq -c --arg a "$(printf '0x%x' "$HELPER_HUGETLB_ADDR")" \
		'[.processes[0].runs[] | select(.map_start == $a) | [.class, .step, .pages]]' \
		"$BATS_TEST_TMPDIR/plan.json"
	assert_output '[["hugetlb",2097152,2048]]'
	assert_equal "$(jq '.processes[0].numa_maps' "$BATS_TEST_TMPDIR/plan.json")" true
	verify_helper
}

zero_page_case() { # --no-thp | --thp: a region only read, then its plans
	start_helper --mib 8 --node 0 "$1" --zero-mib 16
	local vma plan=$BATS_TEST_TMPDIR/plan.json
	vma=$(helper_region "$HELPER_ZERO_ADDR" "$HELPER_ZERO_LEN")
	# the region is the zero page: the kernel's query says -EFAULT for it
	run mp_status "$HELPER_PID" "$HELPER_ZERO_ADDR" "$HELPER_ZERO_LEN"
	[[ "$output" == *name=EFAULT* ]] || skip "this kernel maps no zero page there: $output"
	# as root its PFN tells it: nothing to plan, not counted as shared
	run mmigrate -q --plan-out "$plan" --vma "$vma" "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(jq -c '.processes[0] | [.planned_pages, .shared_pages]' "$plan")" '[0,0]'
	# --move-all would ask the kernel to move it, and fail (exit 3)
	run mmigrate -q --move-all --plan-out "$plan" --vma "$vma" "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(jq '.processes[0].planned_pages' "$plan")" 0
	verify_helper
}

@test "the shared zero page is never planned, not even with --move-all" {
	zero_page_case --no-thp
}

@test "the huge zero page is never planned either (THP regions only read)" {
	zero_page_case --thp
}

@test "a hugetlb mapping is reported not moved when the target has no room" {
	[ -e "$(pool 0)" ] || skip "no 2 MiB hugetlb pages"
	echo 4 >"$(pool 0)"
	echo 0 >"$(pool 1)"
	start_helper --mib 8 --node 0 --no-thp --hugetlb 4
	[ "${HELPER_HUGETLB:-0}" = 4 ] || skip "no hugetlb pages for the helper"
	local pid=$HELPER_PID addr=$HELPER_HUGETLB_ADDR len=$HELPER_HUGETLB_LEN k
	# the kernel takes a free pool page on the target or allocates a fresh
	# huge page there: take every huge page node 1 can give into its pool,
	# and have a second helper use all of them
	echo 100000 >"$(pool 1)"
	k=$(cat "$(pool 1)")
	[ "$k" -gt 0 ] || skip "node 1 gave no huge pages"
	start_helper --mib 1 --no-thp --hugetlb "$k"
	[ "${HELPER_HUGETLB:-0}" = "$k" ] || skip "second helper got ${HELPER_HUGETLB:-0} of $k huge pages"
	# What node 1 has left is about its min watermark (min_free_kbytes is
	# large with THPs: 66 MiB here), with whole free 4 MiB blocks in it.
	# Whatever reclaim or an exiting process frees there lifts it, and 2 MiB
	# above the watermark a fresh huge page passes: 2 of 4 pages moved in
	# one run.  So raise the watermarks above all that node 1 has free: the
	# reserve is shared out by zone size, and node 1 gets about half of it.
	MFK_WAS=$(cat "$MFK")
	echo $((MFK_WAS + 2 * ($(node_free_kb 1) + 65536))) >"$MFK"
	run mmigrate -J --force --min-free 0 --vma "$(helper_region "$addr" "$len")" "$pid" 0 1
	local json not on0
	json=$(echo "$output" | sed -n '/^{/,$p')
	not=$(echo "$json" | jq '.processes[0].not_moved_bytes')
	on0=$(node_bytes "$pid" 0 "$addr")
	assert_equal "$not" "$on0"
	[ "$on0" = "$len" ] || fail "$on0 of $len bytes stayed on node 0: node 1 had room"
	assert_equal "$status" 1
	verify_helper "$pid"
}

@test "--engine syscall: one migrate_pages call moves the pages" {
	start_helper --mib 64 --node 0 --thp
	local ahp
	ahp=$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")
	run mmigrate -q -J --engine syscall "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(echo "$output" | jq -r '.engine')" syscall
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	assert_equal "$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")" "$ahp"
	verify_helper
}

@test "engine auto: a running process gets move_pages calls, a stopped one the single call" {
	local running="running: move_pages calls within --max-stall"
	local stopped="every thread stopped: one call, nothing notices"
	start_helper --mib 64 --node 0 --no-thp --writers 1
	# running (a writer thread): never the call that freezes it
	run --separate-stderr mmigrate -J --move-all "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(echo "$output" | jq -r '.engine')" auto
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine')" pages
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine_reason')" "$running"
	assert_equal "$(echo "$output" | jq '.processes[0].stall.budget_ms')" 20
	[ "$(echo "$output" | jq '.processes[0].stall.calls')" -gt 1 ] || fail "one call"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	run mmigrate --dry-run --move-all "$HELPER_PID" 1 0
	assert_success
	assert_output --partial "engine pages ($running)"
	# stopped: the single call, and it says why
	proc_stop "$HELPER_PID"
	run mmigrate --dry-run -J --move-all "$HELPER_PID" 1 0
	assert_success
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine')" syscall
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine_reason')" "$stopped"
	# as root migrate_pages moves shared pages too: the same job is --move-all
	run --separate-stderr mmigrate -J --move-all "$HELPER_PID" 1 0
	assert_success
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine')" syscall
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine_reason')" "$stopped"
	assert_equal "$(echo "$output" | jq '.processes[0].calls')" 1
	assert_equal "$(echo "$output" | jq '.processes[0].stall.calls')" 1
	assert_equal "$(echo "$output" | jq '.processes[0].stall.budget_ms')" null
	assert_equal "$(echo "$output" | jq '.processes[0].syscall_not_migrated')" 0
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
	[ "$(echo "$output" | jq '.processes[0].moved_bytes')" -ge "$HELPER_LEN" ]
	proc_cont "$HELPER_PID"
	verify_helper
}

@test "a terminal changes what is drawn, never what runs (script(1))" {
	command -v script >/dev/null || skip "no script(1) in the guest"
	start_helper --mib 64 --node 0 --no-thp
	local out=$BATS_TEST_TMPDIR/out tty=$BATS_TEST_TMPDIR/tty
	local running="running: move_pages calls within --max-stall"
	# standard error is the terminal script(1) makes; the JSON goes to a file
	script -qfec "mmigrate -J $HELPER_PID 0 1 >$out" "$tty" </dev/null
	assert_equal "$(jq -r '.processes[0].engine' "$out")" pages
	assert_equal "$(jq -r '.processes[0].engine_reason' "$out")" "$running"
	grep -q 'ETA' "$tty" || fail "no progress on the terminal: $(cat -v "$tty" | head -c 300)"
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	# -q: no progress, the same engine
	script -qfec "mmigrate -q -J $HELPER_PID 1 0 >$out" "$tty" </dev/null
	assert_equal "$(jq -r '.processes[0].engine' "$out")" pages
	assert_equal "$(jq -r '.processes[0].engine_reason' "$out")" "$running"
	! grep -q 'ETA' "$tty" || fail "progress drawn despite -q"
	# no terminal at all: the same engine
	run --separate-stderr mmigrate -J "$HELPER_PID" 0 1
	assert_success
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine_reason')" "$running"
	# a stopped process gets the single call with a terminal as without
	proc_stop "$HELPER_PID"
	script -qfec "mmigrate -J $HELPER_PID 1 0 >$out" "$tty" </dev/null
	assert_equal "$(jq -r '.processes[0].engine' "$out")" syscall
	run --separate-stderr mmigrate -J "$HELPER_PID" 0 1
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine')" syscall
	proc_cont "$HELPER_PID"
	verify_helper
}

@test "engine auto keeps move_pages for THPs, --vma, --threads, --rate, --batch, --timeout" {
	local r
	start_helper --mib 16 --node 0 --no-thp
	local a=$HELPER_PID region
	region=$(helper_region)
	# stopped: only the options keep move_pages
	proc_stop "$a"
	for opt in "--vma $region:--vma" "--threads 2:--threads" "--rate 1G:--rate" "--batch 512:--batch" \
		"--timeout 60:--timeout"; do
		run --separate-stderr mmigrate -J --move-all ${opt%%:*} "$a" 0 1
		assert_success
		assert_equal "$(echo "$output" | jq -r '.processes[0].engine')" pages
		assert_equal "$(echo "$output" | jq -r '.processes[0].engine_reason')" "${opt##*:}"
		run --separate-stderr mmigrate -q -J --move-all "$a" 1 0
		assert_success
	done
	# without --move-all too (shared library pages left out): the call is
	# made without CAP_SYS_NICE
	run --separate-stderr mmigrate -J "$a" 0 1
	assert_success
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine')" syscall
	assert_equal "$(node_bytes "$a" 1 "$HELPER_ADDR")" "$HELPER_LEN"
	r=$(echo "$output" | jq '.processes[0].shared_left_bytes')
	# the shared (library) pages are still on node 0: with CAP_SYS_NICE
	# raised the call would have moved them (MPOL_MF_MOVE_ALL) and a new
	# plan would find none left there
	[ "$r" -gt 0 ] || skip "no shared pages on node 0 to leave out"
	run --separate-stderr mmigrate --dry-run -J "$a" 0 1
	assert_success
	local after
	after=$(echo "$output" | jq '.processes[0].shared_pages * .page_size')
	[ "$after" -ge $((r / 2)) ] || fail "shared bytes left on node 0: $r before, $after after"
	proc_cont "$a"
	verify_helper "$a"
	# THPs are moved and counted one by one
	start_helper --mib 32 --node 0 --thp
	proc_stop "$HELPER_PID"
	run --separate-stderr mmigrate -J --move-all "$HELPER_PID" 0 1
	proc_cont "$HELPER_PID"
	assert_success
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine')" pages
	assert_equal "$(echo "$output" | jq -r '.processes[0].engine_reason')" THPs
	verify_helper
}

# After `run mmigrate -J --discard-lazyfree` on the helper (node 0 -> 1):
# CLEAN bytes were clean lazily freed; they were discarded (MADV_FREE marks
# pages through a per-CPU batch: a little slack), everything else moved, and
# nothing of the region is left on node 0.  `discarded` is set.
assert_discarded() {
	local clean=$1 moved
	assert_success
	discarded=$(echo "$output" | jq '.processes[0].discarded_bytes')
	moved=$(echo "$output" | jq '.processes[0].moved_bytes')
	[ "$discarded" -ge $((clean * 9 / 10)) ] && [ "$discarded" -le "$clean" ] ||
		fail "discarded $discarded of $clean clean lazily freed bytes"
	[ "$moved" -ge $((HELPER_LEN - clean)) ] ||
		fail "moved $moved: $(echo "$output" | jq -c '.processes[0] | del(.pairs)')"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" 0
	assert_equal "$(node_bytes "$HELPER_PID" 1 "$HELPER_ADDR")" $((HELPER_LEN - discarded))
	verify_helper
}

@test "--discard-lazyfree drops clean lazily freed pages instead of copying them" {
	start_helper --mib 64 --node 0 --no-thp --free-pct 50 --rewrite-pct 25
	local clean=$((HELPER_FREE_LEN - HELPER_REWRITE_LEN))
	run mmigrate -q -J --discard-lazyfree "$HELPER_PID" 0 1
	assert_discarded "$clean"
}

@test "--discard-lazyfree with THPs and --threads 2: clean THPs dropped, rewritten ones moved whole" {
	start_helper --mib 64 --node 0 --thp --free-pct 50 --rewrite-pct 25
	local clean=$((HELPER_FREE_LEN - HELPER_REWRITE_LEN)) ahp
	ahp=$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")
	# the discard scans, pages out and the two movers take what it has
	# scanned past (the lazyfree THPs come first in the region)
	run mmigrate -q -J --discard-lazyfree --threads 2 "$HELPER_PID" 0 1
	assert_discarded "$clean"
	[ "$ahp" -gt 0 ] || skip "no THP in the helper"
	# what was not discarded is still in THPs
	assert_equal "$(anon_huge_kb "$HELPER_PID" "$HELPER_ADDR")" $(((HELPER_LEN - discarded) / 1024))
}

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

@test "without root (no kpageflags): THPs still move whole, one entry each on 6.7+, the report is still right" {
	command -v setpriv >/dev/null || skip "no setpriv in the guest"
	local dir
	dir=$(mktemp -d /tmp/nb.XXXXXX)
	chmod 777 "$dir"
	$NOBODY nshelper --mib 64 --node 0 --thp --ready "$dir/ready" >"$dir/out" 2>&1 3>&- &
	local nb=$! i
	for ((i = 0; i < 600; i++)); do [ -f "$dir/ready" ] && break; sleep 0.1; done
	local addr len ahp
	addr=$(sed -n 's/.* addr=\([^ ]*\).*/\1/p' "$dir/ready")
	len=$(sed -n 's/.* len=\([^ ]*\).*/\1/p' "$dir/ready")
	ahp=$(anon_huge_kb "$nb" "$addr")
	run $NOBODY mmigrate -q -J --vma "$(helper_region "$addr" "$len")" "$nb" 0 1
	local ahp_after on1
	ahp_after=$(anon_huge_kb "$nb" "$addr")
	on1=$(node_bytes "$nb" 1 "$addr")
	kill "$nb"; wait "$nb" || true
	assert_success
	assert_equal "$on1" "$len"
	assert_equal "$ahp_after" "$ahp"
	assert_equal "$(echo "$output" | jq '.processes[0].moved_bytes')" "$len"
	assert_equal "$(echo "$output" | jq '.processes[0].not_moved_bytes')" 0
	# 6.7+: PAGEMAP_SCAN shows the THPs without root, one entry each;
	# before, every base page is an entry (the tails then EBUSY, moved whole)
	local major minor thps
	IFS=. read -r major minor _ <<<"$(uname -r)"
	thps=$(echo "$output" | jq '.processes[0].thp_planned')
	if (( major > 6 || (major == 6 && minor >= 7) )); then
		assert_equal "$thps" $((ahp / 2048))
	else
		assert_equal "$thps" 0
	fi
	grep -qx 'verify ok' "$dir/out" || fail "$(cat "$dir/out")"
	rm -rf "$dir"
	[ "$ahp" -gt 0 ] || skip "no THP in the helper"
}

@test "moving another user's process: exit 4, naming what is missing" {
	command -v setpriv >/dev/null || skip "no setpriv in the guest"
	start_helper --mib 8 --node 0 --no-thp
	run $NOBODY mmigrate "$HELPER_PID" 0 1
	assert_failure 4
	assert_equal "${#lines[@]}" 1
	assert_output --partial "moving pages of pid $HELPER_PID (uid 0) needs to run as its user or CAP_SYS_PTRACE"
	assert_equal "$(node_bytes "$HELPER_PID" 0 "$HELPER_ADDR")" "$HELPER_LEN"
}
