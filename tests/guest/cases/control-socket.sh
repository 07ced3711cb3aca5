#!/bin/bash
# Issue 14 item 1: bmptapd serves its own state on a UNIX control socket
# per namespace (/run/bmptap/NETNS.sock).  BIRD in b (AS65000, the tapped
# host) has 200 eBGP peers, all from one BIRD in a (one address each, as in
# load-sessions.sh); bmptapd in b feeds pmacct's pmbmpd in col.  Checks:
# `show peers` lists all 200 (the status is far over the old 64 KiB blob);
# the socket is 0660 with the --control-group; a member of that group may
# ask, another unprivileged user is refused; a second bmptapd in the
# namespace refuses to start; a garbage and an overlong request line are
# refused and counted; clients beyond the bound are refused and counted; a
# monitor client that never reads while route events flow is dropped
# (counted) while bmptapd keeps feeding the collector and a reading monitor
# keeps its events; stopped, bmptapd removes its socket and bmptapctl says
# it is not running; killed, its stale socket is replaced by the next one.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
B=$BT_TOP/build
N=200
SOCK=/run/bmptap/b.sock
json=$BT_RUN/col/pmbmpd-11019.json
T=control-socket
BT_POLL=1

ctlj() { bt_in b "$BT_CTL" -j show status | jq -r "$1"; }
start_bmptapd() {
	ip netns exec b "$B/bmptapd" --control-group nogroup >>"$BT_LOG/bmptapd.out" 2>&1 &
	dpid=$!
	echo $dpid >"$BT_RUN/b/bmptapd.pid"
	bt_wait 20 sh -c "ip netns exec b $BT_CTL show status | grep -q servers"
}
# One raw exchange on the socket: sends $1 (a python bytes expression), prints the reply.
raw() {
	bt_in b python3 - "$SOCK" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1]); s.sendall(eval(sys.argv[2]))
s.settimeout(10); out = b""
while True:
    b = s.recv(65536)
    if not b: break
    out += b
print(out.decode(errors="replace"), end="")
EOF
}

bt_modprobe veth
bt_check "$T: insmod" bt_insmod
bt_host a; bt_host b; bt_host col
bt_link a b 1
bt_link b col 3
for ((i = 1; i <= N; i++)); do echo "addr add 10.1.0.$i/16 dev v1a"; done | ip -n a -batch -
for ((i = 1; i <= N; i++)); do echo "addr add 10.1.1.$i/16 dev v1b"; done | ip -n b -batch -

bt_pmbmpd col 11019 || bt_wait 30 bt_in col sh -c "ss -ltn | grep -q ':11019 '"
bt_check "$T: without bmptapd: show peers says so" \
	sh -c "ip netns exec b $BT_CTL show peers 2>&1 | grep -qx 'bmptapctl: bmptapd is not running in this namespace (no control socket at $SOCK)'"
bt_check "$T: bmptapd running" start_bmptapd
bt_check "$T: socket $SOCK is srw-rw---- root nogroup" \
	sh -c "[ \"\$(stat -c '%A %U %G' $SOCK)\" = 'srw-rw---- root nogroup' ]"
out=$(timeout 20 ip netns exec b "$B/bmptapd" 2>&1); rc=$?; echo "second: $out"
bt_check "$T: a second bmptapd in the namespace refuses to start (rc=$rc)" test $rc = 1
bt_check "$T: ... saying why" grep -q "another bmptapd answers on $SOCK" <<<"$out"
bt_check "$T: the first still answers" bt_in b "$BT_CTL" show status
bt_check "$T: server add" bt_in b "$BT_CTL" server add 10.0.3.2 port 11019 sys-name ctl-b

# --- permissions -----------------------------------------------------------
as() { local g=$1; shift; ip netns exec b setpriv --reuid=65534 --regid="$g" --clear-groups \
	--inh-caps=-all --bounding-set=-all "$@"; }
out=$(as 1 "$BT_CTL" show peers 2>&1); rc=$?; echo "unprivileged: $out"
bt_check "$T: unprivileged user (not in nogroup) refused, rc=$rc" test $rc != 0
bt_check "$T: refusal says permission denied" grep -q 'Permission denied' <<<"$out"
bt_check "$T: unprivileged monitor refused" sh -c "$(declare -f as); ! as 1 timeout 3 $BT_CTL monitor"
bt_check "$T: member of the control group may read show status" \
	sh -c "$(declare -f as); as 65534 $BT_CTL show status | grep -q '\"control\"'"

