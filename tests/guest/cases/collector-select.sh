#!/bin/bash
# Per-collector selection, pacing, source address and DSCP (issue 20 item 2).
# bgp-speaker (s, AS 4200000100) sends a synthetic IPv4+IPv6 table to BIRD
# (b, tapped); BIRD a (AS 65003) sends two IPv4 routes to b.  bmptapd in b
# feeds three pmbmpd collectors in c, configured differently once the
# tables are in:
#   11019  families ipv4-unicast, peers 4200000100 (bmptapctl)
#   11021  source 10.0.2.9, dscp 46 (config load --merge: the TOML path)
#   11020  families ipv6-unicast, replay-rate 20 (bmptapctl), added once
#          the others have their tables: pmbmpd under TCG decodes some 30
#          messages/s, so the pace must be below that to be measured
# Each must get exactly its selection (compared with BIRD's table filtered
# alike), the paced replay must stay within 20 messages/s (measured from
# the capture and printed), the 11021 session must come from 10.0.2.9
# (pmbmpd's bmp_router) with DSCP 46 (tshark ip.dsfield.dscp).  Refused
# values (bmptapctl, TOML, the module itself through raw generic netlink)
# give one line and change nothing.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BT_TOP/tests/lib/interop.sh"
. "$BT_TOP/tests/lib/tables.sh"
T=collector-select
SCALE=${SELECT_SCALE:-0.006}
RATE=20
it_start "$T"
for h in s b a c; do bt_host $h; done
it_link s b 1
it_link b c 2
it_link a b 3
ip -n b addr add 10.0.2.9/24 dev v2b
bt_bird b "router id 10.0.1.2;
protocol device {}
protocol bgp spk {
	local 10.0.1.2 as 65001; neighbor 10.0.1.1 as 4200000100; passive on;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
protocol bgp pa {
	local 10.0.3.2 as 65001; neighbor 10.0.3.1 as 65003;
	ipv4 { import all; export none; };
}"
bt_bird a "router id 10.0.3.1;
protocol device {}
protocol static { ipv4; route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable; }
protocol bgp pb { local 10.0.3.1 as 65003; neighbor 10.0.3.2 as 65001;
	ipv4 { import none; export all; }; }"
for port in 11019 11020 11021; do it_collector c $port; done
CTL() { bt_in b "$IT_B/bmptapctl" "$@"; }
it_tapd_start b
dpid=$IT_TAPD_PID

# --- refused values: one line, nothing changed ------------------------------
refused() { # NAME EXPECTED-MESSAGE CMD...: fails with exactly that one line
	local name=$1 want=$2 out; shift 2
	out=$("$@" 2>&1) && { bt_fail "$T: $name: accepted"; return; }
	if [ "$out" = "$want" ]; then bt_pass "$T: $name"; else bt_fail "$T: $name: got: $out"; fi
}
refused "bmptapctl: source of the other family" \
	"bmptapctl: source fd00:2::1 is IPv6 but address 10.0.2.2 is IPv4" \
	CTL server add 10.0.2.2 port 11022 source fd00:2::1
refused "bmptapctl: dscp 64" 'bmptapctl: invalid dscp "64" (0..63)' \
	CTL server add 10.0.2.2 port 11022 dscp 64
refused "bmptapctl: unknown family" \
	'bmptapctl: invalid family "ipv4" in families (ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)' \
	CTL server add 10.0.2.2 port 11022 families ipv4
refused "bmptapctl: bad peer" \
	'bmptapctl: invalid peer "AS65003" in peers (ADDRESS[/LEN] or AS number 1..4294967295)' \
	CTL server add 10.0.2.2 port 11022 peers AS65003
refused "bmptapctl: bad replay-rate" \
	'bmptapctl: invalid replay-rate "1e3" (messages per second 1..4294967295, 0: unpaced)' \
	CTL server add 10.0.2.2 port 11022 replay-rate 1e3
printf '[[bmp-servers]]\n[bmp-servers.config]\naddress = "10.0.2.2"\nport = 11022\ndscp = 64\n' >"$BT_RUN/bad.toml"
refused "config load: dscp 64" "bmptapctl: $BT_RUN/bad.toml:5: invalid dscp \"64\" (0..63)" \
	CTL config load "$BT_RUN/bad.toml"
# The module refuses them too, from any tool: SET_SERVER sent raw.
bt_in b python3 - "$BT_TOP/include/uapi/linux/bmptap.h" >"$BT_RUN/raw.txt" 2>&1 <<'EOF'
import re, socket, struct, sys
hdr = open(sys.argv[1]).read()
def enum(name):
    body = re.search(r"enum %s \{(.*?)\};" % name, hdr, re.S).group(1)
    names = re.findall(r"^\s*(BMPTAP_\w+)", body, re.M)
    return {n: i for i, n in enumerate(names)}
cmd, top, srv = enum("bmptap_cmd"), enum("bmptap_attr"), enum("bmptap_server_attr")
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.bind((0, 0))
def attr(t, b):
    l = 4 + len(b); return struct.pack("HH", l, t) + b + b"\0" * ((4 - l % 4) % 4)
def req(typ, c, attrs, flags=5):
    p = struct.pack("BBH", c, 1, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(p), typ, flags, 1, 0) + p)
    return s.recv(65536)
