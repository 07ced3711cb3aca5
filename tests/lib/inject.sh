# Sourced by the guest cases that forge segments into live sessions
# (tap-inject.sh, tap-forge.sh), after guest.sh and tap.sh.  Host x (the
# attacker, linked to b only) sends segments spoofed from a's address into
# a session a -> b:179 that the tap on b records (tests/tools/tcp-inject.py).
# "What b's TCP accepted" is what the receiving application read.
INJECT=$BT_TOP/tests/tools/tcp-inject.py

# bt_inject_setup: the module, the hosts, routes and sysctls.
bt_inject_setup() {
	bt_modprobe veth
	bt_insmod || { bt_fail "inject: insmod"; bt_done; }
	bt_host a; bt_host b; bt_host x
	bt_link a b 1; bt_link x b 2
	# Forged segments leave x towards a's addresses, via b.
	bt_in x ip route add 10.0.1.0/24 via 10.0.2.2
	bt_in x ip -6 route add fd00:1::/64 via fd00:2::2
	local ns
	for ns in a b x; do
		bt_in $ns sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv4.tcp_timestamps=0
	done
	bt_in b sysctl -qw net.ipv4.conf.v2b.rp_filter=0
	bt_wait 5 bt_in x ping -c1 -W1 10.0.1.2
}

# mib NS NAME: a TCP MIB counter of NS.
mib() { bt_in "$1" nstat -az "$2" | awk -v n="$2" '$1 == n { print $2 }'; }

# bt_inject NAME MODE ADDR [MD5KEY]: one session of INJ_N messages, each
# preceded by a forged segment of MODE sent from namespace INJ_X, recorded
# by the tap in INJ_TAP_NS, whose INJ_DIR stream is a's.  Runs the case's
# inject_before MODE first (to note counters), then the checks every mode
# shares, then the case's inject_checks NAME MODE with INJ_OUT (the run's
# directory), INJ_TAP (the tap's stream of a), INJ_FORGED_TAP / INJ_FORGED_RECV (forged BGP
# bodies found in the tap's stream / in what b read).
INJ_N=25 INJ_X=x INJ_TAP_NS=b INJ_DIR=rx
bt_inject() {
	local name=$1 mode=$2 addr=$3 key=$4 n=$INJ_N
	local out; out=$BT_RUN/$(bt_slug "$name")
	mkdir -p "$out"
	INJ_OUT=$out
	inject_before "$mode"
	bt_in "$INJ_TAP_NS" "$BT_LISTEN" -o "$out/tap" -t 60 -n 1 >"$out/listen.out" 2>&1 &
	local lpid=$!
	bt_wait 10 test -e "$out/tap/ready" || { bt_fail "$name: listener ready"; return 1; }
	bt_in b "$BT_BLAST" listen "$addr" 179 -n 0 -R "$out/recv" -w 60 ${key:+-k "$key"} \
		>"$out/srv.out" 2>&1 &
	local spid=$!
	bt_wait 5 bt_in b sh -c "ss -ltn | grep -q ':179 '"
	bt_log "$name: injecting"
	bt_in a timeout 90 python3 "$INJECT" "$addr" 179 -M "$mode" -x "$INJ_X" -n $n -S "$out/sent" \
		-F "$out/forged" ${key:+-k "$key"} >"$out/inject.out" 2>&1
	local irc=$?
	wait $spid; local src=$?
	wait $lpid; local lrc=$?
	cat "$out/inject.out"
	bt_check "$name: session completed (inject rc=$irc, server rc=$src)" test $irc = 0 -a $src = 0
	bt_check "$name: listener saw the flow end, no seq hole (rc=$lrc)" test $lrc = 0
	INJ_TAP=$(ls "$out"/tap/flow*."$INJ_DIR" 2>/dev/null | head -1)
	bt_check "$name: tap $INJ_DIR stream == bytes b's TCP accepted ($(stat -c %s "$out/recv" 2>/dev/null) bytes)" \
		cmp "$out/recv" "$INJ_TAP"
	bt_check "$name: no gap records" sh -c "! grep -q 'type=gap' '$out/tap/records.log'"
	local msgs; msgs=$(grep -c "type=msg.*dir=$INJ_DIR" "$out/tap/records.log")
	bt_check "$name: $n $INJ_DIR messages, each once (got $msgs)" test "$msgs" = $n
	INJ_FORGED_TAP=$(od -An -v -tx1 "$INJ_TAP" | tr -s ' \n' ' ' |
		grep -o 'ee ee ee ee ee ee ee ee' | wc -l)
	INJ_FORGED_RECV=$(od -An -v -tx1 "$out/recv" | tr -s ' \n' ' ' |
		grep -o 'ee ee ee ee ee ee ee ee' | wc -l)
	inject_checks "$name" "$mode"
	[ "$BT_FAILS" = 0 ] || { tail -n 5 "$out"/*.out; grep -v type=msg "$out/tap/records.log" | head; }
}
