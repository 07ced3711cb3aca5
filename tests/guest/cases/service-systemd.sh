#!/bin/bash
# bmptap-guest: systemd
# Issue 16 item 4: the systemd units under systemd as PID 1.  `make install
# PREFIX=/usr`, systemd-sysusers, the documented configuration only
# (/etc/bmptap/bmptap.toml for bmptapd.service, /etc/bmptap/NETNS.toml for
# bmptapd@NETNS.service); bmptapd.service taps the initial namespace (BIRD
# there and in d), bmptapd@b taps netns b (BIRD in a and b); both feed
# pmacct's pmbmpd in c.  Both run as user bmptap with CAP_NET_ADMIN only,
# survive `systemctl restart` (routes added afterwards reach the
# collectors), and `systemctl stop` sends Termination.  Then, by hand as
# root, `bmptapd --user nobody` drops to nobody + CAP_NET_ADMIN and still
# feeds the collector.  Records `systemd-analyze security`.  bmptapd.service
# is given its collector by host name (from /etc/hosts): the lookup runs on
# a thread of its own (userspace/lib/resolve.c), which must work under the
# unit's system call filter and namespace restrictions.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
T=service-systemd
ART=/mnt/results/$T
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART"
j_b=$BT_RUN/c/pmbmpd-11019.json j_i=$BT_RUN/c/pmbmpd-11020.json

bird_conf() { # AS ROUTER-ID NEIGHBOR PEER-AS ROUTES
	printf 'router id %s;\nprotocol device {}\nprotocol static s4 { ipv4; %s }\n' "$2" "$5"
	printf 'protocol bgp peer4 { local as %s; neighbor %s as %s; ipv4 { import all; export all; }; }\n' \
		"$1" "$3" "$4"
}
# route_seen JSON PREFIX [FROM-LINE]
route_seen() { tail -n +"${3:-1}" "$1" | grep '"route_monitor"' | grep -q "\"ip_prefix\": \"$2\""; }
msgs() { grep -c "\"bmp_msg_type\": \"$2\"" "$1"; }
main_pid() { systemctl show -p MainPID --value "$1"; }
status_of() { grep "^$2:" "/proc/$1/status" | awk '{print $2}'; }
only_net_admin() { # PID
	[ "$(status_of "$1" CapEff)" = 0000000000001000 ] &&
		[ "$(status_of "$1" CapPrm)" = 0000000000001000 ] &&
		[ "$(status_of "$1" CapBnd)" = 0000000000001000 ]
}

[ "$(cat /proc/1/comm)" = systemd ] || { bt_fail "$T: PID 1 is systemd (run-guest --systemd)"; bt_done; }
bt_check "$T: make install PREFIX=/usr" sh -c "make -s -C $BT_TOP install PREFIX=/usr >$BT_LOG/install.out 2>&1"
bt_check "$T: systemd-sysusers creates bmptap" sh -c "systemd-sysusers && getent passwd bmptap"
systemctl daemon-reload
uid=$(id -u bmptap)

bt_modprobe veth
bt_check "$T: insmod" bt_insmod
bt_host a && bt_host b && bt_host c && bt_host d
bt_link a b 1
bt_link b c 2
# The initial namespace reaches d (BGP) and c (collector) over veths too.
bt_link root d 4
bt_link root c 5

bt_pmbmpd c 11019
bt_pmbmpd c 11020
cat /etc/hosts >"$BT_RUN/hosts"
echo "10.0.5.2 collector5.test" >>"$BT_RUN/hosts"
mount --bind "$BT_RUN/hosts" /etc/hosts
mkdir -p /etc/bmptap
printf '[[bmp-servers]]\n  [bmp-servers.config]\n    address = "%s"\n    port = %s\n' \
	collector5.test 11020 >/etc/bmptap/bmptap.toml
printf '[[bmp-servers]]\n  [bmp-servers.config]\n    address = "%s"\n    port = %s\n' \
	10.0.2.2 11019 >/etc/bmptap/b.toml
