#!/bin/bash
# bmptapd's per-peer memory budget against a real BGP session and collector:
# bgp-speaker (s) sends a 5 % synthetic table (~63k routes) to BIRD (b),
# tapped by the module; bmptapd in b runs with --peer-memory-max 256K and
# feeds pmacct's pmbmpd (c).  BIRD holds the whole table (the tap changes
# nothing); bmptapd stores routes up to its budget and counts the rest
# (stored + refused = the table); `bmptapctl show peers` says the peer is
# incomplete (memory budget); pmbmpd's stream carries exactly one Route
# Mirroring "messages lost" for the peer; bmptapd's peak RSS stays below
# 8 MB (without the budget the table costs it ~14 MB: tests/host/budget.sh
# measures both on the host).
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=peer-budget
SCALE=${BUDGET_SCALE:-0.05}
it_start "$T"
bt_host s && bt_host b && bt_host c
it_link s b 1
it_link b c 2
tb_bird_spk b
it_collector c 11019
json=$(it_json c 11019)
cap=$BT_RUN/c/bmp-11019.pcap

it_tapd_start b --peer-memory-max 256K
dpid=$IT_TAPD_PID
bt_check "$T: server add" bt_in b "$IT_B/bmptapctl" server add 10.0.2.2 port 11019 sys-name bmptap-b
bt_check "$T: Initiation reached pmbmpd" bt_wait 30 grep -q '"bmp_msg_type": "init"' "$json"

lost_mirrors() { # Route Mirroring "messages lost" TLVs for the speaker
	python3 "$BT_TOP/tests/lib/bmpmirror.py" "$cap" 11019 2>/dev/null |
		awk '$2 == "lost" && $3 == "10.0.1.1" {print $4}' | grep . || echo 0
}
bird_has() { [ "$(tb_bird_count b)" = "$1" ]; }
tapd_accounted() { # every route of the table stored or refused
	[ $(( $(tb_tapd_prefixes b 10.0.1.1) + $(tb_tapd_field b 10.0.1.1 memory_refused) )) = "$1" ]
}

tb_speaker spk "$SCALE"
bt_check "$T: speaker established" bt_wait 60 grep -q '^established' "$BT_RUN/spk.out"
bt_check "$T: table sent" bt_wait 600 grep -q '^RESULT' "$BT_RUN/spk.out"
want=$(tb_want spk)
bt_check "$T: BIRD holds the whole table ($want routes)" bt_wait 300 bird_has "$want"
bt_check "$T: bmptapd stored or refused every route" bt_wait 300 tapd_accounted "$want"
stored=$(tb_tapd_prefixes b 10.0.1.1)
refused=$(tb_tapd_field b 10.0.1.1 memory_refused)
charged=$(tb_tapd_field b 10.0.1.1 memory_bytes)
echo "bmptapd: $stored routes stored, $refused refused, $charged bytes charged"
bt_check "$T: routes past the budget refused and counted ($refused)" test "$refused" -gt 0
bt_check "$T: charge within 256 KiB ($charged)" test "$charged" -le 262144
bt_check "$T: status says incomplete" test "$(tb_tapd_field b 10.0.1.1 incomplete)" = true
bt_check "$T: show peers says memory budget reached" sh -c \
	"ip netns exec b $IT_B/bmptapctl show peers | grep -q 'incomplete: memory budget reached, $refused routes not stored'"
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$dpid/status")
bt_check "$T: bmptapd peak RSS bounded ($hwm kB < 8192)" test "$hwm" -lt 8192
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
bt_check "$T: speaker's session ended" bt_wait 60 bird_has 0
bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM $dpid; wait $dpid
it_collector_end c 11019
bt_check "$T: collector told once: Route Mirroring messages lost for the peer" \
	test "$(lost_mirrors)" = 1
it_end
