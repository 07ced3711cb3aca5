#!/bin/bash
# BMP over TLS: bmptapd in b (BIRD, routes from a over eBGP) feeds pmacct's
# pmbmpd in c through stunnel, which terminates TLS in front of it.  The
# PKI is made at test time with openssl: a CA, the collector's certificate
# (IP 10.0.2.2, DNS collector.test), a client certificate, and a second CA
# with its own collector certificate.  stunnel services in c:
#   11020 -> pmbmpd 11019  the right certificate
#   11021 -> pmbmpd 11022  a certificate from the other CA
#   11023 -> pmbmpd 11024  the right certificate, client certificate required
# Checks: pmbmpd gets exactly b's table over TLS; the other CA and a wrong
# name are refused (reason in `show servers`, JSON and metrics), nothing
# reaches the pmbmpd behind them until the config is right; no client
# certificate is refused by stunnel, one is accepted; a station that never
# answers the handshake times out; wrong TLS settings are refused by
# `server add|set` and `config load` and change nothing.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
CTL=$B/bmptapctl
PKI=$BT_RUN/pki
N=300
ART=/mnt/results/collector-tls
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART" "$PKI"

ctl() { ip netns exec b "$CTL" "$@"; }
init_at() { grep -q '"bmp_msg_type": "init"' "$BT_RUN/c/pmbmpd-$1.json" 2>/dev/null; }
no_init_at() { ! init_at "$1"; }
servers_has() { ctl show servers | grep -qF -- "$1"; }
metric() { ip netns exec b curl -sf 'http://[::1]:9101/metrics' | grep -qE "$1"; }

