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

# "make run": a simulated Xen host - the daemon, three guests with their
# devices connected - to explore with the tools; Ctrl-C stops it and cleans
# up (scripts/demo.sh).  RUN_DIR holds its socket; DEMO_EXIT_AFTER_SETUP=1
# stops it as soon as it is set up.
RUN_DIR ?= /tmp/xenstored-run
run: all
	$(Q)BUILD='$(BUILD)' DEMO_DIR='$(RUN_DIR)' \
		DEMO_EXIT_AFTER_SETUP='$(DEMO_EXIT_AFTER_SETUP)' bash scripts/demo.sh
