#!/bin/bash
# Issue 19, item 1 (kernel half): acknowledged reads.  The module frees a
# record only when a reader acknowledges it (BMPTAP_CMD_ACK); a reader
# killed before acknowledging leaves its records queued, and the next reader
# gets them again, in order, with the same seqs and bytes.  Real TCP
# sessions (bgp-blast) between namespaces a and b, tapped in b:
#  1. reader 1 reads everything without acking and is SIGKILLed; reader 2
#     gets the very same records (log lines and streams byte-exact, both
#     equal to what the sides sent);
#  2. an ACK from another socket frees the records up to its seq (queued
#     bytes and records drop, GET_NETNS shows the acked seq); ACKs beyond
#     what was delivered are refused (EINVAL) and free nothing;
#  3. reader 2 is SIGKILLed too: reader 3 starts at the first unacked seq,
#     its records equal reader 2's after that seq, and its acks empty the
#     queue;
#  4. with the smallest queue and a reader that never acks, overflow still
#     accounts for every message: delivered + reported lost (OVERFLOW gaps)
#     = sent, no LOST record, no seq hole;
#  5. netns deletion and rmmod with delivered, unacknowledged records are
#     clean, and a reloaded module has a new queue epoch.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
T=queue-ack

bt_modprobe veth
bt_insmod || { bt_fail "$T: insmod"; bt_done; }
bt_host a; bt_host b; bt_link a b 1

# tap NS FIELD: a field of `bmptapctl -j show tap` (small numbers only: jq
# reads numbers as doubles, so the 64-bit epoch comes from the text form).
tap() { bt_in "$1" "$BT_CTL" -j show tap | jq -r ".$2"; }
epoch() { bt_in "$1" "$BT_CTL" show tap | awk '$1 == "queue-epoch" { print $2 }'; }

# ack NS SEQ: BMPTAP_CMD_ACK from a socket of its own, as bt_nl_ack() sends
# it; prints the kernel's answer (0 or -errno).
ack() {
	bt_in "$1" python3 - "$2" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.bind((0, 0))
def attr(t, b):
    l = 4 + len(b); return struct.pack("HH", l, t) + b + b"\0" * ((4 - l % 4) % 4)
# Each request is answered by its replies, then NLMSG_ERROR (the ACK):
# returns the replies and the error code, skipping nothing of another seq.
def req(typ, cmd, attrs, seq):
    p = struct.pack("BBH", cmd, 3, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(p), typ, 5, seq, 0) + p)
    msgs = []
    while True:
        r, off = s.recv(65536), 0
        while off + 16 <= len(r):
            l, t, _, sq = struct.unpack_from("IHHI", r, off)
            if sq == seq:
                if t == 2:
                    return msgs, struct.unpack_from("i", r, off + 16)[0]
                msgs.append(r[off:off + l])
            off += (l + 3) & ~3
msgs, err = req(0x10, 3, attr(2, b"bmptap\0"), 1)  # CTRL_CMD_GETFAMILY
r, off, fam = msgs[0], 20, None
while off < len(r):
    l, t = struct.unpack_from("HH", r, off)
    if t == 1: fam = struct.unpack_from("H", r, off + 4)[0]
    off += (l + 3) & ~3
# BMPTAP_CMD_ACK = 17, BMPTAP_A_ACK_SEQ = 11.
print(req(fam, 17, attr(11, struct.pack("Q", int(sys.argv[1]))), 2)[1])
EOF
}

# blast NAME COUNT MAXLEN: a bgp-blast session a -> b:179, both sides send
# COUNT messages; what each sent is in $BT_RUN/NAME/{cli,srv}.sent.
blast() {
	local out=$BT_RUN/$1
	mkdir -p "$out"
	bt_in b "$BT_BLAST" listen 10.0.1.2 179 -n "$2" -s 7 -m "$3" -S "$out/srv.sent" \
		-R "$out/srv.recv" -w 200 >"$out/srv.out" 2>&1 &
	local spid=$!
	bt_wait 5 bt_in b sh -c "ss -ltn | grep -q ':179 '"
	bt_in a "$BT_BLAST" connect 10.0.1.2 179 -n "$2" -s 8 -m "$3" -S "$out/cli.sent" \
		-R "$out/cli.recv" -w 200 >"$out/cli.out" 2>&1
	local crc=$?
	wait $spid
	bt_check "$T: $1: TCP exchange completed" test $crc = 0 -a $? = 0
}

