#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# Bad command lines across the four tools, as a table.  Each row must give its
# exit code (2 for usage, or the code the tool documents), exactly one line on
# stderr that starts with the program name and names the problem, nothing on
# stdout, and no crash (a sanitizer report or a core dump would add lines or
# change the code).  Every row runs under a 20 s timeout so that a tool that
# blocks (reading a FIFO, say) fails its row instead of hanging the suite.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup_file() {
	local d=$BATS_FILE_TMPDIR
	# fd 3 closed: bats waits for every holder of it
	sleep 1000 3>&- &
	echo $! >"$d/sleep.pid"
	echo '{"schema_version": 99}' >"$d/v99.json"
	echo '{"schema_version": 1, "procs": "x"}' >"$d/procs.json"
	printf '{"schema_version":1,' >"$d/trunc.json"
	printf '{"a":1,"a":2}' >"$d/dup.json"
	printf '[]' >"$d/array.json"
	printf '\xff\xfe{}' >"$d/binary.json"
	truncate -s 3G "$d/huge.json"
	mkfifo "$d/fifo.json"
	mkdir "$d/dir.json"
	ln -s "$d/nowhere" "$d/dangling.json"
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/sleep.pid")" 2>/dev/null
	return 0
}

# A PID that is not running.
free_pid() {
	local pid=4194000
	while [ -d "/proc/$pid" ]; do pid=$((pid + 1)); done
	echo "$pid"
}

# Run every row of a table on stdin: CODE|REGEX|COMMAND.  COMMAND is split as
# the shell would ($SP: a live sleep, $D: a directory of bad files, $T: a
# captured tree, $NP: a PID that does not exist).  Every failing row is listed.
check_table() {
	local code re cmd rc n=0 bad=0 tool first
	local -a argv
	local SP D T NP out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	SP=$(cat "$BATS_FILE_TMPDIR/sleep.pid")
	D=$BATS_FILE_TMPDIR
	T=$NS_TOP/tests/fixtures/trees/synth-4node
	NP=$(free_pid)
	while IFS='|' read -r code re cmd; do
		case $code in ''|'#'*) continue ;; esac
		eval "argv=($cmd)"
		tool=${argv[0]}
		n=$((n + 1))
		rc=0
		timeout -k 5 20 "${argv[@]}" >"$out" 2>"$err" </dev/null || rc=$?
		first=$(head -n 1 "$err")
		if [ "$rc" != "$code" ]; then
			echo "row $n: $cmd: exit $rc, expected $code; stderr: $(head -c 400 "$err")"
		elif [ -s "$out" ]; then
			echo "row $n: $cmd: stdout not empty: $(head -c 200 "$out")"
		elif [ "$(wc -l <"$err")" != 1 ] || [ "$(tail -c 1 "$err" | od -An -c | tr -d ' ')" != '\n' ]; then
			echo "row $n: $cmd: $(wc -l <"$err") lines on stderr, expected 1:"
			head -n 20 "$err"
		elif [[ $first != "$tool: "* ]]; then
			echo "row $n: $cmd: stderr does not start with '$tool: ': $first"
		elif ! grep -qE -- "$re" "$err"; then
			echo "row $n: $cmd: stderr does not match /$re/: $first"
		else
			continue
		fi
		bad=$((bad + 1))
	done
	echo "$n rows, $bad failed"
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}

@test "mscan: bad command lines" {
	check_table <<'EOF'
2|no process selected|mscan
2|unknown option '--bogus'|mscan --bogus
2|unknown option '-Z'|mscan -Z
2|option '-p' needs an argument|mscan -p
2|option '--cgroup' needs an argument|mscan --cgroup
2|invalid PID 'abc'|mscan -p abc
2|invalid PID '-5'|mscan -p -5
2|invalid PID '0'|mscan -p 0
2|invalid PID '99999999999999999999'|mscan -p 99999999999999999999
2|invalid PID '12x'|mscan -p 12x
2|empty PID list|mscan --pid=
2|no columns selected|mscan -p $SP -o ''
2|unknown column 'BOGUS'|mscan -p $SP -o PID,BOGUS
2|unknown column ''|mscan -p $SP -o PID,,COMM
2|unknown column 'N99'|mscan -p $SP -o N99
2|invalid --watch interval '0'|mscan -p $SP --watch 0
2|invalid --watch interval '-1'|mscan -p $SP --watch -1
2|invalid --watch interval 'abc'|mscan -p $SP --watch abc
2|invalid --watch interval 'nan'|mscan -p $SP --watch nan
2|invalid --watch interval '1e400'|mscan -p $SP --watch 1e400
2|-J/--json and --prom cannot be combined|mscan -p $SP -J --prom
2|-m/--mappings and --pages cannot be combined|mscan -p $SP -m --pages
2|unknown user 'nosuchuser-h8'|mscan -u nosuchuser-h8
2|cgroup '/nonexistent/cg' not found|mscan --cgroup /nonexistent/cg
2|unexpected argument 'extra'|mscan -p $SP extra
2|empty process name|mscan -n ''
2|kernel thread|mscan -p 2
1|no such process: [0-9]+|mscan -p $NP
2|cannot use sysroot '/nonexistent/tree'|mscan --sysroot /nonexistent/tree -p 1
2|cannot use sysroot '/etc/passwd': Not a directory|mscan --sysroot /etc/passwd -p 1
2|sysroot '.*' has no proc/ directory|mscan --sysroot $D -p 1
1|no such process: 9999|mscan --sysroot $T -p 9999
EOF
}

