# SPDX-License-Identifier: MIT
# Manual pages, written in roff (man(7) macros): man/*.1 for commands,
# man/*.8 for the daemon.  "make install" (install-man) puts them in
# $(MANDIR)/man1 and man8, and man/xenstore.1, which documents every
# command of the multi-call tool, also under each command's name
# (xenstore-read.1, ... as symbolic links), so "man xenstore-read" works.
# "make check-man" renders each page with groff and fails on any warning.

PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
MAN1_PAGES := $(wildcard man/*.1)
MAN8_PAGES := $(wildcard man/*.8)
# One name per command of mk/tools.mk, all pointing at xenstore.1.
MAN_TOOL_LINKS := $(addprefix xenstore-,$(addsuffix .1,$(TOOLS_NAMES)))

.PHONY: install-man check-man
install: install-man
install-man: $(MAN1_PAGES) $(MAN8_PAGES)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 644 $(MAN1_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN8_PAGES) $(DESTDIR)$(MANDIR)/man8/
	for n in $(MAN_TOOL_LINKS); do \
		ln -sf xenstore.1 $(DESTDIR)$(MANDIR)/man1/$$n; done

check-man:
	$(Q)if ! command -v groff >/dev/null; then \
		echo "check-man: groff not installed, pages not checked"; \
	else \
		status=0; \
		for p in $(MAN1_PAGES) $(MAN8_PAGES); do \
			out=$$(groff -man -Tutf8 -ww -z "$$p" 2>&1); \
			if [ -n "$$out" ]; then \
				echo "$$p:"; echo "$$out"; status=1; \
			fi; \
		done; \
		[ $$status -eq 0 ] && echo "check-man: $(words $(MAN1_PAGES) $(MAN8_PAGES)) page(s) render without warnings"; \
		exit $$status; \
	fi
