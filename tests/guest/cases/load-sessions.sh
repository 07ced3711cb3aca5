#!/bin/bash
# Issue 9, item 5: 200 concurrent BGP sessions and a SYN flood on port 179.
# BIRD in b (AS65000, the tapped host) has 200 eBGP peers: one BIRD in a,
# session i from a's address 10.1.0.i to b's 10.1.1.i (BIRD runs one session
# per neighbor address), each peer announcing three routes.
# bmptapd in b feeds pmacct's pmbmpd in namespace col.  With a flow-table
# bound of 256, namespace c floods b's port 179 with SYNs from forged
# sources (tests/tools/syn-flood), and a announces one more route per peer
# during the flood, and restarts 10 of its sessions.  Checks, all on
# counts: the table never holds more than the bound (module high-water mark
# and samples), the flood's flows are evicted and counted, nothing is
# refused, the other 190 established flows stay the same flows, every route
# announced during the flood reaches the collector, the restarted sessions
# are tapped from their SYN (Peer Up, routes), no other Peer Down; then
# lowering the bound sheds unestablished flows only.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
B=$BT_TOP/build
FLOOD=$B/tools/syn-flood
N=200			# sessions
R=10 RESTART="$(seq 191 200)"	# sessions restarted during the flood
LIMIT=256		# max-flows: the sessions plus 56 slots the flood fights over
json=$BT_RUN/col/pmbmpd-11019.json
T=load
ART=/mnt/results/load-sessions
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART"
# Polls are processes (jq over the collector's log, bmptapctl): under a
# loaded TCG guest every one costs, and the waits are long anyway.
BT_POLL=2

# Loops stay in the shell: every process started costs dearly in a loaded
# TCG guest whose root is shared over 9p.
peers() { local i; for ((i = 1; i <= N; i++)); do echo "10.1.0.$i"; done; }
# The routes peer i announces: 100.64-66.i.0/24, and 100.67.i.0/24 in the flood.
routes() { # FIRST-OCTET2 LAST-OCTET2
	local i o
	for ((i = 1; i <= N; i++)); do
		for ((o = $1; o <= $2; o++)); do echo "10.1.0.$i 100.$o.$i.0/24"; done
	done | sort
}
# Distinct (peer, prefix) pairs the collector got in Route Monitoring.
collected() {
	jq -R -r 'fromjson? | select(.bmp_msg_type == "route_monitor" and .log_type != "withdraw"
		and .ip_prefix != null) | "\(.peer_ip) \(.ip_prefix)"' "$json" | sort -u
}
collected_equals() { cmp -s <(collected) "$1"; }
peer_ups() {
	jq -R -r 'fromjson? | select(.bmp_msg_type == "peer_up") | .peer_ip' "$json" | sort -u
}
count_type() { jq -R -r "fromjson? | select(.bmp_msg_type == \"$1\") | 1" "$json" | grep -c .; }
# "ID REMOTE" of the flows that carry both OPENs.
established_flows() {
	bt_in b "$BT_CTL" -j show flows |
		jq -r '.[] | select(.open_rx != null and .open_tx != null) | "\(.id) \(.remote)"' | sort
}
tapval() { bt_in b "$BT_CTL" -j show tap | jq -r ".$1"; }
rx_packets() { ip -n b -s -j link show v2b | jq '.[0].stats64.rx.packets'; }
bird_established() { bt_birdc b show protocols | grep -c Established; }

bt_modprobe veth
bt_check "$T: insmod" bt_insmod
bt_host a; bt_host b; bt_host c; bt_host col
bt_link a b 1		# the sessions
bt_link b c 2		# the flood
bt_link b col 3		# the collector
bt_check "$T: tap set max-flows $LIMIT" bt_in b "$BT_CTL" tap set max-flows $LIMIT

