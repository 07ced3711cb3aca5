#!/bin/bash
# Runs inside the guest (tests/guest/run-guest, from tests/bench/run): the
# synthetic table from bgp-speaker to real daemons, tap off and on.
#
#  1. BIRD (AS65001, namespace b) receives the table from the speaker (s),
#     alternately without the module and with it loaded and bmptap-listen
#     draining the records; BENCH_REPS pairs.  Per run: transfer time (the
#     speaker's first UPDATE -> BIRD's last CPU tick of the burst) and BIRD's
#     CPU (utime+stime from /proc/PID/stat), plus the whole guest's busy CPU.
#     The tap's rx stream is decoded (bgp-speaker -c) and must hold every
#     prefix, with no gap and no lost record.
#  2. The same with bmptapd in b feeding a collector in c: BIRD's cost, and
#     the time until the collector has decoded the last prefix.
#  3. Without the module, GoBGP (namespace g) receives the same table and
#     exports BMP natively to a collector in c: the same time.
# The collector is tests/tools/bmp-sink (decodes every Route Monitoring
# UPDATE and counts its prefixes): pmbmpd, which logs JSON per prefix, is
# itself the bottleneck under TCG (~250 prefixes/s), so it would time the
# collector rather than the exporters.  A first unmeasured transfer warms
# TCG's translation cache for BIRD and the speaker.
# Results: "RESULT name value unit" lines and PASS:/FAIL: checks.
#
# Arguments (or environment): SCALE (BENCH_SCALE, table fraction for the
# tap off/on runs, default 0.1 - TCG is 10-30x slower than native),
# BMP_SCALE (BENCH_BMP_SCALE, table fraction for the BMP comparison, 2. and
# 3., default 0.05: GoBGP needs ~40x its native time under TCG), REPS
# (BENCH_REPS, off/on pairs, default 2), then LABEL=TOP... (default
# on=this tree): the trees whose modules, bmptapctl and bmptap-listen are
# measured in 1., in turn within each rep (tests/bench/compare-rev); with
# more than one tree only 1. runs, the results of the others suffixed _LABEL.
. "$BMPTAP_TOP/tests/lib/guest.sh"
B=$BT_TOP/build
SPK=$B/tools/bgp-speaker
SINK=$B/tools/bmp-sink
SCALE=${1:-${BENCH_SCALE:-0.1}}
GSCALE=${2:-${BENCH_BMP_SCALE:-0.05}}
REPS=${3:-${BENCH_REPS:-2}}
MODULES=("${@:4}")
[ ${#MODULES[@]} -gt 0 ] || MODULES=("on=$BT_TOP")
SEED=11
HZ=$(getconf CLK_TCK)

result() { echo "RESULT $*"; }
now() { echo "$EPOCHREALTIME"; }
# get_ticks PID: CT = utime + stime, without forking (polled every 0.1 s).
get_ticks() {
	local l a
	CT=0
	read -r l <"/proc/$1/stat" || return
	l=${l##*) }		# fields after "(comm) ", starting at field 3
	read -ra a <<<"$l"
	CT=$((a[11] + a[12]))
}
cpu_ticks() { get_ticks "$1"; echo "$CT"; }
# busy_ticks: the whole guest's non-idle jiffies (user nice system irq softirq).
busy_ticks() {
	local c u n s i io irq sirq rest
	read -r c u n s i io irq sirq rest </proc/stat
	echo $((u + n + s + irq + sirq))
}
fcalc() { awk "BEGIN { printf \"%.3f\", $* }"; }

bt_modprobe veth
bt_host s && bt_host b && bt_host c && bt_host g
bt_link s b 1
bt_link b c 2
bt_link s g 3
bt_link g c 4

bird_conf="router id 10.0.1.2;
protocol device {}
protocol bgp spk {
	local 10.0.1.2 as 65001; neighbor 10.0.1.1 as 4200000100; passive on;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}"

bird_stop() {
	local p; p=$(cat "$BT_RUN/b/bird.pid" 2>/dev/null)
	[ -n "$p" ] && kill "$p" 2>/dev/null
	bt_wait 20 sh -c "! kill -0 $p 2>/dev/null"
	rm -f "$BT_RUN/b/bird.ctl" "$BT_RUN/b/bird.pid"
}
bird_nets() { # TABLE
	bt_birdc b show route count table "$1" | sed -n 's/.* for \([0-9]*\) networks.*/\1/p' | head -1
}

# speaker NAME ADDR PEER-AS NH6 SCALE: starts the speaker in s, waits for RESULT.
speaker() {
	local out=$BT_RUN/$1.spk
	ip netns exec s "$SPK" connect "$2" 179 -a 4200000100 -p "$3" -6 "$4" -S "$5" -s $SEED \
		>"$out" 2>"$out.err" &
	SPK_PID=$!
	local deadline=$((EPOCHSECONDS + 900)) c=""
	# Polled without forking (see nap).
	until [[ $c == *RESULT* ]]; do
		[ "$EPOCHSECONDS" -lt "$deadline" ] || { cat "$out" "$out.err"; return 1; }
		nap 0.05
		[ -e "$out" ] && IFS= read -r -d '' c <"$out"
	done
	SPK_FIRST=$(sed -n 's/.* first_epoch=\([0-9.]*\).*/\1/p' "$out")
	SPK_ACK=$(sed -n 's/.* ack_s=\([0-9.]*\).*/\1/p' "$out")
	WANT4=$(sed -n 's/^table prefixes4=\([0-9]*\).*/\1/p' "$out")
	WANT6=$(sed -n 's/^table .*prefixes6=\([0-9]*\).*/\1/p' "$out")
}
speaker_stop() { kill -TERM "$SPK_PID" 2>/dev/null; wait "$SPK_PID" 2>/dev/null; }

# A sleep without fork+exec (exec is slow under TCG and would load the CPU
# being measured): read with a timeout on a FIFO nobody writes (opened
# read-write so the open does not block; the guest has no /dev/fd for <(:)).
mkfifo "$BT_RUN/nap.fifo" && exec {NAPFD}<>"$BT_RUN/nap.fifo" ||
	{ echo "bench: no FIFO for nap"; exit 1; }
nap() { read -r -t "$1" -u "$NAPFD"; }

# wait_idle PID: after the table was sent, waits until PID has used no CPU
# for 1 s (BIRD has no frequent timers); sets DONE (epoch of the last
# sample that saw it busy).  10 ms ticks, 0.1 s samples.
wait_idle() {
	local pid=$1 t last_c last_t deadline=$((EPOCHSECONDS + 900))
	get_ticks "$pid"; last_c=$CT; last_t=${EPOCHREALTIME/./}
	while [ "$EPOCHSECONDS" -lt "$deadline" ]; do
		nap 0.1
		get_ticks "$pid"; t=${EPOCHREALTIME/./}
		if [ "$CT" != "$last_c" ]; then
			last_c=$CT; last_t=$t
		elif [ $((t - last_t)) -gt 1000000 ]; then
			break
		fi
	done
	DONE=$(fcalc "$last_t / 1e6")
}

# bird_run NAME [SCALE]: one transfer of the table to a fresh BIRD; sets
# T_XFER, CPU_BIRD, CPU_ALL.
bird_run() {
	local name=$1 scale=${2:-$SCALE} c0 a0 bp
	bt_bird b "$bird_conf" || return 1
	bp=$(cat "$BT_RUN/b/bird.pid")
	c0=$(cpu_ticks "$bp"); a0=$(busy_ticks)
	speaker "$name" 10.0.1.2 65001 fd00:1::1 "$scale" || return 1
	wait_idle "$bp"
	CPU_BIRD=$(fcalc "($(cpu_ticks "$bp") - $c0) / $HZ")
	CPU_ALL=$(fcalc "($(busy_ticks) - $a0) / $HZ")
	T_XFER=$(fcalc "$DONE - $SPK_FIRST")
	local n4 n6; n4=$(bird_nets master4); n6=$(bird_nets master6)
	bt_check "bench: $name: BIRD has the whole table ($n4/$WANT4 + $n6/$WANT6)" \
		test "$n4" = "$WANT4" -a "$n6" = "$WANT6"
	echo "$name: transfer ${T_XFER}s (speaker acked after ${SPK_ACK}s), BIRD cpu ${CPU_BIRD}s, guest busy ${CPU_ALL}s"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "bench: guest $(uname -r), $(nproc) vCPU, scale $SCALE (BMP comparison $GSCALE), $REPS reps, HZ $HZ, guest load $(cut -d' ' -f1-3 /proc/loadavg)"

ART=/mnt/results/artifacts
mkdir -p "$ART" 2>/dev/null || ART=$BT_RUN/artifacts
mkdir -p "$ART"
"$SPK" -w /dev/null -S "$SCALE" -s $SEED >"$BT_RUN/gen.txt"
TOTAL=$(sed -n 's/^table prefixes4=\([0-9]*\) prefixes6=\([0-9]*\).*/\1 \2/p' "$BT_RUN/gen.txt" | awk '{ print $1 + $2 }')

# ---- 0. warm-up (not measured) ------------------------------------------------
bird_run warmup >/dev/null || bt_fail "bench: warm-up run"
speaker_stop; bird_stop

# ---- 1. BIRD, tap off vs tap on (bmptap-listen draining) ------------------
off_t="" off_c="" off_a=""
declare -A on_t on_c on_a rd_c hk_c hk_share
# The module's own measure of its CPU time (show counters hook_ns): unlike
# BIRD's CPU on/off, it does not drown in the TCG guest's run-to-run noise.
# Read with the tree's own bmptapctl: counter numbers may differ between trees.
hook_ns() {
	ip netns exec b "$1/build/bmptapctl" -j show counters | tr ',{}' '\n\n\n' |
		grep '"hook_ns"' | grep -o '[0-9]*' | head -1
}
# tap_run LABEL TOP REP: a transfer with TOP's module and bmptap-listen.
tap_run() {
	local label=$1 top=$2 rep=$3 name=$1$3 out=$BT_RUN/tap$1$3 lpid l0 h0 rd hk lrc f cnt got4 got6
	insmod "$top/build/kmod/$(uname -r)/kmod/bmptap.ko" || { bt_fail "bench: insmod $top"; return 1; }
	ip netns exec b "$top/build/tools/bmptap-listen" -o "$out" -t 1200 -n 1 >"$out.listen" 2>&1 &
	lpid=$!
	bt_wait 20 test -e "$out/ready"
	l0=$(cpu_ticks $lpid); h0=$(hook_ns "$top")
	bird_run "$name" || { bt_fail "bench: $name run"; return 1; }
	rd=$(fcalc "($(cpu_ticks $lpid) - $l0) / $HZ")
	hk=$(fcalc "($(hook_ns "$top") - $h0) / 1e9")
	echo "$name: the module's hooks spent ${hk}s on tapped segments (hook_ns)"
	on_t[$label]+=" $T_XFER"; on_c[$label]+=" $CPU_BIRD"; on_a[$label]+=" $CPU_ALL"
	rd_c[$label]+=" $rd"; hk_c[$label]+=" $hk"
	hk_share[$label]+=" $(fcalc "$hk / $CPU_BIRD")"
	speaker_stop
	wait $lpid; lrc=$?
	bird_stop
	rmmod bmptap
	bt_check "bench: $name: bmptap-listen saw the flow end, no hole, nothing lost (rc=$lrc)" test $lrc = 0
	bt_check "bench: $name: no gap records" sh -c "! grep -q 'type=gap\|type=lost' '$out/records.log'"
	f=$(ls "$out"/flow*.rx | head -1)
	cnt=$("$SPK" -c "$f"); echo "tap rx stream: $cnt"
	got4=$(sed -n 's/.*prefixes4=\([0-9]*\).*/\1/p' <<<"$cnt")
	got6=$(sed -n 's/.*prefixes6=\([0-9]*\).*/\1/p' <<<"$cnt")
	bt_check "bench: $name: the tap delivered every prefix ($got4 + $got6)" \
		test "$got4" = "$WANT4" -a "$got6" = "$WANT6"
	[ "$rep" = 1 ] && [ "$label" = "${MODULES[0]%%=*}" ] &&
		result tap_prefixes_delivered "$((got4 + got6))" "of $((WANT4 + WANT6))"
	rm -rf "$out"
}
for rep in $(seq 1 "$REPS"); do
	lsmod | grep -q '^bmptap ' && rmmod bmptap
	bird_run "off$rep" || { bt_fail "bench: off$rep run"; break; }
	off_t+=" $T_XFER"; off_c+=" $CPU_BIRD"; off_a+=" $CPU_ALL"
	speaker_stop; bird_stop
	# Alternated within each rep, so the host's load drifts over all alike,
	# and in reverse order every other rep: whichever runs first after the
	# tap-off run pays for translating the kernel paths the tap wakes.
	order=("${MODULES[@]}")
	if [ $((rep % 2)) = 0 ]; then
		order=()
		for m in "${MODULES[@]}"; do order=("$m" "${order[@]}"); done
	fi
	for m in "${order[@]}"; do
		tap_run "${m%%=*}" "${m#*=}" "$rep" || break 2
	done
done
m_off_t=$(median <<<"$off_t") m_off_c=$(median <<<"$off_c") m_off_a=$(median <<<"$off_a")
result table_prefixes $((WANT4 + WANT6)) "scale $SCALE"
result bird_transfer_off "$m_off_t" "s (runs:$off_t)"
result bird_cpu_off "$m_off_c" "s (runs:$off_c)"
result guest_cpu_off "$m_off_a" "s"
for m in "${MODULES[@]}"; do
	l=${m%%=*}
	# The first tree's results keep their plain names (tests/bench/run).
	[ "$l" = "${MODULES[0]%%=*}" ] && k="" || k="_$l"
	m_on_t=$(median <<<"${on_t[$l]:-}") m_on_c=$(median <<<"${on_c[$l]:-}") m_on_a=$(median <<<"${on_a[$l]:-}")
	result bird_transfer_on$k "$m_on_t" "s (runs:${on_t[$l]:-})"
	result bird_transfer_ratio$k "$(fcalc "$m_on_t / $m_off_t")" "tap on / off"
	result bird_cpu_on$k "$m_on_c" "s (runs:${on_c[$l]:-})"
	result bird_cpu_ratio$k "$(fcalc "$m_on_c / $m_off_c")" "tap on / off (target <= 1.05)"
	result guest_cpu_on$k "$m_on_a" "s (kernel tap + bmptap-listen + BIRD + speaker)"
	result guest_cpu_ratio$k "$(fcalc "$m_on_a / $m_off_a")" "tap on / off"
	result listen_cpu$k "$(median <<<"${rd_c[$l]:-}")" "s (bmptap-listen draining the records)"
	result tap_hook_cpu$k "$(median <<<"${hk_c[$l]:-}")" "s (the module's hooks, hook_ns; runs:${hk_c[$l]:-})"
	result tap_hook_share$k "$(median <<<"${hk_share[$l]:-}")" "of BIRD's CPU (hook time / BIRD CPU, target <= 0.05; runs:${hk_share[$l]:-})"
done
# Comparing trees (tests/bench/compare-rev): the tap's share is all it wants.
[ "${#MODULES[@]}" -gt 1 ] && { bt_cleanup; bt_done; }

# ---- 2. BIRD with bmptapd feeding a collector ----------------------------------
"$SPK" -w /dev/null -S "$GSCALE" -s $SEED >"$BT_RUN/gen-g.txt"
GTOTAL=$(sed -n 's/^table prefixes4=\([0-9]*\) prefixes6=\([0-9]*\).*/\1 \2/p' "$BT_RUN/gen-g.txt" | awk '{ print $1 + $2 }')
# sink NAME PORT TARGET: bmp-sink in c; SINK_OUT is its output file.
sink_start() {
	SINK_OUT=$BT_RUN/$1.sink
	ip netns exec c "$SINK" :: "$2" -n "$3" >"$SINK_OUT" 2>&1 &
	SINK_PID=$!
	bt_wait 10 grep -q ready "$SINK_OUT"
}
sink_val() { sed -n "s/^SINK done .* $1=\([0-9.]*\).*/\1/p" "$SINK_OUT"; }

if [ -x "$B/bmptapd" ]; then
	bt_insmod
	sink_start bmptapd 11019 "$GTOTAL"
	ip netns exec b "$B/bmptapd" -q >"$BT_LOG/bmptapd.out" 2>&1 &
	dpid=$!
	bt_wait 10 sh -c "ip netns exec b $B/bmptapctl show status >/dev/null 2>&1"
	bt_in b "$B/bmptapctl" server add 10.0.2.2 port 11019 sys-name bench >/dev/null
	bt_wait 30 grep -q '^accepted' "$SINK_OUT" || bt_fail "bench: bmptapd connected to the collector"
	d0=$(cpu_ticks $dpid)
	if bird_run bmptapd "$GSCALE"; then
		if bt_wait 1200 grep -q '^SINK done' "$SINK_OUT"; then
			T_BMPTAP=$(fcalc "$(sink_val last_epoch) - $SPK_FIRST")
			result bmptapd_collector_time "$T_BMPTAP" "s first UPDATE -> the collector decoded the last prefix (scale $GSCALE)"
		else
			bt_fail "bench: bmptapd: the collector did not get the whole table"
		fi
		result bmptapd_cpu "$(fcalc "($(cpu_ticks $dpid) - $d0) / $HZ")" "s"
		rss=$(awk '/VmRSS/ { print $2 }' /proc/$dpid/status)
		result bmptapd_rss_kb "$rss" "kB ($(fcalc "$rss * 1024 / $GTOTAL") bytes/prefix, whole process)"
		result bird_cpu_bmptapd "$CPU_BIRD" "s BIRD with tap + bmptapd (scale $GSCALE)"
		result guest_cpu_bmptapd "$CPU_ALL" "s (kernel tap + bmptapd + BIRD + speaker + collector)"
	else
		bt_fail "bench: bmptapd run"
	fi
	speaker_stop
	kill -TERM $dpid; wait $dpid
	kill -TERM $SINK_PID; wait $SINK_PID
	got=$(sed -n 's/^SINK final prefixes=\([0-9]*\).*/\1/p' "$SINK_OUT")
	bt_check "bench: bmptapd: the collector decoded every prefix ($got of $GTOTAL)" test "$got" = "$GTOTAL"
	result bmptapd_collector_prefixes "$got" "of $GTOTAL"
	cp "$SINK_OUT" "$BT_LOG/bmptapd.out" "$ART/" 2>/dev/null
	bird_stop
	rmmod bmptap
else
	echo "bench: no build/bmptapd: skipping the bmptapd feed"
fi

# ---- 3. GoBGP with native BMP ------------------------------------------------
sink_start gobgp 11020 "$GTOTAL"
bt_gobgp g "[global.config]
  as = 65002
  router-id = \"10.0.3.2\"
[[neighbors]]
  [neighbors.config]
    neighbor-address = \"10.0.3.1\"
    peer-as = 4200000100
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = \"ipv4-unicast\"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = \"ipv6-unicast\"
[[bmp-servers]]
  [bmp-servers.config]
    address = \"10.0.4.2\"
    port = 11020
    route-monitoring-policy = \"pre-policy\""
gp=""
for p in $(ip netns pids g); do [ "$(cat /proc/$p/comm)" = gobgpd ] && gp=$p; done
bt_wait 60 grep -q '^accepted' "$SINK_OUT" || bt_fail "bench: GoBGP connected to the collector"
g0=$(cpu_ticks "$gp")
if speaker gobgp 10.0.3.2 65002 fd00:3::1 "$GSCALE"; then
	if bt_wait 1500 grep -q '^SINK done' "$SINK_OUT"; then
		T_GOBGP=$(fcalc "$(sink_val last_epoch) - $SPK_FIRST")
		result gobgp_collector_time "$T_GOBGP" "s first UPDATE -> the collector decoded the last prefix (scale $GSCALE)"
		result gobgp_cpu "$(fcalc "($(cpu_ticks "$gp") - $g0) / $HZ")" "s"
		result gobgp_rss_kb "$(awk '/VmRSS/ { print $2 }' /proc/"$gp"/status)" "kB"
		if [ -n "${T_BMPTAP:-}" ]; then
			result collector_time_ratio "$(fcalc "$T_BMPTAP / $T_GOBGP")" "bmptap (BIRD + tap + bmptapd) / GoBGP native BMP"
		fi
	else
		bt_fail "bench: GoBGP: the collector did not get the whole table"
	fi
else
	bt_fail "bench: GoBGP run"
fi
speaker_stop
kill -TERM $SINK_PID; wait $SINK_PID
got=$(sed -n 's/^SINK final prefixes=\([0-9]*\).*/\1/p' "$SINK_OUT")
bt_check "bench: GoBGP: the collector decoded every prefix ($got of $GTOTAL)" test "$got" = "$GTOTAL"
result gobgp_collector_prefixes "$got" "of $GTOTAL"
cp "$SINK_OUT" "$ART/" 2>/dev/null
bt_cleanup
bt_done
