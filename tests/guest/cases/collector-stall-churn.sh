#!/bin/bash
# A collector that stops reading mid-replay while the peer churns a large
# table (issue 15 item 8).  BIRD in s announces ROUTES static /24s (each with
# its own community, so one prefix per UPDATE) in four static protocols to
# BIRD in b (tapped); bmptapd in b (--queue-limit 64 KiB,
# --collector-stall-timeout 30 s: with 16000 routes pmbmpd itself, in a
# loaded TCG guest, went 15 s without reading) feeds pmbmpd on 11019.
# Once pmbmpd holds the table, a Python listener on 11020 (4 KiB receive
# buffer) takes bmptapd's replay, reads 64 KiB of it and stops.  Then, three
# times, s withdraws half the table (two static protocols) and announces it
# again.
#
# Checks: the listener is stuck mid-replay (bmptapd wrote it less than the
# whole replay pmbmpd got); bmptapd's RSS, sampled through the churn, stays
# under its value before the stall plus STALL_RSS_PER_ROUTE bytes per route
# of the table (256 by default; a run measured +80); the listener is
# disconnected after 30 s without progress (counted in the metrics, logged),
# its route changes coalesced while it lagged; pmbmpd never stalls and ends
# with exactly BIRD's table; then the listener dies, pmbmpd takes its port
# and gets exactly BIRD's final table. STALL_TIMEOUT=86400 (no stall
# disconnect) must fail the disconnect checks.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
. "$BT_TOP/tests/lib/stall.sh"
T=collector-stall-churn
ROUTES=${STALL_ROUTES:-8000}	# a multiple of 4
STALL=${STALL_TIMEOUT:-30}
PER_ROUTE=${STALL_RSS_PER_ROUTE:-256}
LIMIT=65536
READ=65536
st_start "$T"
# Four static protocols st1..st4 of ROUTES/4 routes each, 100.0.0.0/24 on.
statics=$(awk -v n="$ROUTES" 'BEGIN {
	for (p = 0; p < 4; p++) {
		printf "protocol static st%d { ipv4;\n", p + 1
		for (i = p * n / 4; i < (p + 1) * n / 4; i++)
			printf "route 100.%d.%d.0/24 blackhole { bgp_community.add((65000, %d)); };\n",
				int(i / 256), i % 256, i
		print "}"
	}
}')
bt_check "$T: BIRD in s with $ROUTES static routes" bt_bird s "router id 10.0.1.1;
protocol device {}
$statics
protocol bgp b {
	local 10.0.1.1 as 4200000100; neighbor 10.0.1.2 as 65001;
	ipv4 { import none; export where source = RTS_STATIC; next hop self; };
}"
it_collector c 11019
st_tapd $LIMIT "$STALL" --metrics 127.0.0.1:9101
st_server_add 11019
bt_check "$T: BIRD in b holds the table ($ROUTES)" bt_wait 300 st_bird_has "$ROUTES"
bt_check "$T: pmbmpd has exactly BIRD's table" st_same 11019
replay=$(st_srv 11019 bytes)
base=$(st_rss)
bound=$((base + ROUTES * PER_ROUTE))
echo "table: $ROUTES routes, replay to pmbmpd $replay bytes; bmptapd RSS $base, bound $bound"

# bmptapd's RSS every half second until the churn is over.
(while kill -0 "$ST_TAPD_PID" 2>/dev/null; do st_rss; sleep 0.5; done) >"$BT_RUN/rss.txt" &
sampler=$!

st_listener 11020 $READ
st_server_add 11020 stalled
bt_check "$T: stalled collector read $READ bytes and stopped" \
	bt_wait 60 grep -q "stopped after $READ bytes" "$BT_LOG/stall-11020.out"
sleep 3	# bmptapd fills the socket's buffers
wrote=$(st_srv 11020 bytes)
echo "stalled collector: read $READ, written to its socket $wrote of the $replay-byte replay;" \
	"state $(st_srv 11020 state) queue $(st_srv 11020 queue_bytes)"