peers | sed 's|^\(.*\)$|addr add \1/16 dev v1a|' | ip -n a -batch -
peers | sed 's|^10\.1\.0\.\(.*\)$|addr add 10.1.1.\1/16 dev v1b|' | ip -n b -batch -
# The flood link carries nothing but the flood towards b, so b's receive
# counter on it counts the SYNs that arrived: no IPv6, no ARP.
for ns in b c; do ip netns exec $ns sysctl -qw net.ipv6.conf.v2$ns.disable_ipv6=1; done
ip -n b neigh replace 10.0.2.2 lladdr "$(ip -n c -j link show v2c | jq -r '.[0].address')" dev v2b nud permanent
ip -n c neigh replace 10.0.2.1 lladdr "$(ip -n b -j link show v2b | jq -r '.[0].address')" dev v2c nud permanent
# b answers the forged sources through c, which drops the SYN-ACKs (no
# forwarding): the flood's flows never complete a handshake.
ip -n b route add 198.18.0.0/15 via 10.0.2.2
ip -n c route add 10.1.0.0/16 via 10.0.2.1

bt_pmbmpd col 11019 || bt_wait 30 bt_in col sh -c "ss -ltn | grep -q ':11019 '"
ip netns exec b "$B/bmptapd" >"$BT_LOG/bmptapd.out" 2>&1 &
echo $! >"$BT_RUN/b/bmptapd.pid"
bt_check "$T: bmptapd running" bt_wait 20 sh -c "ip netns exec b $BT_CTL show status | grep -q servers"
bt_check "$T: server add" bt_in b "$BT_CTL" server add 10.0.3.2 port 11019 sys-name load-b

bt_bird_passive_peers $N >"$BT_RUN/b.conf"
{
	echo "router id 10.1.0.1;"
	echo "protocol device {}"
	echo "protocol static s1 { ipv4;"
	routes 64 66 | awk '{print "	route " $2 " unreachable;"}'
	echo "}"
	echo "protocol static s2 { disabled; ipv4;"
	routes 67 67 | awk '{print "	route " $2 " unreachable;"}'
	echo "}"
	for ((i = 1; i <= N; i++)); do
		echo "protocol bgp p$i { local 10.1.0.$i as $((65000 + i)); neighbor 10.1.1.$i as 65000;"
		echo "	connect delay time 1; connect retry time 5; ipv4 { import none;"
		echo "	export where net ~ [ 100.64.$i.0/24, 100.65.$i.0/24, 100.66.$i.0/24, 100.67.$i.0/24 ]; }; }"
	done
} >"$BT_RUN/a.conf"
bt_log "starting BIRD in b and a"
bt_check "$T: BIRD b ($N passive peers)" bt_bird b "$(cat "$BT_RUN/b.conf")"
bt_check "$T: BIRD a ($N peers from $N addresses)" bt_bird a "$(cat "$BT_RUN/a.conf")"
bt_log "waiting for $N sessions"
bt_wait 240 sh -c "[ \$(birdc -s $BT_RUN/b/bird.ctl show protocols | grep -c Established) = $N ]"
n=$(bird_established)
bt_check "$T: $N BGP sessions established in b ($n)" test "$n" = $N

routes 64 66 >"$BT_RUN/routes-before"
routes 64 67 >"$BT_RUN/routes-all"
peers | sort >"$BT_RUN/peers"
bt_log "checking the collector"
bt_check "$T: collector: Peer Up for each of the $N peers" \
	bt_wait 120 bash -c "$(declare -f peer_ups); json=$json; cmp -s <(peer_ups) $BT_RUN/peers"
bt_check "$T: collector: all $((3 * N)) routes, each from its peer" \
	bt_wait 120 bash -c "$(declare -f collected collected_equals); json=$json; collected_equals $BT_RUN/routes-before"
established_flows >"$BT_RUN/est-before"
bt_check "$T: $N flows with both OPENs, one per peer ($(wc -l <"$BT_RUN/est-before"))" \
	cmp -s <(awk '{print $2}' "$BT_RUN/est-before" | sort) "$BT_RUN/peers"
