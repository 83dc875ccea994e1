# SPDX-License-Identifier: MIT
# Debian packages (debian/; docs/packaging.md).
#
#   make deb        the .debs of dpkg-buildpackage -b -us -uc, in
#                   $(DEB_OUT) (default $(BUILD)/deb)
#   make check-deb  build them and test them (tests/deb/test_deb.sh): their
#                   contents, and the daemon and library they hold serving
#                   Debian's xenstore-utils; part of "make check" in the
#                   plain pass (the sanitizer pass would only build the same
#                   packages again)
#
# dpkg-buildpackage writes its products next to the source tree and cleans
# the tree it builds in, so it builds a copy in a temporary directory: this
# tree and its build/ are left alone.  Needs dpkg-dev, debhelper and the
# Build-Depends of debian/control (scripts/install-deps.sh installs them).
DEB_OUT ?= $(BUILD)/deb
# At most two compiler jobs (the machines this runs on are shared).
DEB_JOBS ?= 2

.PHONY: deb check-deb
deb:
	$(Q)set -e; tmp=$$(mktemp -d /tmp/xsd-deb.XXXXXX); \
	trap 'rm -rf "$$tmp"' EXIT; \
	mkdir "$$tmp/src"; \
	tar --exclude=./build --exclude=./.git -cf - . | tar -C "$$tmp/src" -xf -; \
	echo "  DEB     dpkg-buildpackage -b -us -uc (log: $(DEB_OUT)/build.log)"; \
	mkdir -p $(DEB_OUT); rm -f $(DEB_OUT)/*.deb; \
	if ! (cd "$$tmp/src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		DEB_BUILD_OPTIONS="parallel=$(DEB_JOBS) $$DEB_BUILD_OPTIONS" \
		dpkg-buildpackage -b -us -uc) >$(DEB_OUT)/build.log 2>&1; then \
		tail -n 40 $(DEB_OUT)/build.log; \
		echo "deb: dpkg-buildpackage failed; whole log in $(DEB_OUT)/build.log" >&2; \
		exit 1; \
	fi; \
	mv "$$tmp"/*.deb $(DEB_OUT)/; \
	for f in $(DEB_OUT)/*.deb; do echo "  DEB     $$f"; done

ifeq ($(INSTALL_DEPS),1)
check-deb: | test-deps
endif
check-deb: all
	$(Q)BUILD='$(BUILD)' timeout --foreground -k 5 900 bash tests/deb/test_deb.sh

ifeq ($(SANITIZE),)
CHECK_DEPS += check-deb
endif
