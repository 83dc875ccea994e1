#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Our tools against Debian's, and Debian's tools on our library, all
# against a fresh daemon of ours: runs tools_golden.sh, which compares
# output and exit codes byte for byte and runs Xen's test-xenstore.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ -n "${XS_SANITIZED:-}" ]; then
	# Debian's binaries cannot load a sanitizer-built library; the plain
	# pass of "make check" runs this one.
	echo "skipped: library built with -fsanitize=$XS_SANITIZED"
	echo "0 passed, 0 failed"
	exit 0
fi
xs_start_daemon
build=${BUILD:-$(dirname "$XENSTORED_BIN")/..}
if XENSTORED_PATH=$XS_SOCK BUILD=$build bash "$(dirname "$0")/tools_golden.sh" \
	>"$XS_TMP/golden.out" 2>&1; then
	xs_pass "tools_golden.sh: $(tail -n 1 "$XS_TMP/golden.out")"
else
	xs_fail "tools_golden.sh passes" "0 failed" \
		"$(grep -E 'FAIL|failed' "$XS_TMP/golden.out" | head -n 40)"
fi
grep -q 'test-xenstore verdicts (exit 0' "$XS_TMP/golden.out" &&
	xs_pass "Xen's test-xenstore passes on our daemon" ||
	xs_fail "Xen's test-xenstore passes on our daemon" "exit 0" \
		"$(grep -A3 'test-xenstore' "$XS_TMP/golden.out" | head -n 20)"
xs_finish
