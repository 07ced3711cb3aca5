# shellcheck shell=bash
# Sourced by tests/bench/run and tests/bench/compare-rev: how the framing
# core's benchmark is built and measured, so both count the same thing.

# us_inc: one -I per userspace/ folder (the Makefile's US_DIRS), from the
# current directory.
us_inc() {
	local d
	for d in userspace/*/; do printf -- '-I%s ' "${d%/}"; done
}

# bench_core_build SRCTOP OUT: tests/bench/bench_core.c with the core of the
# tree at SRCTOP (its userspace shim), -O2 like the module.
bench_core_build() {
	(cd "$1" && ${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -Werror -Iinclude/uapi -Ikmod/core \
		-o "$2" tests/bench/bench_core.c kmod/core/frame.c kmod/core/reasm.c kmod/core/shim_user.c)
}

# cg_ir FILE PATTERN...: the sum of the inclusive counts of those functions
# in a callgrind_annotate --inclusive=yes listing.
cg_ir() {
	local f=$1 p; shift
	for p in "$@"; do grep -m1 -F "$p [" "$f"; done | awk '{ gsub(",", "", $1); s += $1 } END { print s + 0 }'
}

# cg_core BENCH_CORE PREFIX: bench_core at 4 MB, one round, under callgrind;
# outputs PREFIX.txt, PREFIX (the profile), PREFIX.incl and PREFIX.self.
# Sets CG_IR_BYTE and CG_IR_MSG: the core's entry points, inclusive (the
# copy callback and the message sink included); each runs once ungated and
# once gated, hence the mean of the two.  Returns 1 if nothing was measured.
cg_core() {
	local bin=$1 p=$2 bytes msgs rs
	valgrind --tool=callgrind --callgrind-out-file="$p" "$bin" 4 1 >"$p.txt" 2>&1
	bytes=$(awk '/^bench_core:/ { printf "%d", $4 * 1e6 }' "$p.txt")
	msgs=$(awk '/^bench_core:/ { print $2 }' "$p.txt")
	callgrind_annotate --auto=no --inclusive=yes "$p" >"$p.incl" 2>/dev/null
	callgrind_annotate --auto=no "$p" >"$p.self" 2>/dev/null
	# bt_stream_*: the same entry points in revisions before the core's
	# bmptap_ prefix, which compare-rev may measure (one set exists per binary).
	rs=$(cg_ir "$p.incl" reasm.c:bmptap_stream_data reasm.c:bmptap_stream_ack reasm.c:bmptap_stream_flush \
		reasm.c:bt_stream_data reasm.c:bt_stream_ack reasm.c:bt_stream_flush)
	[ -n "$bytes" ] && [ -n "$msgs" ] && [ "$rs" != 0 ] || return 1
	CG_IR_BYTE=$(awk "BEGIN { printf \"%.3f\", $rs / 2 / $bytes }")
	CG_IR_MSG=$(awk "BEGIN { printf \"%.3f\", $rs / 2 / $msgs }")
}
