#!/bin/bash
# Path ids over the per-peer memory budget (issue 15 item 8): a speaker
# (tests/tools/bgp-open.py in s) announces ONE prefix with 30000 ADD-PATH
# path ids to BIRD (b, add paths on), tapped by the module; bmptapd in b runs
# with --peer-memory-max 256K and feeds pmbmpd (c).  BIRD holds every path
# (the tap changes nothing); bmptapd stores paths up to its budget and
# counts the rest (stored + refused = the paths sent); `show peers` says the
# peer is incomplete; pmbmpd's stream carries exactly one Route Mirroring
# "messages lost" for the peer; bmptapd's peak RSS stays below 8 MB.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
T=addpath-budget
PATHS=${BUDGET_PATHS:-30000}
PEER=10.0.1.1
it_start "$T"
bt_host s && bt_host b && bt_host c
it_link s b 1
it_link b c 2
bt_check "$T: BIRD started" bt_bird b "router id 10.0.1.2;
protocol device {}
protocol bgp spk {
	local 10.0.1.2 as 65001; neighbor $PEER as 4200000100; passive on;
	ipv4 { import all; export none; add paths on; };
}"
it_collector c 11019
json=$(it_json c 11019)
cap=$BT_RUN/c/bmp-11019.pcap

it_tapd_start b --peer-memory-max 256K
dpid=$IT_TAPD_PID
bt_check "$T: server add" bt_in b "$IT_B/bmptapctl" server add 10.0.2.2 port 11019 sys-name bmptap-b
bt_check "$T: Initiation reached pmbmpd" bt_wait 30 grep -q '"bmp_msg_type": "init"' "$json"

field() { # KEY: a field of the speaker's established entry in show peers
	bt_in b "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$PEER" --arg k "$1" \
		'[.[] | select(.remote_address == $p and .state == "established") | .[$k]] | first'
}
stored() { bt_in b "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$PEER" \
	'[.[] | select(.remote_address == $p and .state == "established") | .prefixes.ipv4_unicast] | first'; }
bird_paths() { # routes (paths) BIRD holds from the speaker
	bt_birdc b show route protocol spk count | sed -n 's/^\([0-9]*\) of [0-9]* routes.*/\1/p' | head -1
}
bird_has() { [ "$(bird_paths)" = "$PATHS" ]; }
accounted() { [ $(( $(stored) + $(field memory_refused) )) = "$PATHS" ]; }
lost_mirrors() {
	python3 "$BT_TOP/tests/lib/bmpmirror.py" "$cap" 11019 2>/dev/null |
		awk -v p="$PEER" '$2 == "lost" && $3 == p {print $4}' | grep . || echo 0
}

out=$BT_RUN/spk.out
ip netns exec s python3 "$BT_TOP/tests/tools/bgp-open.py" 10.0.1.2 -a 4200000100 -p 3 \
	-n 1 -k "$PATHS" -w 1200 >"$out" 2>&1 &
spid=$!
bt_check "$T: speaker established, sending path ids" bt_wait 120 grep -q '^established send_ids=1' "$out"
bt_check "$T: speaker sent $PATHS paths of one prefix" bt_wait 300 grep -q "^sent prefixes=1 paths=$PATHS " "$out"
bt_wait 300 bird_has
bt_check "$T: BIRD holds every path ($(bird_paths) of $PATHS)" bird_has
bt_check "$T: bmptapd sees ADD-PATH from the speaker" test "$(field addpath_rx | jq -r '.[0]')" = ipv4_unicast
bt_check "$T: bmptapd stored or refused every path" bt_wait 300 accounted
s=$(stored); refused=$(field memory_refused); charged=$(field memory_bytes)
echo "bmptapd: $s paths stored, $refused refused, $charged bytes charged"
bt_check "$T: paths past the budget refused and counted ($refused)" test "$refused" -gt 0
bt_check "$T: charge within 256 KiB ($charged)" test "$charged" -le 262144
bt_check "$T: status says incomplete" test "$(field incomplete)" = true
bt_check "$T: show peers says memory budget reached" sh -c \
	"ip netns exec b $IT_B/bmptapctl show peers | grep -q 'incomplete: memory budget reached, $refused routes not stored'"
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$dpid/status")
bt_check "$T: bmptapd peak RSS bounded ($hwm kB < 8192)" test "$hwm" -lt 8192
kill -TERM "$spid"; wait "$spid"
bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM $dpid; wait $dpid
it_collector_end c 11019 collector pmbmpd-only
bt_check "$T: collector told once: Route Mirroring messages lost for the peer ($(lost_mirrors))" \
	test "$(lost_mirrors)" = 1
it_end
