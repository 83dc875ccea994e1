#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Write the seed corpora fuzz/corpus/<target>/ in the input encodings
# described at the top of fuzz/fuzz_codec.c, fuzz_requests.c and
# fuzz_ring.c.  The seeds are kept in the repository; run this again only
# after changing an encoding or to add seeds (it rewrites the seed_* files
# and leaves any other file, such as a kept crash reproducer, alone).
#
#   python3 fuzz/gen_seeds.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
         GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
         IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19, RESTRICT=20,
         RESET_WATCHES=21, DIRECTORY_PART=22, GET_FEATURE=23,
         SET_FEATURE=24, GET_QUOTA=25, SET_QUOTA=26)


def args(*fields):
    """Payload of NUL-terminated fields (bytes or str)."""
    out = b""
    for f in fields:
        out += (f.encode() if isinstance(f, str) else f) + b"\0"
    return out


def hdr(type_, req, tx, length):
    return struct.pack("<IIII", type_, req, tx, length)


# ---- fuzz_requests records ----

def msg(slot, type_, payload=b"", tx=0, req=1, step=True):
    kind = 0 if step else 1
    return bytes([kind << 4 | slot, type_, tx, req]) + \
        struct.pack("<H", len(payload)) + payload


def write(slot, path, value, tx=0, req=1, step=True):
    return msg(slot, T["WRITE"], path.encode() + b"\0" + value.encode(),
               tx, req, step)


def raw(slot, data):
    return bytes([2 << 4 | slot, len(data)]) + data


def step(slot):
    return bytes([3 << 4 | slot])


RUN = bytes([4 << 4])
CHECK = bytes([14 << 4])


def close(slot):
    return bytes([5 << 4 | slot])


def reopen(slot):
    return bytes([6 << 4 | slot])


def slow(slot, n):
    return bytes([7 << 4 | slot, n])


def dom_state(kind, domid):
    return bytes([{"kill": 8, "shutdown": 9, "revive": 10}[kind] << 4, domid])


def ring(domid, data):
    return bytes([11 << 4, domid, len(data)]) + data


def ring_msg(domid, type_, payload=b"", req=1):
    return ring(domid, hdr(type_, req, 0, len(payload)) + payload)


def reconnect(domid):
    return bytes([12 << 4, domid])


def poke(domid, which, value):
    return bytes([13 << 4, domid, which]) + struct.pack("<I", value)


