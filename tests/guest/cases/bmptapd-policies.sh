#!/bin/bash
# bmptapd route-monitoring policies (issue 6): BIRD a (AS65001) feeds BIRD b
# (AS65002, tapped) IPv4 routes, one of them with 65002 in its AS path (b
# drops it: a loop) and one that an import filter (in b's BIRD and declared
# with `bmptapctl filter add`) rejects.  bmptapd in b exports pre-policy,
# post-policy, local-rib and adj-rib-out with statistics every 15 s and
# mirroring to pmbmpd in c.  Checks from pmbmpd's JSON: post-policy routes
# (is_post) without the looped and filtered ones, Adj-RIB-Out (is_out) with
# what b sent, Loc-RIB (is_loc) equal to `birdc show route` best routes,
# statistics counters (AS path loop, rejected), mirrored messages; tshark
# finds no malformed packet.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
ART=/mnt/results/bmptapd-policies
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART"
T=bmptapd-policies

json=$BT_RUN/c/pmbmpd-11019.json
rm_has() { grep '"route_monitor"' "$json" | grep "$1" | grep -q "\"ip_prefix\": \"$2\""; }

bt_modprobe veth
bt_check "$T: insmod" bt_insmod
bt_host a && bt_host b && bt_host c
bt_link a b 1
bt_link b c 2

bt_pmbmpd c 11019
ip netns exec c tcpdump -U -q -i any -w "$BT_RUN/c/bmp.pcap" tcp port 11019 >"$BT_LOG/tcpdump.out" 2>&1 &
echo $! >"$BT_RUN/c/tcpdump.pid"

ip netns exec b "$B/bmptapd" -v >"$BT_LOG/bmptapd.out" 2>&1 &
dpid=$!
bt_check "$T: bmptapd running" bt_wait 5 sh -c "ip netns exec b $B/bmptapctl show status | grep -q servers"
bt_check "$T: filter add" bt_in b "$B/bmptapctl" filter add no-203 prefix 203.0.113.0/24
bt_check "$T: filter refused (host bits)" sh -c "! ip netns exec b $B/bmptapctl filter add bad prefix 10.0.0.1/8 2>$BT_LOG/filter-bad.err"
bt_in b "$B/bmptapctl" filter show >"$ART/filters.txt" 2>&1
bt_check "$T: filter show" grep -q "no-203 *prefix 203.0.113.0/24" "$ART/filters.txt"
bt_check "$T: server add" bt_in b "$B/bmptapctl" server add 10.0.2.2 port 11019 \
	policy all,adj-rib-out statistics-timeout 15 mirroring on sys-name bmptap-b
bt_check "$T: Initiation reached pmbmpd" bt_wait 20 grep -q '"bmp_msg_type": "init"' "$json"

bt_bird a "$(cat <<EOC
router id 10.0.1.1;
protocol device {}
protocol static s4 { ipv4; route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable;
	route 198.18.0.0/24 unreachable; }
protocol bgp peer4 {
	local as 65001; neighbor 10.0.1.2 as 65002;
	ipv4 { import all; export filter {
		if net = 198.18.0.0/24 then bgp_path.prepend(65002);
		accept; }; };
}
EOC
)"
bt_bird b "$(cat <<EOC
router id 10.0.1.2;
protocol device {}
protocol static s4 { ipv4; route 198.51.100.0/24 unreachable; }
protocol bgp peer4 {
	local as 65002; neighbor 10.0.1.1 as 65001;
	ipv4 { import filter { if net = 203.0.113.0/24 then reject; accept; }; export all; };
}
EOC
)"
bt_check "$T: session established" bt_wait 60 bt_bird_established a peer4
bt_check "$T: pre-policy 198.18.0.0/24 (looped) seen" bt_wait 20 rm_has '"is_in": 1' 198.18.0.0/24
bt_check "$T: post-policy 192.0.2.0/24" bt_wait 20 rm_has '"is_post": 1' 192.0.2.0/24
bt_check "$T: post-policy without the looped route" sh -c "! grep '\"route_monitor\"' $json | grep '\"is_post\": 1' | grep -q 198.18.0.0/24"
bt_check "$T: post-policy without the filtered route" sh -c "! grep '\"route_monitor\"' $json | grep '\"is_post\": 1' | grep -q 203.0.113.0/24"
bt_check "$T: adj-rib-out 198.51.100.0/24 (sent by b)" bt_wait 20 rm_has '"is_out": 1' 198.51.100.0/24
bt_check "$T: loc-rib 192.0.2.0/24" bt_wait 20 rm_has '"is_loc": 1' 192.0.2.0/24
# Loc-RIB = b's BGP best routes (its static route is not in BMP's view).
bt_birdc b show route protocol peer4 primary >"$ART/birdc-b.txt" 2>&1
for pfx in 192.0.2.0/24 203.0.113.0/24 198.18.0.0/24; do
	if grep -q "^$pfx" "$ART/birdc-b.txt"; then
		bt_check "$T: loc-rib has $pfx (bird best)" rm_has '"is_loc": 1' $pfx
	else
		bt_check "$T: loc-rib lacks $pfx (not in bird)" sh -c "! grep '\"route_monitor\"' $json | grep '\"is_loc\": 1' | grep -q '$pfx'"
	fi
