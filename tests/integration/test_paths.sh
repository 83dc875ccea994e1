#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Path syntax and length limits, through Debian's tools: malformed paths
# (//, trailing /, blanks, dots, empty, special @names as nodes) are refused
# with EINVAL and the daemon keeps serving; '@' inside a path is legal;
# relative paths resolve below /local/domain/<domid> (dom0 and domain 5);
# an absolute path may have 3072 bytes, not 3073; an unprivileged domain
# may use 2048 bytes below its home (path-max quota), dom0 is exempt.
# dom0's results match Xen 4.17's C xenstored except the lengths: 4.17
# applied the 2048-byte path-max to dom0 too, upstream since 4.18 does not.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_daemon
xs_start_proxy 5

# xstr N PREFIX: PREFIX followed by x's, N bytes in all.
xstr() {
	local n=$(($1 - ${#2}))
	printf '%s%s' "$2" "$(head -c "$n" /dev/zero | tr '\0' x)"
}
# Run a tool, print "<status>: <stderr>" with runs of x's shortened (the
# long paths would flood a failure report).
short_err() {
	local err rc
	err=$(xs_exec "$@" 2>&1 >/dev/null)
	rc=$?
	printf '%s: %s\n' "$rc" "$err" | sed -E 's/x{16,}/x.../g'
}

# --- malformed paths ------------------------------------------------------------
for p in /a//b /a/ "bad path" /a.b "" // "/a/b\\c" "/tab	x" @foo @releaseDomain; do
	expect_err "write of '$p' refused" 1 \
		"xenstore-write: could not write path $p" xenstore-write "$p" v
	expect_err "read of '$p' refused" 1 \
		"xenstore-read: couldn't read path $p" xenstore-read "$p"
	expect_err "'$p' is EINVAL" 1 \
		"xenstore-ls: xs_directory ($p): Invalid argument" xenstore-ls "$p"
	expect_err "rm of '$p' refused" 1 \
		"xenstore-rm: could not remove path $p" xenstore-rm "$p"
	expect_err "exists of '$p' says no" 1 "" xenstore-exists "$p"
done
expect_alive "daemon serves after the malformed paths"
expect_out "nothing was created by them" '/tool = ""
/tool/xenstored = ""' xenstore-ls -f /

# --- legal characters ---------------------------------------------------------------
expect_out "@ inside a path is legal" "" xenstore-write /x@y v
expect_out "read /x@y" "v" xenstore-read /x@y
expect_out "all legal characters" "" xenstore-write /AZaz09-_@/z w
expect_out "read them back" "w" xenstore-read /AZaz09-_@/z
expect_out "listed" 'tool
x@y
AZaz09-_@' xenstore-list /
expect_ok "rm /x@y" xenstore-rm /x@y /AZaz09-_@

# --- relative paths as dom0 -----------------------------------------------------------
expect_out "relative write" "" xenstore-write rel/x 1
expect_out "lands below /local/domain/0" "1" xenstore-read /local/domain/0/rel/x
expect_out "relative read" "1" xenstore-read rel/x
expect_ok "relative exists" xenstore-exists rel
expect_out "relative list" "x" xenstore-list rel
expect_out "relative ls -f" '/local/domain/0/rel/x = "1"' xenstore-ls -f /local/domain/0/rel
expect_out "the whole created chain" '/local = ""
/local/domain = ""
/local/domain/0 = ""
/local/domain/0/rel = ""
/local/domain/0/rel/x = "1"' sh -c 'xenstore-ls -f / | grep "^/local"'
expect_out "relative rm" "" xenstore-rm rel/x
expect_fail "gone" xenstore-exists /local/domain/0/rel/x
expect_out "relative rm of a subtree" "" xenstore-rm rel
expect_out "/local/domain/0 is empty again" "" xenstore-list /local/domain/0
expect_err "relative path with //" 1 \
	"xenstore-ls: xs_directory (rel//x): Invalid argument" xenstore-ls rel//x
expect_err "relative path with a trailing /" 1 \
	"xenstore-ls: xs_directory (rel/): Invalid argument" xenstore-ls rel/

# --- relative paths as domain 5 ---------------------------------------------------------
expect_ok "dom0 makes domain 5's home" xenstore-write /local/domain/5 ""
expect_ok "and gives it to domain 5" xenstore-chmod /local/domain/5 n5
expect_out "dom5 writes relative" "" as_dom 5 xenstore-write data/x 5
expect_out "lands below /local/domain/5" "5" xenstore-read /local/domain/5/data/x
expect_out "dom5 reads relative" "5" as_dom 5 xenstore-read data/x
expect_out "dom5 reads absolute" "5" as_dom 5 xenstore-read /local/domain/5/data/x
expect_out "dom5 lists relative" "x" as_dom 5 xenstore-list data
expect_out "dom5 removes relative" "" as_dom 5 xenstore-rm data

# --- absolute length: 3072 bytes, not 3073 -----------------------------------------------
p3072=$(xstr 3072 /long/)
p3073=$(xstr 3073 /long/)
expect_rc "3072-byte absolute path accepted" 0 xenstore-write "$p3072" v
expect_rc "and readable" 0 xenstore-exists "$p3072"
expect_out "its value" "v" xenstore-read "$p3072"
expect_rc "3073-byte absolute path refused" 1 xenstore-write "$p3073" v
expect_out "with EINVAL" "1: xenstore-ls: xs_directory (/long/x...): Invalid argument" \
	short_err xenstore-ls "$p3073"
expect_rc "3073 bytes do not exist" 1 xenstore-exists "$p3073"
expect_out "more than a message can carry: refused by the library" \
	"1: xenstore-ls: xs_directory (/long/x...): Argument list too long" \
	short_err xenstore-ls "$(xstr 5000 /long/)"
expect_alive "daemon serves after the long paths"
expect_ok "remove the long node" xenstore-rm /long

# --- relative length, dom0: only the absolute limit applies ----------------------------
# /local/domain/0/ is 16 bytes: 3056 relative bytes make 3072 absolute ones.
expect_rc "dom0: 2048-byte relative path" 0 xenstore-write "$(xstr 2048 r)" v
expect_rc "dom0: 2049 bytes, no path-max for dom0" 0 xenstore-write "$(xstr 2049 r)" v
expect_rc "dom0: 3056 relative = 3072 absolute" 0 xenstore-write "$(xstr 3056 r)" v
expect_out "read back" "v" xenstore-read "$(xstr 3056 r)"
expect_rc "dom0: 3057 relative = 3073 absolute" 1 xenstore-write "$(xstr 3057 r)" v
expect_out "with EINVAL" "1: xenstore-ls: xs_directory (rx...): Invalid argument" \
	short_err xenstore-ls "$(xstr 3057 r)"
expect_out "dom0's long nodes" "3" sh -c 'xenstore-list /local/domain/0 | wc -l'

# --- relative length, domain 5: 2048 bytes below its home ----------------------------------
expect_rc "dom5: 2048 bytes below its home" 0 as_dom 5 xenstore-write "$(xstr 2048 r)" v
expect_out "dom5 reads it back" "v" as_dom 5 xenstore-read "$(xstr 2048 r)"
expect_rc "dom5: 2049 bytes refused" 1 as_dom 5 xenstore-write "$(xstr 2049 r)" v
expect_out "with EINVAL" "1: xenstore-ls: xs_directory (rx...): Invalid argument" \
	short_err as_dom 5 xenstore-ls "$(xstr 2049 r)"
expect_rc "dom5: same limit when written absolute" 0 \
	as_dom 5 xenstore-exists "/local/domain/5/$(xstr 2048 r)"
expect_out "absolute, 2049 below the home: EINVAL" \
	"1: xenstore-ls: xs_directory (/local/domain/5/rx...): Invalid argument" \
	short_err as_dom 5 xenstore-ls "/local/domain/5/$(xstr 2049 r)"
expect_out "outside its home, 2048 bytes: only EACCES" \
	"1: xenstore-ls: xs_directory (/x...): Permission denied" \
	short_err as_dom 5 xenstore-ls "/$(xstr 2047 x)"
expect_out "outside its home, 2049 bytes: EINVAL" \
	"1: xenstore-ls: xs_directory (/x...): Invalid argument" \
	short_err as_dom 5 xenstore-ls "/$(xstr 2048 x)"
expect_out "dom5's home holds the one long node" "1" \
	sh -c 'xenstore-list /local/domain/5 | wc -l'

xs_finish
