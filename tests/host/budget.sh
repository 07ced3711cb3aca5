#!/bin/bash
# bmptapd's memory budgets on the host, no module needed: bmptapd --records
# replays a recorded session (bgp-speaker -W, ~64k routes) to a bmp-sink
# collector three times: without budgets, with --peer-memory-max 1M and
# with --memory-max 1M; a second collector connecting afterwards gets the
# table replayed.  Over a budget the routes past it are not stored but
# counted, the peer is incomplete, the live collector is told once
# ("messages lost"; it got the UPDATEs as received), the late one gets
# exactly what bmptapd holds and "messages lost", and bmptapd's peak RSS
# stays below the unlimited run's.
# Prints PASS:/FAIL: lines; exit 1 if any failed.
set -uo pipefail
HOST_TEST=budget
. "$(dirname "$0")/lib.sh"

"$B/tools/bgp-speaker" -w "$tmp/t.bgp" -W "$tmp/t.rec" -S 0.05 -q >"$tmp/gen.txt" || exit 1
p4=$(sed -n 's/.*prefixes4=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
p6=$(sed -n 's/.*prefixes6=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
peer='peer="10.0.1.1",peer_as="4200000100"'

stored() { # NAME: prefixes bmptapd holds (both families)
	echo $(( $(value "$tmp/$1.m" "bmptap_peer_prefixes{$peer,afi=\"ipv4\",safi=\"unicast\"}") +
		 $(value "$tmp/$1.m" "bmptap_peer_prefixes{$peer,afi=\"ipv6\",safi=\"unicast\"}") ))
}
run() { # NAME BMPTAPD-OPTIONS...: the replay to a live collector (NAME.sink), then
	# its table replayed to a late one (NAME.late); NAME.{m,log,hwm} in $tmp
	local name=$1 port=$((20000 + RANDOM % 20000)) sink late d; shift
	"$B/tools/bmp-sink" 127.0.0.1 "$port" >"$tmp/$name.sink" 2>&1 & sink=$!; pids+=("$sink")
	waitfor 10 grep -q ready "$tmp/$name.sink"
	"$B/bmptapd" --records "$tmp/t.rec" --server "127.0.0.1 port $port" \
		--server "127.0.0.1 port $((port + 2)) passive on" \
		--metrics "127.0.0.1:$((port + 1))" "$@" 2>"$tmp/$name.log" & d=$!; pids+=("$d")
	waitfor 120 grep -q 'consumed' "$tmp/$name.log"
	curl -s "http://127.0.0.1:$((port + 1))/metrics" >"$tmp/$name.m"
	"$B/tools/bmp-sink" 127.0.0.1 "$((port + 2))" -c -n "$(stored "$name")" -e 2 \
		>"$tmp/$name.late" 2>&1 & late=$!; pids+=("$late")
	waitfor 60 grep -q '^SINK done' "$tmp/$name.late"
	waitfor 30 sh -c "curl -s 'http://127.0.0.1:$((port + 1))/metrics' |
		grep -q '^bmptap_collector_queue_bytes{server=\"127.0.0.1\",port=\"$port\"} 0$'"
	awk '/^VmHWM:/ { print $2 }' "/proc/$d/status" >"$tmp/$name.hwm"
	kill "$d"; wait "$d" 2>/dev/null
	kill "$sink" "$late"; wait "$sink" "$late" 2>/dev/null
}
sink_field() { # FILE FIELD: from a sink's final line
	grep '^SINK final ' "$tmp/$1" | grep -o " $2=[0-9]*" | cut -d= -f2
}
same() { # A B
	[ "$1" = "$2" ] || { echo "$1 != $2"; return 1; }
}
over_budget() { # NAME GAUGE: the budget's checks
	local n=$1 refused
	check "$n: bmptapd logged the budget" grep -q 'memory budget reached' "$tmp/$n.log"
	check "$n: peer incomplete" is "$tmp/$n.m" "bmptap_peer_incomplete{$peer}" 1
	check "$n: routes refused, counted" positive "$tmp/$n.m" "bmptap_peer_memory_refused_total{$peer}"
	refused=$(value "$tmp/$n.m" "bmptap_peer_memory_refused_total{$peer}")
	check "$n: stored + refused = the table ($((p4 + p6)))" same $(( $(stored "$n") + refused )) $((p4 + p6))
	check "$n: charge within 1 MiB" sh -c "[ $(value "$tmp/$n.m" "$2") -le 1048576 ]"
	check "$n: live collector told once: messages lost" same "$(sink_field "$n.sink" lost)" 1
	check "$n: live collector got the UPDATEs as received" same "$(sink_field "$n.sink" prefixes)" $((p4 + p6))
	check "$n: late collector: the routes bmptapd holds" same "$(sink_field "$n.late" prefixes)" "$(stored "$n")"
	check "$n: late collector told: messages lost" same "$(sink_field "$n.late" lost)" 1
	check "$n: peak RSS below the unlimited run's ($(cat "$tmp/$n.hwm") < $(cat "$tmp/none.hwm") kB)" \
		sh -c "[ $(cat "$tmp/$n.hwm") -lt $(cat "$tmp/none.hwm") ]"
}

run none --peer-memory-max 0 --memory-max 0
check "no budget: every route stored" same "$(stored none)" $((p4 + p6))
check "no budget: peer complete" is "$tmp/none.m" "bmptap_peer_incomplete{$peer}" 0
check "no budget: nothing refused" is "$tmp/none.m" "bmptap_peer_memory_refused_total{$peer}" 0
check "no budget: no messages lost" same "$(sink_field none.sink lost)$(sink_field none.late lost)" 00
check "no budget: both collectors got every route" same "$(sink_field none.sink prefixes) $(sink_field none.late prefixes)" "$((p4 + p6)) $((p4 + p6))"
run peer --peer-memory-max 1M
over_budget peer "bmptap_peer_memory_bytes{$peer}"
run total --memory-max 1024K
over_budget total bmptap_memory_bytes
bad_size() { # ARG
	local out rc
	out=$(timeout 5 "$B/bmptapd" --records /dev/null --peer-memory-max "$1" 2>&1); rc=$?
	[ "$rc" = 2 ] && grep -q -- "--peer-memory-max: BYTES" <<<"$out" || { echo "rc $rc: $out"; return 1; }
}
check "--peer-memory-max 1X refused" bad_size 1X
check "--peer-memory-max -1 refused" bad_size -1
check "--peer-memory-max 2^62 + 1 refused" bad_size 4611686018427387905
[ "$fails" = 0 ]
