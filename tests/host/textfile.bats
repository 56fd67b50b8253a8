#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# numashift-textfile and its systemd units: the textfile is replaced by a
# rename (a reader never sees part of it), a failure leaves the old file and
# no temporary one, its errors are one line with the documented status, the
# text passes promtool check metrics, the units pass systemd-analyze verify
# once installed.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
TF=$NS_TOP/systemd/numashift-textfile

setup() {
	D=$BATS_TEST_TMPDIR/textfile
	mkdir -p "$D"
	export NUMASHIFT_TEXTFILE_DIR=$D
	unset NUMASHIFT_TEXTFILE_NAME NUMASHIFT_MSCAN_OPTIONS NUMASHIFT_MSCAN
}

# A stand-in for mscan: writes "first half", writes its PID to $GO.started,
# waits for $BATS_TEST_TMPDIR/go, writes the rest, exits with $FAKE_RC
# (default 0).
fake_mscan() {
	cat >"$BATS_TEST_TMPDIR/fake" <<'SH'
#!/bin/sh
echo "# HELP x first half"
echo $$ >"$GO.started"
while [ ! -e "$GO" ]; do sleep 0.05; done
echo "x 1"
exit "${FAKE_RC:-0}"
SH
	chmod +x "$BATS_TEST_TMPDIR/fake"
	export NUMASHIFT_MSCAN=$BATS_TEST_TMPDIR/fake GO=$BATS_TEST_TMPDIR/go
}

wait_started() {
	for _ in $(seq 200); do [ -e "$GO.started" ] && return 0; sleep 0.05; done
	return 1
}

others() { find "$D" -mindepth 1 ! -name numashift.prom; }

@test "writes mscan's text, readable by the collector's user, no temporary file left" {
	sleep 60 & local pid=$!
	run -0 "$TF" -- -p "$pid" --prom-by comm
	kill "$pid"
	run cat "$D/numashift.prom"
	assert_line 'numashift_processes{comm="sleep"} 1'
	run stat -c %a "$D/numashift.prom"
	assert_output 644
	run others
	assert_output ""
}

@test "the file is replaced by a rename: the old one is whole until then, a new inode after" {
	fake_mscan
	printf 'old 1\n' >"$D/numashift.prom"
	local ino
	ino=$(stat -c %i "$D/numashift.prom")
	exec 4<"$D/numashift.prom"
	"$TF" & local w=$!
	wait_started
	# mid-write: the target is the old file, whole; the half is in a hidden
	# temporary file in the same directory that the collector (*.prom) skips
	run cat "$D/numashift.prom"
	assert_output "old 1"
	run others
	assert_output --regexp "^$D/\\.numashift\\.prom\\.[A-Za-z0-9]{6}\$"
	refute_output --regexp '\.prom$'
	run cat "$output"
	assert_output "# HELP x first half"
	: >"$GO"
	wait "$w"
	run cat "$D/numashift.prom"
	assert_output "$(printf '# HELP x first half\nx 1')"
	[ "$(stat -c %i "$D/numashift.prom")" != "$ino" ]
	# a reader that had the old file open still reads the old file
	run cat <&4
	assert_output "old 1"
	exec 4<&-
	run others
	assert_output ""
}

@test "mscan fails: the old file stays (same inode), no temporary file, exit 1" {
	fake_mscan
	: >"$GO"
	printf 'old 1\n' >"$D/numashift.prom"
	local ino
	ino=$(stat -c %i "$D/numashift.prom")
	FAKE_RC=1 run -1 "$TF"
	assert_output --partial "mscan exited 1; $D/numashift.prom left as it was"
	[ "$(stat -c %i "$D/numashift.prom")" = "$ino" ]
	run cat "$D/numashift.prom"
	assert_output "old 1"
	run others
	assert_output ""
	# 3: some processes not read, the others are: written
	FAKE_RC=3 run -0 "$TF"
	[ "$(stat -c %i "$D/numashift.prom")" != "$ino" ]
}

@test "stopped mid-write (SIGTERM, as systemctl stop): no temporary file, the old file whole" {
	fake_mscan
	printf 'old 1\n' >"$D/numashift.prom"
	"$TF" & local w=$!
	wait_started
	kill -TERM "$w"
	local rc=0
	wait "$w" || rc=$?
	[ "$rc" = 1 ] || fail "exit status $rc, not 1"
	# the script stopped its mscan too: nothing is left writing
	local fake
	fake=$(cat "$GO.started")
	for _ in $(seq 100); do kill -0 "$fake" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$fake" 2>/dev/null || fail "mscan $fake still runs"
	: >"$GO"
	run cat "$D/numashift.prom"
	assert_output "old 1"
	run others
	assert_output ""
}

