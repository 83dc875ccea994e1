#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Node permissions through Debian's xenstore-chmod and xenstore-ls -p: what
# dom0 sets (single node, -r recursive, bad specifications), then what
# unprivileged domains 5 and 6 (played by restrict_proxy) may and may not do:
# default access, r/w/b entries, ownership (the owner may SET_PERMS but not
# give the node away), ownership of created nodes, the root, and EACCES
# rather than ENOENT for missing nodes below an unreadable parent.
# dom0 outputs were checked against Xen 4.17's C xenstored; the unprivileged
# cases follow upstream xenstored's rules (4.17 has no RESTRICT).
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_daemon
xs_start_proxy 5
xs_start_proxy 6

# --- dom0: xenstore-chmod and xenstore-ls -p ----------------------------------
expect_out "build a tree" "" xenstore-write /perm/a/b 1 /perm/c 2
expect_out "new nodes get the root's (n0)" \
	'/perm/a = ""   (n0)
/perm/a/b = "1"   (n0)
/perm/c = "2"   (n0)' xenstore-ls -fp /perm
expect_out "chmod one node" "" xenstore-chmod /perm/a n0 r1 w2 b3
expect_out "ls -p shows the new list, padded" \
	'a = "" . . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0,r1,w2,b3)
 b = "1" . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)
c = "2"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)' \
	xenstore-ls -p /perm
expect_out "chmod without -r leaves the children" \
	'/perm/a = ""   (n0,r1,w2,b3)
/perm/a/b = "1"   (n0)
/perm/c = "2"   (n0)' xenstore-ls -fp /perm
expect_out "chmod -r sets the whole subtree" "" xenstore-chmod -r /perm b7 r8
expect_out "every node of the subtree has it" \
	'/perm = ""   (b7,r8)
/perm/a = ""   (b7,r8)
/perm/a/b = "1"   (b7,r8)
/perm/c = "2"   (b7,r8)' sh -c 'xenstore-ls -fp / | grep "^/perm"'
expect_out "the rest of the store is untouched" '/tool = ""   (n0)' \
	sh -c 'xenstore-ls -fp / | head -n 1'
expect_out "a node created below inherits its parent's list" "" \
	xenstore-write /perm/c/new x
expect_out "inherited list" '/perm/c/new = "x"   (b7,r8)' \
	sh -c 'xenstore-ls -fp /perm/c'
expect_err "a bad permission letter" 1 \
	"xenstore-chmod: Invalid permission specification: 'x'" \
	xenstore-chmod /perm/a x5
expect_err "a domain without a letter" 1 \
	"xenstore-chmod: Invalid permission specification: '5'" \
	xenstore-chmod /perm/a 5
expect_err "no permission at all" 1 \
	"xenstore-chmod: Error occurred setting permissions on '/perm/a': Invalid argument" \
	xenstore-chmod /perm/a
expect_out "failed chmods changed nothing" '/perm/a = ""   (b7,r8)' \
	sh -c 'xenstore-ls -fp /perm | head -n 1'
expect_err "chmod of a missing node" 1 \
	"xenstore-chmod: Error occurred setting permissions on '/nope': No such file or directory" \
	xenstore-chmod /nope r0

# --- set-up for the unprivileged domains ----------------------------------------
expect_out "dom0 builds the test nodes" "" xenstore-write \
	/priv secret /r5 readable /b5 both /w5 "" /own5 mine /root-marker 1
expect_ok "r5 entry" xenstore-chmod /r5 n0 r5
expect_ok "b5 entry" xenstore-chmod /b5 n0 b5
expect_ok "w5 entry" xenstore-chmod /w5 n0 w5
expect_ok "dom0 gives /own5 to domain 5" xenstore-chmod /own5 n5

# --- default n0: no access --------------------------------------------------------
expect_err "dom5 cannot read a node with default n0" 1 \
	"xenstore-read: couldn't read path /priv" as_dom 5 xenstore-read /priv
expect_err "the error is EACCES" 1 \
	"xenstore-ls: xs_directory (/priv): Permission denied" \
	as_dom 5 xenstore-ls /priv
expect_err "dom5 cannot list it" 1 \
	"xenstore-list: could not list path /priv" as_dom 5 xenstore-list /priv
expect_err "exists says no" 1 "" as_dom 5 xenstore-exists /priv
expect_err "dom5 cannot write it" 1 \
	"xenstore-write: could not write path /priv" as_dom 5 xenstore-write /priv x
expect_err "dom5 cannot rm it" 1 \
	"xenstore-rm: could not remove path /priv" as_dom 5 xenstore-rm /priv
expect_err "dom5 cannot read its permissions" 1 \
	"xenstore-ls: xs_directory (/priv): Permission denied" \
	as_dom 5 xenstore-ls -p /priv
expect_out "the node is unchanged" "secret" xenstore-read /priv

# --- r5 ---------------------------------------------------------------------------
expect_out "r5 lets dom5 read" "readable" as_dom 5 xenstore-read /r5
expect_err "r5 does not let dom5 write" 1 \
	"xenstore-write: could not write path /r5" as_dom 5 xenstore-write /r5 x
expect_err "r5 does not let dom5 create below" 1 \
	"xenstore-write: could not write path /r5/sub" \
	as_dom 5 xenstore-write /r5/sub x
expect_err "r5 does not let dom6 read" 1 \
	"xenstore-read: couldn't read path /r5" as_dom 6 xenstore-read /r5
expect_out "the list of /r5" \
	'/r5 = "readable"   (n0,r5)' sh -c 'xenstore-ls -fp / | grep "^/r5 "'
expect_out "value unchanged" "readable" xenstore-read /r5

