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

# it_tapd_start NS [BMPTAPD-OPTION...]: bmptapd -v in NS, its pid in
# IT_TAPD_PID and $BT_RUN/NS/bmptapd.pid, checked running.
it_tapd_start() {
	local ns=$1; shift
	ip netns exec "$ns" "$IT_B/bmptapd" -v "$@" >"$BT_LOG/$ns-bmptapd.out" 2>&1 &
	IT_TAPD_PID=$!
	echo $IT_TAPD_PID >"$BT_RUN/$ns/bmptapd.pid"
	bt_check "$IT_NAME: bmptapd in $ns running" \
		bt_wait 20 sh -c "ip netns exec $ns $IT_B/bmptapctl show status | grep -q servers"
}

# it_tapd NS COLLECTOR-ADDR PORT SYSNAME [SERVER-OPTION...]: bmptapd in NS
# feeding the collector (options of `bmptapctl server add`, e.g. policy).
it_tapd() {
	local ns=$1 addr=$2 port=$3 sys=$4; shift 4
	it_tapd_start "$ns"
	bt_check "$IT_NAME: bmptapd in $ns: server add" \
		bt_in "$ns" "$IT_B/bmptapctl" server add "$addr" port "$port" sys-name "$sys" "$@"
}

# it_star CASE SYS-NAME PEER-NS...: the setup every single-daemon case
# shares: the local daemon's namespace l, one namespace per peer linked to l
# with index 1, 2, ... (l is 10.0.<i>.1 / fd00:<i>::1, the peer .2 / ::2),
# the collector namespace c on link 9 with pmbmpd on 11019 (JSON log in $J)
# and bmptapd in l feeding it.
it_star() {
	local name=$1 sys=$2 i=1 p; shift 2
	it_start "$name"
	for p in l "$@" c; do bt_host "$p"; done
	for p in "$@"; do it_link l "$p" $i; i=$((i + 1)); done
	it_link l c 9
	J=$(it_json c 11019)
	it_collector c 11019
	it_tapd l 10.0.9.2 11019 "$sys"
}

# it_q [-r ROUTER] [-s LINE] [-x ASN] [-v VIEW] JSON QUERY...: one bmpjson.py
# query (see there).  The simple queries, polled often, run through jq (a
# Python start costs seconds under TCG); bmpjson.py gives the same answers
# and does the rest.  -v pre|post|out|loc keeps the messages of one
# route-monitoring view, from pmbmpd's flags: pre-policy and post-policy
# Adj-RIB-In (is_in, is_post 0 / 1: L flag), Adj-RIB-Out (is_out: O flag),
# Loc-RIB (is_loc: peer type 3); the jq queries only.
it_q() {
	local router="" start=1 xas="" view=""
	while :; do
		case $1 in
		-r) router=$2; shift 2 ;;
		-x) xas=$2; shift 2 ;;
		-s) start=$2; shift 2 ;;
		-v) view=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local file=$1 q=$2; shift 2
	local sel='.bmp_msg_type == $t and .peer_ip == $p and ($r == "" or .bmp_router == $r)'
	case $view in
	"") ;;
	pre) sel="$sel and .is_in == 1 and .is_post == 0" ;;
	post) sel="$sel and .is_in == 1 and .is_post == 1" ;;
	out) sel="$sel and .is_out == 1" ;;
	loc) sel="$sel and .is_loc == 1" ;;
	*) echo "it_q: unknown view $view"; return 2 ;;
	esac
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
	*) [ -z "$view" ] || { echo "it_q: -v does not apply to $q"; return 2; }
		local o=(); [ -n "$router" ] && o+=(-r "$router"); [ "$start" != 1 ] && o+=(-s "$start")
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

# it_none CHECK-NAME [-r R] [-s S] [-v V] JSON QUERY...: the query does not
# hold (call it once the positive checks of the same feed have passed).
it_none() {
	local name=$1 rc; shift
	it_q "$@" >/dev/null; rc=$?
	if [ "$rc" = 1 ]; then bt_pass "$IT_NAME: $name"; else bt_fail "$IT_NAME: $name"; fi
}

