#!/bin/bash
# bmptapd's Prometheus endpoint scraped by a real Prometheus server: BIRD
# routers a (AS65001) and b (AS65002) over eBGP, the module taps b, bmptapd
# (in b, --metrics on [::]:9101) feeds pmacct's pmbmpd in c, and Prometheus
# in c scrapes bmptapd every second.  Read back through Prometheus's HTTP
# API: each peer's prefixes equal the routes a's BIRD sent, the collector
# is up and has messages, the module taps both sessions.  promtool accepts
# a live exposition; an oversized request and a 17th connection are
# refused, and the refusals reach Prometheus too.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
N4=40 N6=12

bird_conf() { # AS ROUTER-ID NEIGHBOR4 NEIGHBOR6 PEER-AS ROUTES4 ROUTES6
	cat <<EOC
router id $2;
protocol device {}
protocol static s4 { ipv4; $6 }
protocol static s6 { ipv6; $7 }
protocol bgp peer4 {
	local as $1; neighbor $3 as $5;
	ipv4 { import all; export all; };
}
protocol bgp peer6 {
	local as $1; neighbor $4 as $5;
	ipv6 { import all; export all; };
}
EOC
}
A4= A6=
for i in $(seq $N4); do A4+="route 10.100.$i.0/24 unreachable; "; done
for i in $(seq $N6); do A6+="route 2001:db8:100:$i::/64 unreachable; "; done

# prom_value QUERY: the value of the query's first series, via the API.
prom_value() {
	bt_in c curl -s --max-time 5 -G http://127.0.0.1:9090/api/v1/query --data-urlencode "query=$1" |
		python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'
}
# prom_is QUERY VALUE / prom_ge QUERY MIN: numeric comparisons.
prom_is() { [ "$(prom_value "$1")" = "$2" ]; }
prom_ge() { python3 -c 'import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))' "$(prom_value "$1")" "$2" 2>/dev/null; }

bt_modprobe veth
bt_check "metrics: insmod" bt_insmod
bt_host a && bt_host b && bt_host c
bt_link a b 1
bt_link b c 2
bt_pmbmpd c 11019

ip netns exec b "$B/bmptapd" --metrics '[::]:9101' >"$BT_LOG/bmptapd.out" 2>&1 &
echo $! >"$BT_RUN/b/bmptapd.daemon"
bt_check "metrics: bmptapd listening on [::]:9101" bt_wait 10 sh -c "ip netns exec b ss -ltn | grep -q ':9101 '"
bt_check "metrics: server add" bt_in b "$B/bmptapctl" server add 10.0.2.2 port 11019
bt_bird a "$(bird_conf 65001 10.0.1.1 10.0.1.2 fd00:1::2 65002 "$A4" "$A6")"
bt_bird b "$(bird_conf 65002 10.0.1.2 10.0.1.1 fd00:1::1 65001 "route 198.51.100.0/24 unreachable;" "route 2001:db8:b::/48 unreachable;")"
bt_check "metrics: IPv4 session established" bt_wait 60 bt_bird_established a peer4
bt_check "metrics: IPv6 session established" bt_wait 60 bt_bird_established a peer6
bt_check "metrics: b imported a's $N4 IPv4 routes" \
	bt_wait 30 sh -c "birdc -s $BT_RUN/b/bird.ctl show route protocol peer4 count | grep -qE '(^|[^0-9])$N4 of [0-9]+ routes'"

cat >"$BT_RUN/c/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: bmptapd
    static_configs:
      - targets: ['10.0.2.1:9101']
EOC
bt_in c prometheus --config.file="$BT_RUN/c/prometheus.yml" --storage.tsdb.path="$BT_RUN/c/prometheus" \
	--web.listen-address=127.0.0.1:9090 >"$BT_LOG/prometheus.out" 2>&1 &
