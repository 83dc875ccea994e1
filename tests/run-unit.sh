#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run unit-test programs (built from tests/unit/test_*.c by mk/tests.mk)
# one after the other, showing each one's cmocka output, then a summary.
# A program fails when it exits non-zero: cmocka exits with the number of
# failed tests, and a crash or a sanitizer report also ends in a non-zero
# status.  Every program runs even after a failure; the script exits 1 if
# any failed, so "make check-unit" fails too.
#
#   tests/run-unit.sh build/tests/unit/test_codec build/tests/unit/test_path
set -u

if [ $# -eq 0 ]; then
	echo "run-unit: no test programs given" >&2
	exit 2
fi

# With SANITIZE=undefined, show where a report comes from; a value already
# in the environment wins.
: "${UBSAN_OPTIONS:=print_stacktrace=1}"
export UBSAN_OPTIONS

passed=0
failed=0
failed_names=""
for prog in "$@"; do
	name=$(basename "$prog")
	echo "=== $name"
	if [ ! -x "$prog" ]; then
		echo "run-unit: $prog: not an executable" >&2
		status=127
	else
		"$prog"
		status=$?
	fi
	if [ "$status" -eq 0 ]; then
		passed=$((passed + 1))
	else
		echo "run-unit: $name FAILED (exit status $status)"
		failed=$((failed + 1))
		failed_names="$failed_names $name"
	fi
done

echo "=== unit tests: $passed program(s) passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "failed:$failed_names"
	exit 1
fi
exit 0
