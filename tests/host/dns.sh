#!/bin/bash
# A collector given by host name must not stop the event loop while its
# name is looked up.  In private network and mount namespaces,
# /etc/resolv.conf names a server whose packets are dropped (a route into
# lo to a non-local address) with a 30 s timeout, and /etc/hosts knows
# sink.test.  bmptapd --records gets three collectors: the unresolvable
# name first, then the sink by address, then by /etc/hosts name.  The sink
# must see both its sessions at once; the stuck lookup must time out after
# resolve.h's 10 s, counted.  Prints PASS:/FAIL: lines; exit 1 if any failed.
set -uo pipefail
HOST_TEST=dns
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" != --inside ]; then
	exec unshare -n -m "$0" --inside
fi
printf 'nameserver 10.9.9.2\noptions timeout:30 attempts:3\n' >"$tmp/resolv.conf"
printf '127.0.0.1 localhost\n127.0.0.1 sink.test\n' >"$tmp/hosts"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf || exit 1
mount --bind "$tmp/hosts" /etc/hosts || exit 1
ip link set lo up
ip route add 10.9.9.0/24 dev lo

port=$((20000 + RANDOM % 20000))
"$B/tools/bgp-speaker" -w "$tmp/t.bgp" -W "$tmp/t.rec" -q >"$tmp/gen.txt" || exit 1
"$B/tools/bmp-sink" 127.0.0.1 "$port" >"$tmp/sink.txt" 2>&1 & pids+=($!)
waitfor 10 grep -q ready "$tmp/sink.txt"
start=$(date +%s)
"$B/bmptapd" --records "$tmp/t.rec" --server "stuck.example port 1" \
	--server "127.0.0.1 port $port" --server "sink.test port $port" \
	-v 2>"$tmp/bmptapd.log" & pids+=($!)
check "the collector by address connects at once" waitfor 3 grep -q '^accepted 1' "$tmp/sink.txt"
check "... and the one named in /etc/hosts" waitfor 3 grep -q '^accepted 2' "$tmp/sink.txt"
check "the stuck lookup times out" waitfor 15 \
	grep -q 'stuck.example.*resolve: timed out' "$tmp/bmptapd.log"
took=$(( $(date +%s) - start ))
check "... after about 10 s, not the resolver's 90 s (took ${took} s)" test "$took" -le 14
[ "$fails" -eq 0 ] || { tail -n 20 "$tmp/bmptapd.log" "$tmp/sink.txt" | sed 's/^/    /'; exit 1; }
