#!/bin/bash
# Issue 3: the module's behaviour around the data path: only CAP_NET_ADMIN
# may use the family; the port set is configurable; a full queue drops
# messages but accounts for every one of them in gap records and counters;
# sessions that predate the module are picked up mid-stream; a late reader
# learns sessions with their OPENs from the flow dump; forwarded sessions
# are tapped on request; namespaces die and the module unloads and reloads
# under live sessions and listeners.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"

bt_modprobe veth
bt_host a; bt_host b; bt_link a b 1

bird_pair() { # NS_A NS_B KEEPALIVE
	local conf='router id %s; protocol device {}
protocol static { ipv4; route %s unreachable; }
protocol bgp p4 { local as %s; neighbor %s as %s; hold time %s; keepalive time %s;
	ipv4 { import all; export all; }; }'
	bt_bird "$1" "$(printf "$conf" 10.0.1.1 192.0.2.0/24 65001 10.0.1.2 65002 $(( $3 * 3 )) "$3")"
	bt_bird "$2" "$(printf "$conf" 10.0.1.2 198.51.100.0/24 65002 10.0.1.1 65001 $(( $3 * 3 )) "$3")"
	bt_wait 60 bt_bird_established "$1" p4
}

# --- sessions that predate the module are picked up mid-stream ----------
bird_pair a b 2
bt_check "lifecycle: BIRD up before the module" bt_bird_established a p4
bt_check "lifecycle: insmod under a live session" bt_insmod
out=$BT_RUN/mid; mkdir -p "$out"
bt_in b "$BT_LISTEN" -o "$out" -t 8 >/dev/null 2>&1
bt_check "lifecycle: mid-stream flow flagged MIDSTREAM" grep -q 'type=flow-start.*fflags=0x1' "$out/records.log"
bt_check "lifecycle: mid-stream KEEPALIVEs framed from the first whole header" \
	grep -q 'type=msg.*bgp_type=4' "$out/records.log"
flows=$(bt_in b "$BT_CTL" -j show flows)
echo "$flows"
bt_check "lifecycle: flow dump shows the mid-stream flow without OPENs" \
	sh -c "echo '$flows' | grep -q '\"midstream\": *true' && echo '$flows' | grep -q '\"open_rx\": *null'"

# --- unload and reload with live sessions and a listener holding a socket
bt_in b "$BT_LISTEN" -o "$BT_RUN/hold" -t 60 >/dev/null 2>&1 &
lpid=$!
bt_wait 10 test -e "$BT_RUN/hold/ready"
bt_check "lifecycle: rmmod with live sessions and a listener" \
	bt_wait 10 rmmod bmptap
bt_check "lifecycle: BIRD session survived the unload" bt_bird_established a p4
kill $lpid 2>/dev/null; wait $lpid 2>/dev/null
bt_check "lifecycle: reload" bt_insmod
bt_birdc a restart p4 >/dev/null
bt_check "lifecycle: session re-established after reload" bt_wait 60 bt_bird_established a p4
sleep 1

# --- a late reader learns the session, with both OPENs, from the flow dump
bt_check "lifecycle: flow dump carries both OPENs of a session seen from SYN" \
	sh -c "ip netns exec b $BT_CTL -j show flows | grep -q '\"open_rx\": *\"ffff' &&
		ip netns exec b $BT_CTL -j show flows | grep -q '\"open_tx\": *\"ffff'"
bt_in b "$BT_CTL" show flows

# --- permissions ----------------------------------------------------------
nobody() { ip netns exec b setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all "$@"; }
bt_check "lifecycle: unprivileged show flows refused" \
	sh -c "! $(declare -f nobody); nobody $BT_CTL show flows 2>&1 | grep -qi 'not permitted'"
out=$(nobody "$BT_CTL" show flows 2>&1); echo "unprivileged: $out"
bt_check "lifecycle: unprivileged tap set refused" \
	sh -c "$(declare -f nobody); ! nobody $BT_CTL tap set ports 1790"
bt_check "lifecycle: unprivileged READ refused" \
	sh -c "$(declare -f nobody); ! nobody $BT_LISTEN -o /tmp/nobody -t 1"
bt_cleanup
bt_host a; bt_host b; bt_link a b 1

