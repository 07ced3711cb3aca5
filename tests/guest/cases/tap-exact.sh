#!/bin/bash
# Issue 3: the module's record stream carries exactly the bytes each side of
# a real TCP session sent, in order, once, whatever the network does to the
# segments (netem loss, reordering, duplication, corruption: a corrupted
# segment fails its checksum, TCP drops it and so must the tap), over IPv4
# and IPv6; and for real BIRD peers every message they exchanged is seen once
# (checked against an independent capture decoded by tshark).
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"

bt_modprobe veth; bt_modprobe sch_netem
bt_insmod || { bt_fail "tap-exact: insmod"; bt_done; }
bt_host a; bt_host b; bt_link a b 1

bt_exchange "tap-exact: ipv4 clean" 10.0.1.2 3000 4096 b a b
bt_exchange "tap-exact: ipv6 clean, 64k messages" fd00:1::2 300 65535 b a b
bt_exchange "tap-exact: ipv6 with a hop-by-hop extension header" fd00:1::2 500 4096 b a b -H
for dev in v1a; do bt_in a tc qdisc add dev $dev root netem delay 2ms loss 3% reorder 25% 50% duplicate 5% corrupt 1%; done
bt_in b tc qdisc add dev v1b root netem delay 2ms loss 3% reorder 25% 50% duplicate 5% corrupt 1%
bt_exchange "tap-exact: ipv4 netem loss+reorder+dup+corrupt" 10.0.1.2 3000 4096 b a b
bt_exchange "tap-exact: ipv6 netem loss+reorder+dup+corrupt" fd00:1::2 2000 8192 b a b
bt_in a tc qdisc del dev v1a root; bt_in b tc qdisc del dev v1b root
for c in segments bytes messages retransmits out_of_order; do
	v=$(bt_counter b $c)
	bt_check "tap-exact: netns counter $c moved under netem ($v)" test "${v:-0}" -gt 0
done
# netem corrupts 1 % of the packets anywhere in them, so in some runs no
# corrupted TCP segment reaches b (a flipped MAC or IP header bit is dropped
# before TCP): the tap's count is held against b's own TCP checksum errors.
tcp_csum=$(bt_in b nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }')
tap_csum=$(bt_counter b bad_csum)
if [ "${tcp_csum:-0}" -gt 0 ]; then
	bt_check "tap-exact: netns counter bad_csum moved as b's TCP counted checksum errors (tap $tap_csum, TCP $tcp_csum)" test "${tap_csum:-0}" -gt 0
else
	bt_check "tap-exact: no corrupted segment reached b's TCP, none counted by the tap (tap $tap_csum)" test "${tap_csum:-0}" -eq 0
fi

# Real BIRD peers: the tap in b against a capture taken in a, decoded by tshark.
# A socket of the netem exchanges may still retransmit its last segments
# (their ACKs were lost) after the tap saw its flow end; such a segment would
# start a mid-stream flow in the BIRD phase below and add messages the BIRD
# capture cannot have.  Wait until nothing but TIME-WAIT is left on port 179.
quiet179() {
	local ns
	for ns in a b; do
		bt_in $ns ss -Htan '( sport = :179 or dport = :179 )' |
			awk '$1 != "LISTEN" && $1 != "TIME-WAIT" { busy = 1 } END { exit busy }' || return 1
	done
}
bt_wait 120 quiet179 || bt_fail "tap-exact: the netem exchanges' sockets did not close"
out=$BT_RUN/bird; mkdir -p "$out"
bt_in b "$BT_LISTEN" -o "$out/tap" -t 300 -n 2 >"$out/listen.out" 2>&1 &
lpid=$!
bt_wait 10 test -e "$out/tap/ready"
# BIRD must not connect before the capture runs: a collided first connection
# missing from the capture would make the message counts differ.
bt_in a tcpdump -i v1a -w "$out/cap.pcap" -U 'tcp port 179' >"$out/tcpdump.out" 2>&1 &
dpid=$!
bt_wait 20 grep -q 'listening on' "$out/tcpdump.out" || bt_fail "tap-exact: tcpdump did not start"
conf() { # AS NEIGHBOR PEER-AS N-ROUTES-BASE
	echo "router id $2; protocol device {}
protocol static { ipv4; $(for i in $(seq 1 200); do echo "route 10.$4.$((i / 250)).$((i % 250))/32 unreachable;"; done) }
protocol static { ipv6; route 2001:db8:$4::/48 unreachable; }
protocol bgp p4 { local as $1; neighbor $2 as $3; ipv4 { import all; export all; }; }
protocol bgp p6 { local as $1; neighbor ${5} as $3; ipv6 { import all; export all; }; }"
}
bt_bird a "$(conf 65001 10.0.1.2 65002 100 fd00:1::2)"
bt_bird b "$(conf 65002 10.0.1.1 65001 200 fd00:1::1)"
bt_wait 60 bt_bird_established a p4 && bt_wait 60 bt_bird_established a p6
bt_wait 30 sh -c "birdc -s $BT_RUN/a/bird.ctl show route count | grep -q '402 of 402'"
bt_check "tap-exact: bird sessions up, routes exchanged" \
	sh -c "birdc -s $BT_RUN/a/bird.ctl show route count | grep -q '402 of 402'"
