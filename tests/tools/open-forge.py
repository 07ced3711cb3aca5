#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""open-forge: whole BGP sessions forged from one host, both sides at once.

For COUNT 4-tuples (client addresses taken in turn from CLIENTS/LEN, random
ports), it sends over one raw IPv4 socket everything a router in the path
would see of a session CLIENT -> SERVER:PORT that reached Established: the
client's SYN, the server's SYN-ACK, the client's ACK, an OPEN each way, a
KEEPALIVE each way and the ACKs of all of them.  Each segment has a correct
checksum and consistent sequence and acknowledgment numbers (the forger
chose both ISNs), so a tap that believed what it sees would take each of
them as an established BGP session.  The real SERVER, if it exists, answers
the forged SYN itself; that is up to it.

  open-forge [-n COUNT] [-s SEED] CLIENTS/LEN SERVER PORT

Prints "forged N" when done; exit 0.  Needs CAP_NET_RAW.
"""
import argparse
import importlib.util
import ipaddress
import os
import random
import socket
import struct
import time

SYN, ACK, PSH = 0x02, 0x10, 0x08

_spec = importlib.util.spec_from_file_location(
    'tcp_inject', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tcp-inject.py'))
_ti = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ti)
csum = _ti.csum


def packet(src, dst, sport, dport, seq, ack, flags, payload=b''):
    th = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 6, len(th) + len(payload))
    th = th[:16] + struct.pack('!H', csum(ph + th + payload)) + th[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(th) + len(payload), random.getrandbits(16),
                     0x4000, 64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return ip[:10] + struct.pack('!H', csum(ip)) + ip[12:] + th + payload


def bgp_open(asn, router_id):
    body = struct.pack('!BHH4sB', 4, asn, 90, socket.inet_aton(router_id), 0)
    return b'\xff' * 16 + struct.pack('!HB', 19 + len(body), 1) + body


KEEPALIVE = b'\xff' * 16 + struct.pack('!HB', 19, 4)


def session(raw, cli, srv, sport, dport):
    """The segments of one forged session, in the order a router sees them."""
    c, s = random.getrandbits(32), random.getrandbits(32)
    co, so = bgp_open(65100, cli), bgp_open(65200, srv)
    c1, s1 = (c + 1) & 0xffffffff, (s + 1) & 0xffffffff
    segs = [
        (True, c, 0, SYN, b''),
        (False, s, c1, SYN | ACK, b''),
        (True, c1, s1, ACK, b''),
        (True, c1, s1, ACK | PSH, co),
        (False, s1, c1 + len(co), ACK | PSH, so),
        (True, c1 + len(co), s1 + len(so), ACK | PSH, KEEPALIVE),
        (False, s1 + len(so), c1 + len(co) + 19, ACK | PSH, KEEPALIVE),
        (True, c1 + len(co) + 19, s1 + len(so) + 19, ACK, b''),
    ]
    for from_cli, seq, ack, flags, data in segs:
        a, b, pa, pb = (cli, srv, sport, dport) if from_cli else (srv, cli, dport, sport)
        raw.sendto(packet(a, b, pa, pb, seq & 0xffffffff, ack & 0xffffffff, flags, data), (b, 0))
        time.sleep(0.002)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('clients')
    ap.add_argument('server')
    ap.add_argument('port', type=int)
    ap.add_argument('-n', dest='count', type=int, default=32)
    ap.add_argument('-s', dest='seed', type=int, default=1)
    a = ap.parse_args()
    random.seed(a.seed)
    hosts = list(ipaddress.ip_network(a.clients).hosts())
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for i in range(a.count):
        session(raw, str(hosts[i % len(hosts)]), a.server, random.randrange(1024, 65536), a.port)
    print('forged %d' % a.count, flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
