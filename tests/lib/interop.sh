# Sourced by the interoperability guest cases (tests/guest/cases/interop-*.sh)
# after guest.sh.  A case taps the namespace of one "local" daemon, runs
# bmptapd there (ip netns exec) feeding pmacct's pmbmpd in a collector
# namespace, captures the BMP TCP stream with tcpdump, and checks the JSON
# log (tests/lib/bmpjson.py) and tshark's BMP dissector.
#
# Check names are "<case>: <what>"; Documentation/interop.md refers to them.
IT_B=$BT_TOP/build
IT_PY="python3 $BT_TOP/tests/lib/bmpjson.py"

# it_start CASE: artifacts directory, veth, module.
it_start() {
	IT_NAME=$1
	ART=/mnt/results/$IT_NAME
	mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
	mkdir -p "$ART"
	bt_modprobe veth
	bt_check "$IT_NAME: insmod" bt_insmod
}

# it_link A B INDEX: bt_link with short interface names (v<i>a / v<i>b).
it_link() { bt_link "$@"; }

it_json() { echo "$BT_RUN/$1/pmbmpd-$2.json"; }

# it_collector NS PORT: pmbmpd on PORT in NS and a capture of its traffic.
it_collector() {
	local ns=$1 port=$2
	# (bt_pmbmpd waits 10 s for the socket: not always enough under TCG.)
	bt_pmbmpd "$ns" "$port" ||
		bt_wait 30 bt_in "$ns" sh -c "ss -ltn | grep -q ':$port '" ||
		{ bt_fail "$IT_NAME: pmbmpd $port listening"; return 1; }
	ip netns exec "$ns" tcpdump -U -q -i any -s 0 -w "$BT_RUN/$ns/bmp-$port.pcap" \
		tcp port "$port" >"$BT_LOG/$ns-tcpdump-$port.out" 2>&1 &
	echo $! >"$BT_RUN/$ns/tcpdump-$port.pid"
	bt_wait 10 grep -q 'listening on' "$BT_LOG/$ns-tcpdump-$port.out"
}

# it_tapd NS COLLECTOR-ADDR PORT SYSNAME [SERVER-ADD-ARGS...]: bmptapd in NS
# feeding the collector.
it_tapd() {
	local ns=$1 addr=$2 port=$3 name=$4
	shift 4
	ip netns exec "$ns" "$IT_B/bmptapd" -v >"$BT_LOG/$ns-bmptapd.out" 2>&1 &
	echo $! >"$BT_RUN/$ns/bmptapd.pid"
	bt_check "$IT_NAME: bmptapd in $ns running" \
		bt_wait 10 sh -c "ip netns exec $ns $IT_B/bmptapctl show status | grep -q servers"
	bt_check "$IT_NAME: bmptapd in $ns: server add" \
		bt_in "$ns" "$IT_B/bmptapctl" server add "$addr" port "$port" sys-name "$name" "$@"
}

