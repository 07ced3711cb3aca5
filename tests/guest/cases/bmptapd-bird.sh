#!/bin/bash
# bmptapd end to end: two BIRD routers a (AS65001) and b (AS65002) exchange
# IPv4 and IPv6 routes over eBGP; the module taps b's namespace and bmptapd
# (in b) feeds pmacct's pmbmpd in namespace c.  Checks, from pmbmpd's JSON
# log: Peer Up for both sessions, Route Monitoring for a's routes, a
# withdrawal after a's config drops a route, a full table again after the
# collector restarts, Peer Down when a's session goes down; a tshark decode
# of the captured feed shows no malformed packet; SIGTERM exits 0.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
ART=/mnt/results/bmptapd-bird
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART"

bird_conf() { # AS ROUTER-ID NEIGHBOR4 NEIGHBOR6 PEER-AS ROUTES4 ROUTES6
	cat <<EOC
router id $2;
protocol device {}
protocol static s4 { ipv4; $6 }
protocol static s6 { ipv6; $7 }
protocol bgp peer4 {
	local as $1; neighbor $3 as $5;
	ipv4 { import all; export all; };
}
protocol bgp peer6 {
	local as $1; neighbor $4 as $5;
	ipv6 { import all; export all; };
}
EOC
}
A4="route 192.0.2.0/24 unreachable; route 192.0.2.128/25 unreachable; route 203.0.113.0/24 unreachable;"
A6="route 2001:db8:a::/48 unreachable; route 2001:db8:a:1::/64 unreachable;"
json=$BT_RUN/c/pmbmpd-11019.json
has() { grep -q "$1" "$json"; }
count() { grep -c "$1" "$json"; }

bt_modprobe veth
bt_check "bmptapd-bird: insmod" bt_insmod
bt_host a && bt_host b && bt_host c
bt_link a b 1
bt_link b c 2

bt_pmbmpd c 11019
ip netns exec c tcpdump -U -q -i any -w "$BT_RUN/c/bmp.pcap" tcp port 11019 >"$BT_LOG/tcpdump.out" 2>&1 &
echo $! >"$BT_RUN/c/tcpdump.pid"

# Not through bt_in: a backgrounded shell function is a subshell, and the
# SIGTERM below must reach bmptapd itself (ip netns exec execs it).
ip netns exec b "$B/bmptapd" -v >"$BT_LOG/bmptapd.out" 2>&1 &
dpid=$!
bt_check "bmptapd-bird: bmptapd running" bt_wait 5 sh -c "ip netns exec b $B/bmptapctl show status | grep -q servers"
ip netns exec b "$B/bmptapctl" monitor >"$BT_RUN/monitor.out" 2>&1 &
mpid=$!
bt_check "bmptapd-bird: server add" bt_in b "$B/bmptapctl" server add 10.0.2.2 port 11019 sys-name bmptap-b
bt_check "bmptapd-bird: Initiation reached pmbmpd" bt_wait 20 has '"bmp_msg_type": "init"'

bt_bird a "$(bird_conf 65001 10.0.1.1 10.0.1.2 fd00:1::2 65002 "$A4" "$A6")"
bt_bird b "$(bird_conf 65002 10.0.1.2 10.0.1.1 fd00:1::1 65001 "route 198.51.100.0/24 unreachable;" "route 2001:db8:b::/48 unreachable;")"
bt_check "bmptapd-bird: IPv4 session established" bt_wait 60 bt_bird_established a peer4
bt_check "bmptapd-bird: IPv6 session established" bt_wait 60 bt_bird_established a peer6

bt_check "bmptapd-bird: peer_up for 10.0.1.1" bt_wait 20 sh -c "grep '\"peer_up\"' $json | grep -q '\"peer_ip\": \"10.0.1.1\"'"
bt_check "bmptapd-bird: peer_up for fd00:1::1" bt_wait 20 sh -c "grep '\"peer_up\"' $json | grep -q '\"peer_ip\": \"fd00:1::1\"'"
for pfx in 192.0.2.0/24 192.0.2.128/25 203.0.113.0/24 2001:db8:a::/48 2001:db8:a:1::/64; do
	bt_check "bmptapd-bird: route_monitor $pfx" bt_wait 20 sh -c "grep '\"route_monitor\"' $json | grep -q '\"ip_prefix\": \"$pfx\"'"
