#!/bin/bash
# Issue 5: `bmptapctl config load` of a GoBGP-style TOML file with two BMP
# servers of different policies; `config show` prints it back (and loads
# again unchanged); `show servers` without and with bmptapd; an invalid file
# changes nothing; the exact-set and --merge semantics; an unprivileged user
# is refused.  With bmptapd built: both pmbmpd collectors receive peer_up
# and route_monitor, and `monitor` prints bmptapd's events.
. "$BMPTAP_TOP/tests/lib/guest.sh"
. "$BMPTAP_TOP/tests/lib/tap.sh"
B=$BT_TOP/build
ctl() { bt_in b "$BT_CTL" "$@"; }
D=$BT_RUN/cfg; mkdir -p "$D"

bt_modprobe veth
bt_check "config-toml: insmod" bt_insmod
bt_host a && bt_host b && bt_host c
bt_link a b 1
bt_link b c 2

cat >"$D/gobgpd.toml" <<'EOF'
# A GoBGP config: only [[bmp-servers]] matters to bmptap.
[global.config]
  as = 65002
  router-id = "10.0.1.2"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.1.1"
    peer-as = 65001

[[bmp-servers]]
  [bmp-servers.config]
    address = "10.0.2.2"
    port = 11019
    route-monitoring-policy = "pre-policy"
    statistics-timeout = 0
    route-mirroring-enabled = false

[[bmp-servers]]
  [bmp-servers.config]
    address = "10.0.2.2"
    port = 11020
    route-monitoring-policy = "both"
    statistics-timeout = 15
    route-mirroring-enabled = true
    sys-name = "bmptap-b"
EOF

# --- load, notes, show ----------------------------------------------------
ctl config load "$D/gobgpd.toml" >"$D/load.out" 2>"$D/load.err"
rc=$?
cat "$D/load.out" "$D/load.err"
bt_check "config-toml: load exits 0" test $rc = 0
bt_check "config-toml: load adds 2" grep -q "config: 2 added, 0 changed, 0 removed, 0 unchanged" "$D/load.out"
bt_check "config-toml: [global.config] noted" grep -q "gobgpd.toml:2: note: ignoring \[global.config\]" "$D/load.err"
bt_check "config-toml: [[neighbors]] noted" grep -q "gobgpd.toml:6: note: ignoring \[\[neighbors\]\]" "$D/load.err"
bt_check "config-toml: both warned about" grep -q "gobgpd.toml:23: warning: route-monitoring-policy \"both\" is deprecated" "$D/load.err"
ctl config show >"$D/show.toml"; cat "$D/show.toml"
bt_check "config-toml: config show has the pre-policy server" \
	sh -c "grep -A3 'address = \"10.0.2.2\"' $D/show.toml | grep -q 'port = 11019'"
bt_check "config-toml: config show has both as pre+post" grep -q 'route-monitoring-policy = "pre-policy,post-policy"' "$D/show.toml"
bt_check "config-toml: config show has sys-name" grep -q 'sys-name = "bmptap-b"' "$D/show.toml"
bt_check "config-toml: config show has statistics-timeout 15" grep -q 'statistics-timeout = 15' "$D/show.toml"
bt_check "config-toml: config show round trip is a no-op" \
	sh -c "ip netns exec b $BT_CTL config load $D/show.toml | grep -q '0 added, 0 changed, 0 removed, 2 unchanged'"
ctl show servers | tee "$D/servers.txt"
bt_check "config-toml: show servers: no helper for 11019" grep -q '^10.0.2.2 .*11019 pre-policy .*no helper' "$D/servers.txt"
bt_check "config-toml: show servers: no helper for 11020" grep -q '^10.0.2.2 .*11020 pre-policy,post-policy .*no helper' "$D/servers.txt"
bt_check "config-toml: show peers without helper says so" \
	sh -c "ip netns exec b $BT_CTL show peers 2>&1 | grep -q 'bmptapd is not running in this namespace'"
