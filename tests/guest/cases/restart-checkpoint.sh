#!/bin/bash
# Issue 19 items 1 and 3: bmptapd restarts without loss.  As in
# faults-restart, tests/tools/bgp-speaker in s sends a synthetic table to
# BIRD in b (tapped; netem makes the transfer last about a minute), bmptapd
# in b feeds pmbmpd in c, and bmptapd is stopped as soon as it holds part of
# the table.  Here it runs with --checkpoint auto (/var/lib/bmptap/b.ckpt):
# the module frees records only once a checkpoint covers them.  The TERM
# and KILL rounds run with BIRD, then (after the corrupt round) with FRR
# bgpd in b in BIRD's place, the same bmptapd going on.
#   TERM     the checkpoint written on SIGTERM is loaded at the restart and
#            the queued records read on from it.
#   KILL     no checkpoint at the kill: the last periodic one (every 2 s) is
#            loaded and the records after it, never acknowledged, read again.
#            For both: pmbmpd ends with exactly BIRD's table, the peer is
#            complete and no "messages lost" reached the collector.
#   corrupt  a byte of the checkpoint flipped while bmptapd is stopped: the
#            file is refused with one log line and counted, and bmptapd
#            behaves as without one (the records it covered were freed: the
#            peer is incomplete and the collector told so).
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=restart-checkpoint
SCALE=${FAULTS_SCALE:-0.001}
CKPT=/var/lib/bmptap/b.ckpt
it_start "$T"
bt_host s && bt_host b && bt_host c
it_link s b 1
it_link b c 2
ip netns exec s tc qdisc add dev v1s root netem rate 8kbit
mkdir -p /var/lib/bmptap
tb_bird_spk b
tb_router BIRD
it_collector c 11019
json=$(it_json c 11019)
cap=$BT_RUN/c/bmp-11019.pcap

tapd_start() {
	ip netns exec b "$IT_B/bmptapd" -v --checkpoint auto --checkpoint-interval 2 \
		>>"$BT_LOG/b-bmptapd.out" 2>&1 &
	dpid=$!
	bt_wait 20 sh -c "ip netns exec b $IT_B/bmptapctl show status | grep -q servers"
}
status() { bt_in b "$IT_B/bmptapctl" -j show status | jq -r ".checkpoints.$1"; }
bt_check "$T: bmptapd running" tapd_start
bt_check "$T: the checkpoint path is the namespace's ($(status path))" test "$(status path)" = "$CKPT"
bt_check "$T: server add" bt_in b "$IT_B/bmptapctl" server add 10.0.2.2 port 11019 sys-name bmptap-b
bt_check "$T: Initiation reached pmbmpd" bt_wait 30 grep -q '"bmp_msg_type": "init"' "$json"

rtr_has() { [ "$(tb_rtr_count)" = "$1" ]; }
tapd_has() { [ "$(tb_tapd_prefixes b 10.0.1.1)" = "$1" ]; }
lost_mirrors() { tb_lost_mirrors "$cap" 11019; }
lost_more() { [ "$(lost_mirrors)" -gt "$1" ]; }
loads() { grep -c "checkpoint $CKPT loaded" "$BT_LOG/b-bmptapd.out"; }

