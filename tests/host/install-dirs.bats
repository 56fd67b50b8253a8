#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# make install's directories: CPPFLAGS reaches the compiler, configure's
# --bindir/--sbindir/--mandir/--docdir/--with-systemdsystemunitdir are honoured, with the default prefix each shell
# finds its completion by itself, and the prolog/epilog are installed as links.
# Each test runs make in a scratch directory of links to the tree (so that a
# config.mk there is the test's own) and installs the build under test.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
TOOLS="mscan mmigrate mplace mfree-discard"

setup() {
	D=$BATS_TEST_TMPDIR/dest
	W=$BATS_TEST_TMPDIR/tree
	mkdir -p "$W"
	local f
	for f in Makefile README cmd common completions docs scripts systemd tests configure.ac config.mk.in; do
		ln -s "$NS_TOP/$f" "$W/$f"
	done
	# a fresh make: not the variables of the make running us
	unset MAKEFLAGS MFLAGS MAKELEVEL PREFIX
}

# make in the scratch tree with the build under test, never rebuilding it
mk() { make -s -C "$W" -o all BUILD="$NS_BUILD" "$@"; }

@test "CPPFLAGS reaches every compilation (dpkg-buildflags puts -D_FORTIFY_SOURCE=2 there)" {
	run -0 make -s -C "$W" -n -B BUILD="$BATS_TEST_TMPDIR/b" CPPFLAGS=-DNS_CPPFLAGS_SEEN \
		"$BATS_TEST_TMPDIR/b/common/path.o" "$BATS_TEST_TMPDIR/b/cmd/mscan.o"
	[ "$(grep -c -- ' -c ' <<<"$output")" = 2 ] || fail "not two compilations: $output"
	[ "$(grep -c -- '-DNS_CPPFLAGS_SEEN' <<<"$output")" = 2 ] || fail "CPPFLAGS not passed: $output"
}

@test "configure's --bindir, --mandir and --docdir are where make install puts things" {
	command -v autoconf >/dev/null || skip "autoconf is not installed (scripts/deps dist)"
	cd "$W"
	# configure's own files, not links: it writes config.mk beside them
	rm configure.ac config.mk.in && cp "$NS_TOP/configure.ac" "$NS_TOP/config.mk.in" .
	run -0 autoconf
	run -0 ./configure --prefix=/opt/ns --bindir=/opt/ns/sbin --mandir=/opt/man --docdir=/opt/doc/ns \
		--sbindir=/opt/ns/admin --with-systemdsystemunitdir=/opt/units
	run -0 mk install DESTDIR="$D"
	local t
	[ -x "$D/opt/ns/admin/numashift-textfile" ] || fail "numashift-textfile not in --sbindir"
	[ -s "$D/opt/units/numashift-textfile.timer" ] || fail "the timer not in --with-systemdsystemunitdir"
	grep -qx 'ExecStart=/opt/ns/admin/numashift-textfile' "$D/opt/units/numashift-textfile.service" ||
		fail "the service does not name --sbindir's script"
	if [ -e "$NS_BUILD/man/numashift-textfile.8" ]; then
		[ -s "$D/opt/man/man8/numashift-textfile.8" ] || fail "numashift-textfile.8 not in --mandir"
	fi
	for t in $TOOLS; do
		[ -x "$D/opt/ns/sbin/$t" ] || fail "$t not in --bindir"
		if [ -e "$NS_BUILD/man/$t.1" ]; then
			[ -s "$D/opt/man/man1/$t.1" ] || fail "$t.1 not in --mandir"
		fi
	done
	[ -s "$D/opt/doc/ns/README" ] || fail "README not in --docdir"
	[ ! -e "$D/opt/ns/bin" ] || fail "--bindir ignored: $D/opt/ns/bin exists"
	[ ! -e "$D/opt/ns/share/man" ] || fail "--mandir ignored"
	run -0 mk uninstall DESTDIR="$D"
	run find "$D" -type f
	assert_output ""
	# a PREFIX given to make still moves what configure left at its default
	run -0 mk install DESTDIR="$D/2" PREFIX=/srv/x
	[ -x "$D/2/opt/ns/sbin/mscan" ] && [ -s "$D/2/srv/x/share/bash-completion/completions/mscan" ] ||
		fail "$(cd "$D/2" && find . -name mscan)"
}

@test "default prefix /usr/local: each shell finds the completions, systemd the units" {
	run -0 mk install DESTDIR="$D"
	local t dir
	[ -x "$D/usr/local/bin/mscan" ]
	# systemd reads the administrator's units there
	[ -s "$D/usr/local/lib/systemd/system/numashift-textfile.service" ]
	if command -v systemd-analyze >/dev/null; then
		run -0 systemd-analyze unit-paths
		assert_line /usr/local/lib/systemd/system
	fi
	if [ -f /usr/share/bash-completion/bash_completion ]; then
		# the directories bash-completion's loader tries, with no
		# XDG_DATA_DIRS set (its trace tests each with [[ -d DIR ]])
		run env -u XDG_DATA_DIRS HOME="$BATS_TEST_TMPDIR" bash --norc --noprofile -c '
			. /usr/share/bash-completion/bash_completion
			set -x; __load_completion numashift-probe-none'
		dir=$(cd "$D" && dirname "$(find . -path '*bash-completion*' -name mscan)" | sed 's/^\.//')
		assert_line --partial "[[ -d $dir ]]"
	fi
	if command -v zsh >/dev/null; then
		run zsh -f -c 'print -l $fpath'
		for t in $TOOLS; do
			dir=$(cd "$D" && dirname "$(find . -name "_$t")" | sed 's/^\.//')
			assert_line "$dir"
		done
	fi
	if command -v fish >/dev/null; then
		run env -u XDG_DATA_DIRS HOME="$BATS_TEST_TMPDIR" XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/cfg" \
			fish -c 'printf "%s\n" $fish_complete_path'
		for t in $TOOLS; do
			dir=$(cd "$D" && dirname "$(find . -name "$t.fish")" | sed 's/^\.//')
			assert_line "$dir"
		done
	fi
	run -0 mk uninstall DESTDIR="$D"
	run find "$D" -type f
	assert_output ""
}

@test "the prolog and epilog are installed as links to numashift-job, not copies" {
	run -0 mk install PREFIX=/usr DESTDIR="$D"
	local ex=$D/usr/share/doc/numashift/examples f
	[ -f "$ex/numashift-job" ] && [ ! -L "$ex/numashift-job" ]
	for f in numashift-prolog numashift-epilog; do
		[ -L "$ex/$f" ] || fail "$f is not a link"
		[ "$(readlink "$ex/$f")" = numashift-job ] || fail "$f -> $(readlink "$ex/$f")"
	done
}