# it_tshark_has NS PORT CHECK-NAME FILTER: the capture has a packet matching
# FILTER (call after it_collector_end).
it_tshark_has() {
	local cap=$BT_RUN/$1/bmp-$2.pcap
	bt_check "$IT_NAME: $3" sh -c \
		"tshark -r '$cap' -d tcp.port==$2,bmp -Y '$4' 2>/dev/null | grep -q ."
}

# it_collector_end NS PORT [LABEL [pmbmpd-only | EXCLUDE]]: stops the
# capture; pmbmpd's log has no warning or error and its JSON parses; tshark
# decodes BMP with no malformed packet and no expert error (not with
# pmbmpd-only, for a feed bmptap did not produce: each tshark start costs a
# minute on a loaded TCG guest).  tshark 4.0 does not know RFC 8654: it flags
# every BGP message over 4096 bytes "Length is invalid", so frames holding
# one (extended-message cases) are left out of that check; pmbmpd decodes
# them and the cases check their content through it.  tshark 4.0 also hands
# what follows a Peer Up's OPENs to the BGP dissector, so the Loc-RIB Peer
# Up's VRF/Table Name TLV (RFC 9069) shows as malformed: frames with a
# Loc-RIB Peer Up are left out too (pmbmpd decodes the TLV; interop-policy
# and locrib-kernel check it).  EXCLUDE: a display filter for further frames
# to leave out (e.g. Errored PDUs, whose mirrored message is bad on purpose).
it_collector_end() {
	local ns=$1 port=$2 label=${3:-collector $2} tshark=${4:-} excl=""
	[ "$tshark" = pmbmpd-only ] || excl=$tshark
	local cap=$BT_RUN/$ns/bmp-$port.pcap json; json=$(it_json "$ns" "$port")
	local log=$BT_LOG/$ns-pmbmpd-$port.log
	it_capture_stop "$ns" "$port"
	bt_check "$IT_NAME: $label: pmbmpd log has no WARN/ERROR/missing peer up" \
		sh -c "test -s '$log' && ! grep -E 'WARN|ERROR|[Mm]issing|[Mm]alformed' '$log' | grep -v 'BMP peers usage' | grep -q ."
	bt_check "$IT_NAME: $label: pmbmpd JSON parses, known message types" it_q "$json" clean
	cp "$json" "$cap" "$log" "$ART/" 2>/dev/null
	[ "$tshark" = pmbmpd-only ] && return 0
	tshark -r "$cap" -d tcp.port=="$port",bmp \
		-Y "(_ws.malformed || _ws.expert.severity >= \"Error\") && !(bgp.length > 4096) &&
		    !(bmp.type == 3 && bmp.peer.type == 3)${excl:+ && !($excl)}" \
		>"$ART/tshark-bad-$ns-$port.txt" 2>"$ART/tshark-bad-$ns-$port.err"
	local trc=$?
	bt_check "$IT_NAME: $label: tshark ran" [ "$trc" = 0 ]
	# (one pass for the message types: a tshark start costs a minute on a
	# loaded TCG guest)
	local types=$ART/bmp-types-$ns-$port.txt
	tshark -r "$cap" -d tcp.port=="$port",bmp -Y bmp -T fields -e bmp.type 2>/dev/null |
		tr ',' '\n' | sort | uniq -c >"$types"
	bt_check "$IT_NAME: $label: tshark decoded BMP Peer Up and Route Monitoring" \
		awk '$2 == 3 { u = 1 } $2 == 0 { r = 1 } END { exit !(u && r) }' "$types"
	bt_check "$IT_NAME: $label: tshark: no malformed packet, no expert error" \
		sh -c "! grep -q . '$ART/tshark-bad-$ns-$port.txt'"
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
# it_gr_down_reason BGP-PCAP PEER JSON: the reason of PEER's first Peer Down
# in JSON is 3 (remote NOTIFICATION) when the capture of the BGP session
# holds a NOTIFICATION from PEER, else 4 (closed without one).  A graceful
# restart's close may carry one: BIRD 3 sends a Cease, BIRD 2 does not.
it_gr_down_reason() {
	local want=4 got
	tshark -r "$1" -d tcp.port==179,bgp -Y "ip.src == $2 && bgp.type == 3" 2>/dev/null | grep -q . && want=3
	got=$(jq -R -r --arg p "$2" 'fromjson? | select(.bmp_msg_type == "peer_down" and .peer_ip == $p) |
		.reason_type' "$3" | head -1)
	echo "$2: Peer Down reason $got, expected $want"
	[ "$got" = "$want" ]
}

# it_gr_restarted NS PORT PEER: the first Peer Up of PEER has the received
# OPEN's Restart flag clear, the last one has it set.
it_gr_restarted() {
	local f; f=$(it_gr_flags "$@")
	echo "Restart flags of $3's Peer Ups: $f"
	case $f in No*Yes\ ) return 0 ;; esac
	return 1
}

# it_gobgp_nb [-m SECRET] ADDRESS AS AFI-SAFI... [-- EXTRA-TOML]: a GoBGP
# [[neighbors]] entry with the interop timers (connect retry 2 s, hold
# 30 s), TCP-MD5 with -m.
it_gobgp_nb() {
	local md5=""
	[ "$1" = -m ] && { md5=$2; shift 2; }
	local a=$1 as=$2; shift 2
	printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n    peer-as = %s\n' "$a" "$as"
	[ -n "$md5" ] && printf '    auth-password = "%s"\n' "$md5"
	printf '  [neighbors.timers.config]\n    connect-retry = 2\n    hold-time = 30\n    keepalive-interval = 10\n'
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$1"
		shift
	done
	[ "${1:-}" = -- ] && printf '%s\n' "$2"
	return 0
}
# it_gobgp_global AS ROUTER-ID: GoBGP's [global.config].
it_gobgp_global() { printf '[global.config]\n  as = %s\n  router-id = "%s"\n' "$1" "$2"; }
# it_gobgp_bmp PORT: GoBGP's own BMP export, pre-policy, to the collector
# of it_star (10.0.9.2) on PORT.
it_gobgp_bmp() {
	printf '[[bmp-servers]]\n  [bmp-servers.config]\n    address = "10.0.9.2"\n    port = %s\n' "$1"
	printf '    route-monitoring-policy = "pre-policy"\n'
}

# it_exabgp_api FILE: ExaBGP's API process block (for `api { processes [
# cmds ]; }`); the process reads the commands appended to FILE, emptied here.
it_exabgp_api() {
	: >"$1"
	printf 'process cmds {\n\trun /usr/bin/tail -n 0 -F %s;\n\tencoder text;\n}\n' "$1"
}

# it_exabgp_as2 ADDRESS PEER-ADDRESS: ExaBGP neighbor block of a 2-octet AS
# speaker (AS 65003, no 4-octet AS capability, so its peer's AS is AS_TRANS)
# announcing 100.64.3.0/24 twice with ADD-PATH ids 1 and 2, one of them with
# a 4-octet AS that only AS4_PATH can carry.
it_exabgp_as2() {
	echo "neighbor $2 {
	router-id $1;
	local-address $1;
	local-as 65003;
	peer-as 23456;
	hold-time 30;
	capability { asn4 disable; add-path send; }
	family { ipv4 unicast; }
	static {
		route 100.64.3.0/24 next-hop $1 as-path [ 65003 4200000099 ] path-information 0.0.0.1;
		route 100.64.3.0/24 next-hop $1 as-path [ 65003 65033 ] path-information 0.0.0.2;
	}
}"
}

