#!/bin/bash
# Issue 9: BGP sessions established before the module was loaded.  bmptapd
# finds them with sock_diag at start and makes them known to the module
# (BMPTAP_CMD_NEW_FLOW) before their next segment; their first UPDATEs then
# tell bmptapd the encoding no OPEN told it (userspace/bgp/midstream.h):
#   bird   (b, 10.0.4.2, AS 65004)  4-octet AS, BIRD sends ADD-PATH
#   exabgp (e, 10.0.3.2, AS 65003)  no 4-octet AS capability (AS_PATH with
#          AS_TRANS + AS4_PATH), ExaBGP sends ADD-PATH
# The tapped daemon is BIRD in l (AS 4200000001); long keepalive intervals
# keep the sessions silent until the routes are announced.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
bt_modprobe veth
for h in l e b c; do bt_host $h; done
it_link l e 3; it_link l b 4; it_link l c 9

# --- sessions up before the module ------------------------------------------
feed=$BT_RUN/e/announce
: >"$feed"
printf '#!/bin/sh\nexec tail -n +1 -f %s\n' "$feed" >"$BT_RUN/e/feed.sh"
chmod +x "$BT_RUN/e/feed.sh"
bt_exabgp e "process feed { run $BT_RUN/e/feed.sh; encoder text; }
neighbor 10.0.3.1 {
	router-id 10.0.3.2;
	local-address 10.0.3.2;
	local-as 65003;
	peer-as 23456;
	hold-time 3000;
	capability { asn4 disable; add-path send; }
	family { ipv4 unicast; }
	api { processes [ feed ]; }
}"
bt_bird b "router id 10.0.4.2;
protocol device {}
protocol static sa { disabled; ipv4; route 100.64.5.0/24 unreachable { bgp_community.add((65004,1)); }; }
protocol static sb { disabled; ipv4; route 100.64.5.0/24 unreachable { bgp_community.add((65004,2)); }; }
protocol bgp l {
	local as 65004; neighbor 10.0.4.1 as 4200000001;
	hold time 3000; keepalive time 1000; connect retry time 2;
	ipv4 { import all; export all; add paths tx; };
}"
bt_bird l "router id 10.255.0.1;
protocol device {}
template bgp T { local as 4200000001; hold time 3000; keepalive time 1000; connect retry time 2; }
protocol bgp exabgp from T {
	neighbor 10.0.3.2 as 65003;
	ipv4 { import all; export none; add paths rx; };
}
protocol bgp birdb from T {
	neighbor 10.0.4.2 as 65004;
	ipv4 { import all; export none; add paths rx; };
}"
for p in exabgp birdb; do
	bt_check "midstream: session with $p established before the module" \
		bt_wait 90 bt_bird_established l $p
done

# --- module, collector, bmptapd: the sessions are found at once --------------
it_start midstream
J=$(it_json c 11019)
it_collector c 11019
# bmptapd starts with port 179 untapped: it finds the sessions when the tap
# is turned on for it.
bt_in l "$IT_B/bmptapctl" tap set ports 1790
it_tapd l 10.0.9.2 11019 midstream-l
bt_check "midstream: no flow while port 179 is not tapped" \
	sh -c "! ip netns exec l $IT_B/bmptapctl show flows | grep -q 10.0."
bt_in l "$IT_B/bmptapctl" tap set ports 179
flows=$BT_RUN/l/flows.json
for peer in 10.0.3.2 10.0.4.2; do
	bt_check "midstream: $peer listed as discovered before any segment" bt_wait 20 sh -c \
		"ip netns exec l $IT_B/bmptapctl -j show flows >$flows &&
		 jq -e '.[] | select(.remote == \"$peer\" and .discovered and .midstream and
			.rx.segments == 0 and .tx.segments == 0)' $flows >/dev/null"
done
bt_in l "$IT_B/bmptapctl" show flows
bt_check "midstream: bmptapd logged the sock_diag discovery" \
	grep -q '2 established session(s) found by sock_diag' "$BT_LOG/l-bmptapd.out"
bt_check "midstream: no Peer Up before the encoding is known" \
	sh -c "! grep -q peer_up $J"

