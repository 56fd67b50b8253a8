#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mfree-discard on the host (one node, root, no swap): usage errors, dry
# runs, and real discards checked against smaps and the helper's data check.
bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load "$NS_TOP/tests/vm/tests/common"

SCHEMA=$NS_TOP/docs/schema/discard.schema.json

validate() { # a JSON file against the schema
	python3 - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
}

jq_py() { # jq_py FILE EXPR: print a Python expression over the document d
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

# Under memory pressure the kernel's own reclaim takes pages out of the lazy
# state before the tool looks: clean ones it frees, rewritten ones it finds
# dirty and makes swap-backed again (no counter tells the latter; CI once saw
# 21 such pages).  So the tests count the lazily freed pages themselves,
# independently of the tool: pagemap and kpageflags (root), anonymous and not
# swap-backed, after draining the kernel's per-CPU MADV_FREE batches.
# lazy_bytes PID ADDR LEN [UNIT]: the lazily freed bytes of [ADDR, ADDR+LEN);
# with UNIT (a THP size) whole blocks, judged by their first page.
lazy_bytes() {
	# a move_pages(2) call that moves (not one that only queries) drains
	# every CPU's batches first: mpprobe's, of one page it never touched
	mpprobe --node 0 --untouched 1 >/dev/null
	python3 - "$@" <<'PY'
import os, struct, sys
pid, addr, length = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3])
page = os.sysconf("SC_PAGE_SIZE")
unit = int(sys.argv[4]) if len(sys.argv) > 4 else page
KPF_ANON, KPF_SWAPBACKED = 1 << 12, 1 << 14
lazy = 0
with open(f"/proc/{pid}/pagemap", "rb") as pm, open("/proc/kpageflags", "rb") as kf:
    for a in range(addr, addr + length, unit):
        pm.seek(a // page * 8)
        e, = struct.unpack("<Q", pm.read(8))
        if not e >> 63 & 1:
            continue
        kf.seek((e & ((1 << 55) - 1)) * 8)
        f, = struct.unpack("<Q", kf.read(8))
        if f & KPF_ANON and not f & KPF_SWAPBACKED:
            lazy += unit
print(lazy)
PY
}
# assert_between VALUE LOW HIGH NAME
assert_between() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ] || fail "$4: $1, expected $2 to $3"
}

@test "--help and --version exit 0 on stdout" {
	run mfree-discard --help
	assert_success
	assert_output --partial "Usage: mfree-discard"
	run mfree-discard -V
	assert_success
	assert_output --regexp '^mfree-discard \(numashift\) '
}

@test "bad input: one line naming the problem, exit 2" {
	run mfree-discard
	assert_failure 2
	assert_output --partial "no process selected"
	assert_equal "${#lines[@]}" 1
	run mfree-discard -p 1 --mode fast
	assert_failure 2
	assert_output --partial "invalid --mode 'fast'"
	run mfree-discard -p 1 --thp maybe
	assert_failure 2
	assert_output --partial "invalid --thp 'maybe'"
	run mfree-discard -p 1 --timeout -3
	assert_failure 2
	assert_output --partial "invalid --timeout"
	run mfree-discard -p 1 --nodes 77
	assert_failure 2
	assert_output --partial "node 77"
	run mfree-discard -p 1 --vma bogus
	assert_failure 2
	assert_output --partial "bad --vma 'bogus'"
	run mfree-discard -p abc
	assert_failure 2
	run mfree-discard --frobnicate -p 1
	assert_failure 2
	assert_output --partial "frobnicate"
}

@test "a PID that does not exist: exit 1 naming it" {
	run mfree-discard -p 999999999
	assert_failure
	run mfree-discard -p 4000000
	assert_failure 1
	assert_output --partial "4000000"
}

@test "a process with no lazily freed pages: no-op, exit 0" {
	start_helper --mib 16 --no-thp
	run mfree-discard -p "$HELPER_PID" -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["candidate"]')" 0
	stop_helper
}

