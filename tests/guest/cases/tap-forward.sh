#!/bin/bash
# Issue 13, items 4 and 8: forward mode's trust model.  Router r forwards
# a (10.0.1.1) <-> b (10.0.2.2) and taps them (`tap set forward on`); x,
# on a third segment of r, forges.  r does no source filtering
# (rp_filter 0): every forgery reaches the tap, which must refuse it by
# its own rules (Documentation/reliability.md, "Forward mode"):
#  1. tcp-inject sessions a -> b:179, each message preceded by a forgery:
#     ackahead@x / ackahead@b  an ACK b -> a 1 MB beyond what a sent, from
#                  x (wrong interface) and from b's own segment (bad ACK);
#     badack@x / oow@a  forged data b's TCP drops, from x and from a's
#                  segment; rst@x  a RST from x.
#     The tap's a -> b stream must equal exactly what b read (no byte
#     skipped, none forged) and the refusal counter move once per forgery.
#  2. BIRD a <-> b through r (b passive), bmptapd in r feeding pmbmpd in
#     c, max-flows 8: x forges whole sessions (both SYNs, both OPENs,
#     KEEPALIVEs) from spoofed clients to a silent address of b's segment
#     (nobody there answers or resets) while a's session restarts.  Only
#     x's own answers could make them live: no forged flow may pin a slot
#     or reach the collector; the real session is tapped again from its
#     SYN with every route.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
. "$BMPTAP_TOP/tests/lib/inject.sh"
B=$BT_TOP/build
T=tap-forward
ROUTES=40

bt_modprobe veth
bt_insmod || { bt_fail "$T: insmod"; bt_done; }
bt_host a; bt_host r; bt_host b; bt_host x; bt_host c
bt_link a r 1; bt_link r b 2; bt_link x r 3; bt_link r c 4
bt_in a ip route add 10.0.0.0/16 via 10.0.1.2
bt_in b ip route add 10.0.0.0/16 via 10.0.2.1
bt_in x ip route add 10.0.0.0/16 via 10.0.3.2
bt_in c ip route add 10.0.0.0/16 via 10.0.4.1
for ns in a b x; do bt_in $ns sysctl -qw net.ipv4.tcp_timestamps=0; done
bt_in r sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0
for i in v1r v2r v3r v4r; do bt_in r sysctl -qw "net.ipv4.conf.$i.rp_filter=0"; done
bt_in r "$BT_CTL" tap set forward on
bt_check "$T: x reaches b through r" bt_wait 5 bt_in x ping -c1 -W1 10.0.2.2
bt_check "$T: a reaches b through r" bt_wait 5 bt_in a ping -c1 -W1 10.0.2.2

# --- 1. forged ACKs and data into a live session --------------------------
# The refusal each forgery must be counted under, by MODE@FORGER.
declare -A counter=([ackahead@x]=wrong_iface [ackahead@b]=bad_ack [badack@x]=wrong_iface
		    [oow@a]=out_of_window [rst@x]=wrong_iface)