# listen DIR [OPTS..]: a reader in b, in the background, once ready; started
# without bt_in so that $LPID is the reader itself, which kill -9 then ends.
listen() {
	local dir=$1; shift
	ip netns exec b "$BT_LISTEN" -o "$dir" "$@" >"$dir.out" 2>&1 &
	LPID=$!
	bt_wait 20 test -e "$dir/ready" || bt_fail "$T: reader $dir ready"
}
flow_ended() { grep -q 'type=flow-end' "$1/records.log"; }
seqs() { grep -o '^seq=[0-9]*' "$1/records.log" | cut -d= -f2; }
# The one flow's stream files (rx: what a sent, tx: what b sent).
stream() { ls "$1"/flow*."$2" 2>/dev/null | head -1; }

# --- 1. a reader killed before acking: the next one gets the same records --
R1=$BT_RUN/r1 R2=$BT_RUN/r2 R3=$BT_RUN/r3
listen "$R1" -N -t 600
blast s1 800 4096
bt_check "$T: reader 1 saw the flow end" bt_wait 120 flow_ended "$R1"
n1=$(seqs "$R1" | wc -l); last1=$(seqs "$R1" | tail -1)
bt_check "$T: nothing acked yet: all $n1 records queued, acked seq 0" \
	test "$(tap b queued_records)" = "$n1" -a "$(tap b acked_seq)" = 0
bt_check "$T: reader 1 delivered up to next_seq - 1 ($last1)" test "$(tap b next_seq)" = $((last1 + 1))
E=$(epoch b)
bt_check "$T: the queue has an epoch ($E)" test -n "$E" -a "$E" != 0000000000000000
kill -9 $LPID; wait $LPID 2>/dev/null
bt_check "$T: reader 1 is gone" sh -c "! kill -0 $LPID 2>/dev/null"
bt_check "$T: still $n1 records queued after reader 1 was killed" test "$(tap b queued_records)" = "$n1"

listen "$R2" -N -t 600
bt_check "$T: reader 2 got all $n1 records again" bt_wait 60 sh -c "test \$(grep -c '^seq=' $R2/records.log) -ge $n1"
bt_check "$T: reader 2's records equal reader 1's, line for line" cmp -s "$R1/records.log" "$R2/records.log" ||
	diff "$R1/records.log" "$R2/records.log" | head -5
bt_check "$T: reader 2's first seq is 1, as reader 1's" test "$(seqs "$R2" | head -1)" = 1
for d in rx tx; do
	bt_check "$T: $d stream identical for readers 1 and 2" cmp -s "$(stream "$R1" $d)" "$(stream "$R2" $d)"
done
bt_check "$T: the streams are what the sides sent" sh -c \
	"cmp -s $BT_RUN/s1/cli.sent $(stream "$R2" rx) && cmp -s $BT_RUN/s1/srv.sent $(stream "$R2" tx)"

# --- 2. ACK frees; ACK beyond the delivered seq is refused --------------------
K=$((last1 / 2))
b0=$(tap b queued_bytes)
bt_check "$T: ack $K accepted" test "$(ack b $K)" = 0
b1=$(tap b queued_bytes)
bt_check "$T: ack $K: acked seq $K, $((n1 - K)) records left" \
	test "$(tap b acked_seq)" = $K -a "$(tap b queued_records)" = $((n1 - K))
bt_check "$T: ack $K: queued bytes dropped ($b0 -> $b1)" test "$b1" -lt "$b0"
for s in $((last1 + 1)) $((last1 + 1000)); do
	r=$(ack b $s)
	bt_check "$T: ack $s beyond the delivered seq refused ($r)" test "$r" = -22
done
bt_check "$T: ack $((K - 1)) (already acked) is a no-op" test "$(ack b $((K - 1)))" = 0
bt_check "$T: refused and stale acks freed nothing" \
	test "$(tap b acked_seq)" = $K -a "$(tap b queued_bytes)" = "$b1"