def requests_seeds():
    s = {}
    # One request of every type from dom0, and the node ones from a guest.
    s["types_dom0"] = b"".join([
        msg(0, T["MKDIR"], args("/local/domain/1")),
        msg(0, T["SET_PERMS"], args("/local/domain/1", "b1")),
        write(0, "/a/b", "value"),
        msg(0, T["READ"], args("/a/b")),
        msg(0, T["DIRECTORY"], args("/a")),
        msg(0, T["DIRECTORY_PART"], args("/", "0")),
        msg(0, T["GET_PERMS"], args("/a/b")),
        msg(0, T["SET_PERMS"], args("/a/b", "n0", "r2", "w3")),
        msg(0, T["GET_PERMS"], args("@introduceDomain")),
        msg(0, T["SET_PERMS"], args("@releaseDomain", "n0", "r1")),
        msg(0, T["WATCH"], args("/a", "tok")),
        msg(0, T["WATCH"], args("/a", "deep", "1")),
        msg(0, T["UNWATCH"], args("/a", "tok")),
        msg(0, T["RESET_WATCHES"]),
        msg(0, T["GET_DOMAIN_PATH"], args("1")),
        msg(0, T["IS_DOMAIN_INTRODUCED"], args("1")),
        msg(0, T["RESUME"], args("1")),
        msg(0, T["RELEASE"], args("1")),
        msg(0, T["SET_TARGET"], args("3", "2")),
        msg(0, T["GET_FEATURE"]),
        msg(0, T["GET_FEATURE"], args("1")),
        msg(0, T["SET_FEATURE"], args("1", "1")),
        msg(0, T["GET_QUOTA"]),
        msg(0, T["GET_QUOTA"], args("1")),
        msg(0, T["GET_QUOTA"], args("1", "nodes")),
        msg(0, T["SET_QUOTA"], args("nodes", "5")),
        msg(0, T["SET_QUOTA"], args("1", "nodes", "3")),
        msg(0, T["CONTROL"], args("check")),
        msg(0, T["CONTROL"], args("quota")),
        msg(0, T["CONTROL"], args("quota", "1")),
        msg(0, T["CONTROL"], args("quota", "set", "memory", "3000", "1")),
        msg(0, T["CONTROL"], args("quota-soft")),
        msg(0, T["CONTROL"], args("help")),
        msg(0, T["RM"], args("/a")),
        msg(0, 27, args("x")),
        msg(0, 15),
        msg(0, 16),
        RUN,
    ])
    s["types_guest"] = b"".join([
        write(1, "x", "1"),
        write(1, "/local/domain/1/y/z", "2"),
        msg(1, T["READ"], args("x")),
        msg(1, T["READ"], args("/tool/xenstored")),
        msg(1, T["DIRECTORY"], args("/local/domain/1")),
        msg(1, T["DIRECTORY_PART"], args("/local/domain/1", "0")),
        msg(1, T["GET_PERMS"], args("x")),
        msg(1, T["SET_PERMS"], args("x", "n1", "r2")),
        msg(1, T["SET_PERMS"], args("x", "b0")),
        msg(1, T["MKDIR"], args("d")),
        msg(1, T["RM"], args("y")),
        msg(1, T["WATCH"], args("/", "root")),
        msg(1, T["WATCH"], args("@introduceDomain", "i")),
        msg(1, T["GET_DOMAIN_PATH"], args("1")),
        msg(1, T["INTRODUCE"], args("2", "1", "1")),
        msg(1, T["CONTROL"], args("check")),
        msg(2, T["READ"], args("/local/domain/1/x")),
        msg(2, T["WRITE"], b"/local/domain/1/x\0no"),
        msg(3, T["READ"], args("/local/domain/1/x")),
        RUN,
    ])
    # Transactions: start (tx 1 on each connection), work, commit/abort,
    # and a conflict between dom0 and domain 1.
    s["transaction"] = b"".join([
        msg(0, T["MKDIR"], args("/local/domain/1")),
        msg(0, T["SET_PERMS"], args("/local/domain/1", "b1")),
        msg(1, T["TRANSACTION_START"], args("")),
        write(1, "t/a", "1", tx=1),
        msg(1, T["READ"], args("t/a"), tx=1),
        msg(1, T["DIRECTORY"], args("t"), tx=1),
        msg(1, T["RM"], args("t/a"), tx=1),
        write(1, "t/b", "2", tx=1),
        msg(1, T["TRANSACTION_END"], args("T"), tx=1),
        msg(1, T["TRANSACTION_START"], args("")),
        msg(1, T["READ"], args("t/b"), tx=2),
        write(0, "/local/domain/1/t/b", "3"),
        write(1, "t/b", "4", tx=2),
        msg(1, T["TRANSACTION_END"], args("T"), tx=2),
        msg(1, T["TRANSACTION_START"], args("")),
        write(1, "t/c", "5", tx=3),
        msg(1, T["TRANSACTION_END"], args("F"), tx=3),
        msg(1, T["TRANSACTION_END"], args("T"), tx=9),
        msg(0, T["TRANSACTION_START"], args("")),
        msg(0, T["TRANSACTION_START"], args(""), tx=1),
        msg(0, T["RESET_WATCHES"], tx=1),
        RUN, CHECK,
    ])
    # Watches firing on writes, removals and permission changes, queued
    # while the watcher reads slowly.
    s["watch_write"] = b"".join([
        msg(0, T["MKDIR"], args("/local/domain/2")),
        msg(0, T["SET_PERMS"], args("/local/domain/2", "b2", "r1")),
        msg(1, T["WATCH"], args("/local/domain/2", "w")),
        msg(2, T["WATCH"], args("a", "rel")),
        msg(2, T["WATCH"], args("a", "depth", "0")),
        slow(1, 7),
        write(2, "a", "1"),
        write(2, "a/b/c", "2"),
        msg(2, T["SET_PERMS"], args("a/b", "n2")),
        write(0, "/local/domain/2/a/b/c", "3"),
        msg(2, T["RM"], args("a")),
        RUN,
        slow(1, 255),
        RUN,
        msg(1, T["UNWATCH"], args("/local/domain/2", "w")),
        RUN, CHECK,
    ])
    # A guest introduced by dom0: ring requests, special watches, death.
    s["introduce"] = b"".join([
        msg(0, T["WATCH"], args("@introduceDomain", "in")),
        msg(0, T["WATCH"], args("@releaseDomain", "out")),
        msg(0, T["MKDIR"], args("/local/domain/5")),
        msg(0, T["SET_PERMS"], args("/local/domain/5", "b5")),
        msg(0, T["INTRODUCE"], args("5", "4096", "7")),
        ring_msg(5, T["WRITE"], b"name\0guest"),
        ring_msg(5, T["READ"], args("name"), req=2),
        ring_msg(5, T["WATCH"], args("name", "t"), req=3),
        ring_msg(5, T["TRANSACTION_START"], args(""), req=4),
        RUN,
        write(0, "/local/domain/5/name", "again"),
        RUN,
        msg(0, T["IS_DOMAIN_INTRODUCED"], args("5")),
        msg(0, T["INTRODUCE"], args("5", "4096", "8")),
        reconnect(5),
        ring_msg(5, T["READ"], args("name"), req=5),
        RUN,
        dom_state("shutdown", 5),
        msg(0, T["RESUME"], args("5")),
        dom_state("kill", 5),
        RUN,
        dom_state("revive", 5),
        msg(0, T["INTRODUCE"], args("5", "4096", "9")),
        msg(0, T["RELEASE"], args("5")),
        RUN, CHECK,
    ])
    # A guest's ring with bad indexes and an oversized header.
    s["ring_hostile"] = b"".join([
        msg(0, T["INTRODUCE"], args("6", "1", "1")),
        ring_msg(6, T["READ"], args("/")),
        poke(6, 1, 0xffffffff),
        RUN,
        msg(0, T["INTRODUCE"], args("7", "1", "1")),
        ring(7, hdr(T["READ"], 1, 0, 4097)),
        RUN,
        msg(0, T["IS_DOMAIN_INTRODUCED"], args("7")),
        reconnect(7),
        ring_msg(7, T["GET_DOMAIN_PATH"], args("7")),
        RUN, CHECK,
    ])
    # Stub domain 4 acting for domain 1; domain id reuse.
    s["target_reuse"] = b"".join([
        msg(0, T["MKDIR"], args("/local/domain/1")),
        msg(0, T["SET_PERMS"], args("/local/domain/1", "b1")),
        write(1, "secret", "s"),
        msg(1, T["SET_PERMS"], args("secret", "n1", "r3")),
        msg(4, T["READ"], args("/local/domain/1/secret")),
        write(4, "/local/domain/1/stub", "x"),
        msg(3, T["READ"], args("/local/domain/1/secret")),
        dom_state("kill", 3),
        dom_state("revive", 3),
        msg(0, T["GET_DOMAIN_PATH"], args("3")),
        msg(3, T["READ"], args("/local/domain/1/secret")),
        msg(0, T["RESTRICT"], args("2")),
        msg(0, T["READ"], args("/tool/xenstored")),
        RUN, CHECK,
    ])
    # Framing: a header split over reads, then one that is too long.
    s["framing"] = b"".join([
        raw(1, hdr(T["READ"], 9, 0, 2)[:10]),
        step(1),
        raw(1, hdr(T["READ"], 9, 0, 2)[10:] + b"x\0"),
        step(1),
        raw(2, hdr(T["WRITE"], 1, 0, 4097)),
        step(2),
        reopen(2),
        msg(2, T["READ"], args("a"), tx=0xff),
        close(3),
        reopen(3),
        RUN,
    ])
    # Quotas: a guest over its node and memory limits.
    s["quota"] = b"".join([
        msg(0, T["MKDIR"], args("/local/domain/3")),
        msg(0, T["SET_PERMS"], args("/local/domain/3", "b3")),
        msg(0, T["SET_QUOTA"], args("3", "nodes", "4")),
        write(3, "a", "1"), write(3, "b", "1"), write(3, "c", "1"),
        write(3, "d", "1"), write(3, "e", "1"),
        msg(0, T["CONTROL"], args("quota", "set", "memory", "1", "3")),
        write(3, "a", "x" * 64),
        msg(3, T["RM"], args("b")),
        msg(0, T["CONTROL"], args("quota", "3")),
        RUN, CHECK,
    ])
    # CONTROL commands the harness must keep from the daemon (files,
    # processes) next to ones it lets through.
    s["control_blocked"] = b"".join([
        msg(0, T["CONTROL"], args("state-save", "a")),
        msg(0, T["CONTROL"], args("logfile", "b")),
        msg(0, T["CONTROL"], args("memreport", "c")),
        msg(0, T["CONTROL"], args("live-update", "/bin/true")),
        msg(0, T["CONTROL"], args("memreport")),
        msg(0, T["CONTROL"], args("stats")),
        msg(0, T["CONTROL"], args("log", "on")),
        msg(0, T["CONTROL"], args("print", "x")),
        msg(0, T["CONTROL"], args("check")),
    ])
    return s


