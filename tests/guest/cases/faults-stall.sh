#!/bin/bash
# A collector that accepts but never reads (issue 9 item 4), beside a
# normal one.  bgp-speaker in s sends a synthetic table to BIRD in b
# (tapped), three times (each time a new session: Cease, then the table
# again); bmptapd in b (--queue-limit 64 KiB) feeds pmbmpd on port 11019 and
# a Python listener on 11020 that accepts, shrinks its receive buffer and
# never calls recv().
#
# Checks: after every transfer the normal collector holds exactly BIRD's
# table; the stalled collector's output stays within the bound (queued bytes
# <= 4 x --queue-limit, the peer-event allowance) with route changes
# coalesced while it lags; the kernel socket's Send-Q stays within its buffer
# (RSS is logged, not checked: the Adj-RIB-In churn of each transfer moves it
# by more than the queue could); bmptapd never blocks (status keeps being
# published).  Having taken no byte for --collector-stall-timeout (issue 15
# item 3), mid-replay or live, the stalled collector is disconnected,
# counted and logged; bmptapd keeps retrying it.  Then the stalled collector
# is killed and pmbmpd takes its port: bmptapd reconnects and it ends with
# exactly BIRD's table.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
. "$BT_TOP/tests/lib/stall.sh"
T=faults-stall
SCALE=${FAULTS_SCALE:-0.002}
LIMIT=65536
STALL=20
st_start "$T"
it_collector c 11019
st_listener 11020 0
st_tapd $LIMIT $STALL
dpid=$ST_TAPD_PID
st_server_add 11019
st_server_add 11020 stalled
bt_check "$T: stalled collector accepted bmptapd" bt_wait 30 grep -q accepted "$BT_LOG/stall-11020.out"

for r in 1 2 3; do
	tb_speaker spk$r "$SCALE"
	bt_check "$T: round $r: table sent" bt_wait 120 grep -q '^RESULT' "$BT_RUN/spk$r.out"
	want=$(tb_want spk$r)
	bt_check "$T: round $r: BIRD holds the table ($want)" bt_wait 60 st_bird_has "$want"
	bt_check "$T: round $r: normal collector has exactly BIRD's table" bt_wait 120 st_coll_same 11019
	bt_check "$T: round $r: bmptapd not blocked" st_uptime_moves
	q=$(st_srv 11020 queue_bytes)
	sq=$(ip netns exec b ss -tnH state established dst 10.0.2.2 dport = :11020 | awk '{print $2}')
	echo "round $r: stalled: state $(st_srv 11020 state) lagging $(st_srv 11020 lagging) queue $q" \
		"coalesced $(st_srv 11020 coalesced) dirty $(st_srv 11020 dirty) resyncs $(st_srv 11020 resyncs)" \
		"disconnected_stalled $(st_srv 11020 disconnected_stalled)" \
		"socket Send-Q ${sq:-none}; normal: bytes $(st_srv 11019 bytes)" \
		"reconnects $(st_srv 11019 reconnects) stalled $(st_srv 11019 disconnected_stalled); RSS $(st_rss)"
	bt_check "$T: round $r: its output within the bound ($q <= 4 x $LIMIT)" test "$q" -le $((4 * LIMIT))
	# No socket (between a stall and the reconnect) holds nothing.
	bt_check "$T: round $r: its socket's Send-Q bounded (${sq:-none} <= 4 MiB)" test "${sq:-0}" -le 4194304
	# From the second transfer on the stalled collector lags: its
	# coalescing set (one entry per prefix) exists; nothing may grow after.
	[ $r = 2 ] && { rss2=$(st_rss) bytes2=$(st_srv 11019 bytes); }
	[ $r = 3 ] && break
	kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
	bt_check "$T: round $r: BIRD withdrew the table" bt_wait 60 st_bird_has 0
	sleep 3
done
rss3=$(st_rss) bytes3=$(st_srv 11019 bytes)
# One table fits in the bound plus the socket buffers; three do not.
bt_check "$T: stalled collector disconnected after ${STALL} s without progress ($(st_srv 11020 disconnected_stalled))" \
	test "$(st_srv 11020 disconnected_stalled)" -ge 1
bt_check "$T: ... logged" grep -q "10.0.2.2 port 11020: session lost: stalled: no byte taken" \
	"$BT_LOG/b-bmptapd.out"
bt_check "$T: the normal collector never stalled ($(st_srv 11019 disconnected_stalled))" \
	test "$(st_srv 11019 disconnected_stalled)" = 0
bt_check "$T: route changes coalesced for it ($(st_srv 11020 coalesced))" \
	test "$(st_srv 11020 resyncs)" -ge 1 -a "$(st_srv 11020 coalesced)" -gt 0
echo "RSS after round 2: $rss2, after round 3: $rss3; normal collector got $((bytes3 - bytes2)) bytes meanwhile"
bt_in b "$IT_B/bmptapctl" show servers | tee "$ART/servers.txt"
bt_check "$T: show servers lists the stalled collector with its resyncs" \
	sh -c "grep ' 11020 ' $ART/servers.txt | awk 'BEGIN {r = 1} {r = !(\$NF >= 1)} END {exit r}'"

st_release 11020
bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
kill -TERM $dpid; wait $dpid
it_collector_end c 11019
it_collector_end c 11020
it_end
