#!/bin/bash
# Interop, ExaBGP as the tapped (local) daemon in namespace l, AS 4200000004:
#   bird   (b, 10.0.1.2, AS 65001)  IPv4 transport with TCP-MD5, extended
#          messages (a 4.8 kB UPDATE), BIRD sends two ADD-PATH paths (ExaBGP
#          receives); ExaBGP asks b for a route refresh through its API
#   gobgp  (g, fd00:2::2, AS 65002) IPv6 transport, IPv6 + IPv4 NLRI over
#          IPv6; graceful restart of g (gobgpd killed, restarted with -r)
#   frr    (f, 10.0.3.2, AS 65005)  dont-capability-negotiate: no 4-octet AS
#          capability (A flag), no multiprotocol capability (IPv4 implied).
#          FRR still reads ExaBGP's 4-octet AS capability: its remote-as is
#          4200000004 (23456 gets NOTIFICATION Bad Peer AS).
# bmptapd (in l) feeds pmbmpd in c: pmbmpd JSON, tshark, collector replay.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_star interop-exabgp exabgp-l b g f

lc=$(for i in $(seq 1 400); do printf 'bgp_large_community.add((65001,1,%d)); ' "$i"; done)
bt_bird b "router id 10.0.1.2;
protocol device {}
protocol static sa { ipv4; route 100.64.4.0/24 unreachable { $lc };
	route 100.64.5.0/24 unreachable { bgp_community.add((65001,1)); }; }
protocol static sb { ipv4; route 100.64.5.0/24 unreachable { bgp_community.add((65001,2)); }; }
protocol bgp l {
	local as 65001; neighbor 10.0.1.1 as 4200000004; password \"bt-md5-secret\";
	hold time 30; keepalive time 10; connect retry time 2;
	enable extended messages;
	ipv4 { import all; export all; add paths tx; };
}"

bt_gobgp g "$(it_gobgp_global 65002 10.0.2.2)
$(it_gobgp_nb fd00:2::1 4200000004 ipv4-unicast ipv6-unicast -- '  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30')"
bt_gobgpc g global rib add -a ipv4 203.0.113.0/24 nexthop 10.0.2.2 >/dev/null
bt_gobgpc g global rib add -a ipv6 2001:db8:2::/48 >/dev/null
bt_gobgpc g global rib add -a ipv6 2001:db8:2:1::/64 >/dev/null

bt_frr f "frr defaults traditional
hostname f
router bgp 65005
 bgp router-id 10.0.3.2
 no bgp ebgp-requires-policy
 timers bgp 10 30
 neighbor 10.0.3.1 remote-as 4200000004
 neighbor 10.0.3.1 timers connect 2
 neighbor 10.0.3.1 dont-capability-negotiate
 address-family ipv4 unicast
  network 192.0.2.0/24
 exit-address-family"

# The API process reads commands (route refresh) appended to $CMDS.
CMDS=$BT_RUN/l/exabgp-cmds
bt_exabgp l "$(it_exabgp_api "$CMDS")
neighbor 10.0.1.2 {
	router-id 10.255.0.4;
	local-address 10.0.1.1;
	local-as 4200000004;
	peer-as 65001;
	hold-time 30;
	md5-password bt-md5-secret;
	capability { extended-message enable; add-path receive; route-refresh enable; }
	family { ipv4 unicast; }
	static { route 198.51.100.0/24 next-hop 10.0.1.1; }
	api { processes [ cmds ]; }
}
neighbor fd00:2::2 {
	router-id 10.255.0.4;
	local-address fd00:2::1;
	local-as 4200000004;
	peer-as 65002;
	hold-time 30;
	capability { graceful-restart 30; }
	family { ipv4 unicast; ipv6 unicast; }
}
neighbor 10.0.3.2 {
	router-id 10.255.0.4;
	local-address 10.0.3.1;
	local-as 4200000004;
	peer-as 65005;
	hold-time 30;
	family { ipv4 unicast; }
}"

for p in 10.0.1.2 fd00:2::2 10.0.3.2; do
	it_wait 120 "peer_up $p" "$J" up $p
done
it_wait 20 "bird extmsg: 4.8 kB UPDATE for 100.64.4.0/24 with 400 large communities" \
	"$J" field 10.0.1.2 100.64.4.0/24 lcomms "65001:1:400"