@test "--dry-run reports what would go and changes nothing" {
	need_root
	start_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	local clean=$((HELPER_FREE_LEN - HELPER_REWRITE_LEN)) rss c1 c2 lf before after
	# the count agrees with smaps, whose LazyFree is the clean lazily freed
	# pages (reclaim only takes pages out, so smaps lies between two counts)
	c1=$(lazy_bytes "$HELPER_PID" $((HELPER_ADDR + HELPER_REWRITE_LEN)) "$clean")
	lf=$(lazyfree_kb "$HELPER_PID")
	c2=$(lazy_bytes "$HELPER_PID" $((HELPER_ADDR + HELPER_REWRITE_LEN)) "$clean")
	assert_between $((lf * 1024)) "$c2" "$c1" "LazyFree against the count"
	rss=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")
	before=$(lazy_bytes "$HELPER_PID" "$HELPER_ADDR" "$HELPER_FREE_LEN")
	# the helper's MADV_FREE took (reclaim takes a few pages, not half)
	assert_between "$before" $((HELPER_FREE_LEN / 2)) "$HELPER_FREE_LEN" "lazily freed bytes"
	run mfree-discard -p "$HELPER_PID" --dry-run -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	after=$(lazy_bytes "$HELPER_PID" "$HELPER_ADDR" "$HELPER_FREE_LEN")
	validate "$BATS_TEST_TMPDIR/j"
	# precise mode: every lazily freed page, rewritten or not, as counted
	# just before and just after
	assert_between "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["found"]')" "$after" "$before" found
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["mode"]')" precise
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" '"discarded" in d["processes"][0]')" False
	# nothing dropped: the clean lazily freed pages are still there, less
	# at most 64 kB the kernel's reclaim may have freed meanwhile
	assert_between $(( $(lazyfree_kb "$HELPER_PID") * 1024 )) $((c2 - 65536)) "$c2" "LazyFree after"
	[ "$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")" -ge $((rss - 64)) ]
	stop_helper
}

@test "pages still in another CPU's MADV_FREE batch are found (the tool drains every CPU first)" {
	need_root
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	# the helper on CPU 1, this test and the tool on CPU 0: nothing drains
	# CPU 1's batch, whose last pages still look swap-backed
	taskset -p -c 0 "$BASHPID" >/dev/null
	printf '#!/bin/sh\nexec taskset -c 1 nshelper "$@"\n' >"$BATS_TEST_TMPDIR/pinned"
	chmod +x "$BATS_TEST_TMPDIR/pinned"
	NS_HELPER_BIN=$BATS_TEST_TMPDIR/pinned start_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	local clean=$((HELPER_FREE_LEN - HELPER_REWRITE_LEN))
	[ $(( $(lazyfree_kb "$HELPER_PID") * 1024 )) -lt "$clean" ] || skip "CPU 1's batch was drained already"
	run mfree-discard -p "$HELPER_PID" --dry-run -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	# every lazily freed page, as counted after a drain of every CPU (the
	# count only falls, by what reclaim may take meanwhile)
	assert_between "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["found"]')" \
		"$(lazy_bytes "$HELPER_PID" "$HELPER_ADDR" "$HELPER_FREE_LEN")" "$HELPER_FREE_LEN" found
	stop_helper
}

@test "precise mode: clean lazyfree pages go, rewritten ones stay intact" {
	need_root
	start_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	local clean=$((HELPER_FREE_LEN - HELPER_REWRITE_LEN)) rss r0 c0 found kept discarded
	r0=$(lazy_bytes "$HELPER_PID" "$HELPER_ADDR" "$HELPER_REWRITE_LEN")
	c0=$(lazy_bytes "$HELPER_PID" $((HELPER_ADDR + HELPER_REWRITE_LEN)) "$clean")
	# the helper's MADV_FREE took (reclaim takes a few pages, not half)
	assert_between "$r0" $((HELPER_REWRITE_LEN / 2)) "$HELPER_REWRITE_LEN" "rewritten lazily freed bytes"
	assert_between "$c0" $((clean / 2)) "$clean" "clean lazily freed bytes"
	# the Rss of the helper's region: the process's total also moves with
	# its stack and libc (CI once saw it 96 kB short of the clean bytes)
	rss=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")
	run mfree-discard -p "$HELPER_PID" -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	assert_equal "$(lazyfree_kb "$HELPER_PID")" 0
	local now=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR") drop
	drop=$((rss - now))
	# Rss fell by the clean lazily freed bytes
	assert_between "$drop" $((c0 / 1024 - 64)) $((c0 / 1024 + 64)) "Rss fall in kB"
	found=$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["found"]')
	kept=$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["kept"]')
	discarded=$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["discarded"]')
	# what was found was kept (rewritten) or discarded (clean), as counted
	# just before, less at most 64 kB reclaim took out of the lazy state
	# between that count and the tool's own look
	assert_equal $((kept + discarded)) "$found"
	assert_between "$found" $((r0 + c0 - 65536)) $((r0 + c0)) found
	assert_between "$kept" $((r0 - (r0 + c0 - found))) "$r0" kept
	assert_between "$discarded" $((c0 - (r0 + c0 - found))) "$c0" discarded
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["nodes"]["0"]["discarded"]')" "$discarded"
	verify_helper
	stop_helper
}

