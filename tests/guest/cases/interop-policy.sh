#!/bin/bash
# Interop, the route-monitoring policies with each daemon as the tapped one:
# BIRD (lb, AS 4200000001), FRR (lf, 4200000002), GoBGP (lg, 4200000003) and
# ExaBGP (le, 4200000004), four namespaces tapped at once, each with its own
# bmptapd exporting `policy all,adj-rib-out` (pre-policy, post-policy,
# local-rib, adj-rib-out) to one pmbmpd in c (BMP router 10.0.<4+i>.1).
# Each local daemon peers with BIRD in p (AS 65001, 10.0.<i>.2), which sends
#   192.0.2.0/24    accepted: in every view
#   203.0.113.0/24  rejected by the import filter declared in each bmptapd
#   198.18.0.0/24   with the local AS prepended: an AS-path loop
# and each local daemon announces its own 100.64.<i>.0/24 to p.  Per daemon:
# pre-policy has all three, post-policy (L flag) and the Loc-RIB (peer type
# 3) only 192.0.2.0/24, the Adj-RIB-Out (O flag) has the daemon's own route;
# p then asks each daemon for a route refresh (`birdc reload in`) and the
# Adj-RIB-Out shows that route sent again.  tshark decodes the L, O and
# Loc-RIB views per router and finds nothing malformed.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/interop.sh"
it_start interop-policy
DAEMONS="bird frr gobgp exabgp"
ns_of() { case $1 in bird) echo lb ;; frr) echo lf ;; gobgp) echo lg ;; exabgp) echo le ;; esac; }
idx_of() { case $1 in bird) echo 1 ;; frr) echo 2 ;; gobgp) echo 3 ;; exabgp) echo 4 ;; esac; }
for h in lb lf lg le p c; do bt_host $h; done
for d in $DAEMONS; do
	i=$(idx_of $d)
	it_link "$(ns_of $d)" p "$i"
	it_link "$(ns_of $d)" c $((i + 4))
done
J=$(it_json c 11019)
it_collector c 11019
for d in $DAEMONS; do
	ns=$(ns_of $d) i=$(idx_of $d)
	it_tapd "$ns" 10.0.$((i + 4)).2 11019 "policy-$d" policy all,adj-rib-out
	bt_check "$IT_NAME: $d: filter add" bt_in "$ns" "$IT_B/bmptapctl" filter add no-203 prefix 203.0.113.0/24
done

pconf="router id 10.255.0.9;
protocol device {}
protocol static s4 { ipv4; route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable;
	route 198.18.0.0/24 unreachable; }
template bgp T { local as 65001; hold time 30; keepalive time 10; connect retry time 2; }"
for d in $DAEMONS; do
	i=$(idx_of $d)
	pconf="$pconf
protocol bgp to_$d from T {
	neighbor 10.0.$i.1 as 420000000$i;
	ipv4 { import all; export filter {
		if source != RTS_STATIC then reject;
		if net = 198.18.0.0/24 then bgp_path.prepend(420000000$i);
		accept; }; };
}"
done
bt_bird p "$pconf"

bt_bird lb "router id 10.255.0.1;
protocol device {}
protocol static s4 { ipv4; route 100.64.1.0/24 unreachable; }
protocol bgp p {
	local as 4200000001; neighbor 10.0.1.2 as 65001;
	hold time 30; keepalive time 10; connect retry time 2;
	ipv4 { import all; export where source = RTS_STATIC; };
}"

bt_frr lf "frr defaults traditional
hostname lf
router bgp 4200000002
 bgp router-id 10.255.0.2
 no bgp ebgp-requires-policy
 timers bgp 10 30
 neighbor 10.0.2.2 remote-as 65001
 neighbor 10.0.2.2 timers connect 2
 address-family ipv4 unicast
  network 100.64.2.0/24
 exit-address-family"

bt_gobgp lg "$(it_gobgp_global 4200000003 10.255.0.3)
$(it_gobgp_nb 10.0.3.2 65001 ipv4-unicast)"
bt_gobgpc lg global rib add -a ipv4 100.64.3.0/24 >/dev/null