inject_before() { cnt_0=$(bt_counter r "${counter[$1@$INJ_X]}"); }
inject_checks() {
	local name=$1 c=${counter[$2@$INJ_X]} d
	d=$(( $(bt_counter r "$c") - ${cnt_0:-0} ))
	bt_check "$name: b read exactly what a sent" cmp "$INJ_OUT/recv" "$INJ_OUT/sent"
	bt_check "$name: no forged byte delivered" test "$INJ_FORGED_TAP" = 0
	bt_check "$name: $c counted each of the $INJ_N forgeries ($d)" test "$d" -ge "$INJ_N"
}
INJ_N=15 INJ_TAP_NS=r INJ_DIR=tx
for c in ackahead@x ackahead@b badack@x oow@a rst@x; do
	INJ_X=${c#*@}
	bt_inject "$T: $c" "${c%@*}" 10.0.2.2
done
bt_in r "$BT_CTL" show counters

# --- 2. forged sessions against a real one, max-flows 8 --------------------
bird_conf() { # AS ROUTER-ID NEIGHBOR PEER-AS ROUTES [OPTIONS]
	cat <<EOC
router id $2;
protocol device {}
protocol static s4 { ipv4; $5 }
protocol bgp peer4 {
	local as $1; neighbor $3 as $4; multihop 2; $6
	connect delay time 1; connect retry time 2; error wait time 1, 2;
	ipv4 { import all; export all; };
}
EOC
}
json=$BT_RUN/c/pmbmpd-11019.json
count() { grep -c "$1" "$json"; }
routes() { # distinct prefixes of b's (the tap's remote side) at the collector
	grep '"route_monitor"' "$json" | grep -o '"ip_prefix": "198\.18\.[0-9]*\.0/24"' | sort -u | wc -l
}
cnt() { bt_counter r "$1"; }

bt_pmbmpd c 11019
ip netns exec r "$B/bmptapd" >"$BT_LOG/bmptapd.out" 2>&1 &
dpid=$!
bt_check "$T: bmptapd running" bt_wait 5 sh -c "ip netns exec r $BT_CTL show status | grep -q servers"
bt_check "$T: server add" bt_in r "$BT_CTL" server add 10.0.4.2 port 11019 sys-name bmptap-r
bt_in r "$BT_CTL" tap set max-flows 8
b_routes=""
for i in $(seq 0 $((ROUTES - 1))); do b_routes+="route 198.18.$i.0/24 unreachable; "; done
bt_bird a "$(bird_conf 65001 10.0.1.1 10.0.2.2 65002 "route 192.0.2.0/24 unreachable;")"
# a connects: the tap's local side, so b's routes are the peer's.
bt_bird b "$(bird_conf 65002 10.0.2.2 10.0.1.1 65001 "$b_routes" "passive on;")"
bt_check "$T: BIRD session a <-> b through r" bt_wait 60 bt_bird_established a peer4
bt_check "$T: collector got b's $ROUTES routes" bt_wait 30 sh -c "$(declare -f routes); json=$json; test \$(routes) = $ROUTES"
up0=$(count '"peer_up"') down0=$(count '"peer_down"')
created0=$(cnt flows_created) evicted0=$(cnt flows_evicted) wrong0=$(cnt wrong_iface)
refused0=$(cnt flows_refused)
rm0=$(count '"route_monitor"')

FORGED=60
bt_log "$T: forging $FORGED sessions from x"
bt_in x python3 "$BT_TOP/tests/tools/open-forge.py" -n $FORGED 10.0.1.128/25 10.0.2.99 179 \
	>"$BT_RUN/forge.out" 2>&1 &
fpid=$!
sleep 2
bt_log "$T: restarting a's session during the forgery"
bt_birdc a restart peer4 >/dev/null
wait $fpid; frc=$?
bt_check "$T: forger ran ($(cat "$BT_RUN/forge.out"))" test $frc = 0
bt_check "$T: real session up again" bt_wait 60 bt_bird_established a peer4
bt_check "$T: real session tapped again from its SYN (Peer Up)" \
	bt_wait 30 sh -c "test \$(grep -c '\"peer_up\"' $json) -gt $up0"
bt_check "$T: ... with all $ROUTES routes again" \
	bt_wait 30 sh -c "test \$(grep -c '\"route_monitor\"' $json) -ge $((rm0 + ROUTES))"
sleep 3
created=$(( $(cnt flows_created) - created0 )) evicted=$(( $(cnt flows_evicted) - evicted0 ))
wrong=$(( $(cnt wrong_iface) - wrong0 )) refused=$(( $(cnt flows_refused) - refused0 ))
up=$(( $(count '"peer_up"') - up0 )) down=$(( $(count '"peer_down"') - down0 ))
echo "forged: flows created $created evicted $evicted refused $refused wrong_iface $wrong;" \
	"peer_up +$up peer_down +$down"
bt_check "$T: the forged SYNs reached the tap ($created flows created >= $FORGED)" test "$created" -ge $FORGED
bt_check "$T: forged flows were evicted, not pinned ($evicted >= $((FORGED - 8)))" \
	test "$evicted" -ge $((FORGED - 8))
bt_check "$T: every forged session's answer from x refused ($wrong >= $FORGED)" test "$wrong" -ge $FORGED
bt_check "$T: Peer Up/Down only for the real restart (up +$up, down +$down)" \
	test "$up" -le 2 -a "$down" -le 2
# The forged OPENs say AS 65100 and 65200; the real ones 65001 and 65002.
bt_check "$T: the collector shows the real session's AS" grep -Eq '"peer_asn": 6500[12]\b' "$json"
bt_check "$T: no forged OPEN reached the collector" sh -c "! grep -Eq '\"peer_asn\": 65[12]00\b' $json"
bt_in r "$BT_CTL" show flows >"$BT_RUN/flows"
cat "$BT_RUN/flows"
bt_check "$T: the table holds the real session, established" grep -q '10\.0\.1\.1:[0-9]* *10\.0\.2\.2:179 .*established' "$BT_RUN/flows"
bt_check "$T: no forged flow established (pinned)" sh -c "! grep -q '10\.0\.2\.99:.*established' $BT_RUN/flows"

kill $dpid; wait $dpid
bt_check "$T: no kernel warning" sh -c "! dmesg | grep -q 'WARNING:\|BUG:'"
bt_cleanup
bt_done
