# SPDX-License-Identifier: MIT
# Library tests against the real daemon: every tests/lib/test_<name>.c is a
# cmocka program, $(BUILD)/tests/lib/test_<name>, linked with the shared
# libxenstore.so.4 of this build (found at run time through its run path,
# $(BUILD)/lib, before any system copy) and with tests/proto/proto.c, whose
# daemon_start()/daemon_stop() run the daemon on a private socket.
# "make check-lib" builds and runs them through tests/run-unit.sh; the
# top-level "check" target runs it through $(CHECK_DEPS), so also under
# ASan+UBSan (check-asan).  Include after mk/lib.mk and mk/tests.mk.
#
#   make check-lib                          against $(BUILD)/bin/xenstored
#   make check-lib XENSTORED_BIN=/path/bin  another daemon (-N --socket PATH)
#   make BUILD=build/tsan SANITIZE=thread check-lib
#   make check-lib-tsan                     the same, in $(BUILD)/tsan
#   make BUILD=build/asan SANITIZE=address,undefined check-lib

LIBT_SRCS := $(wildcard tests/lib/test_*.c)
LIBT_OBJS := $(call obj,$(LIBT_SRCS))
LIBT_BINS := $(patsubst tests/lib/%.c,$(BUILD)/tests/lib/%,$(LIBT_SRCS))
LIBT_PROTO_OBJS := $(call obj,tests/proto/proto.c)
LIBT_RUNPATH := $(abspath $(LIB_DIR))

# Sanitizer reports end the run at once; options already set win.
# use_sigaltstack=0: xs_close() cancels the library's reader thread, and
# clang's ASan then reports its own sigaltstack() call at that thread's
# exit as a stack-buffer-overflow (stale poison of the frames the
# cancellation unwound; google/sanitizers#1399).
LIBT_ENV := TSAN_OPTIONS="$${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}" \
	ASAN_OPTIONS="use_sigaltstack=0:$${ASAN_OPTIONS:-detect_leaks=1}" \
	UBSAN_OPTIONS="$${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

.PHONY: check-lib check-lib-tsan
CHECK_DEPS += check-lib

ifeq ($(INSTALL_DEPS),1)
$(LIBT_OBJS) $(LIBT_PROTO_OBJS): | test-deps
endif
# The test checks that the library it runs on is the one in LIBT_RUNPATH.
$(LIBT_OBJS): XS_CPPFLAGS += $(CMOCKA_CFLAGS) -Itests/proto \
	-DXS_TEST_LIBDIR='"$(LIBT_RUNPATH)"'
$(LIBT_OBJS): XS_CFLAGS += -pthread

$(LIBT_BINS): $(BUILD)/tests/lib/%: $(BUILD)/obj/tests/lib/%.o \
		$(LIBT_PROTO_OBJS) $(LIB_SO) $(LIB_SO_LINKS)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $(filter %.o,$^) \
		-L$(LIB_DIR) -lxenstore -Wl,-rpath,$(LIBT_RUNPATH) \
		$(ALL_LDFLAGS) $(CMOCKA_LIBS)

check-lib: $(LIBT_BINS) $(DAEMON_BIN)
	$(Q)XENSTORED_BIN='$(or $(XENSTORED_BIN),$(DAEMON_BIN))' $(LIBT_ENV) \
		sh tests/run-unit.sh $(LIBT_BINS)

check-lib-tsan:
	$(Q)$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) \
		BUILD=$(BUILD)/tsan SANITIZE=thread \
		check-lib
