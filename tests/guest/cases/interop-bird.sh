#!/bin/bash
# Interop, BIRD 2 as the tapped (local) daemon in namespace l, AS 4200000001,
# with four sessions in that one namespace:
#   frr    (f, 10.0.1.2, AS 65001)  IPv4 transport, TCP-MD5, IPv4 + IPv6
#          NLRI over IPv4, route refresh (birdc reload in), IPv6 withdrawal
#   gobgp  (g, fd00:2::2, AS 65002) IPv6 transport, IPv4 + IPv6 NLRI over
#          IPv6, BIRD sends ADD-PATH (tx only: received UPDATEs carry no path
#          ids), IPv4 withdrawal over MP_UNREACH
#   exabgp (e, 10.0.3.2, AS 65003)  no 4-octet AS capability (A flag,
#          AS_PATH with AS_TRANS + AS4_PATH), ADD-PATH received (2 paths)
#   bird   (b, 10.0.4.2, AS 65004)  extended messages (a 4.8 kB UPDATE),
#          ADD-PATH received, graceful restart of b
# bmptapd (in l) feeds pmbmpd in c; the feed is checked through pmbmpd's JSON
# and tshark's BMP dissector; a collector reconnect checks bmptapd's replay
# (re-encoded from its RIB) of the same routes.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_star interop-bird bird-l f g e b

# --- peers ---------------------------------------------------------------
bt_frr f "frr defaults traditional
hostname f
router bgp 65001
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 timers bgp 10 30
 neighbor 10.0.1.1 remote-as 4200000001
 neighbor 10.0.1.1 password bt-md5-secret
 neighbor 10.0.1.1 timers connect 2
 address-family ipv4 unicast
  network 192.0.2.0/24
 exit-address-family
 address-family ipv6 unicast
  neighbor 10.0.1.1 activate
  neighbor 10.0.1.1 route-map v6nh out
  network 2001:db8:f::/48
  network 2001:db8:f:1::/64
 exit-address-family
route-map v6nh permit 10
 set ipv6 next-hop global fd00:1::2"