# it_q [-r ROUTER] [-s LINE] [-x ASN] JSON QUERY...: one bmpjson.py query (see there).
# The simple queries, polled often, run through jq (a Python start costs
# seconds under TCG); bmpjson.py gives the same answers and does the rest.
it_q() {
	local router="" start=1 xas=""
	while :; do
		case $1 in
		-r) router=$2; shift 2 ;;
		-x) xas=$2; shift 2 ;;
		-s) start=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local file=$1 q=$2; shift 2
	local sel='.bmp_msg_type == $t and .peer_ip == $p and ($r == "" or .bmp_router == $r)'
	local t p=$1 pf=${2:-} n=1 extra=true
	case $q in
	up) t=peer_up; n=${2:-1}; pf="" ;;
	down) t=peer_down; n=${2:-1}; pf=""
		[ -n "${3:-}" ] && extra="(.reason_type|tostring) == \"$3\"" ;;
	route) t=route_monitor; n=${3:-1}; extra='.log_type != "withdraw"' ;;
	withdraw) t=route_monitor; extra='.log_type == "withdraw"' ;;
	field) t=route_monitor
		extra=".log_type != \"withdraw\" and ((.[\$k]|tostring) == \$v or ((.[\$k]|type) == \"string\" and (.[\$k]|contains(\$v))))" ;;
	fieldeq) t=route_monitor
		extra=".log_type != \"withdraw\" and (.[\$k]|tostring) == \$v" ;;
	pathids) t=route_monitor; n=$3; extra='.log_type != "withdraw" and .as_path_id != null' ;;
	*) local o=(); [ -n "$router" ] && o+=(-r "$router"); [ "$start" != 1 ] && o+=(-s "$start")
		[ -n "$xas" ] && o+=(-x "$xas")
		$IT_PY "${o[@]}" "$file" "$q" "$@"; return ;;
	esac
	[ -n "$pf" ] && sel="$sel and .ip_prefix == \$pf"
	local out got
	out=$(tail -n +"$start" "$file" 2>/dev/null | jq -R -c --arg t "$t" --arg p "$p" --arg pf "$pf" \
		--arg r "$router" --arg k "${3:-}" --arg v "${4:-}" \
		"fromjson? | select($sel and $extra) | if \"$q\" == \"pathids\" then .as_path_id else 1 end")
	if [ "$q" = pathids ]; then
		got=$(printf '%s\n' "$out" | grep -c . | tr -d ' '); got=$(printf '%s\n' "$out" | sort -u | grep -c .)
	else
		got=$(printf '%s\n' "$out" | grep -c .)
	fi
	[ "$got" -ge "$n" ] && return 0
	echo "$q $p $pf ${3:-} ${4:-}: $got < $n"
	return 1
}

# it_wait SECONDS CHECK-NAME [-r R] [-s S] JSON QUERY...: the query holds
# within SECONDS.
it_wait() {
	local secs=$1 name=$2; shift 2
	if bt_wait "$secs" it_q "$@"; then
		bt_pass "$IT_NAME: $name"
	else
		bt_fail "$IT_NAME: $name"
		it_q "$@" | head -5 | sed 's/^/    /'
	fi
}

# it_tshark_has NS PORT CHECK-NAME FILTER: the capture has a packet matching
# FILTER (call after it_collector_end).
it_tshark_has() {
	local cap=$BT_RUN/$1/bmp-$2.pcap
	bt_check "$IT_NAME: $3" sh -c \
		"tshark -r '$cap' -d tcp.port==$2,bmp -Y '$4' 2>/dev/null | grep -q ."
}

# it_collector_end NS PORT [LABEL [EXCLUDE]]: stops the capture; pmbmpd's
# log has no warning or error and its JSON parses; tshark decodes BMP with no
# malformed packet and no expert error.  tshark 4.0 does not know RFC 8654:
# it flags every BGP message over 4096 bytes "Length is invalid", so frames
# holding one (extended-message cases) are left out of that check; pmbmpd
# decodes them and the cases check their content through it.  tshark 4.0
# also hands everything after a Peer Up's OPENs to the BGP dissector, so the
# VRF/Table Name TLV of a Loc-RIB Peer Up (RFC 9069) shows as "Malformed
# BGP": frames with one are left out too (cases with a Loc-RIB check its TLV
# apart).  EXCLUDE: a display filter for further frames to leave out (e.g.
# Errored PDUs, whose mirrored message is bad on purpose).
it_collector_end() {
	local ns=$1 port=$2 label=${3:-collector $2} excl=${4:-}
	local cap=$BT_RUN/$ns/bmp-$port.pcap json; json=$(it_json "$ns" "$port")
	local log=$BT_LOG/$ns-pmbmpd-$port.log
	it_capture_stop "$ns" "$port"
	bt_check "$IT_NAME: $label: pmbmpd log has no WARN/ERROR/missing peer up" \
		sh -c "test -s '$log' && ! grep -E 'WARN|ERROR|[Mm]issing|[Mm]alformed' '$log' | grep -v 'BMP peers usage' | grep -q ."
	bt_check "$IT_NAME: $label: pmbmpd JSON parses, known message types" it_q "$json" clean
	tshark -r "$cap" -d tcp.port=="$port",bmp \
		-Y "(_ws.malformed || _ws.expert.severity >= \"Error\") && !(bgp.length > 4096) &&
		    !(bmp.type == 3 && bmp.peer.type == 3)${excl:+ && !($excl)}" \
		>"$ART/tshark-bad-$ns-$port.txt" 2>"$ART/tshark-bad-$ns-$port.err"
	local trc=$?
	bt_check "$IT_NAME: $label: tshark ran" [ "$trc" = 0 ]
	bt_check "$IT_NAME: $label: tshark decoded BMP Peer Up and Route Monitoring" sh -c \
		"tshark -r '$cap' -d tcp.port==$port,bmp -Y 'bmp.type == 3' 2>/dev/null | grep -q . &&
		 tshark -r '$cap' -d tcp.port==$port,bmp -Y 'bmp.type == 0' 2>/dev/null | grep -q ."
	bt_check "$IT_NAME: $label: tshark: no malformed packet, no expert error" \
		sh -c "! grep -q . '$ART/tshark-bad-$ns-$port.txt'"
	tshark -r "$cap" -d tcp.port=="$port",bmp -Y bmp -T fields -e bmp.type 2>/dev/null |
		tr ',' '\n' | sort | uniq -c >"$ART/bmp-types-$ns-$port.txt"
	cp "$json" "$cap" "$log" "$ART/" 2>/dev/null
}

