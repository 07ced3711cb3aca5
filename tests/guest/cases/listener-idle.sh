#!/bin/bash
# bmptapd's passive listener under 250 idle connections, with the module, a
# real tapped session and a real collector (issue 15 item 8; the host test
# tests/host/listener-hostile.sh covers the listener's refusals in detail).
# bgp-speaker (s) sends a 2 % table to BIRD (b), tapped; bmptapd in b
# listens for collectors (passive on, allow 10.0.2.0/24, --listen-max 16,
# --listen-max-per-source 4, --collector-stall-timeout 5).  From c, 250
# connections from two addresses that never read: the caps hold, the
# admitted ones are disconnected as stalled, bmptapd's CPU stays low and
# `bmptapctl show status` and the metrics answer.  Then pmacct's pmbmpd,
# which only listens, is connected to bmptapd by a byte relay from a third
# address: it must end with exactly BIRD's table.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=listener-idle
SCALE=${LISTENER_SCALE:-0.02}
PORT=11019
STALL=5
it_start "$T"
bt_host s && bt_host b && bt_host c
it_link s b 1
it_link b c 2
for a in 10.0.2.3 10.0.2.4 10.0.2.5; do
	ip -n c addr add "$a/24" dev v2c
done
tb_bird_spk b

it_tapd_start b --listen-max 16 --listen-max-per-source 4 --collector-stall-timeout $STALL \
	--metrics 127.0.0.1:9190
dpid=$IT_TAPD_PID
bt_check "$T: passive server with an allow list" bt_in b "$IT_B/bmptapctl" server add 10.0.2.1 \
	port $PORT sys-name bmptap-b passive on allow 10.0.2.0/24

tb_speaker spk "$SCALE"
bt_check "$T: table sent" bt_wait 600 grep -q '^RESULT' "$BT_RUN/spk.out"
want=$(tb_want spk)
bird_has() { [ "$(tb_bird_count b)" = "$1" ]; }
bt_check "$T: BIRD holds the whole table ($want routes)" bt_wait 300 bird_has "$want"
bt_check "$T: bmptapd holds it" bt_wait 300 sh -c \
	"[ \"\$(ip netns exec b $IT_B/bmptapctl -j show peers | jq '[.[] | select(.state == \"established\") |
	  .prefixes.ipv4_unicast + .prefixes.ipv6_unicast] | add // 0')\" = $want ]"

L="server=\"10.0.2.1\",port=\"$PORT\""
metric() { # SERIES: its value now
	ip netns exec b curl -s --max-time 5 http://127.0.0.1:9190/metrics |
		awk -v s="$1" '$1 == s { print $2; f = 1 } END { exit !f }'
}
at_least() { local v; v=$(metric "$1") && [ "$v" -ge "$2" ]; }
ip netns exec c python3 "$BT_TOP/tests/tools/idle-collectors.py" 10.0.2.1 $PORT 125 \
	10.0.2.3 10.0.2.4 >"$BT_RUN/idle.txt" 2>&1 &
ipid=$!
bt_check "$T: 250 idle connections opened" bt_wait 60 grep -q '^opened 250' "$BT_RUN/idle.txt"
bt_check "$T: at least half refused per source" \
	bt_wait 30 at_least "bmptap_collector_refused_total{$L,reason=\"per_source\"}" 125
bt_check "$T: the admitted ones, stuck mid-replay, disconnected after ${STALL} s" \
	bt_wait $((STALL * 4 + 20)) at_least "bmptap_collector_stalled_disconnects_total{$L}" 8
echo "sessions $(metric "bmptap_collector_sessions_total{$L}"),"\
	"refused per source $(metric "bmptap_collector_refused_total{$L,reason=\"per_source\"}"),"\
	"stalled $(metric "bmptap_collector_stalled_disconnects_total{$L}")"
cpu() { awk '{ print $14 + $15 }' "/proc/$dpid/stat"; }
t0=$(cpu); sleep 10; t1=$(cpu)
ms=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
bt_check "$T: bmptapd CPU over 10 s with 250 idle connections: $ms ms < 2000 ms" test $ms -lt 2000
bt_check "$T: show status answers" sh -c "ip netns exec b $IT_B/bmptapctl show status >/dev/null"
bt_check "$T: show servers answers" sh -c "ip netns exec b $IT_B/bmptapctl show servers >/dev/null"
bt_check "$T: metrics answer" at_least "bmptap_collector_state{$L,state=\"listening\"}" 1

it_collector c 11020
json=$(it_json c 11020)
ip netns exec c python3 -c '
import select, socket
a = socket.create_connection(("10.0.2.1", '$PORT'), source_address=("10.0.2.5", 0))
b = socket.create_connection(("10.0.2.2", 11020))
peer = {a: b, b: a}
while True:
    for s in select.select([a, b], [], [])[0]:
        d = s.recv(65536)
        if not d:
            raise SystemExit(0)
        peer[s].sendall(d)
' >"$BT_LOG/c-relay.out" 2>&1 &
spid=$!
tb_bird_table b 10.0.1.1 >"$BT_RUN/bird.txt"
same_table() {
	tb_coll_table "$json" 1 10.0.1.1 >"$BT_RUN/coll.txt"
	[ -s "$BT_RUN/bird.txt" ] && cmp -s "$BT_RUN/bird.txt" "$BT_RUN/coll.txt"
}
bt_check "$T: pmbmpd through the relay holds exactly BIRD's table ($want routes)" bt_wait 300 same_table
[ "$BT_FAILS" = 0 ] || { wc -l "$BT_RUN/bird.txt" "$BT_RUN/coll.txt"; tail -20 "$BT_LOG/b-bmptapd.out"; }
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$dpid/status")
echo "bmptapd peak RSS: $hwm kB"
kill "$ipid" "$spid" 2>/dev/null; wait "$ipid" "$spid" 2>/dev/null
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM $dpid; wait $dpid
it_collector_end c 11020
it_end