@test "THPs: rewritten ones are collapsed back, AnonHugePages falls by the clean ones" {
	need_root
	[ "$(cat /sys/kernel/mm/transparent_hugepage/enabled)" != "always madvise [never]" ] || skip "THP off"
	start_helper --mib 64 --thp --free-pct 50 --rewrite-pct 25
	[ "$HELPER_THP" = 1 ] || skip "no THPs here"
	local ahp=$(anon_huge_kb "$HELPER_PID") thp=$HELPER_THP_SIZE r0 c0
	[ "$ahp" -ge 65536 ] || skip "helper got only $ahp kB of THPs"
	# lazily freed THPs, rewritten and clean, counted by their head pages
	r0=$(lazy_bytes "$HELPER_PID" "$HELPER_ADDR" "$HELPER_REWRITE_LEN" "$thp")
	c0=$(lazy_bytes "$HELPER_PID" $((HELPER_ADDR + HELPER_REWRITE_LEN)) $((HELPER_FREE_LEN - HELPER_REWRITE_LEN)) "$thp")
	assert_between "$r0" $((HELPER_REWRITE_LEN / 2)) "$HELPER_REWRITE_LEN" "rewritten lazily freed THP bytes"
	run mfree-discard -p "$HELPER_PID" -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	# as with base pages: found, and kept or discarded, as counted just
	# before, less at most one THP reclaim took out of the lazy state
	local ft dt kt
	ft=$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["thp"]["found"]')
	dt=$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["thp"]["discarded"]')
	kt=$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["thp"]["kept"]')
	assert_equal $((kt + dt)) "$ft"
	assert_between "$ft" $(((r0 + c0) / thp - 1)) $(((r0 + c0) / thp)) "THPs found"
	assert_between "$kt" $((r0 / thp - ((r0 + c0) / thp - ft))) $((r0 / thp)) "THPs kept"
	assert_between "$dt" $((c0 / thp - ((r0 + c0) / thp - ft))) $((c0 / thp)) "THPs discarded"
	assert_equal "$(anon_huge_kb "$HELPER_PID")" $((ahp - dt * thp / 1024))
	assert_equal "$(lazyfree_kb "$HELPER_PID")" 0
	verify_helper
	stop_helper
}

@test "--thp skip leaves the THPs of a mapping with rewritten pages alone" {
	need_root
	start_helper --mib 32 --thp --free-pct 50 --rewrite-pct 25
	[ "$HELPER_THP" = 1 ] || skip "no THPs here"
	local ahp=$(anon_huge_kb "$HELPER_PID") lf=$(lazyfree_kb "$HELPER_PID")
	run mfree-discard -p "$HELPER_PID" --thp skip
	assert_success
	assert_output --partial "left out"
	assert_equal "$(anon_huge_kb "$HELPER_PID")" "$ahp"
	assert_equal "$(lazyfree_kb "$HELPER_PID")" "$lf"
	verify_helper
	stop_helper
}

@test "mapping mode without swap: discards 4K lazyfree pages, keeps live THP blocks" {
	need_root
	grep -q '^SwapTotal: *0 kB' /proc/meminfo || skip "host has swap"
	start_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	run mfree-discard -p "$HELPER_PID" --mode mapping -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["mode"]')" mapping
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["kept"]')" None
	assert_equal "$(lazyfree_kb "$HELPER_PID")" 0
	verify_helper
	stop_helper
	start_helper --mib 32 --thp --free-pct 50 --rewrite-pct 25
	[ "$HELPER_THP" = 1 ] || skip "no THPs here"
	local ahp=$(anon_huge_kb "$HELPER_PID")
	run mfree-discard -p "$HELPER_PID" --mode mapping
	assert_success
	assert_output --partial "possible live THPs"
	assert_equal "$(anon_huge_kb "$HELPER_PID")" "$ahp"
	verify_helper
	stop_helper
}

