# Sourced by guest test cases of the module's data path (after guest.sh).
BT_BLAST=$BT_TOP/build/tools/bgp-blast
BT_LISTEN=$BT_TOP/build/tools/bmptap-listen
BT_CTL=$BT_TOP/build/bmptapctl

bt_slug() { printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_'; }

# bt_exchange NAME ADDR COUNT MAXLEN TAP_NS CLIENT_NS SERVER_NS [BLAST-OPTS...]
# A bgp-blast session CLIENT -> SERVER:179 (both send COUNT messages) while
# bmptap-listen records the tap in TAP_NS; then checks that the tap's
# per-direction streams equal exactly what each side sent, with no gap and
# each message once.  "rx" is the direction towards the tap's local side
# (forwarded flows: towards the client).
bt_exchange() {
	local name=$1 count=$3
	bt_exchange_run "$@" || return 1
	local out=$BT_X_OUT f=$BT_X_TAP
	bt_check "$name: rx stream delivered byte-exact" cmp -s "$BT_X_RX" "$f"
	bt_check "$name: tx stream delivered byte-exact" cmp -s "$BT_X_TX" "${f%.rx}.tx"
	bt_check "$name: no gap records" sh -c "! grep -q 'type=gap' '$out/tap/records.log'"
	local msgs; msgs=$(grep -c 'type=msg' "$out/tap/records.log")
	bt_check "$name: $((2 * count)) messages, each once (got $msgs)" test "$msgs" = $((2 * count))
	if [ "$BT_FAILS" != 0 ]; then
		tail -n 5 "$out"/*.out
		grep -v type=msg "$out/tap/records.log" | head
	fi
}

# bt_exchange_run, same arguments: only the session and its recording, and
# the checks that hold whatever the tap lost.  Sets BT_X_OUT (the run's
# directory), BT_X_RX / BT_X_TX (what the rx / tx side sent) and BT_X_TAP
# (the tap's rx stream; its tx stream is ${BT_X_TAP%.rx}.tx).
bt_exchange_run() {
	local name=$1 addr=$2 count=$3 maxlen=$4 tap=$5 cli=$6 srv=$7
	shift 7
	local out; out=$BT_RUN/$(bt_slug "$name")
	mkdir -p "$out"
	BT_X_OUT=$out
	bt_in "$tap" "$BT_LISTEN" -o "$out/tap" -t 120 -n 1 >"$out/listen.out" 2>&1 &
	local lpid=$!
	bt_wait 10 test -e "$out/tap/ready" || { bt_fail "$name: listener ready"; return 1; }
	bt_in "$srv" "$BT_BLAST" listen "$addr" 179 -n "$count" -s 7 -m "$maxlen" \
		-S "$out/srv.sent" -R "$out/srv.recv" -w 100 "$@" >"$out/srv.out" 2>&1 &
	local spid=$!
	bt_wait 5 bt_in "$srv" sh -c "ss -ltn | grep -q ':179 '"
	bt_in "$cli" "$BT_BLAST" connect "$addr" 179 -n "$count" -s 8 -m "$maxlen" \
		-S "$out/cli.sent" -R "$out/cli.recv" -w 100 "$@" >"$out/cli.out" 2>&1
	local crc=$?
	wait $spid; local src=$?
	wait $lpid; local lrc=$?
	bt_check "$name: TCP exchange completed" test $crc = 0 -a $src = 0
	bt_check "$name: both sides received what the other sent" \
		sh -c "cmp -s '$out/cli.sent' '$out/srv.recv' && cmp -s '$out/srv.sent' '$out/cli.recv'"
	bt_check "$name: listener saw the flow end, no seq hole (rc=$lrc)" test $lrc = 0
	BT_X_TAP=$(ls "$out"/tap/flow*.rx 2>/dev/null | head -1)
	# The side that is "local" to the tap sent the tx stream.
	BT_X_TX=$out/srv.sent BT_X_RX=$out/cli.sent
	if [ "$tap" = "$cli" ] || grep -q 'fflags=0x2' "$out/tap/records.log"; then
		BT_X_TX=$out/cli.sent BT_X_RX=$out/srv.sent
	fi
}

# bt_counter NS NAME: a namespace counter from `bmptapctl -j show counters`.
bt_counter() {
	bt_in "$1" "$BT_CTL" -j show counters | tr ',{}' '\n\n\n' | grep "\"$2\"" |
		grep -o '[0-9]*' | head -1
}

# BIRD's config for the tapped side of N sessions, one per address pair
# 10.1.1.i (b, AS 65000, passive) - 10.1.0.i (AS 65000 + i).
bt_bird_passive_peers() { # N
	echo "router id 10.1.1.1;"
	echo "protocol device {}"
	for ((i = 1; i <= $1; i++)); do
		echo "protocol bgp p$i { local 10.1.1.$i as 65000; neighbor 10.1.0.$i as $((65000 + i));"
		echo "	passive on; ipv4 { import all; export none; }; }"
	done
}
