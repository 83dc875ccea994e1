# SPDX-License-Identifier: MIT
# xsbench, the load generator, and `make bench`, which runs it against a
# fresh daemon started for the purpose (bench/run.sh does the start/stop).
#
#   make bench                            our build/bin/xenstored
#   make bench BENCH_DAEMON=/path/bin     another daemon binary (it must take
#                                         --no-fork --socket PATH)
#   make bench BENCH_SOCKET=/path/sock    a daemon that is already running
#   make bench BENCH_ARGS="-d 1 --json"   options for xsbench (--help)
#   make bench BENCH_ARGS="-s txn,watch"  only some scenarios (-l lists them;
#                                         all, about 50 s, by default; -s fair:
#                                         latency beside a flooding client)
#   make bench BENCH_PIN=0:0              pin daemon:xsbench to CPUs (steadier)
# For comparisons with Xen's daemons see bench/compare.sh --help.
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_OBJS := $(call obj,$(BENCH_SRCS))
BENCH_BIN := $(BUILD)/bin/xsbench
BENCH_ARGS ?=

# One thread per simulated client.
$(BENCH_OBJS): XS_CFLAGS += -pthread

$(BENCH_BIN): $(BENCH_OBJS) $(COMMON_LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -pthread -o $@ $^ $(ALL_LDFLAGS)

# xsfill: pipelined WRITEs to fill a store for the restart and live-update
# benchmarks.
XSFILL_BIN := $(BUILD)/bin/xsfill
$(XSFILL_BIN): $(call obj,bench/tools/xsfill.c)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS)

# Built with everything else so that they cannot rot unnoticed.
ALL_TARGETS += $(BENCH_BIN) $(XSFILL_BIN)

# Our daemon is only needed when nothing else was named.
BENCH_DEPS := $(BENCH_BIN)
ifeq ($(strip $(BENCH_SOCKET)$(BENCH_DAEMON)),)
BENCH_DEPS += $(DAEMON_BIN)
endif

bench: $(BENCH_DEPS)
	$(Q)XSBENCH='$(BENCH_BIN)' BENCH_SOCKET='$(BENCH_SOCKET)' BENCH_PIN='$(BENCH_PIN)' \
		BENCH_DAEMON='$(or $(BENCH_DAEMON),$(DAEMON_BIN))' \
		bench/run.sh $(BENCH_ARGS)
