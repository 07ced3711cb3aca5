#!/bin/bash
# Issue 13: the tap accepts only what TCP accepts.  On a session WITHOUT
# TCP-MD5, host x forges segments from a's address into a -> b:179 before
# each of a's messages (tests/tools/tcp-inject.py, setup in tests/lib/inject.sh),
# each of a kind b's TCP refuses:
#   rst     a RST in the window but not at the expected sequence number
#           (RFC 5961: a challenge ACK only): the flow must not end;
#   fin     a FIN inside the next real message: b's TCP never takes it, the
#           flow must not be truncated and must end on the real FIN;
#   noack   the next message's bytes, different, without the ACK flag;
#   badack  the same with an ACK of data b never sent;
#   oow     a different message 4 MiB beyond b's receive window.
# Each time the tap's rx stream must be exactly what b's application read,
# with no gap, the flow must end on the FINs (b closes its side first), no forged byte may appear, and
# the counter of that refusal must have moved once per forgery.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
. "$BMPTAP_TOP/tests/lib/inject.sh"

bt_inject_setup

declare -A counter=([rst]=rst_ignored [fin]=fin_ignored [noack]=bad_ack [badack]=bad_ack
		    [oow]=out_of_window)

inject_before() { cnt_0=$(bt_counter b "${counter[$1]}"); }

inject_checks() {
	local name=$1 mode=$2 n=$INJ_N out=$INJ_OUT
	local c=${counter[$mode]} d
	d=$(( $(bt_counter b "$c") - ${cnt_0:-0} ))
	bt_check "$name: b's TCP refused every forged segment (recv == sent)" \
		cmp "$out/recv" "$out/sent"
	bt_check "$name: no forged byte delivered" test "$INJ_FORGED_TAP" = 0
	bt_check "$name: the flow ended on the real FINs, not early" \
		grep -q 'type=flow-end.*end=fin-' "$out/tap/records.log"
	bt_check "$name: $c counted each of the $n forgeries ($d)" test "$d" -ge $n
}

cases="$*"
[ -n "${cases// /}" ] || cases="rst fin noack badack oow"
for c in $cases; do
	bt_log "forge: case $c"
	bt_inject "forge: ipv4 $c" "$c" 10.0.1.2
done
bt_in b "$BT_CTL" show counters
bt_cleanup
rmmod bmptap
bt_check "forge: module unloads after the run" sh -c '! lsmod | grep -q ^bmptap'
bt_done