# ---- fuzz_ring records ----

def r_poke(which, value):
    return bytes([0, which]) + struct.pack("<I", value)


def r_send(data):
    return bytes([1]) + struct.pack("<H", len(data)) + data


R_EVENT, R_RUN, R_READ, R_RECONNECT = bytes([3]), bytes([4]), bytes([5]), bytes([6])


def r_msg(type_, payload, req=1):
    return bytes([7, type_, req]) + struct.pack("<H", len(payload)) + payload


def ring_seeds():
    s = {}
    s["requests"] = b"".join([
        r_msg(T["WRITE"], b"x\0value"), R_EVENT, R_READ,
        r_msg(T["READ"], args("x")), r_msg(T["DIRECTORY"], args("/")),
        R_EVENT, R_RUN, R_READ,
        r_msg(T["WATCH"], args("x", "t")), R_EVENT, R_RUN, R_READ,
    ])
    s["bad_req_index"] = b"".join([
        r_msg(T["READ"], args("x")), r_poke(1, 0xffffffff), R_EVENT, R_RUN,
    ])
    s["bad_rsp_index"] = b"".join([
        r_poke(3, 5000), r_msg(T["READ"], args("x")), R_EVENT, R_RUN,
        R_RECONNECT, r_msg(T["READ"], args("x")), R_EVENT, R_READ,
    ])
    s["wrap"] = b"".join([
        r_poke(0, 0xfffffff0), r_poke(1, 0xfffffff0),
        r_poke(2, 0xfffffff8), r_poke(3, 0xfffffff8),
        r_msg(T["WRITE"], b"w\0" + b"v" * 200), R_EVENT, R_READ, R_RUN,
        R_READ,
    ])
    s["oversized"] = b"".join([
        r_send(hdr(T["WRITE"], 1, 0, 4097)), R_EVENT, R_RUN,
        R_RECONNECT, R_EVENT,
    ])
    s["full_ring"] = b"".join([
        r_send(hdr(T["WRITE"], 1, 0, 1000) + b"p\0" + b"z" * 998),
        r_send(b"\0" * 1024), R_EVENT, R_RUN, R_READ,
        r_msg(T["READ"], args("p")), R_EVENT, R_RUN, R_READ,
    ])
    s["scribble"] = b"".join([
        bytes([2, 0, 0, 16]) + hdr(T["READ"], 1, 0, 2), r_poke(1, 16),
        R_EVENT, R_RUN, R_READ,
    ])
    return s


def codec_seeds():
    s = {}
    s["header"] = hdr(T["READ"], 1, 0, 4096) + b"/local/domain/1\0"
    s["header_long"] = hdr(T["WRITE"], 1, 0, 4097)
    s["fields"] = b"\x03" + args("/local/domain/3/a", "r1", "b65535", "12")
    s["relative"] = b"\x02\x07\x00\x00\x00" + args("device/vbd/51712")
    s["special"] = b"\x04" + args("@introduceDomain", "@releaseDomain/5",
                                 "/", "//", "/a/", "n0", "w0070")
    s["numbers"] = b"\x08" + args("0", "00", "65535", "65536",
                                 "18446744073709551615",
                                 "18446744073709551616", "-1", "+1")
    return s


def main():
    for target, seeds in (("requests", requests_seeds()),
                          ("ring", ring_seeds()),
                          ("codec", codec_seeds())):
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, "seed_" + name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
