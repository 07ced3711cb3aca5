# Sourced after guest.sh and interop.sh by the fault cases: a synthetic table
# from tests/tools/bgp-speaker (namespace s) to BIRD or FRR (namespace b,
# AS 65001 at 10.0.1.2; BIRD's protocol is spk), and exact comparisons of
# the daemon's table with a collector's and with bmptapd's.
TB_SPK=$BT_TOP/build/tools/bgp-speaker

# tb_bird_spk NS [BIRD-BGP-OPTION...]: BIRD receiving the speaker's table
# (IPv4 and IPv6 over the IPv4 session; back within 1-2 s after the
# speaker's Cease).
tb_bird_spk() {
	bt_bird "$1" "router id 10.0.1.2;
protocol device {}
protocol bgp spk {
	local 10.0.1.2 as 65001; neighbor 10.0.1.1 as 4200000100; passive on;
	error wait time 1, 2; ${*:2}
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}"
}

# tb_frr_spk NS: FRR bgpd (no zebra) in place of tb_bird_spk: passive, both
# families over the IPv4 session.  FRR 8.4 offers enhanced route refresh
# by default.
tb_frr_spk() {
	bt_frr "$1" "frr defaults traditional
hostname $1
router bgp 65001
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 neighbor 10.0.1.1 remote-as 4200000100
 neighbor 10.0.1.1 passive
 address-family ipv6 unicast
  neighbor 10.0.1.1 activate
 exit-address-family"
}
# tb_frr_ready NS: FRR waits for the speaker's connection (after a Cease
# it refuses one until its peer is back in Active).
tb_frr_ready() {
	bt_vtysh "$1" -c 'show bgp neighbors 10.0.1.1 json' | jq -e '.[].bgpState == "Active"' >/dev/null
}

# tb_speaker NAME SCALE [OPTION...]: the speaker in s sends the table (seed
# 7) to 10.0.1.2 and stays up; its output in $BT_RUN/NAME.out, pid in
# TB_SPK_PID.
tb_speaker() {
	ip netns exec s "$TB_SPK" connect 10.0.1.2 179 -a 4200000100 -p 65001 -S "$2" -s 7 \
		-6 fd00:1::1 "${@:3}" >"$BT_RUN/$1.out" 2>"$BT_RUN/$1.err" &
	TB_SPK_PID=$!
}
# tb_want NAME: prefixes the speaker generated (IPv4 + IPv6).
tb_want() {
	sed -n 's/^table prefixes4=\([0-9]*\) prefixes6=\([0-9]*\).*/\1 \2/p' "$BT_RUN/$1.out" |
		awk '{print $1 + $2}'
}

