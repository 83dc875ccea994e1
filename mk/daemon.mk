# The xenstored daemon.
DAEMON_SRCS := $(wildcard src/daemon/*.c)
DAEMON_OBJS := $(call obj,$(DAEMON_SRCS))
DAEMON_BIN := $(BUILD)/bin/xenstored
# Everything but main.c, for unit tests that link daemon modules.
DAEMON_CORE_OBJS := $(filter-out %/main.o,$(DAEMON_OBJS))

$(DAEMON_BIN): $(DAEMON_OBJS) $(COMMON_LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS)

ALL_TARGETS += $(DAEMON_BIN)

RUN_SOCKET ?= /tmp/xenstored-run/socket
run: $(DAEMON_BIN) all
	@mkdir -p $(dir $(RUN_SOCKET))
	@echo "xenstored listening on $(RUN_SOCKET); point clients at it with:"
	@echo "  export XENSTORED_PATH=$(RUN_SOCKET)"
	@echo "  $(BUILD)/bin/xenstore-ls -p /     (or Debian's xenstore-ls)"
	@echo "Stop with Ctrl-C."
	$(DAEMON_BIN) --no-fork --socket $(RUN_SOCKET)