bt_check "config-toml: show peers without helper fails" sh -c "! ip netns exec b $BT_CTL show peers"
bt_check "config-toml: -j show servers is JSON with state" \
	sh -c "ip netns exec b $BT_CTL -j show servers | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==2 and d[1][\"state\"]==\"no helper\" and d[1][\"statistics_timeout\"]==15'"

# --- invalid files change nothing -------------------------------------------
cp "$D/show.toml" "$D/before.toml"
sed 's/statistics-timeout = 15/statistics-timeout = 14/' "$D/gobgpd.toml" >"$D/bad1.toml"
ctl config load "$D/bad1.toml" 2>"$D/bad1.err"; rc=$?; cat "$D/bad1.err"
bt_check "config-toml: bad statistics-timeout refused" test $rc != 0
bt_check "config-toml: error names file, line and value" grep -q "bad1.toml:24: invalid statistics-timeout 14 (0 or 15..65535)" "$D/bad1.err"
printf '[[bmp-servers]]\n[bmp-servers.config]\naddress = "10.0.2.9"\n[global\n' >"$D/bad2.toml"
ctl config load "$D/bad2.toml" 2>"$D/bad2.err"; rc=$?; cat "$D/bad2.err"
bt_check "config-toml: syntax error refused with its line" sh -c "[ $rc != 0 ] && grep -q 'bad2.toml:4: expected' $D/bad2.err"
bt_check "config-toml: nothing changed by refused files" sh -c "ip netns exec b $BT_CTL config show | cmp -s - $D/before.toml"
bt_check "config-toml: missing file refused" sh -c "! ip netns exec b $BT_CTL config load $D/nonexistent.toml 2>/dev/null"

# --- exact set and --merge -------------------------------------------------
printf '[[bmp-servers]]\n[bmp-servers.config]\naddress = "10.0.2.2"\nport = 11019\n' >"$D/one.toml"
bt_check "config-toml: exact set removes the other server" \
	sh -c "ip netns exec b $BT_CTL config load $D/one.toml | grep -q '0 added, 0 changed, 1 removed, 1 unchanged'"
bt_check "config-toml: one server left" test "$(ctl config show | grep -c '^\[\[bmp-servers\]\]')" = 1
bt_check "config-toml: --merge adds back, keeps the other" \
	sh -c "ip netns exec b $BT_CTL config load --merge $D/show.toml | grep -q '1 added, 0 changed, 0 removed, 1 unchanged'"
bt_check "config-toml: both servers again" sh -c "ip netns exec b $BT_CTL config show | cmp -s - $D/before.toml"

# --- permissions -------------------------------------------------------------
nobody() { ip netns exec b setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all "$@"; }
chmod 644 "$D/one.toml"; chmod 755 "$D" "$BT_RUN"
out=$(nobody "$BT_CTL" config load "$D/one.toml" 2>&1); echo "unprivileged: $out"
bt_check "config-toml: unprivileged config load refused" sh -c "echo '$out' | grep -qi 'not permitted'"
bt_check "config-toml: unprivileged load changed nothing" sh -c "ip netns exec b $BT_CTL config show | cmp -s - $D/before.toml"
bt_check "config-toml: unprivileged config show refused" \
	sh -c "$(declare -f nobody); ! nobody $BT_CTL config show >/dev/null 2>&1"
timeout 3 ip netns exec b setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all "$BT_CTL" monitor >/dev/null 2>&1; rc=$?
# No bmptapd runs yet: refused either way (control-socket.sh: with one).
bt_check "config-toml: unprivileged monitor refused (rc=$rc)" test $rc != 0 -a $rc != 124


