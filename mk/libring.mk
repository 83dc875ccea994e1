# SPDX-License-Identifier: MIT
# Tests of the library's guest ring transport (src/lib/transport_ring.c):
# every tests/libring/test_*.c is one cmocka program that builds a
# simulated-hypervisor layout (docs/sim.md) in a temp dir and plays the
# daemon's side of the ring itself, so no daemon is needed.  Linked with
# the static library.  "make check-libring" runs them through
# tests/run-unit.sh; the top-level "check" runs it through $(CHECK_DEPS).
# Uses CMOCKA_*, INSTALL_DEPS and test-deps from mk/tests.mk and LIB_A
# from mk/lib.mk, so it is included after them.

LIBRING_SRCS := $(wildcard tests/libring/test_*.c)
LIBRING_OBJS := $(call obj,$(LIBRING_SRCS))
LIBRING_BINS := $(patsubst tests/libring/%.c,$(BUILD)/tests/libring/%,\
	$(LIBRING_SRCS))

.PHONY: check-libring
CHECK_DEPS += check-libring

ifeq ($(INSTALL_DEPS),1)
$(LIBRING_OBJS): | test-deps
endif
$(LIBRING_OBJS): XS_CPPFLAGS += $(CMOCKA_CFLAGS)

$(LIBRING_BINS): $(BUILD)/tests/libring/%: $(BUILD)/obj/tests/libring/%.o $(LIB_A)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) \
		$(ALL_LDFLAGS) $(CMOCKA_LIBS) -lpthread

check-libring: $(LIBRING_BINS)
	$(Q)sh tests/run-unit.sh $(LIBRING_BINS)
