#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Watches through Debian's xenstore-watch -n N while other processes change
# the store: the exact event lines in order (the initial event first), a
# subtree watch seeing a deep write, an rm and a chmod, a watched node
# removed with its ancestor, relative watch paths reported relative, several
# watchers at once, and which events an unprivileged watcher (domain 5,
# through restrict_proxy) may see.  dom0 results match Xen 4.17's C
# xenstored; the permission rules are upstream xenstored's (watch_permitted
# in tools/xenstored/watch.c: the node or its parent must be readable, with
# the old permissions also counting when SET_PERMS changes them).
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_daemon
xs_start_proxy 5

# watch_begin NAME N [DOMID] PATH: run "xenstore-watch -n N PATH" (as
# domain DOMID if given) in the background, its output in $XS_TMP/NAME, and
# wait for its first line, the initial event, so that it is registered.
watch_begin() {
	local name=$1 n=$2 dom='' path sock=$XS_SOCK
	if [ $# -eq 4 ]; then
		dom=$3
		path=$4
		sock=$(xs_proxy_sock "$dom")
	else
		path=$3
	fi
	XENSTORED_PATH=$sock xs_bg timeout 20 xenstore-watch -n "$n" "$path" \
		>"$XS_TMP/$name" 2>"$XS_TMP/$name.err"
	printf -v "WATCH_PID_$name" '%s' "$XS_BG"
	xs_wait_lines "$XS_TMP/$name" 1 5 ||
		echo "watch $name: no initial event: $(cat "$XS_TMP/$name.err")"
}

# watch_end NAME: wait (up to 3 s) until the watcher has had its N events
# and exited; print what it printed.  Fails if it had to be stopped.
watch_end() {
	local pid_var=WATCH_PID_$1 rc=0
	xs_wait_pid "${!pid_var}" 3 || rc=1
	[ "$XS_RC" -eq 0 ] || rc=1
	cat "$XS_TMP/$1"
	return "$rc"
}

# --- one watch, exact event lines ------------------------------------------------
expect_ok "set-up" xenstore-write /w/a 1
watch_begin basic 7 /w
expect_out "initial event at once" "/w" cat "$XS_TMP/basic"
xenstore-write /w/a 2
xenstore-write /w/b/c/d deep
xenstore-rm /w/b
xenstore-chmod /w/a b0
xenstore-write /other 1
xenstore-write /w 3
xenstore-rm /w/nothing
xenstore-write /w/a 4
expect_out "events in order: write, deep write, rm, chmod, own write" \
	'/w
/w/a
/w/b/c/d
/w/b
/w/a
/w
/w/a' watch_end basic

# --- the watched node removed with an ancestor ---------------------------------------
expect_ok "set-up" xenstore-write /w2/a/b 1
watch_begin anc 2 /w2/a/b
xenstore-rm /w2
expect_out "rm of an ancestor fires the watched path" '/w2/a/b
/w2/a/b' watch_end anc

# --- a watch on a node that does not exist yet ------------------------------------------
watch_begin later 3 /w3/x
xenstore-write /w3/y 1
xenstore-write /w3/x/deep 1
xenstore-write /w3/x 2
expect_out "fires once the node is created below/at it; siblings do not" '/w3/x
/w3/x/deep
/w3/x' watch_end later

# --- relative watch path -------------------------------------------------------------------
watch_begin rel 4 rel/dir
xenstore-write rel/dir/x 1
xenstore-write /local/domain/0/rel/dir 2
xenstore-rm /local/domain/0/rel
expect_out "relative watch reports relative paths" 'rel/dir
rel/dir/x
rel/dir
rel/dir' watch_end rel

# --- several watchers at once ------------------------------------------------------------
watch_begin root 4 /
watch_begin one 2 /s/one
watch_begin two 2 /s/two
xenstore-write /s/one 1
xenstore-write /s/two 2
xenstore-write /s/three 3
expect_out "watcher of /s/one" '/s/one
/s/one' watch_end one
expect_out "watcher of /s/two" '/s/two
/s/two' watch_end two
expect_out "watcher of / sees all" '/
/s/one
/s/two
/s/three' watch_end root

# --- an unprivileged watcher ---------------------------------------------------------------
expect_ok "set-up: /acl readable by 5" xenstore-write /acl/pub p /acl/secret s
expect_ok "set-up: recursive r5" xenstore-chmod -r /acl n0 r5
expect_ok "set-up: /acl/secret n0" xenstore-chmod /acl/secret n0
expect_ok "set-up: /hid n0" xenstore-write /hid/x 1 /hid/y 2
expect_ok "set-up: /hid/y r5" xenstore-chmod /hid/y n0 r5

watch_begin hidden 2 5 /hid
xenstore-write /hid/x 2
xenstore-write /hid/y 3
expect_out "dom5 hears of no node it cannot read (node and parent n0)" '/hid
/hid/y' watch_end hidden

watch_begin readable 3 5 /acl
xenstore-write /acl/pub p2
xenstore-write /acl/pub/kid k
expect_out "dom5 hears of readable nodes" '/acl
/acl/pub
/acl/pub/kid' watch_end readable

watch_begin parent 4 5 /acl
xenstore-write /acl/secret s2
xenstore-write /acl/pub p3
xenstore-rm /acl/secret
expect_out "an unreadable node under a readable parent fires (upstream)" '/acl
/acl/secret
/acl/pub
/acl/secret' watch_end parent

expect_ok "set-up: /lose readable by 5" xenstore-write /lose v
expect_ok "set-up: r5" xenstore-chmod /lose n0 r5
watch_begin lose 3 5 /lose
xenstore-chmod /lose n0
xenstore-write /lose w
xenstore-chmod /lose n0 r5
expect_out "losing read access by chmod still fires (old permissions count)" '/lose
/lose
/lose' watch_end lose

expect_alive

xs_finish
