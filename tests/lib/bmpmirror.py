#!/usr/bin/env python3
"""Counts BMP Route Mirroring Information TLVs in a capture.

tshark 4.0 decodes BMP but not Route Mirroring TLVs, so this reads the
exporter's byte stream of every TCP connection to PORT in the capture
(tshark's follow,tcp,raw), parses its BMP messages and prints one line per
(code, peer) pair seen:

  mirror errored PEER N      Information code 0 (Errored PDU)
  mirror lost PEER N         Information code 1 (Messages Lost)
  mirror bgp PEER N          BGP Message TLVs (no Information TLV)

  bmpmirror.py PCAP PORT
Exit status 1 when a stream does not parse as BMP.
"""
import collections
import ipaddress
import subprocess
import sys


def streams(pcap, port):
    ids = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp.port==%s" % port, "-T", "fields",
                          "-e", "tcp.stream"], capture_output=True, text=True).stdout.split()
    for sid in sorted(set(ids), key=int):
        out = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw," + sid],
                             capture_output=True, text=True).stdout
        data = bytearray()
        body = False
        for line in out.splitlines():
            if line.startswith("Node 1:"):
                body = True
                continue
            if not body or line.startswith("=") or not line or line.startswith("\t"):
                continue
            data += bytes.fromhex(line.strip())
        yield sid, bytes(data)


def peer_addr(ph):
    if ph[1] & 0x80:
        return str(ipaddress.IPv6Address(ph[10:26]))
    return str(ipaddress.IPv4Address(ph[22:26]))


def main():
    pcap, port = sys.argv[1], sys.argv[2]
    counts = collections.Counter()
    bad = 0
    for sid, data in streams(pcap, port):
        off = 0
        while off + 6 <= len(data):
            ver, length, mtype = data[off], int.from_bytes(data[off + 1:off + 5], "big"), data[off + 5]
            if ver != 3 or length < 6:
                print("stream %s: bad BMP header at %d" % (sid, off))
                bad += 1
                break
            if off + length > len(data):
                break	# cut by the end of the capture
            if mtype == 6:
                m = data[off + 6:off + length]
                peer, tlvs, info = peer_addr(m[:42]), m[42:], None
                while len(tlvs) >= 4:
                    t, tl = int.from_bytes(tlvs[:2], "big"), int.from_bytes(tlvs[2:4], "big")
                    if t == 1 and tl >= 2:
                        info = int.from_bytes(tlvs[4:6], "big")
                    tlvs = tlvs[4 + tl:]
                kind = {None: "bgp", 0: "errored", 1: "lost"}.get(info, "info%s" % info)
                counts[(kind, peer)] += 1
            off += length
    for (kind, peer), n in sorted(counts.items()):
        print("mirror %s %s %d" % (kind, peer, n))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
