#!/bin/bash
# Interop, FRR bgpd as the tapped (local) daemon in namespace l, AS 4200000002:
#   bird   (b, fd00:1::2, AS 65001) IPv6 transport with TCP-MD5, IPv6 NLRI,
#          BIRD sends two ADD-PATH paths per prefix (FRR receives), extended
#          messages (a 4.8 kB UPDATE: FRR 8.4 has RFC 8654)
#   exabgp (e, 10.0.2.2, AS 65003)  no 4-octet AS capability (A flag,
#          AS4_PATH); FRR sends ADD-PATH (addpath-tx-all-paths), ExaBGP only
#          receives: ExaBGP's UPDATEs carry no path ids
#   gobgp  (g, 10.0.3.2, AS 65002)  graceful restart (gobgpd killed and
#          restarted with -r), route refresh (clear ... soft in)
# bmptapd (in l) feeds pmbmpd in c: pmbmpd JSON, tshark, and a collector
# reconnect for the replay from bmptapd's RIB.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_star interop-frr frr-l b e g

lc=$(for i in $(seq 1 400); do printf 'bgp_large_community.add((65001,1,%d)); ' "$i"; done)
bt_bird b "router id 10.0.1.2;
protocol device {}
protocol static sa { ipv6; route 2001:db8:b::/48 unreachable { bgp_community.add((65001,1)); };
	route 2001:db8:b:1::/64 unreachable; route 2001:db8:b:4::/64 unreachable { $lc }; }
protocol static sb { ipv6; route 2001:db8:b::/48 unreachable { bgp_community.add((65001,2)); }; }
protocol bgp l {
	local as 65001; neighbor fd00:1::1 as 4200000002; password \"bt-md5-secret\";
	hold time 30; keepalive time 10; connect retry time 2; enable extended messages;
	ipv6 { import all; export all; add paths tx; };
}"

bt_exabgp e "neighbor 10.0.2.1 {
	router-id 10.0.2.2;
	local-address 10.0.2.2;
	local-as 65003;
	peer-as 23456;
	hold-time 30;
	capability { asn4 disable; add-path receive; }
	family { ipv4 unicast; }
	static {
		route 100.64.2.0/24 next-hop 10.0.2.2 as-path [ 65003 4200000099 ];
		route 100.64.20.0/24 next-hop 10.0.2.2 as-path [ 65003 ];
	}
}"

gconf="$(it_gobgp_global 65002 10.0.3.2)
$(it_gobgp_nb 10.0.3.1 4200000002 ipv4-unicast -- '    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30')"
bt_gobgp g "$gconf"
bt_gobgpc g global rib add -a ipv4 203.0.113.0/24 >/dev/null

bt_frr l "frr defaults traditional
hostname l
router bgp 4200000002
 bgp router-id 10.255.0.2
 no bgp ebgp-requires-policy
 bgp graceful-restart
 timers bgp 10 30
 neighbor fd00:1::2 remote-as 65001
 neighbor fd00:1::2 password bt-md5-secret
 neighbor fd00:1::2 timers connect 2
 neighbor 10.0.2.2 remote-as 65003
 neighbor 10.0.2.2 timers connect 2
 neighbor 10.0.3.2 remote-as 65002
 neighbor 10.0.3.2 timers connect 2
 address-family ipv4 unicast
  network 198.51.100.0/24
  no neighbor fd00:1::2 activate
  neighbor 10.0.2.2 addpath-tx-all-paths
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00:1::2 activate
 exit-address-family"

est() { bt_vtysh l -c "show bgp neighbors $1" | grep -q 'BGP state = Established'; }
for p in fd00:1::2 10.0.2.2 10.0.3.2; do
	bt_check "interop-frr: session with $p established" bt_wait 90 est $p
done
for p in fd00:1::2 10.0.2.2 10.0.3.2; do
	it_wait 30 "peer_up $p" "$J" up $p
done
# bird: IPv6 transport, MD5, two paths per prefix
it_wait 20 "bird v6 md5: route 2001:db8:b:1::/64" "$J" route fd00:1::2 2001:db8:b:1::/64
it_wait 20 "bird addpath-rx: 2 path ids for 2001:db8:b::/48" "$J" pathids fd00:1::2 2001:db8:b::/48 2
it_wait 5 "bird addpath-rx: community 65001:2 on one path" "$J" field fd00:1::2 2001:db8:b::/48 comms 65001:2
bt_check "interop-frr: bird extmsg: FRR negotiated extended messages" sh -c \
	"ip netns exec l vtysh --vty_socket $BT_RUN/l/vty -c 'show bgp neighbors fd00:1::2' | grep -q 'Extended Message: advertised and received'"
it_wait 20 "bird extmsg: 4.8 kB UPDATE for 2001:db8:b:4::/64 with 400 large communities" \
	"$J" field fd00:1::2 2001:db8:b:4::/64 lcomms "65001:1:400"