# --- 200 sessions ------------------------------------------------------------
bt_bird_passive_peers $N >"$BT_RUN/b.conf"
{
	echo "router id 10.1.0.1;"
	echo "protocol device {}"
	echo "protocol static s1 { ipv4;"
	for ((i = 1; i <= N; i++)); do echo "	route 100.64.$i.0/24 unreachable;"; done
	echo "}"
	# Flapped to make route events flow: 8 routes a peer.
	echo "protocol static s2 { ipv4;"
	for ((i = 1; i <= N; i++)); do for o in 65 66 67 68 69 70 71 72; do
		echo "	route 100.$o.$i.0/24 unreachable;"; done; done
	echo "}"
	echo "protocol static s3 { disabled; ipv4; route 100.99.1.0/24 unreachable; }"
	for ((i = 1; i <= N; i++)); do
		echo "protocol bgp p$i { local 10.1.0.$i as $((65000 + i)); neighbor 10.1.1.$i as 65000;"
		echo "	connect delay time 1; connect retry time 5; ipv4 { import none;"
		echo "	export where net ~ [ 100.64.$i.0/24, 100.65.$i.0/24+, 100.66.$i.0/24, 100.67.$i.0/24,"
		echo "		100.68.$i.0/24, 100.69.$i.0/24, 100.70.$i.0/24, 100.71.$i.0/24, 100.72.$i.0/24,"
		echo "		100.99.$i.0/24 ]; }; }"
	done
} >"$BT_RUN/a.conf"
bt_check "$T: BIRD b ($N passive peers)" bt_bird b "$(cat "$BT_RUN/b.conf")"
bt_check "$T: BIRD a ($N peers)" bt_bird a "$(cat "$BT_RUN/a.conf")"
bt_wait 300 sh -c "[ \$(birdc -s $BT_RUN/b/bird.ctl show protocols | grep -c Established) = $N ]"
n=$(bt_birdc b show protocols | grep -c Established)
bt_check "$T: $N BGP sessions established ($n)" test "$n" = $N
bt_wait 120 sh -c "[ \$(ip netns exec b $BT_CTL -j show peers | jq '[.[] | select(.state == \"established\")] | length') -ge $N ]"
bt_in b "$BT_CTL" show peers >"$BT_RUN/peers.txt"
n=$(grep -c '^10\.1\.0\.[0-9]* .*established' "$BT_RUN/peers.txt")
bt_check "$T: show peers lists all $N peers established ($n)" test "$n" = $N
n=$(bt_in b "$BT_CTL" -j show peers | jq '[.[] | select(.remote_address | startswith("10.1.0."))] | length')
bt_check "$T: -j show peers has all $N ($n)" test "$n" = $N
size=$(bt_in b "$BT_CTL" -j show status | wc -c)
bt_check "$T: show status is whole, $size bytes (> 64 KiB)" \
	sh -c "[ $size -gt 65536 ] && ip netns exec b $BT_CTL -j show status | jq -e '.peer_count >= $N and (.peers | length) == .peer_count' >/dev/null"
n=$(bt_in b "$BT_CTL" show servers | grep -c '^10.0.3.2 .* up ')
bt_check "$T: show servers: the collector up" test "$n" = 1

# --- bad requests and the client bound -----------------------------------------
bad0=$(ctlj .control.bad_requests)
r=$(raw 'b"\x01\x02garbage\xff\n"'); echo "garbage: $r"
bt_check "$T: garbage request refused with an error line" grep -q '^error: unknown request' <<<"$r"
r=$(raw 'b"a" * 4096'); echo "overlong: $r"
bt_check "$T: overlong request refused" grep -qx 'error: request too long' <<<"$r"
r=$(raw 'b"show status\0x\n"'); echo "NUL: $r"
bt_check "$T: request with a NUL refused" grep -qx 'error: bad request' <<<"$r"
bad=$(ctlj .control.bad_requests)
bt_check "$T: bad requests counted ($bad0 -> $bad)" test "$bad" = $((bad0 + 3))
ref0=$(ctlj .control.refused)
r=$(bt_in b python3 - "$SOCK" <<'EOF'
import socket, sys
idle = []
for i in range(16):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); idle.append(s)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); s.settimeout(10)
print(s.recv(100).decode(), end="")
EOF
); echo "17th: $r"
bt_check "$T: the 17th client is refused" grep -qx 'error: too many clients' <<<"$r"
bt_check "$T: clients refused counted" bt_wait 15 sh -c "[ \$(ip netns exec b $BT_CTL -j show status | jq .control.refused) -gt $ref0 ]"

