#!/bin/bash
# Issue 19 items 2 and 3: a peer's Adj-RIB-In made whole again without a
# session reset.  tests/tools/bgp-speaker in s (enhanced route refresh, -R)
# sends a synthetic table to the tapped daemon in b, BIRD first, then FRR
# bgpd (8.4) in its place; bmptapd in b feeds pmbmpd in c.  For each:
#   midstream  the session is up and the table in the daemon before the
#              module is loaded (for FRR: bmptapd stopped and the module
#              unloaded first): bmptapd picks the session up mid-stream and
#              marks the peer incomplete.  The documented soft refresh
#              (`birdc reload in spk`, `vtysh -c 'clear bgp 10.0.1.1 soft
#              in'`) makes the speaker re-send its table between BoRR and
#              EoRR: the peer is complete again, and the collector holds
#              exactly the daemon's table, each family followed by End-of-RIB.
#   silent     a new session whose refresh leaves out the speaker's first 5
#              UPDATEs of each family without withdrawing them (-D 5).
#              bmptapd drops their routes at EoRR (RFC 7313) and the
#              collector gets the withdrawals.  BIRD drops them too; FRR
#              8.4 marks them stale at BoRR and keeps them after EoRR
#              (Documentation/interop.md): the collector then holds exactly
#              FRR's routes less the stale ones.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=refresh-complete
SCALE=0.001
bt_modprobe veth
bt_host s && bt_host b && bt_host c
it_link s b 1
it_link b c 2
json=$(it_json c 11019)
cap=$BT_RUN/c/bmp-11019.pcap

rtr_has() { [ "$(tb_rtr_count)" = "$1" ]; }
field() { tb_tapd_field b 10.0.1.1 "$1"; }
field_is() { [ "$(field "$1")" = "$2" ]; }
tapd_has() { [ "$(tb_tapd_prefixes b 10.0.1.1)" = "$1" ]; }
refreshes_ge() { # N: refreshes seen to their end, over the speaker's peers
	[ "$(ip netns exec b "$IT_B/bmptapctl" -j show peers |
		jq '[.[] | select(.remote_address == "10.0.1.1") | .refreshes] | add')" -ge "$1" ]
}
# End-of-RIB markers (IPv4: an empty UPDATE) for the speaker in the capture
# since the epoch second SINCE.
eors4() { # SINCE
	tshark -r "$cap" -d tcp.port==11019,bmp -Y "frame.time_epoch >= $1 &&
		bmp.peer.ip.addr == 10.0.1.1 && bgp.type == 2 &&
		bgp.update.withdrawn_routes.length == 0 && bgp.update.path_attributes.length == 0" \
		-T fields -e frame.number 2>/dev/null | grep -c .
}
fewer_settled() { # the daemon's fresh routes: fewer than want, and still for 2 s
	local a; a=$(tb_rtr_table fresh | wc -l); sleep 2
	[ "$a" -lt "$want" ] && [ "$(tb_rtr_table fresh | wc -l)" = "$a" ]
}
session_end() { # the speaker's Cease: the daemon withdraws its routes
	kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
	bt_check "$T: $TB_RTR: speaker's session ended" bt_wait 30 rtr_has 0
}

# midstream_start: the speaker's session, up with its table in the daemon
# before the module is loaded.  Sets want.
midstream_start() {
	M="$T: $TB_RTR midstream"
	bt_wait 30 tb_rtr_ready
	tb_speaker "mid-$TB_RTR" "$SCALE" -R
	bt_check "$M: speaker established before the module" \
		bt_wait 60 grep -q '^established' "$BT_RUN/mid-$TB_RTR.out"
	want=$(tb_want "mid-$TB_RTR")
	bt_check "$M: $TB_RTR holds the speaker's $want routes" bt_wait 120 rtr_has "$want"
}
refresh() { # N: the Nth soft refresh: the speaker re-sends both families
	bt_check "$M: soft refresh $1 requested" tb_rtr_refresh
	bt_check "$M: the speaker re-sent both families" \
		bt_wait 60 sh -c "[ \$(grep -c '^refreshed' $BT_RUN/mid-$TB_RTR.out) = $(($1 * 2)) ]"
}
# midstream N0: after midstream_start, the module and bmptapd; the
# collector's lines from N0 on are this bmptapd's.  The collector had been
# told of LOST0 losses before.
midstream() {
	local n0=$1 t0 gaps n
	bt_check "$M: bmptapd found the session" bt_wait 30 sh -c \
		"ip netns exec b $IT_B/bmptapctl -j show flows |
		 jq -e '.[] | select(.remote == \"10.0.1.1\" and .midstream)' >/dev/null"
	t0=$(date +%s)
	refresh 1
	bt_wait 60 field_is refreshes 2
	# A loss during a refresh cancels it (refresh.h); the pickup itself is
	# one gap each way.  Losses are the tap's, and shown here; the
	# operator's answer is another refresh.
	gaps=$(field gaps_rx)
	if [ "$(field refreshes)" != 2 ] && [ "${gaps:-0}" -gt 1 ]; then
		echo "KNOWN: $M: the tap lost bytes during the refresh ($gaps rx gaps), which cancelled it:"
		grep 'gap' "$BT_LOG/b-bmptapd.out"
		bt_in b "$IT_B/bmptapctl" show counters
		bt_check "$M: the peer stayed incomplete" field_is incomplete true
		refresh 2
		bt_wait 60 refreshes_ge 2
	fi
	bt_check "$M: bmptapd saw a refresh of both families end ($(field refreshes))" \
		bt_wait 30 refreshes_ge 2
	bt_check "$M: the peer is complete again" field_is incomplete false
	bt_check "$M: and needs no refresh" field_is refresh_needed false
	bt_check "$M: enhanced route refresh inferred from BoRR" field_is enhanced_refresh true
	bt_check "$M: bmptapd holds the $want routes" bt_wait 30 tapd_has "$want"
	bt_check "$M: the collector holds exactly $TB_RTR's table" \
		bt_wait 120 tb_same_tables "mid-$TB_RTR" "$json" "$n0"
	bt_check "$M: the collector was told messages were lost at the pickup" \
		test "$(tb_lost_mirrors "$cap" 11019)" -gt "$LOST0"
	# (The table above came before them: the capture has them by now.)
	n=$(eors4 "$t0")
	bt_check "$M: IPv4 End-of-RIB after the refresh ($n)" test "$n" -ge 1
	session_end
}

