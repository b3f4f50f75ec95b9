# SPDX-License-Identifier: MIT
# nltune: one non-recursive Makefile. `make`, `make check`, `make check SANITIZE=1`,
# `make run`, `make bench`, `make fuzz`, `make install DESTDIR= PREFIX=`.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
SBINDIR  = $(PREFIX)/sbin
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DBUSPOLICYDIR ?= $(PREFIX)/share/dbus-1/system.d
DBUSSERVICEDIR ?= $(PREFIX)/share/dbus-1/system-services
DBUSIFACEDIR ?= $(PREFIX)/share/dbus-1/interfaces

VERSION := 0.1.0
PKGS    := libconfuse libsystemd json-c libmnl

ifeq ($(SANITIZE),1)
O       := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
O       := build
SANFLAGS :=
endif

CC      ?= cc
WARN    := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wundef -Wvla -Wno-unused-parameter
# Recursive on purpose: pkg-config is asked after `deps` has installed what is missing.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null)
override CFLAGS := -std=gnu11 -O2 -g $(WARN) $(SANFLAGS) -D_GNU_SOURCE \
	-DNLTUNE_VERSION='"$(VERSION)"' -Idaemon -Iconf -Idbus $(CFLAGS)
override LDFLAGS := $(SANFLAGS) $(LDFLAGS)

MAINS    := daemon/nltuned.c daemon/nltune.c
LIB_SRCS := $(filter-out $(MAINS),$(wildcard daemon/*.c)) conf/conf.c $(wildcard dbus/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
UNIT_SRCS := $(wildcard tests/test_*.c)
UNITS    := $(UNIT_SRCS:tests/%.c=$(O)/tests/%)
HELPERS  := $(patsubst tests/helpers/%.c,$(O)/tests/helpers/%,$(wildcard tests/helpers/*.c))
BINS     := $(O)/nltuned $(O)/nltune

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps check unit integration run bench fuzz format install clean

all: $(BINS)

deps:
	@tests/deps.sh

$(O)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(O)/libnltune.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(O)/nltuned $(O)/nltune: $(O)/%: $(O)/daemon/%.o $(O)/libnltune.a
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -lm -lpthread -o $@

$(O)/tests/test_%: $(O)/tests/test_%.o $(O)/libnltune.a
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm -lpthread -o $@

$(O)/tests/test_%.o: tests/test_%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -c $< -o $@

$(O)/tests/helpers/%: tests/helpers/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)

check: $(BINS) $(UNITS) $(HELPERS)
	@tests/run.sh $(O)

run: $(BINS)
	@mkdir -p $(O)/run-state
	$(O)/nltuned --state-dir $(CURDIR)/$(O)/run-state

# Rewrite every C file as the pinned .clang-format says (check runs tests/lint/format.sh).
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

bench: $(BINS) $(HELPERS)
	@tests/bench/run.sh $(O)

# libFuzzer harnesses of the pure parsers, FUZZ_SECONDS each (clang; not part of check).
fuzz: | deps
	@tests/fuzz/run.sh $(or $(FUZZ_SECONDS),30)

install: $(BINS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/nltune \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DBUSPOLICYDIR) $(DESTDIR)$(DBUSSERVICEDIR) \
		$(DESTDIR)$(DBUSIFACEDIR)
	install -m 0755 $(O)/nltuned $(DESTDIR)$(SBINDIR)/nltuned
	install -m 0755 $(O)/nltune $(DESTDIR)$(BINDIR)/nltune
	install -m 0644 conf/nltune.conf $(DESTDIR)$(SYSCONFDIR)/nltune/nltune.conf
	for u in conf/*.service; do [ -e "$$u" ] || continue; \
		sed 's|@SBINDIR@|$(SBINDIR)|g; s|@BINDIR@|$(BINDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	[ ! -e dbus/org.nltune1.conf ] || install -m 0644 dbus/org.nltune1.conf $(DESTDIR)$(DBUSPOLICYDIR)/
	[ ! -e dbus/org.nltune1.service ] || sed 's|@SBINDIR@|$(SBINDIR)|g' dbus/org.nltune1.service \
		> $(DESTDIR)$(DBUSSERVICEDIR)/org.nltune1.service
	[ ! -e dbus/org.nltune1.Manager.xml ] || install -m 0644 dbus/org.nltune1.Manager.xml $(DESTDIR)$(DBUSIFACEDIR)/

clean:
	rm -rf build build-san

-include $(shell find $(O) -name '*.d' 2>/dev/null)