# tb_bird_count NS: routes of protocol spk in BIRD (IPv4 + IPv6).
tb_bird_count() {
	local t n=0 c
	for t in master4 master6; do
		c=$(bt_birdc "$1" show route table $t protocol spk count |
			sed -n 's/.* for \([0-9]*\) networks.*/\1/p' | head -1)
		n=$((n + ${c:-0}))
	done
	echo $n
}
# tb_bird_table NS PEER: BIRD's routes from spk as sorted "PEER PREFIX" lines.
tb_bird_table() {
	local t
	for t in master4 master6; do
		bt_birdc "$1" show route table $t protocol spk
	done | awk -v p="$2" '$1 ~ /\// {print p, $1}' | sort -u
}
# tb_frr_count NS: FRR's routes from the speaker (IPv4 + IPv6; stale ones too).
tb_frr_count() {
	bt_vtysh "$1" -c 'show bgp neighbors 10.0.1.1 json' |
		jq '[.[].addressFamilyInfo // {} | .[].acceptedPrefixCounter // 0] | add // 0'
}
# tb_frr_table NS PEER [fresh|stale]: FRR's routes from the speaker as
# sorted "PEER PREFIX" lines; only those with no stale path, or only those
# with one (a route refresh marks them at BoRR).
tb_frr_table() {
	local a
	for a in ipv4 ipv6; do
		bt_vtysh "$1" -c "show bgp $a unicast neighbors 10.0.1.1 routes json"
	done | jq -r --arg p "$2" --arg w "${3:-all}" '.routes // {} | to_entries[] |
		([.value[] | .stale // false] | any) as $s |
		select($w == "all" or $s == ($w == "stale")) | "\($p) \(.key)"' | sort -u
}

# tb_coll_table JSON START PEER: the collector's final table for PEER, from
# line START of pmbmpd's log on.
tb_coll_table() { $IT_PY -s "$2" "$1" rib | awk -v p="$3" '$1 == p' | sort -u; }

# tb_tapd_prefixes NS PEER: prefixes bmptapd holds for PEER (IPv4 + IPv6).
tb_tapd_prefixes() {
	bt_in "$1" "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$2" \
		'[.[] | select(.remote_address == $p and .state == "established") |
		  .prefixes.ipv4_unicast + .prefixes.ipv6_unicast] | add // 0'
}
# tb_tapd_has_some: bmptapd in b holds routes from the speaker.
tb_tapd_has_some() { [ "$(tb_tapd_prefixes b 10.0.1.1)" -gt 0 ]; }
# tb_tapd_field NS PEER KEY: a field of PEER's established entry in show peers,
# at any depth (the first found); arrays and objects on one line.
tb_tapd_field() {
	bt_in "$1" "$IT_B/bmptapctl" -j show peers | jq -rc --arg p "$2" --arg k "$3" '
		[.[] | select(.remote_address == $p and .state == "established") |
		 [.. | objects | .[$k]? | select(. != null)] | first] | first'
}

# tb_router BIRD|FRR: which daemon b runs (tb_bird_spk or tb_frr_spk); the
# tb_rtr_* functions then ask it.  TB_RTR: its name.
#   tb_rtr_count            its routes from the speaker
#   tb_rtr_table [fresh]    them as tb_bird_table lines (fresh: no stale path)
#   tb_rtr_ready            it takes the speaker's connection
#   tb_rtr_refresh          the soft refresh inbound operator-guide.md gives
#   tb_rtr_stop             stops it (port 179 free again)
tb_router() {
	TB_RTR=$1
	tb_rtr_stop() {
		kill "$(cat "$BT_RUN/b/$TB_RTR_PIDF")" && rm -f "$BT_RUN/b/$TB_RTR_PIDF" &&
			bt_wait 20 sh -c "! ip netns exec b ss -ltn | grep -q ':179 '"
	}
	case $1 in
	BIRD)
		tb_rtr_count() { tb_bird_count b; }
		tb_rtr_table() { tb_bird_table b 10.0.1.1; }
		tb_rtr_ready() { :; }
		tb_rtr_refresh() { bt_birdc b reload in spk; }
		TB_RTR_PIDF=bird.pid
		;;
	FRR)
		tb_rtr_count() { tb_frr_count b; }
		tb_rtr_table() { tb_frr_table b 10.0.1.1 "${1:-all}"; }
		tb_rtr_ready() { tb_frr_ready b; }
		tb_rtr_refresh() { bt_vtysh b -c 'clear bgp 10.0.1.1 soft in'; }
		TB_RTR_PIDF=bgpd.pid
		;;
	esac
}
# tb_same_tables NAME JSON START [fresh]: the collector's table for the
# speaker from line START of JSON on is the daemon's (files NAME-*.txt),
# and not empty (a daemon query that failed would otherwise match an empty
# collector).
tb_same_tables() {
	tb_rtr_table "${4:-}" >"$BT_RUN/$1-rtr.txt"
	tb_coll_table "$2" "$3" 10.0.1.1 >"$BT_RUN/$1-coll.txt"
	[ -s "$BT_RUN/$1-rtr.txt" ] && cmp -s "$BT_RUN/$1-rtr.txt" "$BT_RUN/$1-coll.txt"
}
# tb_lost_mirrors CAP PORT: Route Mirroring "messages lost" TLVs for the
# speaker so far in the capture of a collector on PORT.
tb_lost_mirrors() {
	python3 "$BT_TOP/tests/lib/bmpmirror.py" "$1" "$2" 2>/dev/null |
		awk '$2 == "lost" && $3 == "10.0.1.1" {print $4}' | grep . || echo 0
}

# tb_file_still FILE: FILE does not grow for 3 s.
tb_file_still() { local a; a=$(wc -c <"$1"); sleep 3; [ "$(wc -c <"$1")" = "$a" ]; }

# tb_stop_mid_transfer SIGNAL PID NAME JSON [PAUSE]: once bmptapd (PID, a
# child of this shell) in b holds part of speaker NAME's table, and PAUSE
# seconds more, sends it SIGNAL and reaps it; then waits until the
# collector's log JSON holds still.  Sets TB_FIN (RESULT lines of the
# speaker then: 0 while it was sending), TB_RC (bmptapd's exit status) and
# TB_ATKILL (the daemon's routes just after, tb_rtr_count).
tb_stop_mid_transfer() {
	local sig=$1 pid=$2 name=$3 json=$4
	bt_wait 60 tb_tapd_has_some
	sleep "${5:-0}"
	kill -"$sig" "$pid"
	TB_FIN=$(grep -c '^RESULT' "$BT_RUN/$name.out")
	wait "$pid"; TB_RC=$?
	TB_ATKILL=$(tb_rtr_count)
	echo "$sig: $TB_RTR held $TB_ATKILL of $(tb_want "$name") routes just after bmptapd stopped (rc $TB_RC)"
	# pmbmpd finishes the old session first, so that the lines after are
	# the new session's.
	bt_wait 90 tb_file_still "$json"
}
