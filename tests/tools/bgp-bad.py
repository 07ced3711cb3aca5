#!/usr/bin/env python3
"""bgp-bad: a BGP speaker that sends one kind of bad input over a real session.

  bgp-bad.py ADDR CASE [-a AS] [-p PREFIX] [-n NEXTHOP] [-w SECONDS]

Connects to ADDR port 179, exchanges OPEN (2-octet AS, IPv4 unicast, no
extended message capability) and KEEPALIVE, announces PREFIX (a valid
UPDATE), then sends the input of CASE:

  marker     a KEEPALIVE whose marker has a zero byte, then a valid KEEPALIVE
  short      a header with length 18 (< 19), then a valid KEEPALIVE
  long       an UPDATE of 4097 bytes (> 4096 without extended message)
  oversize   an UPDATE of 65535 bytes
  truncated  an UPDATE whose NEXT_HOP runs past the path attributes
  withdraw   an UPDATE of PREFIX with ORIGIN 7 (RFC 7606: treat-as-withdraw)
  reset      an UPDATE with an NLRI of length 33 (RFC 7606: session reset)
  unknown    an UPDATE of PREFIX with an unknown optional transitive
             attribute (type 0xEE): must be accepted and passed on
  valid      nothing bad (control)

Then it waits up to -w SECONDS (default 5, or until SIGTERM) for the
peer's NOTIFICATION,
answering nothing but sending a KEEPALIVE every 2 s, and prints one line:

  RESULT case=CASE notification=CODE/SUBCODE   (the peer reset the session)
  RESULT case=CASE notification=none           (still up after the wait)

Exit status: 0 when the session reached Established, 1 otherwise.
"""
import argparse
import signal
import socket
import struct
import sys
import time

KEEPALIVE = b"\xff" * 16 + struct.pack("!HB", 19, 4)


def msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def update(attrs, nlri):
    return msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri)


def attr(flags, atype, data):
    if len(data) > 255:
        return struct.pack("!BBH", flags | 0x10, atype, len(data)) + data
    return struct.pack("!BBB", flags, atype, len(data)) + data


def base_attrs(asn, nh, origin=0):
    return (attr(0x40, 1, bytes([origin])) +
            attr(0x40, 2, struct.pack("!BBH", 2, 1, asn)) +
            attr(0x40, 3, socket.inet_aton(nh)))


def nlri(prefix):
    addr, plen = prefix.split("/")
    plen = int(plen)
    return bytes([plen]) + socket.inet_aton(addr)[:(plen + 7) // 8]


def padded_update(asn, nh, prefix, total):
    """A valid UPDATE of exactly total bytes: an unknown optional
    transitive attribute carries the padding."""
    a = base_attrs(asn, nh)
    n = nlri(prefix)
    pad = total - (19 + 4 + len(a) + len(n) + 4)
    return update(a + attr(0xC0, 0xEE, b"\0" * pad), n)


def bad_input(case, asn, nh, prefix):
    if case == "marker":
        bad = bytearray(KEEPALIVE)
        bad[3] = 0
        return bytes(bad) + KEEPALIVE
    if case == "short":
        return b"\xff" * 16 + struct.pack("!HB", 18, 4) + KEEPALIVE
    if case == "long":
        return padded_update(asn, nh, prefix, 4097)
    if case == "oversize":
        return padded_update(asn, nh, prefix, 65535)
    if case == "truncated":
        a = base_attrs(asn, nh)
        # The Total Path Attribute Length ends 2 bytes into NEXT_HOP's value.
        body = struct.pack("!HH", 0, len(a) - 2) + a + nlri(prefix)
        return msg(2, body)
    if case == "withdraw":
        return update(base_attrs(asn, nh, origin=7), nlri(prefix))
    if case == "reset":
        return update(base_attrs(asn, nh), bytes([33]) + b"\xc6\x12\x09\x00\x00")
    if case == "unknown":
        return update(base_attrs(asn, nh) + attr(0xC0, 0xEE, b"bmptap!!"), nlri(prefix))
    if case == "valid":
        return b""
    raise SystemExit("unknown case " + case)


def read_msg(sock, buf):
    """One BGP message from sock (buf: bytes already read); (msg, rest)."""
    while True:
        if len(buf) >= 19:
            length = struct.unpack("!H", buf[16:18])[0]
            if len(buf) >= length:
                return buf[:length], buf[length:]
        data = sock.recv(65536)
        if not data:
            return None, buf
        buf += data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("case")
    ap.add_argument("-a", type=int, default=65003)
    ap.add_argument("-p", default="198.18.0.0/24")
    ap.add_argument("-n", default=None)
    ap.add_argument("-w", type=float, default=5)
    o = ap.parse_args()

    s = socket.create_connection((o.addr, 179), timeout=30)
    local = s.getsockname()[0]
    nh = o.n or local
    caps = bytes([1, 4, 0, 1, 0, 1])	# multiprotocol IPv4 unicast
    opt = bytes([2, len(caps)]) + caps
    s.sendall(msg(1, struct.pack("!BHH", 4, o.a, 90) + socket.inet_aton(local) +
                  bytes([len(opt)]) + opt))
    buf = b""
    established = False
    while not established:
        m, buf = read_msg(s, buf)
        if m is None or m[18] == 3:
            print("RESULT case=%s notification=%s" % (o.case, "eof" if m is None else
                  "%d/%d" % (m[19], m[20])), flush=True)
            return 1
        if m[18] == 1:
            s.sendall(KEEPALIVE)
        elif m[18] == 4:
            established = True
    s.sendall(update(base_attrs(o.a, nh), nlri(o.p)))
    time.sleep(0.5)
    bad = bad_input(o.case, o.a, nh, o.p)
    if bad:
        s.sendall(bad)
    print("sent case=%s bytes=%d" % (o.case, len(bad)), flush=True)
    result = "none"
    deadline = time.monotonic() + o.w
    # SIGTERM ends the wait early, still reporting.
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s.settimeout(0.5)
    last_ka = time.monotonic()
    while time.monotonic() < deadline and not stop:
        try:
            m, buf = read_msg(s, buf)
        except socket.timeout:
            m = b""
        except OSError:
            m = None
        if m is None:
            result = "eof"
            break
        if m and m[18] == 3:
            result = "%d/%d" % (m[19], m[20])
            break
        if time.monotonic() - last_ka >= 2:
            try:
                s.sendall(KEEPALIVE)
            except OSError:
                pass
            last_ka = time.monotonic()
    print("RESULT case=%s notification=%s" % (o.case, result), flush=True)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