echo $! >"$BT_RUN/c/prometheus.daemon"
bt_check "metrics: Prometheus ready" bt_wait 180 bt_in c curl -sf http://127.0.0.1:9090/-/ready
bt_check "metrics: Prometheus scrapes bmptapd (up == 1)" bt_wait 60 prom_is 'up{job="bmptapd"}' 1

bt_check "metrics: prefixes of 10.0.1.1 (ipv4) = $N4 sent by BIRD" \
	bt_wait 30 prom_is 'bmptap_peer_prefixes{peer="10.0.1.1",peer_as="65001",afi="ipv4",safi="unicast"}' $N4
bt_check "metrics: prefixes of fd00:1::1 (ipv6) = $N6 sent by BIRD" \
	bt_wait 30 prom_is 'bmptap_peer_prefixes{peer="fd00:1::1",peer_as="65001",afi="ipv6",safi="unicast"}' $N6
bt_check "metrics: both peers established" prom_is 'sum(bmptap_peer_established)' 2
bt_check "metrics: no peer incomplete" prom_is 'sum(bmptap_peer_incomplete)' 0
bt_check "metrics: collector state up" prom_is 'bmptap_collector_state{server="10.0.2.2",port="11019",state="up"}' 1
bt_check "metrics: collector messages_total > 0" prom_ge 'bmptap_collector_messages_total{server="10.0.2.2"}' 1
bt_check "metrics: collector bytes_total > 0" prom_ge 'bmptap_collector_bytes_total{server="10.0.2.2"}' 1
bt_check "metrics: module read (module_up 1)" prom_is 'bmptap_module_up' 1
bt_check "metrics: module flows >= 1" prom_ge 'bmptap_module_flows' 1
bt_check "metrics: module messages_total > 0" prom_ge 'bmptap_module_messages_total' 1
bt_check "metrics: module hook time > 0 s" prom_ge 'bmptap_module_hook_seconds_total' 0.000000001
bt_check "metrics: pmbmpd got the routes" \
	bt_wait 20 sh -c "grep '\"route_monitor\"' $BT_RUN/c/pmbmpd-11019.json | grep -q '10.100.$N4.0/24'"

bt_in c curl -s --max-time 10 http://10.0.2.1:9101/metrics >"$BT_RUN/metrics.txt"
bt_check "metrics: promtool check metrics on a live exposition" sh -c "promtool check metrics <$BT_RUN/metrics.txt"
bt_check "metrics: oversized request and a 17th connection refused, counted" \
	bt_in c "$BT_TOP/tests/tools/metrics-probe" 10.0.2.1 9101
bt_check "metrics: Prometheus sees refused{too_many_connections} >= 1" \
	bt_wait 20 prom_ge 'bmptap_metrics_refused_total{reason="too_many_connections"}' 1
bt_check "metrics: Prometheus sees refused{request_too_large} >= 1" \
	bt_wait 20 prom_ge 'bmptap_metrics_refused_total{reason="request_too_large"}' 1

# A withdrawal shows in the gauge.
bird_conf 65001 10.0.1.1 10.0.1.2 fd00:1::2 65002 "${A4#route 10.100.1.0/24 unreachable; }" "$A6" >"$BT_RUN/a/bird.conf"
bt_birdc a configure >/dev/null
bt_check "metrics: prefixes of 10.0.1.1 after a withdrawal = $((N4 - 1))" \
	bt_wait 30 prom_is 'bmptap_peer_prefixes{peer="10.0.1.1",afi="ipv4"}' $((N4 - 1))
bt_check "metrics: withdrawals_total of 10.0.1.1 >= 1" prom_ge 'bmptap_peer_withdrawals_total{peer="10.0.1.1"}' 1

[ "$BT_FAILS" = 0 ] || { bt_birdc b show route protocol peer4 count; tail -n 30 "$BT_LOG/bmptapd.out"; tail -n 20 "$BT_LOG/prometheus.out"; head -c 2000 "$BT_RUN/metrics.txt"; }
bt_cleanup
bt_done
