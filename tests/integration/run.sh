#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run every integration test, tests/integration/test_*.sh (or the ones
# named on the command line), one after the other, each against a daemon of
# its own, and add up their checks.  Each script ends with the line
# "N passed, M failed"; a script that dies without it, exits non-zero with
# no failure counted, or runs over XS_TEST_TIMEOUT seconds (default 60)
# counts as one more failure.  The last line printed is the total
# "N passed, M failed"; the exit status is 1 if anything failed.
#
#   tests/integration/run.sh                        all tests, build/bin/xenstored
#   XENSTORED_BIN=/path/xenstored tests/integration/run.sh test_watch.sh
#
# Environment: XENSTORED_BIN (the daemon; it must take -N --socket PATH),
# RESTRICT_PROXY (build/tests/tools/restrict_proxy), XS_TEST_TIMEOUT; see
# lib.sh for the rest.
set -u

dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
XENSTORED_BIN=${XENSTORED_BIN:-$root/build/bin/xenstored}
RESTRICT_PROXY=${RESTRICT_PROXY:-$root/build/tests/tools/restrict_proxy}
export XENSTORED_BIN RESTRICT_PROXY
timeout_s=${XS_TEST_TIMEOUT:-60}

if [ $# -eq 0 ]; then
	set -- "$dir"/test_*.sh
fi

total_pass=0
total_fail=0
failed_names=""
log=$(mktemp /tmp/xs-integ-run.XXXXXX) || exit 2
# On a signal (Ctrl-C), tidy up and die of it, so that make stops too.
on_signal() {
	rm -f "$log"
	trap - "$1" EXIT
	kill -"$1" $$
	exit 1
}
trap 'rm -f "$log"' EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

for t in "$@"; do
	case $t in */*) ;; *) t=$dir/$t ;; esac
	name=$(basename "$t" .sh)
	echo "=== $name"
	# --foreground: the test stays in our process group, so a Ctrl-C
	# reaches it (and its daemon) at once; timeout passes on how it died.
	timeout --foreground -k 5 "$timeout_s" bash "$t" >"$log" 2>&1
	status=$?
	cat "$log"
	# Died of Ctrl-C or a kill (not of our timeout): stop here.
	case $status in
	129) on_signal HUP ;;
	130) on_signal INT ;;
	143) on_signal TERM ;;
	esac
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -n "$summary" ]; then
		p=${summary%% passed*}
		f=${summary#*, }
		f=${f%% failed}
	else
		p=0
		f=0
	fi
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "FAIL - $name: killed after ${timeout_s}s"
		f=$((f + 1))
	elif [ -z "$summary" ]; then
		echo "FAIL - $name: ended (status $status) without its summary line"
		f=$((f + 1))
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL - $name: exit status $status"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$f" -eq 0 ] || failed_names="$failed_names $name"
done

echo "=== integration tests against $XENSTORED_BIN"
[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
