#!/bin/bash
# bmptapd stopped (SIGTERM) and killed (SIGKILL) during a full-table
# transfer, then started again (issue 9 item 4).  tests/tools/bgp-speaker in
# s sends a synthetic table to BIRD in b (tapped; netem slows the link so the
# transfer lasts seconds); bmptapd in b feeds pmbmpd in c.  Once bmptapd
# holds part of the table it is stopped, the transfer goes on without it
# (the module queues the records), and a new bmptapd starts.
#
# The records the old bmptapd had read are gone: the new one learns the
# session from the module's flow dump (both OPENs) and its Adj-RIB-In lacks
# the routes the old one consumed.  Checks, for each signal: the stop landed
# during the transfer (the speaker was not done, or the new bmptapd still
# found part of the table queued); SIGTERM sent Termination
# (or bmptapd logged that the collector did not take it within 2 s)
# and exited 0; after the restart the collector got a new Initiation and
# Peer Up, every route bmptapd holds and none BIRD lacks; and because BIRD
# holds more, the peer is marked incomplete (show peers) and the collector
# was told so with a Route Mirroring "messages lost" TLV.  Were nothing
# missing, the collector's table would have to equal BIRD's exactly.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=faults-restart
SCALE=${FAULTS_SCALE:-0.001}
it_start "$T"
bt_host s && bt_host b && bt_host c
it_link s b 1
it_link b c 2
# ~55 KB of UPDATEs at 8 kbit/s: a transfer of ~1 min, so that the stop
# lands in it even on a loaded TCG guest.
ip netns exec s tc qdisc add dev v1s root netem rate 8kbit
tb_bird_spk b
tb_router BIRD
it_collector c 11019
json=$(it_json c 11019)
cap=$BT_RUN/c/bmp-11019.pcap

tapd_start() {
	ip netns exec b "$IT_B/bmptapd" -v >>"$BT_LOG/b-bmptapd.out" 2>&1 &
	dpid=$!
	bt_wait 20 sh -c "ip netns exec b $IT_B/bmptapctl show status | grep -q servers"
}
bt_check "$T: bmptapd running" tapd_start
bt_check "$T: server add" bt_in b "$IT_B/bmptapctl" server add 10.0.2.2 port 11019 sys-name bmptap-b
bt_check "$T: Initiation reached pmbmpd" bt_wait 30 grep -q '"bmp_msg_type": "init"' "$json"

bird_has() { [ "$(tb_bird_count b)" = "$1" ]; }
tapd_settled() { # bmptapd's prefix count holds still for 3 s
	local a; a=$(tb_tapd_prefixes b 10.0.1.1); sleep 3
	[ "$(tb_tapd_prefixes b 10.0.1.1)" = "$a" ]
}
lost_mirrors() { tb_lost_mirrors "$cap" 11019; }
lost_more() { [ "$(lost_mirrors)" -gt "$1" ]; }

round() { # SIGNAL
	local sig=$1 name=spk-$1 want got fin rc n0 l0 tapd bird
	l0=$(lost_mirrors)
	tb_speaker "$name" "$SCALE"
	bt_check "$T: $sig: speaker established" bt_wait 60 grep -q '^established' "$BT_RUN/$name.out"
	want=$(tb_want "$name")
	# Stop bmptapd as soon as it holds part of the table.  The transfer
	# goes on; the module queues its records.
	tb_stop_mid_transfer "$sig" "$dpid" "$name" "$json"
	fin=$TB_FIN rc=$TB_RC
	if [ "$sig" = TERM ]; then
		bt_check "$T: TERM: exit status 0" test "$rc" = 0
		# bmptapd gives a collector 2 s to take its queued output and
		# the Termination; pmbmpd, slow under TCG, may not: then it says so.
		bt_check "$T: TERM: Termination reached pmbmpd, or bmptapd logged it could not" \
			sh -c "grep -q '\"bmp_msg_type\": \"term\"' $json ||
			       grep -q 'did not take their Termination in time' $BT_LOG/b-bmptapd.out"
	else
		bt_check "$T: KILL: killed (status 137)" test "$rc" = 137
	fi
	n0=$(($(wc -l <"$json") + 1))
	bt_check "$T: $sig: bmptapd restarted" tapd_start
	bt_check "$T: $sig: speaker sent the whole table" bt_wait 180 grep -q '^RESULT' "$BT_RUN/$name.out"
	bt_wait 60 bird_has "$want"
	bird=$(tb_bird_count b)
	bt_check "$T: $sig: BIRD holds every route ($bird of $want)" test "$bird" = "$want"
	bt_check "$T: $sig: Initiation after the restart" \
		bt_wait 60 sh -c "tail -n +$n0 $json | grep -q '\"bmp_msg_type\": \"init\"'"
	bt_check "$T: $sig: Peer Up after the restart" \
		bt_wait 60 sh -c "tail -n +$n0 $json | grep '\"peer_up\"' | grep -q '\"peer_ip\": \"10.0.1.1\"'"
	# bmptapd settles (no more records), then the collector catches up with it.
	bt_wait 60 tapd_settled
	tapd=$(tb_tapd_prefixes b 10.0.1.1)
	# During the transfer as the tap sees it: the speaker was not done, or
	# part of the table was still queued in the module for the new bmptapd.
	bt_check "$T: $sig: bmptapd stopped during the transfer (speaker done: $fin, routes read after: $tapd)" \
		test "$fin" = 0 -o "$tapd" -gt 0
	bt_check "$T: $sig: collector holds every route bmptapd holds ($tapd)" bt_wait 120 sh -c \
		"[ \$($IT_PY -s $n0 $json rib | grep -c '^10\.0\.1\.1 ') = $tapd ]"
	tb_bird_table b 10.0.1.1 >"$BT_RUN/$sig-bird.txt"
	tb_coll_table "$json" "$n0" 10.0.1.1 >"$BT_RUN/$sig-coll.txt"
	got=$(wc -l <"$BT_RUN/$sig-coll.txt")
	bt_check "$T: $sig: every route in the collector is in BIRD's table" \
		sh -c "[ -z \"\$(comm -13 $BT_RUN/$sig-bird.txt $BT_RUN/$sig-coll.txt)\" ]"
	if cmp -s "$BT_RUN/$sig-bird.txt" "$BT_RUN/$sig-coll.txt"; then
		bt_pass "$T: $sig: collector has exactly BIRD's table ($got routes)"
		return
	fi
	echo "$sig: the collector has $got of BIRD's $bird routes"
	bt_check "$T: $sig: routes missing, so show peers marks the peer incomplete" \
		test "$(tb_tapd_field b 10.0.1.1 incomplete)" = true
	bt_check "$T: $sig: show peers says incomplete" sh -c \
		"ip netns exec b $IT_B/bmptapctl show peers | grep -q 'incomplete: messages from this peer were lost'"
	bt_check "$T: $sig: collector told: Route Mirroring messages lost for the peer" \
		bt_wait 20 lost_more "$l0"
}

round TERM
# A new session for the next transfer: the speaker's Cease, BIRD withdraws.
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
bt_check "$T: speaker's session ended" bt_wait 30 bird_has 0
sleep 3
round KILL
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"

bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM $dpid; wait $dpid
it_collector_end c 11019
it_end
