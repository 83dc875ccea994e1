# The xenstored daemon.
# mk/xen.mk says which of backend_xen.c / backend_xen_none.c to leave out.
DAEMON_SRCS := $(filter-out $(XEN_DAEMON_SRCS_OUT),$(wildcard src/daemon/*.c))
DAEMON_OBJS := $(call obj,$(DAEMON_SRCS))
DAEMON_BIN := $(BUILD)/bin/xenstored
# Everything but main.c and the Xen backend (only main.c calls it), for
# unit tests that link daemon modules.
DAEMON_CORE_OBJS := $(filter-out %/main.o %/backend_xen.o,$(DAEMON_OBJS))

$(DAEMON_BIN): XS_LDFLAGS += $(XEN_LIBS)
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
