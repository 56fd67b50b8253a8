#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# tests/bench/report: make bench's raw lines -> docs/PERFORMANCE.md and
# bench-results.json.  The fixture is the raw output of a real make bench
# (tests/fixtures/bench-raw: both guest kernels and the host part); the
# figures checked here are computed again from the raw lines with awk.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

setup() {
	NS_TOP=${NS_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	REPORT=$NS_TOP/tests/bench/report
	RAW=$NS_TOP/tests/fixtures/bench-raw
	command -v python3 >/dev/null || skip "python3 is not installed"
	command -v jq >/dev/null || skip "jq is not installed"
}

# median KERNEL EXPR key=value...: the median of the awk expression EXPR over
# the good samples that match, from the raw lines of KERNEL; EXPR reads a
# sample's fields as v["name"] (e.g. 'v["seconds"]')
median() {
	local k=$1 e=$2
	shift 2
	awk -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		$1 == "NSB" {
			delete v
			for (i = 2; i <= NF; i++) { j = index($i, "="); v[substr($i, 1, j - 1)] = substr($i, j + 1) }
			for (i = 1; i <= n; i++) { j = index(w[i], "="); if (v[substr(w[i], 1, j - 1)] != substr(w[i], j + 1)) next }
			if (v["ok"] != "1") next
			x[++c] = '"$e"'
		}
		END {
			for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			if (c % 2) printf "%.9f\n", x[(c + 1) / 2]; else printf "%.9f\n", (x[c / 2] + x[c / 2 + 1]) / 2
		}' "$RAW/guest-$k.log"
}

# ratio_is DOCS KERNEL TARGET-PREFIX A B: the report's ratio for the first
# target of KERNEL whose name starts with TARGET-PREFIX is A/B (to 4 places)
ratio_is() {
	local got want
	want=$(awk -v a="$4" -v b="$5" 'BEGIN { printf "%.4f", a / b }')
	got=$(jq -r --arg k "$2" --arg n "$3" '[.guest[$k].targets[] | select(.target | startswith($n))][0] |
		.ratio * 10000 | round / 10000 | tostring' "$1/bench-results.json")
	awk -v a="$want" -v b="$got" 'BEGIN { exit !(a - b < 0.00015 && b - a < 0.00015) }' ||
		fail "$2 '$3': report $got, raw medians $want"
}

@test "report: usage error without RAWDIR and DOCSDIR, exit 2 and one line" {
	run --separate-stderr "$REPORT"
	assert_equal "$status" 2
	assert_equal "$stderr" "usage: tests/bench/report RAWDIR [RAWDIR...] DOCSDIR"
}

@test "report: the fixture builds PERFORMANCE.md and bench-results.json with every target row" {
	local d=$BATS_TEST_TMPDIR/docs k
	run -0 "$REPORT" "$RAW" "$d"
	[ -s "$d/PERFORMANCE.md" ] || fail "no PERFORMANCE.md"
	run -0 jq -e '.guest | keys == ["6.1", "6.12"]' "$d/bench-results.json"
	for k in 6.1 6.12; do
		# 4k and THP at 3 sizes against 2 tools (12), --move-all at 256 and
		# 512 MiB (4), 3 rows per --threads size (9), discard (1), 2 planning
		# rows per kind (4), memcpy at 3 sizes (3)
		run -0 jq --arg k "$k" '.guest[$k].targets | length' "$d/bench-results.json"
		assert_output 33
		run -0 jq -r --arg k "$k" '.guest[$k].targets[] | select(.status != "PASS" and .status != "MISS") | .target' \
			"$d/bench-results.json"
		assert_output ""
		grep -q "^| \\[$k\\] --threads 2 vs --threads 1 (serial), the ceiling: each serial run against itself" "$d/PERFORMANCE.md" ||
			fail "no ceiling row for $k"
	done
	grep -q '^Why the missed targets are missed:' "$d/PERFORMANCE.md" || fail "no why-text"
}

@test "report: ratios are ratios of the medians of the raw samples" {
	local d=$BATS_TEST_TMPDIR/docs k mib
	run -0 "$REPORT" "$RAW" "$d"
	for k in 6.1 6.12; do
		for mib in 256 1024; do
			ratio_is "$d" "$k" "--threads 2 vs --threads 1 (serial), thp $mib MiB" \
				"$(median "$k" 'v["seconds"]' test=compare kind=thp mib=$mib tool=threads1)" \
				"$(median "$k" 'v["seconds"]' test=compare kind=thp mib=$mib tool=threads2)"
		done
		# the ceiling: the serial runs against themselves with the move
		# halved, median against median
		ratio_is "$d" "$k" "--threads 2 vs --threads 1 (serial), the ceiling: each serial run against itself with a move twice as fast, thp 256 MiB" \
			"$(median "$k" 'v["seconds"]' test=compare kind=thp mib=256 tool=threads1)" \
			"$(median "$k" 'v["seconds"] - v["tool_seconds"] / 2' test=compare kind=thp mib=256 tool=threads1)"
	done
	# the discard: a time ratio against the plain move of the same part
	ratio_is "$d" 6.12 "--discard-lazyfree" \
		"$(median 6.12 'v["seconds"]' test=lazyfree tool=discard)" \
		"$(median 6.12 'v["seconds"]' test=lazyfree tool=mmigrate)"
}

@test "report: a run from before --threads auto compares --threads 2 with its serial default" {
	# tests/fixtures/bench-raw-serial: a real make bench of 3e6889e, whose
	# default mmigrate was serial and which had no --threads 1 samples
	local d=$BATS_TEST_TMPDIR/docs k
	RAW=$NS_TOP/tests/fixtures/bench-raw-serial
	run -0 "$REPORT" "$RAW" "$d"
	for k in 6.1 6.12; do
		ratio_is "$d" "$k" "--threads 2 vs serial, thp 256 MiB" \
			"$(median "$k" 'v["seconds"]' test=compare kind=thp mib=256 tool=mmigrate)" \
			"$(median "$k" 'v["seconds"]' test=compare kind=thp mib=256 tool=threads2)"
		run -0 jq --arg k "$k" '[.guest[$k].targets[] | select(.target | startswith("--threads 2 vs serial"))] | length' \
			"$d/bench-results.json"
		assert_output 9
		grep -q "^| \\[$k\\] --threads 2 vs --threads 1" "$d/PERFORMANCE.md" && fail "a row compares against a --threads 1 run that is not there"
	done
	return 0
}

@test "report: a default that ran two workers is never called serial, with --threads 1 samples missing" {
	local d=$BATS_TEST_TMPDIR/docs raw=$BATS_TEST_TMPDIR/raw k
	mkdir -p "$raw"
	cp "$RAW/host.log" "$raw/"
	for k in 6.1 6.12; do
		grep -v '^NSB test=compare .* tool=threads1 ' "$RAW/guest-$k.log" >"$raw/guest-$k.log"
		grep -q '^NSB test=compare kind=thp .* tool=mmigrate .* threads_ran=2 ' "$raw/guest-$k.log" ||
			fail "the fixture's default ran no two workers on $k"
	done
	run -0 "$REPORT" "$raw" "$d"
	for k in 6.1 6.12; do
		# (the memcpy ceiling rows stay: they need no serial mover)
		run -0 jq --arg k "$k" '[.guest[$k].targets[] | select(.target | test("^--threads 2 vs (serial|--threads 1)"))] | length' \
			"$d/bench-results.json"
		assert_output 0
	done
}

@test "report: a guest booted again counts only its last boot's samples" {
	local once=$BATS_TEST_TMPDIR/once again=$BATS_TEST_TMPDIR/again json
	mkdir -p "$once" "$again"
	cp "$RAW/host.log" "$RAW/guest-6.12.log" "$once/"
	cp "$RAW/host.log" "$RAW/guest-6.12.log" "$again/"
	# the last boot got as far as the first half of the fixture
	head -n 150 "$RAW/guest-6.1.log" >"$once/guest-6.1.log"
	# before it, a boot that the emulator killed late: every sample of the
	# fixture, ten times slower, on another kernel
	{
		awk '/^NSB test=/ { sub(/ seconds=/, " seconds=9") } /^NSB info/ { sub(/kernel=[^ ]*/, "kernel=first-boot") } 1' \
			"$RAW/guest-6.1.log"
		# the line tests/vm/run prints between the boots
		echo "vm 6.1 bench: the guest kernel died of an emulator fault, not of a test: int3 oops in kernel text; booting again (try 2 of 3; tests/vm/README.md)"
		cat "$once/guest-6.1.log"
	} >"$again/guest-6.1.log"
	# the report knows the boots apart by that line: tests/vm/run must print it
	grep -q '^[[:space:]]*echo "vm $label: the guest kernel died of an emulator fault, not of a test: $flake; booting again (try ' \
		"$NS_TOP/tests/vm/run" || fail "tests/vm/run no longer prints the line the report looks for"
	run -0 "$REPORT" "$once" "$once/docs"
	run -0 "$REPORT" "$again" "$again/docs"
	for json in "$once" "$again"; do
		jq -S 'del(.generated)' "$json/docs/bench-results.json" >"$json/results"
	done
	run diff "$once/results" "$again/results"
	assert_success
}

# stall_median KERNEL FIELD key=value...: the median of FIELD over every
# stall-family sample that matches, incomplete moves included (the report
# counts the stall the workload saw during a move cut short too)
stall_median() {
	local k=$1 f=$2
	shift 2
	awk -v want="$*" -v f="$f" '
		BEGIN { n = split(want, w, " ") }
		$1 == "NSB" && $2 == "test=stallwork" {
			delete v
			for (i = 2; i <= NF; i++) { j = index($i, "="); v[substr($i, 1, j - 1)] = substr($i, j + 1) }
			for (i = 1; i <= n; i++) { j = index(w[i], "="); if (v[substr(w[i], 1, j - 1)] != substr(w[i], j + 1)) next }
			x[++c] = v[f] + 0
		}
		END {
			for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			if (c % 2) printf "%.9f\n", x[(c + 1) / 2]; else printf "%.9f\n", (x[c / 2] + x[c / 2 + 1]) / 2
		}' "$STALL/guest-$k.log"
}

@test "report: the stall family gives its table, plot and target rows" {
	local d=$BATS_TEST_TMPDIR/docs k kind mib n
	STALL=$NS_TOP/tests/fixtures/bench-raw-stall
	run -0 "$REPORT" "$STALL" "$d"
	for k in $(cd "$STALL" && ls guest-*.log | sed 's/^guest-//; s/\.log$//'); do
		grep -q "^### The busy process's stall" "$d/PERFORMANCE.md" || fail "no stall table"
		[ -s "$d/perf/stall-$k.png" ] || fail "no stall plot for $k"
		grep -q "^!\[stall\](perf/stall-$k.png)" "$d/PERFORMANCE.md" || fail "the page does not show the stall plot"
		grep -q "^What bounds the busy process's time ratio: .* 4 KiB 512 MiB: [0-9.]*x = [0-9.]* against [0-9.]* CPU seconds" \
			"$d/PERFORMANCE.md" || fail "the busy time ratio is not split into CPU seconds and share"
		# one table row per kind, size and mover that ran
		for kind in 4k thp; do
			for mib in 512 1024; do
				grep -q "^NSB test=stallwork kind=$kind mib=$mib tool=migratepages " "$STALL/guest-$k.log" || continue
				grep -q "^| $kind | $mib MiB | migratepages(8) | " "$d/PERFORMANCE.md" ||
					fail "no row for migratepages, $kind $mib MiB"
			done
		done
		# every stall target is decided, and the 4 KiB stall ratio is the
		# ratio of the raw medians
		run -0 jq -r --arg k "$k" '.guest[$k].targets[] | select(.target | startswith("busy process")) |
			select(.status != "PASS" and .status != "MISS") | .target' "$d/bench-results.json"
		assert_output ""
		for mib in 512 1024; do
			grep -q "^NSB test=stallwork kind=4k mib=$mib tool=mmigrate " "$STALL/guest-$k.log" || continue
			ratio_is "$d" "$k" "busy process: worst stall of default mmigrate vs migratepages(8), 4k $mib MiB" \
				"$(stall_median "$k" worst_stall_ms kind=4k mib=$mib tool=mmigrate)" \
				"$(stall_median "$k" worst_stall_ms kind=4k mib=$mib tool=migratepages)"
		done
	done
	# p99 against the budget, from mmigrate's JSON: one row per kind and
	# size that default mmigrate moved
	n=$(grep '^NSB test=stallwork .* tool=mmigrate ' "$STALL/guest-6.1.log" |
		sed 's/.* kind=\([^ ]*\) mib=\([^ ]*\) .*/\1 \2/' | sort -u | wc -l)
	[ "$n" -ge 2 ] || fail "the fixture has $n kinds and sizes moved by mmigrate"
	run -0 jq -e --argjson n "$n" '[.guest["6.1"].targets[] | select(.target | startswith("busy process: default mmigrate'"'"'s p99 call"))] |
		length == $n and all(.goal == 1.5)' "$d/bench-results.json"
	# the goal: 1/20 of migratepages' on a kernel that freezes (up to 6.6)
	run -0 jq -e '[.guest["6.1"].targets[] | select(.target | startswith("busy process: worst stall")) | .goal] |
		length > 0 and all(. == 0.05)' "$d/bench-results.json"
}

@test "report: several RAWDIRs merge, a part measured again replaces the earlier one whole" {
	local d=$BATS_TEST_TMPDIR/docs
	STALL=$NS_TOP/tests/fixtures/bench-raw-stall
	run -0 "$REPORT" "$RAW" "$STALL" "$d"
	# the earlier run's families are all there, and the stall family
	grep -q '^### --batch' "$d/PERFORMANCE.md" || fail "the earlier run's --batch table is gone"
	grep -q "^### The busy process's stall" "$d/PERFORMANCE.md" || fail "no stall table"
	grep -q '^## Host' "$d/PERFORMANCE.md" || fail "the earlier run's host part is gone"
	# 4k 512 MiB compared again in the stall run: its --threads 2 and
	# --move-all rows of the earlier run are gone with it
	run -0 jq -r '[.guest["6.1"].moves[] | select(.kind == "4k" and .mib == 512) | .tool] | sort | join(" ")' \
		"$d/bench-results.json"
	assert_output "$(grep '^NSB test=compare kind=4k mib=512 ' "$STALL/guest-6.1.log" |
		sed 's/.* tool=\([^ ]*\) .*/\1/' | sort -u | tr '\n' ' ' | sed 's/ $//')"
	grep -q '^This section merges 2 guest runs' "$d/PERFORMANCE.md" || fail "the merge is not said"
}

@test "report: the moves plot explains its empty slots" {
	local d=$BATS_TEST_TMPDIR/docs
	run -0 "$REPORT" "$RAW" "$d"
	# the fixture measures --move-all at 256 and 512 MiB only
	grep -q '^An empty slot in the plot is a figure this run does not measure: .*--move-all.* at 4 KiB 1024 MiB, THP 1024 MiB' \
		"$d/PERFORMANCE.md" || fail "the missing --move-all bars are not explained"
}

# redis_median KERNEL TOOL KEY: the median of KEY over the NSR move lines of
# TOOL in tests/fixtures/bench-raw-redis/redis-KERNEL.log
redis_median() {
	awk -v tool="$2" -v key="$3" '
		$1 == "NSR" && $2 == "move" {
			delete v
			for (i = 3; i <= NF; i++) { j = index($i, "="); v[substr($i, 1, j - 1)] = substr($i, j + 1) }
			if (v["tool"] == tool) x[++c] = v[key] + 0
		}
		END {
			for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			if (c % 2) printf "%.2f\n", x[(c + 1) / 2]; else printf "%.2f\n", (x[c / 2] + x[c / 2 + 1]) / 2
		}' "$NS_TOP/tests/fixtures/bench-raw-redis/redis-$1.log"
}

@test "report: a raw Redis log gives the Redis section, its medians from the raw lines" {
	local d=$BATS_TEST_TMPDIR/docs k tool n ok
	REDIS=$NS_TOP/tests/fixtures/bench-raw-redis
	run -0 "$REPORT" "$REDIS" "$d"
	grep -q "^## A real program: Redis moved under redis-benchmark's load" "$d/PERFORMANCE.md" ||
		fail "no Redis section"
	for k in $(cd "$REDIS" && ls redis-*.log | sed 's/^redis-//; s/\.log$//'); do
		grep -q "^### Redis, kernel $k" "$d/PERFORMANCE.md" || fail "no Redis table for $k"
		# the move's median in the table and in the JSON is the raw lines' median
		grep -q "^| move (s) | $(redis_median "$k" migratepages seconds) \[.*\] | $(redis_median "$k" mmigrate seconds) \[" \
			"$d/PERFORMANCE.md" || fail "$k: the move row is not the raw medians"
		for tool in migratepages mmigrate; do
			run -0 jq -r --arg k "$k" --arg t "$tool" '.redis[$k].tools[$t].max_ms.median' "$d/bench-results.json"
			assert_equal "$(printf '%.2f' "$output")" "$(redis_median "$k" "$tool" max_ms)"
			n=$(grep -c "^NSR move tool=$tool " "$REDIS/redis-$k.log")
			ok=$(grep "^NSR move tool=$tool " "$REDIS/redis-$k.log" | grep -c ' data=ok')
			run -0 jq -r --arg k "$k" --arg t "$tool" '.redis[$k].tools[$t] | "\(.data_ok)/\(.n)"' "$d/bench-results.json"
			assert_output "$ok/$n"
		done
		grep -q "^| data intact afterwards | [0-9]*/[0-9]* | [0-9]*/[0-9]* | - |" "$d/PERFORMANCE.md" ||
			fail "$k: no data row"
	done
	# the Redis section alone: no guest or host section, the page still whole
	! grep -q '^## Guest' "$d/PERFORMANCE.md" || fail "a guest section out of nothing"
	grep -q '^## Method' "$d/PERFORMANCE.md" || fail "no Method"
}

@test "report: a Redis run that its budget stopped says so, with the repetitions that ran" {
	local d=$BATS_TEST_TMPDIR/docs r=$BATS_TEST_TMPDIR/raw n
	mkdir -p "$r"
	# make bench's Redis part: the raw log under BUILD/bench/raw, the run
	# stopped before its last repetition
	grep -v '^NSR summary' "$NS_TOP/tests/fixtures/bench-raw-redis/redis-6.1.log" >"$r/redis-6.1.log"
	echo "NSR info stopped_after_reps=4" >>"$r/redis-6.1.log"
	n=$(grep -c '^NSR move ' "$r/redis-6.1.log")
	run -0 "$REPORT" "$r" "$d"
	grep -q "$((n / 2)) repetitions ($n moves); the run's time budget stopped it after 4 of the 5 repetitions asked\.$" \
		"$d/PERFORMANCE.md" || fail "no repetition count or stop in the Redis section"
	# without the stop, only the count
	run -0 "$REPORT" "$NS_TOP/tests/fixtures/bench-raw-redis" "$d"
	grep -q "requests\. $((n / 2)) repetitions ($n moves)\.$" "$d/PERFORMANCE.md" || fail "no repetition count"
	! grep -q "time budget stopped" "$d/PERFORMANCE.md" || fail "a stop out of nothing"
}
