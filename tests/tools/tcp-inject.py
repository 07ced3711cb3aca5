#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tcp-inject: a BGP-framed TCP client whose session gets forged segments.

Runs in the client's network namespace.  It connects to ADDR:PORT (with a
TCP-MD5 key when -k is given) and sends COUNT messages, one at a time.
Before each one it waits until the session is idle, reads the live
sequence numbers of its own socket (TCP_REPAIR, TCP_QUEUE_SEQ: the send
and receive sequence a blind attacker would have to guess or sniff), and
sends a forged segment from the attacker's namespace (-x NETNS, over a raw
socket, source address spoofed to be this client's) carrying a different
BGP message of the same length at exactly the sequence numbers the real
message will use.  The forged segment arrives first; the real message
follows after a short delay.

Modes (-M):
  data      correct checksum, no TCP-MD5: the receiving TCP accepts the
            forged bytes and drops the real ones as duplicates
  atomic    as data, in an IPv6 atomic fragment (a Fragment header with
            offset 0 and M clear, RFC 6946): the receiving TCP accepts it
  csum      bad TCP checksum: the receiving TCP drops the forged segment
  md5       wrong TCP-MD5 signature (session keyed with -k): dropped
  nomd5     no TCP-MD5 option on a keyed session: dropped
  noack     the ACK flag cleared: dropped (RFC 9293: no ACK, no data)
  badack    acknowledging 1 MB the receiver never sent: dropped
  oow       the forged message 4 MiB beyond the receive window: dropped
  rst       a RST 1000 bytes past the expected sequence number, no data:
            in the window but not exact, so only a challenge ACK (RFC 5961)
  fin       a FIN, no data, in the middle of the next real message: held out
            of order by the receiving TCP and dropped once real data passes it
            (the last one lies beyond the end and dies with the session)
  ackahead  the other way: a bare ACK spoofed from the server to this
            client, acknowledging 1 MB beyond what the client sent (so the
            next real message too): the client's TCP ignores it

