#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Writes the seed corpus of fuzz-xen-xenstore-ring: guest action programs
# (the encoding is described at the top of fuzz-xen-xenstore-ring.c) that
# each reach one part of the ring protocol.
#   gen-xen-xenstore-ring-seeds.py DIR          write the seeds into DIR
#   gen-xen-xenstore-ring-seeds.py --check DIR  fail unless DIR holds
#                                               exactly these seeds
import os
import struct
import sys

(STAGE_RAW, STAGE_MSG, PUSH, PUSH_HOSTILE, SET_REQ_PROD, SET_RSP_CONS,
 CONSUME, SCRIBBLE, KICK, PUMP, DIRECT_PUMP, RECONNECT, RESET, SAVE_LOAD,
 REBIND, KICK_PUMP) = range(16)

XS_DIRECTORY, XS_READ, XS_WATCH = 1, 2, 4
XS_TRANSACTION_START, XS_TRANSACTION_END, XS_WRITE, XS_RM = 6, 7, 11, 13
TX_NONE, TX_LAST = 0, 1
FIELD_REQ_CONS, FIELD_RSP_PROD, FIELD_FEATURES = 0, 1, 2
FIELD_CONNECTION, FIELD_ERROR = 3, 4


def msg(mtype, payload=b"", tx=TX_NONE, length=None):
    """A whole message staged for sending; payload repeats up to length."""
    if length is None:
        length = len(payload)
    assert len(payload) <= 255
    return (bytes([STAGE_MSG, mtype, tx]) + struct.pack("<H", length) +
            bytes([len(payload)]) + payload)


def push(n=256):
    return bytes([PUSH, n - 1])


def consume(n=256):
    return bytes([CONSUME, n - 1])


def u32(v):
    return struct.pack("<I", v)


def send(mtype, payload=b"", tx=TX_NONE):
    """Stage, push whole, notify, run the device, read the reply."""
    return (msg(mtype, payload, tx) + push() + bytes([KICK_PUMP]) +
            consume())


READ_DOMID = send(XS_READ, b"domid\0")

SEEDS = {
    # One request, one reply.
    "read-domid": READ_DOMID,
    # A request in three pieces over three notifications, the reply read
    # in two.
    "read-in-pieces": msg(XS_READ, b"name\0") + push(4) +
        bytes([KICK_PUMP]) + push(9) + bytes([KICK_PUMP]) + push() +
        bytes([KICK_PUMP]) + consume(3) + consume(),
    # Enough traffic for requests and replies to wrap around the ring.
    "wrap": b"".join(send(XS_WRITE, b"data/k%d\0" % (i % 10) + b"v" * 24)
                     for i in range(40)) + READ_DOMID,
    # A watch, its first event, then an event from a write.
    "watch-event": send(XS_WATCH, b"data\0tok\0") + consume() +
        send(XS_WRITE, b"data/a\0x") + consume() + consume(),
    # A transaction: start, write inside it, commit.
    "transaction": send(XS_TRANSACTION_START, b"\0") +
        send(XS_WRITE, b"data/t\0in-tx", TX_LAST) +
        send(XS_READ, b"data/t\0", TX_LAST) +
        send(XS_TRANSACTION_END, b"T\0", TX_LAST) +
        send(XS_READ, b"data/t\0"),
    # req_prod 4096 ahead: RINGIDX; the guest reconnects and is served.
    "ringidx-req": bytes([SET_REQ_PROD, 1]) + u32(4096) +
        bytes([KICK_PUMP, RECONNECT]) + READ_DOMID,
    # rsp_cons moved far from rsp_prod while a reply waits: RINGIDX.
    "ringidx-rsp": bytes([SET_RSP_CONS, 1]) + u32(0x80000000) +
        msg(XS_READ, b"domid\0") + push() +
        bytes([KICK_PUMP, RECONNECT]) + READ_DOMID,
    # A header claiming 8191 payload bytes: PROTO, then reconnection.
    "proto": bytes([STAGE_RAW, 16]) + struct.pack("<4I", XS_READ, 0, 0,
                                                  8191) + push() +
        bytes([KICK_PUMP, RECONNECT]) + READ_DOMID,
    # Half a request, then a machine reset (event channels too).
    "reset-mid-message": msg(XS_READ, b"domid\0") + push(7) +
        bytes([KICK_PUMP, RESET, 1]) + READ_DOMID,
    # Half a request, save and load, then the rest.
    "save-load-mid-message": msg(XS_READ, b"domid\0") + push(10) +
        bytes([KICK_PUMP, SAVE_LOAD]) + push() + bytes([KICK_PUMP]) +
        consume(),
    # The guest closes its store port and binds a new one to the device.
    "rebind": bytes([REBIND]) + READ_DOMID,
    # Device-owned fields overwritten: the device must not believe them
    # (the guest pushes without looking at the req_cons it spoilt).
    "scribble": bytes([SCRIBBLE, FIELD_REQ_CONS]) + u32(700) +
        bytes([SCRIBBLE, FIELD_RSP_PROD]) + u32(5) +
        bytes([SCRIBBLE, FIELD_ERROR]) + u32(2) +
        bytes([SCRIBBLE, FIELD_FEATURES]) + u32(0) +
        msg(XS_READ, b"domid\0") + bytes([PUSH_HOSTILE, 255, KICK_PUMP]) +
        consume(),
    # Replies pile up unread until the ring is full; then all are read.
    "full-rsp-ring": b"".join(msg(XS_DIRECTORY, b"control\0") + push() +
                              bytes([KICK_PUMP]) for _ in range(20)) +
        b"".join(consume() + bytes([KICK_PUMP]) for _ in range(20)),
    # A guest writing over requests the device has not taken yet.
    "hostile-push": msg(XS_RM, b"data\0") + msg(XS_READ, b"domid\0") * 3 +
        bytes([PUSH_HOSTILE, 255, PUSH_HOSTILE, 255, DIRECT_PUMP]) +
        consume() + bytes([SET_REQ_PROD, 0xf0, KICK_PUMP]) + consume(),
    # Unframed bytes, and a reconnection with nothing pending.
    "raw-bytes": bytes([STAGE_RAW, 8]) + b"\x02\0\0\0\x07\0\0\0" +
        push() + bytes([KICK, PUMP, RECONNECT, RECONNECT]) + READ_DOMID,
}


def main(argv):
    check = len(argv) == 3 and argv[1] == "--check"
    if len(argv) != 2 and not check:
        sys.stderr.write("usage: gen-xen-xenstore-ring-seeds.py "
                         "[--check] DIR\n")
        return 2
    outdir = argv[-1]
    if check:
        present = sorted(os.listdir(outdir))
        if present != sorted(SEEDS):
            print("seed names differ: have %s, want %s" %
                  (present, sorted(SEEDS)))
            return 1
        for name, data in SEEDS.items():
            with open(os.path.join(outdir, name), "rb") as f:
                if f.read() != data:
                    print("seed %s is not what the generator writes" % name)
                    return 1
        print("%d seeds match" % len(SEEDS))
        return 0
    os.makedirs(outdir, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