# exabgp: AS4_PATH, FRR sends ADD-PATH, ExaBGP does not
it_wait 20 "exabgp as2+AS4_PATH: as_path 65003 4200000099" "$J" field 10.0.2.2 100.64.2.0/24 as_path "65003 4200000099"
it_wait 5 "exabgp addpath-tx-only: route 100.64.20.0/24 (no path id)" "$J" field 10.0.2.2 100.64.20.0/24 as_path 65003
# gobgp: route
it_wait 20 "gobgp: route 203.0.113.0/24" "$J" route 10.0.3.2 203.0.113.0/24

# --- route refresh --------------------------------------------------------
bt_vtysh l -c 'clear bgp ipv4 unicast 10.0.3.2 soft in' >/dev/null 2>&1
it_wait 20 "gobgp route-refresh: 203.0.113.0/24 announced again" "$J" route 10.0.3.2 203.0.113.0/24 2

# --- withdrawal ------------------------------------------------------------
bt_birdc b disable sb >/dev/null 2>&1 || true
bt_birdc b disable sa >/dev/null
it_wait 20 "bird v6: withdrawal of 2001:db8:b:1::/64" "$J" withdraw fd00:1::2 2001:db8:b:1::/64
it_wait 20 "bird addpath-rx: withdrawal of 2001:db8:b::/48" "$J" withdraw fd00:1::2 2001:db8:b::/48
bt_birdc b enable sa >/dev/null
bt_birdc b enable sb >/dev/null
it_wait 20 "bird addpath-rx: 2001:db8:b:1::/64 again" "$J" route fd00:1::2 2001:db8:b:1::/64 2

# --- collector reconnect: replay from bmptapd's RIB -------------------------
sleep 2
n0=$(wc -l <"$J")
bt_in l "$IT_B/bmptapctl" server set 10.0.9.2 port 11019 sys-name frr-l2 >/dev/null
it_wait 30 "replay: peer_up fd00:1::2" -s $((n0 + 1)) "$J" up fd00:1::2
it_wait 20 "replay: bird addpath-rx: 2 path ids" -s $((n0 + 1)) "$J" pathids fd00:1::2 2001:db8:b::/48 2
it_wait 5 "replay: exabgp as2: as_path 65003 4200000099" -s $((n0 + 1)) \
	"$J" field 10.0.2.2 100.64.2.0/24 as_path "65003 4200000099"
it_wait 5 "replay: gobgp 203.0.113.0/24" -s $((n0 + 1)) "$J" route 10.0.3.2 203.0.113.0/24

# --- graceful restart of gobgpd ------------------------------------------------
n1=$(wc -l <"$J")
bt_check "$IT_NAME: gobgpd killed" it_kill g gobgpd KILL
it_wait 30 "gobgp GR: peer_down for 10.0.3.2 (remote closed, reason 4)" "$J" down 10.0.3.2 1 4
it_gobgp_restart g
bt_gobgpc g global rib add -a ipv4 203.0.113.0/24 >/dev/null
bt_check "interop-frr: gobgp GR: session re-established" bt_wait 60 est 10.0.3.2
it_wait 30 "gobgp GR: peer_up again" -s $((n1 + 1)) "$J" up 10.0.3.2
it_wait 30 "gobgp GR: route again after the restart" -s $((n1 + 1)) "$J" route 10.0.3.2 203.0.113.0/24

# --- peer down with a local NOTIFICATION -----------------------------------
bt_vtysh l -c 'configure terminal' -c 'router bgp 4200000002' -c 'neighbor 10.0.2.2 shutdown' >/dev/null 2>&1
it_wait 30 "exabgp: peer_down reason 1 (local NOTIFICATION)" "$J" down 10.0.2.2 1 1

it_collector_end c 11019
it_tshark_has c 11019 "exabgp as2: tshark: A flag set for 10.0.2.2" \
	'bmp.peer.ip.addr == 10.0.2.2 && bmp.type == 0 && bmp.peer.flags.as_path == 1'
it_tshark_has c 11019 "exabgp as2: tshark: AS4_PATH attribute" \
	'bmp.type == 0 && bgp.update.path_attribute.type_code == 17'
it_tshark_has c 11019 "bird addpath-rx: tshark: NLRI path id in Route Monitoring" \
	'bmp.type == 0 && bgp.nlri_path_id > 0'
it_tshark_has c 11019 "bird extmsg: tshark: Route Monitoring with a BGP UPDATE over 4096 bytes" \
	'bmp.type == 0 && bgp.length > 4096'
bt_check "interop-frr: gobgp GR: tshark: received OPEN's Restart flag clear in the first Peer Up, set after the restart" \
	it_gr_restarted c 11019 10.0.3.2
it_end
