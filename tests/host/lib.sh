# Shared by the host-side tests (sourced after setting HOST_TEST to the
# test's name): a temp dir, background pids killed on exit, PASS:/FAIL:
# lines counted in $fails, and a bounded wait.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$top/build
tmp=$(mktemp -d "/tmp/bmptap-$HOST_TEST.XXXXXX")
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
check() { # NAME CMD...
	if "${@:2}" >>"$tmp/checks.log" 2>&1; then
		echo "PASS: $HOST_TEST-host: $1"
	else
		echo "FAIL: $HOST_TEST-host: $1"; fails=$((fails + 1))
		tail -n 20 "$tmp/checks.log" | sed 's/^/    /'
	fi
}
waitfor() { # SECONDS CMD...
	local end=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
# Prometheus samples in a scraped FILE:
value() { # FILE SERIES: the sample's value, exactly as written
	awk -v s="$2" '$1 == s { print $2; f = 1 } END { exit !f }' "$1"
}
is() { # FILE SERIES VALUE
	local v
	v=$(value "$1" "$2") || { echo "$2: missing"; return 1; }
	[ "$v" = "$3" ] || { echo "$2 = $v, want $3"; return 1; }
}
positive() { # FILE SERIES
	local v
	v=$(value "$1" "$2") || { echo "$2: missing"; return 1; }
	[ "$v" -gt 0 ] || { echo "$2 = $v"; return 1; }
}
