# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# numashift: build, test, install.  `make demo` and `make check` are the two
# commands in the README; everything else is for developers and packagers.
-include config.mk

VERSION    := 0.1.0
# Where make install puts things.  ./configure writes its --prefix, --bindir,
# --mandir, --docdir ... into config.mk, which sets these; a PREFIX given to
# make moves every directory configure left at its default.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
DATAROOTDIR ?= $(PREFIX)/share
MANDIR     ?= $(DATAROOTDIR)/man
DOCDIR     ?= $(DATAROOTDIR)/doc/numashift
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config

# Each shell's completion directory, where that shell looks for it.
# PREFIX=/usr (a distribution's package): bash-completion's and fish's own
# completionsdir from pkg-config, zsh's vendor-completions (Debian's).
# PREFIX=/usr/local: bash-completion searches XDG_DATA_DIRS (by default
# /usr/local/share:/usr/share), zsh's default fpath has
# /usr/local/share/zsh/site-functions, and fish (3.6) reads only its own
# data directory and /etc/fish/completions unless XDG_DATA_DIRS is set.
# Any other prefix: under it, for the user's XDG_DATA_DIRS and fpath.
ifeq ($(PREFIX),/usr)
BASHCOMPDIR ?= $(or $(shell $(PKG_CONFIG) --variable=completionsdir bash-completion 2>/dev/null),$(DATAROOTDIR)/bash-completion/completions)
ZSHCOMPDIR  ?= $(DATAROOTDIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(or $(shell $(PKG_CONFIG) --variable=completionsdir fish 2>/dev/null),$(DATAROOTDIR)/fish/vendor_completions.d)
else ifeq ($(PREFIX),/usr/local)
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATAROOTDIR)/zsh/site-functions
FISHCOMPDIR ?= /etc/fish/completions
else
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATAROOTDIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(DATAROOTDIR)/fish/vendor_completions.d
endif
# systemd units (configure --with-systemdsystemunitdir=DIR sets it):
# PREFIX=/usr, where systemd.pc says (Debian 12: /lib/systemd/system), else
# systemd's own default; /usr/local: /usr/local/lib/systemd/system, which
# systemd reads for the administrator's units; any other prefix: under it.
ifeq ($(PREFIX),/usr)
SYSTEMDUNITDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/usr/lib/systemd/system)
else
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
endif
CFLAGS     ?= -O2 -g
BUILD      ?= build
# CI sets WERROR=1; warnings are errors there.
WERROR     ?= 0

# Only jansson is linked.  libnuma-dev gives numaif.h's constants (the two
# system calls are made directly); libproc2 is loaded at run time when a
# selection by name/user/cgroup/-A needs it, by its soname: linked, the two
# would cost every run ~1 ms of start-up (see common/procs.c).
DEP_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags libproc2 jansson numa 2>/dev/null)
DEP_LIBS   ?= $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson) -ldl
LIBPROC2_SONAME ?= $(or $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir libproc2 2>/dev/null)/libproc2.so" 2>/dev/null | awk '/SONAME/ {print $$2}'),libproc2.so.0)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wno-unused-parameter -Wvla -Wpointer-arith
ifeq ($(WERROR),1)
WARN += -Werror
endif
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -DNS_VERSION='"$(VERSION)"' -DNS_LIBPROC2='"$(LIBPROC2_SONAME)"' \
	$(WARN) -Icommon -Icmd \
	$(DEP_CFLAGS) $(CFLAGS)
ALL_LDLIBS = $(DEP_LIBS) -lpthread -lm
# the test helpers place their memory with libnuma's mbind/set_mempolicy
NUMA_LIBS  ?= $(shell $(PKG_CONFIG) --libs numa 2>/dev/null || echo -lnuma)

