#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Simulated guest domains (docs/sim.md) talking to the daemon over their
# rings, through our own tools run by "xenstore-sim guest N": four domains
# made the way Xen's toolstack makes them (libxl__domain_make: the home
# /local/domain/N owned by dom0 and readable by N, data/ owned by N) and
# introduced; each guest writes, reads, lists and watches relative paths
# (resolved under its home, checked by dom0 over the socket) and is refused
# another guest's home, its own read-only home, and the privileged
# requests INTRODUCE and RELEASE (EACCES, as Xen's C xenstored).  dom0 sees
# @introduceDomain once per introduction, IS_DOMAIN_INTRODUCED answers T
# for introduced domains and F after RELEASE, a released guest gets no
# answer, INTRODUCE checks its arguments against the hypervisor's and
# may be repeated, and a guest hears of introductions only when granted
# read on @introduceDomain (XSA-115).  Also, as under Xen where each
# process has its own /dev/xen/xenbus file: a guest's watch ends with the
# process that set it, and a reply left unread by a killed process is not
# taken by the next one as its own.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_sim_daemon

# dom0 watches @introduceDomain: the initial event, then one per domain.
XENSTORED_PATH=$XS_SOCK xs_bg timeout 30 xenstore-watch -n 5 @introduceDomain \
	>"$XS_TMP/intro" 2>"$XS_TMP/intro.err"
INTRO_PID=$XS_BG
xs_wait_lines "$XS_TMP/intro" 1 5 || echo "no initial @introduceDomain event: $(cat "$XS_TMP/intro.err")"

for n in 1 2 3 4; do
	xs_sim_domain "$n"
done

xs_wait_lines "$XS_TMP/intro" 5 5
xs_wait_pid "$INTRO_PID" 3
expect_out "@introduceDomain: the initial event, then one per introduction" \
	"$(printf '@introduceDomain\n%.0s' 1 2 3 4 5)" cat "$XS_TMP/intro"

# --- each guest in its own home ----------------------------------------------------
for n in 1 2 3 4; do
	expect_ok "guest $n writes data/x (relative)" as_guest "$n" xenstore-write data/x "value of $n"
	expect_out "dom0 reads it at /local/domain/$n/data/x" "value of $n" \
		xenstore-read "/local/domain/$n/data/x"
	expect_out "guest $n reads data/x back" "value of $n" as_guest "$n" xenstore-read data/x
	expect_out "guest $n reads its absolute path" "value of $n" \
		as_guest "$n" xenstore-read "/local/domain/$n/data/x"
done

expect_ok "guest 2 writes deeper, creating parents" as_guest 2 xenstore-write data/a/b/c deep
expect_out "guest 2 lists data (creation order)" "$(printf 'x\na')" as_guest 2 xenstore-list data
expect_out "guest 2 ls data" "$(printf 'x = "value of 2"\na = ""\n b = ""\n  c = "deep"')" \
	as_guest 2 xenstore-ls data
expect_out "dom0 lists the same" "$(printf 'x\na')" xenstore-list /local/domain/2/data
expect_msg "nodes a guest creates are its own" "GET_PERMS n2" \
	GET_PERMS /local/domain/2/data/a/b/c
expect_ok "guest 3 removes its node" as_guest 3 xenstore-rm data/x
expect_fail "dom0: it is gone" xenstore-exists /local/domain/3/data/x
expect_out "guest 3 reads its home (readable, owned by dom0)" "guest3" \
	as_guest 3 xenstore-read name
expect_msg "GET_DOMAIN_PATH from a guest names its own home" \
	"GET_DOMAIN_PATH /local/domain/3" -g "$XS_SIM_DIR" 3 GET_DOMAIN_PATH 3

# --- what a guest may not do ---------------------------------------------------------
expect_err "guest 1 cannot read guest 2's node" 1 \
	"xenstore-read: couldn't read path /local/domain/2/data/x" \
	as_guest 1 xenstore-read /local/domain/2/data/x
expect_err "guest 1 cannot read guest 2's home" 1 \
	"xenstore-read: couldn't read path /local/domain/2" \
	as_guest 1 xenstore-read /local/domain/2
expect_err "guest 1 cannot list guest 2's data" 1 \
	"xenstore-list: could not list path /local/domain/2/data" \
	as_guest 1 xenstore-list /local/domain/2/data
expect_err "guest 1 cannot write into guest 2's home" 1 \
	"xenstore-write: could not write path /local/domain/2/data/y" \
	as_guest 1 xenstore-write /local/domain/2/data/y intruder