# --- 3. reader 2 killed: reader 3 starts at the first unacked seq ------------
kill -9 $LPID; wait $LPID 2>/dev/null
listen "$R3" -t 5
wait $LPID; rc=$?
bt_check "$T: reader 3 ended cleanly, no hole (rc=$rc)" test $rc = 0
bt_check "$T: reader 3 starts at seq $((K + 1))" test "$(seqs "$R3" | head -1)" = $((K + 1))
bt_check "$T: reader 3's records equal reader 2's after seq $K" sh -c \
	"grep '^seq=' $R2/records.log | tail -n +$((K + 1)) | cmp -s - $R3/records.log"
bt_check "$T: reader 3 acked everything: queue empty, acked seq $last1" \
	test "$(tap b queued_records)" = 0 -a "$(tap b queued_bytes)" = 0 -a "$(tap b acked_seq)" = "$last1"

# --- 4. overflow with unacknowledged data -------------------------------------
bt_in b "$BT_CTL" tap set queue-bytes 262144
R4=$BT_RUN/r4
listen "$R4" -N -l -t 300 -n 1
blast s4 1500 4096
wait $LPID; rc=$?
bt_check "$T: overflow: reader 4 saw the flow end, no hole (rc=$rc)" test $rc = 0
sent=3000
grep -v '^seq=.*type=msg' "$R4/records.log" | head -5
got=$(grep -c 'type=msg' "$R4/records.log")
lost=$(grep 'reason=overflow' "$R4/records.log" | grep -o 'messages=[0-9]*' | cut -d= -f2 |
	awk '{ s += $1 } END { print s + 0 }')
bt_check "$T: overflow: messages dropped ($lost of $sent)" test "$lost" -gt 0
bt_check "$T: overflow: delivered $got + reported lost $lost = sent $sent" test $((got + lost)) = $sent
bt_check "$T: overflow: no LOST record" sh -c "! grep -q 'type=lost' $R4/records.log"
bt_check "$T: overflow: the unacked records stay queued" test "$(tap b queued_records)" -gt 0

# --- 5. teardown with delivered, unacknowledged records ----------------------
# root: records delivered to a reader that never acks.
R5=$BT_RUN/r5
ip link add v9a type veth peer name v9b
ip addr add 10.0.9.1/24 dev v9a; ip link set v9a up
ip netns add c; ip link set v9b netns c
ip -n c addr add 10.0.9.2/24 dev v9b; ip -n c link set v9b up; ip -n c link set lo up
"$BT_LISTEN" -o "$R5" -N -t 300 -n 1 >"$R5.out" 2>&1 &
LPID=$!
bt_wait 20 test -e "$R5/ready"
bt_in c "$BT_BLAST" listen 10.0.9.2 179 -n 50 -s 7 -m 4096 -w 100 >/dev/null 2>&1 &
spid=$!
bt_wait 5 bt_in c sh -c "ss -ltn | grep -q ':179 '"
"$BT_BLAST" connect 10.0.9.2 179 -n 50 -s 8 -m 4096 -w 100 >/dev/null 2>&1
wait $spid; wait $LPID; rc=$?
bt_check "$T: root: reader saw the flow end (rc=$rc)" test $rc = 0
root_q=$(tap root queued_records)
bt_check "$T: root: $root_q records delivered, unacked, queued" test "${root_q:-0}" -gt 0
E0=$(epoch root)
ip netns del b
ip netns del c
sleep 3	# netns cleanup runs in a work item
bt_check "$T: rmmod with unacked records" rmmod bmptap
bt_check "$T: module gone" sh -c "! lsmod | grep -q '^bmptap '"
bt_check "$T: insmod again" bt_insmod
E1=$(epoch root)
bt_check "$T: a reloaded module has a new queue epoch ($E0 -> $E1)" test -n "$E1" -a "$E1" != "$E0"
bt_check "$T: and starts at seq 1" test "$(tap root next_seq)" = 1 -a "$(tap root acked_seq)" = 0
bt_check "$T: kernel log clean" sh -c "! dmesg | grep -Eq 'WARNING|BUG|Oops|refcount_t'"
rmmod bmptap
bt_done