COMMON_SRC := $(sort $(wildcard common/*.c))
CLI_SRC    := cmd/cli.c
TOOLS      := $(sort $(filter-out cli,$(basename $(notdir $(wildcard cmd/*.c)))))
HELPERS    := $(sort $(basename $(notdir $(wildcard tests/helpers/*.c))))
UNITS      := $(sort $(basename $(notdir $(wildcard tests/unit/test_*.c))))

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIBCORE    := $(BUILD)/libnumashift.a
BINS       := $(TOOLS:%=$(BUILD)/bin/%)
HELPER_BINS := $(HELPERS:%=$(BUILD)/helpers/%)
UNIT_BINS  := $(UNITS:%=$(BUILD)/unit/%)
# make bench's own programs (tests/bench/*.c) are built and shipped like helpers
BENCH_PROGS := $(sort $(basename $(notdir $(wildcard tests/bench/*.c))))
HELPER_BINS += $(BENCH_PROGS:%=$(BUILD)/helpers/%)

MAN_SRC    := $(sort $(wildcard docs/*.[178].scd))
MANS       := $(MAN_SRC:docs/%.scd=$(BUILD)/man/%)
HAVE_SCDOC := $(shell command -v scdoc 2>/dev/null)

.PHONY: completions all deps deps-check deps-vm deps-slurm check check-host check-unit check-bats check-asan \
	check-valgrind check-vm check-vm-asan check-tsan check-fuzz demo install uninstall clean dist deb fuzz bench docs helpers units

.DEFAULT_GOAL := all

# Shell completions: bash-completion (and zsh, fish) load one standalone file
# per command, so each is built from the tool's part and the one shared part
# (completions/common.*) put in at its "# @numashift-common@" line.
COMPLETIONS := $(foreach t,$(TOOLS),$(BUILD)/completions/$(t).bash $(BUILD)/completions/_$(t) \
	$(BUILD)/completions/$(t).fish)
completions: $(COMPLETIONS)

define COMPLETION_RULE
$(BUILD)/completions/$(1): completions/$(1) completions/common.$(2)
	@mkdir -p $$(dir $$@)
	sed -e '/^# @numashift-common@$$$$/{r completions/common.$(2)' -e 'd;}' completions/$(1) > $$@
endef
$(foreach t,$(TOOLS),$(eval $(call COMPLETION_RULE,$(t).bash,bash)) \
	$(eval $(call COMPLETION_RULE,_$(t),zsh)) $(eval $(call COMPLETION_RULE,$(t).fish,fish)))

all: $(BINS) $(HELPER_BINS) $(COMPLETIONS) $(if $(HAVE_SCDOC),docs)

docs: $(MANS)

# dated by the page's last commit (scripts/man-date), not by the day of the build
$(BUILD)/man/%: docs/%.scd
	@mkdir -p $(dir $@)
	SOURCE_DATE_EPOCH=$$(scripts/man-date $<) scdoc < $< > $@

deps:
	@scripts/deps build

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBCORE): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(CLI_OBJ) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/helpers/%: $(BUILD)/tests/helpers/%.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS) $(NUMA_LIBS)

$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/helpers/%: $(BUILD)/tests/bench/%.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS) $(NUMA_LIBS)

helpers: $(HELPER_BINS)
units: $(UNIT_BINS)

-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)

# ---- tests ---------------------------------------------------------------
# make check: host tests, host tests under ASan+UBSan, ThreadSanitizer,
# valgrind, short fuzzing, then the multi-node guest (tests/vm) on both
# kernels, and once more on one kernel with the tools built with ASan+UBSan.
# check-host / check-vm / ... run one part.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
KERNEL ?= all
TOPO   ?= all
# FILES: a glob of guest test files (make check-vm FILES='mscan-*.bats')
FILES  ?=

check: deps-check
	$(MAKE) check-host
	$(MAKE) check-asan
	$(MAKE) check-tsan
	$(MAKE) check-valgrind
	$(MAKE) check-fuzz
	$(MAKE) check-vm
	$(MAKE) check-vm-asan

deps-check:
	@scripts/deps build check deb

check-host: all units
	@scripts/run-host-tests $(BUILD)

check-asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(SAN_FLAGS)" all units
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		scripts/run-host-tests build-asan

check-valgrind: all
	@scripts/run-valgrind $(BUILD)

# the threaded executor on the test's own memory under ThreadSanitizer
check-tsan:
	@tests/unit/tsan-exec build-tsan-exec

# every fuzz target for a short time (make fuzz: ten minutes each)
CHECK_FUZZ_SECONDS ?= 10
check-fuzz:
	@scripts/deps build fuzz
	@scripts/run-fuzz $(CHECK_FUZZ_SECONDS)

deps-vm:
	@scripts/deps build vm

# Debian's Slurm for tests/vm/tests/slurm-real.bats: fetched and unpacked
# into tests/vm/cache/slurm, never installed; never fails (the test skips)
deps-slurm:
	@scripts/deps slurm

# the guest suite once more with the tools built with ASan+UBSan (one kernel:
# ASan makes TCG slower still).  A sanitizer report fails a test: the tool
# exits non-zero and prints more than its one line.  The helpers are the
# plain build's: an ASan helper's own shadow and allocator pages would change
# what the tests measure of it (shared pages, Rss, a no-op mlock).
ASAN_KERNEL ?= 6.12
check-vm-asan: deps-vm all
	$(MAKE) BUILD=build-asan CFLAGS="$(SAN_FLAGS)" all
	@tests/vm/run --build build-asan --helpers $(BUILD)/helpers --kernel $(ASAN_KERNEL) --topo $(TOPO) $(if $(FILES),--files '$(FILES)')

check-vm: deps-vm deps-slurm all
	@tests/vm/run --build $(BUILD) --kernel $(KERNEL) --topo $(TOPO) $(if $(FILES),--files '$(FILES)')

demo: deps-vm all
	@scripts/demo $(BUILD)

# ---- install -------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	@# numashift-textfile and its units, disabled (nothing here enables
	@# them); the service names the script where this install puts it
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 755 systemd/numashift-textfile $(DESTDIR)$(SBINDIR)/
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/numashift-textfile.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/numashift-textfile.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/numashift-textfile.service
	install -m 644 systemd/numashift-textfile.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	@$(if $(HAVE_SCDOC),,echo "install: scdoc not found: man pages not installed (scripts/deps docs)" >&2;) \
	set -e; for m in $(if $(HAVE_SCDOC),$(MANS)); do \
		sec=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$sec; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$sec/; done
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 README $(wildcard docs/*.md) $(DESTDIR)$(DOCDIR)/
	@if [ -d docs/schema ]; then install -d $(DESTDIR)$(DOCDIR)/schema; \
		install -m 644 docs/schema/*.json $(DESTDIR)$(DOCDIR)/schema/; fi
	@# the prolog and epilog are links to numashift-job: installed as links
	@if [ -d docs/examples ]; then install -d $(DESTDIR)$(DOCDIR)/examples; \
		for f in docs/examples/*; do if [ -L "$$f" ]; then \
			ln -sfn "$$(readlink "$$f")" $(DESTDIR)$(DOCDIR)/examples/"$${f##*/}"; \
		else install -m 755 "$$f" $(DESTDIR)$(DOCDIR)/examples/; fi; done; fi
	@set -e; for t in $(TOOLS); do \
		install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR); \
		install -m 644 $(BUILD)/completions/$$t.bash $(DESTDIR)$(BASHCOMPDIR)/$$t; \
		install -m 644 $(BUILD)/completions/_$$t $(DESTDIR)$(ZSHCOMPDIR)/; \
		install -m 644 $(BUILD)/completions/$$t.fish $(DESTDIR)$(FISHCOMPDIR)/; \
	done

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(SBINDIR)/numashift-textfile
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/numashift-textfile.service $(DESTDIR)$(SYSTEMDUNITDIR)/numashift-textfile.timer
	rm -f $(TOOLS:%=$(DESTDIR)$(BASHCOMPDIR)/%) $(TOOLS:%=$(DESTDIR)$(ZSHCOMPDIR)/_%) \
		$(TOOLS:%=$(DESTDIR)$(FISHCOMPDIR)/%.fish)
	@for m in $(MAN_SRC:docs/%.scd=%); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done
	rm -rf $(DESTDIR)$(DOCDIR)

