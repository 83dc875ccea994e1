# SPDX-License-Identifier: MIT
# Unit tests: every tests/unit/test_<name>.c is one cmocka program,
# $(BUILD)/tests/unit/test_<name>, linked with the common library and, for
# test_daemon_<name>.c, with the daemon's modules (all but main.c) too.
# "make check-unit" builds and runs them all through tests/run-unit.sh and
# fails if any fails.  The top-level "check" target runs it through
# $(CHECK_DEPS).  Before compiling, scripts/install-deps.sh installs the
# Debian packages the tests need when they are missing (INSTALL_DEPS=0
# skips that step).

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_OBJS := $(call obj,$(UNIT_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
UNIT_DAEMON_BINS := $(filter $(BUILD)/tests/unit/test_daemon_%,$(UNIT_BINS))

# Recursive, so pkg-config runs only when a test is built; without it,
# cmocka is still found as plain -lcmocka.
CMOCKA_CFLAGS ?= $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS ?= $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
INSTALL_DEPS ?= 1

.PHONY: check-unit test-deps
CHECK_DEPS += check-unit

test-deps:
	$(Q)sh scripts/install-deps.sh

ifeq ($(INSTALL_DEPS),1)
$(UNIT_OBJS): | test-deps
endif
$(UNIT_OBJS): XS_CPPFLAGS += $(CMOCKA_CFLAGS)

# Libraries come after the objects that use them.
$(UNIT_BINS): $(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(COMMON_LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) \
		$(ALL_LDFLAGS) $(CMOCKA_LIBS)

$(UNIT_DAEMON_BINS): $(DAEMON_CORE_OBJS)

check-unit: $(UNIT_BINS)
	$(Q)sh tests/run-unit.sh $(UNIT_BINS)
