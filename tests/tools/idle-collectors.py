#!/usr/bin/python3
"""Hostile BMP stations: opens N TCP connections to an exporter's passive
listener from each given source address, with a tiny receive buffer, and
never reads (idle, or stuck mid-replay).  Prints "opened N" once connected
and holds the sockets until killed.

usage: idle-collectors.py HOST PORT N SRC [SRC...]
"""
import signal
import socket
import sys
import time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for src in sys.argv[4:]:
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind((src, 0))
        try:
            s.connect((host, port))
        except OSError as e:
            print("connect from %s: %s" % (src, e), flush=True)
            s.close()
            continue
        socks.append(s)
print("opened %d" % len(socks), flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    time.sleep(3600)