# --- ports are configurable ----------------------------------------------
bt_check "lifecycle: tap set ports 1790" bt_in b "$BT_CTL" tap set ports 1790
bt_check "lifecycle: settings show port 1790" sh -c "ip netns exec b $BT_CTL show tap | grep -q 1790"
bt_in b "$BT_BLAST" listen 10.0.1.2 179 -n 50 -w 20 >/dev/null 2>&1 &
bt_wait 10 bt_in b sh -c "ss -ltn | grep -q ':179 '"
bt_in a "$BT_BLAST" connect 10.0.1.2 179 -n 50 -w 20 >/dev/null 2>&1; wait
bt_in b "$BT_LISTEN" -o "$BT_RUN/ports" -t 2 >/dev/null 2>&1
bt_check "lifecycle: port 179 no longer tapped" sh -c "! grep -q type=msg $BT_RUN/ports/records.log"
bt_in b "$BT_CTL" tap set ports 179

# --- a full queue: every dropped message is accounted for ----------------
bt_check "lifecycle: tap set queue-bytes 262144" bt_in b "$BT_CTL" tap set queue-bytes 262144
bt_in b "$BT_BLAST" listen 10.0.1.2 179 -n 4000 -s 3 -S "$BT_RUN/of.srv" -w 60 >/dev/null 2>&1 &
sleep 0.5
bt_in a "$BT_BLAST" connect 10.0.1.2 179 -n 4000 -s 4 -S "$BT_RUN/of.cli" -w 60 >/dev/null 2>&1
wait
sleep 1
bt_in b "$BT_LISTEN" -o "$BT_RUN/of" -t 3 >"$BT_RUN/of.out" 2>&1
of_rc=$?
log=$BT_RUN/of/records.log
bt_check "lifecycle: overflow produced OVERFLOW gap records" grep -q 'type=gap.*reason=overflow' "$log"
bt_check "lifecycle: queue overflow leaves no seq hole (rc=$of_rc)" test $of_rc = 0
for d in rx tx; do
	got=$(grep -c "type=msg.*dir=$d" "$log")
	lost=$(grep "type=gap.*dir=$d.*reason=overflow" "$log" | sed 's/.*messages=\([0-9]*\).*/\1/' |
		awk '{s += $1} END {print s + 0}')
	bt_check "lifecycle: $d: delivered $got + reported lost $lost = 4000 sent" \
		test $((got + lost)) = 4000
done
drops=$(bt_counter b drops)
bt_check "lifecycle: netns drop counter ($drops) matches the gap records" \
	test "$drops" = "$(grep 'reason=overflow' "$log" | sed 's/.*messages=\([0-9]*\).*/\1/' | awk '{s += $1} END {print s + 0}')"
bt_in b "$BT_CTL" tap set queue-bytes 67108864

# --- the flow table is bounded: unestablished flows are evicted first ----
bt_in b "$BT_CTL" tap set max-flows 2
bt_in b python3 -c '
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.1.2", 179)); s.listen(16); conns = []
# Until told: a listener with a lifetime of its own ran out before the
# client on a loaded machine, and refused connects make no flows.
end = time.time() + 300
s.settimeout(0.5)
while time.time() < end and not os.path.exists(sys.argv[1]):
    try: conns.append(s.accept()[0])
    except socket.timeout: pass
' "$BT_RUN/maxflows.done" &
srv=$!
# The connects below must find the listener: refused ones make no flows, and
# the eviction count would test nothing.
bt_wait 10 bt_in b sh -c "ss -ltn | grep -q '10.0.1.2:179 '"
bt_check "lifecycle: five sessions opened against max-flows 2" bt_in a python3 -c '
import socket, time
cs = []
for i in range(5):
    c = socket.create_connection(("10.0.1.2", 179)); c.send(b"x"); cs.append(c); time.sleep(0.2)
time.sleep(2)
'
flows=$(bt_in b "$BT_CTL" -j show tap | tr ',{}' '\n\n\n' | grep '"flows"' | grep -o '[0-9]*' | head -1)
bt_check "lifecycle: max-flows 2 holds ($flows flows)" test "${flows:-99}" -le 2
bt_check "lifecycle: evictions counted" test "$(bt_counter b flows_evicted)" -ge 3
touch "$BT_RUN/maxflows.done"
wait $srv
bt_in b "$BT_CTL" tap set max-flows 4096

