# SPDX-License-Identifier: MIT
# libFuzzer targets, fuzz/fuzz_<name>.c (docs/fuzz.md), built with clang in
# a build tree of their own, $(BUILD)/fuzz: every object is instrumented
# for coverage (-fsanitize=fuzzer-no-link) and checked by ASan+UBSan, and
# the targets link libFuzzer's main.  The top-level "check" runs
# check-fuzz last.
#
#   make fuzz                  each target for FUZZ_SECONDS (60) from its
#                              corpus; prints cov/ft and exec/s per target
#   make check-fuzz            replay every corpus, then each target for
#                              FUZZ_CHECK_SECONDS (20); fails on a crash,
#                              leak, timeout or checker failure
#   make fuzz-build            only build them
#   FUZZ_CC=clang-14           the compiler (default clang)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 20
FUZZ_NAMES := codec requests ring
FUZZ_DIR := $(BUILD)/fuzz

.PHONY: fuzz check-fuzz fuzz-build fuzz-bins

# Inside the fuzz tree (BUILD=$(FUZZ_DIR), set by the calls below).
FUZZ_BINS := $(patsubst %,$(BUILD)/bin/fuzz_%,$(FUZZ_NAMES))
fuzz-bins: $(FUZZ_BINS)

$(BUILD)/bin/fuzz_codec: $(BUILD)/obj/fuzz/fuzz_codec.o $(COMMON_LIB)
$(BUILD)/bin/fuzz_requests: $(BUILD)/obj/fuzz/fuzz_requests.o \
	$(DAEMON_CORE_OBJS) $(COMMON_LIB)
$(BUILD)/bin/fuzz_ring: $(BUILD)/obj/fuzz/fuzz_ring.o \
	$(DAEMON_CORE_OBJS) $(COMMON_LIB)
$(FUZZ_BINS):
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) \
		$(filter %.a,$^) $(ALL_LDFLAGS)

# The harnesses themselves build warning-free under clang.
$(BUILD)/obj/fuzz/%.o: XS_CFLAGS += -Werror

# From the ordinary tree, warnings as errors as everywhere: the tree is
# kept warning-free with clang as well as gcc.
FUZZ_MAKE = $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) \
	BUILD=$(FUZZ_DIR) CC=$(FUZZ_CC) INSTALL_DEPS=0 DEVELOPER=1 \
	SANITIZE=fuzzer-no-link,address,undefined \
	CFLAGS="-O2 -g -fsanitize-coverage-ignorelist=fuzz/coverage-ignore.txt"

fuzz-build:
	$(Q)command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) not \
		found; scripts/install-deps.sh installs clang and libFuzzer" >&2; \
		exit 1; }
	+$(Q)$(FUZZ_MAKE) fuzz-bins

fuzz: fuzz-build
	$(Q)sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_DIR)/bin $(FUZZ_DIR)/run \
		$(FUZZ_NAMES)

check-fuzz: fuzz-build
	$(Q)rm -rf $(FUZZ_DIR)/check
	$(Q)sh fuzz/run.sh -c $(FUZZ_CHECK_SECONDS) $(FUZZ_DIR)/bin \
		$(FUZZ_DIR)/check $(FUZZ_NAMES)
