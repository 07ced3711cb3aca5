#!/bin/bash
# bgp-speaker (tests/tools/bgp-speaker.c) against real daemons: a 1 % synthetic
# table (4-octet AS 4200000100, IPv4 + IPv6 over one IPv4 session) sent to
# BIRD (AS65001) and to GoBGP (AS65002); each receiver must hold exactly the
# generated prefix count per family, and the speaker must stop cleanly on
# SIGTERM.  No module: this checks the tool the benchmarks rely on.
. "$BMPTAP_TOP/tests/lib/guest.sh"
SPK=$BT_TOP/build/tools/bgp-speaker
SCALE=${SPEAKER_SCALE:-0.01}

bt_modprobe veth
bt_host s && bt_host b && bt_host g
bt_link s b 1
bt_link s g 2

bt_bird b "router id 10.0.1.2;
protocol device {}
protocol bgp spk {
	local 10.0.1.2 as 65001; neighbor 10.0.1.1 as 4200000100; passive on;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}"
bt_gobgp g '[global.config]
  as = 65002
  router-id = "10.0.2.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.2.1"
    peer-as = 4200000100
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"'

# bird_count NS TABLE: networks in a BIRD table.
bird_count() {
	bt_birdc "$1" show route count table "$2" | sed -n 's/.* for \([0-9]*\) networks.*/\1/p' | head -1
}
gobgp_count() { # NS AFI: destinations in GoBGP's global RIB
	bt_gobgpc "$1" global rib summary -a "$2" 2>/dev/null | sed -n 's/.*Destination: *\([0-9]*\).*/\1/p'
}

run_speaker() { # NAME NS ADDR PEER-AS NH6
	local out=$BT_RUN/$1.out
	ip netns exec s "$SPK" connect "$3" 179 -a 4200000100 -p "$4" -S "$SCALE" -s 7 \
		-6 "$5" >"$out" 2>"$BT_RUN/$1.err" &
	echo $! >"$BT_RUN/s/$1.pid"
	bt_wait 120 grep -q '^RESULT' "$out"
}

# --- BIRD ---
bt_check "speaker-bird: table sent to BIRD" run_speaker bird b 10.0.1.2 65001 fd00:1::1
want4=$(sed -n 's/^table prefixes4=\([0-9]*\).*/\1/p' "$BT_RUN/bird.out")
want6=$(sed -n 's/^table .*prefixes6=\([0-9]*\).*/\1/p' "$BT_RUN/bird.out")
echo "generated: $want4 IPv4 + $want6 IPv6 prefixes"
grep -h . "$BT_RUN/bird.out" "$BT_RUN/bird.err"
bt_wait 120 sh -c "[ \"\$(birdc -s $BT_RUN/b/bird.ctl show route count table master4 | sed -n 's/.* for \([0-9]*\) networks.*/\1/p')\" = $want4 ] &&
	[ \"\$(birdc -s $BT_RUN/b/bird.ctl show route count table master6 | sed -n 's/.* for \([0-9]*\) networks.*/\1/p')\" = $want6 ]"
got4=$(bird_count b master4) got6=$(bird_count b master6)
bt_check "speaker-bird: BIRD holds every IPv4 prefix ($got4 of $want4)" test "$got4" = "$want4"
bt_check "speaker-bird: BIRD holds every IPv6 prefix ($got6 of $want6)" test "$got6" = "$want6"
bt_check "speaker-bird: BIRD got End-of-RIB, no errors" \
	sh -c "bt=\$(birdc -s $BT_RUN/b/bird.ctl show protocols all spk); echo \"\$bt\" | grep -q Established && ! grep -qi 'error\|invalid' $BT_LOG/b-bird.out"
# A path as BIRD decoded it: 4-octet peer AS first.
bt_check "speaker-bird: AS_PATH starts with the 4-octet peer AS" \
	sh -c "birdc -s $BT_RUN/b/bird.ctl show route all table master4 | grep -m1 'BGP.as_path' | grep -q ': 4200000100 '"
pid=$(cat "$BT_RUN/s/bird.pid")
kill -TERM "$pid"; wait "$pid"; src=$?
bt_check "speaker-bird: speaker exits 0 on SIGTERM (rc=$src)" test "$src" = 0
bt_check "speaker-bird: BIRD saw the administrative shutdown" \
	bt_wait 10 sh -c "birdc -s $BT_RUN/b/bird.ctl show protocols all spk | grep -q 'Administrative shutdown'"

# --- GoBGP ---
bt_check "speaker-bird: table sent to GoBGP" run_speaker gobgp g 10.0.2.2 65002 fd00:2::1
grep -h . "$BT_RUN/gobgp.out" "$BT_RUN/gobgp.err"
bt_wait 120 sh -c "[ \"\$(ip netns exec g gobgp -u 127.0.0.1 -p 50051 global rib summary -a ipv4 | sed -n 's/.*Destination: *\([0-9]*\).*/\1/p')\" = $want4 ] &&
	[ \"\$(ip netns exec g gobgp -u 127.0.0.1 -p 50051 global rib summary -a ipv6 | sed -n 's/.*Destination: *\([0-9]*\).*/\1/p')\" = $want6 ]"
got4=$(gobgp_count g ipv4) got6=$(gobgp_count g ipv6)
bt_check "speaker-bird: GoBGP holds every IPv4 prefix ($got4 of $want4)" test "$got4" = "$want4"
bt_check "speaker-bird: GoBGP holds every IPv6 prefix ($got6 of $want6)" test "$got6" = "$want6"
pid=$(cat "$BT_RUN/s/gobgp.pid")
kill -TERM "$pid"; wait "$pid"; src=$?
bt_check "speaker-bird: speaker exits 0 on SIGTERM after GoBGP (rc=$src)" test "$src" = 0

[ "$BT_FAILS" = 0 ] || { tail -n 20 "$BT_LOG"/*; bt_birdc b show protocols all spk; }
bt_cleanup
bt_done
