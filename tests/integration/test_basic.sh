#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Basic node operations through Debian's xenstore-utils as dom0: the initial
# tree, write (several pairs at once, empty values, missing ancestors
# created), read, exists, list, rm (subtrees; a missing node is fine when its
# parent exists, an error when it does not), and the exact output of
# xenstore-ls / xenstore-ls -f on a built tree.  Expected outputs were taken
# from Xen 4.17's C xenstored.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_daemon

# --- the initial tree -------------------------------------------------------
expect_out "initial tree is /tool/xenstored" \
	'/tool = ""
/tool/xenstored = ""' xenstore-ls -f /
expect_out "initial root lists tool" "tool" xenstore-list /
expect_out "/tool/xenstored is empty" "" xenstore-read /tool/xenstored
expect_out "/tool/xenstored has no children" "" xenstore-list /tool/xenstored

# --- write / read -------------------------------------------------------------
expect_out "write one pair" "" xenstore-write /a 1
expect_out "read it back" "1" xenstore-read /a
expect_out "overwrite" "" xenstore-write /a 2
expect_out "read the new value" "2" xenstore-read /a
expect_out "write three pairs at once" "" \
	xenstore-write /m/x one /m/y "two words" /m/z ""
expect_out "read several paths, one value per line" 'one
two words' xenstore-read /m/x /m/y /m/z
expect_out "an empty value still gets its line" "3" \
	sh -c 'xenstore-read /m/x /m/y /m/z | wc -l'
expect_out "empty value reads as empty" "" xenstore-read /m/z
expect_out "read -p prefixes the path" "/m/y: two words" xenstore-read -p /m/y
expect_fail "write with a key but no value is a usage error" xenstore-write /odd
expect_err "odd number of arguments" 1 \
	"xenstore-write: Usage: xenstore-write [-h] [-s] [-R] key value [...]" \
	xenstore-write /odd 1 /even
expect_fail "the pair before the odd one was not written" xenstore-exists /odd
value=$(printf 'a\nb\tc')
expect_out "write a value with control characters" "" xenstore-write /ctl "$value"
expect_out "read escapes them" 'a\nb\tc' xenstore-read /ctl
expect_out "read -R gives them raw" "$value" xenstore-read -R /ctl

# --- nested creation ----------------------------------------------------------
expect_out "write creates missing ancestors" "" xenstore-write /n1/n2/n3/leaf deep
expect_out "deep read" "deep" xenstore-read /n1/n2/n3/leaf
expect_out "created ancestors are empty" "" xenstore-read /n1/n2
expect_ok "created ancestors exist" xenstore-exists /n1 /n1/n2 /n1/n2/n3
expect_out "list shows the chain" "n2" xenstore-list /n1
expect_out "list -p gives full paths" "/n1/n2/n3/leaf" xenstore-list -p /n1/n2/n3

# --- exists / missing nodes ---------------------------------------------------
expect_ok "exists on an existing node" xenstore-exists /a
expect_err "exists on a missing node" 1 "" xenstore-exists /missing
expect_fail "exists fails if any path is missing" xenstore-exists /a /missing
expect_err "read of a missing node" 1 \
	"xenstore-read: couldn't read path /missing" xenstore-read /missing
expect_err "list of a missing node" 1 \
	"xenstore-list: could not list path /missing" xenstore-list /missing
expect_err "ls of a missing node" 1 \
	"xenstore-ls: xs_directory (/missing): No such file or directory" \
	xenstore-ls /missing
xs_run xenstore-read /m/x /missing
expect_eq "read stops at the first missing path" \
	"1|one|xenstore-read: couldn't read path /missing" \
	"$XS_RC|$XS_OUT|$XS_ERR"

# --- ls of a built tree -------------------------------------------------------
long=$(printf 'v%.0s' $(seq 100))
expect_out "build a tree" "" xenstore-write \
	/vm/1/name guest-one /vm/1/uuid 1234-abcd /vm/1/long "$long" \
	/vm/2/name "two words" /vm/2/q 'say "hi"' /vm/2/nl "$value" /vm/empty ""
expect_out "xenstore-ls of the tree (long values cut)" \
	'1 = ""
 name = "guest-one"
 uuid = "1234-abcd"
 long = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\..."
2 = ""
 name = "two words"
 q = "say "hi""
 nl = "a\nb\tc"
empty = ""' xenstore-ls /vm
expect_out "xenstore-ls -f of the tree (full values)" \
	'/vm/1 = ""
/vm/1/name = "guest-one"
/vm/1/uuid = "1234-abcd"
/vm/1/long = "'"$long"'"
/vm/2 = ""
/vm/2/name = "two words"
/vm/2/q = "say "hi""
/vm/2/nl = "a\nb\tc"
/vm/empty = ""' xenstore-ls -f /vm
expect_out "xenstore-list keeps creation order" '1
2
empty' xenstore-list /vm
expect_out "xenstore-ls -f of the whole store" \
	'/tool = ""
/tool/xenstored = ""
/a = "2"
/m = ""
/m/x = "one"
/m/y = "two words"
/m/z = ""
/ctl = "a\nb\tc"
/n1 = ""
/n1/n2 = ""
/n1/n2/n3 = ""
/n1/n2/n3/leaf = "deep"
/vm = ""
/vm/1 = ""
/vm/1/name = "guest-one"
/vm/1/uuid = "1234-abcd"
/vm/1/long = "'"$long"'"
/vm/2 = ""
/vm/2/name = "two words"
/vm/2/q = "say "hi""
/vm/2/nl = "a\nb\tc"
/vm/empty = ""' xenstore-ls -f /
expect_out "xenstore-ls of a leaf prints nothing" "" xenstore-ls /vm/1/name

# --- rm -----------------------------------------------------------------------
expect_out "rm of a leaf" "" xenstore-rm /vm/2/q
expect_fail "removed leaf is gone" xenstore-exists /vm/2/q
expect_out "rm of a subtree" "" xenstore-rm /vm/1
expect_fail "subtree root is gone" xenstore-exists /vm/1
expect_fail "subtree leaf is gone" xenstore-exists /vm/1/name
expect_out "siblings stay" '2
empty' xenstore-list /vm
expect_out "rm of a missing node whose parent exists" "" xenstore-rm /vm/nothing
expect_err "rm of a missing node whose parent is missing" 1 \
	"xenstore-rm: could not remove path /nothing/child" \
	xenstore-rm /nothing/child
expect_fail "rm of / is refused" xenstore-rm /
expect_out "store intact after rm /" "tool" sh -c 'xenstore-list / | head -n 1'
expect_out "rm of several paths" "" xenstore-rm /m/x /m/y
expect_out "what is left under /m" "z" xenstore-list /m
expect_out "rm -t also removes parents left empty" "" xenstore-rm -t /n1/n2/n3/leaf
expect_fail "the emptied chain is gone" xenstore-exists /n1
expect_out "tree after the removals" \
	'/tool = ""
/tool/xenstored = ""
/a = "2"
/m = ""
/m/z = ""
/ctl = "a\nb\tc"
/vm = ""
/vm/2 = ""
/vm/2/name = "two words"
/vm/2/nl = "a\nb\tc"
/vm/empty = ""' xenstore-ls -f /
expect_out "a removed node can be written again" "" xenstore-write /vm/1 back
expect_out "and read" "back" xenstore-read /vm/1

xs_finish
