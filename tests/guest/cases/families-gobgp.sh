#!/bin/bash
# Every family GoBGP and ExaBGP send, through bmptap to real collectors.
# GoBGP in l (AS 65010, tapped) receives:
#   gobgp  (s, 10.0.1.2, AS 65020)  ipv4-unicast, ipv4-labelled-unicast,
#          l3vpn-ipv4/ipv6-unicast, l2vpn-evpn (route types 2, 3, 5),
#          ipv4/ipv6-flowspec, l3vpn-ipv4-flowspec
#   exabgp (e, 10.0.2.2, AS 65030)  l3vpn-ipv4-unicast: the same prefix in
#          two RDs, one withdrawn with another label than it was announced
#          with (RFC 8277 section 2.4: the label does not name the route)
# bmptapd's pre-policy feed goes to pmbmpd on 11019, GoBGP's own BMP export
# of the same sessions to pmbmpd on 11020.  pmbmpd decodes unicast, labeled
# unicast and VPN (rd, label in its JSON) and logs EVPN and flowspec UPDATEs
# as "packet discarded" (INFO): those families are checked through tshark.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_star families-gobgp gobgp-l s e
G=$(it_json c 11020)	# GoBGP's own BMP
it_collector c 11020

FAMS="ipv4-unicast ipv4-labelled-unicast l3vpn-ipv4-unicast l3vpn-ipv6-unicast l2vpn-evpn
	ipv4-flowspec ipv6-flowspec l3vpn-ipv4-flowspec"
# AFI/SAFI of each, as tshark and bmpnlri.awk print them
AS="1/1 1/4 1/128 2/128 25/70 1/133 2/133 1/134"
# shellcheck disable=SC2086
bt_gobgp l "$(it_gobgp_global 65010 10.255.0.10)
$(it_gobgp_bmp 11020)
$(it_gobgp_nb 10.0.1.2 65020 $FAMS)
$(it_gobgp_nb 10.0.2.2 65030 l3vpn-ipv4-unicast)"
# shellcheck disable=SC2086
bt_gobgp s "$(it_gobgp_global 65020 10.0.1.2)
$(it_gobgp_nb 10.0.1.1 65010 $FAMS)"
add() { bt_gobgpc s global rib add -a "$@" >/dev/null || bt_fail "families-gobgp: gobgp add -a $*"; }
add ipv4 198.51.100.0/24 nexthop 10.0.1.2
add ipv4-mpls 198.51.101.0/24 100 nexthop 10.0.1.2
add vpnv4 10.10.0.0/16 label 1000 rd 65020:1 rt 65020:1 nexthop 10.0.1.2
add vpnv4 10.10.0.0/16 label 1001 rd 65020:2 rt 65020:2 nexthop 10.0.1.2
add vpnv6 2001:db8:10::/48 label 1002 rd 65020:1 rt 65020:1 nexthop 10.0.1.2
add evpn macadv 11:22:33:44:55:66 10.20.0.1 etag 0 label 2000 rd 65020:10 rt 65020:10 nexthop 10.0.1.2
add evpn multicast 10.0.1.2 etag 0 rd 65020:10 rt 65020:10
add evpn prefix 10.30.0.0/24 172.16.0.1 etag 0 label 3000 rd 65020:10 rt 65020:10 nexthop 10.0.1.2
add ipv4-flowspec match destination 10.40.0.0/24 protocol tcp destination-port ==80 "then" discard
add ipv6-flowspec match destination 2001:db8:40::/48 "then" rate-limit 1000
add ipv4-l3vpn-flowspec rd 65020:1 match destination 10.50.0.0/24 "then" discard

CMDS=$BT_RUN/e/exabgp-cmds
bt_exabgp e "$(it_exabgp_api "$CMDS")
neighbor 10.0.2.1 {
	router-id 10.0.2.2;
	local-address 10.0.2.2;
	local-as 65030;
	peer-as 65010;
	hold-time 30;
	family { ipv4 mpls-vpn; }
	static {
		route 10.12.0.0/16 rd 65030:3 label 1003 next-hop 10.0.2.2 extended-community target:65030:3;
		route 10.12.0.0/16 rd 65030:4 label 1004 next-hop 10.0.2.2 extended-community target:65030:4;
	}
	api { processes [ cmds ]; }
}"

est() { bt_gobgp_established l "$1"; }
for p in 10.0.1.2 10.0.2.2; do
	bt_check "families-gobgp: session with $p established" bt_wait 150 est $p
	it_wait 30 "bmptap: peer_up $p" "$J" up $p
	it_wait 30 "gobgp-bmp: peer_up $p" "$G" up $p
