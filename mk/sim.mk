# SPDX-License-Identifier: MIT
# The simulated hypervisor (docs/sim.md): $(BUILD)/bin/xenstore-sim, the
# tool that creates and destroys simulated domains and introduces them to
# the daemon (src/sim/, linked with our libxenstore), and "make check-sim":
# the cmocka unit test of the daemon's sim backend (tests/sim/
# test_backend_sim.c, linked with src/daemon/backend_sim.c's object alone)
# and a shell test of the tool (tests/sim/test_sim_tool.sh).  The top-level
# "check" target runs it through $(CHECK_DEPS).  Needs mk/lib.mk and
# mk/tests.mk (CMOCKA_*, test-deps) included before this file.

SIM_SRCS := $(wildcard src/sim/*.c)
SIM_OBJS := $(call obj,$(SIM_SRCS))
SIM_BIN := $(BUILD)/bin/xenstore-sim

$(SIM_BIN): $(SIM_OBJS) $(LIB_A) $(COMMON_LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(SIM_OBJS) $(LIB_A) $(COMMON_LIB) \
		$(ALL_LDFLAGS) -lpthread

ALL_TARGETS += $(SIM_BIN)

.PHONY: install-sim
install: install-sim
install-sim: $(SIM_BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(SIM_BIN) $(DESTDIR)$(BINDIR)/

SIM_TEST_SRCS := $(wildcard tests/sim/test_*.c)
SIM_TEST_OBJS := $(call obj,$(SIM_TEST_SRCS))
SIM_TEST_BINS := $(patsubst tests/sim/%.c,$(BUILD)/tests/sim/%,$(SIM_TEST_SRCS))
SIM_BACKEND_OBJ := $(call obj,src/daemon/backend_sim.c)

.PHONY: check-sim
CHECK_DEPS += check-sim

ifeq ($(INSTALL_DEPS),1)
$(SIM_TEST_OBJS): | test-deps
endif
$(SIM_TEST_OBJS): XS_CPPFLAGS += $(CMOCKA_CFLAGS)

$(SIM_TEST_BINS): $(BUILD)/tests/sim/%: $(BUILD)/obj/tests/sim/%.o $(SIM_BACKEND_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(ALL_LDFLAGS) $(CMOCKA_LIBS)

# The unit test also runs the tool when XENSTORE_SIM_BIN names it.
check-sim: $(SIM_TEST_BINS) $(SIM_BIN)
	$(Q)XENSTORE_SIM_BIN=$(SIM_BIN) sh tests/run-unit.sh $(SIM_TEST_BINS)
	$(Q)XENSTORE_SIM_BIN=$(SIM_BIN) sh tests/sim/test_sim_tool.sh
