# SPDX-License-Identifier: MIT
# The Xen backend (src/daemon/backend_xen.c; docs/xen.md).  Finds Xen's
# libraries with pkg-config and tells the rest of the build through these
# variables; the top-level Makefile includes this file before mk/daemon.mk.
#
#   HAVE_XEN      1 when every package in XEN_PKGS is installed, else 0;
#                 "make HAVE_XEN=0" builds without Xen even when it is there
#   XEN_CFLAGS    flags for compiling backend_xen.c; applied to that object
#                 here, never to be added to the whole daemon (-std=gnu11)
#   XEN_LIBS      what anything linking backend_xen.o needs (the daemon, and
#                 unit tests that link the daemon's modules); empty without Xen
#   XEN_DAEMON_SRCS_OUT  the one of backend_xen.c / backend_xen_none.c the
#                 daemon does not build
#
# Both files also guard their whole content with HAVE_XEN (defined here for
# exactly those two objects), so compiling both is harmless: the unused one
# is empty.  A stamp makes both recompile when HAVE_XEN or the flags change.
#
#   make check-xen-build   compile backend_xen.c with gcc and clang with the
#                          project's warnings as errors, link-check it
#                          against the libraries, and compile the stub; part
#                          of "make check" when HAVE_XEN is 1.  Nothing can
#                          run the backend without a hypervisor.

PKG_CONFIG ?= pkg-config
XEN_PKGS := xenevtchn xengnttab xenforeignmemory xencontrol xentoollog

ifeq ($(origin HAVE_XEN),undefined)
HAVE_XEN := $(shell $(PKG_CONFIG) --exists $(XEN_PKGS) 2>/dev/null && echo 1 || echo 0)
endif

XEN_OBJ := $(call obj,src/daemon/backend_xen.c)
XEN_NONE_OBJ := $(call obj,src/daemon/backend_xen_none.c)
XEN_STAMP := $(BUILD)/obj/xen-config.stamp

ifeq ($(HAVE_XEN),1)
# Xen's public headers (through xenctrl.h) need GNU C; -std=gnu11 comes
# after the project's -std=c11 and so wins, for backend_xen.c alone.
XEN_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(XEN_PKGS)) -std=gnu11 -DHAVE_XEN
XEN_LIBS := $(shell $(PKG_CONFIG) --libs $(XEN_PKGS))
XEN_DAEMON_SRCS_OUT := src/daemon/backend_xen_none.c
$(XEN_OBJ): XS_CFLAGS += $(XEN_CFLAGS)
$(XEN_NONE_OBJ): XS_CPPFLAGS += -DHAVE_XEN
else
XEN_CFLAGS :=
XEN_LIBS :=
XEN_DAEMON_SRCS_OUT := src/daemon/backend_xen.c
endif

# Rewritten only when the configuration changes, so a build that first ran
# without libxen-dev picks the real backend up once it is installed.
.PHONY: xen-config-force
$(XEN_OBJ) $(XEN_NONE_OBJ): $(XEN_STAMP)
$(XEN_STAMP): xen-config-force
	@mkdir -p $(@D)
	@echo 'HAVE_XEN=$(HAVE_XEN) $(XEN_CFLAGS) $(XEN_LIBS)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# check-xen-build: one directory per compiler under $(BUILD)/xen-check.
# The project's warnings are errors here whatever DEVELOPER says, and -O2
# lets gcc's flow-based warnings (maybe-uninitialized) run.
XEN_CHECK_CCS ?= gcc clang
XEN_CHECK_DIR = $(BUILD)/xen-check
XEN_CHECK_FLAGS = $(XS_CPPFLAGS) -std=c11 -fPIC $(filter-out -Werror,$(WARN)) -Werror -O2 -g
XEN_CHECK_HDRS := src/daemon/backend_xen.h src/daemon/backend.h src/daemon/log.h

.PHONY: check-xen-build xen-check-tools

ifeq ($(HAVE_XEN),1)
ifeq ($(SANITIZE),)
CHECK_DEPS += check-xen-build
endif

# Objects named here, not only through the pattern chain, so that make
# keeps them rather than deleting them as intermediate files.
check-xen-build: $(foreach c,$(XEN_CHECK_CCS),$(addprefix $(XEN_CHECK_DIR)/$(c)/, \
		backend_xen.o log.o link-check.so backend_xen_none.o))
	@echo "check-xen-build: backend_xen.c builds warning-free with $(XEN_CHECK_CCS)"

xen-check-tools:
	@for c in $(XEN_CHECK_CCS); do command -v $$c >/dev/null 2>&1 || { \
		echo "check-xen-build: $$c not found (install it, or set XEN_CHECK_CCS)" >&2; \
		exit 1; }; done

$(XEN_CHECK_DIR)/%/backend_xen.o: src/daemon/backend_xen.c $(XEN_CHECK_HDRS) $(XEN_STAMP) | xen-check-tools
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CHECK   $* $<"
	$(Q)$* $(XEN_CHECK_FLAGS) $(XEN_CFLAGS) -c -o $@ $<

# The stub as it is built without Xen: strict C11, no HAVE_XEN.
$(XEN_CHECK_DIR)/%/backend_xen_none.o: src/daemon/backend_xen_none.c $(XEN_CHECK_HDRS) | xen-check-tools
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CHECK   $* $<"
	$(Q)$* $(XEN_CHECK_FLAGS) -c -o $@ $<

$(XEN_CHECK_DIR)/%/log.o: src/daemon/log.c src/daemon/log.h | xen-check-tools
	@mkdir -p $(@D)
	$(Q)$* $(XEN_CHECK_FLAGS) -c -o $@ $<

# Every symbol backend_xen.o uses must resolve against XEN_LIBS and libc.
$(XEN_CHECK_DIR)/%/link-check.so: $(XEN_CHECK_DIR)/%/backend_xen.o $(XEN_CHECK_DIR)/%/log.o
	@[ "$(V)" = 1 ] || echo "  LDCHECK $* $@"
	$(Q)$* -shared -Wl,--no-undefined -o $@ $^ $(XEN_LIBS)
else
check-xen-build:
	@echo "check-xen-build: Xen's libraries not found ($(XEN_PKGS));" \
		"install libxen-dev and pkg-config" >&2
	@exit 1
endif