flows0=$(tapval flows)
echo "flows before the flood: $flows0"
if [ "$BT_FAILS" != 0 ]; then
	head -3 "$BT_RUN/est-before"
	echo "collector: $(grep -c '"peer_up"' "$json") peer_up lines, $(peer_ups | wc -l) peers," \
		"$(collected | wc -l) routes"; peer_ups | head -3
	cp "$json" "$BT_RUN/est-before" "$BT_LOG"/* "$ART/" 2>/dev/null
fi

bt_log "flood"
# --- the flood ------------------------------------------------------------
created0=$(bt_counter b flows_created) evicted0=$(bt_counter b flows_evicted)
refused0=$(bt_counter b flows_refused) rx0=$(rx_packets)
rm -f "$BT_RUN/sampling"; touch "$BT_RUN/sampling"
( while [ -e "$BT_RUN/sampling" ]; do
	ip netns exec b "$BT_CTL" show tap | while read -r k v; do [ "$k" = flows ] && echo "$v"; done
	sleep 1
done ) >"$BT_RUN/flow-samples" 2>/dev/null &
sampler=$!
# Paced: the point is the table bound, not CPU exhaustion of the guest.
ip netns exec c "$FLOOD" -r 2000 -s 7 198.18.0.0/15 10.1.1.1 179 >"$BT_RUN/flood.out" 2>&1 &
flood=$!
shed() { echo $(( $(bt_counter b flows_evicted) - evicted0 )); }
bt_check "$T: the flood fills the table and flows are evicted" \
	bt_wait 120 bash -c "$(declare -f bt_counter bt_in shed); BT_CTL=$BT_CTL evicted0=$evicted0; [ \$(shed) -ge $((4 * LIMIT)) ]"
e1=$(shed)
bt_log "announcing during the flood"
bt_birdc a enable s2 >/dev/null
bt_check "$T: during the flood: the $N new routes reach the collector" \
	bt_wait 180 bash -c "$(declare -f collected collected_equals); json=$json; collected_equals $BT_RUN/routes-all"
e2=$(shed)
bt_check "$T: the flood was still being shed when they arrived (evicted $e1 -> $e2)" test "$e2" -gt "$e1"

bt_log "restarting sessions during the flood"
# Sessions set up during the flood compete with its SYNs for the free slots:
# restart R of them and they must be tapped from their SYN again.
n0=$(wc -l <"$json")
for i in $RESTART; do bt_birdc a restart p$i >/dev/null; done
restarted() { for i in $RESTART; do echo "10.1.0.$i"; done | sort; }
restarted >"$BT_RUN/restarted"
for i in $RESTART; do for o in 64 65 66 67; do echo "10.1.0.$i 100.$o.$i.0/24"; done; done |
	sort >"$BT_RUN/routes-restarted"
bt_check "$T: during the flood: $R restarted sessions get a new Peer Up" \
	bt_wait 180 bash -c "tail -n +$((n0 + 1)) $json >$BT_RUN/since.json; json=$BT_RUN/since.json; $(declare -f peer_ups); cmp -s <(peer_ups) $BT_RUN/restarted"
bt_check "$T: during the flood: their $((4 * R)) routes again" \
	bt_wait 120 bash -c "tail -n +$((n0 + 1)) $json >$BT_RUN/since.json; json=$BT_RUN/since.json; $(declare -f collected); cmp -s <(collected) $BT_RUN/routes-restarted"
bt_check "$T: the flood was still running" kill -0 $flood
bt_log "flood stopped"
kill $flood; wait $flood
sent=$(sed -n 's/^sent //p' "$BT_RUN/flood.out")
rm -f "$BT_RUN/sampling"; wait $sampler
sleep 1

syns=$(( $(rx_packets) - rx0 ))
created=$(( $(bt_counter b flows_created) - created0 ))
evicted=$(( $(bt_counter b flows_evicted) - evicted0 ))
refused=$(( $(bt_counter b flows_refused) - refused0 ))
peak=$(bt_counter b flows_peak)
smax=$(sort -n "$BT_RUN/flow-samples" | tail -1)
echo "flood: sent $sent SYNs, b received $syns; flows created $created evicted $evicted refused $refused;" \
	"peak $peak; $(wc -l <"$BT_RUN/flow-samples") samples, max $smax"
bt_in b nstat -az TcpExtSyncookiesSent TcpExtTCPReqQFullDoCookies TcpExtListenDrops 2>/dev/null | tail -n +2
bt_check "$T: the flood was many times the bound ($syns SYNs received)" test "${syns:-0}" -ge $((8 * LIMIT))
bt_check "$T: every SYN received started a flow ($created created)" test "$created" -ge "$syns"
bt_check "$T: the table never held more than $LIMIT flows (high-water mark $peak)" test "$peak" = $LIMIT
bt_check "$T: samples during the flood never above $LIMIT (max ${smax:-none})" \
	test "${smax:-999999}" -le $LIMIT
bt_check "$T: flows evicted ($evicted) >= SYNs beyond the free slots ($((syns - (LIMIT - N))))" \
	test "$evicted" -ge $((syns - (LIMIT - N)))
bt_check "$T: no flow refused (there was always an unestablished one to evict)" test "$refused" = 0
established_flows >"$BT_RUN/est-after"
kept() { grep -vwFf "$BT_RUN/restarted" "$1"; }
bt_check "$T: the $((N - R)) established flows not restarted are the same flows after the flood" \
	cmp -s <(kept "$BT_RUN/est-before") <(kept "$BT_RUN/est-after")
n=$(bt_in b "$BT_CTL" -j show flows | jq -r '.[] | select(.open_rx != null and .open_tx != null
	and .midstream == false) | .remote' | grep -xFf "$BT_RUN/restarted" | sort | uniq | wc -l)
bt_check "$T: the $R restarted sessions were tapped from their SYN, with both OPENs ($n)" test "$n" = $R
shown=$(bt_in b "$BT_CTL" show counters | awk '$1 == "flows_evicted" {print $2}')
bt_check "$T: show counters reports the evictions (flows_evicted ${shown:-missing})" \
	test "${shown:-0}" -ge $((evicted0 + evicted))
n=$(bird_established)
bt_check "$T: $N sessions still established in b ($n)" test "$n" = $N
bt_check "$T: collector: Peer Down for the $R restarted sessions only" \
	cmp -s <(jq -R -r 'fromjson? | select(.bmp_msg_type == "peer_down") | .peer_ip' "$json" | sort) \
	"$BT_RUN/restarted"
bt_check "$T: collector: one Peer Up per session ($((N + R)))" test "$(count_type peer_up)" = $((N + R))
holes=$(bt_in b "$BT_CTL" -j show status | jq .record_holes)
bt_check "$T: bmptapd read every record: no sequence hole (${holes:-none})" test "${holes:-1}" = 0
for c in records_lost drops nomem; do
	v=$(bt_counter b $c)
	bt_check "$T: nothing shed but flows: $c ${v:-missing}" test "${v:-1}" = 0
done

bt_log "lowering max-flows"
# --- a lowered bound sheds unestablished flows only ----------------------
low=$((N + 20))
flows=$(tapval flows)
bt_check "$T: flood flows still held before lowering ($flows)" test "$flows" -gt $low
ev=$(bt_counter b flows_evicted)
bt_in b "$BT_CTL" tap set max-flows $low
bt_check "$T: max-flows $low: the table shrinks to it" \
	bt_wait 30 sh -c "[ \$(ip netns exec b $BT_CTL -j show tap | jq .flows) -le $low ]"
bt_check "$T: max-flows $low: shed flows counted ($((flows - low)) or more)" \
	test $(( $(bt_counter b flows_evicted) - ev )) -ge $((flows - low))
established_flows >"$BT_RUN/est-low"
bt_check "$T: max-flows $low: the established flows kept" cmp -s "$BT_RUN/est-after" "$BT_RUN/est-low"
bt_check "$T: kernel log: no WARNING or BUG" sh -c "! dmesg | grep -Eq 'WARNING:|BUG:|Oops'"

bt_in b "$BT_CTL" show counters >"$ART/counters.txt"
bt_in b "$BT_CTL" -j show flows >"$ART/flows.json"
cp "$json" "$BT_RUN"/est-* "$BT_RUN/flow-samples" "$BT_RUN/flood.out" "$BT_LOG"/* "$ART/" 2>/dev/null
if [ "$BT_FAILS" != 0 ]; then
	tail -n 20 "$BT_LOG/bmptapd.out"
	diff "$BT_RUN/routes-all" <(collected) | head
	cat "$ART/counters.txt"
fi
bt_cleanup
bt_done
