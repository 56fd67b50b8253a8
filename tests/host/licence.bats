#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# The licence: GPL-2.0-or-later.  Every file git tracks that can carry a
# comment has the SPDX line at its top (scripts/licence-headers adds it;
# files that cannot carry one are covered by debian/copyright), COPYING is
# the GPL version 2, and the README and debian/copyright say the same.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
LH=$NS_TOP/scripts/licence-headers

@test "every tracked source, script, build, test, completion, man page and doc file has its SPDX line" {
	git -C "$NS_TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout (the tracked files are unknown)"
	command -v python3 >/dev/null || skip "python3 is not installed"
	run "$LH" --check
	# (its last line says how to fix it: run scripts/licence-headers)
	[ "$status" = 0 ] || fail "$output"
}

@test "scripts/licence-headers: the header goes after a #!, #compdef or scdoc title line, once" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	local d=$BATS_TEST_TMPDIR/t
	mkdir -p "$d"
	printf '#!/bin/sh\necho hi\n' >"$d/run.sh"
	chmod 755 "$d/run.sh"
	printf 'int x;\n' >"$d/x.c"
	printf 'tool(1)\n\n# NAME\n\ntool - a tool\n' >"$d/tool.1.scd"
	printf '# Title\n\ntext\n' >"$d/doc.md"
	run -0 "$LH" "$d/run.sh" "$d/x.c" "$d/tool.1.scd" "$d/doc.md"
	assert_output "licence-headers: 4 file(s) given the header"
	run cat "$d/run.sh"
	assert_output "$(printf '%s\n' '#!/bin/sh' '# SPDX-License-Identifier: GPL-2.0-or-later' \
		'# Copyright (C) 2026 The numashift authors' 'echo hi')"
	[ -x "$d/run.sh" ] || fail "the mode was lost"
	run head -2 "$d/x.c"
	assert_output "$(printf '%s\n' '/* SPDX-License-Identifier: GPL-2.0-or-later */' \
		'/* Copyright (C) 2026 The numashift authors */')"
	run head -2 "$d/tool.1.scd"
	assert_output "$(printf '%s\n' 'tool(1)' '; SPDX-License-Identifier: GPL-2.0-or-later')"
	run head -1 "$d/doc.md"
	assert_output '<!-- SPDX-License-Identifier: GPL-2.0-or-later -->'
	if command -v scdoc >/dev/null; then
		scdoc <"$d/tool.1.scd" >/dev/null || fail "scdoc rejects the header"
	fi
	# a second run changes nothing
	run -0 "$LH" "$d/run.sh" "$d/x.c" "$d/tool.1.scd" "$d/doc.md"
	assert_output "licence-headers: 0 file(s) given the header"
	run -0 "$LH" --check "$d/run.sh" "$d/x.c" "$d/tool.1.scd" "$d/doc.md"
	# a file without it is named, with what to do
	printf 'int y;\n' >"$d/y.c"
	run -1 "$LH" --check "$d/y.c"
	assert_line "$d/y.c: no 'SPDX-License-Identifier: GPL-2.0-or-later' line at its top"
	assert_line --partial "run scripts/licence-headers"
}

@test "COPYING is the GPL version 2; README and debian/copyright say GPL-2.0-or-later" {
	run -0 head -2 "$NS_TOP/COPYING"
	assert_line --regexp '^ +GNU GENERAL PUBLIC LICENSE$'
	assert_line --regexp '^ +Version 2, June 1991$'
	if [ -f /usr/share/common-licenses/GPL-2 ]; then
		cmp "$NS_TOP/COPYING" /usr/share/common-licenses/GPL-2
	fi
	grep -q 'GPL-2.0-or-later' "$NS_TOP/README" || fail "README does not name the licence"
	grep -q '^License: GPL-2+$' "$NS_TOP/debian/copyright" || fail "debian/copyright: no GPL-2+ stanza"
}
