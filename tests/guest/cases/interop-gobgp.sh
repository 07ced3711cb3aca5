#!/bin/bash
# Interop, GoBGP as the tapped (local) daemon in namespace l, AS 4200000003:
#   bird   (b, 10.0.1.2, AS 65001)  IPv4 transport with TCP-MD5, IPv4 + IPv6
#          NLRI; GoBGP sends ADD-PATH (send-max), BIRD only receives; graceful
#          restart of b (GoBGP is the helper)
#   frr    (f, fd00:2::2, AS 65002) IPv6 transport, IPv6 NLRI
#   exabgp (e, 10.0.3.2, AS 65003)  no 4-octet AS capability (A flag,
#          AS4_PATH), sends two ADD-PATH paths (GoBGP receives)
# Two feeds of the same sessions reach two pmbmpd collectors in c: GoBGP's
# own BMP export ([[bmp-servers]], pre-policy) on port 11020 and bmptapd's on
# 11019.  Both must carry the same peers and the same (peer, prefix) table,
# after announcements, withdrawals and a peer going down.
# GoBGP's `neighbor X softresetin` re-applies policy to its stored
# Adj-RIB-In and sends no ROUTE-REFRESH: the refresh GoBGP takes part in is
# the one it answers (interop-policy checks the UPDATEs it sends again).
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_star interop-gobgp gobgp-l b f e
G=$(it_json c 11020)	# GoBGP's own BMP
it_collector c 11020

bt_bird b "router id 10.0.1.2;
protocol device {}
protocol static s4 { ipv4; route 192.0.2.0/24 unreachable; route 192.0.2.128/25 unreachable; }
protocol static s6 { ipv6; route 2001:db8:b::/48 unreachable; }
protocol static s6b { ipv6; route 2001:db8:b:1::/64 unreachable; }
protocol bgp l {
	local as 65001; neighbor 10.0.1.1 as 4200000003; password \"bt-md5-secret\";
	hold time 30; keepalive time 10; connect retry time 2; graceful restart on;
	ipv4 { import all; export all; add paths rx; };
	ipv6 { import all; export all; next hop address fd00:1::2; };
}"

bt_frr f "frr defaults traditional
hostname f
router bgp 65002
 bgp router-id 10.0.2.2
 no bgp ebgp-requires-policy
 timers bgp 10 30
 neighbor fd00:2::1 remote-as 4200000003
 neighbor fd00:2::1 timers connect 2
 address-family ipv4 unicast
  no neighbor fd00:2::1 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00:2::1 activate
  network 2001:db8:f::/48
  network 2001:db8:f:1::/64
 exit-address-family"

bt_exabgp e "$(it_exabgp_as2 10.0.3.2 10.0.3.1)"