done
bt_check "$T: stats report" bt_wait 40 grep -q '"bmp_msg_type": "stats"' "$json"
grep '"stats"' "$json" >"$ART/stats.json"
bt_check "$T: stats: AS path loop counted (type 4)" sh -c "grep '\"counter_type\": 4,' $ART/stats.json | grep -q '\"counter_value\": 1'"
bt_check "$T: stats: rejected by filter (type 0)" sh -c "grep '\"counter_type\": 0,' $ART/stats.json | grep -q '\"counter_value\": 1'"
bt_check "$T: stats: Adj-RIB-In routes (type 7)" sh -c "grep '\"counter_type\": 7,' $ART/stats.json | grep -q '\"counter_value\": 3'"
# pmacct 1.7.7 prints RFC 9972 types it does not know as hex bytes.
bt_check "$T: stats: post-policy routes (type 20)" sh -c "grep '\"counter_type\": 20,' $ART/stats.json | grep -Eq '\"counter_value\": (1|\"00-00-00-00-00-00-00-01\")'"

# The filter removed: the post-policy view now has 203.0.113.0/24.
bt_check "$T: filter del" bt_in b "$B/bmptapctl" filter del no-203
bt_check "$T: post-policy 203.0.113.0/24 after filter del" bt_wait 20 rm_has '"is_post": 1' 203.0.113.0/24

kill -TERM $dpid
wait $dpid; drc=$?
bt_check "$T: SIGTERM exits 0" [ "$drc" = 0 ]
sleep 1
kill "$(cat "$BT_RUN/c/tcpdump.pid")"; sleep 1
# tshark 4.0 hands everything after a Peer Up's OPENs to the BGP dissector:
# the Loc-RIB Peer Up's VRF/Table Name TLV (RFC 9069 requires it) shows as
# "Malformed BGP" there.  Those frames are checked apart: the TLV must be
# the only thing after the OPENs.
tshark -r "$BT_RUN/c/bmp.pcap" -d tcp.port==11019,bmp \
	-Y '(_ws.malformed || _ws.expert.severity >= "Error") && !(bmp.type == 3 && bmp.peer.type == 3)' \
	>"$ART/tshark-bad.txt" 2>"$ART/tshark-bad.err"; trc=$?
bt_check "$T: tshark: Loc-RIB Peer Up ends with the table name TLV" sh -c \
	"tshark -r $BT_RUN/c/bmp.pcap -d tcp.port==11019,bmp -Y 'bmp.type == 3 && bmp.peer.type == 3' -x 2>/dev/null | grep -q 'global'"
bt_check "$T: tshark filter ran" [ "$trc" = 0 ]
bt_check "$T: tshark: no malformed packets or expert errors" sh -c "! grep -q . $ART/tshark-bad.txt"
tshark -r "$BT_RUN/c/bmp.pcap" -d tcp.port==11019,bmp -Y bmp -T fields -e bmp.type -e bmp.peer.type -e bmp.peer.flags 2>/dev/null | sort | uniq -c >"$ART/bmp-types.txt"
grep -q . "$ART/tshark-bad.txt" && tshark -r "$BT_RUN/c/bmp.pcap" -d tcp.port==11019,bmp -V \
	-Y '_ws.malformed || _ws.expert.severity >= "Error"' 2>/dev/null | head -c 20000 >"$ART/tshark-bad-detail.txt"
# pmbmpd does not log Route Mirroring: count them in the decode (type 6).
bt_check "$T: route mirroring messages sent" sh -c "tshark -r $BT_RUN/c/bmp.pcap -d tcp.port==11019,bmp -Y 'bmp.type == 6' 2>/dev/null | grep -q ."

cp "$json" "$BT_RUN/c/bmp.pcap" "$BT_LOG/bmptapd.out" "$BT_LOG"/c-pmbmpd-11019.* "$ART/" 2>/dev/null
[ "$BT_FAILS" = 0 ] || { tail -n 30 "$BT_LOG/bmptapd.out"; grep -v route_monitor "$json" | head -c 3000; }
bt_cleanup
bt_done
