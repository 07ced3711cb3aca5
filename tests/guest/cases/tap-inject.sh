#!/bin/bash
# Issue 9: segments forged by a third namespace into live sessions.  Host x
# (the attacker, linked to b only) sends segments spoofed from a's address
# at exactly the sequence numbers a's next real message will use, before a
# sends it (tests/tools/tcp-inject.py):
#   data   in-window data with a correct checksum: b's TCP accepts the forged
#          bytes; the tap must deliver exactly what b's TCP accepted;
#   csum   bad TCP checksum: b's TCP drops it; the tap must never deliver it;
#   md5 / nomd5   on a TCP-MD5 session, a wrong signature / no signature:
#          b's TCP drops it; the tap (which sees it first, and would keep the
#          first copy of each byte) must never deliver it.
# "What b's TCP accepted" is what the receiving application read; each run
# also proves the forged segments reached b (b's TCP MIB counters, or the
# received stream differing from the sent one), so no check passes vacuously.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
INJECT=$BT_TOP/tests/tools/tcp-inject.py

bt_modprobe veth
bt_insmod || { bt_fail "inject: insmod"; bt_done; }
bt_host a; bt_host b; bt_host x
bt_link a b 1; bt_link x b 2
# Forged segments leave x towards a's addresses, via b.
bt_in x ip route add 10.0.1.0/24 via 10.0.2.2
bt_in x ip -6 route add fd00:1::/64 via fd00:2::2
for ns in a b x; do
	bt_in $ns sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.tcp_timestamps=0
done
bt_in b sysctl -qw net.ipv4.conf.v2b.rp_filter=0
bt_wait 5 bt_in x ping -c1 -W1 10.0.1.2

# mib NS NAME: a TCP MIB counter of NS.
mib() { bt_in "$1" nstat -az "$2" | awk -v n="$2" '$1 == n { print $2 }'; }

