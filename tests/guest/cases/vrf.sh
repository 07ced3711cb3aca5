#!/bin/bash
# VRFs (l3mdev): namespace b holds two VRFs, vrf-a and vrf-b, each with a
# veth into its own peer namespace (va, vb) and the SAME addresses on both
# (b 10.0.5.2, peers 10.0.5.1), plus a default-VRF link to a.  BIRD in b
# runs three sessions: one per VRF (`vrf "vrf-a"`) and one in the default
# VRF.  The module taps b; bmptapd (vrf-b's RD configured) feeds pmbmpd in
# c.  Checks: three distinct flows in `bmptapctl show flows`, each VRF's
# named; `show peers` types 2 (vrf-a, distinguisher its ifindex), 1 (vrf-b,
# its RD) and 0; pmbmpd gets the three peers, the VRF peers' own routes;
# tshark decodes the per-peer headers as such and finds nothing malformed.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
ART=/mnt/results/vrf
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART"
json=$BT_RUN/c/pmbmpd-11019.json

peer_conf() { # AS ROUTE
	cat <<EOC
router id 10.0.5.1;
protocol device {}
protocol static s4 { ipv4; route $2 unreachable; }
protocol bgp up { local as $1; neighbor 10.0.5.2 as 65002; ipv4 { import all; export all; }; }
EOC
}

bt_modprobe veth
bt_modprobe vrf
bt_check "vrf: insmod" bt_insmod
bt_host a && bt_host b && bt_host c && bt_host va && bt_host vb
bt_link a b 1
bt_link b c 2
for v in a b; do
	t=$([ $v = a ] && echo 10 || echo 20)
	ip -n b link add vrf-$v type vrf table $t
	ip -n b link set vrf-$v up
	ip link add e$v netns v$v type veth peer name e$v netns b
	ip -n b link set e$v master vrf-$v
	ip -n b addr add 10.0.5.2/24 dev e$v
	ip -n v$v addr add 10.0.5.1/24 dev e$v
	ip -n b link set e$v up
	ip -n v$v link set e$v up
done
ia=$(ip -n b -o link show vrf-a | cut -d: -f1)

bt_pmbmpd c 11019
ip netns exec c tcpdump -U -q -i any -w "$BT_RUN/c/bmp.pcap" tcp port 11019 >"$BT_LOG/tcpdump.out" 2>&1 &
echo $! >"$BT_RUN/c/tcpdump.pid"
ip netns exec b "$B/bmptapd" -v --vrf-rd vrf-b=65002:20 >"$BT_LOG/bmptapd.out" 2>&1 &
dpid=$!
bt_check "vrf: bmptapd running" bt_wait 5 sh -c "ip netns exec b $B/bmptapctl show status | grep -q servers"
bt_check "vrf: server add" bt_in b "$B/bmptapctl" server add 10.0.2.2 port 11019
bt_check "vrf: Initiation reached pmbmpd" bt_wait 20 grep -q '"bmp_msg_type": "init"' "$json"

bt_bird a "$(cat <<EOC
router id 10.0.1.1;
protocol device {}
protocol static s4 { ipv4; route 192.0.2.0/24 unreachable; }
protocol bgp up { local as 65001; neighbor 10.0.1.2 as 65002; ipv4 { import all; export all; }; }
EOC
)"
bt_bird va "$(peer_conf 65010 198.18.10.0/24)"
bt_bird vb "$(peer_conf 65020 198.18.20.0/24)"
bt_bird b "$(cat <<EOC
router id 10.0.1.2;
protocol device {}
template bgp t { local as 65002; hold time 9; keepalive time 3; ipv4 { import all; export none; }; }
protocol bgp p0 from t { neighbor 10.0.1.1 as 65001; }
protocol bgp pa from t { vrf "vrf-a"; neighbor 10.0.5.1 as 65010; }
protocol bgp pb from t { vrf "vrf-b"; neighbor 10.0.5.1 as 65020; }
EOC
)"
for p in p0 pa pb; do
	bt_check "vrf: session $p established" bt_wait 60 bt_bird_established b $p
done

# The module: three flows, the two VRF ones with equal addresses and ports.
flows() { bt_in b "$B/bmptapctl" -j show flows >"$ART/flows.json" 2>&1; }
three_flows() {
	flows && [ "$(jq '[.[] | select(.state == "established")] | length' "$ART/flows.json")" = 3 ]
}
bt_check "vrf: three established flows" bt_wait 30 three_flows
bt_check "vrf: flows in vrf-a, vrf-b and the default VRF" \
	sh -c "[ \"\$(jq -r '[.[].vrf] | sort | join(\",\")' $ART/flows.json)\" = ',vrf-a,vrf-b' ]"
