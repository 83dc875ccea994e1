# SPDX-License-Identifier: MIT
# The command-line tools: one multi-call binary, $(BUILD)/bin/xenstore,
# linked statically against our libxenstore, and one symlink per command
# name (xenstore-read, ...) that it dispatches on.

TOOLS_SRCS := $(wildcard src/tools/*.c)
TOOLS_OBJS := $(call obj,$(TOOLS_SRCS))
TOOLS_BIN := $(BUILD)/bin/xenstore
TOOLS_NAMES := read write ls list rm exists chmod watch control
TOOLS_LINKS := $(addprefix $(BUILD)/bin/xenstore-,$(TOOLS_NAMES))

BINDIR ?= $(PREFIX)/bin

$(TOOLS_BIN): $(TOOLS_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(TOOLS_OBJS) $(LIB_A) $(ALL_LDFLAGS) \
		$(LIB_LIBS)

$(TOOLS_LINKS): $(TOOLS_BIN)
	$(Q)ln -sf $(notdir $(TOOLS_BIN)) $@

ALL_TARGETS += $(TOOLS_BIN) $(TOOLS_LINKS)

.PHONY: install-tools
install: install-tools
install-tools: $(TOOLS_BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(TOOLS_BIN) $(DESTDIR)$(BINDIR)/
	for n in $(TOOLS_NAMES); do \
		ln -sf xenstore $(DESTDIR)$(BINDIR)/xenstore-$$n; done

# Unit tests of the tools' helpers (tests/unit/test_tools_*.c, built by
# mk/tests.mk) link the escaping code.
TOOLS_TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,\
	$(wildcard tests/unit/test_tools_*.c))
$(TOOLS_TEST_BINS): $(call obj,src/tools/escape.c)