bt_gobgp g "$(it_gobgp_global 65002 10.0.2.2)
$(it_gobgp_nb fd00:2::1 4200000001 ipv4-unicast ipv6-unicast -- '  [neighbors.add-paths.config]
    receive = true')"
bt_gobgpc g global rib add -a ipv4 203.0.113.0/24 nexthop 10.0.2.2 >/dev/null
bt_gobgpc g global rib add -a ipv4 203.0.113.128/25 nexthop 10.0.2.2 >/dev/null
bt_gobgpc g global rib add -a ipv6 2001:db8:2::/48 >/dev/null

bt_exabgp e "$(it_exabgp_as2 10.0.3.2 10.0.3.1)"

lc=$(for i in $(seq 1 400); do printf 'bgp_large_community.add((65004,1,%d)); ' "$i"; done)
bconf="router id 10.0.4.2;
protocol device {}
protocol static sa { ipv4; route 100.64.4.0/24 unreachable { $lc };
	route 100.64.5.0/24 unreachable { bgp_community.add((65004,1)); }; }
protocol static sb { ipv4; route 100.64.5.0/24 unreachable { bgp_community.add((65004,2)); }; }
protocol bgp l {
	local as 65004; neighbor 10.0.4.1 as 4200000001;
	hold time 30; keepalive time 10; connect retry time 2;
	graceful restart on; enable extended messages;
	ipv4 { import all; export all; add paths tx; };
}"
bt_bird b "$bconf"

# --- the tapped daemon ------------------------------------------------------
bt_bird l "router id 10.255.0.1;
protocol device {}
protocol static s4 { ipv4; route 198.51.100.0/24 unreachable; }
protocol static s6 { ipv6; route 2001:db8:100::/48 unreachable; }
template bgp T { local as 4200000001; hold time 30; keepalive time 10; connect retry time 2; }
protocol bgp frr from T {
	neighbor 10.0.1.2 as 65001; password \"bt-md5-secret\";
	ipv4 { import all; export where source = RTS_STATIC; };
	ipv6 { import all; export none; };
}
protocol bgp gobgp from T {
	neighbor fd00:2::2 as 65002;
	ipv4 { import all; export where source = RTS_STATIC; next hop address 10.0.2.1;
	       extended next hop on; add paths tx; };
	ipv6 { import all; export where source = RTS_STATIC; };
}
protocol bgp exabgp from T {
	neighbor 10.0.3.2 as 65003;
	ipv4 { import all; export where source = RTS_STATIC; add paths rx; };
}
protocol bgp birdb from T {
	neighbor 10.0.4.2 as 65004; graceful restart on; enable extended messages;
	ipv4 { import all; export where source = RTS_STATIC; add paths rx; };
}"
for p in frr gobgp exabgp birdb; do
	bt_check "interop-bird: session with $p established" bt_wait 90 bt_bird_established l $p
done

# --- several sessions in one namespace: a Peer Up for each -----------------
for peer in 10.0.1.2 fd00:2::2 10.0.3.2 10.0.4.2; do
	it_wait 30 "peer_up $peer" "$J" up $peer
done
# frr: IPv4 transport with TCP-MD5, IPv4 and IPv6 NLRI
it_wait 20 "frr md5: IPv4 route 192.0.2.0/24" "$J" route 10.0.1.2 192.0.2.0/24
# A wrong A flag would make pmbmpd read this 4-octet AS_PATH as "0 65001".
it_wait 5 "frr as4: as_path exactly 65001 (A flag clear)" "$J" fieldeq 10.0.1.2 192.0.2.0/24 as_path 65001
it_wait 20 "frr v6-over-v4: IPv6 route 2001:db8:f::/48" "$J" route 10.0.1.2 2001:db8:f::/48
it_wait 20 "frr v6-over-v4: IPv6 route 2001:db8:f:1::/64" "$J" route 10.0.1.2 2001:db8:f:1::/64
# gobgp: IPv6 transport, IPv4 NLRI over it
it_wait 20 "gobgp v4-over-v6: IPv4 route 203.0.113.0/24" "$J" route fd00:2::2 203.0.113.0/24
it_wait 20 "gobgp v4-over-v6: IPv4 route 203.0.113.128/25" "$J" route fd00:2::2 203.0.113.128/25
it_wait 20 "gobgp v6: IPv6 route 2001:db8:2::/48" "$J" route fd00:2::2 2001:db8:2::/48
bt_check "interop-bird: gobgp addpath-tx-only: received route decoded without path id (as_path 65002)" \
	it_q "$J" field fd00:2::2 203.0.113.0/24 as_path 65002
# exabgp: 2-octet AS speaker, AS4_PATH, two ADD-PATH paths
it_wait 20 "exabgp as2: route 100.64.3.0/24" "$J" route 10.0.3.2 100.64.3.0/24 2
it_wait 5 "exabgp as2+AS4_PATH: as_path 65003 4200000099 (AS4_PATH merged)" \
	"$J" field 10.0.3.2 100.64.3.0/24 as_path "65003 4200000099"
it_wait 5 "exabgp addpath-rx: 2 path ids for 100.64.3.0/24" "$J" pathids 10.0.3.2 100.64.3.0/24 2
# bird: extended message, ADD-PATH
it_wait 20 "bird extmsg: 4.8 kB UPDATE for 100.64.4.0/24 with 400 large communities" \
	"$J" field 10.0.4.2 100.64.4.0/24 lcomms "65004:1:400"
it_wait 20 "bird addpath-rx: 2 path ids for 100.64.5.0/24" "$J" pathids 10.0.4.2 100.64.5.0/24 2

# --- route refresh: BIRD asks frr to resend ---------------------------------
n=$(it_q "$J" count route_monitor 10.0.1.2)
bt_birdc l reload in frr >/dev/null
it_wait 20 "frr route-refresh: 192.0.2.0/24 announced again" "$J" route 10.0.1.2 192.0.2.0/24 2
bt_check "interop-bird: frr route-refresh: more route monitoring after reload" \
	bt_wait 10 sh -c "[ \$($IT_PY $J count route_monitor 10.0.1.2) -gt $n ]"

# --- withdrawals: IPv6 over IPv4 (frr), IPv4 over IPv6 (gobgp) --------------
bt_vtysh f -c 'configure terminal' -c 'router bgp 65001' -c 'address-family ipv6 unicast' \
	-c 'no network 2001:db8:f:1::/64' >/dev/null 2>&1
bt_gobgpc g global rib del -a ipv4 203.0.113.128/25 >/dev/null
it_wait 20 "frr v6-over-v4: withdrawal of 2001:db8:f:1::/64" "$J" withdraw 10.0.1.2 2001:db8:f:1::/64
it_wait 20 "gobgp v4-over-v6: withdrawal of 203.0.113.128/25" "$J" withdraw fd00:2::2 203.0.113.128/25

# --- collector reconnect: replay re-encoded from bmptapd's RIB -------------
n0=$(wc -l <"$J")
bt_in l "$IT_B/bmptapctl" server set 10.0.9.2 port 11019 sys-name bird-l2 >/dev/null
it_wait 30 "replay: peer_up for all 4 peers" -s $((n0 + 1)) "$J" up 10.0.4.2
for peer in 10.0.1.2 fd00:2::2 10.0.3.2; do
	it_wait 5 "replay: peer_up $peer" -s $((n0 + 1)) "$J" up $peer
done
it_wait 20 "replay: frr v6-over-v4 2001:db8:f::/48" -s $((n0 + 1)) "$J" route 10.0.1.2 2001:db8:f::/48
it_wait 5 "replay: gobgp v4-over-v6 203.0.113.0/24" -s $((n0 + 1)) "$J" route fd00:2::2 203.0.113.0/24
it_wait 5 "replay: exabgp as2: as_path 65003 4200000099" -s $((n0 + 1)) \
	"$J" field 10.0.3.2 100.64.3.0/24 as_path "65003 4200000099"
it_wait 5 "replay: exabgp addpath-rx: 2 path ids" -s $((n0 + 1)) "$J" pathids 10.0.3.2 100.64.3.0/24 2
it_wait 5 "replay: bird addpath-rx: 2 path ids" -s $((n0 + 1)) "$J" pathids 10.0.4.2 100.64.5.0/24 2
it_wait 5 "replay: bird extmsg: 400 large communities" -s $((n0 + 1)) \
	"$J" field 10.0.4.2 100.64.4.0/24 lcomms "65004:1:400"
bt_check "interop-bird: replay: withdrawn routes not replayed" sh -c \
	"! tail -n +$((n0 + 1)) $J | grep -q -e 2001:db8:f:1::/64 -e 203.0.113.128/25"

# --- graceful restart of b ---------------------------------------------------
n1=$(wc -l <"$J")
it_bird_gr_restart b
it_wait 30 "bird GR: peer_down for 10.0.4.2 (remote closed, reason 4)" "$J" down 10.0.4.2 1 4
bt_check "interop-bird: bird GR: session re-established" bt_wait 60 bt_bird_established l birdb
it_wait 30 "bird GR: peer_up again for 10.0.4.2" "$J" up 10.0.4.2 3
it_wait 20 "bird GR: routes again after the restart" -s $((n1 + 1)) "$J" pathids 10.0.4.2 100.64.5.0/24 2

# --- peer down with a local NOTIFICATION -----------------------------------
bt_birdc l disable exabgp >/dev/null
it_wait 30 "exabgp: peer_down reason 1 (local NOTIFICATION)" "$J" down 10.0.3.2 1 1

it_collector_end c 11019
it_tshark_has c 11019 "exabgp as2: tshark: A flag set for 10.0.3.2" \
	'bmp.peer.ip.addr == 10.0.3.2 && bmp.type == 0 && bmp.peer.flags.as_path == 1'
# (tshark aggregates fields per frame, several BMP messages to a frame: a
# per-peer "A flag clear" filter cannot be trusted; pmbmpd decodes by it.)
it_tshark_has c 11019 "exabgp as2: tshark: AS4_PATH attribute in Route Monitoring" \
	'bmp.type == 0 && bgp.update.path_attribute.type_code == 17'
it_tshark_has c 11019 "addpath-rx: tshark: NLRI path id 2" 'bmp.type == 0 && bgp.nlri_path_id == 2'
it_tshark_has c 11019 "bird extmsg: tshark: Route Monitoring with a BGP UPDATE over 4096 bytes" \
	'bmp.type == 0 && bgp.length > 4096'
bt_check "interop-bird: bird GR: tshark: received OPEN's Restart flag clear in the first Peer Up, set after the restart" \
	it_gr_restarted c 11019 10.0.4.2
it_end
