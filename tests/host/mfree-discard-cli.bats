#!/usr/bin/env bats
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

# Under memory pressure the kernel's own reclaim drops clean lazily freed
# pages (counted in /proc/vmstat pglazyfreed) before the tool sees them.
lazyfreed() { awk '$1 == "pglazyfreed" { print $2 }' /proc/vmstat; }
# start_helper, noting how many lazily freed pages the kernel dropped itself
# meanwhile (LZ_DROPPED, machine-wide)
start_lazy_helper() {
	local lz0
	lz0=$(lazyfreed)
	start_helper "$@"
	LZ_DROPPED=$(( $(lazyfreed) - lz0 ))
}
# Exact, unless the kernel dropped pages itself: then at most that many less.
assert_lazy_bytes() { # ACTUAL EXPECTED
	if [ "$LZ_DROPPED" -eq 0 ]; then
		assert_equal "$1" "$2"
		return
	fi
	[ "$1" -le "$2" ] && [ "$1" -ge $(( $2 - LZ_DROPPED * $(getconf PAGESIZE) )) ] ||
		fail "$1 bytes, expected $2 less at most $LZ_DROPPED pages the kernel reclaimed itself"
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
	assert_output --partial "invalid --vma 'bogus'"
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
	start_lazy_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	local lf=$(lazyfree_kb "$HELPER_PID") rss=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")
	[ "$lf" -gt 0 ] && [ "$rss" -gt 0 ]
	run mfree-discard -p "$HELPER_PID" --dry-run -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	# precise mode: every page freed with MADV_FREE, rewritten or not
	assert_lazy_bytes "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["found"]')" "$HELPER_FREE_LEN"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["mode"]')" precise
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" '"discarded" in d["processes"][0]')" False
	# nothing dropped: every clean lazily freed page is still there (the
	# dry run only drains the kernel's per-CPU MADV_FREE batches)
	assert_equal "$(lazyfree_kb "$HELPER_PID")" $(( (HELPER_FREE_LEN - HELPER_REWRITE_LEN) / 1024 ))
	[ "$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR")" -ge $((rss - 64)) ]
	stop_helper
}

@test "precise mode: clean lazyfree pages go, rewritten ones stay intact" {
	need_root
	start_lazy_helper --mib 32 --no-thp --free-pct 50 --rewrite-pct 25
	# the Rss of the helper's region: the process's total also moves with
	# its stack and libc (CI once saw it 96 kB short of the clean bytes)
	local rss=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR") clean_kb=$(( (HELPER_FREE_LEN - HELPER_REWRITE_LEN) / 1024 ))
	run mfree-discard -p "$HELPER_PID" -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	assert_equal "$(lazyfree_kb "$HELPER_PID")" 0
	local now=$(smaps_kb "$HELPER_PID" Rss "$HELPER_ADDR") drop
	drop=$((rss - now))
	# Rss fell by the clean lazily freed bytes
	[ "$drop" -ge $((clean_kb - 64)) ] && [ "$drop" -le $((clean_kb + 64)) ] ||
		fail "Rss fell by $drop kB, expected about $clean_kb kB"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["discarded"]')" \
		$((HELPER_FREE_LEN - HELPER_REWRITE_LEN))
	assert_lazy_bytes "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["kept"]')" "$HELPER_REWRITE_LEN"
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["nodes"]["0"]["discarded"]')" \
		$((HELPER_FREE_LEN - HELPER_REWRITE_LEN))
	verify_helper
	stop_helper
}

@test "THPs: rewritten ones are collapsed back, AnonHugePages falls by the clean ones" {
	need_root
	[ "$(cat /sys/kernel/mm/transparent_hugepage/enabled)" != "always madvise [never]" ] || skip "THP off"
	start_helper --mib 64 --thp --free-pct 50 --rewrite-pct 25
	[ "$HELPER_THP" = 1 ] || skip "no THPs here"
	local ahp=$(anon_huge_kb "$HELPER_PID")
	[ "$ahp" -ge 65536 ] || skip "helper got only $ahp kB of THPs"
	run mfree-discard -p "$HELPER_PID" -J
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/j"
	validate "$BATS_TEST_TMPDIR/j"
	local clean=$((HELPER_FREE_LEN - HELPER_REWRITE_LEN)) thp=$HELPER_THP_SIZE
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["thp"]["discarded"]')" $((clean / thp))
	assert_equal "$(jq_py "$BATS_TEST_TMPDIR/j" 'd["processes"][0]["thp"]["kept"]')" $((HELPER_REWRITE_LEN / thp))
	assert_equal "$(anon_huge_kb "$HELPER_PID")" $((ahp - clean / 1024))
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
	left_out_runs "nsq$$x$BATS_TEST_NUMBER" mfree-discard --dry-run
	kill "$LONG_PID"
	wait "$LONG_PID" 2>/dev/null || true
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
