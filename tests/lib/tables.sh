# Sourced after guest.sh and interop.sh by the fault cases: a synthetic table
# from tests/tools/bgp-speaker (namespace s) to BIRD (namespace b, protocol
# spk, AS 65001 at 10.0.1.2), and exact comparisons of BIRD's table with a
# collector's and with bmptapd's.
TB_SPK=$BT_TOP/build/tools/bgp-speaker

# tb_bird_spk NS: BIRD receiving the speaker's table (IPv4 and IPv6 over
# the IPv4 session; back within 1-2 s after the speaker's Cease).
tb_bird_spk() {
	bt_bird "$1" "router id 10.0.1.2;
protocol device {}
protocol bgp spk {
	local 10.0.1.2 as 65001; neighbor 10.0.1.1 as 4200000100; passive on;
	error wait time 1, 2;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}"
}

# tb_speaker NAME SCALE [OPTION...]: the speaker in s sends the table (seed 7)
# to 10.0.1.2 and stays up; its output in $BT_RUN/NAME.out, pid in TB_SPK_PID.
tb_speaker() {
	local name=$1 scale=$2; shift 2
	ip netns exec s "$TB_SPK" connect 10.0.1.2 179 -a 4200000100 -p 65001 -S "$scale" -s 7 \
		-6 fd00:1::1 "$@" >"$BT_RUN/$name.out" 2>"$BT_RUN/$name.err" &
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
# tb_coll_table JSON START PEER: the collector's final table for PEER, from
# line START of pmbmpd's log on.
tb_coll_table() { $IT_PY -s "$2" "$1" rib | awk -v p="$3" '$1 == p' | sort -u; }

# tb_tapd_prefixes NS PEER: prefixes bmptapd holds for PEER (IPv4 + IPv6).
tb_tapd_prefixes() {
	bt_in "$1" "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$2" \
		'[.[] | select(.remote_address == $p and .state == "established") |
		  .prefixes.ipv4_unicast + .prefixes.ipv6_unicast] | add // 0'
}
# tb_tapd_field NS PEER KEY: a field of PEER's established entry in show peers.
tb_tapd_field() {
	bt_in "$1" "$IT_B/bmptapctl" -j show peers | jq -r --arg p "$2" --arg k "$3" \
		'[.[] | select(.remote_address == $p and .state == "established") | .[$k]] | first'
}
