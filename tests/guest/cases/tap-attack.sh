#!/bin/bash
# Issue 13, item 6: attacks on live sessions WITHOUT TCP-MD5, with real
# daemons.  bgp-speaker (s, 10.0.1.1) sends a 0.5 % table (~6.4k routes,
# 182 kB, paced to about 500 B/s by fq on s's link so that the attacks land
# mid-transfer, then released) to the tapped daemon in b (BIRD, then FRR's
# bgpd); bmptapd in b feeds pmacct's pmbmpd in c.  Host x, linked to b only, spoofs s's
# address (tests/tools/tcp-spray.py):
#   blind    (BIRD and FRR) segments carrying a valid UPDATE for the bait
#            198.51.100.0/24 at guessed sequence and ACK numbers, then RSTs
#            and FINs; plus near-real ones (numbers sniffed on b's link)
#            that b's TCP refuses: bad / no / too old ACK, beyond the window,
#            in-window RSTs and FINs not at rcv_nxt.  Checked: the bait never
#            reaches the collector (nor the daemon: b's TCP refused it), no
#            Peer Down, the collector ends with exactly the daemon's table,
#            the module's refusal counters rose, and the segments reached b
#            (b's receive counter on x's link, TCP's challenge ACKs).
#   burst    (BIRD) tens of thousands of 1-byte segments in the window ahead
#            of the real data, each with the real stream's byte there (so
#            b's TCP stream stays intact): the transfer completes, the hooks'
#            time per tapped segment is bounded, ping from c stays answered.
#   synflood (BIRD) spoofed-source SYNs at b:179 (tests/tools/syn-flood):
#            no record lost, no queue drop, no gap.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
. "$BT_TOP/tests/lib/tap.sh"
T=tap-attack
SCALE=0.005
SPRAY=$BT_TOP/tests/tools/tcp-spray.py
FLOOD=$BT_TOP/build/tools/syn-flood
BLIND_N=${ATTACK_BLIND_N:-3000}
BURST_N=${ATTACK_BURST_N:-20000}
FLOOD_N=${ATTACK_FLOOD_N:-20000}
HOOK_NS_MAX=250000	# per tapped segment: generous for TCG (about 10 us natively... x25)
PING_MAX_MS=5000
BT_POLL=1

it_start "$T"
bt_modprobe sch_fq
for h in s b x c; do bt_host $h; done
it_link s b 1
it_link x b 2
it_link b c 9
for h in s b x c; do
	bt_in $h sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.tcp_timestamps=0
done
bt_in b sysctl -qw net.ipv4.conf.v2b.rp_filter=0
# x's link carries nothing but the attack towards b, so b's receive counter
# on it counts what x sent: no IPv6, no ARP.
for h in b x; do bt_in $h sysctl -qw net.ipv6.conf.v2$h.disable_ipv6=1; done
ip -n b neigh replace 10.0.2.1 lladdr "$(ip -n x -j link show v2x | jq -r '.[0].address')" dev v2b nud permanent
ip -n x neigh replace 10.0.2.2 lladdr "$(ip -n b -j link show v2b | jq -r '.[0].address')" dev v2x nud permanent
bt_in x ip route add 10.0.1.0/24 via 10.0.2.2
# b answers the flood's forged sources through x, which does not forward.
bt_in b ip route add 198.18.0.0/15 via 10.0.2.1
# Small segments from s, paced one by one (not 64 KiB GSO bursts): fq
# sends at least one packet a second whatever its maxrate.
bt_in s ethtool -K v1s tso off gso off >/dev/null
bt_in b ip route change 10.0.1.0/24 dev v1b advmss 536

J=$(it_json c 11019)
it_collector c 11019
it_tapd b 10.0.9.2 11019 attack-b
"$TB_SPK" -w "$BT_RUN/stream" -S $SCALE -s 7 -4 10.0.1.1 -6 fd00:1::1 >"$BT_RUN/stream.out"