# --- the first UPDATEs decide the encoding -----------------------------------
bt_birdc b enable sa >/dev/null
bt_birdc b enable sb >/dev/null
printf '%s\n' \
	'announce route 100.64.3.0/24 next-hop 10.0.3.2 as-path [ 65003 4200000099 ] path-information 0.0.0.1' \
	'announce route 100.64.3.0/24 next-hop 10.0.3.2 as-path [ 65003 65033 ] path-information 0.0.0.2' \
	>>"$feed"
for peer in 10.0.4.2 10.0.3.2; do
	it_wait 60 "peer_up $peer (synthesized)" "$J" up $peer
done
it_wait 20 "bird as4 detected: as_path exactly 65004" "$J" fieldeq 10.0.4.2 100.64.5.0/24 as_path 65004
it_wait 5 "bird addpath detected: 2 path ids for 100.64.5.0/24" "$J" pathids 10.0.4.2 100.64.5.0/24 2
it_wait 20 "exabgp as2 detected: as_path 65003 4200000099 (AS4_PATH merged)" \
	"$J" fieldeq 10.0.3.2 100.64.3.0/24 as_path "65003 4200000099"
it_wait 5 "exabgp addpath detected: 2 path ids for 100.64.3.0/24" "$J" pathids 10.0.3.2 100.64.3.0/24 2
bt_check "midstream: bmptapd logged both decisions" sh -c \
	"grep -q 'mid-stream session decoded: 4-octet AS, peer AS 65004, ADD-PATH rx ipv4 1' $BT_LOG/l-bmptapd.out &&
	 grep -q 'mid-stream session decoded: 2-octet AS, peer AS 65003, ADD-PATH rx ipv4 1' $BT_LOG/l-bmptapd.out"
bt_check "midstream: pmbmpd log has no WARN/ERROR" sh -c \
	"! grep -E 'WARN|ERROR|[Mm]issing|[Mm]alformed' $BT_LOG/c-pmbmpd-11019.log | grep -v 'BMP peers usage' | grep -q ."

# --- what only the BMP bytes show: one tshark pass (it is slow under TCG) -----
it_capture_stop c 11019
bmp=$ART/bmp-fields.tsv
tshark -r "$BT_RUN/c/bmp-11019.pcap" -d tcp.port==11019,bmp -Y bmp -T fields -e bmp.type \
	-e bmp.peer.ip.addr -e bmp.peer.asn -e bmp.peer.flags.as_path -e tcp.payload >"$bmp" 2>/dev/null
# bmp_has TYPE PEER ASN AFLAG HEX: a BMP message of TYPE about PEER (with that
# peer AS and A flag, '' for any) in a segment whose bytes include HEX.
# Initiation and Termination (types 4, 5) have no per-peer header.
bmp_has() {
	awk -F'\t' -v t="$1" -v p="$2" -v a="$3" -v f="$4" -v h="$5" '
	{ n = split($1, ty, ","); split($2, ad, ","); split($3, as, ","); split($4, fl, ",")
	  j = 0
	  for (i = 1; i <= n; i++) {
		if (ty[i] == 4 || ty[i] == 5) continue
		j++
		if (ty[i] == t && ad[j] == p && (a == "" || as[j] == a) &&
		    (f == "" || fl[j] == f) && (h == "" || index($5, h))) found = 1
	  } }
	END { exit !found }' "$bmp"
}
mark=$(printf 'OPEN messages synthesized' | od -An -tx1 | tr -d ' \n')
for peer in 10.0.4.2 10.0.3.2; do
	bt_check "midstream: Peer Up of $peer marked as synthesized" bmp_has 3 $peer '' '' "$mark"
	# Route Mirroring, Information TLV (type 1, length 2): Messages Lost (1).
	bt_check "midstream: messages lost signalled for $peer" bmp_has 6 $peer '' '' 000100020001
done
bt_check "midstream: peer AS 65004 from the AS_PATH" bmp_has 3 10.0.4.2 65004 '' ''
bt_check "midstream: peer AS 65003 from the AS_PATH (2-octet session)" bmp_has 3 10.0.3.2 65003 '' ''
bt_check "midstream: A flag clear for 10.0.4.2 (4-octet AS detected)" bmp_has 0 10.0.4.2 '' 0 ''
bt_check "midstream: A flag set for 10.0.3.2 (2-octet AS detected)" bmp_has 0 10.0.3.2 '' 1 ''
it_end
