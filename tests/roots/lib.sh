# Sourced by tests/roots/check and check-daemons: PASS/FAIL accounting and
# one guest boot's cases counted into it.
pass=0 fail=0
result() { # NAME STATUS [LOG]
	if [ "$2" = 0 ]; then
		echo "PASS: $1"; pass=$((pass + 1))
	else
		echo "FAIL: $1"; fail=$((fail + 1))
		[ -n "${3:-}" ] && tail -n 30 "$3" | sed 's/^/    /'
	fi
}
# guest_cases LABEL OUT RUN-GUEST-ARGS... -- CASE...: one boot running the
# cases (tests/guest/suite), their PASS/FAIL lines tagged [LABEL], the
# guest's kernel log and exit checked.
guest_cases() {
	local label=$1 out=$2 args=() files=() c line grc
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	for c in "$@"; do files+=("tests/guest/cases/$c.sh"); done
	tests/guest/run-guest "${args[@]}" --timeout 3600 --results "${out%.out}" \
		tests/guest/suite -t 900 "${files[@]}" >"$out" 2>&1
	grc=$?
	while IFS= read -r line; do
		case $line in
		PASS:*) pass=$((pass + 1)); echo "$line [$label]" ;;
		FAIL:*) fail=$((fail + 1)); echo "$line [$label]" ;;
		esac
	done <"$out"
	grep -q 'kernel problem in the guest log' "$out"
	[ $? != 0 ]
	result "roots: $label guest kernel log clean" $? "$out"
	[ "$grc" = 0 ] || grep -q '^FAIL:' "$out" ||
		result "roots: $label guest run (exit $grc)" 1 "$out"
}
