# SPDX-License-Identifier: MIT
# nltune: one non-recursive Makefile. `make` builds (as any user, no network), `make check`,
# `make check SANITIZE=1`, `make run`, `make bench`, `make fuzz`, `make deb`,
# `make install DESTDIR= PREFIX=`. `make V=1` shows the full commands.
# CPPFLAGS, CFLAGS and LDFLAGS from the environment or the command line are added to ours.

# The version, in one place: debian/changelog must agree (debian/rules checks it).
VERSION := 0.1.0

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
SBINDIR  = $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
PKG_CONFIG ?= pkg-config
# System-wide locations are asked of pkg-config whatever PREFIX is: systemd and dbus-daemon read
# only their own directories, never /usr/local/share/dbus-1.
pcvar = $(or $(shell $(PKG_CONFIG) --variable=$(1) $(2) 2>/dev/null),$(3))
UNITDIR        ?= $(call pcvar,systemdsystemunitdir,systemd,/lib/systemd/system)
DBUSDATADIR    ?= $(call pcvar,datadir,dbus-1,/usr/share)/dbus-1
DBUSPOLICYDIR  ?= $(DBUSDATADIR)/system.d
DBUSSERVICEDIR ?= $(call pcvar,system_bus_services_dir,dbus-1,$(DBUSDATADIR)/system-services)
DBUSIFACEDIR   ?= $(call pcvar,interfaces_dir,dbus-1,$(DBUSDATADIR)/interfaces)
POLKITACTIONDIR ?= $(call pcvar,policydir,polkit-gobject-1,/usr/share/polkit-1/actions)
CATALOGDIR     ?= $(call pcvar,catalogdir,systemd,/usr/lib/systemd/catalog)

PKGS    := libconfuse libsystemd json-c libmnl

# Architectures `make check` also cross-builds into build-ARCH/ and runs under qemu-user
# (tests/cross/run.sh); not under SANITIZE, whose runtimes do not run under qemu-user.
ifeq ($(SANITIZE),1)
O       := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CROSS   :=
else
O       := build
SANFLAGS :=
CROSS   ?= arm64 armhf
endif

# Quiet lines (`CC daemon/x.o`) unless V=1.
ifeq ($(V),1)
say     :=
else
say      = @printf '  %-6s %s\n' $(1) $(patsubst $(O)/%,%,$(2));
endif

CC      ?= cc
WARN    := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wundef -Wvla -Wno-unused-parameter
# Recursive on purpose: under check and run, pkg-config is asked after `deps` installed what is
# missing.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
override CFLAGS := -std=gnu11 -O2 -g $(WARN) $(SANFLAGS) -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 \
	-DNLTUNE_VERSION='"$(VERSION)"' -Idaemon -Iconf -Idbus $(CFLAGS)
override LDFLAGS := $(SANFLAGS) $(LDFLAGS)

# Only these goals may install packages (tests/deps.sh, as root); plain `make` never does.
DEPS_GOALS := deps check run fuzz
BUILD_DEPS := $(if $(filter $(DEPS_GOALS),$(MAKECMDGOALS)),deps)

