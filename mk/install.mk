# SPDX-License-Identifier: MIT
# "make install": everything a system needs, under $(DESTDIR)$(PREFIX).
# The parts install themselves: the library, its header and pkg-config file
# (install-lib, mk/lib.mk), the xenstore tool and its xenstore-* links
# (install-tools, mk/tools.mk), the manual pages (install-man, mk/man.mk)
# and, here, the daemon (install-daemon).
#
#   make install                          under /usr/local
#   make install PREFIX=/usr              under /usr
#   make install DESTDIR=/tmp/pkg PREFIX=/usr   staged, for packaging
#
# Directories, each overridable: BINDIR ($(PREFIX)/bin), SBINDIR
# ($(PREFIX)/sbin), LIBDIR ($(PREFIX)/lib), INCLUDEDIR ($(PREFIX)/include),
# MANDIR ($(PREFIX)/share/man).  Nothing is rebuilt for a different PREFIX:
# no path of the installation is compiled in.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin

.PHONY: install-daemon
install: install-daemon
install-daemon: $(DAEMON_BIN)
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(DAEMON_BIN) $(DESTDIR)$(SBINDIR)/
