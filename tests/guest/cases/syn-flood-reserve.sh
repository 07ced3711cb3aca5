#!/bin/bash
# Issue 13, item 4: a SYN flood's flows cannot fill the record queue's control
# reserve.  With the smallest queue (256 KiB, reserve 16 KiB) and no reader,
# a bulk session F fills the queue with messages; an established session S
# (one KEEPALIVE so far) waits while namespace c floods b's port 179 with SYNs
# from forged sources, which b answers (SYN-ACK) and the tap evicts at a
# bound of 16 flows.  Then S sends 200 KEEPALIVEs (dropped: the queue is
# full) and closes: its overflow GAP and FLOW_END need the reserve.  Checked
# after draining: no LOST record (the flood queued nothing: FLOW_START goes
# with a flow's first record), S's GAP counts its 200 messages, S ends with
# FLOW_END, and the seq has no hole.  Before FLOW_START was deferred, every
# answered flood flow queued FLOW_START and FLOW_END into the reserve.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
T=syn-flood-reserve
FLOOD=$BT_TOP/build/tools/syn-flood
GO=$BT_RUN/go

bt_modprobe veth
bt_insmod || { bt_fail "$T: insmod"; bt_done; }
bt_host a; bt_host b; bt_host c
bt_link a b 1		# the sessions
bt_link b c 2		# the flood
# The forged sources route back through c, whose neighbour entry is static:
# b's SYN-ACKs leave without waiting for ARP replies nobody sends.
ip -n b neigh replace 10.0.2.2 lladdr "$(ip -n c -j link show v2c | jq -r '.[0].address')" dev v2b nud permanent
ip -n b route add 198.18.0.0/15 via 10.0.2.2
ip -n c neigh replace 10.0.2.1 lladdr "$(ip -n b -j link show v2b | jq -r '.[0].address')" dev v2c nud permanent
ip -n c route add 10.0.1.0/24 via 10.0.2.1
bt_in b "$BT_CTL" tap set queue-bytes 262144
bt_in b "$BT_CTL" tap set max-flows 16

# b: a listener that reads every connection to EOF (the flood's included);
# started without bt_in so that $! is python itself, which kill then ends.
ip netns exec b python3 -c '
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.1.2", 179)); s.listen(64)
def drain(c):
    while c.recv(65536):
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=drain, args=(c,), daemon=True).start()
' &
lpid=$!
# Python starts slowly in a TCG guest.
bt_check "$T: listener up" bt_wait 60 sh -c "ip netns exec b ss -Hltn 'sport = :179' | grep -q ."

# a: S from port 40001 (one KEEPALIVE, then 200 once $GO exists), F from
# port 40002 (200 UPDATE-framed 4 KiB messages: more than the queue holds).
bt_in a python3 -c '
import os, socket, sys, time
ka = b"\xff" * 16 + (19).to_bytes(2, "big") + b"\x04"
upd = b"\xff" * 16 + (4096).to_bytes(2, "big") + b"\x02" + bytes(4096 - 19)
def conn(port):
    c = socket.socket(); c.bind(("10.0.1.1", port)); c.connect(("10.0.1.2", 179))
    return c
s = conn(40001); s.sendall(ka)
time.sleep(1)
f = conn(40002); f.sendall(upd * 200); f.shutdown(socket.SHUT_WR); f.recv(1); f.close()
end = time.time() + 120
while not os.path.exists(sys.argv[1]) and time.time() < end:
    time.sleep(0.2)
s.sendall(ka * 200); s.shutdown(socket.SHUT_WR); s.recv(1); s.close()
' "$GO" &
spid=$!
queued() { bt_in b "$BT_CTL" -j show tap | jq -r '.queued_bytes'; }
bt_check "$T: F filled the queue before the flood" \
	bt_wait 60 bash -c "$(declare -f bt_in queued); BT_CTL=$BT_CTL; [ \$(queued) -ge 250000 ]"
echo "$T: queued before the flood: $(queued) bytes"

evicted0=$(bt_counter b flows_evicted)
bt_in c "$FLOOD" -n 3000 -r 1500 -s 3 198.18.0.0/15 10.0.1.2 179 >"$BT_RUN/flood.out" 2>&1
evicted=$(( $(bt_counter b flows_evicted) - evicted0 ))
echo "$T: flood: $(cat "$BT_RUN/flood.out"); flows evicted $evicted"
bt_check "$T: the flood's answered flows were evicted ($evicted >= 1000)" test "$evicted" -ge 1000

touch "$GO"
wait "$spid"
sleep 1
bt_in b "$BT_LISTEN" -o "$BT_RUN/rec" -t 3 >"$BT_RUN/rec.out" 2>&1
rc=$?
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
log=$BT_RUN/rec/records.log
grep -v 'type=msg' "$log" | head -20
bt_check "$T: drained without a seq hole (rc=$rc)" test "$rc" = 0
bt_check "$T: no LOST record" sh -c "! grep -q 'type=lost' '$log'"
sflow=$(grep 'type=flow-start' "$log" | grep ':40001' | sed 's/.*flow=\([0-9]*\).*/\1/' | head -1)
bt_check "$T: S has a FLOW_START (flow ${sflow:-none})" test -n "$sflow"
# What was left of the queue's bound may have taken a few KEEPALIVEs.
sgot=$(( $(grep -c "type=msg flow=$sflow " "$log") - 1 ))
slost=$(grep "type=gap flow=$sflow .*reason=overflow" "$log" |
	sed 's/.*messages=\([0-9]*\).*/\1/' | awk '{s += $1} END {print s + 0}')
bt_check "$T: S's overflow GAP went out ($slost messages)" test "$slost" -gt 0
bt_check "$T: S: delivered $sgot + reported lost $slost = 200 sent" test $((sgot + slost)) = 200
bt_check "$T: S ends with FLOW_END" grep -q "type=flow-end flow=$sflow " "$log"
starts=$(grep -c 'type=flow-start' "$log")
bt_check "$T: only S and F queued records ($starts FLOW_STARTs)" test "$starts" = 2
bt_done