@test "mmigrate: bad command lines" {
	check_table <<'EOF'
2|no process selected|mmigrate
2|unknown option '--bogus'|mmigrate --bogus
2|unknown option '-Z'|mmigrate -Z
2|no target nodes: give --to|mmigrate -p $SP
2|option '--to' needs an argument|mmigrate -p $SP --to
2|bad --to: bad node list 'abc'|mmigrate -p $SP --to abc
2|bad --to: node 99 does not exist|mmigrate -p $SP --to 99
2|bad --from: node 99 does not exist|mmigrate -p $SP --to 0 --from 99
2|bad --to: bad node list '0-'|mmigrate -p $SP --to 0-
2|bad --to: bad node list '3-1': range 3-1 is backwards|mmigrate -p $SP --to 3-1
2|bad --to: bad node list '0,': empty entry|mmigrate -p $SP --to 0,
2|bad --to: node list '!0' selects no node|mmigrate -p $SP --to !0
2|source and target nodes are the same|mmigrate -p $SP --from 0 --to 0
2|invalid --threads '0'|mmigrate -p $SP --to 0 --threads 0
2|invalid --threads '100000'|mmigrate -p $SP --to 0 --threads 100000
2|invalid --batch '0'|mmigrate -p $SP --to 0 --batch 0
2|invalid --batch '99999999999999999999'|mmigrate -p $SP --to 0 --batch 99999999999999999999
2|invalid --rate '0'|mmigrate -p $SP --to 0 --rate 0
2|invalid --rate '10Q'|mmigrate -p $SP --to 0 --rate 10Q
2|invalid --rate '-5M'|mmigrate -p $SP --to 0 --rate -5M
2|invalid --nice '50'|mmigrate -p $SP --to 0 --nice 50
2|invalid --retries '-1'|mmigrate -p $SP --to 0 --retries -1
2|invalid --timeout '0'|mmigrate -p $SP --to 0 --timeout 0
2|invalid --timeout 'nan'|mmigrate -p $SP --to 0 --timeout nan
2|invalid --max-stall '0': expected a time from 1ms to 10s|mmigrate -p $SP --to 0 --max-stall 0
2|invalid --max-stall '-20ms'|mmigrate -p $SP --to 0 --max-stall -20ms
2|invalid --max-stall '20 ms'|mmigrate -p $SP --to 0 --max-stall '20 ms'
2|invalid --max-stall '20us'|mmigrate -p $SP --to 0 --max-stall 20us
2|invalid --max-stall '0.5ms'|mmigrate -p $SP --to 0 --max-stall 0.5ms
2|invalid --max-stall '11s'|mmigrate -p $SP --to 0 --max-stall 11s
2|invalid --max-stall '1m'|mmigrate -p $SP --to 0 --max-stall 1m
2|invalid --max-stall ''|mmigrate -p $SP --to 0 --max-stall ''
2|invalid --threads 'Auto': expected auto or a number from 1 to 64|mmigrate -p $SP --to 0 --threads Auto
2|invalid --threads '65'|mmigrate -p $SP --to 0 --threads 65
2|invalid --engine 'foo'|mmigrate -p $SP --to 0 --engine foo
2|invalid --min-free '200%'|mmigrate -p $SP --to 0 --min-free 200%
2|invalid --min-free 'abc'|mmigrate -p $SP --to 0 --min-free abc
2|bad --vma 'bogus'|mmigrate -p $SP --to 0 --vma bogus
2|bad --vma 'file='|mmigrate -p $SP --to 0 --vma file=
2|bad --vma '0x2000-0x1000': range end is not after its start|mmigrate -p $SP --to 0 --vma 0x2000-0x1000
2|expected PID FROM-NODES TO-NODES, got 2 arguments|mmigrate $SP 0
2|expected PID FROM-NODES TO-NODES, got 4 arguments|mmigrate $SP 0 0 0
2|invalid PID 'abc'|mmigrate abc 0 0
2|kernel thread|mmigrate -p 2 --to 0
1|no such process: [0-9]+|mmigrate -p $NP --to 0
2|only --dry-run is possible with it|mmigrate --sysroot $T -p 1000 --to 1
2|--apply takes the processes and nodes from the plan|mmigrate --apply $D/v99.json -p $SP --to 0
1|cannot read plan .*/absent.json: No such file or directory|mmigrate --apply $D/absent.json
1|cannot read plan .*/dangling.json: No such file or directory|mmigrate --apply $D/dangling.json
2|bad plan /etc/passwd: line 1|mmigrate --apply /etc/passwd
2|bad plan /dev/null|mmigrate --apply /dev/null
2|bad plan: schema_version 99|mmigrate --apply $D/v99.json
2|bad plan: '[a-z_]+' must be|mmigrate --apply $D/procs.json
2|bad plan .*/trunc.json: line 1|mmigrate --apply $D/trunc.json
2|bad plan .*/dup.json: line 1: duplicate object key|mmigrate --apply $D/dup.json
2|bad plan|mmigrate --apply $D/array.json
2|bad plan .*/binary.json|mmigrate --apply $D/binary.json
2|bad plan .*/huge.json: .*too large|mmigrate --apply $D/huge.json
2|bad plan .*/fifo.json: not a regular file|mmigrate --apply $D/fifo.json
2|bad plan .*/dir.json: not a regular file|mmigrate --apply $D/dir.json
1|cannot write plan /nonexistent/dir/p.json: No such file or directory|mmigrate --dry-run -p $SP --to 0 --plan-out /nonexistent/dir/p.json
2|refusing --plan-out .*/dir.json.: it exists and is not a regular file|mmigrate --dry-run -p $SP --to 0 --plan-out $D/dir.json
EOF
}

