#!/bin/bash
# Every daemon helper works: BIRD in "r" peers with FRR, GoBGP and ExaBGP in
# their own namespaces; GoBGP exports BMP natively to pmacct's pmbmpd, whose
# JSON log must show the peer up and a route.
. "$BMPTAP_TOP/tests/lib/guest.sh"

bt_modprobe veth
for h in r f g e; do bt_host $h; done
bt_link r f 1; bt_link r g 2; bt_link r e 3

bt_bird r "router id 10.0.1.1;
protocol device {}
protocol static { ipv4; route 192.0.2.0/24 unreachable; }
template bgp p { local as 65000; ipv4 { import all; export all; }; }
protocol bgp frr from p { neighbor 10.0.1.2 as 65001; }
protocol bgp gobgp from p { neighbor 10.0.2.2 as 65002; }
protocol bgp exabgp from p { neighbor 10.0.3.2 as 65003; }"

bt_frr f "frr defaults traditional
hostname f
router bgp 65001
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 neighbor 10.0.1.1 remote-as 65000
 address-family ipv4 unicast
  network 198.51.100.0/24
 exit-address-family"

bt_pmbmpd g 11019
bt_gobgp g '[global.config]
  as = 65002
  router-id = "10.0.2.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.2.1"
    peer-as = 65000
[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = 11019'
bt_gobgpc g global rib add 203.0.113.0/24 >/dev/null

bt_exabgp e "neighbor 10.0.3.1 {
	router-id 10.0.3.2;
	local-address 10.0.3.2;
	local-as 65003;
	peer-as 65000;
	static { route 100.64.0.0/24 next-hop 10.0.3.2; }
}"

for p in frr gobgp exabgp; do
	bt_check "daemons: BIRD established with $p" bt_wait 120 bt_bird_established r $p
done
bt_check "daemons: FRR learned BIRD's route" \
	bt_wait 20 sh -c "ip netns exec f vtysh --vty_socket $BT_RUN/f/vty -c 'show ip bgp 192.0.2.0/24' | grep -q 65000"
bt_check "daemons: BIRD learned routes from FRR, GoBGP and ExaBGP" bt_wait 20 sh -c "
	birdc -s $BT_RUN/r/bird.ctl show route 198.51.100.0/24 | grep -q AS65001 &&
	birdc -s $BT_RUN/r/bird.ctl show route 203.0.113.0/24 | grep -q AS65002 &&
	birdc -s $BT_RUN/r/bird.ctl show route 100.64.0.0/24 | grep -q AS65003"
bt_check "daemons: pmbmpd logged GoBGP's peer up" \
	bt_wait 30 grep -q '"bmp_msg_type": "peer_up"' "$BT_RUN/g/pmbmpd-11019.json"
bt_check "daemons: pmbmpd logged a route from GoBGP's BMP" \
	bt_wait 30 grep -q '192.0.2.0/24' "$BT_RUN/g/pmbmpd-11019.json"
[ "$BT_FAILS" = 0 ] || { tail -n 5 "$BT_LOG"/*; cat "$BT_RUN/g/pmbmpd-11019.json" | head; }
bt_cleanup
bt_done