# it_capture_stop NS PORT: ends the capture of it_collector, flushed.
it_capture_stop() {
	local pidf=$BT_RUN/$1/tcpdump-$2.pid
	sleep 1
	kill "$(cat "$pidf")" 2>/dev/null
	bt_wait 5 sh -c "! kill -0 $(cat "$pidf") 2>/dev/null"
	rm -f "$pidf"
}

# it_end: artifacts, logs on failure, cleanup, exit status.
it_end() {
	cp "$BT_LOG"/*.out "$BT_LOG"/*.log "$ART/" 2>/dev/null
	if [ "$BT_FAILS" != 0 ]; then
		local f
		for f in "$BT_LOG"/*bmptapd.out; do echo "--- $f"; tail -n 15 "$f"; done
	fi
	bt_cleanup
	bt_done
}

# it_kill NS COMM [SIGNAL]: signals the processes named COMM in namespace NS
# (the pid files of backgrounded helpers hold a subshell's pid, not the
# daemon's).  Fails when there was none.
it_kill() {
	local ns=$1 comm=$2 sig=${3:-TERM} p n=0
	for p in $(ip netns pids "$ns"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$comm" ] || continue
		kill -"$sig" "$p" && n=$((n + 1))
	done
	[ $n -gt 0 ]
}

# it_gr_flags NS PORT PEER: for each Peer Up of PEER in the capture, the
# Restart flag of the last OPEN in it (the received one; "none" without a GR
# capability), one word each.  Parsed from tshark -V per BMP message: fields
# (-T fields) are aggregated per frame, and a frame holds several messages.
it_gr_flags() {
	tshark -r "$BT_RUN/$1/bmp-$2.pcap" -d tcp.port=="$2",bmp -Y 'bmp.type == 3' -V 2>/dev/null |
		awk -v peer="$3" '
		function flush() { if (up && addr == peer) print (last == "" ? "none" : last) }
		/^BGP Monitoring Protocol, Type/ { flush(); up = ($0 ~ /Peer Up/); addr = ""; last = "" }
		/^        Address: / && addr == "" { addr = $2 }
		/= Restart state: / { last = $NF }
		END { flush() }' | tr '\n' ' '
}
# it_gr_restarted NS PORT PEER: the first Peer Up of PEER has the received
# OPEN's Restart flag clear, the last one has it set.
it_gr_restarted() {
	local f; f=$(it_gr_flags "$@")
	echo "Restart flags of $3's Peer Ups: $f"
	case $f in No*Yes\ ) return 0 ;; esac
	return 1
}