# --- with bmptapd: both collectors get the feed --------------------------------
if [ -x "$B/bmptapd" ]; then
	bt_pmbmpd c 11019
	bt_pmbmpd c 11020
	ip netns exec b "$B/bmptapd" -v >"$BT_LOG/bmptapd.out" 2>&1 &
	dpid=$!
	# monitor: the events bmptapd itself writes on its control socket.
	bt_wait 10 ip netns exec b "$BT_CTL" show status >/dev/null
	ip netns exec b "$BT_CTL" monitor >"$D/monitor.out" 2>&1 &
	mpid=$!
	bird_conf() { # AS ID NEIGHBOR PEER-AS ROUTES
		printf 'router id %s;\nprotocol device {}\nprotocol static { ipv4; %s }\nprotocol bgp p4 { local as %s; neighbor %s as %s; ipv4 { import all; export all; }; }\n' \
			"$2" "$5" "$1" "$3" "$4"
	}
	bt_bird a "$(bird_conf 65001 10.0.1.1 10.0.1.2 65002 'route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable;')"
	bt_bird b "$(bird_conf 65002 10.0.1.2 10.0.1.1 65001 'route 198.51.100.0/24 unreachable;')"
	bt_check "config-toml: BIRD session established" bt_wait 60 bt_bird_established a p4
	for port in 11019 11020; do
		j=$BT_RUN/c/pmbmpd-$port.json
		bt_check "config-toml: $port: Initiation" bt_wait 20 grep -q '"bmp_msg_type": "init"' "$j"
		bt_check "config-toml: $port: peer_up 10.0.1.1" bt_wait 20 sh -c "grep '\"peer_up\"' $j | grep -q '\"peer_ip\": \"10.0.1.1\"'"
		bt_check "config-toml: $port: route_monitor 192.0.2.0/24" \
			bt_wait 20 sh -c "grep '\"route_monitor\"' $j | grep -q '\"ip_prefix\": \"192.0.2.0/24\"'"
	done
	bt_check "config-toml: 11020 Initiation carries sys-name bmptap-b" \
		grep -q 'bmptap-b' "$BT_RUN/c/pmbmpd-11020.json"
	bt_check "config-toml: 11020 (pre+post) received post-policy routes" \
		bt_wait 20 sh -c "grep '\"route_monitor\"' $BT_RUN/c/pmbmpd-11020.json | grep -q '\"is_post\": 1'"
	bt_check "config-toml: pre-policy collector got no post-policy routes" \
		sh -c "! grep '\"route_monitor\"' $BT_RUN/c/pmbmpd-11019.json | grep -q '\"is_post\": 1'"
	kill $mpid 2>/dev/null; wait $mpid 2>/dev/null
	cat "$D/monitor.out"
	bt_check "config-toml: monitor printed peer up with a timestamp" \
		grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ peer up 10.0.1.1 AS65001' "$D/monitor.out"
	bt_check "config-toml: monitor printed route add" grep -q 'route add 192.0.2.0/24 peer 10.0.1.1' "$D/monitor.out"
	bt_check "config-toml: no losses reported" sh -c "! grep -q lost $D/monitor.out"
	ctl show servers | tee "$D/servers-live.txt"
	bt_check "config-toml: show servers: 11019 up" grep -q '^10.0.2.2 .*11019 .* up ' "$D/servers-live.txt"
	bt_check "config-toml: show servers: 11020 up" grep -q '^10.0.2.2 .*11020 .* up ' "$D/servers-live.txt"
	ctl show peers | tee "$D/peers.txt"
	bt_check "config-toml: show peers: 10.0.1.1 AS65001 established" \
		grep -q '^10.0.1.1 .*65001 .*10.0.1.1 .*established' "$D/peers.txt"
	bt_check "config-toml: show peers: IPv4 prefixes counted" grep -Eq 'ipv4_unicast=[1-9]' "$D/peers.txt"
	bt_check "config-toml: -j show peers is the JSON array" \
		sh -c "ip netns exec b $BT_CTL -j show peers | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0][\"peer_as\"]==65001'"
	# Live removal: loading one server closes the other collector's session.
	n0=$(wc -l <"$BT_RUN/c/pmbmpd-11020.json")
	ctl config load "$D/one.toml" >/dev/null
	bt_check "config-toml: removed server gets Termination" \
		bt_wait 20 sh -c "tail -n +$((n0 + 1)) $BT_RUN/c/pmbmpd-11020.json | grep -q '\"term\"'"
	kill -TERM $dpid; wait $dpid
	[ "$BT_FAILS" = 0 ] || tail -n 30 "$BT_LOG/bmptapd.out"
else
	bt_fail "config-toml: build/bmptapd missing: collector feeds not checked"
fi
bt_cleanup
bt_done
