#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# make install / uninstall with PREFIX and DESTDIR, and make dist: what lands
# where, that each shell finds the installed completions and man finds the
# pages, and that the release tarball builds and passes its host tests with
# ./configure && make && make check-host.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0
TOOLS="mscan mmigrate mplace mfree-discard"

# make in the tree with the build under test; "-o all": install what this
# build already has (never rebuild it with other flags, e.g. build-asan).
mk() { make -s -C "$NS_TOP" -o all BUILD="$NS_BUILD" "$@"; }

setup() {
	D=$BATS_TEST_TMPDIR/dest
}

@test "make install PREFIX=/usr DESTDIR=...: binaries, man pages, completions, docs" {
	local t
	run -0 mk install PREFIX=/usr DESTDIR="$D"
	for t in $TOOLS; do
		[ -x "$D/usr/bin/$t" ] || fail "no $D/usr/bin/$t"
		cmp "$NS_BUILD/bin/$t" "$D/usr/bin/$t"
		[ -s "$D/usr/share/man/man1/$t.1" ] || fail "no man page $t.1"
		cmp "$NS_BUILD/completions/$t.bash" "$D/usr/share/bash-completion/completions/$t"
		cmp "$NS_BUILD/completions/_$t" "$D/usr/share/zsh/vendor-completions/_$t"
		cmp "$NS_BUILD/completions/$t.fish" "$D/usr/share/fish/vendor_completions.d/$t.fish"
	done
	[ -s "$D/usr/share/man/man7/numashift.7" ]
	[ -s "$D/usr/share/doc/numashift/README" ]
	[ -s "$D/usr/share/doc/numashift/batch-jobs.md" ]
	[ -s "$D/usr/share/doc/numashift/json.md" ]
	ls "$D"/usr/share/doc/numashift/schema/*.schema.json >/dev/null
	for t in "$NS_TOP"/docs/examples/*; do
		[ -x "$D/usr/share/doc/numashift/examples/${t##*/}" ] || fail "example ${t##*/} not installed executable"
	done
	[ -x "$D/usr/sbin/numashift-textfile" ]
	[ -s "$D/usr/share/man/man8/numashift-textfile.8" ]
	# nothing outside PREFIX but the units, where systemd.pc says (Debian 12:
	# /lib/systemd/system)
	local unitdir
	unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null) || unitdir=/usr/lib/systemd/system
	[ -s "$D$unitdir/numashift-textfile.service" ] && [ -s "$D$unitdir/numashift-textfile.timer" ] ||
		fail "the units are not in $unitdir"
	run find "$D" ! -type d ! -path "$D/usr/*" ! -path "$D$unitdir/*"
	assert_output ""
}

@test "PREFIX moves everything; nothing is written outside DESTDIR" {
	run -0 mk install PREFIX=/opt/numashift DESTDIR="$D"
	[ -x "$D/opt/numashift/bin/mscan" ]
	[ -s "$D/opt/numashift/share/man/man1/mmigrate.1" ]
	[ -s "$D/opt/numashift/share/bash-completion/completions/mplace" ]
	[ -s "$D/opt/numashift/share/zsh/vendor-completions/_mfree-discard" ]
	[ -s "$D/opt/numashift/share/fish/vendor_completions.d/mscan.fish" ]
	run find "$D" -mindepth 1 -maxdepth 1
	assert_output "$D/opt"
}