bt_birdc a down >/dev/null; bt_birdc b down >/dev/null
wait $lpid; lrc=$?
sleep 1; kill $dpid; wait $dpid 2>/dev/null
bt_check "tap-exact: bird flows ended, no seq hole (rc=$lrc)" test $lrc = 0
# Each TCP stream as tshark reassembled it from the capture, both
# directions; streams that carried nothing (a collided connect) are skipped,
# and a collided connect on which only one side sent its OPEN has one empty
# direction, held against the tap's message count below.  A collision in
# which both sides sent their OPEN before one closed is a third stream with
# data both ways: each stream must match, and the two sessions are there.
ok=1 nstreams=0
for i in $(tshark -r "$out/cap.pcap" -T fields -e tcp.stream 2>/dev/null | sort -un); do
	tshark -r "$out/cap.pcap" -q -z "follow,tcp,raw,$i" 2>/dev/null >"$out/follow$i"
	# follow,raw prints node-0 data unindented and node-1 data indented.
	body() { sed -n '/^=====/,/^=====/p' "$out/follow$i" | grep -v '^=\|^Follow\|^Filter\|^Node'; }
	body | grep -v '^	' | tr -d '\n' | xxd -r -p >"$out/s$i.client"
	body | grep '^	' | tr -d '\t\n' | xxd -r -p >"$out/s$i.server"
	[ -s "$out/s$i.client" ] || [ -s "$out/s$i.server" ] || continue
	[ -s "$out/s$i.client" ] && [ -s "$out/s$i.server" ] && nstreams=$((nstreams + 1))
	m=0
	for s in "$out/s$i.client" "$out/s$i.server"; do
		[ -s "$s" ] || { m=$((m + 1)); continue; }
		for f in "$out"/tap/flow*.rx "$out"/tap/flow*.tx; do
			cmp -s "$f" "$s" && { m=$((m + 1)); break; }
		done
	done
	[ "$m" = 2 ] || ok=0
	echo "stream $i: $(stat -c %s "$out/s$i.client") + $(stat -c %s "$out/s$i.server") bytes, matched $m/2 tap files"
done
[ "$nstreams" -ge 2 ] || ok=0
bt_check "tap-exact: every BIRD stream the capture saw equals the tap's, both directions" test $ok = 1
n_tap=$(grep -c 'type=msg' "$out/tap/records.log")
# Counted by walking the BGP headers of the capture's reassembled streams,
# not with tshark's BGP dissector: that one skips a segment it takes for a
# retransmission, and once counted one message fewer than the streams hold.
n_cap=$(python3 -c '
import sys
n = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    off = 0
    while off + 19 <= len(data) and data[off:off + 16] == b"\xff" * 16:
        length = int.from_bytes(data[off + 16:off + 18], "big")
        if length < 19:
            break
        off += length
        n += 1
    if off != len(data):
        sys.exit("%s: no BGP header at byte %d of %d" % (path, off, len(data)))
print(n)' "$out"/s*.client "$out"/s*.server)
bt_check "tap-exact: BGP message count tap=$n_tap capture=$n_cap" test "$n_tap" = "$n_cap"
[ "$n_tap" = "$n_cap" ] || {
	ls -l "$out"/tap; grep -v 'type=msg' "$out/tap/records.log" | head -20
	tshark -r "$out/cap.pcap" -Y bgp 2>&1 | head -40
}
bt_cleanup
rmmod bmptap
bt_check "tap-exact: module unloads after the run" sh -c '! lsmod | grep -q ^bmptap'
bt_done
