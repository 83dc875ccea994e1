# SPDX-License-Identifier: MIT
# Durability (--state-dir, docs/durability.md): the crash test
# (tests/durability/crash_load.c, which kills the daemon at random moments
# and checks the recovered tree against the acknowledged operations) and
# the scenario scripts tests/durability/test_*.sh (corrupted state, sim
# guests across a restart).  The record-format unit test is
# tests/unit/test_daemon_journal.c, run by check-unit.
#
#   make check-durability                  all of it
#   make check-durability CRASH_KILLS=100   a longer crash run
#   make bench-fsync                        WRITE ops/s under each fsync policy
#   make bench-restart                      restart time, 1,000,000 nodes

CRASH_LOAD_BIN := $(BUILD)/tests/durability/crash_load
CRASH_KILLS ?= 30
DURABILITY_TESTS := $(wildcard tests/durability/test_*.sh)

$(CRASH_LOAD_BIN): $(call obj,tests/durability/crash_load.c)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS)

ALL_TARGETS += $(CRASH_LOAD_BIN)

.PHONY: check-durability bench-restart bench-fsync
CHECK_DEPS += check-durability

ifeq ($(INSTALL_DEPS),1)
check-durability: | test-deps
endif
check-durability: $(DAEMON_BIN) $(CRASH_LOAD_BIN) $(PROXY_BIN) $(SIM_HELPER_BINS) all
	$(Q)work=$$(mktemp -d /tmp/xs-crash.XXXXXX) && \
		if $(CRASH_LOAD_BIN) $(DAEMON_BIN) $$work/run $(CRASH_KILLS) && \
			! grep -E -A5 'Sanitizer|runtime error:' $$work/run/daemon.log; then \
			rm -rf $$work; \
		else \
			echo "crash test failed; its files are in $$work"; exit 1; \
		fi
	$(Q)fail=0; for t in $(DURABILITY_TESTS); do \
		echo "== $$t"; \
		XENSTORED_BIN='$(DAEMON_BIN)' BUILD='$(BUILD)' \
			RESTRICT_PROXY='$(PROXY_BIN)' \
			bash $$t || fail=1; \
	done; exit $$fail

bench-restart: $(DAEMON_BIN) $(XSFILL_BIN)
	$(Q)XENSTORED_BIN='$(DAEMON_BIN)' XSFILL='$(XSFILL_BIN)' sh bench/restart.sh

bench-fsync: $(DAEMON_BIN) $(BENCH_BIN)
	$(Q)BENCH_DAEMON='$(DAEMON_BIN)' XSBENCH='$(BENCH_BIN)' sh bench/fsync.sh