@test "the bash completion directory is the one pkg-config names for /usr" {
	local dir
	dir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null) && [ -n "$dir" ] ||
		skip "pkg-config does not know bash-completion (apt-get install bash-completion)"
	[[ $dir == /usr/* ]] || skip "bash-completion is not installed under /usr ($dir)"
	run -0 mk install PREFIX=/usr DESTDIR="$D"
	[ -s "$D$dir/mscan" ] || fail "not in $dir, where pkg-config says bash-completion looks"
}

@test "installed completions are found: bash-completion loads them, zsh and fish too" {
	run -0 mk install PREFIX=/usr DESTDIR="$D"
	if [ -f /usr/share/bash-completion/bash_completion ]; then
		# bash-completion's loader looks in XDG_DATA_DIRS/bash-completion/completions
		run bash --norc --noprofile -c "
			. /usr/share/bash-completion/bash_completion
			export XDG_DATA_DIRS=$D/usr/share
			for t in $TOOLS; do __load_completion \$t || exit 1; complete -p \$t; done"
		assert_success
		assert_line "complete -F _mscan mscan"
		assert_line "complete -F _mfree_discard mfree-discard"
	fi
	if command -v zsh >/dev/null; then
		run zsh -f -c "fpath=($D/usr/share/zsh/vendor-completions \$fpath)
			autoload -Uz compinit && compinit -u -d $BATS_TEST_TMPDIR/zdump
			print \$_comps[mmigrate]"
		assert_output _mmigrate
	fi
	if command -v fish >/dev/null; then
		# (fish reads XDG_DATA_DIRS in its own share/config.fish: no
		# --no-config; an empty HOME keeps user settings out)
		run env HOME="$BATS_TEST_TMPDIR" XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/cfg" \
			XDG_DATA_DIRS="$D/usr/share" PATH="$D/usr/bin:$PATH" \
			fish -c 'complete -C "mscan --topo"'
		assert_output --partial -- "--topology"
	fi
}

@test "man finds the installed pages" {
	command -v man >/dev/null || skip "man is not installed"
	run -0 mk install PREFIX=/usr DESTDIR="$D"
	run env MANPATH="$D/usr/share/man" man -w mmigrate
	assert_output "$D/usr/share/man/man1/mmigrate.1"
	run env MANPATH="$D/usr/share/man" man -w 7 numashift
	assert_output "$D/usr/share/man/man7/numashift.7"
}

@test "make uninstall removes every file install wrote" {
	run -0 mk install PREFIX=/usr DESTDIR="$D"
	[ -n "$(find "$D" -type f)" ]
	run -0 mk uninstall PREFIX=/usr DESTDIR="$D"
	run find "$D" -type f
	assert_output ""
}

@test "make dist: the tarball builds and passes its tests (./configure && make && make check-host)" {
	git -C "$NS_TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout (make dist lists files with git)"
	command -v autoconf >/dev/null || skip "autoconf is not installed (scripts/deps dist)"
	local d=$BATS_TEST_TMPDIR/dist v
	mkdir -p "$d"
	run -0 make -s -C "$NS_TOP" DISTDIR="$d" dist
	v=$(sed -n 's/^VERSION *:= *//p' "$NS_TOP/Makefile")
	[ -s "$d/numashift-$v.tar.gz" ]
	[ ! -e "$d/numashift-$v" ]
	tar -C "$d" -xzf "$d/numashift-$v.tar.gz"
	cd "$d/numashift-$v"
	# a fresh build: not the variables (BUILD=...) of the make running us
	unset MAKEFLAGS MFLAGS MAKELEVEL BUILD
	# the tarball has what a release needs and no build output
	[ -x configure ]
	# every file git tracks (the lead commits new files before a release)
	while IFS= read -r f; do
		[ -e "$NS_TOP/$f" ] || continue
		[ -e "$f" ] || [ -L "$f" ] || fail "$f is not in the tarball"
	done < <(git -C "$NS_TOP" ls-files)
	for f in Makefile configure.ac config.mk.in README scripts/run-host-tests; do
		[ -e "$f" ] || fail "$f is not in the tarball"
	done
	run find . \( -name '*.o' -o -name 'build*' -o -name '*.tar.gz' -o -name config.mk \) -print
	assert_output ""
	run ./configure --prefix=/usr
	assert_success
	run make -j2
	assert_success
	if [ "${NS_DIST_FULL:-0}" = 1 ]; then
		# the whole host suite of the tarball (as long again as this one)
		run make check-host
		assert_success
		assert_output --regexp 'host \(build\): [0-9]+ passed, 0 failed'
	else
		# its unit tests and the tests of what a release adds to the code:
		# man pages, completions, install (NS_DIST_FULL=1: all of check-host)
		run make units
		assert_success
		for u in build/unit/test_*; do
			run "$u"
			assert_success
		done
		NS_TOP=$PWD NS_BUILD=$PWD/build NS_BIN=$PWD/build/bin PATH=$PWD/build/bin:$PATH \
			run bats tests/host/docs-man.bats tests/host/completion-bash.bats
		assert_success
	fi
	run -0 make install DESTDIR="$d/root"
	[ -x "$d/root/usr/bin/mmigrate" ]
}
