#!/bin/bash
# Interop, two tapped namespaces at once and a flapping session: BIRD in l1
# (AS 65101) and FRR in l2 (AS 65102) peer over IPv4 and over IPv6; both
# namespaces are tapped, each by its own bmptapd, both feeding one pmbmpd in
# c (BMP routers 10.0.8.1 and 10.0.9.1).  Each feed must show its own view:
# l1's the FRR peer and FRR's routes, l2's the BIRD peer and BIRD's routes.
# Then BIRD flaps the IPv4 session 4 times (disable/enable): each feed shows
# every Peer Down (l1: local NOTIFICATION, l2: remote NOTIFICATION) and
# Peer Up, the routes come back each time, and no stale peer remains.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_start interop-multi
for h in l1 l2 c; do bt_host $h; done
it_link l1 l2 1; it_link l1 c 8; it_link l2 c 9
J=$(it_json c 11019)
R1=10.0.8.1 R2=10.0.9.1
it_collector c 11019
it_tapd l1 10.0.8.2 11019 multi-l1
it_tapd l2 10.0.9.2 11019 multi-l2

bt_frr l2 "frr defaults traditional
hostname l2
router bgp 65102
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 timers bgp 10 30
 neighbor 10.0.1.1 remote-as 65101
 neighbor 10.0.1.1 timers connect 2
 neighbor fd00:1::1 remote-as 65101
 neighbor fd00:1::1 timers connect 2
 address-family ipv4 unicast
  network 192.0.2.0/24
  no neighbor fd00:1::1 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00:1::1 activate
  network 2001:db8:f::/48
 exit-address-family"

bt_bird l1 "router id 10.0.1.1;
protocol device {}
protocol static s4 { ipv4; route 198.51.100.0/24 unreachable; }
protocol static s6 { ipv6; route 2001:db8:b::/48 unreachable; }
template bgp T { local as 65101; hold time 30; keepalive time 10; connect retry time 2; }
protocol bgp p4 from T { neighbor 10.0.1.2 as 65102; ipv4 { import all; export all; }; }
protocol bgp p6 from T { neighbor fd00:1::2 as 65102; ipv6 { import all; export all; }; }"

for p in p4 p6; do
	bt_check "interop-multi: BIRD session $p established" bt_wait 90 bt_bird_established l1 $p
done
it_wait 30 "two namespaces: l1 feed: peer_up 10.0.1.2" -r $R1 "$J" up 10.0.1.2
it_wait 30 "two namespaces: l1 feed: peer_up fd00:1::2" -r $R1 "$J" up fd00:1::2
it_wait 30 "two namespaces: l2 feed: peer_up 10.0.1.1" -r $R2 "$J" up 10.0.1.1
it_wait 30 "two namespaces: l2 feed: peer_up fd00:1::1" -r $R2 "$J" up fd00:1::1
it_wait 20 "two namespaces: l1 feed: FRR's 192.0.2.0/24" -r $R1 "$J" route 10.0.1.2 192.0.2.0/24
it_wait 20 "two namespaces: l1 feed: FRR's 2001:db8:f::/48" -r $R1 "$J" route fd00:1::2 2001:db8:f::/48
it_wait 20 "two namespaces: l2 feed: BIRD's 198.51.100.0/24" -r $R2 "$J" route 10.0.1.1 198.51.100.0/24
it_wait 20 "two namespaces: l2 feed: BIRD's 2001:db8:b::/48" -r $R2 "$J" route fd00:1::1 2001:db8:b::/48
bt_check "interop-multi: two namespaces: l1 feed has no peer of l2's view" \
	sh -c "! $IT_PY -r $R1 $J peers | grep -q -e '^10.0.1.1$' -e '^fd00:1::1$'"
bt_check "interop-multi: two namespaces: l2 feed has no peer of l1's view" \
	sh -c "! $IT_PY -r $R2 $J peers | grep -q -e '^10.0.1.2$' -e '^fd00:1::2$'"

# flap the IPv4 session 4 times
for i in 1 2 3 4; do
	bt_birdc l1 disable p4 >/dev/null
	it_wait 30 "flap $i: l1 feed: peer_down $i (local NOTIFICATION)" -r $R1 "$J" down 10.0.1.2 $i 1
	it_wait 30 "flap $i: l2 feed: peer_down $i (remote NOTIFICATION)" -r $R2 "$J" down 10.0.1.1 $i 3
	n=$(wc -l <"$J")
	bt_birdc l1 enable p4 >/dev/null
	bt_check "interop-multi: flap $i: re-established" bt_wait 60 bt_bird_established l1 p4
	it_wait 30 "flap $i: l1 feed: peer_up $((i + 1))" -r $R1 "$J" up 10.0.1.2 $((i + 1))
	it_wait 30 "flap $i: l2 feed: peer_up $((i + 1))" -r $R2 "$J" up 10.0.1.1 $((i + 1))
	it_wait 20 "flap $i: l1 feed: FRR's route again" -r $R1 -s $((n + 1)) "$J" route 10.0.1.2 192.0.2.0/24
	it_wait 20 "flap $i: l2 feed: BIRD's route again" -r $R2 -s $((n + 1)) "$J" route 10.0.1.1 198.51.100.0/24
done
bt_check "interop-multi: flap: IPv6 session untouched (1 peer_up in each feed)" sh -c \
	"[ \$($IT_PY -r $R1 $J count peer_up fd00:1::2) = 1 ] && [ \$($IT_PY -r $R2 $J count peer_up fd00:1::1) = 1 ]"
for ns in l1 l2; do
	bt_in $ns "$IT_B/bmptapctl" -j show status >"$ART/status-$ns.json" 2>&1
	bt_check "interop-multi: flap: $ns: bmptapd keeps exactly 2 established peers" sh -c \
		"[ \$(grep -o '\"state\": *\"established\"' $ART/status-$ns.json | wc -l) = 2 ]"
done

it_collector_end c 11019 "both feeds"
it_end