# silent: a refresh that leaves routes out.
silent() {
	local S="$T: $TB_RTR silent" n0 kept gone
	n0=$(($(wc -l <"$json") + 1))
	bt_wait 30 tb_rtr_ready
	tb_speaker "silent-$TB_RTR" "$SCALE" -R -D 5
	bt_check "$S: speaker established" bt_wait 60 grep -q '^established' "$BT_RUN/silent-$TB_RTR.out"
	want=$(tb_want "silent-$TB_RTR")
	bt_check "$S: $TB_RTR holds the speaker's $want routes" bt_wait 120 rtr_has "$want"
	bt_check "$S: bmptapd holds them" bt_wait 60 tapd_has "$want"
	bt_check "$S: the peer is complete" field_is incomplete false
	bt_check "$S: enhanced route refresh negotiated" field_is enhanced_refresh true
	bt_check "$S: soft refresh requested" tb_rtr_refresh
	bt_check "$S: the refresh left 5 IPv4 UPDATEs out" \
		bt_wait 60 grep -q '^refreshed afi=1 .* omitted=5' "$BT_RUN/silent-$TB_RTR.out"
	bt_wait 60 field_is refreshes 2
	bt_wait 60 fewer_settled
	kept=$(tb_rtr_table fresh | wc -l)
	bt_check "$S: $TB_RTR's routes not re-sent are gone or stale at EoRR ($kept of $want kept)" \
		test "$kept" -lt "$want"
	bt_check "$S: bmptapd withdrew as many ($(field refresh_withdrawn))" \
		bt_wait 30 field_is refresh_withdrawn $((want - kept))
	bt_check "$S: bmptapd holds the $kept routes $TB_RTR kept" bt_wait 30 tapd_has "$kept"
	bt_check "$S: the collector holds exactly $TB_RTR's table (stale routes left out)" \
		bt_wait 120 tb_same_tables "silent-$TB_RTR" "$json" "$n0" fresh
	bt_check "$S: the peer stays complete" field_is incomplete false
	gone=$(tb_rtr_count)
	[ "$gone" = "$kept" ] ||
		echo "KNOWN: $S: $TB_RTR still holds $gone routes after EoRR, $((gone - kept)) of them stale"
	session_end
}

# --- BIRD (it offers enhanced route refresh whenever route refresh is on,
# the default) ---------------------------------------------------------------
tb_bird_spk b
tb_router BIRD
LOST0=0
midstream_start
it_start "$T"
it_collector c 11019
it_tapd b 10.0.2.2 11019 bmptap-b
midstream 1
silent

# --- FRR in BIRD's place -----------------------------------------------------
kill -TERM "$IT_TAPD_PID"; wait "$IT_TAPD_PID"
cp "$BT_LOG/b-bmptapd.out" "$BT_LOG/b-bmptapd-bird.out"
bt_check "$T: module unloaded" rmmod bmptap
bt_check "$T: BIRD stopped" tb_rtr_stop
bt_check "$T: FRR bgpd started in b" tb_frr_spk b
tb_router FRR
midstream_start
bt_check "$T: FRR: module loaded again" bt_insmod
LOST0=$(tb_lost_mirrors "$cap" 11019)
n0=$(($(wc -l <"$json") + 1))
it_tapd b 10.0.2.2 11019 bmptap-b
midstream "$n0"
silent
it_collector_end c 11019
it_end