done
bt_check "bmptapd-bird: no missing-peer-up complaints" sh -c "! grep -qi 'missing peer up' $BT_LOG/c-pmbmpd-11019.log"

# Withdraw one IPv4 and one IPv6 route by reconfiguring a.
A4b="route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable;"
A6b="route 2001:db8:a::/48 unreachable;"
bird_conf 65001 10.0.1.1 10.0.1.2 fd00:1::2 65002 "$A4b" "$A6b" >"$BT_RUN/a/bird.conf"
bt_birdc a configure >/dev/null
bt_check "bmptapd-bird: withdrawal of 192.0.2.128/25" bt_wait 20 sh -c "grep '\"withdraw\"' $json | grep -q '\"ip_prefix\": \"192.0.2.128/25\"'"
bt_check "bmptapd-bird: withdrawal of 2001:db8:a:1::/64" bt_wait 20 sh -c "grep '\"withdraw\"' $json | grep -q '\"ip_prefix\": \"2001:db8:a:1::/64\"'"

# A new collector session (the server config changes: Termination, reconnect)
# must get Initiation, Peer Up and the current table again, without the
# withdrawn routes.  (Restarting pmbmpd itself is not used: its forked
# helpers keep the old sockets in this harness.)
cp "$json" "$ART/pmbmpd-first.json"
n0=$(wc -l <"$json")
bt_check "bmptapd-bird: server set (config change)" bt_in b "$B/bmptapctl" server set 10.0.2.2 port 11019 sys-name bmptap-b2
bt_check "bmptapd-bird: reconnect: Termination of the old session" bt_wait 20 sh -c "tail -n +$((n0 + 1)) $json | grep -q '\"term\"'"
bt_check "bmptapd-bird: reconnect: Initiation again" bt_wait 20 sh -c "tail -n +$((n0 + 1)) $json | grep -q '\"init\"'"
bt_check "bmptapd-bird: reconnect: peer_up again" bt_wait 20 sh -c "[ \$(tail -n +$((n0 + 1)) $json | grep -c '\"peer_up\"') -ge 2 ]"
bt_check "bmptapd-bird: reconnect: replayed 203.0.113.0/24" bt_wait 20 sh -c "tail -n +$((n0 + 1)) $json | grep '\"route_monitor\"' | grep -q '\"ip_prefix\": \"203.0.113.0/24\"'"
bt_check "bmptapd-bird: reconnect: replayed 2001:db8:a::/48" bt_wait 20 sh -c "tail -n +$((n0 + 1)) $json | grep '\"route_monitor\"' | grep -q '\"ip_prefix\": \"2001:db8:a::/48\"'"
bt_check "bmptapd-bird: reconnect: withdrawn route not replayed" sh -c "! tail -n +$((n0 + 1)) $json | grep -q '192.0.2.128/25'"
bt_in b "$B/bmptapctl" -j show status >"$ART/status.json" 2>&1
bt_check "bmptapd-bird: status shows 2 established peers" \
	sh -c "[ \$(grep -o '\"state\": \"established\"' $ART/status.json | wc -l) -ge 2 ] || [ \$(grep -o '\"state\":\"established\"' $ART/status.json | wc -l) -ge 2 ]"

# The collector itself dies (every pmbmpd process: it forks helpers that
# hold the socket and renames them, so match the command name) and a new
# one starts: it gets the table again.
mv "$json" "$ART/pmbmpd-before-restart.json"
pkill -9 -x pmbmpd
bt_check "bmptapd-bird: collector gone" \
	bt_wait 10 sh -c "! ip netns exec c ss -ltn | grep -q ':11019 '"
bt_check "bmptapd-bird: collector restarted" bt_pmbmpd c 11019
bt_check "bmptapd-bird: restarted collector: Initiation" bt_wait 60 has '"bmp_msg_type": "init"'
bt_check "bmptapd-bird: restarted collector: both peers up" \
	bt_wait 30 sh -c "[ \$(grep -c '\"peer_up\"' $json) -ge 2 ]"
