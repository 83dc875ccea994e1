# SPDX-License-Identifier: MIT
# The client library, libxenstore, binary compatible with Xen's
# libxenstore.so.4: the shared object (SONAME libxenstore.so.4, symbols
# versioned VERS_4.0 by src/lib/libxenstore.map) with its two symlinks, a
# static archive for our own tools, and a pkg-config file.  The shared code
# of src/common is linked in; the version script keeps it hidden.

LIB_SRCS := $(wildcard src/lib/*.c)
LIB_OBJS := $(call obj,$(LIB_SRCS))
LIB_DIR := $(BUILD)/lib
LIB_MAP := src/lib/libxenstore.map
LIB_SONAME := libxenstore.so.4
LIB_SO := $(LIB_DIR)/libxenstore.so.4.0
LIB_SO_LINKS := $(LIB_DIR)/$(LIB_SONAME) $(LIB_DIR)/libxenstore.so
LIB_A := $(LIB_DIR)/libxenstore.a
LIB_PC := $(LIB_DIR)/pkgconfig/xenstore.pc
LIB_LIBS := -lpthread

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

# -z defs: every symbol resolved at link time.  Not with sanitizers: clang
# leaves their run time to the executable, so a sanitized library has
# undefined __asan_*/__tsan_* references by design.
LIB_ZDEFS := $(if $(SANITIZE),,-Wl,-z,defs)

$(LIB_SO): $(LIB_OBJS) $(COMMON_LIB) $(LIB_MAP)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script,$(LIB_MAP) $(LIB_ZDEFS) \
		-o $@ $(LIB_OBJS) $(COMMON_LIB) $(ALL_LDFLAGS) $(LIB_LIBS)

$(LIB_SO_LINKS): $(LIB_SO)
	$(Q)ln -sf $(notdir $(LIB_SO)) $@

# The archive carries the common objects too, so -lxenstore alone links.
$(LIB_A): $(LIB_OBJS) $(COMMON_OBJS)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The pkg-config file for the directories of one installation: paths under
# $(PREFIX) are written relative to $${prefix}, as pkg-config users expect.
# $(lib_pc_text) is the command that prints it.  The copy in $(LIB_DIR) is
# written for the PREFIX of the build; "make install" writes the installed
# one afresh, for the PREFIX (and LIBDIR, INCLUDEDIR) it is given.
lib_pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
lib_pc_text = printf '%s\n' \
	'prefix=$(PREFIX)' \
	'includedir=$(call lib_pc_dir,$(INCLUDEDIR))' \
	'libdir=$(call lib_pc_dir,$(LIBDIR))' \
	'' \
	'Name: Xenstore' \
	'Description: Client library for the XenStore daemon' \
	'Version: 4.0' \
	'Cflags: -I$${includedir}' \
	'Libs: -L$${libdir} -lxenstore' \
	'Libs.private: $(LIB_LIBS)'

$(LIB_PC): mk/lib.mk
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  GEN     $@"
	$(Q)$(lib_pc_text) > $@

ALL_TARGETS += $(LIB_SO) $(LIB_SO_LINKS) $(LIB_A) $(LIB_PC)

# make install [PREFIX=/usr/local] [LIBDIR=...] [INCLUDEDIR=...] [DESTDIR=]
.PHONY: install-lib
install: install-lib
install-lib: $(LIB_SO) $(LIB_A)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/libxenstore.so
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(lib_pc_text) > $(DESTDIR)$(LIBDIR)/pkgconfig/$(notdir $(LIB_PC))
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/$(notdir $(LIB_PC))
	install -m 644 include/xenstore.h $(DESTDIR)$(INCLUDEDIR)/

# Unit tests of the library (tests/unit/test_lib_*.c, built by
# mk/tests.mk) link the archive as well.
LIB_TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,\
	$(wildcard tests/unit/test_lib_*.c))
$(LIB_TEST_BINS): $(LIB_A)