# inject NAME MODE ADDR [MD5KEY]
inject() {
	local name=$1 mode=$2 addr=$3 key=$4 n=25
	local out; out=$BT_RUN/$(bt_slug "$name")
	mkdir -p "$out"
	local md5_0 csum_0 auth_0 bad_0 md5nf_0
	md5_0=$(mib b TcpExtTCPMD5Failure) csum_0=$(mib b TcpInCsumErrors)
	md5nf_0=$(mib b TcpExtTCPMD5NotFound)
	auth_0=$(bt_counter b auth_fail) bad_0=$(bt_counter b bad_csum)
	bt_in b "$BT_LISTEN" -o "$out/tap" -t 60 -n 1 >"$out/listen.out" 2>&1 &
	local lpid=$!
	bt_wait 10 test -e "$out/tap/ready" || { bt_fail "$name: listener ready"; return 1; }
	bt_in b "$BT_BLAST" listen "$addr" 179 -n 0 -R "$out/recv" -w 60 ${key:+-k "$key"} \
		>"$out/srv.out" 2>&1 &
	local spid=$!
	bt_wait 5 bt_in b sh -c "ss -ltn | grep -q ':179 '"
	bt_log "$name: injecting"
	bt_in a timeout 90 python3 "$INJECT" "$addr" 179 -M "$mode" -x x -n $n -S "$out/sent" \
		-F "$out/forged" ${key:+-k "$key"} >"$out/inject.out" 2>&1
	local irc=$?
	wait $spid; local src=$?
	wait $lpid; local lrc=$?
	cat "$out/inject.out"
	bt_check "$name: session completed (inject rc=$irc, server rc=$src)" test $irc = 0 -a $src = 0
	bt_check "$name: listener saw the flow end, no seq hole (rc=$lrc)" test $lrc = 0
	local f; f=$(ls "$out"/tap/flow*.rx 2>/dev/null | head -1)
	bt_check "$name: tap rx stream == bytes b's TCP accepted ($(stat -c %s "$out/recv" 2>/dev/null) bytes)" \
		cmp "$out/recv" "$f"
	bt_check "$name: no gap records" sh -c "! grep -q 'type=gap' '$out/tap/records.log'"
	local msgs; msgs=$(grep -c 'type=msg.*dir=rx' "$out/tap/records.log")
	bt_check "$name: $n rx messages, each once (got $msgs)" test "$msgs" = $n
	local forged_in_tap forged_in_recv
	forged_in_tap=$(od -An -v -tx1 "$f" | tr -s ' \n' ' ' | grep -o 'ee ee ee ee ee ee ee ee' | wc -l)
	forged_in_recv=$(od -An -v -tx1 "$out/recv" | tr -s ' \n' ' ' | grep -o 'ee ee ee ee ee ee ee ee' | wc -l)
	case $mode in
	data)
		bt_check "$name: b's TCP accepted the forged bytes (recv != sent)" \
			sh -c "! cmp -s '$out/recv' '$out/sent'"
		bt_check "$name: forged bytes delivered as TCP accepted them ($forged_in_tap = $forged_in_recv > 0)" \
			test "$forged_in_tap" = "$forged_in_recv" -a "$forged_in_recv" -gt 0
		local r; r=$(bt_counter b retransmits)
		bt_check "$name: the real copies, late, were counted as retransmissions ($r)" \
			test "${r:-0}" -ge $n
		;;
	csum)
		bt_check "$name: b's TCP dropped every forged segment (recv == sent)" cmp "$out/recv" "$out/sent"
		local d=$(( $(mib b TcpInCsumErrors) - csum_0 )) t=$(( $(bt_counter b bad_csum) - bad_0 ))
		bt_check "$name: b's TCP counted $n checksum errors ($d)" test $d -ge $n
		bt_check "$name: the tap counted them as bad_csum ($t)" test $t -ge $n
		bt_check "$name: no forged byte delivered" test "$forged_in_tap" = 0
		;;
	md5|nomd5)
		bt_check "$name: b's TCP dropped every forged segment (recv == sent)" cmp "$out/recv" "$out/sent"
		local d t
		if [ "$mode" = md5 ]; then d=$(( $(mib b TcpExtTCPMD5Failure) - md5_0 ))
		else d=$(( $(mib b TcpExtTCPMD5NotFound) - md5nf_0 )); fi
		t=$(( $(bt_counter b auth_fail) - auth_0 ))
		bt_check "$name: b's TCP rejected $n forged segments for TCP-MD5 ($d)" test $d -ge $n
		bt_check "$name: the tap counted them as auth_fail ($t)" test $t -ge $n
		bt_check "$name: no forged byte delivered" test "$forged_in_tap" = 0
		;;
	esac
	[ "$BT_FAILS" = 0 ] || { tail -n 5 "$out"/*.out; grep -v type=msg "$out/tap/records.log" | head; }
}

cases="$*"
[ -n "${cases// /}" ] || cases="data csum md5 md5v6 nomd5"
for c in $cases; do
	bt_log "inject: case $c"
	case $c in
	data) inject "inject: ipv4 in-window spoofed data" data 10.0.1.2 ;;
	csum) inject "inject: ipv4 bad checksum" csum 10.0.1.2 ;;
	md5) inject "inject: ipv4 TCP-MD5 wrong signature" md5 10.0.1.2 s3cret ;;
	md5v6) inject "inject: ipv6 TCP-MD5 wrong signature" md5 fd00:1::2 s3cret ;;
	nomd5) inject "inject: ipv4 TCP-MD5 signature missing" nomd5 10.0.1.2 s3cret ;;
	esac
done
# The real session's own signed segments were all accepted by the tap.
bt_in b "$BT_CTL" show counters
bt_cleanup
rmmod bmptap
bt_check "inject: module unloads after the run" sh -c '! lsmod | grep -q ^bmptap'
bt_done