# --- b5 ---------------------------------------------------------------------------
expect_out "b5 lets dom5 write" "" as_dom 5 xenstore-write /b5 changed
expect_out "and read" "changed" as_dom 5 xenstore-read /b5
expect_out "dom0 sees the write" "changed" xenstore-read /b5
expect_err "b5 does not let dom6 write" 1 \
	"xenstore-write: could not write path /b5" as_dom 6 xenstore-write /b5 x
expect_out "a write does not change the owner" '/b5 = "changed"   (n0,b5)' \
	sh -c 'xenstore-ls -fp / | grep "^/b5 "'
expect_out "b5 lets dom5 create below" "" as_dom 5 xenstore-write /b5/kid k
expect_out "dom5 may remove what it may write" "" as_dom 5 xenstore-rm /b5/kid
expect_out "removing a missing child of a writable node is fine" "" \
	as_dom 5 xenstore-rm /b5/none

# --- w5: creating below makes dom5 the owner ----------------------------------------
expect_out "w5 lets dom5 create a child" "" as_dom 5 xenstore-write /w5/mine 1
expect_out "the child is owned by dom5, other entries inherited" \
	'/w5/mine = "1"   (n5,w5)' xenstore-ls -fp /w5
expect_out "dom5 reads its own node" "1" as_dom 5 xenstore-read /w5/mine
expect_err "w5 alone does not let dom5 read the parent" 1 \
	"xenstore-read: couldn't read path /w5" as_dom 5 xenstore-read /w5
expect_out "nested creation: every new node is dom5's" "" \
	as_dom 5 xenstore-write /w5/d/e/f 2
expect_out "owners of the nested nodes" \
	'/w5/mine = "1"   (n5,w5)
/w5/d = ""   (n5,w5)
/w5/d/e = ""   (n5,w5)
/w5/d/e/f = "2"   (n5,w5)' xenstore-ls -fp /w5
expect_err "dom6 cannot read dom5's node" 1 \
	"xenstore-read: couldn't read path /w5/mine" as_dom 6 xenstore-read /w5/mine

# --- the owner and SET_PERMS ----------------------------------------------------------
expect_out "owner dom5 reads its node" "mine" as_dom 5 xenstore-read /own5
expect_out "owner dom5 changes its list" "" as_dom 5 xenstore-chmod /own5 n5 r6
expect_out "the new list" '/own5 = "mine"   (n5,r6)' \
	sh -c 'xenstore-ls -fp / | grep "^/own5 "'
expect_out "dom6 may read now" "mine" as_dom 6 xenstore-read /own5
expect_err "owner dom5 cannot give the node to dom6 (EPERM)" 1 \
	"xenstore-chmod: Error occurred setting permissions on '/own5': Operation not permitted" \
	as_dom 5 xenstore-chmod /own5 n6
expect_err "dom6 (not the owner) cannot chmod (EACCES)" 1 \
	"xenstore-chmod: Error occurred setting permissions on '/own5': Permission denied" \
	as_dom 6 xenstore-chmod /own5 n6
expect_err "b access is not ownership" 1 \
	"xenstore-chmod: Error occurred setting permissions on '/b5': Permission denied" \
	as_dom 5 xenstore-chmod /b5 b5
expect_out "list unchanged after the refusals" '/own5 = "mine"   (n5,r6)' \
	sh -c 'xenstore-ls -fp / | grep "^/own5 "'
expect_out "dom0 may give it away" "" xenstore-chmod /own5 n6
expect_err "then dom5 has lost it" 1 \
	"xenstore-read: couldn't read path /own5" as_dom 5 xenstore-read /own5
expect_out "and dom6 owns it" "mine" as_dom 6 xenstore-read /own5

# --- the root -------------------------------------------------------------------------
expect_fail "dom5 cannot rm /" as_dom 5 xenstore-rm /
expect_err "dom5 cannot write /x" 1 \
	"xenstore-write: could not write path /x" as_dom 5 xenstore-write /x 1
expect_fail "so /x does not exist" xenstore-exists /x
expect_err "dom5 cannot list /" 1 \
	"xenstore-ls: xs_directory (/): Permission denied" as_dom 5 xenstore-ls /
expect_out "store intact" "1" xenstore-read /root-marker

# --- missing nodes: EACCES below an unreadable parent, ENOENT below a readable one ------
expect_err "missing node under an unreadable parent: read fails" 1 \
	"xenstore-read: couldn't read path /priv/missing" \
	as_dom 5 xenstore-read /priv/missing
expect_err "... with EACCES, not ENOENT" 1 \
	"xenstore-ls: xs_directory (/priv/missing): Permission denied" \
	as_dom 5 xenstore-ls /priv/missing
expect_err "deeper below the unreadable parent: EACCES too" 1 \
	"xenstore-ls: xs_directory (/priv/x/y/z): Permission denied" \
	as_dom 5 xenstore-ls /priv/x/y/z
expect_err "missing node at the root (n0): EACCES" 1 \
	"xenstore-ls: xs_directory (/nothing): Permission denied" \
	as_dom 5 xenstore-ls /nothing
expect_err "missing node under a readable parent: ENOENT" 1 \
	"xenstore-ls: xs_directory (/r5/missing): No such file or directory" \
	as_dom 5 xenstore-ls /r5/missing
expect_err "for dom0 it is ENOENT" 1 \
	"xenstore-ls: xs_directory (/priv/missing): No such file or directory" \
	xenstore-ls /priv/missing
expect_err "rm of a missing node under an unwritable parent fails" 1 \
	"xenstore-rm: could not remove path /priv/missing" \
	as_dom 5 xenstore-rm /priv/missing

xs_finish
