#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# mscan on live helper processes: its numbers equal sums computed here from
# the same /proc files, selection by name/user/cgroup, permissions, --watch,
# Prometheus text, closed pipes.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

SCHEMA=$NS_TOP/docs/schema/mscan.schema.json

# A helper holding MIB MiB of touched anonymous memory (THP where allowed)
# and a shared file mapping whose path has a space; prints its pid.
start_hog() { # name mib
	local dir=$BATS_FILE_TMPDIR name=$1
	cat >"$dir/hog.py" <<'PY'
import ctypes, mmap, os, sys, time
mib, path = int(sys.argv[1]), sys.argv[2]
# the command name (comm) that -n selects: PR_SET_NAME
ctypes.CDLL(None).prctl(15, os.path.basename(sys.argv[4]).encode(), 0, 0, 0)
anon = mmap.mmap(-1, mib << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
if hasattr(mmap, "MADV_HUGEPAGE"):
    anon.madvise(mmap.MADV_HUGEPAGE)
for off in range(0, mib << 20, mmap.PAGESIZE):
    anon[off] = 1
with open(path, "wb") as f:
    f.write(b"x" * (4 << 20))
fm = mmap.mmap(os.open(path, os.O_RDWR), 4 << 20, flags=mmap.MAP_SHARED)
for off in range(0, 4 << 20, mmap.PAGESIZE):
    fm[off]
open(sys.argv[3], "w").write("ready")
time.sleep(100000)
PY
	python3 "$dir/hog.py" "$2" "$dir/map file $name" "$dir/$name.ready" "$name" \
		>/dev/null 2>&1 3>&- &
	echo $! >"$dir/$name.pid"
	for _ in $(seq 100); do [ -f "$dir/$name.ready" ] && return 0; sleep 0.1; done
	return 1
}

setup_file() {
	start_hog nshog1 64
	start_hog nshog2 16
}

teardown_file() {
	local f
	for f in "$BATS_FILE_TMPDIR"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

hog() { cat "$BATS_FILE_TMPDIR/$1.pid"; }

awk_node_bytes() {
	awk '{ kps = 0
	       for (i = 1; i <= NF; i++) if ($i ~ /^kernelpagesize_kB=[0-9]+$/) { split($i, a, "="); kps = a[2] }
	       for (i = 1; i <= NF; i++) if ($i ~ /^N[0-9]+=[0-9]+$/) { split(substr($i, 2), a, "="); b[a[1]] += a[2] * kps * 1024 } }
	     END { for (n in b) print n, b[n] }' "$1" | sort -n
}

json_node_bytes() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
p = [p for p in d["processes"] if p["pid"] == int(sys.argv[1])][0]
for n, b in sorted(p["node_bytes"].items(), key=lambda kv: int(kv[0])):
    if b: print(n, b)' "$1"
}

validate() {
	python3 - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
v = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))
bad = [f"{list(e.path)} {e.message}" for e in v.iter_errors(json.load(open(sys.argv[2])))]
print("\n".join(bad)); sys.exit(1 if bad else 0)
PY
}

@test "live: per-node bytes equal the awk sums of /proc/PID/numa_maps" {
	local pid
	pid=$(hog nshog1)
	awk_node_bytes "/proc/$pid/numa_maps" >"$BATS_TEST_TMPDIR/want"
	mscan -p "$pid" -J >"$BATS_TEST_TMPDIR/j"
	json_node_bytes "$pid" <"$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/got"
	run diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_success
	# 64 MiB touched: at least that much is resident
	run awk '{ s += $2 } END { print (s >= 64 * 1048576) }' "$BATS_TEST_TMPDIR/got"
	assert_output 1
	run validate "$BATS_TEST_TMPDIR/j"
	assert_success
}

