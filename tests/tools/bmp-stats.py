#!/usr/bin/python3
"""A BMP station that decodes Statistics Reports, written from RFC 7854
(4.1-4.3, 4.8) and RFC 9972 (IANA "BMP Statistics Types"), not from
bmptapd's code, so that tests compare bmptapd with an independent reading.

usage: bmp-stats.py listen ADDR PORT
         accepts exporters; one JSON line per Statistics Report on stdout:
         {"peer": "10.0.1.1", "peer_type": 0, "flags": 0, "count": N,
          "stats": {"4": 1, "22:1:1": 2, ...}}  ("TYPE" or "TYPE:AFI:SAFI")
         and {"error": "..."} for anything the RFCs do not allow (wrong
         version, a stat whose length does not fit its type, a count that
         does not match the message length)
       bmp-stats.py check FILE PEER KEY=VALUE...
         exit 0 if the last report for PEER in FILE has every KEY=VALUE
         (VALUE "-": KEY absent); prints that report
"""
import ipaddress
import json
import socket
import struct
import sys
import threading

# Layout of each type in the IANA registry: 4-octet counter, 8-octet gauge,
# or AFI (2) + SAFI (1) + 8-octet gauge (11 octets).
COUNTER, GAUGE, AF_GAUGE = 4, 8, 11
LAYOUT = {t: COUNTER for t in (0, 1, 2, 3, 4, 5, 6, 11, 12, 13)}
LAYOUT.update({t: GAUGE for t in (7, 8, 14, 15, 18, 20, 29, 31, 33, 39)})
LAYOUT.update({t: AF_GAUGE for t in (9, 10, 16, 17, 19, 21, 22, 23, 26, 27, 28,
                                     30, 32, 34, 35, 36, 37, 38, 40, 41, 42, 43)})


def out(obj):
    print(json.dumps(obj, sort_keys=True), flush=True)


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def stats_report(body):
    """body: the message after the 6-octet common header."""
    if len(body) < 42 + 4:
        return {"error": "statistics report of %d octets" % len(body)}
    ptype, flags = body[0], body[1]
    addr = body[10:26]
    if flags & 0x80:
        peer = str(ipaddress.IPv6Address(addr))
    else:
        peer = str(ipaddress.IPv4Address(addr[12:]))
    count = struct.unpack_from("!I", body, 42)[0]
    off, stats = 46, {}
    for _ in range(count):
        if off + 4 > len(body):
            return {"error": "stat header past the end (count %d)" % count}
        typ, length = struct.unpack_from("!HH", body, off)
        off += 4
        val = body[off:off + length]
        off += length
        if len(val) != length:
            return {"error": "stat %d past the end" % typ}
        want = LAYOUT.get(typ)
        if want is not None and want != length:
            return {"error": "stat %d has %d octets, RFC says %d" % (typ, length, want)}
        if length == COUNTER:
            stats[str(typ)] = struct.unpack("!I", val)[0]
        elif length == GAUGE:
            stats[str(typ)] = struct.unpack("!Q", val)[0]
        elif length == AF_GAUGE:
            afi, safi, v = struct.unpack("!HBQ", val)
            key = "%d:%d:%d" % (typ, afi, safi)
            if key in stats:
                return {"error": "stat %s twice in one report" % key}
            stats[key] = v
        else:
            stats[str(typ)] = val.hex()
    if off != len(body):
        return {"error": "%d octets after %d stats" % (len(body) - off, count)}
    return {"peer": peer, "peer_type": ptype, "flags": flags, "count": count,
            "stats": stats}


def serve(conn):
    while True:
        hdr = recv_exact(conn, 6)
        if hdr is None:
            return
        version, length, mtype = struct.unpack("!BIB", hdr)
        if version != 3 or length < 6:
            out({"error": "common header version %d length %d" % (version, length)})
            return
        body = recv_exact(conn, length - 6)
        if body is None:
            return
        if mtype == 1:
            out(stats_report(body))


def listen(addr, port):
    srv = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(8)
    print(json.dumps({"listening": port}), flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def check(path, peer, wants):
    last = None
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("peer") == peer:
                last = r
    if last is None:
        print("no report for %s" % peer)
        return 1
    print(json.dumps(last["stats"], sort_keys=True))
    ok = True
    for w in wants:
        key, val = w.split("=", 1)
        got = last["stats"].get(key)
        if (val == "-" and got is not None) or (val != "-" and got != int(val)):
            print("%s: got %s, want %s" % (key, got, val))
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "listen":
        listen(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4:]))
    else:
        sys.exit(__doc__)
