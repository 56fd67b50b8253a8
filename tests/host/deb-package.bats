#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# The Debian package (debian/, make deb): it builds from the tree with
# dpkg-buildpackage, lintian finds no error or warning, hardening-check
# passes, and the tools unpacked from it into a scratch root run: --version,
# a scan of a live process, a selection by name (libproc2, loaded with dlopen,
# which the package must name in Depends).  One build for the whole file
# (~1 min): setup_file.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
TOOLS="mscan mmigrate mplace mfree-discard"

setup_file() {
	# debian/rules runs the host suite inside the package build: not again there
	[ "${NS_IN_DEB_BUILD:-0}" = 1 ] && return 0
	# the package is built from the tree, not from the build under test:
	# once per make check, in the plain build's run, not again under ASan
	[ -n "${ASAN_OPTIONS:-}" ] && return 0
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null &&
		command -v lintian >/dev/null && command -v hardening-check >/dev/null || return 0
	export DEB_DIR=$BATS_FILE_TMPDIR/deb
	# the host suite already runs in make check: the package's own run of it
	# (dh_auto_test) would double this test's time
	(unset MAKEFLAGS MFLAGS MAKELEVEL BUILD
	 DEB_BUILD_OPTIONS=nocheck make -C "$NS_TOP" deb DEBDIR="$DEB_DIR") >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/make-deb.rc"
}

setup() {
	[ "${NS_IN_DEB_BUILD:-0}" != 1 ] || skip "inside the package's own build"
	[ -z "${ASAN_OPTIONS:-}" ] || skip "built once, in the run of the plain build"
	[ -e "$BATS_FILE_TMPDIR/make-deb.rc" ] ||
		skip "no dpkg-buildpackage, dh, lintian or hardening-check (scripts/deps deb)"
	DEB_DIR=$BATS_FILE_TMPDIR/deb
	ROOT=$DEB_DIR/root
	VERSION=$(sed -n 's/^VERSION *:= *//p' "$NS_TOP/Makefile")
}

@test "make deb: dpkg-buildpackage builds it, lintian and hardening-check find nothing" {
	run cat "$BATS_FILE_TMPDIR/make-deb.log"
	[ "$(cat "$BATS_FILE_TMPDIR/make-deb.rc")" = 0 ] || fail "make deb failed: $output"
	# lintian --fail-on error,warning ran and said nothing but its root notice
	refute_line --regexp '^[EW]: '
	assert_line --regexp '^dpkg-buildpackage: info: binary-only upload'
	for t in $TOOLS; do
		assert_line "$ROOT/usr/bin/$t:"
	done
	# a "no" that hardening-check does not mark "(ignored)" (--nocfprotection)
	refute_line --regexp ': no, .*[^)]$'
}

@test "debian/changelog's version is the Makefile's" {
	run dpkg-parsechangelog -l "$NS_TOP/debian/changelog" -S Version
	assert_output "$VERSION"
}

@test "Depends names libproc2-0, which dpkg-shlibdeps cannot see (dlopen)" {
	run -0 dpkg-deb -f "$DEB_DIR/numashift_${VERSION}_"*.deb Depends
	assert_output --regexp '(^|, )libproc2-0( \(|,|$)'
	assert_output --partial libjansson4
}

@test "each tool from the unpacked package: --version, and a scan of a live process" {
	local t
	for t in $TOOLS; do
		run -0 "$ROOT/usr/bin/$t" --version
		assert_output --partial "$VERSION"
	done
	sleep 30 & local pid=$!
	run -0 "$ROOT/usr/bin/mscan" -p "$pid"
	kill "$pid"
	assert_line --regexp "^ *$pid +sleep "
	# by name: libproc2 loaded at run time
	sleep 31 & pid=$!
	run -0 "$ROOT/usr/bin/mscan" -n sleep
	kill "$pid"
	assert_line --regexp "^ *$pid +sleep "
}

@test "man pages, completions and examples are where Debian puts them" {
	local t d
	for t in $TOOLS; do
		[ -s "$ROOT/usr/share/man/man1/$t.1.gz" ] || fail "no man page $t.1"
		[ -s "$ROOT/usr/share/zsh/vendor-completions/_$t" ] || fail "no zsh completion for $t"
		d=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null) || d=/usr/share/bash-completion/completions
		[ -s "$ROOT$d/$t" ] || fail "no bash completion for $t in $d"
		d=$(pkg-config --variable=completionsdir fish 2>/dev/null) || d=/usr/share/fish/vendor_completions.d
		[ -s "$ROOT$d/$t.fish" ] || fail "no fish completion for $t in $d"
	done
	[ -s "$ROOT/usr/share/man/man7/numashift.7.gz" ]
	local ex=$ROOT/usr/share/doc/numashift/examples
	[ -x "$ex/numashift-job" ] && [ ! -L "$ex/numashift-job" ]
	[ "$(readlink "$ex/numashift-prolog")" = numashift-job ]
	[ "$(readlink "$ex/numashift-epilog")" = numashift-job ]
	[ -s "$ROOT/usr/share/doc/numashift/copyright" ]
	ls "$ROOT"/usr/share/doc/numashift/schema/*.schema.json >/dev/null
}

@test "numashift-textfile, its man page and units are shipped; the maintainer scripts enable and start nothing" {
	[ -x "$ROOT/usr/sbin/numashift-textfile" ] || fail "no /usr/sbin/numashift-textfile"
	[ -s "$ROOT/usr/share/man/man8/numashift-textfile.8.gz" ] || fail "no man page numashift-textfile.8"
	local d
	d=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null) || d=/lib/systemd/system
	[ -s "$ROOT$d/numashift-textfile.timer" ] || fail "no timer in $d"
	grep -qx 'ExecStart=/usr/sbin/numashift-textfile' "$ROOT$d/numashift-textfile.service" ||
		fail "the service does not name /usr/sbin/numashift-textfile"
	# dh_installsystemd --no-enable --no-start: nothing starts a unit, and
	# the timer is enabled only again on an upgrade of a package whose timer
	# the administrator had enabled (the debian-installed guard), never on a
	# first installation (which enable, without it, does: was-enabled is
	# true for a unit never seen)
	local ctl=$BATS_TEST_TMPDIR/control f
	run -0 dpkg-deb -e "$DEB_DIR/numashift_${VERSION}_"*.deb "$ctl"
	for f in "$ctl"/preinst "$ctl"/postinst "$ctl"/prerm "$ctl"/postrm; do
		[ -e "$f" ] || continue
		run grep -E 'deb-systemd-invoke .*start|systemctl .*(start|enable)' "$f"
		assert_output ""
	done
	if grep -q "deb-systemd-helper enable" "$ctl/postinst"; then
		run awk "/deb-systemd-helper debian-installed 'numashift-textfile.timer'/ { g = 1 }
			/deb-systemd-helper enable/ && !g { print }" "$ctl/postinst"
		assert_output ""
	fi
}