bt_check "$T: stuck mid-replay (written $wrote < replay $replay, not yet disconnected)" \
	test "$wrote" -lt "$replay" -a "$(st_srv 11020 disconnected_stalled)" = 0

for r in 1 2 3; do
	set -- st1 st2; [ $r = 2 ] && set -- st3 st4; [ $r = 3 ] && set -- st1 st3
	bt_birdc s disable "$1" >/dev/null; bt_birdc s disable "$2" >/dev/null
	bt_check "$T: churn $r: $1 $2 withdrawn" bt_wait 300 st_bird_has $((ROUTES / 2))
	bt_birdc s enable "$1" >/dev/null; bt_birdc s enable "$2" >/dev/null
	bt_check "$T: churn $r: announced again" bt_wait 300 st_bird_has "$ROUTES"
	bt_check "$T: churn $r: bmptapd not blocked" st_uptime_moves
	echo "churn $r: stalled: state $(st_srv 11020 state) lagging $(st_srv 11020 lagging)" \
		"queue $(st_srv 11020 queue_bytes) coalesced $(st_srv 11020 coalesced)" \
		"dirty $(st_srv 11020 dirty) resyncs $(st_srv 11020 resyncs)" \
		"disconnected_stalled $(st_srv 11020 disconnected_stalled); RSS $(st_rss)"
done
bt_check "$T: pmbmpd has exactly BIRD's table after the churn" st_same 11019
kill "$sampler"; wait "$sampler" 2>/dev/null
peak=$(sort -n "$BT_RUN/rss.txt" | tail -1)
echo "RSS: before the stall $base, peak $peak over $(wc -l <"$BT_RUN/rss.txt") samples" \
	"(+$(((peak - base) / 1024)) KiB, bound +$((ROUTES * PER_ROUTE / 1024)) KiB), now $(st_rss)"
cp "$BT_RUN/rss.txt" "$ART/"
bt_check "$T: RSS bounded through the churn ($peak <= $base + $ROUTES x $PER_ROUTE)" \
	test "$peak" -le "$bound"
# An unloaded guest churns faster than the timeout: it is due by now or soon.
stalled() { [ "$(st_srv 11020 disconnected_stalled)" -ge 1 ]; }
bt_check "$T: stalled collector disconnected after ${STALL} s without progress" \
	bt_wait $((2 * STALL)) stalled
echo "stalled collector: disconnected $(st_srv 11020 disconnected_stalled) time(s)"
bt_check "$T: ... logged" grep -q "10.0.2.2 port 11020: session lost: stalled: no byte taken" \
	"$BT_LOG/b-bmptapd.out"
bt_in b "$IT_B/bmptapctl" show servers | tee "$ART/servers.txt"
bt_in b curl -s --max-time 10 http://127.0.0.1:9101/metrics >"$ART/metrics.txt"
bt_check "$T: ... counted in the metrics" awk '$1 ~ /^bmptap_collector_stalled_disconnects_total{.*port="11020"/ && $2 >= 1 { ok = 1 }
	END { exit !ok }' "$ART/metrics.txt"
bt_check "$T: route changes coalesced for it ($(st_srv 11020 coalesced))" \
	test "$(st_srv 11020 coalesced)" -gt 0
bt_check "$T: pmbmpd never stalled nor reconnected" \
	test "$(st_srv 11019 disconnected_stalled)" = 0 -a "$(st_srv 11019 reconnects)" = 0

st_release 11020
bt_check "$T: bmptapd still running" kill -0 "$ST_TAPD_PID"
kill -TERM "$ST_TAPD_PID"; wait "$ST_TAPD_PID"
it_collector_end c 11019 "collector 11019" pmbmpd-only
it_collector_end c 11020 "collector 11020" pmbmpd-only
it_end