bt_check "vrf: vrf-a's flow has vrf-a's ifindex" \
	sh -c "[ \"\$(jq '.[] | select(.vrf == \"vrf-a\") | .vrf_ifindex' $ART/flows.json)\" = $ia ]"
bt_check "vrf: the VRF flows have the same addresses" \
	sh -c "[ \"\$(jq -r '[.[] | select(.vrf != \"\") | .local + \" \" + .remote] | unique | .[]' $ART/flows.json)\" = '10.0.5.2 10.0.5.1' ]"
# A VRF socket's output passes LOCAL_OUT twice (hooks.c): tapped once, no
# segment of it is a retransmission.
bt_check "vrf: VRF flows: segments sent, none seen twice" \
	sh -c "[ \"\$(jq -r '[.[] | select(.vrf != \"\") | .tx.segments > 0, .tx.retransmits == 0] | all' $ART/flows.json)\" = true ]"
bt_in b "$B/bmptapctl" show flows >"$ART/flows.txt" 2>&1
bt_check "vrf: show flows names the VRFs" sh -c "grep -q ' vrf vrf-a\$' $ART/flows.txt && grep -q ' vrf vrf-b\$' $ART/flows.txt"

# bmptapd: the peer types and distinguishers.
peers() { bt_in b "$B/bmptapctl" -j show peers >"$ART/peers.json" 2>&1; }
three_up() { peers && [ "$(jq '[.[] | select(.state == "established")] | length' "$ART/peers.json")" = 3 ]; }
bt_check "vrf: three established peers" bt_wait 30 three_up
pq() { jq -r ".[] | select(.vrf == \"$1\") | $2" "$ART/peers.json"; }
bt_check "vrf: vrf-a: Local Instance peer, distinguisher = ifindex" \
	sh -c "[ \"$(pq vrf-a '"\(.peer_type) \(.peer_distinguisher)"')\" = '2 $ia' ]"
bt_check "vrf: vrf-b: RD Instance peer 65002:20" \
	sh -c "[ \"$(pq vrf-b '"\(.peer_type) \(.rd)"')\" = '1 65002:20' ]"
bt_check "vrf: default VRF: Global Instance peer" \
	sh -c "[ \"$(pq '' '"\(.peer_type) \(.peer_distinguisher)"')\" = '0 0' ]"
bt_in b "$B/bmptapctl" show peers >"$ART/peers.txt" 2>&1
bt_check "vrf: show peers names the VRFs" sh -c "grep -q 'vrf vrf-a: Local Instance peer, distinguisher $ia' $ART/peers.txt && grep -q 'vrf vrf-b: RD Instance peer, RD 65002:20' $ART/peers.txt"

