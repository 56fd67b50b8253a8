#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mscan's Prometheus text for a fleet: --prom-by sums the processes per node
# and command name or cgroup, so the number of series does not grow with the
# number of processes; the sums equal the per-process series; label values
# are escaped; promtool accepts every form.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# A python helper named NAME (bytes, given as a Python literal) holding 2 MiB
# of touched anonymous memory; its pid goes to $BATS_FILE_TMPDIR/pids.
start_helper() { # python-bytes-literal
	local dir=$BATS_FILE_TMPDIR n
	n=$(ls "$dir"/*.ready 2>/dev/null | wc -l)
	python3 - "$1" "$dir/$n.ready" >/dev/null 2>&1 3>&- <<'PY' &
import ast, ctypes, mmap, sys, time
ctypes.CDLL(None).prctl(15, ast.literal_eval(sys.argv[1]), 0, 0, 0)
m = mmap.mmap(-1, 2 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
for off in range(0, 2 << 20, mmap.PAGESIZE):
    m[off] = 1
open(sys.argv[2], "w").write("ready")
time.sleep(100000)
PY
	echo $! >>"$dir/pids"
	for _ in $(seq 100); do [ -f "$dir/$n.ready" ] && return 0; sleep 0.1; done
	return 1
}

start_helpers() { # count python-bytes-literal
	local i
	for i in $(seq "$1"); do start_helper "$2" || return 1; done
}

# A comm with every character the exposition format escapes, and a byte
# that is not UTF-8.
ODD="b'q\"\\\\z\\n\\xffok'"

setup_file() {
	start_helpers 2 "b'nsprom'"
	start_helper "$ODD"
	tail -1 "$BATS_FILE_TMPDIR/pids" >"$BATS_FILE_TMPDIR/odd.pid"
}

teardown_file() {
	local p
	while read -r p; do kill "$p" 2>/dev/null; done <"$BATS_FILE_TMPDIR/pids"
	return 0
}

need_promtool() {
	command -v promtool >/dev/null ||
		skip "promtool is not installed (scripts/deps check installs it)"
}

@test "--prom-by comm: one series per node for many processes of one name" {
	local nodes before after
	nodes=$(mscan --topology -o NODE --noheadings | wc -l)
	# 1 process count + node_bytes per node + total
	run sh -c "mscan -n nsprom --prom-by comm | grep -vc '^#'"
	assert_success
	assert_output "$((1 + nodes + 1))"
	before=$output
	start_helpers 18 "b'nsprom'"
	after=$(mscan -n nsprom --prom-by comm | grep -vc '^#')
	[ "$after" = "$before" ]
	run mscan -n nsprom --prom-by comm
	assert_line 'numashift_processes{comm="nsprom"} 20'
	assert_line --regexp '^numashift_processes_node_bytes\{comm="nsprom",node="0"\} [1-9][0-9]*$'
	# the per-process form grows: 20 processes, node_bytes and total each
	run sh -c "mscan -n nsprom --prom | grep -vc '^#'"
	assert_output "$((20 * (nodes + 1)))"
	run sh -c "mscan -n nsprom --prom-by node -l | grep -vc '^#'"
	assert_output "$((1 + nodes + 5))"
}

# Sums of the per-process series of one comm, by metric and node: what the
# grouped series must say.
sum_per_pid() { # comm
	awk -v c="comm=\"$1\"" '
	/^numashift_process_/ && index($0, c) {
		name = $1; sub(/^numashift_process_/, "", name)
		node = ""; if (match(name, /node="[0-9]+"/)) node = substr(name, RSTART, RLENGTH)
		sub(/\{.*/, "", name); s[name " " node] += $2 }
	END { for (k in s) printf "%s %.0f\n", k, s[k] }' | sort
}

