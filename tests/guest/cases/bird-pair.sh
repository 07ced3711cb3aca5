#!/bin/bash
# Two BIRD instances in two namespaces establish eBGP over IPv4 and IPv6 and
# exchange static routes; checked through birdc.  Proves the harness, the
# namespace helpers and the daemon helpers, with no bmptap involved.
. "$BMPTAP_TOP/tests/lib/guest.sh"

bird_conf() { # AS ROUTER-ID NEIGHBOR4 NEIGHBOR6 PEER-AS PREFIX4 PREFIX6
	cat <<EOC
router id $2;
protocol device {}
protocol static s4 { ipv4; route $6 unreachable; }
protocol static s6 { ipv6; route $7 unreachable; }
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

bt_modprobe veth
bt_host a && bt_host b && bt_link a b 1
bt_bird a "$(bird_conf 65001 10.0.1.1 10.0.1.2 fd00:1::2 65002 192.0.2.0/24 2001:db8:a::/48)"
bt_bird b "$(bird_conf 65002 10.0.1.2 10.0.1.1 fd00:1::1 65001 198.51.100.0/24 2001:db8:b::/48)"
bt_check "bird-pair: IPv4 session established" bt_wait 30 bt_bird_established a peer4
bt_check "bird-pair: IPv6 session established" bt_wait 30 bt_bird_established a peer6
bt_check "bird-pair: b learned 192.0.2.0/24 from a" \
	bt_wait 10 sh -c "birdc -s $BT_RUN/b/bird.ctl show route 192.0.2.0/24 | grep -q 'AS65001'"
bt_check "bird-pair: a learned 2001:db8:b::/48 from b" \
	bt_wait 10 sh -c "birdc -s $BT_RUN/a/bird.ctl show route 2001:db8:b::/48 | grep -q 'AS65002'"
bt_cleanup
bt_done