r = req(0x10, 3, attr(2, b"bmptap\0"), flags=1)  # no ACK: one reply per request after it
off, fam = 20, None
while off < len(r):
    l, t = struct.unpack_from("HH", r, off)
    if t == 1: fam = struct.unpack_from("H", r, off + 4)[0]
    off += (l + 3) & ~3
base = attr(srv["BMPTAP_SERVER_ADDRESS"], b"10.0.2.2\0") + attr(srv["BMPTAP_SERVER_PORT"], struct.pack("H", 11022))
for what, extra in (("dscp 64", attr(srv["BMPTAP_SERVER_DSCP"], b"\x40")),
                    ("families 0", attr(srv["BMPTAP_SERVER_FAMILIES"], struct.pack("I", 0))),
                    ("families 1<<18", attr(srv["BMPTAP_SERVER_FAMILIES"], struct.pack("I", 1 << 18))),
                    ("source fd00:2::1", attr(srv["BMPTAP_SERVER_SOURCE"], b"fd00:2::1\0")),
                    ("source host", attr(srv["BMPTAP_SERVER_SOURCE"], b"b.example\0"))):
    r = req(fam, cmd["BMPTAP_CMD_SET_SERVER"], attr(top["BMPTAP_A_SERVER"] | 0x8000, base + extra))
    err = struct.unpack_from("i", r, 16)[0]
    print(what, err)
EOF
cat "$BT_RUN/raw.txt"
# EINVAL from the module's checks, ERANGE from the attribute policy.
bt_check "$T: module refuses all five raw SET_SERVERs" \
	test "$(grep -Ec ' -(22|34)$' "$BT_RUN/raw.txt")" = 5
bt_check "$T: nothing stored by the refused commands" test -z "$(CTL config show | grep -v '^#' | grep .)"
# Every family is a bit the module takes (issue 17): stored and shown by name.
bt_check "$T: server add 11023 families vpnv4,evpn,ls-vpn" \
	CTL server add 10.0.2.2 port 11023 families vpnv4,evpn,ls-vpn
CTL show servers >"$BT_RUN/servers-fam.txt"
bt_check "$T: show servers: 11023 families by name" \
	grep -q '^ *families l3vpn-ipv4-unicast,l2vpn-evpn,ls-vpn$' "$BT_RUN/servers-fam.txt"
bt_check "$T: server del 11023" CTL server del 10.0.2.2 port 11023

