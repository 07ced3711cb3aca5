#!/bin/bash
# Interop, GoBGP as the tapped (local) daemon in namespace l, AS 4200000003:
#   bird   (b, 10.0.1.2, AS 65001)  IPv4 transport, IPv4 + IPv6 NLRI; GoBGP
#          sends ADD-PATH (send-max), BIRD only receives
#   frr    (f, fd00:2::2, AS 65002) IPv6 transport, IPv6 NLRI
#   exabgp (e, 10.0.3.2, AS 65003)  no 4-octet AS capability (A flag,
#          AS4_PATH), sends two ADD-PATH paths (GoBGP receives)
# Two feeds of the same sessions reach two pmbmpd collectors in c: GoBGP's
# own BMP export ([[bmp-servers]], pre-policy) on port 11020 and bmptapd's on
# 11019.  Both must carry the same peers and the same (peer, prefix) table,
# after announcements, withdrawals and a peer going down.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_start interop-gobgp
for h in l b f e c; do bt_host $h; done
it_link l b 1; it_link l f 2; it_link l e 3; it_link l c 9
J=$(it_json c 11019)	# bmptap
G=$(it_json c 11020)	# GoBGP's own BMP
it_collector c 11019
it_collector c 11020
it_tapd l 10.0.9.2 11019 gobgp-l

bt_bird b "router id 10.0.1.2;
protocol device {}
protocol static s4 { ipv4; route 192.0.2.0/24 unreachable; route 192.0.2.128/25 unreachable; }
protocol static s6 { ipv6; route 2001:db8:b::/48 unreachable; }
protocol static s6b { ipv6; route 2001:db8:b:1::/64 unreachable; }
protocol bgp l {
	local as 65001; neighbor 10.0.1.1 as 4200000003;
	hold time 30; keepalive time 10; connect retry time 2;
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

bt_exabgp e "neighbor 10.0.3.1 {
	router-id 10.0.3.2;
	local-address 10.0.3.2;
	local-as 65003;
	peer-as 23456;
	hold-time 30;
	capability { asn4 disable; add-path send; }
	family { ipv4 unicast; }
	static {
		route 100.64.3.0/24 next-hop 10.0.3.2 as-path [ 65003 4200000099 ] path-information 0.0.0.1;
		route 100.64.3.0/24 next-hop 10.0.3.2 as-path [ 65003 65033 ] path-information 0.0.0.2;
	}
}"

nb() { # ADDRESS AS AFI-SAFI... [-- EXTRA]
	local a=$1 as=$2; shift 2
	printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n    peer-as = %s\n' "$a" "$as"
	printf '  [neighbors.timers.config]\n    connect-retry = 2\n    hold-time = 30\n    keepalive-interval = 10\n'
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$1"
		shift
	done
	[ "${1:-}" = -- ] && printf '%s\n' "$2"
}
bt_gobgp l "[global.config]
  as = 4200000003
  router-id = \"10.255.0.3\"
[[bmp-servers]]
  [bmp-servers.config]
    address = \"10.0.9.2\"
    port = 11020
    route-monitoring-policy = \"pre-policy\"
$(nb 10.0.1.2 65001 ipv4-unicast ipv6-unicast -- '  [neighbors.add-paths.config]
    send-max = 8')
$(nb fd00:2::2 65002 ipv6-unicast)
$(nb 10.0.3.2 65003 ipv4-unicast -- '  [neighbors.add-paths.config]
    receive = true')"
bt_gobgpc l global rib add -a ipv4 198.51.100.0/24 >/dev/null

est() { bt_gobgpc l neighbor "$1" | grep -qi 'BGP state = established'; }
for p in 10.0.1.2 fd00:2::2 10.0.3.2; do
	bt_check "interop-gobgp: session with $p established" bt_wait 90 est $p
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

it_collector_end c 11019 "bmptap feed"
it_collector_end c 11020 "gobgp's own feed"
it_tshark_has c 11019 "bmptap: exabgp as2: tshark: A flag set for 10.0.3.2" \
	'bmp.peer.ip.addr == 10.0.3.2 && bmp.type == 0 && bmp.peer.flags.as_path == 1'
it_end