done
# pmbmpd decodes these: family, RD and label as sent
it_wait 30 "bmptap: ipv4-unicast 198.51.100.0/24" "$J" fieldeq 10.0.1.2 198.51.100.0/24 safi 1
it_wait 20 "bmptap: ipv4-labelled-unicast 198.51.101.0/24, SAFI 4, label 100" "$J" fieldeq 10.0.1.2 198.51.101.0/24 label 100
it_wait 20 "bmptap: l3vpn-ipv4-unicast 10.10.0.0/16 RD 65020:1" "$J" fieldeq 10.0.1.2 10.10.0.0/16 rd 0:65020:1
it_wait 20 "bmptap: l3vpn-ipv4-unicast 10.10.0.0/16 RD 65020:2, label 1001" "$J" fieldeq 10.0.1.2 10.10.0.0/16 label 1001
it_wait 20 "bmptap: l3vpn-ipv6-unicast 2001:db8:10::/48 RD 65020:1" "$J" fieldeq 10.0.1.2 2001:db8:10::/48 rd 0:65020:1
it_wait 20 "bmptap: exabgp l3vpn-ipv4-unicast 10.12.0.0/16 RD 65030:3" "$J" fieldeq 10.0.2.2 10.12.0.0/16 rd 0:65030:3
it_wait 20 "bmptap: exabgp l3vpn-ipv4-unicast 10.12.0.0/16 RD 65030:4" "$J" fieldeq 10.0.2.2 10.12.0.0/16 rd 0:65030:4

# gobgp FAMILY-NAME: GoBGP's CLI name of a family
gname() {
	case $1 in
	ipv4-unicast) echo ipv4 ;; ipv4-labelled-unicast) echo ipv4-mpls ;;
	l3vpn-ipv4-unicast) echo vpnv4 ;; l3vpn-ipv6-unicast) echo vpnv6 ;;
	l2vpn-evpn) echo evpn ;; l3vpn-ipv4-flowspec) echo ipv4-l3vpn-flowspec ;;
	*) echo "$1" ;;
	esac
}
# held PEER FAMILY: routes GoBGP in l holds from PEER (its Adj-RIB-In)
held() { bt_gobgpc l neighbor "$1" adj-in -a "$(gname "$2")" | grep -c '^ *[0-9]'; }
# kept PEER FAMILY: bmptapd's count (show peers)
kept() {
	local k=$2; case $k in ipv4-unicast) k=ipv4_unicast ;; esac
	bt_in l "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$1" --arg k "$k" \
		'[.[] | select(.remote_address == $p and .state == "established") | .prefixes[$k] // 0] | first'
}
want() { # PEER FAMILY N: GoBGP holds N routes and bmptapd counts as many
	local h k
	h=$(held "$1" "$2"); k=$(kept "$1" "$2")
	echo "$1 $2: gobgp holds $h, bmptapd keeps $k, expected $3"
	[ "$h" = "$3" ] && [ "$k" = "$3" ]
}
counts() { # PEER FAMILY=N...: want for each
	local p=$1 fn; shift
	for fn in "$@"; do want "$p" "${fn%=*}" "${fn#*=}" || return 1; done
}
S_COUNTS="ipv4-unicast=1 ipv4-labelled-unicast=1 l3vpn-ipv4-unicast=2 l3vpn-ipv6-unicast=1
	l2vpn-evpn=3 ipv4-flowspec=1 ipv6-flowspec=1 l3vpn-ipv4-flowspec=1"
# shellcheck disable=SC2086
bt_check "families-gobgp: show peers: per-family counts of 10.0.1.2 = GoBGP's adj-in" \
	bt_wait 30 counts 10.0.1.2 $S_COUNTS
bt_check "families-gobgp: show peers: exabgp l3vpn-ipv4-unicast 2 = GoBGP's adj-in" \
	bt_wait 20 counts 10.0.2.2 l3vpn-ipv4-unicast=2

# a VPN withdrawal names RD and prefix; its label (1999) is not the one
# announced (1003)
echo "neighbor 10.0.2.1 withdraw route 10.12.0.0/16 rd 65030:3 label 1999 next-hop 10.0.2.2" >>"$CMDS"
it_wait 30 "bmptap: exabgp withdrawal of 10.12.0.0/16" "$J" withdraw 10.0.2.2 10.12.0.0/16
bt_check "families-gobgp: after the withdrawal: GoBGP and bmptapd hold 10.0.2.2's other RD only" \
	bt_wait 20 counts 10.0.2.2 l3vpn-ipv4-unicast=1
bt_check "families-gobgp: GoBGP's adj-in keeps RD 65030:4" \
	sh -c "ip netns exec l gobgp -u 127.0.0.1 -p 50051 neighbor 10.0.2.2 adj-in -a vpnv4 | grep -q '65030:4:10.12.0.0/16'"