# ---- release, fuzzing, benchmarks -----------------------------------------
# The tarball holds the files git tracks (as they are in the working tree)
# and a configure made by autoconf; DISTDIR: where it is written.
DISTDIR ?= .
DIST    := $(DISTDIR)/numashift-$(VERSION)
# $(call COPY_TREE,DIR): copy there the files git tracks, as they are in the
# working tree (links as links); outside a git checkout, every file but the
# build directories.
COPY_TREE = { if git rev-parse --git-dir >/dev/null 2>&1; then git ls-files -z; \
	else find . -path './build*' -prune -o \( -type f -o -type l \) -printf '%P\0'; fi; } | \
	xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
	xargs -0 cp -P --parents -t $(1)
dist:
	@scripts/deps dist
	@rm -rf $(DIST) && mkdir -p $(DIST)
	$(call COPY_TREE,$(DIST))
	cd $(DIST) && autoconf && rm -rf autom4te.cache
	tar -C $(DISTDIR) -czf $(DIST).tar.gz numashift-$(VERSION) && rm -rf $(DIST)
	@echo "$(DIST).tar.gz"

# make deb: the Debian package (debian/) of the same files as make dist,
# built by dpkg-buildpackage in a copy under DEBDIR, so that its clean step
# leaves this tree's builds alone; then lintian (LINTIAN=0: not) and
# hardening-check on the packaged binaries.  The package's build runs the
# host suite (DEB_BUILD_OPTIONS=nocheck: not).
# hardening-check --nocfprotection: the code is built with -fcf-protection
# (debian/rules), but Debian 12's crt1.o has no CET note, so no program
# linked there has one.
DEBDIR  ?= $(BUILD)/deb
LINTIAN ?= 1
comma   := ,
deb:
	@scripts/deps build deb
	@rm -rf $(DEBDIR) && mkdir -p $(DEBDIR)/numashift-$(VERSION)
	@$(call COPY_TREE,$(DEBDIR)/numashift-$(VERSION))
	cd $(DEBDIR)/numashift-$(VERSION) && \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD dpkg-buildpackage -us -uc -b
	$(if $(filter 1,$(LINTIAN)),lintian --fail-on error$(comma)warning $(DEBDIR)/numashift_$(VERSION)_*.changes)
	rm -rf $(DEBDIR)/root && dpkg-deb -x $(DEBDIR)/numashift_$(VERSION)_*.deb $(DEBDIR)/root
	hardening-check --nocfprotection $(DEBDIR)/root/usr/bin/*
	@ls $(DEBDIR)/*.deb

FUZZ_SECONDS ?= 600
fuzz:
	@scripts/deps build fuzz
	@scripts/run-fuzz $(FUZZ_SECONDS)

bench: deps-vm all
	@scripts/deps bench
	@scripts/bench $(BUILD)

clean:
	rm -rf build build-* numashift-*.tar.gz
