#!/bin/bash
# A collector that accepts but never reads (issue 9 item 4), beside a
# normal one.  bgp-speaker in s sends a synthetic table to BIRD in b
# (tapped), three times (each time a new session: Cease, then the table
# again); bmptapd in b (--queue-limit 64 KiB) feeds pmbmpd on port 11019 and
# a Python listener on 11020 that accepts, shrinks its receive buffer and
# never calls recv().
#
# Checks: after every transfer the normal collector holds exactly BIRD's
# table; the stalled collector's output stays within the bound (queued bytes
# <= 4 x --queue-limit, the peer-event allowance) with route changes
# coalesced while it lags; the kernel socket's Send-Q stays within its buffer
# (RSS is logged, not checked: the Adj-RIB-In churn of each transfer moves it
# by more than the queue could); bmptapd never blocks (status keeps being
# published).  Having taken no byte for --collector-stall-timeout (issue 15
# item 3), mid-replay or live, the stalled collector is disconnected,
# counted and logged; bmptapd keeps retrying it.  Then the stalled collector
# is killed and pmbmpd takes its port: bmptapd reconnects and it ends with
# exactly BIRD's table.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=faults-stall
SCALE=${FAULTS_SCALE:-0.002}
LIMIT=65536
STALL=20
it_start "$T"
bt_host s && bt_host b && bt_host c
it_link s b 1
it_link b c 2
tb_bird_spk b
it_collector c 11019
json=$(it_json c 11019)
ip netns exec c python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.2.2", 11020))
s.listen(4)
print("listening", flush=True)
c, a = s.accept()
print("accepted", a, flush=True)
time.sleep(3600)
' >"$BT_LOG/stall.out" 2>&1 &
stall=$!
bt_check "$T: stalled collector listening" bt_wait 30 grep -q listening "$BT_LOG/stall.out"

ip netns exec b "$IT_B/bmptapd" -v --queue-limit $LIMIT --collector-stall-timeout $STALL \
	>"$BT_LOG/b-bmptapd.out" 2>&1 &
dpid=$!
bt_check "$T: bmptapd running" \
	bt_wait 20 sh -c "ip netns exec b $IT_B/bmptapctl show status | grep -q servers"
bt_check "$T: server add 11019" bt_in b "$IT_B/bmptapctl" server add 10.0.2.2 port 11019 sys-name bmptap-b
bt_check "$T: server add 11020 (stalled)" bt_in b "$IT_B/bmptapctl" server add 10.0.2.2 port 11020 sys-name bmptap-b
bt_check "$T: stalled collector accepted bmptapd" bt_wait 30 grep -q accepted "$BT_LOG/stall.out"

srv() { # PORT KEY: a field of bmptapd's status for the server on PORT
	bt_in b "$IT_B/bmptapctl" -j show status |
		jq -r --argjson p "$1" --arg k "$2" '[.servers[] | select(.port == $p) | .[$k]] | first'
}
rss() { awk '/^VmRSS/ {print $2 * 1024}' /proc/$dpid/status; }
bird_has() { [ "$(tb_bird_count b)" = "$1" ]; }
coll_same() { # PORT: that collector's table for the speaker is BIRD's
	tb_bird_table b 10.0.1.1 >"$BT_RUN/bird.txt"
	tb_coll_table "$(it_json c "$1")" 1 10.0.1.1 >"$BT_RUN/coll-$1.txt"
	test -s "$BT_RUN/bird.txt" && cmp -s "$BT_RUN/bird.txt" "$BT_RUN/coll-$1.txt"
}
uptime_moves() { # bmptapd keeps publishing its status: it is not blocked
	local a; a=$(bt_in b "$IT_B/bmptapctl" -j show status | jq .uptime_s); sleep 2
	[ "$(bt_in b "$IT_B/bmptapctl" -j show status | jq .uptime_s)" -gt "$a" ]
}