# ---- PKI ----------------------------------------------------------------
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$PKI/$1.key" 2>/dev/null; }
ca() {
	key "$1" && openssl req -x509 -new -key "$PKI/$1.key" -out "$PKI/$1.pem" -days 2 \
		-subj "/CN=bmptap test $1" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
cert() { # NAME CA EXTENSIONS
	key "$1" && openssl req -new -key "$PKI/$1.key" -subj "/CN=$1" -out "$PKI/$1.csr" 2>/dev/null &&
		printf '%s\n' "$3" >"$PKI/$1.ext" &&
		openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.pem" -CAkey "$PKI/$2.key" \
			-CAcreateserial -days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.pem" 2>/dev/null
}
pki() {
	ca ca && ca otherca &&
		cert collector ca "subjectAltName=IP:10.0.2.2,DNS:collector.test
extendedKeyUsage=serverAuth" &&
		cert othercollector otherca "subjectAltName=IP:10.0.2.2,DNS:collector.test
extendedKeyUsage=serverAuth" &&
		cert client ca "extendedKeyUsage=clientAuth"
}
bt_check "collector-tls: openssl made the PKI" pki

# ---- network, collectors, stunnel -----------------------------------------
bt_modprobe veth
bt_check "collector-tls: insmod" bt_insmod
bt_host a && bt_host b && bt_host c
bt_link a b 1
bt_link b c 2
for p in 11019 11022 11024; do bt_pmbmpd c $p; done
cat >"$BT_RUN/c/stunnel.conf" <<EOC
pid = $BT_RUN/c/stunnel.pid
output = $BT_LOG/stunnel.log
debug = info
[right]
accept = 10.0.2.2:11020
connect = 127.0.0.1:11019
cert = $PKI/collector.pem
key = $PKI/collector.key
[otherca]
accept = 10.0.2.2:11021
connect = 127.0.0.1:11022
cert = $PKI/othercollector.pem
key = $PKI/othercollector.key
[clientcert]
accept = 10.0.2.2:11023
connect = 127.0.0.1:11024
cert = $PKI/collector.pem
key = $PKI/collector.key
CAfile = $PKI/ca.pem
verifyChain = yes
EOC
bt_check "collector-tls: stunnel started" ip netns exec c stunnel4 "$BT_RUN/c/stunnel.conf"
bt_check "collector-tls: stunnel listening" \
	bt_wait 10 sh -c "ip netns exec c ss -ltn | grep -q '10.0.2.2:11023 '"

routes=$(for i in $(seq 0 $((N - 1))); do echo "route 10.$((100 + i / 256)).$((i % 256)).0/24 unreachable;"; done)
bt_bird a "router id 10.0.1.1;
protocol device {}
protocol static s4 { ipv4; $routes }
protocol bgp peer4 { local as 65001; neighbor 10.0.1.2 as 65002; ipv4 { import all; export all; }; }"
bt_bird b "router id 10.0.1.2;
protocol device {}
protocol bgp peer4 { local as 65002; neighbor 10.0.1.1 as 65001; ipv4 { import all; export none; }; }"
bt_check "collector-tls: BGP session established" bt_wait 60 bt_bird_established a peer4
bt_check "collector-tls: b imported $N routes" \
	bt_wait 60 sh -c "birdc -s $BT_RUN/b/bird.ctl show route protocol peer4 count | grep -qE '(^|[^0-9])$N of [0-9]+ routes'"

ip netns exec b "$B/bmptapd" -v --metrics '[::1]:9101' >"$BT_LOG/bmptapd.out" 2>&1 &
echo $! >"$BT_RUN/b/bmptapd.daemon"
bt_check "collector-tls: bmptapd running" bt_wait 10 sh -c "ip netns exec b ss -ltn | grep -q ':9101 '"

# ---- the right certificate: exactly b's table -----------------------------
bt_check "collector-tls: server add (tls on, ca-file)" \
	ctl server add 10.0.2.2 port 11020 tls on ca-file "$PKI/ca.pem"
bt_check "collector-tls: Initiation over TLS reached pmbmpd" bt_wait 30 init_at 11019
json=$BT_RUN/c/pmbmpd-11019.json
got() { grep '"route_monitor"' "$json" | grep '"log_type": "update"' | grep -o '"ip_prefix": "[^"]*"' | cut -d'"' -f4 | sort -u; }
want() { birdc -s "$BT_RUN/b/bird.ctl" show route protocol peer4 | awk '$1 ~ /\// {print $1}' | sort -u; }
bt_check "collector-tls: pmbmpd has $N routes" bt_wait 60 sh -c "[ \$(grep '\"route_monitor\"' $json | grep -c '\"log_type\": \"update\"') -ge $N ]"
got >"$ART/got.txt"; want >"$ART/want.txt"
bt_check "collector-tls: pmbmpd's table is exactly b's ($(wc -l <"$ART/want.txt") prefixes)" \
	sh -c "[ \$(wc -l <$ART/want.txt) = $N ] && cmp -s $ART/got.txt $ART/want.txt"
bt_check "collector-tls: session up, tls in status, no failure" \
	sh -c "ip netns exec b $CTL -j show servers | python3 -c '
import json, sys
s = [x for x in json.load(sys.stdin) if x[\"port\"] == 11020][0]
st = s[\"status\"]
sys.exit(not (s[\"tls\"] and st[\"tls\"] and st[\"state\"] == \"up\" and st[\"tls_failures\"] == 0))'"
bt_check "collector-tls: stunnel saw TLS from bmptapd" grep -q 'Service \[right\] accepted connection from 10.0.2.1' "$BT_LOG/stunnel.log"

# ---- a certificate from another CA, then a wrong name ----------------------
bt_check "collector-tls: server add (other CA's collector)" \
	ctl server add 10.0.2.2 port 11021 tls on ca-file "$PKI/ca.pem"
bt_check "collector-tls: other CA refused, reason in show servers" \
	bt_wait 30 servers_has "last error: tls: certificate verify failed: unable to get local issuer certificate"
bt_check "collector-tls: refusals counted in JSON" \
	bt_wait 10 sh -c "ip netns exec b $CTL -j show servers | grep -q '\"tls_failures\": *[1-9]'"
bt_check "collector-tls: refusals in the metrics" \
	bt_wait 10 metric 'bmptap_collector_tls_failures_total\{server="10.0.2.2",port="11021"\} [1-9]'
bt_check "collector-tls: state backoff or retrying, never up" \
	sh -c "! ip netns exec b $CTL show servers | grep -E '^10.0.2.2 +11021 .* up '"
bt_check "collector-tls: logged once per reason" \
	bt_wait 10 sh -c "[ \$(grep -c 'warn: collector 10.0.2.2 port 11021: tls: certificate verify failed' $BT_LOG/bmptapd.out) = 1 ]"
sleep 3
bt_check "collector-tls: several retries, still logged once" \
	sh -c "[ \$(grep -c 'warn: collector 10.0.2.2 port 11021: tls: certificate verify failed' $BT_LOG/bmptapd.out) = 1 ] &&
		ip netns exec b curl -sf 'http://[::1]:9101/metrics' | grep -qE 'tls_failures_total\{server=\"10.0.2.2\",port=\"11021\"\} ([2-9]|[1-9][0-9])'"
bt_check "collector-tls: no BMP reached the pmbmpd behind the other CA" no_init_at 11022
bt_check "collector-tls: server set ca-file (other CA), tls-name wrong.test" \
	ctl server set 10.0.2.2 port 11021 ca-file "$PKI/otherca.pem" tls-name wrong.test
bt_check "collector-tls: wrong name refused, reason in show servers" \
	bt_wait 30 servers_has "last error: tls: certificate verify failed: hostname mismatch"
bt_check "collector-tls: still no BMP behind the other CA" no_init_at 11022
bt_check "collector-tls: server set tls-name collector.test" \
	ctl server set 10.0.2.2 port 11021 tls-name collector.test
bt_check "collector-tls: right CA and name: Initiation reached that pmbmpd" bt_wait 30 init_at 11022

# ---- client certificate required -----------------------------------------
bt_check "collector-tls: server add (client cert required, none given)" \
	ctl server add 10.0.2.2 port 11023 tls on ca-file "$PKI/ca.pem"
bt_check "collector-tls: no client certificate: refused, reason shown" \
	bt_wait 30 servers_has "last error: tls: tlsv13 alert certificate required"
bt_check "collector-tls: stunnel refused the peer without a certificate" \
	bt_wait 10 grep -qi 'peer did not return a certificate' "$BT_LOG/stunnel.log"
bt_check "collector-tls: no BMP reached the pmbmpd behind verifyChain" no_init_at 11024
bt_check "collector-tls: server set cert-file key-file" \
	ctl server set 10.0.2.2 port 11023 cert-file "$PKI/client.pem" key-file "$PKI/client.key"
bt_check "collector-tls: client certificate accepted: Initiation reached pmbmpd" bt_wait 30 init_at 11024

# ---- a station that accepts TCP and never answers the handshake -------------
ip netns exec c python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.2.2", 11040)); s.listen(8)
conns = []
while True:
    conns.append(s.accept()[0])' >"$BT_LOG/mute.out" 2>&1 &
echo $! >"$BT_RUN/c/mute.daemon"
bt_wait 10 sh -c "ip netns exec c ss -ltn | grep -q '10.0.2.2:11040 '"
state_of() { ip netns exec b "$CTL" -j show servers | python3 -c '
import json, sys
print([x for x in json.load(sys.stdin) if x["port"] == int(sys.argv[1])][0]["state"])' "$1"; }
bt_check "collector-tls: server add (mute station)" ctl server add 10.0.2.2 port 11040 tls on ca-file "$PKI/ca.pem"
in_state() { [ "$(state_of "$1")" = "$2" ]; }
bt_check "collector-tls: mute station: state tls-handshake" bt_wait 10 in_state 11040 tls-handshake
bt_check "collector-tls: mute station: handshake timed out (15 s), reported" \
	bt_wait 30 servers_has "last error: tls: handshake timed out"
bt_check "collector-tls: server del (mute station)" ctl server del 10.0.2.2 port 11040

# ---- refused settings change nothing --------------------------------------
ctl config show >"$ART/before.toml"
refused() { # EXPECTED-MESSAGE CMD...
	local want=$1 out; shift
	out=$("$@" 2>&1) && { echo "accepted: $*"; return 1; }
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && grep -qF -- "$want" <<<"$out" ||
		{ echo "got: $out"; return 1; }
}
bt_check "collector-tls: server add with a missing CA file refused" \
	refused "bmptapctl: cannot read ca-file \"$PKI/none.pem\": No such file or directory" \
	ctl server add 10.0.2.2 port 11030 tls on ca-file "$PKI/none.pem"
bt_check "collector-tls: server set key-file without cert-file refused" \
	refused "bmptapctl: key-file without cert-file (a client certificate needs both)" \
	ctl server set 10.0.2.2 port 11020 key-file "$PKI/client.key"
bt_check "collector-tls: server add tls on without ca-file refused" \
	refused "bmptapctl: tls on needs ca-file" ctl server add 10.0.2.2 port 11031 tls on
bt_check "collector-tls: server set passive with tls refused" \
	refused "bmptapctl: tls is for active servers only" ctl server set 10.0.2.2 port 11020 passive on
ctl config show >"$BT_RUN/load.toml"
cat >>"$BT_RUN/load.toml" <<EOC

[[bmp-servers]]
  [bmp-servers.config]
    address = "10.0.2.2"
    port = 11032
    tls = true
    ca-file = "$PKI/missing.pem"
EOC
bt_check "collector-tls: config load with a missing CA file refused" \
	refused "cannot read ca-file \"$PKI/missing.pem\"" ctl config load "$BT_RUN/load.toml"
ctl config show >"$ART/after.toml"
bt_check "collector-tls: refused settings changed nothing" cmp -s "$ART/before.toml" "$ART/after.toml"
bt_check "collector-tls: config show has the TLS settings" \
	sh -c "grep -q 'tls = true' $ART/after.toml && grep -q 'key-file = \"$PKI/client.key\"' $ART/after.toml"
# The shown config loads back unchanged: the sessions stay up.
s0=$(ip netns exec b "$CTL" -j show servers | grep -o '"sessions": *[0-9]*' | tr -d ' ' | sort | tr '\n' ,)
bt_check "collector-tls: config load of config show" ctl config load "$ART/after.toml"
sleep 2
s1=$(ip netns exec b "$CTL" -j show servers | grep -o '"sessions": *[0-9]*' | tr -d ' ' | sort | tr '\n' ,)
bt_check "collector-tls: reload kept the TLS sessions ($s0)" [ "$s0" = "$s1" ]
got >"$ART/got2.txt"
bt_check "collector-tls: no extra routes after all of it" cmp -s "$ART/got2.txt" "$ART/want.txt"

ctl show servers >"$ART/servers.txt" 2>&1
cp "$BT_LOG/bmptapd.out" "$BT_LOG/stunnel.log" "$ART/" 2>/dev/null
[ "$BT_FAILS" = 0 ] || { cat "$ART/servers.txt"; tail -n 40 "$BT_LOG/bmptapd.out"; tail -n 30 "$BT_LOG/stunnel.log"; }
bt_cleanup
bt_done