gr='  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30'
bt_gobgp l "$(it_gobgp_global 4200000003 10.255.0.3)
$(it_gobgp_bmp 11020)
$(it_gobgp_nb -m bt-md5-secret 10.0.1.2 65001 ipv4-unicast ipv6-unicast -- "  [neighbors.add-paths.config]
    send-max = 8
$gr")
$(it_gobgp_nb fd00:2::2 65002 ipv6-unicast)
$(it_gobgp_nb 10.0.3.2 65003 ipv4-unicast -- '  [neighbors.add-paths.config]
    receive = true')"
bt_gobgpc l global rib add -a ipv4 198.51.100.0/24 >/dev/null

est() { bt_gobgp_established l "$1"; }
for p in 10.0.1.2 fd00:2::2 10.0.3.2; do
	bt_check "interop-gobgp: session with $p established" bt_wait 150 est $p
done
for p in 10.0.1.2 fd00:2::2 10.0.3.2; do
	it_wait 30 "bmptap: peer_up $p" "$J" up $p
	it_wait 30 "gobgp-bmp: peer_up $p" "$G" up $p
done
it_wait 20 "bmptap: bird v4: route 192.0.2.128/25" "$J" route 10.0.1.2 192.0.2.128/25
it_wait 20 "bmptap: bird v6-over-v4: route 2001:db8:b:1::/64" "$J" route 10.0.1.2 2001:db8:b:1::/64
it_wait 20 "bmptap: frr v6: route 2001:db8:f:1::/64" "$J" route fd00:2::2 2001:db8:f:1::/64
it_wait 20 "bmptap: exabgp as2+AS4_PATH: as_path 65003 4200000099" "$J" field 10.0.3.2 100.64.3.0/24 as_path "65003 4200000099"
it_wait 5 "bmptap: exabgp addpath-rx: 2 path ids" "$J" pathids 10.0.3.2 100.64.3.0/24 2
it_wait 20 "gobgp-bmp: exabgp route 100.64.3.0/24" "$G" route 10.0.3.2 100.64.3.0/24
it_wait 20 "gobgp-bmp: frr route 2001:db8:f:1::/64" "$G" route fd00:2::2 2001:db8:f:1::/64
# FRR sends GoBGP's own announcements of b's IPv6 routes back (AS_PATH
# 65002 4200000003 65001).  Pre-policy is what was received: bmptap's feed
# has them; GoBGP drops AS-loop routes before its Adj-RIB-In, so its own
# feed does not.  Shown here, then left out of the comparison.
it_wait 20 "bmptap: frr v6: AS-loop route 2001:db8:b::/48 (as received)" "$J" route fd00:2::2 2001:db8:b::/48
bt_check "interop-gobgp: gobgp-bmp: no AS-loop route from frr (GoBGP drops them pre-policy)" \
	sh -c "! $IT_PY $G rib | grep -q 'fd00:2::2 2001:db8:b::/48'"
sleep 3
it_wait 20 "same peers and routes in both feeds (announcements), AS-loop routes aside" -x 4200000003 "$J" same "$G"

# withdrawals: IPv4 (bird), IPv6 over IPv4 (bird), IPv6 (frr)
bt_birdc b disable s6b >/dev/null
bt_vtysh f -c 'configure terminal' -c 'router bgp 65002' -c 'address-family ipv6 unicast' \
	-c 'no network 2001:db8:f:1::/64' >/dev/null 2>&1
it_wait 20 "bmptap: bird v6-over-v4: withdrawal of 2001:db8:b:1::/64" "$J" withdraw 10.0.1.2 2001:db8:b:1::/64
it_wait 20 "bmptap: frr v6: withdrawal of 2001:db8:f:1::/64" "$J" withdraw fd00:2::2 2001:db8:f:1::/64
it_wait 20 "gobgp-bmp: withdrawal of 2001:db8:f:1::/64" "$G" withdraw fd00:2::2 2001:db8:f:1::/64
sleep 3
it_wait 20 "same peers and routes in both feeds (after withdrawals), AS-loop routes aside" -x 4200000003 "$J" same "$G"

# a peer goes down: frr's bgpd stops
kill "$(cat "$BT_RUN/f/bgpd.pid")"
it_wait 30 "bmptap: frr: peer_down fd00:2::2" "$J" down fd00:2::2
it_wait 30 "gobgp-bmp: frr: peer_down fd00:2::2" "$G" down fd00:2::2
sleep 2
it_wait 20 "same peers and routes in both feeds (after peer down), AS-loop routes aside" -x 4200000003 "$J" same "$G"
$IT_PY "$J" rib >"$ART/rib-bmptap.txt"; $IT_PY "$G" rib >"$ART/rib-gobgp.txt"

# graceful restart of b: GoBGP keeps b's routes as stale, b comes back with
# the Restart flag set, over TCP-MD5 again
n1=$(wc -l <"$J")
# The session's own packets: whether b closes with a NOTIFICATION decides
# the Peer Down's reason (checked below).
ip netns exec l tcpdump -U -q -i v1l -s 0 -w "$BT_RUN/l/bgp-b.pcap" tcp port 179 \
	>"$BT_LOG/l-tcpdump-bgp.out" 2>&1 &
echo $! >"$BT_RUN/l/tcpdump-bgp.pid"
bt_wait 10 grep -q 'listening on' "$BT_LOG/l-tcpdump-bgp.out"
it_bird_gr_restart b
it_wait 30 "bmptap: bird GR: peer_down for 10.0.1.2" "$J" down 10.0.1.2
bt_check "interop-gobgp: bird GR md5: session re-established" bt_wait 60 est 10.0.1.2
it_capture_stop l bgp
it_wait 30 "bmptap: bird GR: peer_up again for 10.0.1.2" -s $((n1 + 1)) "$J" up 10.0.1.2
it_wait 30 "bmptap: bird GR md5: route 192.0.2.128/25 again after the restart" -s $((n1 + 1)) \
	"$J" route 10.0.1.2 192.0.2.128/25

it_collector_end c 11019 "bmptap feed"
# GoBGP's own feed: pmbmpd only (tshark there would test GoBGP, at a minute
# a pass on a loaded guest).
it_collector_end c 11020 "gobgp's own feed" pmbmpd-only
it_tshark_has c 11019 "bmptap: exabgp as2: tshark: A flag set for 10.0.3.2" \
	'bmp.peer.ip.addr == 10.0.3.2 && bmp.type == 0 && bmp.peer.flags.as_path == 1'
bt_check "interop-gobgp: bmptap: bird GR: tshark: received OPEN's Restart flag clear in the first Peer Up, set after the restart" \
	it_gr_restarted c 11019 10.0.1.2
bt_check "interop-gobgp: bmptap: bird GR: Peer Down reason 3 when b's close carried a NOTIFICATION (BGP capture), else 4" \
	it_gr_down_reason "$BT_RUN/l/bgp-b.pcap" 10.0.1.2 "$J"
it_end
