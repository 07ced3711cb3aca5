#!/bin/bash
# RFC 9972 statistics (issue 20): BIRD a (AS65001) sends BIRD b (AS65002,
# tapped) IPv4 and IPv6 routes over one session; bmptapd in b has import
# filters for 203.0.113.0/24 le 32 and 2001:db8:f::/48 le 64, and a route
# with 65002 in its AS path is a loop.  Statistics Reports every 15 s go to
# tests/tools/bmp-stats.py, a decoder written from the RFCs.  Routes built
# to move each per-AFI/SAFI counter move it: types 19 and 21 (pre- and
# post-policy), 22 (rejected by the import filters, not loops) and 23
# (accepted), as a announces and withdraws and a filter is deleted.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
BS=$BT_TOP/tests/tools/bmp-stats.py
ART=/mnt/results/stats-9972
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART"
T=stats-9972
STATS=$BT_RUN/c/stats.jsonl

# st KEY=VALUE...: the last report for 10.0.1.1 has these values.
st() { python3 "$BS" check "$STATS" 10.0.1.1 "$@" >"$ART/check.out" 2>&1; }
a_conf() { # IPv4 and IPv6 static routes of a
	cat <<EOC
router id 10.0.1.1;
protocol device {}
protocol static s4 { ipv4; $1 }
protocol static s6 { ipv6; $2 }
protocol bgp peer {
	local as 65001; neighbor 10.0.1.2 as 65002;
	ipv4 { import none; export filter {
		if net = 198.18.0.0/24 then bgp_path.prepend(65002);
		accept; }; };
	ipv6 { import none; export all; next hop address fd00:1::1; };
}
EOC
}

bt_modprobe veth
bt_check "$T: insmod" bt_insmod
bt_host a && bt_host b && bt_host c
bt_link a b 1
bt_link b c 2

ip netns exec c python3 "$BS" listen 0.0.0.0 11020 >"$STATS" 2>"$BT_LOG/bmp-stats.err" &
echo $! >"$BT_RUN/c/bmp-stats.pid"
bt_check "$T: decoder listening" bt_wait 10 grep -q listening "$STATS"

ip netns exec b "$B/bmptapd" -v >"$BT_LOG/bmptapd.out" 2>&1 &
dpid=$!
bt_check "$T: bmptapd running" bt_wait 5 sh -c "ip netns exec b $B/bmptapctl show status | grep -q servers"
bt_check "$T: filter add f4" bt_in b "$B/bmptapctl" filter add f4 prefix 203.0.113.0/24 le 32
bt_check "$T: filter add f6" bt_in b "$B/bmptapctl" filter add f6 prefix 2001:db8:f::/48 le 64
bt_check "$T: server add" bt_in b "$B/bmptapctl" server add 10.0.2.2 port 11020 \
	policy all,adj-rib-out statistics-timeout 15

R4="route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable; route 198.18.0.0/24 unreachable;"
R6="route 2001:db8:a::/48 unreachable; route 2001:db8:f::/48 unreachable;"
bt_bird a "$(a_conf "$R4" "$R6")"
bt_bird b "router id 10.0.1.2;
protocol device {}
protocol bgp peer {
	local as 65002; neighbor 10.0.1.1 as 65001;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}"
bt_check "$T: session established" bt_wait 60 bt_bird_established a peer

# 1. IPv4: 192.0.2.0/24 accepted, 203.0.113.0/24 filtered, 198.18.0.0/24
#    looped; IPv6: 2001:db8:a::/48 accepted, 2001:db8:f::/48 filtered.
bt_check "$T: 1: per-AFI/SAFI 19 21 22 23" bt_wait 60 st \
	19:1:1=3 19:2:1=2 21:1:1=1 21:2:1=1 22:1:1=1 22:2:1=1 23:1:1=1 23:2:1=1
cp "$ART/check.out" "$ART/check-1.out"
bt_check "$T: 1: rejected announcements (0) and the loop (4)" st 0=2 4=1 18=5 20=2

# 2. a adds a filtered IPv4 and an accepted IPv6 route.
a_conf "$R4 route 203.0.113.128/25 unreachable;" "$R6 route 2001:db8:a:1::/64 unreachable;" \
	>"$BT_RUN/a/bird.conf"
bt_birdc a configure >/dev/null
bt_check "$T: 2: 22 IPv4 and 23 IPv6 up" bt_wait 60 st \
	19:1:1=4 19:2:1=3 22:1:1=2 22:2:1=1 23:1:1=1 23:2:1=2

# 3. The IPv6 filter deleted: its route moves from 22 to 23.
bt_check "$T: filter del f6" bt_in b "$B/bmptapctl" filter del f6
bt_check "$T: 3: IPv6 route from 22 to 23" bt_wait 60 st \
	19:2:1=3 21:2:1=3 22:1:1=2 22:2:1=0 23:2:1=3

# 4. a withdraws both filtered IPv4 routes.
a_conf "route 192.0.2.0/24 unreachable; route 198.18.0.0/24 unreachable;" \
	"$R6 route 2001:db8:a:1::/64 unreachable;" >"$BT_RUN/a/bird.conf"
bt_birdc a configure >/dev/null
bt_check "$T: 4: 22 IPv4 back to 0" bt_wait 60 st \
	19:1:1=2 21:1:1=1 22:1:1=0 23:1:1=1 22:2:1=0 23:2:1=3

bt_check "$T: reports for the Loc-RIB instance" grep -q '"peer_type": 3' "$STATS"
bt_check "$T: no 22/23 in the Loc-RIB instance's reports" sh -c \
	"! grep '\"peer_type\": 3' $STATS | grep -q '\"2[23]:'"
bt_check "$T: decoder found nothing the RFCs forbid" sh -c "! grep -q error $STATS"

kill -TERM $dpid
wait $dpid; drc=$?
bt_check "$T: SIGTERM exits 0" [ "$drc" = 0 ]
cp "$STATS" "$BT_LOG/bmptapd.out" "$ART/" 2>/dev/null
[ "$BT_FAILS" = 0 ] || { tail -n 30 "$BT_LOG/bmptapd.out"; tail -n 3 "$STATS"; cat "$ART/check.out"; }
bt_cleanup
bt_done