chmod 0644 /etc/bmptap/*.toml

bt_check "$T: systemctl start bmptapd" systemctl start bmptapd
bt_check "$T: systemctl start bmptapd@b" systemctl start bmptapd@b
if ! bt_wait 10 sh -c "systemctl is-active -q bmptapd && systemctl is-active -q bmptapd@b"; then
	bt_fail "$T: both active"
	journalctl --no-pager -u bmptapd -u bmptapd@b | tail -n 30
	bt_done
fi
pi=$(main_pid bmptapd) pb=$(main_pid bmptapd@b)
grep -E '^(Uid|Gid|Cap)' "/proc/$pb/status" | tee "$ART/status-bmptapd@b.txt"
for p in "$pi" "$pb"; do
	bt_check "$T: pid $p runs as bmptap" test "$(status_of "$p" Uid)" = "$uid"
	bt_check "$T: pid $p has only CAP_NET_ADMIN (eff, prm, bnd)" only_net_admin "$p"
done
bt_check "$T: bmptapd@b is in netns b" test "$(ip netns identify "$pb")" = b
bt_check "$T: bmptapd is in the initial netns" test "$(readlink /proc/"$pi"/ns/net)" = "$(readlink /proc/1/ns/net)"
bt_check "$T: config from /etc/bmptap/b.toml" sh -c "ip netns exec b $B/bmptapctl show servers | grep -q 10.0.2.2"
bt_check "$T: config from /etc/bmptap/bmptap.toml" sh -c "$B/bmptapctl show servers | grep -q collector5.test"

bt_bird root "$(bird_conf 65003 10.0.4.1 10.0.4.2 65004 "route 198.18.0.0/24 unreachable;")"
bt_bird d "$(bird_conf 65004 10.0.4.2 10.0.4.1 65003 "route 198.18.1.0/24 unreachable;")"
bt_bird a "$(bird_conf 65001 10.0.1.1 10.0.1.2 65002 "route 192.0.2.0/24 unreachable;")"
bt_bird b "$(bird_conf 65002 10.0.1.2 10.0.1.1 65001 "route 198.51.100.0/24 unreachable;")"
bt_check "$T: session a-b established" bt_wait 90 bt_bird_established a peer4
bt_check "$T: session init-d established" bt_wait 90 bt_bird_established d peer4

bt_check "$T: bmptapd@b: peer_up for 10.0.1.1" bt_wait 30 sh -c "grep '\"peer_up\"' $j_b | grep -q '\"peer_ip\": \"10.0.1.1\"'"
bt_check "$T: bmptapd@b: route 192.0.2.0/24" bt_wait 30 route_seen "$j_b" 192.0.2.0/24
bt_check "$T: bmptapd: peer_up for 10.0.4.2" bt_wait 30 sh -c "grep '\"peer_up\"' $j_i | grep -q '\"peer_ip\": \"10.0.4.2\"'"
bt_check "$T: bmptapd: route 198.18.1.0/24" bt_wait 30 route_seen "$j_i" 198.18.1.0/24
bt_check "$T: bmptapd: nothing of netns b" sh -c "! grep -q 10.0.1.1 $j_i"

# --- restart: a new process, Termination of the old session, the feed goes on
nb=$(wc -l <"$j_b") ni=$(wc -l <"$j_i") tb=$(msgs "$j_b" term)
bt_check "$T: systemctl restart bmptapd bmptapd@b" systemctl restart bmptapd bmptapd@b
bt_check "$T: restarted: both active" bt_wait 10 sh -c "systemctl is-active -q bmptapd && systemctl is-active -q bmptapd@b"
bt_check "$T: restarted: new processes" test "$(main_pid bmptapd)" != "$pi" -a "$(main_pid bmptapd@b)" != "$pb"
bt_check "$T: restart: Termination of the old session" test "$(msgs "$j_b" term)" -gt "$tb"
bird_conf 65001 10.0.1.1 10.0.1.2 65002 "route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable;" >"$BT_RUN/a/bird.conf"
bt_birdc a configure >/dev/null
bird_conf 65004 10.0.4.2 10.0.4.1 65003 "route 198.18.1.0/24 unreachable; route 198.18.2.0/24 unreachable;" >"$BT_RUN/d/bird.conf"
bt_birdc d configure >/dev/null
bt_check "$T: after restart: new route 203.0.113.0/24 via bmptapd@b" bt_wait 30 route_seen "$j_b" 203.0.113.0/24 $((nb + 1))
bt_check "$T: after restart: new route 198.18.2.0/24 via bmptapd" bt_wait 30 route_seen "$j_i" 198.18.2.0/24 $((ni + 1))
# The units keep checkpoints (StateDirectory=bmptap): the new processes go
# on from the old ones' state, and the peers come up again.
ckpt_loaded() { [ "$(bt_in "$1" "$B/bmptapctl" -j show status | jq .checkpoints.loaded)" = 1 ]; }
bt_check "$T: restart: bmptapd@b loaded its checkpoint /var/lib/bmptap/b.ckpt" \
	bt_wait 20 ckpt_loaded b
bt_check "$T: restart: bmptapd loaded its checkpoint /var/lib/bmptap/default.ckpt" \
	bt_wait 20 ckpt_loaded root
bt_check "$T: restart: the checkpoint files are the units'" \
	test -s /var/lib/bmptap/b.ckpt -a -s /var/lib/bmptap/default.ckpt
bt_check "$T: after restart: peer_up again for 10.0.1.1" sh -c "tail -n +$((nb + 1)) $j_b | grep '\"peer_up\"' | grep -q '\"peer_ip\": \"10.0.1.1\"'"
bt_check "$T: after restart: peer_up again for 10.0.4.2" sh -c "tail -n +$((ni + 1)) $j_i | grep '\"peer_up\"' | grep -q '\"peer_ip\": \"10.0.4.2\"'"

# --- stop: Termination, a clean exit
tb=$(msgs "$j_b" term) ti=$(msgs "$j_i" term)
bt_check "$T: systemctl stop bmptapd bmptapd@b" systemctl stop bmptapd bmptapd@b
bt_check "$T: stop: Termination to the bmptapd@b collector" bt_wait 10 test "$(msgs "$j_b" term)" -gt "$tb"
bt_check "$T: stop: Termination to the bmptapd collector" bt_wait 10 test "$(msgs "$j_i" term)" -gt "$ti"
bt_check "$T: stop: result success" test "$(systemctl show -p Result --value bmptapd@b)" = success

# --- by hand as root: --user
"$B/bmptapd" --user no-such-user >"$BT_LOG/user-unknown.out" 2>&1
rc=$?
cat "$BT_LOG/user-unknown.out"
bt_check "$T: --user unknown: exit 1" test $rc = 1
bt_check "$T: --user unknown: one line naming the user" \
	sh -c "[ \$(wc -l <$BT_LOG/user-unknown.out) = 1 ] && grep -q \"unknown user 'no-such-user'\" $BT_LOG/user-unknown.out"
nb=$(wc -l <"$j_b")
ip netns exec b "$B/bmptapd" --user nobody >"$BT_LOG/bmptapd-user.out" 2>&1 &
pu=$!
bt_check "$T: --user nobody: running" bt_wait 5 sh -c "ip netns exec b $B/bmptapctl show status | grep -q servers"
grep -E '^(Uid|Gid|Groups|Cap)' "/proc/$pu/status" | tee "$ART/status-user-nobody.txt"
bt_check "$T: --user nobody: uid 65534" test "$(status_of "$pu" Uid)" = 65534
bt_check "$T: --user nobody: gid 65534" test "$(status_of "$pu" Gid)" = 65534
bt_check "$T: --user nobody: only CAP_NET_ADMIN" only_net_admin "$pu"
bt_check "$T: --user nobody: feeds the collector (peer_up)" bt_wait 30 sh -c "tail -n +$((nb + 1)) $j_b | grep -q '\"peer_up\"'"
bird_conf 65001 10.0.1.1 10.0.1.2 65002 "route 192.0.2.0/24 unreachable; route 203.0.113.0/24 unreachable; route 203.0.113.128/25 unreachable;" >"$BT_RUN/a/bird.conf"
bt_birdc a configure >/dev/null
bt_check "$T: --user nobody: feeds the collector (new route)" bt_wait 30 route_seen "$j_b" 203.0.113.128/25 $((nb + 1))
kill "$pu"; wait "$pu"
bt_check "$T: --user nobody: SIGTERM exits 0" test $? = 0

systemd-analyze security --no-pager bmptapd.service >"$ART/security.txt" 2>&1
tail -n 3 "$ART/security.txt"
score=$(sed -n 's/.*Overall exposure level for bmptapd.service: \([0-9.]*\).*/\1/p' "$ART/security.txt")
echo "systemd-analyze security: $score"
bt_check "$T: systemd-analyze security exposure below 2.5 ($score)" awk -v s="${score:-99}" 'BEGIN { exit !(s < 2.5) }'

journalctl --no-pager -u bmptapd -u bmptapd@b >"$ART/journal.txt" 2>&1
bt_check "$T: bmptapd.service: the collector's name resolved, no lookup failed" \
	sh -c "! grep -q 'resolve:' $ART/journal.txt"
umount /etc/hosts
bt_cleanup
bt_done