# --- tables in, then the collectors ------------------------------------------
tb_speaker spk "$SCALE"
bt_check "$T: speaker established" bt_wait 60 grep -q '^established' "$BT_RUN/spk.out"
bt_check "$T: table sent" bt_wait 300 grep -q '^RESULT' "$BT_RUN/spk.out"
want=$(tb_want spk)
bird_has() { [ "$(tb_bird_table b 10.0.1.1 | wc -l)" = "$1" ]; }
tapd_has() { [ "$(tb_tapd_prefixes b 10.0.1.1)" = "$1" ]; }
bt_check "$T: BIRD holds the speaker's table ($want routes)" bt_wait 300 bird_has "$want"
bt_check "$T: BIRD a established" bt_wait 60 bt_bird_established b pa
bt_check "$T: bmptapd holds the speaker's table" bt_wait 300 tapd_has "$want"
bt_check "$T: server add 11019 (families, peers)" CTL server add 10.0.2.2 port 11019 \
	families ipv4-unicast peers 4200000100 sys-name sel
printf '[[bmp-servers]]\n[bmp-servers.config]\naddress = "10.0.2.2"\nport = 11021\nsource = "10.0.2.9"\ndscp = 46\n' >"$BT_RUN/c3.toml"
bt_check "$T: config load --merge 11021 (source, dscp)" CTL config load --merge "$BT_RUN/c3.toml"
CTL show servers | tee "$ART/servers.txt"
bt_check "$T: show servers: selection of 11019" grep -q '^ *families ipv4-unicast peers 4200000100$' "$ART/servers.txt"
bt_check "$T: show servers: 11021 source and dscp" grep -q '^ *source 10.0.2.9 dscp 46$' "$ART/servers.txt"

bird_v4() { bt_birdc b show route table master4 protocol "$1" | awk -v p="$2" '$1 ~ /\// {print p, $1}' | sort -u; }
coll() { tb_coll_table "$(it_json c "$1")" 1 "$2"; }
c1_same() { # 11019: the speaker's IPv4 routes, exactly
	bird_v4 spk 10.0.1.1 >"$BT_RUN/want1.txt"
	coll 11019 10.0.1.1 >"$BT_RUN/got1.txt"
	test -s "$BT_RUN/want1.txt" && cmp -s "$BT_RUN/want1.txt" "$BT_RUN/got1.txt"
}
v6_same() { # PORT: the speaker's IPv6 routes, exactly
	tb_bird_table b 10.0.1.1 | grep ':' >"$BT_RUN/want6-$1.txt"
	coll "$1" 10.0.1.1 >"$BT_RUN/got6-$1.txt"
	test -s "$BT_RUN/want6-$1.txt" && cmp -s "$BT_RUN/want6-$1.txt" "$BT_RUN/got6-$1.txt"
}
full_same() { # PORT: every route of both peers
	{ tb_bird_table b 10.0.1.1; bird_v4 pa 10.0.3.1; } | sort -u >"$BT_RUN/want-$1.txt"
	{ coll "$1" 10.0.1.1; coll "$1" 10.0.3.1; } | sort -u >"$BT_RUN/got-$1.txt"
	test -s "$BT_RUN/want-$1.txt" && cmp -s "$BT_RUN/want-$1.txt" "$BT_RUN/got-$1.txt"
}
bt_check "$T: 11019 has exactly BIRD's IPv4 table from the speaker" bt_wait 120 c1_same
bt_check "$T: 11021 has both peers' tables, exactly" bt_wait 120 full_same 11021
bt_check "$T: server add 11020 (families ipv6-unicast, replay-rate $RATE)" \
	CTL server add 10.0.2.2 port 11020 families ipv6-unicast replay-rate $RATE
CTL show servers | tee -a "$ART/servers.txt"
bt_check "$T: show servers: selection and pace of 11020" \
	grep -q "^ *families ipv6-unicast replay-rate $RATE\$" "$ART/servers.txt"
