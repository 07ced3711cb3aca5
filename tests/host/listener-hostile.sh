#!/bin/bash
# bmptapd's passive listener under hostile collectors, on the host (no
# module: bmptapd --records replays a recorded full table).  250 idle
# connections from two loopback sources that never read: the per-source cap
# refuses all but 4 of each, the admitted ones stall mid-replay and are
# disconnected after --collector-stall-timeout, counted; bmptapd's CPU stays
# low, its metrics answer, its RSS stays bounded, and a real collector from
# a third source still gets the whole table.  More connections than
# --listen-max are refused as "cap".
# Prints PASS:/FAIL: lines; exit 1 if any failed.
set -uo pipefail
HOST_TEST=listener-hostile
. "$(dirname "$0")/lib.sh"
value() { # SERIES: the sample's value in the current scrape
	awk -v s="$1" '$1 == s { print $2; f = 1 } END { exit !f }' "$tmp/m.txt"
}
scrape() { curl -s --max-time 5 -o "$tmp/m.txt" "http://127.0.0.1:$mport/metrics"; }
at_least() { # SERIES MIN
	local v
	scrape && v=$(value "$1") || { echo "$1: no answer"; return 1; }
	[ "$v" -ge "$2" ] || { echo "$1 = $v, want >= $2"; return 1; }
}
equals() { # SERIES WANT
	local v
	scrape && v=$(value "$1") || { echo "$1: no answer"; return 1; }
	[ "$v" = "$2" ] || { echo "$1 = $v, want $2"; return 1; }
}
admitted_or_refused() { # N: the listener's sessions + per-source refusals = N
	local a r
	scrape && a=$(value "bmptap_collector_sessions_total{$l}") &&
		r=$(value "bmptap_collector_refused_total{$l,reason=\"per_source\"}") ||
		{ echo "no answer"; return 1; }
	# 4 per source at a time; a stalled one's place may be taken again.
	[ $((a + r)) = "$1" ] && [ "$a" -ge 8 ] && [ "$r" -ge $(($1 / 2)) ] ||
		{ echo "sessions $a + refused{per_source} $r, want $1"; return 1; }
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

port=$((20000 + RANDOM % 20000)) mport=$((port + 1)) stall=3
"$B/tools/bgp-speaker" -w "$tmp/t.bgp" -W "$tmp/t.rec" -S 0.05 -q >"$tmp/gen.txt" || exit 1
p4=$(sed -n 's/.*prefixes4=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
p6=$(sed -n 's/.*prefixes6=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
recs=$(sed -n 's/^records \([0-9]*\).*/\1/p' "$tmp/gen.txt")
"$B/bmptapd" --records "$tmp/t.rec" --server "127.0.0.1 port $port passive on" \
	--metrics "127.0.0.1:$mport" --listen-max 16 --listen-max-per-source 4 \
	--collector-stall-timeout $stall --queue-limit 262144 2>"$tmp/bmptapd.log" & pids+=($!)
bt=$!
check "the recorded table is loaded ($recs records)" waitfor 30 equals bmptap_records_total "$recs"
check "an empty allow list is warned about" grep -q "only loopback collectors are admitted" "$tmp/bmptapd.log"
rss0=$(rss_kb "$bt")

l="server=\"127.0.0.1\",port=\"$port\""
"$top/tests/tools/idle-collectors.py" 127.0.0.1 "$port" 125 127.0.0.2 127.0.0.3 \
	>"$tmp/idle.txt" 2>&1 & pids+=($!)
check "250 idle connections opened" waitfor 30 grep -q '^opened 250' "$tmp/idle.txt"
check "all but 4 per source at a time refused (refused{per_source} + sessions = 250)" \
	waitfor 10 admitted_or_refused 250
check "the 8 admitted, stuck mid-replay, disconnected after ${stall} s" \
	waitfor $((stall + 10)) at_least "bmptap_collector_stalled_disconnects_total{$l}" 8
t0=$(cpu_ticks "$bt")
sleep 10
t1=$(cpu_ticks "$bt")
hz=$(getconf CLK_TCK)
check "CPU over 10 s with 250 idle connections: $(( (t1 - t0) * 1000 / hz )) ms < 1000 ms" \
	test $(( (t1 - t0) * 1000 / hz )) -lt 1000
check "metrics still answer" equals "bmptap_collector_state{$l,state=\"listening\"}" 1
"$B/tools/bmp-sink" 127.0.0.1 "$port" -c -n $((p4 + p6)) -e 2 >"$tmp/sink.txt" 2>&1 & pids+=($!)
check "a real collector still gets the whole table ($((p4 + p6)) prefixes)" \
	waitfor 60 grep -q '^SINK done' "$tmp/sink.txt"

"$top/tests/tools/idle-collectors.py" 127.0.0.1 "$port" 4 127.0.0.4 127.0.0.5 127.0.0.6 \
	127.0.0.7 127.0.0.8 >"$tmp/idle2.txt" 2>&1 & pids+=($!)
check "20 more from 5 sources opened" waitfor 30 grep -q '^opened 20' "$tmp/idle2.txt"
check "over --listen-max 16: refused{cap} counted" \
	waitfor 10 at_least "bmptap_collector_refused_total{$l,reason=\"cap\"}" 5
check "refused{allow} = 0 (loopback only, all loopback)" \
	equals "bmptap_collector_refused_total{$l,reason=\"allow\"}" 0
check "the new stuck ones are disconnected too" \
	waitfor $((stall + 10)) at_least "bmptap_collector_stalled_disconnects_total{$l}" 19
rss1=$(rss_kb "$bt")
check "RSS bounded: $rss0 kB -> $rss1 kB (< +32 MB)" test $((rss1 - rss0)) -lt 32768
check "refusals are logged rate-limited (< 20 lines for 247)" \
	test "$(grep -c 'refused collector' "$tmp/bmptapd.log")" -lt 20
scrape
check "promtool check metrics (with the listener's series)" sh -c "promtool check metrics <'$tmp/m.txt'"
check "bmptapd still running" kill -0 "$bt"
[ "$fails" = 0 ]