# --- an idle flow expires after idle-timeout -----------------------------
bt_in b "$BT_CTL" tap set idle-timeout 10
bt_in b python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.1.2", 179)); s.listen(1); c = s.accept()[0]; time.sleep(25)
' &
srv=$!
# The connects below must find the listener: refused ones make no flows, and
# the eviction count would test nothing.
bt_wait 10 bt_in b sh -c "ss -ltn | grep -q '10.0.1.2:179 '"
bt_check "lifecycle: the quiet session connects" bt_in a python3 -c '
import socket, time
c = socket.create_connection(("10.0.1.2", 179)); c.send(b"\xff" * 19); time.sleep(24)
' &
cli=$!
sleep 2
bt_check "lifecycle: quiet session has a flow" bt_wait 15 sh -c "ip netns exec b $BT_CTL show flows | grep -q 10.0.1.1"
bt_in b "$BT_LISTEN" -o "$BT_RUN/idle" -t 20 >/dev/null 2>&1
bt_check "lifecycle: idle flow ended with reason idle" grep -q 'type=flow-end.*end=idle' "$BT_RUN/idle/records.log"
bt_check "lifecycle: idle flow left the table" sh -c "! ip netns exec b $BT_CTL show flows | grep -q 10.0.1.1"
wait $srv $cli

# A session that negotiated hold time 0 sends nothing while up: it must not
# be expired as idle, only ended by its FIN.
OPEN0='b"\xff" * 16 + bytes([0, 29, 1, 4, 0xfd, 0xe8, 0, 0, 10, 0, 1, 9, 0])'
# The client closes only when told (a file appears), so a slow guest cannot
# end the session before the check; the server closes on the client's FIN.
close_flag=/tmp/lifecycle-hold0-close
rm -f "$close_flag"
bt_in b python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.0.1.2', 179)); s.listen(1); c = s.accept()[0]; c.send($OPEN0)
while c.recv(4096): pass
" &
srv=$!
bt_wait 15 sh -c "ip netns exec b ss -Hltn 'sport = :179' | grep -q ." ||
	bt_fail "lifecycle: hold-time-0 server did not listen"
bt_in a python3 -c "
import os, socket, time
c = socket.create_connection(('10.0.1.2', 179)); c.send($OPEN0)
for _ in range(600):
    if os.path.exists('$close_flag'): break
    time.sleep(0.2)
" &
cli=$!
bt_check "lifecycle: hold-time-0 session has an established flow" bt_wait 15 sh -c \
	"ip netns exec b $BT_CTL show flows | grep 10.0.1.1 | grep -q established"
sleep 18
bt_check "lifecycle: hold-time-0 session outlives idle-timeout 10" sh -c \
	"ip netns exec b $BT_CTL show flows | grep -q 10.0.1.1"
touch "$close_flag"
wait $srv $cli
bt_check "lifecycle: hold-time-0 flow ends on FIN" bt_wait 10 sh -c \
	"! ip netns exec b $BT_CTL show flows | grep -q 10.0.1.1"
bt_in b "$BT_CTL" tap set idle-timeout 300

# --- forwarded sessions, on request ---------------------------------------
bt_cleanup
bt_host a; bt_host r; bt_host b
bt_link a r 1; bt_link r b 2
bt_in r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
bt_in a ip route add 10.0.2.0/24 via 10.0.1.2
bt_in b ip route add 10.0.1.0/24 via 10.0.2.1
bt_in a ip -6 route add fd00:2::/64 via fd00:1::2
bt_in b ip -6 route add fd00:1::/64 via fd00:2::1
bt_in r "$BT_LISTEN" -o "$BT_RUN/fwd-off" -t 1 >/dev/null 2>&1
bt_check "lifecycle: forward tap is off by default" sh -c "ip netns exec r $BT_CTL show tap | grep -qi 'forward.*off'"
bt_in r "$BT_CTL" tap set forward on
bt_exchange "lifecycle: forwarded ipv4 session" 10.0.2.2 1000 4096 r a b
bt_exchange "lifecycle: forwarded ipv6 session" fd00:2::2 1000 4096 r a b
bt_in r "$BT_CTL" tap set forward off
bt_in b "$BT_BLAST" listen 10.0.2.2 179 -n 20 -w 20 >/dev/null 2>&1 &
sleep 0.5; bt_in a "$BT_BLAST" connect 10.0.2.2 179 -n 20 -w 20 >/dev/null 2>&1; wait
bt_in r "$BT_LISTEN" -o "$BT_RUN/fwd-off2" -t 2 >/dev/null 2>&1
bt_check "lifecycle: forward off again: nothing tapped" sh -c "! grep -q type=msg $BT_RUN/fwd-off2/records.log"

# --- namespaces die with live flows; the module still unloads cleanly ----
bt_cleanup
bt_host c; bt_host d; bt_link c d 1
bird_pair c d 2
bt_check "lifecycle: flows in a namespace about to die" \
	sh -c "ip netns exec d $BT_CTL show flows | grep -q 10.0.1"
pkill -9 -x bird; sleep 0.3
ip netns del c; ip netns del d
sleep 2
bt_check "lifecycle: rmmod after namespaces with flows died" rmmod bmptap
bt_done