# --- a monitor that never reads -----------------------------------------------
ip netns exec b "$BT_CTL" monitor >"$BT_RUN/monitor.out" 2>&1 &
mpid=$!
bt_in b python3 - "$SOCK" >"$BT_RUN/stuck.out" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1]); s.sendall(b"monitor\n")
time.sleep(600)    # never reads
EOF
spid=$!
bt_wait 10 sh -c "[ \$(ip netns exec b $BT_CTL -j show status | jq .control.monitors) = 2 ]"
bt_check "$T: two monitor clients" test "$(ctlj .control.monitors)" = 2
drop0=$(ctlj .control.dropped_slow)
start=$(date +%s)
for ((k = 0; k < 40; k++)); do
	bt_birdc a disable s2 >/dev/null; sleep 2
	bt_birdc a enable s2 >/dev/null; sleep 2
	[ "$(ctlj .control.dropped_slow)" -gt "$drop0" ] && break
done
bt_log "flapped $k times in $(( $(date +%s) - start )) s"
drop=$(ctlj .control.dropped_slow)
bt_check "$T: the monitor that never reads was dropped ($drop0 -> $drop)" test "$drop" -gt "$drop0"
bt_check "$T: the reading monitor kept its place" test "$(ctlj .control.monitors)" = 1
bt_check "$T: bmptapd logged the drop" grep -q 'monitor client fell .* behind: dropped' "$BT_LOG/bmptapd.out"
lines=$(wc -l <"$BT_RUN/monitor.out")
bt_birdc a enable s3 >/dev/null
bt_check "$T: after the drop bmptapd still feeds the collector (100.99.1.0/24)" \
	bt_wait 60 sh -c "grep '\"route_monitor\"' $json | grep -q '\"ip_prefix\": \"100.99.1.0/24\"'"
bt_check "$T: ... and the reading monitor (route add 100.99.1.0/24)" \
	bt_wait 30 grep -q 'route add 100.99.1.0/24 peer 10.1.0.1' "$BT_RUN/monitor.out"
bt_check "$T: reading monitor lines are timestamped events ($lines)" \
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ route (add|del) 100\.' "$BT_RUN/monitor.out"
kill $spid 2>/dev/null

# --- stopped, killed ------------------------------------------------------------
kill -TERM $dpid; wait $dpid; rc=$?
bt_check "$T: bmptapd exits 0 on SIGTERM ($rc)" test $rc = 0
bt_check "$T: the monitor ends when bmptapd stops" bt_wait 10 sh -c "! kill -0 $mpid 2>/dev/null"
bt_check "$T: the socket file is removed" test ! -e $SOCK
for what in "show peers" "show status" "show servers" "monitor"; do
	out=$(bt_in b "$BT_CTL" $what 2>&1 >/dev/null); rc=$?
	bt_check "$T: stopped: $what says so (rc=$rc)" \
		sh -c "[ $rc != 0 ] && echo '$out' | grep -q 'bmptapd is not running in this namespace (no control socket at $SOCK)'"
done
bt_check "$T: restarted" start_bmptapd
kill -KILL $dpid; wait $dpid 2>/dev/null
bt_check "$T: killed: the stale socket stays" test -S $SOCK
bt_check "$T: killed: bmptapctl says not running" \
	sh -c "ip netns exec b $BT_CTL show peers 2>&1 | grep -q 'bmptapd is not running in this namespace'"
bt_check "$T: a new bmptapd replaces the stale socket" start_bmptapd
n=$(bt_in b "$BT_CTL" -j show peers | jq 'length')
bt_check "$T: ... and serves the peers again ($n)" test "$n" -ge $N
bt_check "$T: kernel log: no WARNING or BUG" sh -c "! dmesg | grep -Eq 'WARNING:|BUG:|Oops'"
[ "$BT_FAILS" = 0 ] || tail -n 30 "$BT_LOG/bmptapd.out"
bt_cleanup
bt_done