for r in 1 2 3; do
	tb_speaker spk$r "$SCALE"
	bt_check "$T: round $r: table sent" bt_wait 120 grep -q '^RESULT' "$BT_RUN/spk$r.out"
	want=$(tb_want spk$r)
	bt_check "$T: round $r: BIRD holds the table ($want)" bt_wait 60 bird_has "$want"
	bt_check "$T: round $r: normal collector has exactly BIRD's table" bt_wait 120 coll_same 11019
	bt_check "$T: round $r: bmptapd not blocked" uptime_moves
	q=$(srv 11020 queue_bytes)
	sq=$(ip netns exec b ss -tnH state established dst 10.0.2.2 dport = :11020 | awk '{print $2}')
	echo "round $r: stalled: state $(srv 11020 state) lagging $(srv 11020 lagging) queue $q" \
		"coalesced $(srv 11020 coalesced) dirty $(srv 11020 dirty) resyncs $(srv 11020 resyncs)" \
		"disconnected_stalled $(srv 11020 disconnected_stalled)" \
		"socket Send-Q ${sq:-none}; normal: bytes $(srv 11019 bytes)" \
		"reconnects $(srv 11019 reconnects) stalled $(srv 11019 disconnected_stalled); RSS $(rss)"
	bt_check "$T: round $r: its output within the bound ($q <= 4 x $LIMIT)" test "$q" -le $((4 * LIMIT))
	# No socket (between a stall and the reconnect) holds nothing.
	bt_check "$T: round $r: its socket's Send-Q bounded (${sq:-none} <= 4 MiB)" test "${sq:-0}" -le 4194304
	# From the second transfer on the stalled collector lags: its
	# coalescing set (one entry per prefix) exists; nothing may grow after.
	[ $r = 2 ] && { rss2=$(rss) bytes2=$(srv 11019 bytes); }
	[ $r = 3 ] && break
	kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
	bt_check "$T: round $r: BIRD withdrew the table" bt_wait 60 bird_has 0
	sleep 3
done
rss3=$(rss) bytes3=$(srv 11019 bytes)
# One table fits in the bound plus the socket buffers; three do not.
bt_check "$T: stalled collector disconnected after ${STALL} s without progress ($(srv 11020 disconnected_stalled))" \
	test "$(srv 11020 disconnected_stalled)" -ge 1
bt_check "$T: ... logged" grep -q "10.0.2.2 port 11020: session lost: stalled: no byte taken" \
	"$BT_LOG/b-bmptapd.out"
bt_check "$T: the normal collector never stalled ($(srv 11019 disconnected_stalled))" \
	test "$(srv 11019 disconnected_stalled)" = 0
bt_check "$T: route changes coalesced for it ($(srv 11020 coalesced))" \
	test "$(srv 11020 resyncs)" -ge 1 -a "$(srv 11020 coalesced)" -gt 0
echo "RSS after round 2: $rss2, after round 3: $rss3; normal collector got $((bytes3 - bytes2)) bytes meanwhile"
bt_in b "$IT_B/bmptapctl" show servers | tee "$ART/servers.txt"
bt_check "$T: show servers lists the stalled collector with its resyncs" \
	sh -c "grep ' 11020 ' $ART/servers.txt | awk 'BEGIN {r = 1} {r = !(\$NF >= 1)} END {exit r}'"

# The stalled collector dies; pmbmpd takes its port and gets the table.
# The capture starts first: bmptapd reconnects as soon as the port listens
# (it_collector's order lost the session's start in the first run).
ip netns exec c tcpdump -U -q -i any -s 0 -w "$BT_RUN/c/bmp-11020.pcap" \
	tcp port 11020 >"$BT_LOG/c-tcpdump-11020.out" 2>&1 &
echo $! >"$BT_RUN/c/tcpdump-11020.pid"
bt_wait 10 grep -q 'listening on' "$BT_LOG/c-tcpdump-11020.out"
kill $stall; wait $stall 2>/dev/null
bt_check "$T: pmbmpd on the stalled collector's port" bt_pmbmpd c 11020
bt_check "$T: released collector: reconnected" bt_wait 60 sh -c "test \"\$(ip netns exec b $IT_B/bmptapctl -j show status | jq -r '.servers[] | select(.port == 11020) | .reconnects')\" -ge 1"
bt_check "$T: released collector: exactly BIRD's table" bt_wait 180 coll_same 11020
bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
kill -TERM $dpid; wait $dpid
it_collector_end c 11019
it_collector_end c 11020
it_end
