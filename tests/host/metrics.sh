#!/bin/bash
# bmptapd --metrics on the host, no module needed: bmptapd --records replays
# a recorded session (bgp-speaker -W) to a bmp-sink collector and serves
# /metrics.  Checks the exposition with promtool and against the table
# sent, the endpoint's refusals (404, 405, 400, 431, 408, a 17th
# connection) and their counters, IPv6, and the start-up errors.
# Prints PASS:/FAIL: lines; exit 1 if any failed.
set -uo pipefail
HOST_TEST=metrics
. "$(dirname "$0")/lib.sh"
status() { # WANT CURL-ARGS...
	local want=$1 got; shift
	got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@")
	[ "$got" = "$want" ] || { echo "$* -> $got, want $want"; return 1; }
}

port=$((20000 + RANDOM % 20000)) mport=$((port + 1))
url=http://127.0.0.1:$mport/metrics
"$B/tools/bgp-speaker" -w "$tmp/t.bgp" -W "$tmp/t.rec" -S 0.002 -q >"$tmp/gen.txt" || exit 1
p4=$(sed -n 's/.*prefixes4=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
p6=$(sed -n 's/.*prefixes6=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
recs=$(sed -n 's/^records \([0-9]*\).*/\1/p' "$tmp/gen.txt")
"$B/tools/bmp-sink" 127.0.0.1 "$port" -n $((p4 + p6)) -e 2 >"$tmp/sink.txt" 2>&1 & pids+=($!)
waitfor 10 grep -q ready "$tmp/sink.txt"
"$B/bmptapd" --records "$tmp/t.rec" --server "127.0.0.1 port $port" \
	--metrics "127.0.0.1:$mport" 2>"$tmp/bmptapd.log" & pids+=($!)
check "the table reached the collector" waitfor 30 grep -q '^SINK done' "$tmp/sink.txt"

curl -s --max-time 5 -D "$tmp/headers" -o "$tmp/m.txt" "$url"
check "Content-Type is the text format 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/headers"
check "promtool check metrics" sh -c "promtool check metrics <'$tmp/m.txt'"
peer='peer="10.0.1.1",peer_as="4200000100"'
check "IPv4 prefixes = the table's ($p4)" is "$tmp/m.txt" "bmptap_peer_prefixes{$peer,afi=\"ipv4\",safi=\"unicast\"}" "$p4"
check "IPv6 prefixes = the table's ($p6)" is "$tmp/m.txt" "bmptap_peer_prefixes{$peer,afi=\"ipv6\",safi=\"unicast\"}" "$p6"
check "peer established" is "$tmp/m.txt" "bmptap_peer_established{$peer}" 1
check "records = the file's ($recs)" is "$tmp/m.txt" bmptap_records_total "$recs"
coll="server=\"127.0.0.1\",port=\"$port\""
check "collector state up" is "$tmp/m.txt" "bmptap_collector_state{$coll,state=\"up\"}" 1
check "collector state backoff 0" is "$tmp/m.txt" "bmptap_collector_state{$coll,state=\"backoff\"}" 0
check "collector messages_total > 0" positive "$tmp/m.txt" "bmptap_collector_messages_total{$coll}"
check "collector bytes_total > 0" positive "$tmp/m.txt" "bmptap_collector_bytes_total{$coll}"
check "collector sessions_total 1" is "$tmp/m.txt" "bmptap_collector_sessions_total{$coll}" 1
check "no module in --records mode" is "$tmp/m.txt" bmptap_module_up 0

check "other path: 404" status 404 "http://127.0.0.1:$mport/"
check "other method: 405" status 405 -X POST "$url"
check "not HTTP: 400" sh -c "printf 'hello\r\n\r\n' | curl -s --max-time 5 telnet://127.0.0.1:$mport | grep -q '^HTTP/1.1 400'"
check "silent client: 408 after 10 s" sh -c "curl -s --max-time 15 telnet://127.0.0.1:$mport </dev/null | grep -q '^HTTP/1.1 408'"
check "oversized request and 17th connection refused, counted" "$top/tests/tools/metrics-probe" 127.0.0.1 "$mport"
curl -s --max-time 5 -o "$tmp/m2.txt" "$url"
for r in not_found:1 method_not_allowed:1 bad_request:1 timeout:1; do
	check "refused{${r%:*}} = ${r#*:}" is "$tmp/m2.txt" "bmptap_metrics_refused_total{reason=\"${r%:*}\"}" "${r#*:}"
done
check "requests_total counts the answers" positive "$tmp/m2.txt" bmptap_metrics_requests_total
check "promtool check metrics after the refusals" sh -c "promtool check metrics <'$tmp/m2.txt'"

"$B/bmptapd" --records /dev/null --metrics "[::1]:$((port + 2))" 2>"$tmp/v6.log" & pids+=($!)
check "IPv6 [::1]:PORT" waitfor 5 sh -c "curl -s 'http://[::1]:$((port + 2))/metrics' | grep -q '^bmptap_records_total 0'"
start_error() { # WANT-MESSAGE ADDRESS: bmptapd exits 1 with the message
	local out rc
	out=$(timeout 5 "$B/bmptapd" --records /dev/null --metrics "$2" 2>&1); rc=$?
	[ "$rc" = 1 ] && grep -q -- "error: --metrics $1" <<<"$out" || { echo "rc $rc: $out"; return 1; }
}
check "bad ADDRESS:PORT: one-line error" start_error "1.2.3.4:0: port must be 1..65535" 1.2.3.4:0
check "bad [IPv6]: one-line error" start_error "\[::1: expected \[IPv6\]:PORT" "[::1"
check "port in use: exits with the error" start_error "127.0.0.1:$mport: Address already in use" "127.0.0.1:$mport"
[ "$fails" = 0 ]
