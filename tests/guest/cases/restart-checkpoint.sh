#!/bin/bash
# Issue 19 item 1: bmptapd restarts without loss.  As in faults-restart,
# tests/tools/bgp-speaker in s sends a synthetic table to BIRD in b (tapped;
# netem makes the transfer last about a minute), bmptapd in b feeds pmbmpd
# in c, and bmptapd is stopped as soon as it holds part of the table.  Here
# it runs with --checkpoint auto (/var/lib/bmptap/b.ckpt): the module frees
# records only once a checkpoint covers them.
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

bird_has() { [ "$(tb_bird_count b)" = "$1" ]; }
tapd_has() { [ "$(tb_tapd_prefixes b 10.0.1.1)" = "$1" ]; }
tapd_has_some() { [ "$(tb_tapd_prefixes b 10.0.1.1)" -gt 0 ]; }
lost_mirrors() { # Route Mirroring "messages lost" TLVs for the speaker so far
	python3 "$BT_TOP/tests/lib/bmpmirror.py" "$cap" 11019 2>/dev/null |
		awk '$2 == "lost" && $3 == "10.0.1.1" {print $4}' | grep . || echo 0
}
json_still() { local a; a=$(wc -c <"$json"); sleep 3; [ "$(wc -c <"$json")" = "$a" ]; }
lost_more() { [ "$(lost_mirrors)" -gt "$1" ]; }
same_tables() { # NAME START: the collector's table from line START is BIRD's
	tb_bird_table b 10.0.1.1 >"$BT_RUN/$1-bird.txt"
	tb_coll_table "$json" "$2" 10.0.1.1 >"$BT_RUN/$1-coll.txt"
	cmp -s "$BT_RUN/$1-bird.txt" "$BT_RUN/$1-coll.txt"
}
loads() { grep -c "checkpoint $CKPT loaded" "$BT_LOG/b-bmptapd.out"; }

round() { # SIGNAL
	local sig=$1 name=spk-$1 want atkill fin rc n0 l0 ld0
	l0=$(lost_mirrors)
	ld0=$(loads)
	tb_speaker "$name" "$SCALE"
	bt_check "$T: $sig: speaker established" bt_wait 60 grep -q '^established' "$BT_RUN/$name.out"
	want=$(tb_want "$name")
	bt_wait 60 tapd_has_some
	# A KILL after at least one periodic checkpoint of this session.
	[ "$sig" = KILL ] && sleep 3
	kill -"$sig" $dpid
	fin=$(grep -c '^RESULT' "$BT_RUN/$name.out")
	wait $dpid; rc=$?
	atkill=$(tb_bird_count b)
	echo "$sig: BIRD held $atkill of $want routes just after bmptapd stopped (rc $rc)"
	bt_wait 90 json_still
	if [ "$sig" = TERM ]; then
		bt_check "$T: TERM: exit status 0" test "$rc" = 0
	else
		bt_check "$T: KILL: killed (status 137)" test "$rc" = 137
	fi
	bt_check "$T: $sig: a checkpoint file exists" test -s "$CKPT"
	n0=$(($(wc -l <"$json") + 1))
	bt_check "$T: $sig: bmptapd restarted" tapd_start
	bt_check "$T: $sig: the checkpoint was loaded" test "$(loads)" = $((ld0 + 1))
	bt_check "$T: $sig: status counts it loaded, none refused" \
		test "$(status loaded)/$(status refused)" = 1/0
	bt_check "$T: $sig: speaker sent the whole table" bt_wait 180 grep -q '^RESULT' "$BT_RUN/$name.out"
	bt_wait 60 bird_has "$want"
	bt_check "$T: $sig: BIRD holds every route ($(tb_bird_count b) of $want)" bird_has "$want"
	bt_check "$T: $sig: bmptapd holds them all" bt_wait 120 tapd_has "$want"
	bt_check "$T: $sig: bmptapd stopped during the transfer (speaker done then: $fin, BIRD had $atkill)" \
		test "$fin" = 0 -o "$atkill" -lt "$want"
	bt_check "$T: $sig: the peer is complete" test "$(tb_tapd_field b 10.0.1.1 incomplete)" = false
	bt_check "$T: $sig: Peer Up after the restart" \
		bt_wait 60 sh -c "tail -n +$n0 $json | grep '\"peer_up\"' | grep -q '\"peer_ip\": \"10.0.1.1\"'"
	bt_check "$T: $sig: the collector holds exactly BIRD's table" bt_wait 120 same_tables "$sig" "$n0"
	bt_check "$T: $sig: no messages lost told to the collector" test "$(lost_mirrors)" = "$l0"
	bt_check "$T: $sig: bmptapd logged no lost records" \
		sh -c "! grep -E 'records [0-9]+\.\.[0-9]+ lost|module lost|earlier messages were consumed' $BT_LOG/b-bmptapd.out"
}

round TERM
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
bt_check "$T: speaker's session ended" bt_wait 30 bird_has 0
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

kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM $dpid; wait $dpid
it_collector_end c 11019
it_end
