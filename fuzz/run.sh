#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run libFuzzer targets built by mk/fuzz.mk, one after the other, each
# from its seed corpus fuzz/corpus/<name> (read only) plus a working corpus
# under WORKDIR where new inputs go; fuzz/<name>.dict is used when present.
# Prints each target's final libFuzzer line (cov, ft, corp, exec/s).  A
# crash, leak, timeout or checker failure leaves its input in
# WORKDIR/artifacts/<name>/ and makes the exit status 1.
#
#   fuzz/run.sh [-c] SECONDS BINDIR WORKDIR NAME...
#     -c   check mode: first replay every seed input once
set -eu

check=0
if [ "${1:-}" = -c ]; then
	check=1
	shift
fi
if [ $# -lt 4 ]; then
	echo "usage: $0 [-c] SECONDS BINDIR WORKDIR NAME..." >&2
	exit 2
fi
secs=$1 bindir=$2 work=$3
shift 3

# Sanitizer reports end the run; options already set win.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
for name in "$@"; do
	bin=$bindir/fuzz_$name
	seeds=fuzz/corpus/$name
	log=$work/$name.log
	art=$work/artifacts/$name/
	set -- -timeout=25 -print_final_stats=1 -artifact_prefix="$art"
	if [ -f "fuzz/$name.dict" ]; then
		set -- "$@" -dict="fuzz/$name.dict"
	fi
	mkdir -p "$work/corpus/$name" "$art"
	if [ "$check" = 1 ]; then
		n=$(find "$seeds" -type f | wc -l)
		if ! "$bin" "$@" -runs=0 "$seeds" >"$work/$name.replay.log" 2>&1; then
			echo "fuzz: $name: replaying $n seed inputs failed:" >&2
			tail -n 60 "$work/$name.replay.log" >&2
			status=1
			continue
		fi
		echo "fuzz: $name: $n seed inputs replayed"
	fi
	echo "fuzz: $name: fuzzing for ${secs} s (log: $log)"
	if ! "$bin" "$@" -max_total_time="$secs" "$work/corpus/$name" "$seeds" \
		>"$log" 2>&1; then
		echo "fuzz: $name: FAILED; input kept in $art" >&2
		tail -n 60 "$log" >&2
		status=1
		continue
	fi
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
	execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
	echo "fuzz: $name: $done_line (runs: ${execs:-?})"
done
exit $status