Writes the bytes really sent (-S) and the forged ones (-F); exits 0 when
the session completed.
"""
import argparse
import ctypes
import os
import random
import select
import socket
import struct
import sys
import time

TCP_REPAIR = 19
TCP_REPAIR_QUEUE = 20
TCP_QUEUE_SEQ = 21
TCP_RECV_QUEUE = 1
TCP_SEND_QUEUE = 2
TCP_MD5SIG = 14
SIOCOUTQ = 0x5411
IPV6_HDRINCL = 36
CLONE_NEWNET = 0x40000000


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def bgp_msg(length, fill):
    return b'\xff' * 16 + struct.pack('!HB', length, 2) + fill * (length - 19)


def md5sig(family, peer, key):
    # struct tcp_md5sig: sockaddr_storage, flags, prefixlen, keylen, ifindex, key[80]
    if family == socket.AF_INET:
        sa = struct.pack('!HH4s', socket.AF_INET, 0, socket.inet_pton(family, peer))
        sa = struct.pack('=H', socket.AF_INET) + sa[2:]
    else:
        sa = struct.pack('=H', socket.AF_INET6) + struct.pack('!HI16sI', 0, 0,
                                                          socket.inet_pton(family, peer), 0)
    sa = sa.ljust(128, b'\0')
    k = key.encode()
    return sa + struct.pack('=BBHi', 0, 0, len(k), 0) + k.ljust(80, b'\0')


def live_seqs(s):
    """(snd_nxt, rcv_nxt) of an idle socket, read through TCP repair mode."""
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    try:
        s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
        snd = s.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ) & 0xffffffff
        s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)
        rcv = s.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ) & 0xffffffff
    finally:
        s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 0)
    return snd, rcv


def wait_idle(s, deadline):
    import fcntl
    buf = bytearray(4)
    while time.time() < deadline:
        fcntl.ioctl(s.fileno(), SIOCOUTQ, buf)
        if struct.unpack('=i', buf)[0] == 0:
            return True
        time.sleep(0.005)
    return False


# mode: (sequence offset, ack offset, TCP flags, with payload)
FORGERY = {
    'data': (0, 0, 0x18, True), 'atomic': (0, 0, 0x18, True), 'csum': (0, 0, 0x18, True), 'md5': (0, 0, 0x18, True),
    'nomd5': (0, 0, 0x18, True), 'noack': (0, 0, 0x08, True),
    'badack': (0, 1 << 20, 0x18, True), 'oow': (4 << 20, 0, 0x18, True),
    'rst': (1000, 0, 0x14, False), 'fin': (None, 0, 0x11, False),
    'ackahead': (0, 1 << 20, 0x10, False),
}


def forge(family, src, dst, sport, dport, seq, ack, payload, mode):
    flags = FORGERY[mode][2]
    opts = b''
    if mode == 'md5':
        opts = b'\x01\x01' + bytes([19, 18]) + bytes(random.getrandbits(8) for _ in range(16))
    doff = (20 + len(opts)) // 4
    th = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, doff << 4, flags, 1024, 0, 0) + opts
    seg = th + payload
    if family == socket.AF_INET:
        ph = socket.inet_pton(family, src) + socket.inet_pton(family, dst) + \
            struct.pack('!BBH', 0, 6, len(seg))
    else:
        ph = socket.inet_pton(family, src) + socket.inet_pton(family, dst) + \
            struct.pack('!I3xB', len(seg), 6)
    c = csum(ph + seg)
    if mode == 'csum':
        c ^= 0x5a5a
    seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    if family == socket.AF_INET:
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(seg), random.getrandbits(16), 0x4000,
                         64, 6, 0, socket.inet_pton(family, src), socket.inet_pton(family, dst))
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    else:
        nxt = 6
        if mode == 'atomic':
            seg = struct.pack('!BBHI', 6, 0, 0, random.getrandbits(32)) + seg
            nxt = 44
        ip = struct.pack('!IHBB16s16s', 6 << 28, len(seg), nxt, 64,
                         socket.inet_pton(family, src), socket.inet_pton(family, dst))
    return ip + seg


def socket_in(netns, family, kind, proto):
    """A socket of the network namespace /run/netns/NETNS."""
    libc = ctypes.CDLL(None, use_errno=True)
    mine = os.open('/proc/self/ns/net', os.O_RDONLY)
    other = os.open('/run/netns/' + netns, os.O_RDONLY)
    if libc.setns(other, CLONE_NEWNET):
        sys.exit('%s: setns %s: %s' % (sys.argv[0], netns, os.strerror(ctypes.get_errno())))
    try:
        return socket.socket(family, kind, proto)
    finally:
        libc.setns(mine, CLONE_NEWNET)
        os.close(mine)
        os.close(other)


def raw_socket_in(netns, family):
    r = socket_in(netns, family, socket.SOCK_RAW, socket.IPPROTO_RAW)
    if family == socket.AF_INET6:
        r.setsockopt(socket.IPPROTO_IPV6, IPV6_HDRINCL, 1)
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('addr')
    ap.add_argument('port', type=int)
    ap.add_argument('-M', dest='mode', required=True, choices=sorted(FORGERY))
    ap.add_argument('-x', dest='netns', required=True)
    ap.add_argument('-n', dest='count', type=int, default=20)
    ap.add_argument('-k', dest='key')
    ap.add_argument('-S', dest='sent')
    ap.add_argument('-F', dest='forged')
    ap.add_argument('-R', dest='recv')
    ap.add_argument('-w', dest='wait', type=int, default=60)
    a = ap.parse_args()
    random.seed(a.count * 7919 + len(a.mode))
    family = socket.AF_INET6 if ':' in a.addr else socket.AF_INET
    deadline = time.time() + a.wait
    raw = raw_socket_in(a.netns, family)
    s = socket.socket(family, socket.SOCK_STREAM)
    if a.key:
        s.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG, md5sig(family, a.addr, a.key))
    s.connect((a.addr, a.port))
    src, sport = s.getsockname()[:2]
    sent = open(a.sent, 'wb') if a.sent else None
    forged = open(a.forged, 'wb') if a.forged else None
    got = bytearray()
    for i in range(a.count):
        length = 40 + (i * 37) % 200
        real = bgp_msg(length, bytes([0x30 + i % 64]))
        fake = bgp_msg(length, b'\xee')
        if not wait_idle(s, deadline):
            sys.exit('tcp-inject: session never went idle')
        snd, rcv = live_seqs(s)
        dseq, dack, _, with_data = FORGERY[a.mode]
        if dseq is None:		# 10 bytes into the message after this one
            dseq = length + 10
        if a.mode == 'ackahead':
            pkt = forge(family, a.addr, src, a.port, sport, rcv, (snd + dack) & 0xffffffff,
                        b'', a.mode)
            raw.sendto(pkt, (src, 0))
        else:
            pkt = forge(family, src, a.addr, sport, a.port, (snd + dseq) & 0xffffffff,
                        (rcv + dack) & 0xffffffff, fake if with_data else b'', a.mode)
            raw.sendto(pkt, (a.addr, 0))
        if forged and with_data:
            forged.write(fake)
        time.sleep(0.02)		# the forged copy is there first
        s.sendall(real)
        if sent:
            sent.write(real)
        # drain whatever the peer sends
        while select.select([s], [], [], 0)[0]:
            d = s.recv(65536)
            if not d:
                break
            got += d
    wait_idle(s, deadline)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(max(1, deadline - time.time()))
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.close()
    if a.recv:
        open(a.recv, 'wb').write(got)
    print('tcp-inject: %s: %d messages, %d forged segments sent' % (a.mode, a.count, a.count))
    return 0


if __name__ == '__main__':
    sys.exit(main())
