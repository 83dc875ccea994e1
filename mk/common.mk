# Code shared by daemon, library and tools.
COMMON_SRCS := $(wildcard src/common/*.c)
COMMON_OBJS := $(call obj,$(COMMON_SRCS))
COMMON_LIB := $(BUILD)/obj/libxscommon.a

$(COMMON_LIB): $(COMMON_OBJS)
	@[ "$(V)" = 1 ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
