#!/bin/bash
# Issue 9: segments forged by a third namespace into live sessions.  Host x
# (the attacker, linked to b only) sends segments spoofed from a's address
# at exactly the sequence numbers a's next real message will use, before a
# sends it (tests/tools/tcp-inject.py):
#   data   in-window data with a correct checksum: b's TCP accepts the forged
#          bytes; the tap must deliver exactly what b's TCP accepted;
#   atomicv6   the same over IPv6 in atomic fragments (RFC 6946: offset 0,
#          M clear), which the stack takes as whole packets: so must the tap;
#   csum   bad TCP checksum: b's TCP drops it; the tap must never deliver it;
#   md5 / nomd5   on a TCP-MD5 session, a wrong signature / no signature:
#          b's TCP drops it; the tap (which sees it first, and would keep the
#          first copy of each byte) must never deliver it.
# "What b's TCP accepted" is what the receiving application read; each run
# also proves the forged segments reached b (b's TCP MIB counters, or the
# received stream differing from the sent one), so no check passes vacuously.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
. "$BMPTAP_TOP/tests/lib/inject.sh"

bt_inject_setup

inject_before() {
	md5_0=$(mib b TcpExtTCPMD5Failure) csum_0=$(mib b TcpInCsumErrors)
	md5nf_0=$(mib b TcpExtTCPMD5NotFound)
	auth_0=$(bt_counter b auth_fail) bad_0=$(bt_counter b bad_csum)
	frag_0=$(bt_counter b fragments)
}

inject_checks() {
	local name=$1 mode=$2 n=$INJ_N out=$INJ_OUT
	case $mode in
	data|atomic)
		bt_check "$name: b's TCP accepted the forged bytes (recv != sent)" \
			sh -c "! cmp -s '$out/recv' '$out/sent'"
		bt_check "$name: forged bytes delivered as TCP accepted them ($INJ_FORGED_TAP = $INJ_FORGED_RECV > 0)" \
			test "$INJ_FORGED_TAP" = "$INJ_FORGED_RECV" -a "$INJ_FORGED_RECV" -gt 0
		local r; r=$(bt_counter b retransmits)
		bt_check "$name: the real copies, late, were counted as retransmissions ($r)" \
			test "${r:-0}" -ge $n
		local f=$(( $(bt_counter b fragments) - frag_0 ))
		bt_check "$name: nothing counted as a skipped fragment ($f)" test $f = 0
		;;
	csum)
		bt_check "$name: b's TCP dropped every forged segment (recv == sent)" cmp "$out/recv" "$out/sent"
		local d=$(( $(mib b TcpInCsumErrors) - csum_0 )) t=$(( $(bt_counter b bad_csum) - bad_0 ))
		bt_check "$name: b's TCP counted $n checksum errors ($d)" test $d -ge $n
		bt_check "$name: the tap counted them as bad_csum ($t)" test $t -ge $n
		bt_check "$name: no forged byte delivered" test "$INJ_FORGED_TAP" = 0
		;;
	md5|nomd5)
		bt_check "$name: b's TCP dropped every forged segment (recv == sent)" cmp "$out/recv" "$out/sent"
		local d t
		if [ "$mode" = md5 ]; then d=$(( $(mib b TcpExtTCPMD5Failure) - md5_0 ))
		else d=$(( $(mib b TcpExtTCPMD5NotFound) - md5nf_0 )); fi
		t=$(( $(bt_counter b auth_fail) - auth_0 ))
		bt_check "$name: b's TCP rejected $n forged segments for TCP-MD5 ($d)" test $d -ge $n
		bt_check "$name: the tap counted them as auth_fail ($t)" test $t -ge $n
		bt_check "$name: no forged byte delivered" test "$INJ_FORGED_TAP" = 0
		;;
	esac
}

cases="$*"
[ -n "${cases// /}" ] || cases="data atomicv6 csum md5 md5v6 nomd5"
for c in $cases; do
	bt_log "inject: case $c"
	case $c in
	data) bt_inject "inject: ipv4 in-window spoofed data" data 10.0.1.2 ;;
	atomicv6) bt_inject "inject: ipv6 in-window spoofed data in atomic fragments" atomic fd00:1::2 ;;
	csum) bt_inject "inject: ipv4 bad checksum" csum 10.0.1.2 ;;
	md5) bt_inject "inject: ipv4 TCP-MD5 wrong signature" md5 10.0.1.2 s3cret ;;
	md5v6) bt_inject "inject: ipv6 TCP-MD5 wrong signature" md5 fd00:1::2 s3cret ;;
	nomd5) bt_inject "inject: ipv4 TCP-MD5 signature missing" nomd5 10.0.1.2 s3cret ;;
	esac
done
# The real session's own signed segments were all accepted by the tap.
bt_in b "$BT_CTL" show counters
bt_cleanup
rmmod bmptap
bt_check "inject: module unloads after the run" sh -c '! lsmod | grep -q ^bmptap'
bt_done
