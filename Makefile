# bmptap: top-level build.  `make` builds the module and the userspace tools;
# `make check` runs every test; `make demo` runs the main job in a guest.

KVER_RUNNING := $(shell uname -r)
ifeq ($(KDIR),)
  ifneq ($(wildcard /lib/modules/$(KVER_RUNNING)/build/Makefile),)
    KDIR := /lib/modules/$(KVER_RUNNING)/build
    KDIR_WHY := the running kernel's build dir
  else
    KDIR := $(lastword $(sort $(wildcard /lib/modules/*/build)))
    KDIR_WHY := the newest /lib/modules/*/build (no build dir for $(KVER_RUNNING))
  endif
else
  KDIR_WHY := set by KDIR=
endif

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
VERSION := $(shell cat VERSION)
# userspace/'s layers, lowest first (Documentation/design.md, Layout); a
# file includes a header by its name, found by one -I per folder.
US_DIRS := lib bgp bmp bmptapd bmptapctl
US_INC := $(foreach d,$(US_DIRS),-Iuserspace/$(d))
CPPFLAGS_US := -Iinclude/uapi $(US_INC) -Ikmod/core -D_GNU_SOURCE \
	-DBMPTAP_VERSION='"$(VERSION)"' $(CPPFLAGS)
PKG_LIBS := $(shell pkg-config --libs libmnl libssl libcrypto 2>/dev/null || echo -lmnl -lssl -lcrypto)
CSTD := -std=c11

BUILD := build
US_MAINS := userspace/bmptapd/bmptapd.c userspace/bmptapctl/bmptapctl.c
US_LIB_SRC := $(filter-out $(US_MAINS),$(foreach d,$(US_DIRS),$(wildcard userspace/$(d)/*.c)))
US_LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(US_LIB_SRC))
CORE_SRC := $(wildcard kmod/core/*.c)
CORE_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
BINS := $(foreach m,$(US_MAINS),$(if $(wildcard $(m)),$(BUILD)/$(notdir $(basename $(m)))))

.PHONY: all kmod userspace unit tools check check-unit check-guest check-kernels check-daemons demo bench bench-compare fuzz \
	clean deps help deb
all: kmod userspace tools

help:
	@echo "make            build kmod/bmptap.ko (KDIR=...) and the userspace tools"
	@echo "make check      install packages, build, run every test"
	@echo "make demo       install packages, build, show a BMP feed from a guest"
	@echo "make bench      benchmarks"
	@echo "make bench-compare [REV=rev] [GUEST=1]  cost against an earlier revision"
	@echo "make deb        build/deb/bmptap-dkms_$(VERSION)_all.deb and bmptap_$(VERSION)_<arch>.deb"

kmod:
	@echo "bmptap: building the module against KDIR=$(KDIR) ($(KDIR_WHY))"
	@test -n "$(KDIR)" && test -e "$(KDIR)/Makefile" || \
		{ echo "bmptap: no kernel build dir; install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace: $(BINS)

tools: $(TOOL_BIN)

$(BUILD)/%.o: %.c VERSION
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CFLAGS) $(WARN) $(CPPFLAGS_US) -MMD -MP -c -o $@ $<

$(BUILD)/libbmptap.a: $(US_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libcore.a: $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bmptapd: $(BUILD)/userspace/bmptapd/bmptapd.o
$(BUILD)/bmptapctl: $(BUILD)/userspace/bmptapctl/bmptapctl.o
$(BUILD)/bmptapd $(BUILD)/bmptapctl: $(BUILD)/libbmptap.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libbmptap.a $(PKG_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbmptap.a $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CFLAGS) $(WARN) $(CPPFLAGS_US) -MMD -MP -o $@ $< \
		$(BUILD)/libbmptap.a $(BUILD)/libcore.a -lcmocka $(PKG_LIBS) -lm

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libbmptap.a $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CFLAGS) $(WARN) $(CPPFLAGS_US) -MMD -MP -o $@ $< \
		$(BUILD)/libbmptap.a $(BUILD)/libcore.a $(PKG_LIBS) -lm

deps:
	@tests/deps.sh

# Unit tests only (no guest): quick loop for development.
check-unit: $(UNIT_BIN)
	@tests/unit/run $(UNIT_BIN)

check: deps
	$(MAKE) userspace tools kmod-all $(UNIT_BIN)
	@tests/run-all

demo: deps
	$(MAKE) userspace tools kmod-all
	@tests/demo.sh

# The module on other suites' kernels (bullseye 5.10, sid), built in root
# images of those suites and run in the guest: tests/roots/check.
check-kernels: deps
	$(MAKE) userspace tools
	@tests/roots/check

# The daemons of other suites (trixie, sid) in root images of those suites,
# on their kernels: tests/roots/check-daemons.  Not part of `make check`.
check-daemons: deps
	@tests/roots/check-daemons

bench: deps
	$(MAKE) userspace tools kmod-all
	@tests/bench/run

# The working tree's cost against REV (default: the merge base with main);
# GUEST=1 adds the hooks' share of BIRD's CPU, both modules in one boot.
bench-compare: deps
	@tests/bench/compare-rev $(if $(GUEST),--guest) $(REV)

fuzz: deps
	@tests/fuzz/run

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
	rm -rf $(BUILD)
	find . -name '*.o.cmd' -o -name '*.ko.cmd' -o -name '.*.cmd' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '*.o' -o -name '*.ko' -o -name 'modules.order' \
		-o -name 'Module.symvers' -o -name '.module-common.o' | grep -v '^./.git/' | xargs rm -f

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

# One module per installed kernel, for the guest tests (each kernel needs its
# own build): build/kmod/<kver>/kmod/bmptap.ko.
KVERS := $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build)))
kmod-all:
	@for v in $(KVERS); do \
		d=$(BUILD)/kmod/$$v; mkdir -p $$d; \
		cp -a Kbuild VERSION $$d/ && rm -rf $$d/kmod $$d/include && cp -a kmod include $$d/ && \
		find $$d/kmod -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' | xargs rm -f; \
		echo "bmptap: building the module for $$v"; \
		$(MAKE) -s -C /lib/modules/$$v/build M=$(CURDIR)/$$d modules 2>&1 | tee $$d/build.log; \
		! grep -qi 'warning\|error' $$d/build.log || { echo "bmptap: $$v build not clean" >&2; exit 1; }; \
		test -f $$d/kmod/bmptap.ko || exit 1; \
	done
.PHONY: kmod-all

# Installs the tools, man pages, the systemd units, the modules-load.d and
# sysusers.d entries and (when built for the running kernel) the module under
# /lib/modules/<running>/extra.  The units name /usr/sbin/bmptapd
# (where the package puts it), rewritten to $(PREFIX)/sbin.
# install-bin leaves the module out (the Debian packages ship it through DKMS).
PREFIX ?= /usr/local
UNITDIR ?= /etc/systemd/system
# modules-load.d/ and sysusers.d/ go under /etc for a local install, /usr/lib
# for a package.
SDCONFDIR ?= /etc
install: install-bin
	@if [ -f kmod/bmptap.ko ] && [ -d /lib/modules/$(KVER_RUNNING) ]; then \
		install -D -m 0644 kmod/bmptap.ko $(DESTDIR)/lib/modules/$(KVER_RUNNING)/extra/bmptap.ko; \
		[ -n "$(DESTDIR)" ] || depmod -a; \
	fi
install-bin: userspace
	install -D -m 0755 $(BUILD)/bmptapd $(DESTDIR)$(PREFIX)/sbin/bmptapd
	install -D -m 0755 $(BUILD)/bmptapctl $(DESTDIR)$(PREFIX)/sbin/bmptapctl
	install -D -m 0644 Documentation/bmptapd.8 $(DESTDIR)$(PREFIX)/share/man/man8/bmptapd.8
	install -D -m 0644 Documentation/bmptapctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/bmptapctl.8
	install -d $(DESTDIR)$(UNITDIR)
	for u in dist/systemd/*.service; do \
		sed 's|/usr/sbin/|$(PREFIX)/sbin/|g' $$u >$(DESTDIR)$(UNITDIR)/$$(basename $$u) || exit 1; \
	done
	install -D -m 0644 dist/modules-load.d/bmptap.conf $(DESTDIR)$(SDCONFDIR)/modules-load.d/bmptap.conf
	if [ -f dist/sysusers.d/bmptap.conf ]; then \
		install -D -m 0644 dist/sysusers.d/bmptap.conf $(DESTDIR)$(SDCONFDIR)/sysusers.d/bmptap.conf; \
	fi
.PHONY: install install-bin

# The Debian packages bmptap-dkms and bmptap, built from a copy of the sources
# in build/deb/src (the tree stays clean); debian/changelog is written there
# from VERSION, the one version source.
DEB_SRC := $(BUILD)/deb/src/bmptap-$(VERSION)
DEB_EXCLUDE := --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='*.o.d' --exclude=modules.order \
	--exclude=Module.symvers --exclude=.module-common.o
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(DEB_SRC)
	tar -c $(DEB_EXCLUDE) Makefile Kbuild VERSION dkms.conf README.md debian dist \
		Documentation include kmod userspace | tar -x -C $(DEB_SRC)
	debian/mkchangelog $(VERSION) >$(DEB_SRC)/debian/changelog
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc
	mv $(BUILD)/deb/src/*.deb $(BUILD)/deb/src/*.changes $(BUILD)/deb/src/*.buildinfo $(BUILD)/deb/
	@ls $(BUILD)/deb/*.deb