# it_bird_gr_restart NS: BIRD in NS goes down for a graceful restart
# (`birdc graceful restart`: no NOTIFICATION) and starts again with -R, in
# graceful restart recovery, so its OPEN's Restart flag is set.
it_bird_gr_restart() {
	local ns=$1 dir=$BT_RUN/$1
	bt_birdc "$ns" graceful restart >/dev/null
	bt_wait 10 sh -c "! kill -0 \$(cat $dir/bird.pid) 2>/dev/null"
	rm -f "$dir/bird.ctl"
	bt_in "$ns" bird -R -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" \
		>>"$BT_LOG/$ns-bird.out" 2>&1
}

# it_gobgp_restart NS: gobgpd in NS started again with -r (graceful restart:
# its OPEN's Restart flag is set) on the same configuration.
it_gobgp_restart() {
	bt_in "$1" gobgpd -r -f "$BT_RUN/$1/gobgpd.toml" -p --api-hosts 127.0.0.1:50051 \
		--pprof-disable >>"$BT_LOG/$1-gobgpd.out" 2>&1 &
	echo $! >"$BT_RUN/$1/gobgpd.pid"
	bt_wait 20 bt_gobgpc "$1" global >/dev/null
}

# it_views JSON: one line per Peer Up and route announcement of the pmbmpd
# log, "ROUTER up PEER PEER-TYPE TLV" (TLV: pmbmpd's bmp_peer_up_info_3, the
# table name) and "ROUTER VIEW PEER PREFIX" with VIEW pre, post (L flag),
# out (O flag) or loc (Loc-RIB), for grep: one jq run for many checks.
it_views() {
	jq -R -r 'fromjson? |
		if .bmp_msg_type == "peer_up" then
			[.bmp_router, "up", .peer_ip, (.peer_type|tostring), (.bmp_peer_up_info_3 // "-")] | join(" ")
		elif .bmp_msg_type == "route_monitor" and .log_type != "withdraw" then
			[.bmp_router, (if .is_loc == 1 then "loc" elif .is_out == 1 then "out"
				elif .is_in == 1 and .is_post == 1 then "post"
				elif .is_in == 1 and .is_post == 0 then "pre" else "other" end),
			 .peer_ip, .ip_prefix] | join(" ")
		else empty end' "$1"
}

# it_rm_flags NS PORT: one line per Route Monitoring message in the capture,
# "ROUTER PEER-TYPE/L/O" (sender, peer type, post-policy and Adj-RIB-Out
# flags), sorted and counted.  Parsed from one tshark -V pass: a frame holds
# several BMP messages, and -T fields aggregates fields per frame.
it_rm_flags() {
	tshark -r "$BT_RUN/$1/bmp-$2.pcap" -d tcp.port=="$2",bmp -Y 'bmp.type == 0' -V 2>/dev/null |
		awk 'function flush() { if (rm) print src " " pt "/" l "/" o }
		/^Internet Protocol Version [46], Src: / { src = $6; sub(/,$/, "", src) }
		/^BGP Monitoring Protocol, Type/ { flush(); rm = ($0 ~ /Route Monitoring/); pt = ""; l = 0; o = 0 }
		/^        Type: .*\([0-9]+\)$/ && pt == "" { pt = $NF; gsub(/[()]/, "", pt) }
		/= Post-policy: Set/ { l = 1 }
		/= Adj-RIB-Out: Set/ { o = 1 }
		END { flush() }' | sort | uniq -c
}

# it_nlri NS PORT: the capture of it_collector as bmpnlri.awk's lines
# ("STREAM KIND AFI/SAFI KEY", announcements, withdrawals and End-of-RIBs in
# order), one tshark pass (call after it_collector_end).
it_nlri() {
	tshark -r "$BT_RUN/$1/bmp-$2.pcap" -d tcp.port=="$2",bmp -Y 'bmp.type == 0' -V 2>/dev/null |
		awk -f "$BT_TOP/tests/lib/bmpnlri.awk"
}

# it_collector_kill NS PORT: the collector on PORT dies (SIGKILL to every
# process holding a socket of that port: pmbmpd forks helpers that keep the
# sockets, so its own pid is not enough; another collector of NS lives on).
it_collector_kill() {
	local p
	for p in $(ip netns exec "$1" ss -Htanp "( sport = :$2 )" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
		kill -9 "$p"
	done
	bt_wait 10 sh -c "! ip netns exec $1 ss -ltn | grep -q ':$2 '"
}
