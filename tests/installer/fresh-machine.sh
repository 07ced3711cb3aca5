#!/bin/bash
# Runs tests/deps.sh as on machines in chosen states, a fresh one first, and
# checks what it would install.  A clean clone on a provisioned machine
# cannot show an installer bug (the packages are already there), so each
# scenario runs in a private mount namespace: /lib/modules and /boot are
# empty tmpfs (or hold what the scenario says), /usr/sbin is an overlay
# (deps.sh writes policy-rc.d there), and apt-get, apt-cache, dpkg-query and
# debconf-set-selections are replaced by pkgtool-recorder.  Needs root.
# Prints PASS:/FAIL: lines.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/bmptap-installer.XXXXXX)
trap 'rm -rf "$work"' EXIT
kver=6.12.99+deb12-amd64
# The list deps.sh itself declares: what a fresh machine must get.
eval "$(sed -n '/^base=(/,/)/p' "$top/tests/deps.sh")"
# What the guest tests cannot do without, whatever the list says.
essential=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 libmnl-dev libssl-dev stunnel4
	bird2 frr gobgpd exabgp pmacct tshark "linux-image-$kver-unsigned" "linux-headers-$kver")

run_deps() { # SCENARIO-DIR: runs deps.sh in the private namespace; output in DIR/out, exit in DIR/rc
	local s=$1
	mkdir -p "$s/u" "$s/w" "$s/modules" "$s/boot"
	touch "$s/calls"
	unshare -m --propagation private bash -c '
		set -e
		s=$1 top=$2 rec=$3
		mount -t tmpfs tmpfs /lib/modules 2>/dev/null || { mkdir -p /lib/modules && mount -t tmpfs tmpfs /lib/modules; }
		cp -a "$s/modules/." /lib/modules/
		mount -t tmpfs tmpfs /boot && cp -a "$s/boot/." /boot/
		mount -t overlay overlay -o "lowerdir=/usr/sbin,upperdir=$s/u,workdir=$s/w" /usr/sbin
		rm -f /usr/sbin/policy-rc.d
		for t in /usr/bin/apt-get /usr/bin/apt-cache /usr/bin/dpkg-query /usr/bin/debconf-set-selections; do
			mount --bind "$rec" "$t"
		done
		set +e
		RECORDER_STATE=$s "$top/tests/deps.sh" >"$s/out" 2>&1
		echo $? >"$s/rc"
		# deps.sh must remove the policy-rc.d it created.
		[ ! -e /usr/sbin/policy-rc.d ] || echo left >"$s/policy-left"
	' _ "$s" "$top" "$here/pkgtool-recorder"
}
result() { # NAME CONDITION-STATUS [DETAIL-FILE]
	if [ "$2" = 0 ]; then
		echo "PASS: installer: $1"
	else
		echo "FAIL: installer: $1"
		[ -n "${3:-}" ] && sed 's/^/    /' "$3" | tail -20
	fi
}
sorted() { printf '%s\n' "$@" | sort -u; }

# 1. A fresh machine: nothing installed, no package lists, no /lib/modules.
s=$work/fresh
mkdir -p "$s" && echo "$kver" >"$s/archive-kernel"
run_deps "$s"
result "fresh machine: deps.sh exits 0" "$(cat "$s/rc")" "$s/out"
grep -q '^apt-get .*update' "$s/calls"
result "fresh machine: package lists fetched before installing" $? "$s/calls"
expected=$(sorted "${base[@]}" "linux-image-$kver-unsigned" "linux-headers-$kver")
diff <(echo "$expected") <(sort -u "$s/install" 2>/dev/null) >"$s/diff"
result "fresh machine: installs exactly the declared packages and the 6.12 kernel" $? "$s/diff"
missing=0
for p in "${essential[@]}"; do grep -qx "$p" "$s/install" 2>/dev/null || { echo "not installed: $p"; missing=1; }; done >"$s/essential"
result "fresh machine: the guest tests' essentials are among them" $missing "$s/essential"
grep -q 'install-setuid boolean false' "$s/debconf" 2>/dev/null
result "fresh machine: tshark's setuid question answered" $? "$s/calls"
[ ! -e "$s/policy-left" ]
result "fresh machine: policy-rc.d removed afterwards" $?

# 2. A provisioned machine: nothing to do, apt-get never called.
s=$work/provisioned
mkdir -p "$s/modules/$kver/build" "$s/boot"
touch "$s/modules/$kver/build/Makefile" "$s/boot/vmlinuz-$kver"
printf '%s\n' "${base[@]}" >"$s/installed"
run_deps "$s"
! grep -q '^apt-get' "$s/calls" && [ "$(cat "$s/rc")" = 0 ] && grep -q 'all packages present' "$s/out"
result "provisioned machine: nothing installed, says so" $? "$s/out"

# 3. An install that fails: non-zero exit and a line naming what failed.
s=$work/fail-install
mkdir -p "$s" && echo "$kver" >"$s/archive-kernel" && touch "$s/fail-install"
run_deps "$s"
[ "$(cat "$s/rc")" != 0 ] && grep -q '^deps: failed (exit 100) at tests/deps.sh:[0-9]*: .*apt-get .*install' "$s/out"
result "failing apt-get install: exit non-zero, names the failed command" $? "$s/out"

# 4. No reachable archive: apt-get update fails, and says so.
s=$work/fail-update
mkdir -p "$s" && touch "$s/fail-update"
run_deps "$s"
[ "$(cat "$s/rc")" != 0 ] && grep -q 'E: Failed to fetch' "$s/out" && grep -q '^deps: failed' "$s/out"
result "failing apt-get update: exit non-zero, apt's reason shown" $? "$s/out"

# 5. An archive without a 6.12 kernel: the rest installs, the gap is named.
s=$work/no-612
mkdir -p "$s" && : >"$s/archive-kernel"
run_deps "$s"
[ "$(cat "$s/rc")" = 0 ] && grep -q 'no 6.12 kernel' "$s/out" && ! grep -q '^linux-image-6.12' "$s/install"
result "archive without a 6.12 kernel: the rest installed, the gap named" $? "$s/out"
