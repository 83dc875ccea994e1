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
# MANDIR ($(PREFIX)/share/man), SYSTEMDUNITDIR ($(PREFIX)/lib/systemd/system)
# and TMPFILESDIR ($(PREFIX)/lib/tmpfiles.d): systemd reads both under
# /usr/local as well as /usr.  Nothing is rebuilt for a different PREFIX:
# no path of the installation is compiled in; the unit file, which names
# the daemon's path, is written at install time (install-systemd).

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d

.PHONY: install-daemon
install: install-daemon
install-daemon: $(DAEMON_BIN)
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(DAEMON_BIN) $(DESTDIR)$(SBINDIR)/

# systemd: xenstored.service (Type=notify, src/daemon/sd_notify.c) naming
# the installed daemon, and the tmpfiles.d entry for /run/xenstored.
.PHONY: install-systemd
install: install-systemd
install-systemd: systemd/xenstored.service.in systemd/xenstored.tmpfiles
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(TMPFILESDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/xenstored.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/xenstored.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/xenstored.service
	install -m 644 systemd/xenstored.tmpfiles $(DESTDIR)$(TMPFILESDIR)/xenstored.conf
