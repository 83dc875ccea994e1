# SPDX-License-Identifier: MIT
# Non-recursive build: everything lands in build/.  Each part of the tree
# adds itself through its own mk/*.mk fragment.
#
#   make              build daemon, library and tools
#   make check        build and run every test (installs Debian test
#                     dependencies when missing), also under ASan+UBSan
#   make run          start the daemon on a local socket
#   make bench        load generator against a fresh daemon
#   make fuzz         libFuzzer targets with clang (docs/fuzz.md)
#   make lint         cppcheck and clang-tidy
#   V=1               show full commands; SANITIZE=address,undefined
#   DEVELOPER=1       warnings are errors (the default here)

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
BUILD ?= build
V ?= 0
DEVELOPER ?= 1
SANITIZE ?=

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wpointer-arith -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
XS_CPPFLAGS := -Iinclude -Isrc -D_GNU_SOURCE
XS_CFLAGS := -std=c11 -fPIC $(WARN) -MMD -MP
ifneq ($(SANITIZE),)
XS_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
XS_LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS = $(XS_CPPFLAGS) $(CPPFLAGS) $(XS_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(XS_LDFLAGS) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Objects mirror the source tree under $(BUILD)/obj.
obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

ALL_TARGETS :=
CHECK_DEPS :=
.PHONY: all check check-fast check-asan run bench lint format format-check clean install
all:

include mk/common.mk
-include mk/xen.mk
include mk/daemon.mk
-include mk/lib.mk
-include mk/tools.mk
-include mk/tests.mk
-include mk/sim.mk
-include mk/proto.mk
-include mk/integration.mk
-include mk/bench.mk
-include mk/libtests.mk
-include mk/install.mk
-include mk/man.mk
-include mk/libring.mk
-include mk/durability.mk
-include mk/deb.mk
-include mk/fuzz.mk

all: $(ALL_TARGETS)

# Every test once as built, then again under AddressSanitizer and UBSan
# (a separate build tree, so both stay incremental).
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
check-fast: all $(CHECK_DEPS)
check-asan:
	$(Q)$(SAN_ENV) $(MAKE) --no-print-directory BUILD=$(BUILD)/asan \
		SANITIZE=address,undefined check-fast
check:
	$(Q)if [ "$(INSTALL_DEPS)" = 1 ]; then sh scripts/install-deps.sh; fi
	$(Q)$(MAKE) --no-print-directory check-fast
	$(Q)$(MAKE) --no-print-directory check-asan
	$(Q)$(MAKE) --no-print-directory check-lib-tsan
	$(Q)$(MAKE) --no-print-directory check-fuzz
	@echo "check: all tests passed, plain, under ASan+UBSan, the threaded library test under TSan, and the fuzz targets"

# Static analysis of the daemon and shared code (advisory: not part of check).
LINT_SRCS = $(COMMON_SRCS) $(DAEMON_SRCS)
lint:
	cppcheck --quiet --enable=warning,performance,portability --std=c11 \
		-Iinclude -Isrc --error-exitcode=1 $(LINT_SRCS)
	clang-tidy --quiet $(LINT_SRCS) -- -std=c11 -Iinclude -Isrc -D_GNU_SOURCE

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