@test "live -l: THP, lazyfree and swap equal smaps_rollup" {
	local pid want
	pid=$(hog nshog1)
	want=$(awk '/^AnonHugePages:/ { t = $2 } /^LazyFree:/ { l = $2 } /^Swap:/ { s = $2 } END { printf "%.0f %.0f %.0f\n", t * 1024, l * 1024, s * 1024 }' \
		"/proc/$pid/smaps_rollup")
	run sh -c "mscan -p $pid -l -J | python3 -c '
import json, sys
p = json.load(sys.stdin)[\"processes\"][0]
print(p[\"thp_bytes\"], p[\"lazyfree_bytes\"], p[\"swap_bytes\"])'"
	assert_success
	assert_output "$want"
}

@test "live -m: per-mapping THP equals smaps AnonHugePages, the file with a space is shown" {
	local pid want
	pid=$(hog nshog1)
	want=$(awk '/^AnonHugePages:/ { t += $2 } END { printf "%.0f\n", t * 1024 }' "/proc/$pid/smaps")
	mscan -p "$pid" -m -J >"$BATS_TEST_TMPDIR/j"
	run python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["mappings"]
print(sum(x.get("thp_bytes", 0) for x in m))' "$BATS_TEST_TMPDIR/j"
	assert_output "$want"
	run validate "$BATS_TEST_TMPDIR/j"
	assert_success
	run mscan -p "$pid" -m -o PATH,TOTAL --bytes --noheadings
	assert_success
	assert_line --regexp "^$BATS_FILE_TMPDIR/map file nshog1 +4194304\$"
}

@test "live --pages: present bytes of the runs equal numa_maps' resident bytes" {
	# numa_maps leaves out [vdso]/[vvar] (kind special) and the shared zero
	# page; pagemap shows them as present
	local pid
	pid=$(hog nshog2)
	want=$(awk_node_bytes "/proc/$pid/numa_maps" | awk '{ s += $2 } END { print s }')
	run sh -c "mscan -p $pid --pages -J -q | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(r[\"size_bytes\"] for r in d[\"runs\"]
          if r[\"state\"] == \"present\" and r[\"kind\"] != \"special\"
          and not r.get(\"zero_page\")))'"
	assert_success
	assert_output "$want"
}

@test "live --pages as root shows THP runs; without CAP_SYS_ADMIN it says so once" {
	local pid
	pid=$(hog nshog1)
	if grep -q '^AnonHugePages: *[1-9]' "/proc/$pid/smaps_rollup"; then
		run mscan -p "$pid" --pages -o THP --noheadings
		assert_success
		assert_line yes
	fi
	# a process of nobody, scanned by nobody: no PFNs, no kpageflags
	setpriv --reuid=65534 --regid=65534 --clear-groups sleep 30 3>&- &
	local sp=$!
	sleep 0.3
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$NS_BIN/mscan" -p "$sp" --pages
	kill "$sp"
	assert_success
	assert_output --partial "needs CAP_SYS_ADMIN"
	[ "$(grep -c CAP_SYS_ADMIN <<<"$output")" = 1 ]
}

@test "live --pages without root on 6.7+: THPs from PAGEMAP_SCAN, lazyfree still unknown" {
	local major minor pid out
	IFS=. read -r major minor _ <<<"$(uname -r)"
	(( major > 6 || (major == 6 && minor >= 7) )) || skip "PAGEMAP_SCAN needs 6.7+ ($(uname -r))"
	grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled && skip "THP disabled"
	out=$(mktemp -d /tmp/ns-thp-XXXXXX)   # nobody cannot enter bats' own
	chmod 777 "$out"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$NS_HELPERS/nshelper" --mib 8 --thp \
		--ready "$out/ready" >/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$out/ready" ] && break; sleep 0.05; done
	grep -q ' thp=1' "$out/ready" || { kill "$pid"; rm -rf "$out"; skip "no THP for the helper"; }
	local addr
	addr=$(sed -n 's/.* addr=0x\([0-9a-f]*\).*/\1/p' "$out/ready")
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$NS_BIN/mscan" -p "$pid" --pages \
		-o START,PAGES,THP,LAZYFREE --noheadings
	kill "$pid"
	rm -rf "$out"
	assert_success
	assert_output --partial "THPs are, from PAGEMAP_SCAN"
	# the helper's region: THP yes, lazyfree unknown; libc's pages: THP no
	assert_line --regexp "^0*$addr +[0-9]+ +yes +-\$"
	assert_line --regexp " no +-\$"
}

@test "selection by -n NAME, -u USER and --cgroup" {
	local p1 p2 cg
	p1=$(hog nshog1); p2=$(hog nshog2)
	run mscan -n nshog2 -o PID --noheadings
	assert_success
	assert_output "$p2"
	# PIDs are right-aligned to the widest: compare the numbers
	run bash -c "mscan -n nshog1 -n nshog2 -o PID --noheadings | sed 's/^ *//'"
	assert_success
	assert_output "$(printf '%s\n' "$p1" "$p2" | sort -n)"
	# root's processes may include some in other namespaces that even root
	# cannot read (exit 3, named on stderr); ours are listed either way
	run mscan -u root -q -o PID --noheadings
	[ "$status" = 0 ] || [ "$status" = 3 ]
	assert_line --regexp "^ *$p1\$"
	# a cgroup v2 directory of its own holding the second helper
	local mnt
	mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	cg=$mnt/nstest.$$
	mkdir "$cg"
	echo "$p2" >"$cg/cgroup.procs"
	run mscan --cgroup "$cg" -o PID --noheadings
	echo "$p2" >"$mnt/cgroup.procs"
	rmdir "$cg"
	assert_success
	assert_output --regexp "^ *$p2\$"
	run mscan -n no-such-name-here
	assert_failure 1
	assert_output "mscan: no process matched"
}

@test "several processes: one row each, -m says whose mapping it is" {
	local p1 p2
	p1=$(hog nshog1); p2=$(hog nshog2)
	run mscan -p "$p1,$p2" --noheadings -o PID,COMM
	assert_success
	assert_line --regexp "^ *$p1 nshog1\$"
	assert_line --regexp "^ *$p2 nshog2\$"
	run mscan -p "$p1,$p2" -m
	assert_success
	assert_line --index 0 --regexp "^ *PID START"
}

@test "another user's process without ptrace access: exit 4 naming it" {
	local p1
	p1=$(hog nshog1)
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$NS_BIN/mscan" -p "$p1"
	assert_failure 4
	assert_output --partial "cannot read numa_maps of process $p1 (nshog1): permission denied"
}

@test "--prom: process metrics with pid, comm and node labels" {
	local p1
	p1=$(hog nshog1)
	run mscan -p "$p1" -l --prom
	assert_success
	assert_line "# TYPE numashift_process_node_bytes gauge"
	assert_line --regexp "^numashift_process_node_bytes\{pid=\"$p1\",comm=\"nshog1\",node=\"0\"\} [0-9]+\$"
	assert_line --regexp "^numashift_process_thp_bytes\{pid=\"$p1\",comm=\"nshog1\"\} [0-9]+\$"
	run mscan --topology --prom
	assert_line --regexp '^numashift_node_total_bytes\{node="0"\} [1-9][0-9]*$'
}

@test "--topology: the live machine's nodes agree with sysfs" {
	local total
	total=$(awk '/MemTotal/ { printf "%.0f\n", $4 * 1024 }' /sys/devices/system/node/node0/meminfo)
	run mscan --topology -o NODE,TOTAL --bytes --noheadings
	assert_success
	assert_line --regexp "^0 +$total\$"
	mscan --topology -J >"$BATS_TEST_TMPDIR/j"
	run validate "$BATS_TEST_TMPDIR/j"
	assert_success
}

@test "--watch repeats until SIGINT, then exits 130" {
	local p1
	p1=$(hog nshog1)
	mscan -p "$p1" --watch 0.2 -o PID --noheadings >"$BATS_TEST_TMPDIR/out" 3>&- &
	local w=$!
	sleep 1
	kill -INT "$w"
	local rc=0
	wait "$w" || rc=$?
	[ "$rc" = 130 ]
	run grep -c "$p1" "$BATS_TEST_TMPDIR/out"
	[ "$output" -ge 2 ]
}

@test "output into a closed pipe ends quietly" {
	local p1
	p1=$(hog nshog1)
	run bash -c "set -o pipefail; mscan -p $p1 -m 2>&1 | head -c1 >/dev/null"
	assert_success
}

@test "capture-sysroot: a captured tree reads like the live process" {
	local p2 tree=$BATS_TEST_TMPDIR/tree
	p2=$(hog nshog2)
	run "$NS_TOP/scripts/capture-sysroot" --pagemap "$p2" "$tree"
	assert_success
	[ -f "$tree/proc/$p2/numa_maps" ] && [ -f "$tree/proc/$p2/smaps_rollup" ]
	[ ! -e "$tree/proc/$p2/cmdline" ] && [ ! -e "$tree/proc/$p2/environ" ]
	live=$(mscan -p "$p2" -l --bytes)
	run mscan --sysroot "$tree" -p "$p2" -l --bytes
	assert_success
	assert_output "$live"
	# runs split where other processes map the same library pages (EXCL),
	# which changes as they come and go: compare what the runs add up to
	pages_sum() {
		python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["processes"][0]["node_bytes"],
      sum(r["size_bytes"] for r in d["runs"] if r.get("thp")),
      sum(r["size_bytes"] for r in d["runs"] if r["state"] == "present"))'
	}
	live=$(mscan -p "$p2" --pages -J | pages_sum)
	mscan --sysroot "$tree" -p "$p2" --pages -J >"$BATS_TEST_TMPDIR/j"
	run pages_sum <"$BATS_TEST_TMPDIR/j"
	assert_success
	assert_output "$live"
	run "$NS_TOP/scripts/capture-sysroot" "$p2" "$tree"
	assert_failure 2
	assert_output --partial "is not empty"
	run "$NS_TOP/scripts/capture-sysroot" 1x "$BATS_TEST_TMPDIR/t2"
	assert_failure 2
}

@test "-n: processes that exit before they are read are left out (exit 0), as in every tool" {
	load "$NS_TOP/tests/vm/tests/common"
	left_out_forced numa_maps mscan -o PID --noheadings
	kill "$LONG_PID"
	wait "$LONG_PID" 2>/dev/null || true
	assert_equal "$LEFT_OUT_STATUS" 0
	run cat "$BATS_TEST_TMPDIR/left-out.err"
	assert_line "mscan: warning: process $VICTIM_PID (nsl$$x$BATS_TEST_NUMBER) exited before its turn: left out"
	run cat "$BATS_TEST_TMPDIR/left-out.out"
	assert_output "$LONG_PID"
}