@test "usage: the name must be NAME.prom, the directory must exist" {
	run -2 "$TF" -f numashift.txt
	assert_output --partial "does not end in .prom"
	run -2 "$TF" -f ../x.prom
	run -1 "$TF" -d "$D/none"
	assert_output --partial "no directory $D/none"
	run -0 "$TF" -h
	assert_line --partial "Usage: numashift-textfile"
}

# $1: the exit status; the rest: the command.  Nothing on stdout, one line
# on stderr, naming the script.
one_error() {
	local want=$1
	shift
	run --separate-stderr "$@"
	[ "$status" = "$want" ] || fail "exit status $status, not $want: $*: $stderr"
	assert_output ""
	[ "${#stderr_lines[@]}" = 1 ] || fail "not one line on stderr: $*: $stderr"
	[[ "$stderr" == "numashift-textfile: "* ]] || fail "not prefixed: $stderr"
}

@test "each error is one line on stderr with the documented status: 2 usage, 1 not written" {
	one_error 2 "$TF" -x
	one_error 2 "$TF" -d
	one_error 2 "$TF" -f numashift.txt
	one_error 2 "$TF" -f .hidden.prom
	one_error 2 "$TF" -f sub/x.prom
	one_error 1 "$TF" -d "$D/none"
	mkdir "$D/numashift.prom"
	one_error 1 "$TF"
	rmdir "$D/numashift.prom"
	NUMASHIFT_MSCAN=$BATS_TEST_TMPDIR/no-mscan one_error 1 "$TF"
	# a directory where no file can be created: mktemp's reason, in one line
	one_error 1 "$TF" -d /proc
	[[ "$stderr" == *"No such file or directory"* ]] || fail "$stderr"
	fake_mscan
	: >"$GO"
	FAKE_RC=2 one_error 1 "$TF"
	[ "$stderr" = "numashift-textfile: mscan exited 2; $D/numashift.prom left as it was" ] || fail "$stderr"
	run others
	assert_output ""
	[ ! -e "$D/numashift.prom" ]
}

@test "promtool check metrics accepts the file: the default (per cgroup), per comm, per PID" {
	command -v promtool >/dev/null || skip "promtool is not installed (scripts/deps check installs it)"
	sleep 60 & local pid=$!
	local opts
	for opts in "" "-A -q -l --prom-by comm" "-p $pid -l" "-p $pid --prom-by node"; do
		# mscan's status 3 (some process not readable, e.g. in a container)
		# still writes the others
		NUMASHIFT_MSCAN_OPTIONS=$opts run -0 "$TF"
		[ -s "$D/numashift.prom" ] || fail "empty with '$opts'"
		run promtool check metrics <"$D/numashift.prom"
		assert_success
		assert_output ""
	done
	kill "$pid"
	# the default sums per cgroup: one numashift_processes series per cgroup
	NUMASHIFT_MSCAN_OPTIONS= run -0 "$TF"
	run grep -c '^numashift_processes{cgroup="' "$D/numashift.prom"
	[ "$output" -ge 1 ]
	run grep -E '^numashift_[a-z_]+\{[^}]*pid=' "$D/numashift.prom"
	assert_output ""
}

@test "the installed units pass systemd-analyze verify; the timer is what enables them" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (the systemd package)"
	local R=$BATS_TEST_TMPDIR/root unitdir
	run -0 make -s -C "$NS_TOP" -o all BUILD="$NS_BUILD" install PREFIX=/usr DESTDIR="$R"
	unitdir=$(find "$R" -name numashift-textfile.timer -printf '%h\n')
	[ -n "$unitdir" ]
	grep -qx "ExecStart=/usr/sbin/numashift-textfile" "$unitdir/numashift-textfile.service"
	[ -x "$R/usr/sbin/numashift-textfile" ]
	# the service names /usr/sbin/numashift-textfile: verify the copy that
	# names the installed script, with its man pages found (Documentation=)
	sed "s|^ExecStart=/usr/sbin/|ExecStart=$R/usr/sbin/|" "$unitdir/numashift-textfile.service" \
		>"$BATS_TEST_TMPDIR/numashift-textfile.service"
	cp "$unitdir/numashift-textfile.timer" "$BATS_TEST_TMPDIR/"
	local man=--man=no
	[ -s "$R/usr/share/man/man8/numashift-textfile.8" ] && command -v man >/dev/null && man=--man=yes
	MANPATH=$R/usr/share/man run systemd-analyze verify "$man" \
		"$BATS_TEST_TMPDIR/numashift-textfile.service" "$BATS_TEST_TMPDIR/numashift-textfile.timer"
	assert_success
	assert_output ""
	grep -qx "WantedBy=timers.target" "$unitdir/numashift-textfile.timer"
	! grep -q '^\[Install\]' "$unitdir/numashift-textfile.service"
}
