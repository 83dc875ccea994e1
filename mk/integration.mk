# SPDX-License-Identifier: MIT
# Integration tests: tests/integration/test_*.sh drive a freshly started
# daemon with Debian's xenstore-utils (/usr/bin/xenstore-*), one scenario per
# script, through the helpers of tests/integration/lib.sh.  Unprivileged
# domains are played by $(BUILD)/tests/tools/restrict_proxy, which relays a
# client's connection after sending RESTRICT <domid> to the daemon.
# Simulated guests (tests/integration/test_sim_*.sh) also use
# $(BUILD)/tests/tools/ring_poke (pokes ring-page fields and FIFOs, sends
# raw requests) and $(BUILD)/tests/tools/sim_scale (many guests' rings in
# one process, for the scale check).
# "make check-integration" builds the daemon and the proxy and runs them all
# through tests/integration/run.sh; the top-level "check" target runs it
# through $(CHECK_DEPS).
#
#   make check-integration                         our daemon
#   make check-integration XENSTORED_BIN=/path/bin another daemon binary (it
#                                                  must take -N --socket PATH)

PROXY_SRCS := tests/tools/restrict_proxy.c
PROXY_OBJS := $(call obj,$(PROXY_SRCS))
PROXY_BIN := $(BUILD)/tests/tools/restrict_proxy

$(PROXY_BIN): $(PROXY_OBJS)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS)

# Stand-alone helpers of the simulated-guest tests, one source each, and
# notify_recv (systemd's side of Type=notify, for test_systemd.sh).
SIM_HELPER_BINS := $(BUILD)/tests/tools/ring_poke $(BUILD)/tests/tools/sim_scale \
	$(BUILD)/tests/tools/notify_recv $(BUILD)/tests/tools/lu_load

$(SIM_HELPER_BINS): $(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS)

.PHONY: check-integration
CHECK_DEPS += check-integration

ifeq ($(INSTALL_DEPS),1)
check-integration: | test-deps
endif
check-integration: all $(DAEMON_BIN) $(PROXY_BIN) $(SIM_HELPER_BINS)
	$(Q)XENSTORED_BIN='$(or $(XENSTORED_BIN),$(DAEMON_BIN))' \
		RESTRICT_PROXY='$(PROXY_BIN)' BUILD='$(BUILD)' \
		XS_SANITIZED='$(SANITIZE)' \
		sh tests/integration/run.sh
