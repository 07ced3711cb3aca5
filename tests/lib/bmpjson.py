#!/usr/bin/env python3
"""Queries over a pmacct pmbmpd JSON message log (one object per line).

Used by the guest interop cases (tests/lib/interop.sh).  Every query exits 0
when it holds and 1 when it does not (printing why), so a check can fail.

  bmpjson.py [-r BMP_ROUTER] [-s START_LINE] [-x ASN] FILE QUERY ARGS...

  -x ASN: rib and same leave out routes whose AS_PATH contains ASN

  up PEER [MIN]                  >= MIN Peer Up for PEER (default 1)
  down PEER [MIN [REASON]]       >= MIN Peer Down for PEER, with reason_type
  route PEER PREFIX [MIN]        >= MIN route_monitor updates of PREFIX from PEER
  withdraw PEER PREFIX           a route_monitor withdrawal of PREFIX from PEER
  field PEER PREFIX KEY VALUE    an update of PREFIX from PEER whose KEY is
                                 VALUE (or, for strings, contains VALUE)
  fieldeq PEER PREFIX KEY VALUE  same, KEY exactly VALUE
  pathids PEER PREFIX N          updates of PREFIX from PEER carry >= N
                                 distinct ADD-PATH ids (as_path_id)
  count TYPE [PEER]              prints how many messages of bmp_msg_type TYPE
  rib                            prints the final (peer, prefix) table: updates
                                 add, withdrawals and Peer Down remove; a VPN
                                 prefix is "RD:PREFIX" (pmbmpd's rd)
  peers                          prints the peers that were ever up
  same OTHER-FILE                same peers ever up and same final rib as the
                                 OTHER-FILE (-r/-s apply to FILE only)
  clean                          every line parses, no unknown message type
"""
import json
import sys

KNOWN = {"init", "term", "peer_up", "peer_down", "route_monitor", "stats",
         "route_mirror"}


def load(path, router=None, start=1):
    msgs = []
    bad = 0
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError as e:
        print(f"{path}: {e}")
        return [], 1
    with f:
        for n, line in enumerate(f, 1):
            if n < start or not line.strip():
                continue
            try:
                m = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if router and m.get("bmp_router") != router:
                continue
            msgs.append(m)
    return msgs, bad


def of(msgs, typ, peer=None, prefix=None):
    for m in msgs:
        if m.get("bmp_msg_type") != typ:
            continue
        if peer is not None and m.get("peer_ip") != peer:
            continue
        if prefix is not None and m.get("ip_prefix") != prefix:
            continue
        yield m


def rib(msgs, ignore_as=None):
    """The final (peer, prefix) table; ignore_as: leave out routes whose
    AS_PATH contains that AS (a loop for the monitored router)."""
    t = {}
    for m in msgs:
        typ = m.get("bmp_msg_type")
        if typ == "peer_down":
            t = {e: v for e, v in t.items() if e[0] != m.get("peer_ip")}
        elif typ == "route_monitor" and m.get("ip_prefix"):
            # VPN routes: the RD is part of the key (RFC 4364), the label not
            pf = m["ip_prefix"] if not m.get("rd") else f'{m["rd"]}:{m["ip_prefix"]}'
            e = (m.get("peer_ip"), pf, m.get("as_path_id", 0))
            if m.get("log_type") == "withdraw":
                t.pop(e, None)
            else:
                t[e] = str(m.get("as_path", "")).split()
    return {(p, pf) for (p, pf, _), path in t.items()
            if ignore_as is None or ignore_as not in path}


def peers(msgs):
    return {m.get("peer_ip") for m in of(msgs, "peer_up")}


def main(argv):
    router, start, ignore_as = None, 1, None
    while argv and argv[0] in ("-r", "-s", "-x"):
        if argv[0] == "-r":
            router = argv[1]
        elif argv[0] == "-x":
            ignore_as = argv[1]
        else:
            start = int(argv[1])
        argv = argv[2:]
    if len(argv) < 2:
        print(__doc__)
        return 2
    path, q, a = argv[0], argv[1], argv[2:]
    msgs, bad = load(path, router, start)

    def verdict(ok, why):
        if not ok:
            print(why)
        return 0 if ok else 1

    if q == "up":
        n = len(list(of(msgs, "peer_up", a[0])))
        want = int(a[1]) if len(a) > 1 else 1
        return verdict(n >= want, f"peer_up {a[0]}: {n} < {want}")
    if q == "down":
        ds = list(of(msgs, "peer_down", a[0]))
        if len(a) > 2:
            ds = [d for d in ds if str(d.get("reason_type")) == a[2]]
        want = int(a[1]) if len(a) > 1 else 1
        return verdict(len(ds) >= want, f"peer_down {a}: {len(ds)} < {want}")
    if q == "route":
        n = sum(1 for m in of(msgs, "route_monitor", a[0], a[1])
                if m.get("log_type") != "withdraw")
        want = int(a[2]) if len(a) > 2 else 1
        return verdict(n >= want, f"route {a[0]} {a[1]}: {n} < {want}")
    if q == "withdraw":
        n = sum(1 for m in of(msgs, "route_monitor", a[0], a[1])
                if m.get("log_type") == "withdraw")
        return verdict(n >= 1, f"no withdrawal of {a[1]} from {a[0]}")
    if q == "fieldeq":
        vals = [m.get(a[2]) for m in of(msgs, "route_monitor", a[0], a[1])
                if m.get("log_type") != "withdraw"]
        return verdict(a[3] in map(str, vals), f"{a[1]} from {a[0]}: {a[2]} values {vals[:5]} lack {a[3]!r}")
    if q == "field":
        vals = []
        for m in of(msgs, "route_monitor", a[0], a[1]):
            if m.get("log_type") == "withdraw":
                continue
            v = m.get(a[2])
            vals.append(v)
            if str(v) == a[3] or (isinstance(v, str) and a[3] in v):
                return 0
        return verdict(False, f"{a[1]} from {a[0]}: {a[2]} values {vals[:5]} lack {a[3]!r}")
    if q == "pathids":
        ids = {m.get("as_path_id") for m in of(msgs, "route_monitor", a[0], a[1])
               if m.get("log_type") != "withdraw"}
        ids.discard(None)
        return verdict(len(ids) >= int(a[2]), f"{a[1]} from {a[0]}: path ids {sorted(ids)}")
    if q == "count":
        print(len(list(of(msgs, a[0], a[1] if len(a) > 1 else None))))
        return 0
    if q == "rib":
        for p, pf in sorted(rib(msgs, ignore_as)):
            print(p, pf)
        return 0
    if q == "peers":
        for p in sorted(peers(msgs)):
            print(p)
        return 0
    if q == "same":
        other, obad = load(a[0])
        r1, r2 = rib(msgs, ignore_as), rib(other, ignore_as)
        p1, p2 = peers(msgs), peers(other)
        ok = r1 == r2 and p1 == p2 and r1 and p1
        if not ok:
            print(f"peers only in {path}: {sorted(p1 - p2)}; only in {a[0]}: {sorted(p2 - p1)}")
            print(f"routes only in {path}: {sorted(r1 - r2)}")
            print(f"routes only in {a[0]}: {sorted(r2 - r1)}")
        return 0 if ok else 1
    if q == "clean":
        unknown = {m.get("bmp_msg_type") for m in msgs
                   if m.get("bmp_msg_type") not in KNOWN and "bmp_msg_type" in m}
        return verdict(not bad and not unknown,
                       f"{bad} unparsable lines, unknown types {sorted(map(str, unknown))}")
    print(f"unknown query {q}")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
