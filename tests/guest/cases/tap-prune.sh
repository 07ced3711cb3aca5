#!/bin/bash
# Issue 13, item 1: the reassembly at its bounds in the kernel.  With
# flow-reasm-bytes at its minimum (4 KiB, whole allocations counted) and netem
# reordering, losing and duplicating the segments b receives, b's tap cannot
# hold every unacknowledged or out-of-order segment: it drops the furthest-
# ahead runs for nearer data and refuses the rest.  Checked: both are counted
# and exported (show counters: pruned, pruned_bytes, nomem), the lost bytes
# come out as gap records, every message delivered on the received side is
# one the peer sent, in order, once, and the sent side (never held) stays
# byte-exact.  The suite fails the run on any kernel WARN/BUG.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"

bt_modprobe veth; bt_modprobe sch_netem
bt_insmod || { bt_fail "tap-prune: insmod"; bt_done; }
bt_host a; bt_host b; bt_link a b 1
bt_in b "$BT_CTL" tap set flow-reasm-bytes 4096
bt_check "tap-prune: flow-reasm-bytes is 4096" \
	test "$(bt_in b "$BT_CTL" show tap | grep -c '^flow-reasm-bytes 4096$')" = 1
bt_check "tap-prune: show counters has pruned and pruned_bytes" \
	test "$(bt_in b "$BT_CTL" show counters | grep -cE '^pruned(_bytes)? ')" = 2
bt_in a tc qdisc add dev v1a root netem delay 2ms loss 3% reorder 50% 50% duplicate 5% corrupt 1%

name="tap-prune: ipv4 netem, 4 KiB per flow"
bt_exchange_run "$name" 10.0.1.2 3000 4096 b a b
out=$BT_X_OUT
bt_check "$name: tx stream delivered byte-exact" cmp -s "$BT_X_TX" "${BT_X_TAP%.rx}.tx"
# Messages of the received stream: a subsequence of what a sent.
bt_check "$name: rx messages are the peer's, in order, once" python3 -c '
import sys
def msgs(path):
    d = open(path, "rb").read()
    out, i = [], 0
    while i + 19 <= len(d):
        n = int.from_bytes(d[i + 16:i + 18], "big")
        if n < 19 or i + n > len(d):
            sys.exit("torn message at %d" % i)
        out.append(d[i:i + n])
        i += n
    if i != len(d):
        sys.exit("trailing bytes")
    return out
sent, tap = msgs(sys.argv[1]), msgs(sys.argv[2])
j = 0
for m in tap:
    while j < len(sent) and sent[j] != m:
        j += 1
    if j == len(sent):
        sys.exit("a message not sent, or out of order")
    j += 1
print("rx: %d of %d messages" % (len(tap), len(sent)))
' "$BT_X_RX" "$BT_X_TAP"
gaps=$(grep -c 'type=gap' "$out/tap/records.log")
bt_check "$name: the lost bytes are reported as gap records ($gaps)" test "$gaps" -gt 0
for c in pruned pruned_bytes nomem gap_bytes; do
	v=$(bt_counter b $c)
	bt_check "$name: netns counter $c moved ($v)" test "${v:-0}" -gt 0
done
bt_check "$name: pruned_bytes >= pruned" \
	test "$(bt_counter b pruned_bytes)" -ge "$(bt_counter b pruned)"
bt_in a tc qdisc del dev v1a root

bt_cleanup
rmmod bmptap
bt_check "tap-prune: module unloads after the run" sh -c '! lsmod | grep -q ^bmptap'
bt_done
