#!/bin/bash
# SIGHUP ends bmptapd as SIGTERM does, on the host without the module:
# bmptapd --records replays a recorded session (bgp-speaker -W) to a
# bmp-sink collector; after the table arrived, SIGHUP must bring every
# collector a Termination and bmptapd must exit 0 (the default action
# would kill it silently).  Prints PASS:/FAIL: lines; exit 1 if any failed.
set -uo pipefail
HOST_TEST=sighup
. "$(dirname "$0")/lib.sh"
exited() { # PID: not running any more
	! kill -0 "$1" 2>/dev/null
}

port=$((20000 + RANDOM % 20000))
"$B/tools/bgp-speaker" -w "$tmp/t.bgp" -W "$tmp/t.rec" -S 0.002 -q >"$tmp/gen.txt" || exit 1
p4=$(sed -n 's/.*prefixes4=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
p6=$(sed -n 's/.*prefixes6=\([0-9]*\).*/\1/p' "$tmp/gen.txt")
"$B/tools/bmp-sink" 127.0.0.1 "$port" -n $((p4 + p6)) -e 2 >"$tmp/sink.txt" 2>&1 & sink=$!
pids+=($sink)
waitfor 10 grep -q ready "$tmp/sink.txt"
"$B/bmptapd" --records "$tmp/t.rec" --server "127.0.0.1 port $port" 2>"$tmp/bmptapd.log" &
bt=$!
pids+=($bt)
check "the table reached the collector" waitfor 30 grep -q '^SINK done' "$tmp/sink.txt"
kill -HUP "$bt"
check "bmptapd exits on SIGHUP" waitfor 20 exited "$bt"
rc=255
exited "$bt" && { wait "$bt"; rc=$?; }
check "... with status 0" test "$rc" -eq 0
check "... logging the signal" grep -q 'signal 1: shutting down' "$tmp/bmptapd.log"
kill -TERM "$sink"
wait "$sink"
check "the collector got one Termination" grep -q '^SINK final .* term=1$' "$tmp/sink.txt"
[ "$fails" -eq 0 ] || { cat "$tmp/bmptapd.log" "$tmp/sink.txt" | tail -20 | sed 's/^/    /'; exit 1; }
