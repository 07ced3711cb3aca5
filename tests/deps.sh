#!/bin/bash
# Installs the Debian packages bmptap's build, tests and demo need.
# Idempotent: installs only what is missing, runs `apt-get update` only when
# a package cannot be found in the current lists.  Must run as root on a
# machine that lacks anything.
set -Eeuo pipefail
# A failed command must never end the installer silently.
trap 'echo "deps: failed (exit $?) at tests/deps.sh:$LINENO: $BASH_COMMAND" >&2' ERR

# The 6.12 kernel comes from the same archive (bookworm's security/updates
# suites carry linux-image-6.12.*+deb12); take the newest one listed.
kernel612() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -1 | sed 's/^linux-image-//; s/-unsigned$//'
}

base=(build-essential pkg-config kmod cpio xz-utils procps iproute2 iputils-ping
	tcpdump ethtool busybox-static qemu-system-x86 dwarves mmdebstrap
	linux-image-amd64 linux-headers-amd64
	libmnl-dev libssl-dev openssl stunnel4 libnl-genl-3-dev libcmocka-dev clang valgrind
	bird2 frr gobgpd exabgp pmacct tshark xxd prometheus curl jq systemd python3
	dkms dh-dkms debhelper fakeroot lintian)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

need=$(missing "${base[@]}")
# A fresh machine has no /lib/modules at all: the glob must expand to nothing,
# not fail the pipeline.
shopt -s nullglob
installed612=(/lib/modules/6.12.*+deb12-amd64)
shopt -u nullglob
k612=
[ ${#installed612[@]} -eq 0 ] || k612=$(printf '%s\n' "${installed612[@]}" | sort -V | tail -1)
if [ -z "$k612" ] || [ ! -e "$k612/build/Makefile" ] || [ ! -e "/boot/vmlinuz-$(basename "$k612")" ]; then
	v=$(kernel612)
	if [ -z "$v" ]; then
		apt-get update -qq
		v=$(kernel612)
	fi
	if [ -n "$v" ]; then
		need="$need linux-image-$v-unsigned linux-headers-$v"
	else
		echo "deps: no 6.12 kernel (linux-image-6.12.*+deb12-amd64-unsigned) in the archive lists; the 6.12 guest runs will fail" >&2
	fi
fi
need=$(echo $need)
if [ -z "$need" ]; then
	echo "deps: all packages present"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "deps: missing packages ($need); run as root" >&2; exit 1; }
echo "deps: installing $need"
# Refresh the lists only when some package has no install candidate.
for p in $need; do
	if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then
		apt-get update -qq
		break
	fi
done
# Keep the daemons' packages from starting services on this machine: the
# tests run them inside the guest only.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
# tshark asks whether non-root users may capture: answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need
