#!/bin/bash
# Loc-RIB from the routes the local daemon installs (issue 6 item 3): BIRD in
# r1 (AS 65010, kernel protocol) and FRR bgpd + zebra in r2 (AS 65020) each
# learn the same prefixes from p1 (AS 65001, AS_PATH 65001) and p2 (AS 65002,
# AS_PATH 65002 65099 65098).  Each daemon's import policy gives p2's routes
# LOCAL_PREF 200, so the daemon selects p2's paths where the RFC 4271
# decision process over the received attributes (eBGP: no LOCAL_PREF, so the
# shorter AS_PATH wins) would select p1's: a Loc-RIB with p2's paths proves
# the kernel-route source is used.  bmptapd in r1 and r2 (default
# --loc-rib-source auto) feeds pmbmpd in c with policy local-rib.
# Checked, per router: every prefix of the Loc-RIB in pmbmpd's JSON has the
# next hop of the best route `birdc show route` / `vtysh show ip bgp` ('>')
# reports, and no other prefix is there; the status says the source is the
# kernel routes with none unjoined; p2 withdrawing a prefix moves the Loc-RIB
# to p1's path, p1 withdrawing its only one withdraws it from the Loc-RIB;
# tshark sees the VRF/Table Name TLV in the Loc-RIB Peer Up; on SIGTERM each
# bmptapd sends the Loc-RIB Peer Down (reason 6, RFC 9069 5.4) with the TLV.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_start locrib-kernel
for h in r1 r2 p1 p2 c; do bt_host $h; done
it_link r1 p1 1; it_link r1 p2 2; it_link r2 p1 3; it_link r2 p2 4
it_link r1 c 8; it_link r2 c 9
J=$(it_json c 11019)
R1=10.0.8.1 R2=10.0.9.1
PFXS="192.0.2.0/24 198.51.100.0/24 203.0.113.0/24"
it_collector c 11019
it_tapd r1 10.0.8.2 11019 locrib-bird policy local-rib
it_tapd r2 10.0.9.2 11019 locrib-frr policy local-rib

# p1 and p2 peer with both routers; p2 prepends two ASes.
peer_conf() { # AS ROUTER-ID R1-ADDR R2-ADDR EXPORT-FILTER STATICS
	cat <<EOC
router id $2;
protocol device {}
$6
protocol bgp r1 { local as $1; neighbor $3 as 65010; connect retry time 2;
	ipv4 { import none; export filter { $5 accept; }; }; }
protocol bgp r2 { local as $1; neighbor $4 as 65020; connect retry time 2;
	ipv4 { import none; export filter { $5 accept; }; }; }
EOC
}
bt_check "$IT_NAME: BIRD p1 started" bt_bird p1 "$(peer_conf 65001 10.0.255.1 10.0.1.1 10.0.3.1 "" \
	"protocol static st { ipv4; route 192.0.2.0/24 unreachable; route 198.51.100.0/24 unreachable; }
protocol static wd { ipv4; route 203.0.113.0/24 unreachable; }")"
bt_check "$IT_NAME: BIRD p2 started" bt_bird p2 "$(peer_conf 65002 10.0.255.2 10.0.2.1 10.0.4.1 \
	"bgp_path.prepend(65098); bgp_path.prepend(65099);" \
	"protocol static st { ipv4; route 192.0.2.0/24 unreachable; }
protocol static wd { ipv4; route 198.51.100.0/24 unreachable; }")"
bt_check "$IT_NAME: BIRD r1 started" bt_bird r1 "router id 10.0.255.10;
protocol device {}
protocol kernel { ipv4 { export all; }; }
protocol bgp p1 { local as 65010; neighbor 10.0.1.2 as 65001; connect retry time 2;
	ipv4 { import all; export none; }; }
protocol bgp p2 { local as 65010; neighbor 10.0.2.2 as 65002; connect retry time 2;
	ipv4 { import filter { bgp_local_pref = 200; accept; }; export none; }; }"
bt_check "$IT_NAME: FRR with zebra started" bt_frr r2 "frr defaults traditional
hostname r2
router bgp 65020
 bgp router-id 10.0.255.20
 no bgp ebgp-requires-policy
 timers bgp 10 30
 neighbor 10.0.3.2 remote-as 65001
 neighbor 10.0.3.2 timers connect 2
 neighbor 10.0.4.2 remote-as 65002
 neighbor 10.0.4.2 timers connect 2
 address-family ipv4 unicast
  neighbor 10.0.4.2 route-map LP200 in
 exit-address-family
route-map LP200 permit 10
 set local-preference 200" zebra

# The daemons' best routes: "PREFIX NEXT-HOP" lines, sorted.
best_bird() {
	bt_birdc r1 show route primary | awk '
		/^[0-9]/ { net = $1 } /^\tvia / && net != "" { print net, $2; net = "" }' | sort
}
best_frr() {
	bt_vtysh r2 -c 'show ip bgp' 2>/dev/null | awk '
		/^[*]/ { nh = ($2 ~ /\//) ? $3 : $2; if ($2 ~ /\//) net = $2
			 if ($1 ~ />/) print net, nh }' | sort
}
# The Loc-RIB as pmbmpd logged it for router R: "PREFIX NEXT-HOP" of the
# last update of each prefix not withdrawn since.
locrib() {
	jq -R -r --arg r "$1" 'fromjson? | select(.bmp_msg_type == "route_monitor" and
		.is_loc == 1 and .bmp_router == $r) |
		"\(.ip_prefix) \(if .log_type == "withdraw" then "-" else .bgp_nexthop end)"' "$J" |
		awk '{ last[$1] = $2 } END { for (p in last) if (last[p] != "-") print p, last[p] }' | sort
}
# The Loc-RIB equals the daemon's best routes (and has WANT lines).
same() { # R BEST-FN WANT
	local a b
	a=$(locrib "$1"); b=$($2)
	[ "$(printf '%s\n' "$b" | grep -c .)" = "$3" ] && [ "$a" = "$b" ] && return 0
	echo "loc-rib of $1: $(echo $a) / daemon best: $(echo $b)"
	return 1
}
lr_path() { # R PREFIX: the AS_PATH of its last Loc-RIB update
	jq -R -r --arg r "$1" --arg p "$2" 'fromjson? | select(.bmp_msg_type == "route_monitor" and
		.is_loc == 1 and .bmp_router == $r and .ip_prefix == $p and .log_type != "withdraw") |
		.as_path' "$J" | tail -n 1
}
picked_p2() { $1 | grep -q '^192.0.2.0/24 10.0.[24].2$'; }
status_has() { bt_in "$1" "$IT_B/bmptapctl" show status | jq -e "$2" >/dev/null; }

