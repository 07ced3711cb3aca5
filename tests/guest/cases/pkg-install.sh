#!/bin/bash
# bmptap-guest: systemd 6.12
# Issue 16 item 3: the Debian packages (make deb) installed with dpkg in a
# guest booted with systemd (on 6.12, the newest kernel, so dkms builds the
# module once: for the running kernel).  Then only the documented
# configuration, /etc/bmptap/bmptap.toml naming the collector, and
# `systemctl enable --now bmptapd`: a BIRD session of this host reaches
# pmacct's pmbmpd (Peer Up, routes).  Removing the packages removes the
# module.  The dkms build under TCG dominates: 1170 s with the machine
# loaded (tests/guest/costs).
. "$BMPTAP_TOP/tests/lib/guest.sh"
T=pkg-install
json=$BT_RUN/c/pmbmpd-11019.json
version=$(cat "$BT_TOP/VERSION")
debs=("$BT_TOP/build/deb/bmptap-dkms_${version}_all.deb" "$BT_TOP/build/deb/bmptap_${version}_$(dpkg --print-architecture).deb")

[ "$(cat /proc/1/comm)" = systemd ] || { bt_fail "$T: PID 1 is systemd (run-guest --systemd)"; bt_done; }
if ! ls "${debs[@]}" >/dev/null; then
	bt_fail "$T: packages built (make deb)"
	bt_done
fi
start=$(date +%s)
if ! dpkg -i "${debs[@]}" >"$BT_LOG/dpkg.out" 2>&1; then
	tail -n 40 "$BT_LOG/dpkg.out"
	bt_fail "$T: dpkg -i bmptap-dkms bmptap"
	bt_done
fi
bt_pass "$T: dpkg -i bmptap-dkms bmptap ($(( $(date +%s) - start )) s with the dkms build)"
bt_check "$T: dkms installed the module for $(uname -r)" \
	sh -c "dkms status bmptap | grep '$(uname -r)' | grep -q installed"
bt_check "$T: modinfo finds bmptap $version" test "$(modinfo -F version bmptap)" = "$version"
bt_check "$T: the package created user bmptap" getent passwd bmptap
bt_check "$T: units installed, not enabled" sh -c "systemctl cat bmptapd.service >/dev/null && ! systemctl is-enabled -q bmptapd"

bird_conf() { # AS ROUTER-ID NEIGHBOR PEER-AS ROUTES
	printf 'router id %s;\nprotocol device {}\nprotocol static s4 { ipv4; %s }\n' "$2" "$5"
	printf 'protocol bgp peer4 { local as %s; neighbor %s as %s; ipv4 { import all; export all; }; }\n' \
		"$1" "$3" "$4"
}
bt_modprobe veth
bt_host c && bt_host d
bt_link root d 4
bt_link root c 5
bt_pmbmpd c 11019

# The documented configuration, nothing else.
mkdir -p /etc/bmptap
cat >/etc/bmptap/bmptap.toml <<'EOC'
[[bmp-servers]]
  [bmp-servers.config]
    address = "10.0.5.2"
    port = 11019
    sys-name = "pkg-install"
EOC
bt_check "$T: systemctl enable --now bmptapd" systemctl enable --now bmptapd
bt_check "$T: bmptapd active" bt_wait 10 systemctl is-active -q bmptapd
bt_check "$T: module loaded by the unit" sh -c "lsmod | grep -q '^bmptap '"
bt_check "$T: runs /usr/sbin/bmptapd as bmptap" \
	sh -c "ps -o user=,args= -p \$(systemctl show -p MainPID --value bmptapd) | grep -q '^bmptap *.usr/sbin/bmptapd'"

bt_bird root "$(bird_conf 65003 10.0.4.1 10.0.4.2 65004 "route 198.18.0.0/24 unreachable;")"
bt_bird d "$(bird_conf 65004 10.0.4.2 10.0.4.1 65003 "route 198.18.1.0/24 unreachable; route 198.18.2.0/24 unreachable;")"
bt_check "$T: BIRD session established" bt_wait 90 bt_bird_established d peer4
bt_check "$T: pmbmpd: Initiation" bt_wait 30 grep -q '"bmp_msg_type": "init"' "$json"
bt_check "$T: pmbmpd: peer_up for 10.0.4.2" bt_wait 30 sh -c "grep '\"peer_up\"' $json | grep -q '\"peer_ip\": \"10.0.4.2\"'"
for pfx in 198.18.1.0/24 198.18.2.0/24; do
	bt_check "$T: pmbmpd: route_monitor $pfx" bt_wait 30 sh -c "grep '\"route_monitor\"' $json | grep -q '\"ip_prefix\": \"$pfx\"'"
done

bt_check "$T: systemctl disable --now bmptapd" systemctl disable --now bmptapd
bt_check "$T: stop sent Termination" bt_wait 10 grep -q '"bmp_msg_type": "term"' "$json"
rmmod bmptap
bt_check "$T: dpkg -r bmptap bmptap-dkms" sh -c "dpkg -r bmptap bmptap-dkms >$BT_LOG/dpkg-r.out 2>&1"
bt_check "$T: the module is gone" sh -c "! modinfo bmptap >/dev/null 2>&1"
bt_cleanup
bt_done