expect_err "guest 1 cannot remove guest 2's node" 1 \
	"xenstore-rm: could not remove path /local/domain/2/data/x" \
	as_guest 1 xenstore-rm /local/domain/2/data/x
expect_out "guest 2's node is untouched" "value of 2" xenstore-read /local/domain/2/data/x
expect_fail "and nothing was created there" xenstore-exists /local/domain/2/data/y
expect_err "a guest cannot write its read-only home (libxl's n0 rN)" 1 \
	"xenstore-write: could not write path name" as_guest 1 xenstore-write name other
expect_err "nor change its permissions" 1 \
	"xenstore-chmod: Error occurred setting permissions on 'name': Permission denied" \
	as_guest 1 xenstore-chmod name n1
expect_err "a guest cannot write outside /local/domain/N" 1 \
	"xenstore-write: could not write path /tool/x" as_guest 1 xenstore-write /tool/x 1
expect_out "its own data/ it may chmod (it owns it)" "" as_guest 1 xenstore-chmod -r data n1 r2
expect_out "and then guest 2 may read data/x" "value of 1" \
	as_guest 2 xenstore-read /local/domain/1/data/x

# Privileged requests: Xen's tools have no command for them, so raw ones.
expect_msg "a guest cannot INTRODUCE (EACCES)" "ERROR EACCES" \
	-g "$XS_SIM_DIR" 1 INTRODUCE 5 65541 1
expect_msg "a guest cannot RELEASE another domain (EACCES)" "ERROR EACCES" \
	-g "$XS_SIM_DIR" 1 RELEASE 2
expect_msg "a guest cannot RELEASE itself (EACCES)" "ERROR EACCES" \
	-g "$XS_SIM_DIR" 1 RELEASE 1
expect_msg "a guest cannot ask IS_DOMAIN_INTRODUCED (privileged upstream)" "ERROR EACCES" \
	-g "$XS_SIM_DIR" 1 IS_DOMAIN_INTRODUCED 2
expect_msg "a guest cannot SET_TARGET" "ERROR EACCES" \
	-g "$XS_SIM_DIR" 1 SET_TARGET 1 2

# --- IS_DOMAIN_INTRODUCED and RELEASE over the socket (dom0) ------------------------
for n in 1 2 3 4; do
	expect_msg "IS_DOMAIN_INTRODUCED $n: T" "IS_DOMAIN_INTRODUCED T" \
		IS_DOMAIN_INTRODUCED "$n"
done
expect_msg "IS_DOMAIN_INTRODUCED 6 (never made): F" "IS_DOMAIN_INTRODUCED F" \
	IS_DOMAIN_INTRODUCED 6
expect_ok "xenstore-sim create 6 (not introduced)" xs_sim create 6
expect_msg "IS_DOMAIN_INTRODUCED 6 (created, not introduced): F" "IS_DOMAIN_INTRODUCED F" \
	IS_DOMAIN_INTRODUCED 6
expect_msg "RELEASE 4" "RELEASE OK" RELEASE 4
expect_msg "IS_DOMAIN_INTRODUCED 4 after RELEASE: F" "IS_DOMAIN_INTRODUCED F" \
	IS_DOMAIN_INTRODUCED 4
expect_msg "RELEASE 4 again: ENOENT" "ERROR ENOENT" RELEASE 4
XS_CMD_TIMEOUT=1 expect_rc "the released guest's tool gets no answer (killed after 1 s)" 124 \
	as_guest 4 xenstore-read data/x
expect_out "its nodes stay (RELEASE is not death)" "value of 4" \
	xenstore-read /local/domain/4/data/x
expect_msg "the others are still introduced" "IS_DOMAIN_INTRODUCED T" \
	IS_DOMAIN_INTRODUCED 3
expect_out "and still served" "value of 2" as_guest 2 xenstore-read data/x

# --- INTRODUCE's checks, and introducing again ----------------------------------------
expect_msg "INTRODUCE with a gfn other than the domain's: EINVAL" "ERROR EINVAL" \
	INTRODUCE 6 12345 1
expect_msg "INTRODUCE of a domain the hypervisor does not have: EINVAL" "ERROR EINVAL" \
	INTRODUCE 50 65586 1
expect_msg "INTRODUCE of dom0: EINVAL" "ERROR EINVAL" INTRODUCE 0 65536 1
expect_msg "and IS_DOMAIN_INTRODUCED 6 is still F" "IS_DOMAIN_INTRODUCED F" \
	IS_DOMAIN_INTRODUCED 6
expect_msg "INTRODUCE of an introduced domain, same arguments: OK" "INTRODUCE OK" \
	INTRODUCE 3 65539 1