it_wait 20 "bird addpath-rx: 2 path ids for 100.64.5.0/24" "$J" pathids 10.0.1.2 100.64.5.0/24 2
it_wait 20 "gobgp v4-over-v6: route 203.0.113.0/24" "$J" route fd00:2::2 203.0.113.0/24
it_wait 20 "gobgp v6: route 2001:db8:2:1::/64" "$J" route fd00:2::2 2001:db8:2:1::/64
it_wait 20 "frr no-capabilities (as2): route 192.0.2.0/24, as_path 65005" "$J" field 10.0.3.2 192.0.2.0/24 as_path 65005

# route refresh: ExaBGP asks b (API), b sends its routes again
n=$(it_q "$J" count route_monitor 10.0.1.2)
echo "neighbor 10.0.1.2 announce route-refresh ipv4 unicast" >>"$CMDS"
it_wait 30 "bird md5 route-refresh: 100.64.4.0/24 (4.8 kB UPDATE) announced again" \
	"$J" route 10.0.1.2 100.64.4.0/24 2
bt_check "interop-exabgp: bird route-refresh: more route monitoring after the refresh" \
	bt_wait 10 sh -c "[ \$($IT_PY $J count route_monitor 10.0.1.2) -gt $n ]"

# withdrawals over IPv6 transport (IPv4 over MP_UNREACH and IPv6)
bt_gobgpc g global rib del -a ipv4 203.0.113.0/24 >/dev/null
bt_gobgpc g global rib del -a ipv6 2001:db8:2:1::/64 >/dev/null
it_wait 20 "gobgp v4-over-v6: withdrawal of 203.0.113.0/24" "$J" withdraw fd00:2::2 203.0.113.0/24
it_wait 20 "gobgp v6: withdrawal of 2001:db8:2:1::/64" "$J" withdraw fd00:2::2 2001:db8:2:1::/64

# collector reconnect: replay re-encoded from bmptapd's RIB
sleep 2
n0=$(wc -l <"$J")
bt_in l "$IT_B/bmptapctl" server set 10.0.9.2 port 11019 sys-name exabgp-l2 >/dev/null
it_wait 30 "replay: peer_up 10.0.3.2" -s $((n0 + 1)) "$J" up 10.0.3.2
it_wait 20 "replay: bird extmsg: 400 large communities" -s $((n0 + 1)) \
	"$J" field 10.0.1.2 100.64.4.0/24 lcomms "65001:1:400"
it_wait 5 "replay: bird addpath-rx: 2 path ids" -s $((n0 + 1)) "$J" pathids 10.0.1.2 100.64.5.0/24 2
it_wait 5 "replay: gobgp v6 2001:db8:2::/48" -s $((n0 + 1)) "$J" route fd00:2::2 2001:db8:2::/48
it_wait 5 "replay: frr as2: as_path 65005" -s $((n0 + 1)) "$J" field 10.0.3.2 192.0.2.0/24 as_path 65005
bt_check "interop-exabgp: replay: withdrawn routes not replayed" sh -c \
	"! tail -n +$((n0 + 1)) $J | grep -q -e 203.0.113.0/24 -e 2001:db8:2:1::/64"

# peer down and graceful restart: gobgpd dies (the remote closes without
# NOTIFICATION) and comes back with -r (Restart flag set)
n1=$(wc -l <"$J")
bt_check "$IT_NAME: gobgpd killed" it_kill g gobgpd KILL
it_wait 30 "gobgp: peer_down fd00:2::2 (remote closed, reason 4)" "$J" down fd00:2::2 1 4
it_gobgp_restart g
bt_gobgpc g global rib add -a ipv6 2001:db8:2:2::/64 >/dev/null
it_wait 60 "gobgp GR: peer_up again for fd00:2::2" -s $((n1 + 1)) "$J" up fd00:2::2
it_wait 30 "gobgp GR: route 2001:db8:2:2::/64 after the restart" -s $((n1 + 1)) \
	"$J" route fd00:2::2 2001:db8:2:2::/64

it_collector_end c 11019
it_tshark_has c 11019 "frr as2: tshark: A flag set for 10.0.3.2" \
	'bmp.peer.ip.addr == 10.0.3.2 && bmp.type == 0 && bmp.peer.flags.as_path == 1'
it_tshark_has c 11019 "bird extmsg: tshark: Route Monitoring with a BGP UPDATE over 4096 bytes" \
	'bmp.type == 0 && bgp.length > 4096'
it_tshark_has c 11019 "bird addpath-rx: tshark: NLRI path id 2" 'bmp.type == 0 && bgp.nlri_path_id == 2'
bt_check "interop-exabgp: gobgp GR: tshark: received OPEN's Restart flag clear in the first Peer Up, set after the restart" \
	it_gr_restarted c 11019 fd00:2::2
it_end