cnt() { bt_counter b "$1"; }
rx_x() { ip -n b -s -j link show v2b | jq '.[0].stats64.rx.packets'; }
mib() { bt_in b nstat -az "$1" | awk -v n="$1" '$1 == n { print $2 }'; }
COUNTERS="out_of_window bad_ack bogus rst_ignored fin_ignored records_lost drops gaps gap_bytes conflicts pruned pruned_bytes nomem hook_ns segments"
declare -A c0
snap() { local c; for c in $COUNTERS; do c0[$c]=$(cnt $c); done; }
delta() { echo $(( $(cnt "$1") - ${c0[$1]:-0} )); }
# wscale: b's receive window scale, from ss (the second of "wscale:S,R").
wscale() { bt_in b ss -tin state established '( sport = :179 )' | sed -n 's/.*wscale:[0-9]*,\([0-9]*\).*/\1/p' | head -1; }
tapd_prefixes() { tb_tapd_prefixes b 10.0.1.1; }
tapd_has_all() { [ "$(tapd_prefixes)" = "$WANT" ]; }
in_transfer() { # the speaker's table is partly through
	local n; n=$(tapd_prefixes)
	[ "${n:-0}" -gt 0 ] && [ "$n" -lt "$WANT" ]
}
spray() { # MODE OPTION...: tcp-spray from x, numbers sniffed on b's link
	local mode=$1; shift
	python3 "$SPRAY" "$mode" -x x -s b -i v1b -w "$(wscale)" "$@" >"$BT_RUN/$RUN-$mode.out" 2>&1
	local rc=$?
	cat "$BT_RUN/$RUN-$mode.out"
	bt_check "$RUN: $mode: tcp-spray ran (rc=$rc)" test $rc = 0
	SENT=$(sed -n 's/^tcp-spray: sent \([0-9]*\) .*/\1/p' "$BT_RUN/$RUN-$mode.out")
}
# table NAME: the daemon's table of the speaker's routes, "PEER PREFIX".
table() {
	case $DAEMON in
	bird) tb_bird_table b 10.0.1.1 ;;
	frr) for f in ipv4 ipv6; do bt_vtysh b -c "show bgp $f unicast json"; done |
		jq -r '.routes // {} | keys[] | "10.0.1.1 " + .' | sort -u ;;
	esac
}
daemon_has_bait() {
	case $DAEMON in
	bird) bt_birdc b show route 198.51.100.0/24 | grep -q '198.51.100.0/24' ;;
	frr) bt_vtysh b -c 'show bgp ipv4 unicast 198.51.100.0/24' | grep -q 'Paths:' ;;
	esac
}
no_bait() { ! daemon_has_bait; }
# coll_is_table START: the collector's table of the speaker's routes from
# line START of its log is the daemon's.
coll_is_table() {
	tb_coll_table "$J" "$1" 10.0.1.1 >"$BT_RUN/$DAEMON.coll"
	cmp -s "$BT_RUN/$DAEMON.coll" "$BT_RUN/$DAEMON.table"
}
start_daemon() {
	case $DAEMON in
	bird) tb_bird_spk b ;;
	frr) tb_frr_spk b ;;
	esac
}
stop_daemon() {
	kill -TERM "$TB_SPK_PID" 2>/dev/null; wait "$TB_SPK_PID" 2>/dev/null
	case $DAEMON in
	bird) kill "$(cat "$BT_RUN/b/bird.pid")"; rm -f "$BT_RUN/b/bird.pid" ;;
	frr) kill "$(cat "$BT_RUN/b/bgpd.pid")"; rm -f "$BT_RUN/b/bgpd.pid" ;;
	esac
	bt_wait 20 sh -c "! ip netns exec b ss -ltn | grep -q ':179 '"
}