@test "non-root: names CAP_SYS_ADMIN for precise mode and CAP_SYS_NICE for discarding" {
	need_root
	local dir
	dir=$(mktemp -d /tmp/mfd-nobody.XXXXXX)
	chmod 777 "$dir"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NS_HELPERS/nshelper" --mib 8 --no-thp --free-pct 50 --ready "$dir/ready" \
		>"$dir/out" 2>&1 3>&- &
	local hp=$! i
	for ((i = 0; i < 100; i++)); do [ -f "$dir/ready" ] && break; sleep 0.1; done
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NS_BIN/mfree-discard" -p "$hp" --mode precise --dry-run
	assert_failure 4
	assert_output --partial "CAP_SYS_ADMIN"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NS_BIN/mfree-discard" -p "$hp" --dry-run
	assert_success
	assert_output --partial "precise mode needs CAP_SYS_ADMIN"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NS_BIN/mfree-discard" -p "$hp"
	assert_failure 4
	assert_output --partial "CAP_SYS_NICE"
	kill "$hp"; wait "$hp" || true
	rm -rf "$dir"
}

@test "--timeout and -A are accepted; a closed pipe ends quietly" {
	need_root
	# a name of its own: other nshelpers on the machine may come and go
	local name=nsh$$x$BATS_TEST_NUMBER
	cp "$(command -v nshelper)" "$BATS_TEST_TMPDIR/$name"
	NS_HELPER_BIN=$BATS_TEST_TMPDIR/$name start_helper --mib 8 --no-thp --free-pct 50
	run bash -c "mfree-discard -p $HELPER_PID --dry-run --timeout 30 | head -c 1 >/dev/null"
	assert_success
	run mfree-discard -n "$name" --dry-run -q
	assert_success
	assert_output --partial "$HELPER_PID"
	stop_helper
}

@test "-n: processes that exit before their turn are left out (exit 0); a named -p one counts" {
	need_root
	left_out_forced smaps mfree-discard --dry-run -o PID
	kill "$LONG_PID"
	wait "$LONG_PID" 2>/dev/null || true
	assert_equal "$LEFT_OUT_STATUS" 0
	run cat "$BATS_TEST_TMPDIR/left-out.err"
	assert_line "mfree-discard: warning: process $VICTIM_PID (nsl$$x$BATS_TEST_NUMBER) exited before its turn: left out"
	run cat "$BATS_TEST_TMPDIR/left-out.out"
	assert_line --regexp "^ *$LONG_PID\$"
	refute_output --partial "$VICTIM_PID"
	# a PID named with -p that does not exist still counts
	run mfree-discard -p "$LONG_PID" --dry-run
	assert_failure 1
}

@test "--sysroot DIR: a dry run reads a captured tree; changing it is refused; no pagemap is named" {
	local tree=$NS_TOP/tests/fixtures/trees/synth-4node
	run --separate-stderr mfree-discard --sysroot "$tree" --dry-run -J -p 1004
	assert_success
	assert_equal "$(jq_py <(echo "$output") 'd["processes"][0]["found"]')" 32768
	run --separate-stderr mfree-discard --sysroot "$tree" -p 1004
	assert_failure 2
	assert_equal "$stderr" "mfree-discard: refusing to change a process under --sysroot '$tree' (a captured tree can only be read) (try 'mfree-discard --help')"
	run --separate-stderr mfree-discard --sysroot "$tree" --dry-run -q -p 1000
	assert_failure 2
	assert_equal "$stderr" "mfree-discard: pid 1000: the tree under --sysroot has no /proc/1000/pagemap (capture-sysroot --pagemap)"
	run --separate-stderr mplace --sysroot "$tree" --dry-run -q -p 1004 --nodes 0
	assert_success
	assert_output --partial "pid 1004 (pager)"
	run --separate-stderr mplace --sysroot "$tree" --nodes 0 -- true
	assert_failure 2
}
