#!/bin/bash
# The demo, inside the guest.  Host "r" runs BIRD (AS 65000), untouched and
# without BMP, peering with FRR (AS 65001, host f), GoBGP (AS 65002, host g)
# and ExaBGP (AS 65003, host e).  bmptap.ko taps r's sessions, bmptapd in r
# feeds pmacct's pmbmpd on host c; the BMP feed is shown as pmbmpd logs it
# and as tshark decodes it.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
json=$BT_RUN/c/pmbmpd-11019.json

say "Test hosts: r (BIRD, tapped), f (FRR), g (GoBGP), e (ExaBGP), c (collector)"
bt_modprobe veth
for h in r f g e c; do bt_host $h; done
bt_link r f 1; bt_link r g 2; bt_link r e 3; bt_link r c 9

say "insmod bmptap.ko; bmptapd in r; collector pmbmpd in c"
bt_insmod && lsmod | grep bmptap
bt_pmbmpd c 11019
ip netns exec c tcpdump -U -q -i any -w "$BT_RUN/c/bmp.pcap" tcp port 11019 >/dev/null 2>&1 &
echo $! >"$BT_RUN/c/tcpdump.pid"
ip netns exec r "$B/bmptapd" >"$BT_LOG/bmptapd.out" 2>&1 &
dpid=$!
bt_wait 5 sh -c "ip netns exec r $B/bmptapctl show status >/dev/null"
echo "# bmptapctl server add 10.0.9.2 port 11019 sys-name demo-router"
bt_in r "$B/bmptapctl" server add 10.0.9.2 port 11019 sys-name demo-router

say "Starting the daemons (none of them is told about BMP)"
bt_bird r "router id 10.0.1.1;
protocol device {}
protocol static { ipv4; route 192.0.2.0/24 unreachable; route 192.0.2.128/25 unreachable; }
template bgp p { local as 65000; hold time 9; keepalive time 3; connect retry time 2;
	ipv4 { import all; export all; }; }
protocol bgp frr from p { neighbor 10.0.1.2 as 65001; }
protocol bgp gobgp from p { neighbor 10.0.2.2 as 65002; }
protocol bgp exabgp from p { neighbor 10.0.3.2 as 65003; }"
bt_frr f "frr defaults traditional
router bgp 65001
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 10.0.1.1 remote-as 65000
 address-family ipv4 unicast
  network 198.51.100.0/24
  network 198.51.100.128/25
 exit-address-family"
bt_gobgp g '[global.config]
  as = 65002
  router-id = "10.0.2.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.2.1"
    peer-as = 65000'
bt_gobgpc g global rib add 203.0.113.0/24 >/dev/null
bt_exabgp e "neighbor 10.0.3.1 {
	router-id 10.0.3.2; local-address 10.0.3.2; local-as 65003; peer-as 65000;
	static { route 100.64.0.0/24 next-hop 10.0.3.2 community [ 65003:1 ]; }
}"
for p in frr gobgp exabgp; do
	bt_wait 120 bt_bird_established r $p && echo "BIRD <-> $p: Established"
done
bt_wait 30 sh -c "grep -q 100.64.0.0 $json && grep -q 198.51.100.128 $json && grep -q 203.0.113.0 $json"
sleep 2

say "What the module sees (bmptapctl show flows)"
bt_in r "$B/bmptapctl" show flows
say "What bmptapd exports (bmptapctl show servers / show peers)"
bt_in r "$B/bmptapctl" show servers
bt_in r "$B/bmptapctl" show peers

say "A route withdrawn at FRR, a session shut down at ExaBGP's side"
bt_vtysh f -c 'configure terminal' -c 'router bgp 65001' -c 'address-family ipv4 unicast' \
	-c 'no network 198.51.100.128/25' >/dev/null 2>&1
bt_birdc r disable exabgp >/dev/null
bt_wait 20 sh -c "grep '\"withdraw\"' $json | grep -q 198.51.100.128"
bt_wait 20 grep -q '"peer_down"' "$json"

say "The BMP feed as pmacct's pmbmpd logged it (one line per message)"
python3 - "$json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    t = m.get("bmp_msg_type") or m.get("event_type")
    if t == "route_monitor":
        print(f"  route_monitor  peer {m['peer_ip']:<10} {m.get('log_type'):<8} {m.get('ip_prefix',''):<20} "
              f"as_path [{m.get('as_path','')}] nh {m.get('bgp_nexthop','')} {m.get('comms','')}")
    elif t == "peer_up":
        print(f"  peer_up        peer {m['peer_ip']:<10} AS{m['peer_asn']} bgp_id {m['bgp_id']} "
              f"local {m['local_ip']}:{m['local_port']} remote port {m['remote_port']}")
    elif t == "peer_down":
        print(f"  peer_down      peer {m['peer_ip']:<10} reason {m.get('reason_type')} {m.get('reason_str','')}")
    elif t == "init":
        print(f"  init           sysName {m.get('bmp_init_info_sysname')} sysDescr {m.get('bmp_init_info_sysdescr')}")
    elif t not in ("log_init", None):
        print(f"  {t}")
PY

say "bmptapd stops (SIGTERM): Termination"
kill -TERM $dpid; wait $dpid; echo "bmptapd exit status $?"
sleep 1
say "The same feed decoded by tshark's BMP dissector"
kill "$(cat "$BT_RUN/c/tcpdump.pid")"; sleep 1
tshark -r "$BT_RUN/c/bmp.pcap" -d tcp.port==11019,bmp -Y bmp -T fields -e bmp.type 2>/dev/null |
	tr ',' '\n' | sort | uniq -c |
	awk 'BEGIN { n[0]="Route Monitoring"; n[2]="Peer Down"; n[3]="Peer Up"; n[4]="Initiation";
		n[5]="Termination"; n[1]="Statistics"; n[6]="Route Mirroring" }
	     { printf "  %5d x %s\n", $1, ($2 in n) ? n[$2] : "type " $2 }'
malformed=$(tshark -r "$BT_RUN/c/bmp.pcap" -d tcp.port==11019,bmp -V 2>/dev/null | grep -c -i malformed)
echo "  malformed packets: $malformed"
bt_cleanup
