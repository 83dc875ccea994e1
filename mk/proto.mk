# Raw-protocol tests: each tests/proto/test_*.c is a cmocka program that
# starts the real daemon on a private socket (tests/proto/proto.c).
PROTO_SRCS := $(wildcard tests/proto/test_*.c)
PROTO_BINS := $(patsubst tests/proto/%.c,$(BUILD)/tests/proto/%,$(PROTO_SRCS))
# Shared helpers: proto.c (daemon and raw messages), attack.c (the
# hostile-input catalogue's bystander and memory baseline; cmocka).
PROTO_LIB_OBJS := $(call obj,tests/proto/proto.c tests/proto/attack.c)

.PHONY: check-proto
CHECK_DEPS += check-proto

ifeq ($(INSTALL_DEPS),1)
$(call obj,$(PROTO_SRCS)) $(PROTO_LIB_OBJS): | test-deps
endif
$(call obj,$(PROTO_SRCS) tests/proto/attack.c): XS_CPPFLAGS += $(CMOCKA_CFLAGS) -Itests/proto

$(PROTO_BINS): $(BUILD)/tests/proto/%: $(BUILD)/obj/tests/proto/%.o $(PROTO_LIB_OBJS) $(COMMON_LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) \
		$(ALL_LDFLAGS) $(CMOCKA_LIBS) -lpthread

check-proto: $(PROTO_BINS) $(DAEMON_BIN)
	$(Q)XENSTORED_BIN=$(DAEMON_BIN) sh tests/run-unit.sh $(PROTO_BINS)