# The collector: three peers, the VRF ones with their own routes.
up_n() { [ "$(grep '"peer_up"' "$json" | grep -c "\"peer_ip\": \"$1\"")" -ge "$2" ]; }
bt_check "vrf: pmbmpd: peer_up 10.0.1.1" bt_wait 30 up_n 10.0.1.1 1
bt_check "vrf: pmbmpd: two peer_up 10.0.5.1" bt_wait 30 up_n 10.0.5.1 2
rm_has() { grep '"route_monitor"' "$json" | grep "\"ip_prefix\": \"$1\"" | grep -q "$2"; }
bt_check "vrf: pmbmpd: 192.0.2.0/24 from the global peer" bt_wait 30 rm_has 192.0.2.0/24 '"peer_ip": "10.0.1.1"'
bt_check "vrf: pmbmpd: 198.18.20.0/24 from vrf-b's RD Instance peer" bt_wait 30 rm_has 198.18.20.0/24 '"rd": "0:65002:20"'
bt_check "vrf: pmbmpd: 198.18.10.0/24 from vrf-a's peer" bt_wait 30 rm_has 198.18.10.0/24 '"peer_ip": "10.0.5.1"'
bt_check "vrf: pmbmpd: 198.18.10.0/24 without vrf-b's RD" sh -c "! grep '\"route_monitor\"' $json | grep '198.18.10.0/24' | grep -q '0:65002:20'"
bt_check "vrf: pmbmpd: 198.18.20.0/24 only with vrf-b's RD" sh -c "! grep '\"route_monitor\"' $json | grep '198.18.20.0/24' | grep -qv '0:65002:20'"

kill -TERM $dpid
wait $dpid; drc=$?
bt_check "vrf: SIGTERM exits 0" [ "$drc" = 0 ]
bt_check "vrf: Termination reached pmbmpd" bt_wait 10 grep -q '"bmp_msg_type": "term"' "$json"
kill "$(cat "$BT_RUN/c/tcpdump.pid")"
bt_wait 10 sh -c "! kill -0 $(cat "$BT_RUN/c/tcpdump.pid")"
T="tshark -r $BT_RUN/c/bmp.pcap -d tcp.port==11019,bmp"
$T -Y '_ws.malformed || _ws.expert.severity >= "Error"' >"$ART/tshark-bad.txt" 2>"$ART/tshark-bad.err"; trc=$?
bt_check "vrf: tshark filter ran" [ "$trc" = 0 ]
bt_check "vrf: tshark: no malformed packets or expert errors" sh -c "! grep -q . $ART/tshark-bad.txt"
# Peer Up headers: type, distinguisher, address, one line per Peer Up.
# (Several BMP messages in one segment: their values comma-separated, in order.)
$T -Y bmp -T fields -E occurrence=a -e bmp.type -e bmp.peer.type -e bmp.peer.distinguisher \
	-e bmp.peer.ip.addr 2>/dev/null | tr -d : | awk -F'\t' '{
		n = split($1, t, ","); split($2, p, ","); split($3, d, ","); split($4, a, ",")
		# Initiation and Termination have no per-peer header: skip them in step.
		j = 0
		for (i = 1; i <= n; i++) if (t[i] != 4 && t[i] != 5) { j++; if (t[i] == 3) print p[j] "\t" d[j] "\t" a[j] }
	}' >"$ART/peer-up.txt"
printf -v da '%016x' "$ia"
bt_check "vrf: tshark: Peer Up of vrf-a: type 2, distinguisher $da" grep -q "^2	$da	10.0.5.1" "$ART/peer-up.txt"
bt_check "vrf: tshark: Peer Up of vrf-b: type 1, RD 65002:20" grep -q "^1	0000fdea00000014	10.0.5.1" "$ART/peer-up.txt"
bt_check "vrf: tshark: Peer Up of the default VRF: type 0" grep -q "^0	0000000000000000	10.0.1.1" "$ART/peer-up.txt"

# A module loaded under running sessions: bmptapd adopts them from
# sock_diag (NEW_FLOW with the socket's bound device), each in its VRF, and
# the hooks then feed those flows (KEEPALIVEs every 3 s), not new ones.  The
# BIRDs are stopped meanwhile (within the 9 s hold time), so that no segment
# reaches the hooks first: a pure ACK starts no flow.
birds() { for n in a va vb b; do kill -"$1" "$(cat "$BT_RUN/$n/bird.pid")"; done; }
birds STOP
bt_check "vrf: rmmod" bt_wait 10 rmmod bmptap
bt_check "vrf: insmod under the sessions" bt_insmod
ip netns exec b "$B/bmptapd" -v >"$BT_LOG/bmptapd-2.out" 2>&1 &
dpid=$!
bt_check "vrf: bmptapd adopted 3 sessions" \
	bt_wait 5 grep -q '3 established session(s) found by sock_diag' "$BT_LOG/bmptapd-2.out"
birds CONT
adopted() {
	flows && [ "$(jq -r '[.[] | select(.discovered) | .vrf] | sort | join(",")' "$ART/flows.json")" = ',vrf-a,vrf-b' ]
}
bt_check "vrf: the three sessions adopted, each in its VRF" bt_wait 20 adopted
fed() {
	flows && [ "$(jq '[.[] | select(.discovered and .rx.segments > 0 and .tx.segments > 0)] | length' "$ART/flows.json")" = 3 ]
}
bt_check "vrf: the adopted flows are fed by the hooks" bt_wait 30 fed
bt_check "vrf: no other flow" sh -c "[ \"\$(jq length $ART/flows.json)\" = 3 ]"
kill -TERM $dpid
wait $dpid

cp "$json" "$BT_RUN/c/bmp.pcap" "$BT_LOG"/bmptapd*.out "$ART/" 2>/dev/null
[ "$BT_FAILS" = 0 ] || { tail -n 30 "$BT_LOG/bmptapd.out"; grep -m3 '"route_monitor"' "$json"; cat "$ART/peer-up.txt"; }
bt_cleanup
bt_done