CTL config show >"$ART/config.toml"
bt_check "$T: config show: replay-rate" grep -q "replay-rate = $RATE" "$ART/config.toml"
bt_check "$T: 11020 (paced) has exactly the speaker's IPv6 table" bt_wait 600 v6_same 11020
bt_check "$T: 11020: Peer Up of AS 65003's peer (no route of its family)" \
	it_q "$(it_json c 11020)" up 10.0.3.1
it_none "11020: no IPv4 route" "$(it_json c 11020)" route 10.0.3.1 192.0.2.0/24
J1=$(it_json c 11019)
bt_check "$T: 11019: Peer Up of the speaker" it_q "$J1" up 10.0.1.1
it_none "11019: no Peer Up of AS 65003's peer" "$J1" up 10.0.3.1
it_none "11019: no route of AS 65003's peer" "$J1" route 10.0.3.1 192.0.2.0/24
bt_check "$T: 11019: no IPv6 route" sh -c "! grep '\"route_monitor\"' '$J1' | grep -q '\"ip_prefix\": \"[0-9a-f:]*:'"
bt_check "$T: 11021: IPv6 routes present" sh -c "grep '\"route_monitor\"' '$(it_json c 11021)' | grep -q '\"ip_prefix\": \"[0-9a-f:]*:'"
bt_check "$T: 11021: session from the source address 10.0.2.9" \
	sh -c "grep '\"peer_up\"' '$(it_json c 11021)' | grep -q '\"bmp_router\": \"10.0.2.9\"'"
bt_check "$T: 11019: session from b's own address" \
	sh -c "grep '\"peer_up\"' '$J1' | grep -q '\"bmp_router\": \"10.0.2.1\"'"
bt_check "$T: bmptapd still running" kill -0 $dpid
kill -TERM "$TB_SPK_PID"; wait "$TB_SPK_PID"
kill -TERM $dpid; wait $dpid
for port in 11019 11020 11021; do it_collector_end c $port; done

# --- DSCP and pacing, from the captures -------------------------------------
dscp_of() { # PORT: the DSCP values of b's packets to the collector
	tshark -r "$BT_RUN/c/bmp-$1.pcap" -Y "tcp.dstport == $1" -T fields -e ip.dsfield.dscp 2>/dev/null | sort -u | tr '\n' ' '
}
d3=$(dscp_of 11021); d1=$(dscp_of 11019)
echo "DSCP 11021: $d3; 11019: $d1"
bt_check "$T: 11021: every packet to the collector has DSCP 46" test "$d3" = "46 "
bt_check "$T: 11019: DSCP 0 (not set)" test "$d1" = "0 "
# Route Monitoring messages of the paced session against time: each frame's
# time once per message it completes.
tshark -r "$BT_RUN/c/bmp-11020.pcap" -d tcp.port==11020,bmp -Y 'bmp.type == 0' \
	-T fields -e frame.time_epoch -e bmp.type 2>/dev/null >"$ART/paced-rm.txt"
read -r n span rate <<<"$(awk '{ k = gsub(/0/, "0", $2); if (!t0) t0 = $1; t1 = $1; n += k }
	END { s = t1 - t0; printf "%d %.3f %.1f\n", n, s, (s > 0 ? (n - 64) / s : 0) }' "$ART/paced-rm.txt")"
echo "paced replay: $n Route Monitoring messages in $span s: $rate messages/s (replay-rate $RATE)"
# Past the first 64 (the bucket's burst), at most RATE a second.
bt_check "$T: paced replay long enough to measure ($n messages)" test "$n" -gt $((RATE * 5))
bt_check "$T: paced replay within $RATE messages/s ($rate)" awk -v r="$rate" "BEGIN { exit !(r > 0 && r <= $RATE * 1.05) }"
bt_check "$T: paced replay not slower than half the rate ($rate)" awk -v r="$rate" "BEGIN { exit !(r >= $RATE / 2) }"
it_end