@test "mplace: bad command lines" {
	check_table <<'EOF'
2|nothing to place|mplace
2|nothing to place|mplace --nodes 0
2|unknown option '--bogus'|mplace --bogus
2|unknown option '-x'|mplace -x
2|option '--nodes' needs an argument|mplace --nodes
2|--nodes: bad node list 'abc'|mplace --nodes abc -- true
2|--nodes: node 99 does not exist|mplace --nodes 99 -- true
2|invalid --policy 'foo'|mplace --nodes 0 --policy foo -- true
2|--cpu-nodes: node 99 does not exist|mplace --nodes 0 --cpu-nodes 99 -- true
2|no target: give --nodes NODES or --auto|mplace -p $SP
2|--auto chooses the node itself: drop --nodes|mplace -p $SP --nodes 0 --auto
2|invalid PID 'abc'|mplace -p abc --nodes 0
2|give either -p PID or a command after '--', not both|mplace -p $SP --nodes 0 -- true
2|--auto places a running process: give -p PID|mplace --auto -- true
2|invalid --threads '0'|mplace --nodes 0 --threads 0 -p $SP
2|invalid --batch '-3'|mplace --nodes 0 --batch -3 -p $SP
2|invalid --rate 'x'|mplace --nodes 0 --rate x -p $SP
2|invalid --timeout '0'|mplace --nodes 0 --timeout 0 -p $SP
2|invalid --max-stall '0'|mplace --nodes 0 --max-stall 0 -p $SP
2|invalid --max-stall 'x'|mplace --nodes 0 --max-stall x -p $SP
2|invalid --min-free '150%'|mplace --nodes 0 --min-free 150% -p $SP
2|invalid --retries 'x'|mplace --nodes 0 --retries x -p $SP
2|--balancing needs --policy bind|mplace --nodes 0 --balancing --policy interleave -- true
1|no such process: [0-9]+|mplace -p $NP --nodes 0
127|cannot run '/nonexistent/cmd': No such file or directory|mplace --nodes 0 -- /nonexistent/cmd
126|cannot run '/etc/passwd': Permission denied|mplace --nodes 0 -- /etc/passwd
EOF
}

@test "mfree-discard: bad command lines" {
	check_table <<'EOF'
2|no process selected|mfree-discard
2|unknown option '--bogus'|mfree-discard --bogus
2|unknown option '-x'|mfree-discard -x
2|option '-p' needs an argument|mfree-discard -p
2|invalid PID 'abc'|mfree-discard -p abc
2|bad node list 'abc'|mfree-discard -p $SP --nodes abc
2|node 99 does not exist|mfree-discard -p $SP --nodes 99
2|invalid --mode 'foo'|mfree-discard -p $SP --mode foo
2|invalid --thp 'foo'|mfree-discard -p $SP --thp foo
2|bad --vma 'bogus'|mfree-discard -p $SP --vma bogus
2|invalid --timeout '-1'|mfree-discard -p $SP --timeout -1
2|invalid --timeout 'nan'|mfree-discard -p $SP --timeout nan
2|invalid --max-stall '0'|mfree-discard -p $SP --max-stall 0
2|invalid --max-stall '100s'|mfree-discard -p $SP --max-stall 100s
2|invalid --max-stall 'inf'|mfree-discard -p $SP --max-stall inf
2|unknown column 'BOGUS'|mfree-discard -p $SP -o BOGUS
2|no columns selected|mfree-discard -p $SP -o ''
2|unexpected argument 'extra'|mfree-discard -p $SP extra
2|unknown user 'nosuchuser-h8'|mfree-discard -u nosuchuser-h8
2|cgroup '/nonexistent' not found|mfree-discard --cgroup /nonexistent
2|empty process name|mfree-discard -n ''
1|no such process: [0-9]+|mfree-discard -p $NP
EOF
}