for pfx in 192.0.2.0/24 203.0.113.0/24 2001:db8:a::/48; do
	bt_check "bmptapd-bird: restarted collector: table replayed ($pfx)" \
		bt_wait 20 sh -c "grep '\"route_monitor\"' $json | grep -q '\"ip_prefix\": \"$pfx\"'"
done
bt_check "bmptapd-bird: restarted collector: reconnect counted" \
	sh -c "ip netns exec b $B/bmptapctl -j show servers | grep -q '\"reconnects\": *[1-9]'"

# Session down: a disables its IPv4 session (NOTIFICATION Cease from the remote).
bt_birdc a disable peer4 >/dev/null
bt_check "bmptapd-bird: peer_down for 10.0.1.1" bt_wait 30 sh -c "grep '\"peer_down\"' $json | grep -q '\"peer_ip\": \"10.0.1.1\"'"
bt_check "bmptapd-bird: peer_down reason 3 (remote NOTIFICATION)" sh -c "grep '\"peer_down\"' $json | grep '10.0.1.1' | grep -q '\"reason_type\": 3'"
# And up again: Peer Up and its routes follow the Down.
bt_birdc a enable peer4 >/dev/null
bt_check "bmptapd-bird: peer_up again after enable" bt_wait 60 sh -c "[ \$(grep '\"peer_up\"' $json | grep -c '\"peer_ip\": \"10.0.1.1\"') -ge 2 ]"

mon=$BT_RUN/monitor.out
bt_check "bmptapd-bird: monitor: peer up 10.0.1.1" grep -q 'peer up 10.0.1.1 AS65001' "$mon"
bt_check "bmptapd-bird: monitor: route add 192.0.2.0/24" grep -q 'route add 192.0.2.0/24 peer 10.0.1.1' "$mon"
bt_check "bmptapd-bird: monitor: route del 192.0.2.128/25" grep -q 'route del 192.0.2.128/25 peer 10.0.1.1' "$mon"
bt_check "bmptapd-bird: monitor: peer down 10.0.1.1 reason 3" grep -q 'peer down 10.0.1.1 .*reason 3' "$mon"
kill $mpid 2>/dev/null
kill -TERM $dpid
wait $dpid; drc=$?
bt_check "bmptapd-bird: SIGTERM exits 0" [ "$drc" = 0 ]
bt_check "bmptapd-bird: Termination reached pmbmpd" bt_wait 10 has '"bmp_msg_type": "term"'
sleep 1
kill "$(cat "$BT_RUN/c/tcpdump.pid")"; sleep 1
tshark -r "$BT_RUN/c/bmp.pcap" -d tcp.port==11019,bmp -Y '_ws.malformed || _ws.expert.severity >= "Error"' \
	>"$ART/tshark-bad.txt" 2>"$ART/tshark-bad.err"; trc=$?
bt_check "bmptapd-bird: tshark filter ran" [ "$trc" = 0 ]
bt_check "bmptapd-bird: tshark decoded BMP" sh -c "tshark -r $BT_RUN/c/bmp.pcap -d tcp.port==11019,bmp -Y bmp 2>/dev/null | grep -q BMP"
bt_check "bmptapd-bird: tshark: no malformed packets or expert errors" sh -c "! grep -q . $ART/tshark-bad.txt"
tshark -r "$BT_RUN/c/bmp.pcap" -d tcp.port==11019,bmp -Y bmp -T fields -e bmp.type 2>/dev/null | tr ',' '\n' | sort | uniq -c >"$ART/bmp-types.txt"

cp "$json" "$BT_RUN/c/bmp.pcap" "$BT_LOG/bmptapd.out" "$BT_LOG"/c-pmbmpd-11019.* "$ART/" 2>/dev/null
[ "$BT_FAILS" = 0 ] || { tail -n 30 "$BT_LOG/bmptapd.out"; head -c 3000 "$json"; }
bt_cleanup
bt_done
