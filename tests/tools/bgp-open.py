#!/usr/bin/env python3
"""bgp-open: a BGP speaker whose OPEN capabilities are chosen by the test.

  bgp-open.py ADDR [-a AS] [-A AS4]... [-p SR]... [-j N] [-n PREFIXES]
              [-k PATHS] [-w SECONDS] [-P NEXTHOP]

Connects to ADDR port 179 and sends an OPEN for IPv4 unicast (multiprotocol)
with, in this order:
  -j N    N ADD-PATH tuples for unknown families (AFI 0x4000+i, SAFI 77)
  -p SR   an ADD-PATH tuple for IPv4 unicast with send/receive SR (1 receive,
          2 send, 3 both); repeatable: each one is a separate capability
  -A AS4  a 4-octet AS capability; repeatable (default: one, -a's value)
The OPEN's My AS is -a (AS_TRANS when it does not fit 2 octets).

It waits for the router's OPEN and KEEPALIVE, then announces -n prefixes
(10.200.i.0/24), each with -k path ids (1..k) when path ids go from it to
the router (its last IPv4 tuple has the send bit and the router's has the
receive bit, as both routers decide), else once; then keeps the session up
with KEEPALIVEs for -w seconds (default: until SIGTERM) and sends a Cease.
Lines printed (flushed):
  established send_ids=0|1 recv_ids=0|1 peer_as=N
  sent prefixes=N paths=N updates=N
  RESULT notification=CODE/SUBCODE | RESULT notification=none
Exit status: 0 when the session reached Established, 1 otherwise.
"""
import argparse
import signal
import socket
import struct
import sys
import time

KEEPALIVE = b"\xff" * 16 + struct.pack("!HB", 19, 4)
MAX_MSG = 4096


def msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def cap(code, data):
    return struct.pack("!BB", code, len(data)) + data


def open_msg(a):
    caps = cap(1, struct.pack("!HBB", 1, 0, 1))
    if a.j:
        caps += cap(69, b"".join(struct.pack("!HBB", 0x4000 + i, 77, 3) for i in range(a.j)))
    for sr in a.p:
        caps += cap(69, struct.pack("!HBB", 1, 1, sr))
    for as4 in a.A or [a.a]:
        caps += cap(65, struct.pack("!I", as4))
    params = cap(2, caps)
    my_as = a.a if a.a < 65536 else 23456
    return msg(1, struct.pack("!BHH4sB", 4, my_as, a.H, socket.inet_aton(a.i),
                              len(params)) + params)


def read_msg(s):
    hdr = b""
    while len(hdr) < 19:
        chunk = s.recv(19 - len(hdr))
        if not chunk:
            return None, None
        hdr += chunk
    length, mtype = struct.unpack("!HB", hdr[16:19])
    body = b""
    while len(body) < length - 19:
        chunk = s.recv(length - 19 - len(body))
        if not chunk:
            return None, None
        body += chunk
    return mtype, body


def peer_caps(body):
    """The router's OPEN: (AS, its last IPv4 unicast ADD-PATH value)."""
    asn, sr = struct.unpack("!H", body[1:3])[0], 0
    plen, off = body[9], 10
    end = off + plen
    while off + 2 <= end:
        ptype, pl = body[off], body[off + 1]
        if ptype == 2:
            c, ce = off + 2, off + 2 + pl
            while c + 2 <= ce:
                code, cl = body[c], body[c + 1]
                data = body[c + 2:c + 2 + cl]
                if code == 65 and cl == 4:
                    asn = struct.unpack("!I", data)[0]
                if code == 69:
                    for t in range(0, cl - cl % 4, 4):
                        afi, safi, v = struct.unpack("!HBB", data[t:t + 4])
                        if (afi, safi) == (1, 1) and 1 <= v <= 3:
                            sr = v
                c += 2 + cl
        off += 2 + pl
    return asn, sr


def attr(flags, atype, data):
    return struct.pack("!BBB", flags, atype, len(data)) + data


def updates(a, nh, ids):
    attrs = (attr(0x40, 1, b"\x00") +
             attr(0x40, 2, struct.pack("!BBI", 2, 1, a.a)) +
             attr(0x40, 3, socket.inet_aton(nh)))
    room = MAX_MSG - 19 - 4 - len(attrs)
    nlri, out, paths = b"", [], 0
    for i in range(a.n):
        pfx = struct.pack("!B3s", 24, bytes([10, 200, i % 256]))
        for pid in (range(1, a.k + 1) if ids else [0]):
            one = (struct.pack("!I", pid) if ids else b"") + pfx
            if len(nlri) + len(one) > room:
                out.append(nlri)
                nlri = b""
            nlri += one
            paths += 1
    if nlri:
        out.append(nlri)
    return [msg(2, struct.pack("!HH", 0, len(attrs)) + attrs + n) for n in out], paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("-a", type=int, default=65001)
    ap.add_argument("-A", type=int, action="append")
    ap.add_argument("-p", type=int, action="append", default=[])
    ap.add_argument("-j", type=int, default=0)
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("-k", type=int, default=2)
    ap.add_argument("-i", default="10.0.1.1")
    ap.add_argument("-H", type=int, default=90)
    ap.add_argument("-P", default=None)
    ap.add_argument("-w", type=float, default=0)
    a = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    s = socket.create_connection((a.addr, 179), timeout=30)
    s.sendall(open_msg(a))
    established = False
    try:
        mtype, body = read_msg(s)
        if mtype == 3:
            print("RESULT notification=%d/%d" % (body[0], body[1]), flush=True)
            return 1
        if mtype != 1:
            print("RESULT notification=none eof", flush=True)
            return 1
        peer_as, peer_sr = peer_caps(body)
        s.sendall(KEEPALIVE)
        mtype, body = read_msg(s)
        if mtype != 4:
            print("RESULT notification=%s" % ("%d/%d" % (body[0], body[1]) if mtype == 3 else "eof"),
                  flush=True)
            return 1
        established = True
        my_sr = a.p[-1] if a.p else 0
        send_ids = bool(my_sr & 2 and peer_sr & 1)
        recv_ids = bool(my_sr & 1 and peer_sr & 2)
        print("established send_ids=%d recv_ids=%d peer_as=%d" % (send_ids, recv_ids, peer_as),
              flush=True)
        ups, paths = updates(a, a.P or s.getsockname()[0], send_ids)
        for u in ups:
            s.sendall(u)
        print("sent prefixes=%d paths=%d updates=%d" % (a.n, paths, len(ups)), flush=True)
        s.settimeout(2)
        deadline = time.time() + a.w if a.w else None
        while not stop and (deadline is None or time.time() < deadline):
            try:
                mtype, body = read_msg(s)
            except socket.timeout:
                s.sendall(KEEPALIVE)
                continue
            if mtype is None:
                print("RESULT notification=none eof", flush=True)
                return 0
            if mtype == 3:
                print("RESULT notification=%d/%d" % (body[0], body[1]), flush=True)
                return 0
        s.settimeout(10)
        s.sendall(msg(3, bytes([6, 2])))
        print("RESULT notification=none", flush=True)
    except (OSError, IndexError, struct.error) as e:
        print("RESULT error=%s" % e, flush=True)
    finally:
        s.close()
    return 0 if established else 1


if __name__ == "__main__":
    sys.exit(main())
