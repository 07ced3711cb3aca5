# Sourced by test scripts running inside the guest (tests/guest/run-guest).
# Test hosts are network namespaces joined by veth pairs; daemons run inside
# them with their state under $BT_RUN/<ns>.
#
# Results: every check prints "PASS: name" or "FAIL: name"; tests/run-all
# counts them.  A script's exit status is non-zero when any check failed.

BT_TOP=${BMPTAP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BT_RUN=${BT_RUN:-/tmp/bt}
BT_FAILS=0
BT_LOG=$BT_RUN/log
mkdir -p "$BT_RUN" "$BT_LOG"

bt_log() { echo "[$(date +%T)] $*"; }
# Each verdict says when in its case it came ([t=SECONDS]): where a case
# spends its time is read from any log, for make check's time budget.
bt_pass() { echo "PASS: $* [t=${SECONDS}s]"; }
bt_fail() { echo "FAIL: $* [t=${SECONDS}s]"; BT_FAILS=$((BT_FAILS + 1)); }
# bt_check NAME CMD...: PASS when CMD succeeds.
bt_check() {
	local name=$1; shift
	if "$@"; then bt_pass "$name"; else bt_fail "$name"; fi
}
bt_done() {
	[ "$BT_FAILS" -eq 0 ] || { echo "$BT_FAILS check(s) failed"; exit 1; }
	exit 0
}

# bt_wait SECONDS CMD...: retries CMD every $BT_POLL (0.5) s until it succeeds.
bt_wait() {
	local deadline=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep "${BT_POLL:-0.5}"
	done
}

bt_modprobe() { modprobe "$@" || { echo "modprobe $* failed"; return 1; }; }

# bt_host NAME: a test host (network namespace) with loopback up.
bt_host() {
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up
	mkdir -p "$BT_RUN/$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# The host "root" is the initial network namespace (where a systemd
# guest's bmptapd.service runs).
bt_ip() { local ns=$1; shift; if [ "$ns" = root ]; then ip "$@"; else ip -n "$ns" "$@"; fi; }

# bt_link NS_A NS_B INDEX: a veth pair between two hosts, addressed
# 10.0.INDEX.1/24 + fd00:INDEX::1/64 on A and .2 / ::2 on B.
bt_link() {
	local a=$1 b=$2 i=$3
	# PID 1 names the initial namespace.
	ip link add "v$i$a" netns "${a/#root/1}" type veth peer name "v$i$b" netns "${b/#root/1}" || return 1
	bt_ip "$a" addr add "10.0.$i.1/24" dev "v$i$a"
	bt_ip "$b" addr add "10.0.$i.2/24" dev "v$i$b"
	bt_ip "$a" addr add "fd00:$i::1/64" dev "v$i$a" nodad
	bt_ip "$b" addr add "fd00:$i::2/64" dev "v$i$b" nodad
	bt_ip "$a" link set "v$i$a" up
	bt_ip "$b" link set "v$i$b" up
}

bt_in() { local ns=$1; shift; if [ "$ns" = root ]; then "$@"; else ip netns exec "$ns" "$@"; fi; }

# --- BIRD 2 --------------------------------------------------------------
# bt_bird NS CONFIG_TEXT: starts bird in NS with the given configuration.
bt_bird() {
	local ns=$1 dir=$BT_RUN/$1
	mkdir -p "$dir"
	printf '%s\n' "$2" >"$dir/bird.conf"
	bt_in "$ns" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" \
		>"$BT_LOG/$ns-bird.out" 2>&1 || { cat "$BT_LOG/$ns-bird.out"; return 1; }
	bt_wait 10 test -S "$dir/bird.ctl"
}
bt_birdc() { local ns=$1; shift; birdc -s "$BT_RUN/$ns/bird.ctl" "$@"; }
# bt_bird_established NS PROTO
bt_bird_established() { bt_birdc "$1" show protocols "$2" | grep -q Established; }

# --- FRR bgpd (no zebra; with a third argument "zebra", zebra too, which
# installs the selected routes in the namespace's routing table) ----------
bt_frr() {
	local ns=$1 dir=$BT_RUN/$1 zs="-Z"
	printf '%s\n' "$2" >"$dir/frr.conf"
	mkdir -p "$dir/vty"
	# bgpd drops to the frr user (member of the frrvty group it insists on).
	chmod 777 "$dir" "$dir/vty"
	if [ "${3:-}" = zebra ]; then
		: >"$dir/zebra.conf"
		bt_in "$ns" /usr/lib/frr/zebra -d -f "$dir/zebra.conf" -i "$dir/zebra.pid" \
			--vty_socket "$dir/vty" -z "$dir/zserv.api" \
			>"$BT_LOG/$ns-zebra.out" 2>&1 || { cat "$BT_LOG/$ns-zebra.out"; return 1; }
		bt_wait 10 test -S "$dir/zserv.api" || return 1
		zs="-z $dir/zserv.api"
	fi
	bt_in "$ns" /usr/lib/frr/bgpd -d $zs -f "$dir/frr.conf" -i "$dir/bgpd.pid" \
		--vty_socket "$dir/vty" -l 0.0.0.0 -l :: \
		>"$BT_LOG/$ns-frr.out" 2>&1 || { cat "$BT_LOG/$ns-frr.out"; return 1; }
	bt_wait 10 test -S "$dir/vty/bgpd.vty"
}
bt_vtysh() { local ns=$1; shift; bt_in "$ns" vtysh --vty_socket "$BT_RUN/$ns/vty" "$@"; }

# --- GoBGP ---------------------------------------------------------------
bt_gobgp() {
	local ns=$1 dir=$BT_RUN/$1
	printf '%s\n' "$2" >"$dir/gobgpd.toml"
	bt_in "$ns" gobgpd -f "$dir/gobgpd.toml" -p --api-hosts 127.0.0.1:50051 \
		--pprof-disable >"$BT_LOG/$ns-gobgpd.out" 2>&1 &
	echo $! >"$dir/gobgpd.pid"
	bt_wait 15 bt_in "$ns" gobgp -u 127.0.0.1 -p 50051 global
}
bt_gobgpc() { local ns=$1; shift; bt_in "$ns" gobgp -u 127.0.0.1 -p 50051 "$@"; }
# bt_gobgp_established NS PEER: GoBGP 3.x prints "BGP state = established",
# 4.x the API's enum name, "BGP state = SESSION_STATE_ESTABLISHED".
bt_gobgp_established() {
	bt_gobgpc "$1" neighbor "$2" | grep -qiE 'BGP state = (SESSION_STATE_)?established\b'
}

# --- ExaBGP --------------------------------------------------------------
bt_exabgp() {
	local ns=$1 dir=$BT_RUN/$1
	printf '%s\n' "$2" >"$dir/exabgp.conf"
	mkdir -p "$dir/exabgp-run"
	env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
		exabgp.log.destination="$BT_LOG/$ns-exabgp.log" \
		exabgp.api.pipename="$ns" exabgp.cache.attributes=false \
		ip netns exec "$ns" exabgp "$dir/exabgp.conf" >"$BT_LOG/$ns-exabgp.out" 2>&1 &
	echo $! >"$dir/exabgp.pid"
}

# --- pmacct pmbmpd (collector, JSON log) ----------------------------------
# bt_pmbmpd NS PORT: listens on PORT in NS, one JSON object per line in
# $BT_RUN/NS/pmbmpd-PORT.json.
bt_pmbmpd() {
	local ns=$1 port=$2 dir=$BT_RUN/$1
	cat >"$dir/pmbmpd-$port.conf" <<EOC
bmp_daemon_ip: ::
bmp_daemon_port: $port
bmp_daemon_msglog_file: $dir/pmbmpd-$port.json
bmp_daemon_msglog_output: json
pidfile: $dir/pmbmpd-$port.pid
logfile: $BT_LOG/$ns-pmbmpd-$port.log
EOC
	bt_in "$ns" pmbmpd -f "$dir/pmbmpd-$port.conf" >"$BT_LOG/$ns-pmbmpd-$port.out" 2>&1 &
	echo $! >"$dir/pmbmpd-$port.daemon"
	bt_wait 10 bt_in "$ns" sh -c "ss -ltn | grep -q ':$port '"
}

# Kills every daemon this library started (by pid files under $BT_RUN).
bt_cleanup() {
	local f
	for f in "$BT_RUN"/*/*.pid "$BT_RUN"/*/*.daemon; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.5
	for ns in $(ip netns list | awk '{print $1}'); do ip netns del "$ns"; done
}

# The module built for the running kernel (make kmod-all).
bt_module_path() { echo "$BT_TOP/build/kmod/$(uname -r)/kmod/bmptap.ko"; }
bt_insmod() { lsmod | grep -q '^bmptap ' || insmod "$(bt_module_path)" "$@"; }