round() { # SIGNAL
	local sig=$1 name=spk-$TB_RTR-$1 want atkill fin rc n0 l0 ld0 log0 R="$T: $TB_RTR $1"
	l0=$(lost_mirrors)
	# (the corrupt round before FRR's logged its losses)
	log0=$(($(wc -l <"$BT_LOG/b-bmptapd.out") + 1))
	ld0=$(loads)
	bt_wait 30 tb_rtr_ready
	tb_speaker "$name" "$SCALE"
	bt_check "$R: speaker established" bt_wait 60 grep -q '^established' "$BT_RUN/$name.out"
	want=$(tb_want "$name")
	# A KILL after at least one periodic checkpoint of this session.
	tb_stop_mid_transfer "$sig" "$dpid" "$name" "$json" "$([ "$sig" = KILL ] && echo 3)"
	fin=$TB_FIN rc=$TB_RC atkill=$TB_ATKILL
	if [ "$sig" = TERM ]; then
		bt_check "$R: exit status 0" test "$rc" = 0
	else
		bt_check "$R: killed (status 137)" test "$rc" = 137
	fi
	bt_check "$R: a checkpoint file exists" test -s "$CKPT"
	n0=$(($(wc -l <"$json") + 1))
	bt_check "$R: bmptapd restarted" tapd_start
	bt_check "$R: the checkpoint was loaded" test "$(loads)" = $((ld0 + 1))
	bt_check "$R: status counts it loaded, none refused" \
		test "$(status loaded)/$(status refused)" = 1/0
	bt_check "$R: speaker sent the whole table" bt_wait 180 grep -q '^RESULT' "$BT_RUN/$name.out"
	bt_wait 60 rtr_has "$want"
	bt_check "$R: $TB_RTR holds every route ($(tb_rtr_count) of $want)" rtr_has "$want"
	bt_check "$R: bmptapd holds them all" bt_wait 120 tapd_has "$want"
	bt_check "$R: bmptapd stopped during the transfer (speaker done then: $fin, $TB_RTR had $atkill)" \
		test "$fin" = 0 -o "$atkill" -lt "$want"
	bt_check "$R: the peer is complete" test "$(tb_tapd_field b 10.0.1.1 incomplete)" = false
	bt_check "$R: Peer Up after the restart" \
		bt_wait 60 sh -c "tail -n +$n0 $json | grep '\"peer_up\"' | grep -q '\"peer_ip\": \"10.0.1.1\"'"
	bt_check "$R: the collector holds exactly $TB_RTR's table" \
		bt_wait 120 tb_same_tables "$TB_RTR-$sig" "$json" "$n0"
	bt_check "$R: no messages lost told to the collector" test "$(lost_mirrors)" = "$l0"
	bt_check "$R: bmptapd logged no lost records" \
		sh -c "! tail -n +$log0 $BT_LOG/b-bmptapd.out |
			grep -E 'records [0-9]+\.\.[0-9]+ lost|module lost|earlier messages were consumed'"
}
session_end() { # the speaker's Cease: the daemon withdraws its routes
	kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
	bt_check "$T: $TB_RTR: speaker's session ended" bt_wait 30 rtr_has 0
}

round TERM
session_end
sleep 3
round KILL

# --- corrupt: the session stays up, its table fully read -------------------
kill -TERM $dpid; wait $dpid
bt_check "$T: corrupt: checkpoint written on SIGTERM" test -s "$CKPT"
l0=$(lost_mirrors)
size=$(stat -c %s "$CKPT")
printf '\377' | dd of="$CKPT" bs=1 seek=$((size / 2)) conv=notrunc status=none
bt_check "$T: corrupt: bmptapd restarted" tapd_start
bt_check "$T: corrupt: one log line refuses the file" \
	test "$(grep -c "checkpoint $CKPT refused: checksum mismatch" "$BT_LOG/b-bmptapd.out")" = 1
bt_check "$T: corrupt: status counts it refused, none loaded" \
	test "$(status loaded)/$(status refused)" = 0/1
bt_check "$T: corrupt: the peer is back from the flow dump" bt_wait 30 sh -c \
	"[ \"\$(ip netns exec b $IT_B/bmptapctl -j show peers | jq '[.[] | select(.remote_address == \"10.0.1.1\")] | length')\" = 1 ]"
bt_check "$T: corrupt: as without a checkpoint, the peer is incomplete" \
	bt_wait 30 sh -c "[ \"\$(ip netns exec b $IT_B/bmptapctl -j show peers | jq -r '.[] | select(.remote_address == \"10.0.1.1\") | .incomplete')\" = true ]"
bt_check "$T: corrupt: the collector was told messages were lost" bt_wait 60 lost_more "$l0"
bt_check "$T: corrupt: a good checkpoint replaces the bad one" bt_wait 30 sh -c \
	"[ \"\$(ip netns exec b $IT_B/bmptapctl -j show status | jq .checkpoints.written)\" -ge 1 ]"

session_end
bt_check "$T: bmptapd still running" kill -0 $dpid

# --- FRR in BIRD's place: the TERM and KILL rounds again --------------------
bt_check "$T: BIRD stopped" tb_rtr_stop
bt_check "$T: FRR bgpd started in b" tb_frr_spk b
tb_router FRR
round TERM
session_end
round KILL
session_end

bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM $dpid; wait $dpid
it_collector_end c 11019
it_end