grouped() { # comm
	awk -v c="comm=\"$1\"" '
	/^numashift_processes_/ && index($0, c) {
		name = $1; sub(/^numashift_processes_/, "", name)
		node = ""; if (match(name, /node="[0-9]+"/)) node = substr(name, RSTART, RLENGTH)
		sub(/\{.*/, "", name); printf "%s %s %.0f\n", name, node, $2 }' | sort
}

@test "--prom-by comm -l: node, total, THP, lazyfree, swap and rss are the sums of the processes" {
	mscan -n nsprom -l --prom | sum_per_pid nsprom >"$BATS_TEST_TMPDIR/want"
	mscan -n nsprom -l --prom-by comm | grouped nsprom >"$BATS_TEST_TMPDIR/got"
	run cut -d' ' -f1 "$BATS_TEST_TMPDIR/got"
	assert_line node_bytes
	assert_line total_bytes
	assert_line thp_bytes
	assert_line lazyfree_bytes
	assert_line swap_bytes
	assert_line rss_bytes
	run diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_success
}

@test "--prom-by cgroup: the label is the process's cgroup v2 path" {
	local pid cg
	pid=$(head -1 "$BATS_FILE_TMPDIR/pids")
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	[ -n "$cg" ] || skip "no cgroup v2 line in /proc/$pid/cgroup"
	run mscan -p "$pid" --prom-by cgroup
	assert_success
	assert_line "numashift_processes{cgroup=\"$cg\"} 1"
	run mscan -p "$pid" --prom-by comm,cgroup
	assert_line "numashift_processes{comm=\"nsprom\",cgroup=\"$cg\"} 1"
	run mscan -p "$pid" --prom-by cgroup,comm
	assert_line "numashift_processes{cgroup=\"$cg\",comm=\"nsprom\"} 1"
	run mscan -p "$pid" -o PID,CGROUP --noheadings
	assert_output --regexp "^ *$pid $cg\$"
}

@test "--prom-by: HELP and TYPE once per metric" {
	run sh -c "mscan -A -q -l --prom-by comm,cgroup 2>/dev/null | grep '^# ' | sort | uniq -d"
	assert_success
	assert_output ""
	run sh -c "mscan -A -q -l --prom-by comm 2>/dev/null | grep -c '^# TYPE'"
	assert_output 7
}

@test "--prom and --prom-by: label values escaped, bytes that are not UTF-8 as \\xHH" {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/odd.pid")
	run mscan -p "$pid" --prom-by comm
	assert_success
	assert_line --partial 'numashift_processes{comm="q\"\\z\n\\xffok"} 1'
	run mscan -p "$pid" --prom
	assert_line --partial "{pid=\"$pid\",comm=\"q\\\"\\\\z\\n\\\\xffok\",node=\"0\"}"
}

@test "--prom-by: bad values and views are usage errors" {
	run mscan -A --prom-by uid
	assert_failure 2
	assert_output --partial "invalid --prom-by 'uid': expected pid, node, comm, cgroup or comm,cgroup"
	run mscan -A -m --prom-by comm
	assert_failure 2
	assert_output --partial "--prom-by sums the process summary"
	run mscan -A -J --prom-by comm
	assert_failure 2
	# pid is the per-process form --prom has always had
	run mscan -n nsprom --prom-by pid
	assert_success
	assert_line --regexp '^numashift_process_total_bytes\{pid="[0-9]+",comm="nsprom"\} [0-9]+$'
}

@test "promtool check metrics accepts every process form" {
	need_promtool
	local by out
	for by in pid node comm cgroup comm,cgroup; do
		mscan -A -q -l --prom-by "$by" >"$BATS_TEST_TMPDIR/m" 2>/dev/null || [ $? = 3 ]
		grep -q '^numashift_process' "$BATS_TEST_TMPDIR/m"
		run promtool check metrics <"$BATS_TEST_TMPDIR/m"
		assert_success
		assert_output ""
	done
	# the helper with quotes, a backslash, a newline and a byte not UTF-8
	run sh -c "mscan -p $(cat "$BATS_FILE_TMPDIR/odd.pid") --prom | promtool check metrics"
	assert_success
}