# --- the attacks -------------------------------------------------------------
attack_blind() {
	local r0 ch0; r0=$(rx_x); ch0=$(mib TcpExtTCPChallengeACK)
	spray blind -N "$BLIND_N" -A 4
	local got=$(( $(rx_x) - r0 )) ch=$(( $(mib TcpExtTCPChallengeACK) - ch0 ))
	bt_check "$RUN: blind: the $SENT forged segments reached b ($got)" test "$got" -ge "${SENT:-1}"
	bt_check "$RUN: blind: b's TCP answered in-window RSTs with challenge ACKs ($ch)" test "$ch" -gt 0
	bt_check "$RUN: blind: sent during the transfer" in_transfer
}
attack_burst() {
	local s0 h0 ping=$BT_RUN/$RUN-ping.out
	s0=$(cnt segments); h0=$(cnt hook_ns)
	# (not through bt_in: $! must be ping's own pid for the SIGINT)
	ip netns exec c ping -i 0.2 -W 10 10.0.9.1 >"$ping" 2>&1 &
	local ppid=$!
	spray burst -N "$BURST_N" -f "$BT_RUN/stream"
	bt_check "$RUN: burst: tens of thousands of segments sent (${SENT:-0})" test "${SENT:-0}" -ge 10000
	bt_check "$RUN: burst: sent during the transfer" in_transfer
	sleep 2
	kill -INT $ppid; wait $ppid
	# (the probe in flight when ping stopped is not a loss)
	local segs=$(( $(cnt segments) - s0 )) ns=$(( $(cnt hook_ns) - h0 ))
	local per=$(( ns / (segs > 0 ? segs : 1) ))
	echo "burst: $segs tapped segments, hooks $ns ns: $per ns per segment"
	bt_check "$RUN: burst: the tap saw the burst ($segs segments)" test "$segs" -ge "${SENT:-1}"
	bt_check "$RUN: burst: hooks' time per segment bounded ($per ns < $HOOK_NS_MAX)" \
		test "$per" -lt $HOOK_NS_MAX
	tail -n 2 "$ping"
	local tx rx max
	read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$ping")
	max=$(sed -n 's|^rtt .* = [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p' "$ping")
	bt_check "$RUN: burst: ping from c answered throughout ($rx of $tx)" \
		test "${rx:-0}" -gt 0 -a "${rx:-0}" -ge $(( ${tx:-1} - 1 ))
	bt_check "$RUN: burst: ping max RTT ${max:-?} ms < $PING_MAX_MS" \
		awk -v m="${max:-999999}" -v b=$PING_MAX_MS 'BEGIN { exit !(m < b) }'
}
attack_synflood() {
	local r0; r0=$(rx_x)
	bt_in x "$FLOOD" -n "$FLOOD_N" 198.18.0.0/15 10.0.1.2 179 >"$BT_RUN/$RUN-flood.out" 2>&1
	local rc=$? got=$(( $(rx_x) - r0 ))
	bt_check "$RUN: synflood: $FLOOD_N SYNs sent (rc=$rc) and reached b ($got)" \
		test $rc = 0 -a "$got" -ge "$FLOOD_N"
	bt_check "$RUN: synflood: sent during the transfer" in_transfer
}

# run DAEMON ATTACK...: one table transfer to DAEMON under the attacks.
run() {
	DAEMON=$1 RUN="$T: $1"; shift
	local n0=$(( $(wc -l <"$J") + 1 )) a
	bt_check "$RUN: daemon started" start_daemon
	tc -n s qdisc replace dev v1s root fq maxrate 4kbit
	tb_speaker "spk-$DAEMON" $SCALE -H 0
	bt_check "$RUN: speaker established" bt_wait 60 grep -q '^established' "$BT_RUN/spk-$DAEMON.out"
	WANT=$(tb_want "spk-$DAEMON")
	bt_check "$RUN: transfer under way" bt_wait 60 in_transfer
	snap
	for a in "$@"; do bt_log "$RUN: $a"; "attack_$a"; done
	tc -n s qdisc del dev v1s root
	bt_check "$RUN: table acknowledged by b's TCP" bt_wait 120 grep -q '^RESULT' "$BT_RUN/spk-$DAEMON.out"
	bt_check "$RUN: bmptapd has the whole table ($WANT)" bt_wait 120 tapd_has_all
	table >"$BT_RUN/$DAEMON.table"
	bt_check "$RUN: the collector has exactly the daemon's table ($(wc -l <"$BT_RUN/$DAEMON.table") of $WANT)" \
		bt_wait 60 coll_is_table $n0
	bt_check "$RUN: the daemon's table is the speaker's ($WANT)" test "$(wc -l <"$BT_RUN/$DAEMON.table")" = "$WANT"
	bt_check "$RUN: the bait never reached the collector" sh -c "! tail -n +$n0 '$J' | grep -q '198\.51\.100\.'"
	bt_check "$RUN: b's TCP never accepted the bait (not in the daemon)" no_bait
	it_none "$DAEMON: no Peer Down for the session" -s $n0 "$J" down 10.0.1.1
	bt_check "$RUN: the peer is not incomplete" test "$(tb_tapd_field b 10.0.1.1 incomplete)" = false
	local c
	for c in $COUNTERS; do printf '%s +%s  ' "$c" "$(delta $c)"; done; echo
	for c in records_lost drops gaps gap_bytes conflicts; do
		bt_check "$RUN: counter $c did not move" test "$(delta $c)" = 0
	done
	case " $* " in *" blind "*)
		# (bogus: data far from the stream's next byte; since old ACKs
		# are refused, a blind guess rarely gets that far.)
		for c in out_of_window bad_ack rst_ignored fin_ignored; do
			bt_check "$RUN: blind: counter $c rose (+$(delta $c))" test "$(delta $c)" -gt 0
		done ;;
	esac
	stop_daemon
	# (its Peer Down, before the next run's start line)
	bt_wait 60 it_q -s $n0 "$J" down 10.0.1.1
}

run bird blind burst synflood
run frr blind

bt_in b "$IT_B/bmptapctl" show counters
it_collector_end c 11019 collector pmbmpd-only
it_end