bt_exabgp le "neighbor 10.0.4.2 {
	router-id 10.255.0.4;
	local-address 10.0.4.1;
	local-as 4200000004;
	peer-as 65001;
	hold-time 30;
	capability { route-refresh enable; }
	family { ipv4 unicast; }
	static { route 100.64.4.0/24 next-hop 10.0.4.1; }
}"

for d in $DAEMONS; do
	bt_check "$IT_NAME: $d: session with p established" bt_wait 120 bt_bird_established p to_$d
done
# Wait for the last view of each feed to fill, then check every view from
# one snapshot of the log (a jq or tshark run costs seconds under TCG).
for d in $DAEMONS; do
	i=$(idx_of $d) R=10.0.$(($(idx_of $d) + 4)).1
	it_wait 30 "$d: loc-rib: 192.0.2.0/24" -r $R -v loc "$J" route 0.0.0.0 192.0.2.0/24
	it_wait 20 "$d: adj-rib-out (O flag): 100.64.$i.0/24 sent to p" -r $R -v out "$J" route 10.0.$i.2 100.64.$i.0/24
done
V=$ART/views.txt
it_views "$J" >"$V"
has() { bt_check "$IT_NAME: $1" grep -qx "$2" "$V"; }
lacks() { bt_check "$IT_NAME: $1" sh -c "test -s '$V' && ! grep -qxF '$2' '$V'"; }
for d in $DAEMONS; do
	i=$(idx_of $d) R=10.0.$(($(idx_of $d) + 4)).1
	P=10.0.$i.2
	has "$d: peer_up $P" "$R up $P 0 .*"
	has "$d: pre-policy: 192.0.2.0/24" "$R pre $P 192.0.2.0/24"
	has "$d: pre-policy: AS-loop route 198.18.0.0/24 (as received)" "$R pre $P 198.18.0.0/24"
	has "$d: pre-policy: filtered route 203.0.113.0/24 (as received)" "$R pre $P 203.0.113.0/24"
	has "$d: post-policy (L flag): 192.0.2.0/24" "$R post $P 192.0.2.0/24"
	has "$d: loc-rib: Peer Up (peer type 3) with table name TLV \"global\"" "$R up 0.0.0.0 3 67-6C-6F-62-61-6C"
	lacks "$d: post-policy: no AS-loop route 198.18.0.0/24" "$R post $P 198.18.0.0/24"
	lacks "$d: post-policy: no filtered route 203.0.113.0/24" "$R post $P 203.0.113.0/24"
	lacks "$d: loc-rib: no AS-loop route" "$R loc 0.0.0.0 198.18.0.0/24"
	lacks "$d: loc-rib: no filtered route" "$R loc 0.0.0.0 203.0.113.0/24"
	lacks "$d: pre-policy: the daemon's own route is not shown as received" "$R pre $P 100.64.$i.0/24"
done

# Route refresh: p asks each daemon to send its Adj-RIB-Out again.
n0=$(wc -l <"$J")
for d in $DAEMONS; do bt_birdc p reload in to_$d >/dev/null; done
for d in $DAEMONS; do
	i=$(idx_of $d) R=10.0.$(($(idx_of $d) + 4)).1
	it_wait 30 "$d route-refresh: adj-rib-out: 100.64.$i.0/24 sent again" \
		-s $((n0 + 1)) -r $R -v out "$J" route 10.0.$i.2 100.64.$i.0/24
done

it_collector_end c 11019
F=$ART/rm-flags.txt
it_rm_flags c 11019 >"$F"
for d in $DAEMONS; do
	R=10.0.$(($(idx_of $d) + 4)).1
	for v in "0/0/0 pre-policy (L, O clear)" "0/1/0 post-policy (L set, O clear)" \
		"0/1/1 adj-rib-out (O and L set)" "3/0/0 Loc-RIB (peer type 3)"; do
		bt_check "$IT_NAME: $d: tshark: ${v#* } Route Monitoring" grep -q " $R ${v%% *}\$" "$F"
	done
done
it_end