# shellcheck disable=SC2086
bt_check "families-gobgp: 10.0.1.2's counts unchanged" counts 10.0.1.2 $S_COUNTS

# parity with GoBGP's own BMP for what pmbmpd decodes (RD in the key)
it_wait 20 "gobgp-bmp: withdrawal of 10.12.0.0/16" "$G" withdraw 10.0.2.2 10.12.0.0/16
it_wait 20 "same peers and routes (unicast, labeled, VPN with RD) in both feeds" "$J" same "$G"
$IT_PY "$J" rib >"$ART/rib-bmptap.txt"; $IT_PY "$G" rib >"$ART/rib-gobgp.txt"

# the collector restarts: bmptapd replays every family, each followed by
# its End-of-RIB
bt_check "families-gobgp: pmbmpd 11019 killed" it_collector_kill c 11019
mv "$J" "$BT_RUN/c/pmbmpd-11019-first.json"
bt_check "families-gobgp: pmbmpd 11019 restarted" bt_pmbmpd c 11019
it_wait 60 "replay: peer_up 10.0.1.2 again" "$J" up 10.0.1.2
it_wait 30 "replay: ipv4-labelled-unicast 198.51.101.0/24 label 100" "$J" fieldeq 10.0.1.2 198.51.101.0/24 label 100
it_wait 30 "replay: l3vpn-ipv6-unicast 2001:db8:10::/48" "$J" fieldeq 10.0.1.2 2001:db8:10::/48 rd 0:65020:1
it_wait 30 "replay: exabgp RD 65030:4 route" "$J" fieldeq 10.0.2.2 10.12.0.0/16 rd 0:65030:4
sleep 2
bt_check "families-gobgp: replay: same routes as before the restart" \
	sh -c "$IT_PY $J rib | diff - '$ART/rib-bmptap.txt'"
bt_check "families-gobgp: replay: routes, none of the withdrawn RD 65030:3" \
	sh -c "grep -q route_monitor '$J' && ! grep -q '0:65030:3' '$J'"

it_collector_end c 11019 "bmptap feed"
it_collector_end c 11020 "gobgp's own feed" pmbmpd-only
cp "$BT_RUN/c/pmbmpd-11019-first.json" "$ART/"
it_nlri c 11019 >"$ART/nlri-bmptap.txt"
it_nlri c 11020 >"$ART/nlri-gobgp.txt"
first=$(awk 'NR == 1 { print $1 }' "$ART/nlri-bmptap.txt")
last=$(awk 'END { print $1 }' "$ART/nlri-bmptap.txt")
# eor_after STREAM FAM: in that stream, FAM has routes and an End-of-RIB
# after the last of them
eor_after() {
	awk -v s="$1" -v f="$2" '$1 == s && $3 == f { if ($2 == "R") { r = NR; e = 0 } else if ($2 == "E") e = NR }
		END { print f ": last route line " r + 0 ", End-of-RIB line " e + 0; exit !(r && e > r) }' "$ART/nlri-bmptap.txt"
}
for f in $AS; do
	bt_check "families-gobgp: tshark: bmptap feed announces AFI/SAFI $f" \
		awk -v f="$f" '$2 == "R" && $3 == f { ok = 1 } END { exit !ok }' "$ART/nlri-bmptap.txt"
	bt_check "families-gobgp: tshark: replay after the collector restart: $f routes, then its End-of-RIB" \
		eor_after "$last" "$f"
done
# EVPN and flowspec (pmbmpd does not decode them): the same NLRIs in
# bmptap's live feed and in GoBGP's own
for f in 25/70 1/133 2/133 1/134; do
	bt_check "families-gobgp: tshark: AFI/SAFI $f: same NLRIs in bmptap's and GoBGP's feeds" bash -c "
		diff <(awk -v s=$first -v f=$f '\$1 == s && \$2 == \"R\" && \$3 == f { \$1 = \$2 = \"\"; print }' '$ART/nlri-bmptap.txt' | sort -u) \
		     <(awk -v f=$f '\$2 == \"R\" && \$3 == f { \$1 = \$2 = \"\"; print }' '$ART/nlri-gobgp.txt' | sort -u) &&
		awk -v f=$f '\$2 == \"R\" && \$3 == f { n++ } END { exit !n }' '$ART/nlri-gobgp.txt'"
done
bt_check "families-gobgp: tshark: EVPN route types 2, 3 and 5 in bmptap's feed" sh -c "
	for t in 'MAC Advertisement Route (2)' 'Inclusive Multicast Route (3)' 'IP Prefix route (5)'; do
		grep -q \"25/70 .*\$t\" '$ART/nlri-bmptap.txt' || exit 1; done"
it_end