MAINS    := daemon/nltuned.c daemon/nltune.c
LIB_SRCS := $(filter-out $(MAINS),$(wildcard daemon/*.c)) conf/conf.c $(wildcard dbus/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
UNIT_SRCS := $(wildcard tests/test_*.c)
UNITS    := $(UNIT_SRCS:tests/%.c=$(O)/tests/%)
HOSTS    := $(patsubst tests/host/%.c,$(O)/tests/host/%,$(wildcard tests/host/host_*.c))
HELPERS  := $(patsubst tests/helpers/%.c,$(O)/tests/helpers/%,$(wildcard tests/helpers/*.c))
BINS     := $(O)/nltuned $(O)/nltune

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps pkgcheck check unit cross vm-check vm-measure run bench fuzz coverage format install deb version clean

all: $(BINS)

deps:
	@tests/deps.sh

# Say what is missing before the compiler does (run once per make; never installs anything).
pkgcheck: | $(BUILD_DEPS)
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || { echo "nltune: $(PKG_CONFIG) finds no$$(for p in \
		$(PKGS); do $(PKG_CONFIG) --exists $$p 2>/dev/null || printf ' %s' $$p; done):" \
		"install their -dev packages (make deps does it, as root)" >&2; exit 1; }

$(O)/%.o: %.c | pkgcheck
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(O)/libnltune.a: $(LIB_OBJS)
	$(call say,AR,$@)$(AR) rcs $@ $^

$(O)/nltuned $(O)/nltune: $(O)/%: $(O)/daemon/%.o $(O)/libnltune.a
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) -lm -lpthread -o $@

# Unit programs (tests/test_*.c) and host programs (tests/host/host_*.c: they write /proc/sys or
# send uevents, so tests/integration/host.sh runs them, as root) share tests/unit.c.
$(O)/tests/test_%: $(O)/tests/test_%.o $(O)/tests/unit.o $(O)/libnltune.a
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) $(UNIT_LDFLAGS) $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm -lpthread -o $@

# The meter's program reads recorded uevents: uevmon's recvmmsg() is the test's (under
# _TIME_BITS=64 a 32-bit glibc calls it __recvmmsg64).
$(O)/tests/test_meter: UNIT_LDFLAGS = -Wl,--wrap=recvmmsg -Wl,--wrap=__recvmmsg64
# safedir's program swaps a directory between two of its steps, from open() and openat().
$(O)/tests/test_safedir: UNIT_LDFLAGS = -Wl,--wrap=open -Wl,--wrap=open64 -Wl,--wrap=openat \
	-Wl,--wrap=openat64

$(O)/tests/host/host_%: $(O)/tests/host/host_%.o $(O)/tests/unit.o $(O)/libnltune.a
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm -lpthread -o $@

$(O)/tests/%.o: tests/%.c | pkgcheck
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) -Itests \
		-DNLTUNE_SRCDIR='"$(CURDIR)"' -MMD -MP -c $< -o $@

$(O)/tests/helpers/%: tests/helpers/%.c | $(BUILD_DEPS)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $< -o $@ $(LDFLAGS) $(PKG_LIBS)

check: $(BINS) $(UNITS) $(HOSTS) $(HELPERS)
	@NLTUNE_CROSS="$(CROSS)" tests/run.sh $(O)

# Only the cross builds and their unit programs under qemu-user: `make cross CROSS=armhf`.
cross:
	@set -e; for a in $(CROSS); do tests/cross/run.sh $$a; done

# The cmocka programs alone: no root, no packages installed (the Debian build runs this).
unit: $(UNITS)
	@set -e; for t in $(UNITS); do echo "== unit: $${t##*/}"; $$t; done

run: $(BINS)
	@mkdir -p $(O)/run-state
	$(O)/nltuned --state-dir $(CURDIR)/$(O)/run-state

# Line coverage of daemon/, conf/ and dbus/ under the unit programs alone (gcov, build-cov/).
coverage: | $(BUILD_DEPS)
	@tests/coverage.sh

# Rewrite every C file as the pinned .clang-format says (check runs tests/lint/format.sh).
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

bench: $(BINS) $(HELPERS)
	@tests/bench/run.sh $(O)

# libFuzzer harnesses of the pure parsers, FUZZ_SECONDS each (clang; not part of check).
fuzz: | $(BUILD_DEPS)
	@tests/fuzz/run.sh $(or $(FUZZ_SECONDS),30)

install: $(BINS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/nltune \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DBUSPOLICYDIR) $(DESTDIR)$(DBUSSERVICEDIR) \
		$(DESTDIR)$(DBUSIFACEDIR) $(DESTDIR)$(POLKITACTIONDIR) $(DESTDIR)$(CATALOGDIR) \
		$(DESTDIR)$(LOCALSTATEDIR)/lib/nltune
	install -m 0755 $(O)/nltuned $(DESTDIR)$(SBINDIR)/nltuned
	install -m 0755 $(O)/nltune $(DESTDIR)$(BINDIR)/nltune
	install -m 0644 conf/nltune.conf $(DESTDIR)$(SYSCONFDIR)/nltune/nltune.conf
	for u in conf/*.service; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g; s|@BINDIR@|$(BINDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	install -m 0644 dbus/org.nltune1.conf $(DESTDIR)$(DBUSPOLICYDIR)/
	install -m 0644 dbus/org.nltune1.service $(DESTDIR)$(DBUSSERVICEDIR)/
	install -m 0644 dbus/org.nltune1.Manager.xml $(DESTDIR)$(DBUSIFACEDIR)/
	install -m 0644 dbus/org.nltune1.policy $(DESTDIR)$(POLKITACTIONDIR)/
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 man/nltune.conf.5 man/org.nltune1.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/nltune.8 man/nltuned.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 contrib/completion/nltune.bash $(DESTDIR)$(BASHCOMPDIR)/nltune
	ln -sf nltune $(DESTDIR)$(BASHCOMPDIR)/nltuned
	install -m 0644 contrib/completion/_nltune $(DESTDIR)$(ZSHCOMPDIR)/_nltune
	install -m 0644 conf/nltune.catalog $(DESTDIR)$(CATALOGDIR)/

# The Debian package, built from a clean copy of the source files (git ls-files: tracked and
# untracked, not ignored; outside git the tree without build outputs):
# $(DEBDIR)/nltune_$(VERSION)_<arch>.deb, with the full build log in $(DEBDIR)/build.log.
# Build-Depends must be installed (`make deps` does it); DEB_BUILD_OPTIONS is passed on, this
# make's own flags (-s, -j, V=) are not.
DEBDIR ?= build/deb
DEBSRC  = $(DEBDIR)/nltune-$(VERSION)
deb:
	rm -rf $(DEBSRC) $(DEBDIR)/nltune[-_]* $(DEBDIR)/build.log
	mkdir -p $(DEBSRC)
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | xargs -0 sh -c \
			'for f; do { [ -e "$$f" ] || [ -L "$$f" ]; } && printf "%s\0" "$$f"; done' sh; \
	else \
		find . -path ./build -prune -o -path ./build-san -prune -o -path ./.git -prune \
			-o ! -type d -print0; \
	fi | tar --null -T - -cf - | tar -xf - -C $(DEBSRC)
	cd $(DEBSRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; echo "make deb: failed, full log in $(DEBDIR)/build.log" >&2; exit 1; }
	@ls -l $(DEBDIR)/*.deb

# Boot the package in a VM (Debian 12 under QEMU): tests/vm/run.sh, skipped (exit 0, it says
# why) only where QEMU cannot run. ARCH=x86_64 by default; ARCH=arm64 boots a 128 MiB virt
# machine with a cross-built package (made by the script itself); `make vm-measure` times boots.
ARCH ?= x86_64
VM_DEPS_x86_64 := deb $(BINS) $(HELPERS)
vm-check: $(VM_DEPS_$(ARCH))
	@ARCH=$(ARCH) tests/vm/run.sh $(O) test; rc=$$?; [ $$rc -eq 77 ] || exit $$rc

vm-measure: $(VM_DEPS_$(ARCH))
	@ARCH=$(ARCH) tests/vm/run.sh $(O) measure

version:
	@echo $(VERSION)

clean:
	rm -rf build build-san build-cov build-arm64 build-armhf

-include $(wildcard $(patsubst %.o,%.d,$(LIB_OBJS) $(MAINS:%.c=$(O)/%.o) $(UNITS:%=%.o) $(HOSTS:%=%.o) $(O)/tests/unit.o))
