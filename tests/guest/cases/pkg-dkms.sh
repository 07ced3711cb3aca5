#!/bin/bash
# The packages install the way operators install them: on a writable copy of
# the host's root (overlay on a tmpfs, chrooted into), `dpkg -i` of
# bmptap-dkms and bmptap makes dkms build and install bmptap.ko for the
# running kernel; then `modprobe bmptap` and `bmptapctl show tap` work.  The
# other kernels are hidden in the copy: the postinst would build for the
# newest one too, which doubles a build that takes many minutes under TCG
# (tests/pkg/check builds for every kernel on the host).  Needs build/deb from `make deb` (tests/pkg/check
# runs it before the guest suites).
. "$BMPTAP_TOP/tests/lib/guest.sh"
version=$(cat "$BT_TOP/VERSION")
arch=$(dpkg --print-architecture)
debs=("$BT_TOP/build/deb/bmptap-dkms_${version}_all.deb" "$BT_TOP/build/deb/bmptap_${version}_${arch}.deb")
bt_check "pkg-dkms: both packages built (make deb)" ls "${debs[@]}"

ovl=$BT_RUN/ovl root=$BT_RUN/ovl/root
mkdir -p "$ovl"
mount -t tmpfs tmpfs "$ovl"
mkdir -p "$ovl/upper" "$ovl/work" "$root"
# /mnt/host is the host's root alone, without the guest's tmpfs mounts: it
# holds the real dpkg database, /lib/modules and the kernel headers.
bt_check "pkg-dkms: writable overlay of the host root" \
	mount -t overlay overlay -o "lowerdir=/mnt/host,upperdir=$ovl/upper,workdir=$ovl/work" "$root"
for d in proc sys dev dev/pts; do mount --bind "/$d" "$root/$d"; done
mount -t tmpfs tmpfs "$root/tmp"
mount -t tmpfs tmpfs "$root/run"
cp "${debs[@]}" "$root/tmp/"
k=$(uname -r)
for m in "$root"/lib/modules/*; do
	[ "$(basename "$m")" = "$k" ] || rm -rf "$m"
done
in_root() { chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

t0=$(date +%s)
# Streamed with times: the dkms build is the slow part of this case.
in_root dpkg -i "${debs[@]/#*\//\/tmp\/}" 2>&1 | while IFS= read -r l; do bt_log "dpkg: $l"; done
drc=${PIPESTATUS[0]}
bt_log "dpkg -i (dkms build under TCG) took $(( $(date +%s) - t0 )) s"
bt_check "pkg-dkms: dpkg -i bmptap-dkms bmptap succeeds" test "$drc" = 0
bt_check "pkg-dkms: dkms status: bmptap/$version installed for $k" \
	sh -c "chroot '$root' dkms status bmptap/$version -k '$k' | grep -q ': installed'"
bt_check "pkg-dkms: module installed under /lib/modules/$k/updates/dkms" \
	sh -c "ls '$root'/lib/modules/'$k'/updates/dkms/bmptap.ko*"
bt_check "pkg-dkms: modprobe bmptap (from the chroot)" in_root modprobe bmptap
bt_check "pkg-dkms: loaded module's version is $version" \
	test "$(cat /sys/module/bmptap/version 2>/dev/null)" = "$version"
bt_check "pkg-dkms: packaged bmptapctl show tap" in_root /usr/sbin/bmptapctl show tap
bt_check "pkg-dkms: units point at the packaged bmptapd" \
	grep -q '^ExecStart=/usr/sbin/bmptapd' "$root/lib/systemd/system/bmptapd.service"
bt_check "pkg-dkms: modules-load.d entry" grep -qx bmptap "$root/usr/lib/modules-load.d/bmptap.conf"
rmmod bmptap
bt_check "pkg-dkms: dpkg -r removes the module from the dkms tree" \
	sh -c "chroot '$root' env PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -r bmptap bmptap-dkms >'$BT_LOG/dpkg-r.log' 2>&1 &&
		! ls '$root'/lib/modules/'$k'/updates/dkms/bmptap.ko* 2>/dev/null"
umount "$root/run" "$root/tmp" "$root/dev/pts" "$root/dev" "$root/sys" "$root/proc"
umount "$root" "$ovl"
bt_done
