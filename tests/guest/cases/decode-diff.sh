#!/bin/bash
# Differential test of capability decoding (issue 15 items 4 and 8): a
# speaker whose OPEN the test chooses (tests/tools/bgp-open.py in s) peers
# with FRR in r, then with BIRD in r; r is tapped by the module, bmptapd in
# r feeds pmbmpd in c.  Rounds of OPENs: normal ADD-PATH send/receive, 20
# junk ADD-PATH tuples before the real one, the IPv4 tuple twice (receive,
# then send), two 4-octet AS capabilities (65010 then 4200000010, the
# configured one), and ADD-PATH receive only (path ids in the router's
# direction only: the confusion a decoder must not fall for).
#
# In each round the router's own view (FRR `show bgp neighbors json`, BIRD
# `show protocols all`) of 4-octet AS, peer AS and ADD-PATH per direction is
# compared with bmptapd's (`bmptapctl -j show peers`), and the router's
# routes from the speaker (prefix -> number of paths) with pmbmpd's (prefix
# -> distinct path ids) and with bmptapd's RIB.  A refused OPEN (NOTIFICATION) must give no Peer Up.
# FRR 8.4 and BIRD 2.0.12 differ on duplicates (Documentation/interop.md):
# FRR ORs the ADD-PATH tuples of a family and takes the first 4-octet AS;
# BIRD takes the last.  Where that changes whether path ids are sent
# ("receive, then send"), bmptapd decodes nothing of the family, marks the
# peer incomplete and shows it; the same tuple twice is no dispute.  A
# disputed peer AS is reported as the last one and shown as disputed.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=decode-diff
SPK="python3 $BT_TOP/tests/tools/bgp-open.py"
PEER=10.0.1.1
it_start "$T"
bt_host s && bt_host r && bt_host c
it_link s r 1
it_link r c 2
J=$(it_json c 11019)
it_collector c 11019
it_tapd r 10.0.2.2 11019 bmptap-r