bt_log "daemons started"
for r in r1:R1:best_bird r2:R2:best_frr; do
	IFS=: read -r ns rv fn <<<"$r"
	bt_check "$IT_NAME: $ns: daemon selected p2's path for 192.0.2.0/24" \
		bt_wait 90 picked_p2 "$fn"
	bt_check "$IT_NAME: $ns: routes installed" bt_wait 30 sh -c \
		"ip -n $ns route show 192.0.2.0/24 | grep -q 'via 10.0.[24].2'"
	bt_check "$IT_NAME: $ns: loc-rib = daemon best (3 prefixes)" bt_wait 30 same "${!rv}" "$fn" 3
	bt_check "$IT_NAME: $ns: loc-rib 192.0.2.0/24 is p2's path (not the decision process's)" \
		[ "$(lr_path "${!rv}" 192.0.2.0/24)" = "65002 65099 65098" ]
	bt_check "$IT_NAME: $ns: status: source kernel routes, 3 installed, none unjoined" \
		bt_wait 10 status_has "$ns" '.loc_rib_source.source == "kernel routes" and
			.loc_rib_source.installed_routes == 3 and .loc_rib_source.unjoined == 0'
done
bt_in r1 "$IT_B/bmptapctl" show status >"$ART/status-r1.json" 2>&1
bt_in r2 "$IT_B/bmptapctl" show status >"$ART/status-r2.json" 2>&1

bt_log "converged and checked"
# p2 withdraws 198.51.100.0/24: p1's path is selected, installed, reported.
bt_birdc p2 disable wd >/dev/null 2>&1
# p1 withdraws 203.0.113.0/24, its only path: gone from the Loc-RIB.
bt_birdc p1 disable wd >/dev/null 2>&1
bt_check "$IT_NAME: r1: loc-rib = daemon best after withdrawals (2 prefixes)" bt_wait 60 same $R1 best_bird 2
bt_check "$IT_NAME: r2: loc-rib = daemon best after withdrawals (2 prefixes)" bt_wait 60 same $R2 best_frr 2
for rv in R1 R2; do
	bt_check "$IT_NAME: ${rv,,}: loc-rib 198.51.100.0/24 moved to p1's path" \
		[ "$(lr_path "${!rv}" 198.51.100.0/24)" = "65001" ]
	bt_check "$IT_NAME: ${rv,,}: loc-rib withdrawal of 203.0.113.0/24" sh -c \
		"jq -R -c 'fromjson? | select(.bmp_msg_type == \"route_monitor\" and .is_loc == 1 and
		.bmp_router == \"${!rv}\" and .ip_prefix == \"203.0.113.0/24\" and
		.log_type == \"withdraw\")' $J | grep -q ."
done
best_bird >"$ART/best-r1.txt"; best_frr >"$ART/best-r2.txt"
locrib $R1 >"$ART/locrib-r1.txt"; locrib $R2 >"$ART/locrib-r2.txt"

bt_log "withdrawals checked"
# SIGTERM: the Loc-RIB instance is no longer monitored: Peer Down, reason 6.
for ns in r1 r2; do
	bt_check "$IT_NAME: $ns: bmptapd SIGTERM" it_kill $ns bmptapd TERM
done
for rv in R1 R2; do
	bt_check "$IT_NAME: ${rv,,}: loc-rib peer down, reason 6" bt_wait 20 sh -c \
		"jq -R -c 'fromjson? | select(.bmp_msg_type == \"peer_down\" and
		.bmp_router == \"${!rv}\" and (.reason_type|tostring) == \"6\")' $J | grep -q ."
done
bt_log "stopped"
it_collector_end c 11019
# One tshark pass (each costs tens of seconds under TCG): the Loc-RIB Peer
# Up (type 3) and Peer Down (type 2) messages carrying the table name.
tshark -r "$BT_RUN/c/bmp-11019.pcap" -d tcp.port==11019,bmp \
	-Y 'bmp.peer.type == 3 && (bmp.type == 2 || bmp.type == 3) && frame contains "global"' \
	-T fields -e ip.src -e bmp.type 2>/dev/null | tr ',' ' ' >"$ART/locrib-up-down.txt"
for ip in $R1 $R2; do
	bt_check "$IT_NAME: tshark: $ip: Loc-RIB Peer Up with the table name TLV" \
		grep -Eq "^$ip\s.*\b3\b" "$ART/locrib-up-down.txt"
	bt_check "$IT_NAME: tshark: $ip: Loc-RIB Peer Down with the table name TLV" \
		grep -Eq "^$ip\s.*\b2\b" "$ART/locrib-up-down.txt"
done
it_end