expect_msg "with another gfn: EINVAL" "ERROR EINVAL" INTRODUCE 3 65540 1
expect_out "guest 3 is served as before" guest3 as_guest 3 xenstore-read name
expect_msg "the released domain 4 is introduced again" "INTRODUCE OK" INTRODUCE 4 65540 1
expect_msg "IS_DOMAIN_INTRODUCED 4: T" "IS_DOMAIN_INTRODUCED T" IS_DOMAIN_INTRODUCED 4
# The request of the tool killed above was answered now, to no one.  Under
# Xen the guest's kernel owns the ring and drops a reply whose reader has
# gone; here the library is the kernel, and the next process must not
# take that reply for its own.
expect_out "the next process of guest 4 gets its own answer, not the stale one" \
	guest4 as_guest 4 xenstore-read name
expect_out "and so does the one after (a stale reply must not shift every later answer)" \
	"value of 4" as_guest 4 xenstore-read data/x

# --- special watches need permission (XSA-115) ------------------------------------------
# A guest may set them, and gets the initial event, but hears of
# introductions only once dom0 grants it read on @introduceDomain.
xs_bg "$RING_POKE" msg -t 3 -e 2 -g "$XS_SIM_DIR" 2 WATCH @introduceDomain tok2 \
	>"$XS_TMP/sp2" 2>&1
SP2=$XS_BG
xs_wait_lines "$XS_TMP/sp2" 2 5
expect_ok "set-up: grant guest 3 read on @introduceDomain" xenstore-chmod @introduceDomain n0 r3
xs_bg "$RING_POKE" msg -t 10 -e 2 -g "$XS_SIM_DIR" 3 WATCH @introduceDomain tok3 \
	>"$XS_TMP/sp3" 2>&1
SP3=$XS_BG
xs_wait_lines "$XS_TMP/sp3" 2 5
expect_ok "introduce domain 7" xs_sim introduce 7
xs_wait_pid "$SP3" 10
expect_out "guest 3, granted read, hears of the introduction" \
	"$(printf 'WATCH OK\nWATCH_EVENT @introduceDomain tok3\nWATCH_EVENT @introduceDomain tok3')" \
	cat "$XS_TMP/sp3"
xs_wait_pid "$SP2" 10
expect_out "guest 2 does not (initial event only)" \
	"$(printf 'WATCH OK\nWATCH_EVENT @introduceDomain tok2\nring_poke: time limit reached')" \
	cat "$XS_TMP/sp2"
xs_bg "$RING_POKE" msg -t 2 -e 2 -g "$XS_SIM_DIR" 2 WATCH / tokroot >"$XS_TMP/root2" 2>&1
ROOT2=$XS_BG
xs_wait_lines "$XS_TMP/root2" 2 5
expect_ok "dom0 writes a node only it may read" xenstore-write /dom0-only 1
xs_wait_pid "$ROOT2" 5
expect_out "a guest watching / does not hear of it" \
	"$(printf 'WATCH OK\nWATCH_EVENT / tokroot\nring_poke: time limit reached')" \
	cat "$XS_TMP/root2"

# --- a guest's watch ---------------------------------------------------------------
# The watching process holds the ring (one process per guest at a time),
# so dom0 makes the changes.
as_guest 1 xenstore-watch -n 3 data/w >"$XS_TMP/gw" 2>"$XS_TMP/gw.err" &
GW_PID=$!
XS_BG_PIDS+=("$GW_PID")
xs_wait_lines "$XS_TMP/gw" 1 5 || echo "guest watch: no initial event: $(cat "$XS_TMP/gw.err")"
expect_err "a second process of the same guest is refused while one holds the ring" 1 \
	"xenstore-read: xs_open: Device or resource busy" as_guest 1 xenstore-read data/x
expect_ok "dom0 writes under the watched path" xenstore-write /local/domain/1/data/w/sub 1
expect_ok "dom0 writes elsewhere" xenstore-write /local/domain/1/data/other 1
expect_ok "dom0 removes the watched node" xenstore-rm /local/domain/1/data/w
xs_wait_pid "$GW_PID" 5
expect_eq "the guest's watch reports relative paths, initial event first" \
	"$(printf 'data/w\ndata/w/sub\ndata/w')" "$(cat "$XS_TMP/gw")"

# Under Xen a guest process watches through /dev/xen/xenbus, and the
# kernel drops its watches when the process closes it (Linux's
# xenbus_file_release).  Here the library is the guest's kernel: a watch
# must not outlive the process, or the same watch cannot be set again.
expect_out "the same watch again from a new process (the old one ended with its process)" \
	"data/w" as_guest 1 xenstore-watch -n 1 data/w

expect_alive
xs_finish
