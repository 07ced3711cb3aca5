# Sourced after guest.sh, interop.sh and tables.sh by the stalled-collector
# cases (faults-stall, collector-stall-churn): bmptapd in namespace b feeds
# collectors at 10.0.2.2 in namespace c, pmbmpd on 11019 and, on other
# ports, a Python listener that stops reading.

# st_start CASE: namespaces s - b - c (links 1 and 2), BIRD in b taking
# routes from 10.0.1.1 (tb_bird_spk).
st_start() {
	it_start "$1"
	bt_host s && bt_host b && bt_host c
	it_link s b 1
	it_link b c 2
	tb_bird_spk b
}

# st_tapd LIMIT STALL [OPTION...]: bmptapd in b (--queue-limit,
# --collector-stall-timeout), pid in ST_TAPD_PID.
st_tapd() {
	local limit=$1 stall=$2; shift 2
	ip netns exec b "$IT_B/bmptapd" -v --queue-limit "$limit" --collector-stall-timeout "$stall" \
		"$@" >"$BT_LOG/b-bmptapd.out" 2>&1 &
	ST_TAPD_PID=$!
	bt_check "$IT_NAME: bmptapd running" \
		bt_wait 20 sh -c "ip netns exec b $IT_B/bmptapctl show status | grep -q servers"
}
# st_server_add PORT [LABEL]: bmptapd feeds the collector on PORT.
st_server_add() {
	bt_check "$IT_NAME: server add $1${2:+ ($2)}" \
		bt_in b "$IT_B/bmptapctl" server add 10.0.2.2 port "$1" sys-name bmptap-b
}

# st_listener PORT READ: a collector in c on PORT that accepts once, with a
# small receive buffer, reads READ bytes (0: none) and then never again;
# its output ("listening", "accepted", "stopped after N bytes") in
# $BT_LOG/stall-PORT.out, its pid in ST_LISTENER_PID.
st_listener() {
	ip netns exec c python3 -c '
import socket, sys, time
want = int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.2.2", int(sys.argv[1])))
s.listen(4)
print("listening", flush=True)
c, a = s.accept()
print("accepted", a, flush=True)
got = 0
while got < want:
    b = c.recv(min(4096, want - got))
    if not b:
        break
    got += len(b)
print("stopped after", got, "bytes", flush=True)
time.sleep(3600)
' "$1" "$2" >"$BT_LOG/stall-$1.out" 2>&1 &
	ST_LISTENER_PID=$!
	bt_check "$IT_NAME: stalled collector listening" bt_wait 30 grep -q listening "$BT_LOG/stall-$1.out"
}

st_bird_has() { [ "$(tb_bird_count b)" = "$1" ]; }	# COUNT: BIRD in b holds that many
st_srv() { # PORT KEY: a field of bmptapd's status for the server on PORT
	bt_in b "$IT_B/bmptapctl" -j show status |
		jq -r --argjson p "$1" --arg k "$2" '[.servers[] | select(.port == $p) | .[$k]] | first'
}
st_rss() { awk '/^VmRSS/ {print $2 * 1024}' "/proc/$ST_TAPD_PID/status"; }
st_coll_same() { # PORT: that collector's table for the speaker is BIRD's
	tb_bird_table b 10.0.1.1 >"$BT_RUN/bird.txt"
	tb_coll_table "$(it_json c "$1")" 1 10.0.1.1 >"$BT_RUN/coll-$1.txt"
	test -s "$BT_RUN/bird.txt" && cmp -s "$BT_RUN/bird.txt" "$BT_RUN/coll-$1.txt"
}
# st_same PORT: once bmptapd has nothing left for that collector and its log
# stopped growing, its table is exactly BIRD's.  (Parsing the whole log
# every half second while it grows starves pmbmpd of the guest's CPU.)
st_same() {
	bt_wait 600 st_settled "$1" && BT_POLL=5 bt_wait 120 st_coll_same "$1"
}
st_settled() { # PORT
	local j a; j=$(it_json c "$1"); a=$(stat -c %s "$j" 2>/dev/null) || return 1
	[ "$(st_srv "$1" state)" = up ] && [ "$(st_srv "$1" queue_bytes)" = 0 ] || return 1
	ip netns exec b ss -tnH state established dst 10.0.2.2 dport = ":$1" |
		awk '$2 > 0 { busy = 1 } END { exit busy }' || return 1
	sleep 2
	[ "$(stat -c %s "$j")" = "$a" ]
}
st_uptime_moves() { # bmptapd keeps publishing its status: it is not blocked
	local a; a=$(bt_in b "$IT_B/bmptapctl" -j show status | jq .uptime_s); sleep 2
	[ "$(bt_in b "$IT_B/bmptapctl" -j show status | jq .uptime_s)" -gt "$a" ]
}

# st_release PORT: the stalled listener dies, pmbmpd takes its port; bmptapd
# reconnects and the collector ends with exactly BIRD's table.  The capture
# starts first: bmptapd reconnects as soon as the port listens
# (it_collector's order lost the session's start in a first run).
st_release() {
	local port=$1
	ip netns exec c tcpdump -U -q -i any -s 0 -w "$BT_RUN/c/bmp-$port.pcap" \
		tcp port "$port" >"$BT_LOG/c-tcpdump-$port.out" 2>&1 &
	echo $! >"$BT_RUN/c/tcpdump-$port.pid"
	bt_wait 10 grep -q 'listening on' "$BT_LOG/c-tcpdump-$port.out"
	local sessions; sessions=$(st_srv "$port" sessions)
	kill "$ST_LISTENER_PID"; wait "$ST_LISTENER_PID" 2>/dev/null
	bt_check "$IT_NAME: pmbmpd on the stalled collector's port" bt_pmbmpd c "$port"
	bt_check "$IT_NAME: released collector: reconnected" \
		bt_wait 90 sh -c "test \"\$(ip netns exec b $IT_B/bmptapctl -j show status | jq -r '.servers[] | select(.port == $port) | .sessions')\" -gt $sessions"
	bt_check "$IT_NAME: released collector: exactly BIRD's table" st_same "$port"
}
