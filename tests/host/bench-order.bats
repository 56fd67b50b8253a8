#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# tests/bench/guest.sh's order(): the order of the tools in each repetition
# of make bench.  Whatever one tool leaves behind in the guest must not always
# land on the same next tool, so no word may always follow the same other.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

setup() {
	NS_TOP=${NS_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	# the function alone: the script itself runs the benchmark
	source <(sed -n '/^order() {/,/^}/p' "$NS_TOP/tests/bench/guest.sh")
	declare -F order >/dev/null || fail "no order() in tests/bench/guest.sh"
}

# pairs N ROWS: "a>b" for every word b that runs right after a, within the
# first ROWS repetitions of N words w0..w(N-1)
pairs() {
	local n=$1 rows=$2 r i
	local -a row words=()
	for ((i = 0; i < n; i++)); do words+=("w$i"); done
	for ((r = 0; r < rows; r++)); do
		read -r -a row <<<"$(order "$r" "${words[@]}")"
		for ((i = 1; i < ${#row[@]}; i++)); do echo "${row[i - 1]}>${row[i]}"; done
	done
}

@test "every repetition runs each word once, for 1 to 7 words" {
	local n r i
	local -a words
	for ((n = 1; n <= 7; n++)); do
		words=()
		for ((i = 0; i < n; i++)); do words+=("w$i"); done
		for ((r = 0; r < 12; r++)); do
			run -0 order "$r" "${words[@]}"
			[ "$(tr ' ' '\n' <<<"$output" | sed '/^$/d' | sort | tr '\n' ' ')" = "$(printf '%s\n' "${words[@]}" | sort | tr '\n' ' ')" ] ||
				fail "n=$n r=$r: '$output' is not a permutation"
		done
	done
}

@test "two words alternate which runs first" {
	run -0 order 0 a b
	assert_output "a b "
	run -0 order 1 a b
	assert_output "b a "
	run -0 order 2 a b
	assert_output "a b "
}

@test "an even number of words: in n repetitions every word runs right after every other exactly once" {
	local n
	for n in 4 6; do
		run -0 bash -c "$(declare -f order pairs); pairs $n $n | sort | uniq -c | awk '\$1 != 1'"
		assert_output ""
		[ "$(pairs "$n" "$n" | sort -u | wc -l)" = $((n * (n - 1))) ] || fail "n=$n: not every ordered pair"
	done
}

@test "make bench's five tools in five repetitions: each runs right after at least three different others" {
	local w
	for w in w0 w1 w2 w3 w4; do
		[ "$(pairs 5 5 | grep ">$w\$" | sort -u | wc -l)" -ge 3 ] ||
			fail "$w follows only: $(pairs 5 5 | grep ">$w\$" | sort -u | tr '\n' ' ')"
	done
}