# --- each router's view: "as=N as4=B rx=B tx=B" (rx: the router receives
# path ids from the speaker; tx: it sends them) ------------------------------
frr_view() {
	bt_vtysh r -c "show bgp neighbors $PEER json" 2>/dev/null | jq -r --arg p "$PEER" '.[$p] |
		.neighborCapabilities as $c | ($c.addPath.ipv4Unicast // {}) as $a |
		(($a.rxAdvertisedAndReceived or $a.rxAdvertised) and
		 ($a.txAdvertisedAndReceived or $a.txReceived)) as $rx |
		(($a.txAdvertisedAndReceived or $a.txAdvertised) and
		 ($a.rxAdvertisedAndReceived or $a.rxReceived)) as $tx |
		"as=\(.remoteAs) as4=\($c["4byteAs"] == "advertisedAndReceived") rx=\($rx) tx=\($tx)"'
}
bird_view() {
	bt_birdc r show protocols all spk | awk '
		/Neighbor AS:/ { as = $3 }
		/Local capabilities/ { s = "l" } /Neighbor capabilities/ { s = "n" }
		/^ *RX:/ { rx[s] = / ipv4/ } /^ *TX:/ { tx[s] = / ipv4/ }
		/Session:.*AS4/ { as4 = 1 }
		END { b["0"] = "false"; b["1"] = "true"
		      printf "as=%s as4=%s rx=%s tx=%s\n", as, b[as4 + 0],
			b[(rx["l"] && tx["n"]) + 0], b[(tx["l"] && rx["n"]) + 0] }'
}
frr_up() { bt_vtysh r -c "show bgp neighbors $PEER json" 2>/dev/null | grep -q '"bgpState":"Established"'; }
bird_up() { bt_bird_established r spk; }
tapd_view() {
	bt_in r "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$PEER" '
		[.[] | select(.remote_address == $p and .state == "established")] | first // empty |
		"as=\(.peer_as) as4=\(.as4) rx=\(.addpath_rx | index("ipv4_unicast") != null)" +
		" tx=\(.addpath_tx | index("ipv4_unicast") != null)"'
}
tapd_up() { [ -n "$(tapd_view)" ]; }
tapd_down() { ! tapd_up; }
router_down() { ! "${ROUTER}_up"; }

# --- routes from the speaker: "prefix paths" lines, sorted ------------------
frr_routes() {
	bt_vtysh r -c "show bgp ipv4 unicast json" 2>/dev/null | jq -r --arg p "$PEER" '.routes | to_entries[] |
		"\(.key) \([.value[] | select(.peerId == $p)] | length)"' | awk '$2 > 0' | sort
}
bird_routes() {
	bt_birdc r show route protocol spk | awk '
		$1 ~ /^[0-9.]+\/[0-9]+$/ { p = $1; n[p]++; next } $1 == "unicast" { n[p]++ }
		END { for (p in n) print p, n[p] }' | sort
}
bmp_routes() { # START: pmbmpd's routes from the speaker since line START
	tail -n +"$1" "$J" | jq -r -R --arg p "$PEER" 'fromjson? |
		select(.bmp_msg_type == "route_monitor" and .peer_ip == $p and .log_type != "withdraw") |
		"\(.ip_prefix) \(.as_path_id // 0)"' | sort -u | awk '{ n[$1]++ } END { for (p in n) print p, n[p] }' | sort
}
router_paths() { ${ROUTER}_routes | awk '{ n += $2 } END { print n + 0 }'; }
tapd_paths() {
	bt_in r "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$PEER" '
		[.[] | select(.remote_address == $p and .state == "established") | .prefixes.ipv4_unicast] | first'
}
router_has_paths() { [ "$(router_paths)" -gt 0 ]; }
tapd_has_router_paths() { [ "$(tapd_paths)" = "$(router_paths)" ] && [ "$(router_paths)" -gt 0 ]; }
same_routes() { # START
	local a b; a=$(${ROUTER}_routes); b=$(bmp_routes "$1")
	[ -n "$a" ] && [ "$a" = "$b" ]
}
peer_ups() { # START: Peer Ups for the speaker in pmbmpd's log since START
	tail -n +"$1" "$J" | jq -R -r --arg p "$PEER" 'fromjson? |
		select(.bmp_msg_type == "peer_up" and .peer_ip == $p) | 1' | grep -c .
}

# Tuples FRR and BIRD read differently (FRR ORs them, BIRD takes the last):
# whatever this router does, bmptapd cannot know how path ids are encoded,
# so it decodes none of IPv4 from this session and says so.
disputed() { # NAME START
	bt_check "$T: $ROUTER $1: $ROUTER established and holds the speaker's paths ($(router_paths))" \
		bt_wait 60 router_has_paths
	bt_check "$T: $ROUTER $1: bmptapd marks IPv4 undecoded" \
		test "$(tb_tapd_field r "$PEER" undecoded)" = '["ipv4_unicast"]'
	bt_check "$T: $ROUTER $1: bmptapd counts it" test "$(tb_tapd_field r "$PEER" ambiguous_families)" = 1
	bt_check "$T: $ROUTER $1: the peer is incomplete" test "$(tb_tapd_field r "$PEER" incomplete)" = true
	sleep 5
	bt_check "$T: $ROUTER $1: bmptapd stores no path of it ($(tapd_paths))" test "$(tapd_paths)" = 0
	bt_check "$T: $ROUTER $1: pmbmpd got no route of it" test -z "$(bmp_routes "$2")"
	bt_check "$T: $ROUTER $1: pmbmpd got the Peer Up" test "$(peer_ups "$2")" = 1
}

# round NAME REFUSED(yes|no|disputed) SPEAKER-OPTION...
round() {
	local name=$1 refused=$2; shift 2
	local out=$BT_RUN/spk-$ROUTER-$name.out start spid rv tv known=""
	start=$(( $(wc -l <"$J") + 1 ))
	ip netns exec s $SPK 10.0.1.2 -a 4200000010 -w 900 "$@" >"$out" 2>&1 &
	spid=$!
	bt_wait 120 grep -q '^established\|^RESULT' "$out"
	echo "[$ROUTER $name] speaker: $(tr '\n' ' ' <"$out")"
	if [ "$refused" = yes ]; then
		bt_check "$T: $ROUTER $name: $ROUTER refuses the OPEN (NOTIFICATION)" \
			grep -q '^RESULT notification=[1-9]' "$out"
		sleep 10
		bt_check "$T: $ROUTER $name: pmbmpd running" kill -0 "$(cat "$BT_RUN/c/pmbmpd-11019.daemon")"
		local ups; ups=$(peer_ups "$start")
		echo "[$ROUTER $name] Peer Ups since: $ups; bmptapd: '$(tapd_view)'"
		bt_check "$T: $ROUTER $name: no Peer Up in pmbmpd ($ups)" test "$ups" = 0
		bt_check "$T: $ROUTER $name: no established peer in bmptapd" tapd_down
		wait "$spid"
		return
	fi
	bt_check "$T: $ROUTER $name: $ROUTER established" bt_wait 60 "${ROUTER}_up"
	bt_check "$T: $ROUTER $name: bmptapd has the session" bt_wait 60 tapd_up
	rv=$(${ROUTER}_view); tv=$(tapd_view)
	echo "[$ROUTER $name] $ROUTER: $rv / bmptapd: $tv"
	if [ "$refused" = disputed ]; then
		disputed "$name" "$start"
		kill -TERM "$spid"; wait "$spid"
		bt_check "$T: $ROUTER $name: session down in $ROUTER" bt_wait 60 router_down
		sleep 3
		return
	fi
	bt_check "$T: $ROUTER $name: bmptapd's AS, 4-octet AS and ADD-PATH are $ROUTER's" test "$rv" = "$tv"
	if [ "$name" = as4dup ]; then
		bt_check "$T: $ROUTER $name: bmptapd shows the peer AS as disputed" \
			test "$(tb_tapd_field r "$PEER" peer_as_disputed)" = true
	fi
	bt_check "$T: $ROUTER $name: bmptapd holds as many paths as $ROUTER ($(router_paths))" \
		bt_wait 60 tapd_has_router_paths
	if [ -n "${NO_PMBMPD:-}" ]; then
		echo "KNOWN: $T: $ROUTER $name: pmbmpd 1.7.7 crashes on this Peer Up: its routes not compared"
		kill -TERM "$spid"; wait "$spid"
		return
	fi
	if bt_wait 120 same_routes "$start"; then
		bt_pass "$T: $ROUTER $name: pmbmpd's routes from the speaker are $ROUTER's"
	else
		bt_fail "$T: $ROUTER $name: pmbmpd's routes from the speaker are $ROUTER's"
	fi
	echo "[$ROUTER $name] $ROUTER routes: $(${ROUTER}_routes | tr '\n' ' ')/ pmbmpd: $(bmp_routes "$start" | tr '\n' ' ')"
	echo "[$ROUTER $name] bmptapd: $(tapd_paths) paths; pmbmpd log: $(tail -3 "$BT_LOG/c-pmbmpd-11019.log" | tr '\n' ' ')"
	kill -TERM "$spid"; wait "$spid"
	bt_check "$T: $ROUTER $name: session down in $ROUTER" bt_wait 60 router_down
	bt_check "$T: $ROUTER $name: Peer Down in pmbmpd" bt_wait 60 sh -c \
		"tail -n +$start '$J' | grep '\"peer_down\"' | grep -q '\"$PEER\"'"
	sleep 3
}

rounds() {
	round normal no -p 3
	round twice disputed -p 1 -p 2
	round same no -p 3 -p 3
	round as4dup "$1" -A 65010 -A 4200000010 -p 3
	round rxonly no -p 1
}

# --- FRR: ADD-PATH send and receive for IPv4 unicast ------------------------
ROUTER=frr
bt_check "$T: FRR started" bt_frr r "frr defaults traditional
hostname r
router bgp 65002
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor $PEER remote-as 4200000010
 neighbor $PEER passive
 address-family ipv4 unicast
  network 192.0.2.0/24
  neighbor $PEER addpath-tx-all-paths
 exit-address-family"
# FRR reads the first 4-octet AS capability (65010): it refuses the OPEN.
rounds yes
kill "$(cat "$BT_RUN/r/bgpd.pid")"
sleep 2

# --- BIRD ------------------------------------------------------------------
ROUTER=bird
bt_check "$T: BIRD started" bt_bird r "router id 10.0.1.2;
protocol device {}
protocol static s4 { ipv4; route 192.0.2.0/24 unreachable; }
protocol bgp spk {
	local 10.0.1.2 as 65002; neighbor $PEER as 4200000010; passive on;
	error wait time 1, 2;
	ipv4 { import all; export all; add paths on; };
}"
# BIRD reads the last one (4200000010), as bmptapd does.
rounds no
# pmacct 1.7.7's pmbmpd crashes (SIGSEGV) on a Peer Up whose OPEN holds 16
# or more ADD-PATH tuples, so this round is the last: bmptapd's view and
# its RIB are compared with BIRD's, pmbmpd's routes are not.
NO_PMBMPD=1 round junk no -j 20 -p 3

bt_check "$T: bmptapd still running" kill -0 "$(cat "$BT_RUN/r/bmptapd.pid")"
kill -TERM "$(cat "$BT_RUN/r/bmptapd.pid")"
it_collector_end c 11019 collector pmbmpd-only
it_end
