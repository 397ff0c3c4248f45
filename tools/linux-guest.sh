#!/usr/bin/env bash
# The stock Debian Linux guest: a kernel and a busybox initramfs that boot,
# report and power off.
#
#   linux-guest.sh [OUTDIR]        (default: build/linux)
#
# Makes OUTDIR/vmlinuz (the stock Debian 12 kernel, the package that the
# `linux-image-amd64` metapackage depends on, e.g. linux-image-6.1.0-56-amd64)
# and OUTDIR/initrd.cpio.gz (cpio newc, gzip: /init plus a static busybox
# from `busybox-static`).  Both .debs come from `apt-get download` (nothing
# is installed) and stay in OUTDIR/debs/ as a cache; OUTDIR/version says
# what was used.  Nothing of this is ever committed (build/ is ignored).
# When both outputs exist and are newer than this script, nothing is done;
# delete OUTDIR (or touch this script) to rebuild, OUTDIR/debs to re-fetch.
#
# What /init does (busybox sh), with the kernel command line
# "console=ttyS0 ...":
#   - mounts /proc, /sys and devtmpfs on /dev;
#   - by default prints, on /dev/console (ttyS0), exactly one line
#         TRIVISOR-LINUX-OK cpus=N        (N = online CPUs in /proc/cpuinfo)
#     then one line "TRIVISOR-LINUX-UNAME <uname -r>", and powers off with
#     `poweroff -f` (ACPI S5; the kernel prints "reboot: Power down");
#   - with "tvtest=shell" on the command line it starts an interactive
#     shell on the console instead, and powers off when the shell exits.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SELF=$ROOT/tools/linux-guest.sh
OUT=${1:-$ROOT/build/linux}
META=linux-image-amd64
BUSYBOX=busybox-static

die() {
	echo "linux-guest: $*" >&2
	exit 1
}

if [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.cpio.gz" ] &&
	[ "$OUT/vmlinuz" -nt "$SELF" ] && [ "$OUT/initrd.cpio.gz" -nt "$SELF" ]; then
	echo "linux-guest: $OUT is up to date ($(cat "$OUT/version" 2>/dev/null || echo '?'))"
	exit 0
fi

for t in apt-get apt-cache dpkg-deb cpio gzip tar; do
	command -v "$t" >/dev/null || die "'$t' is missing; run 'make deps'"
done
mkdir -p "$OUT/debs"

# The concrete kernel package behind the metapackage (its first
# "Depends: linux-image-*").
kpkg=$(apt-cache depends "$META" 2>/dev/null |
	awk '$1 ~ /Depends:$/ && $2 ~ /^linux-image-[0-9]/ { print $2; exit }') || true
[ -n "$kpkg" ] || die "cannot resolve '$META' to a kernel package with 'apt-cache depends $META'; run 'apt-get update' (the package lists may be missing)"

# fetch PKG: prints the path of PKG's .deb, from the cache or downloaded.
fetch() {
	local pkg=$1 deb opts=()
	deb=$(find "$OUT/debs" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n 1)
	if [ -z "$deb" ]; then
		echo "linux-guest: downloading $pkg" >&2
		# As root, apt would try to drop to its sandbox user _apt, who may
		# not be able to write here.
		[ "$(id -u)" -ne 0 ] || opts=(-o APT::Sandbox::User=root)
		(cd "$OUT/debs" && apt-get -q "${opts[@]}" download "$pkg") >&2 ||
			die "'apt-get download $pkg' failed; run 'apt-get update' and check access to the Debian archive"
		deb=$(find "$OUT/debs" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n 1)
		[ -n "$deb" ] || die "'apt-get download $pkg' left no ${pkg}_*.deb in $OUT/debs"
	fi
	echo "$deb"
}

kdeb=$(fetch "$kpkg")
bdeb=$(fetch "$BUSYBOX")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The kernel: only ./boot/vmlinuz-* out of the package (the modules are
# hundreds of MB and the initramfs needs none of them).
mkdir -p "$tmp/k"
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$tmp/k" --wildcards './boot/vmlinuz-*' ||
	die "no /boot/vmlinuz-* in $kdeb (a broken download? delete it and rerun)"
vmlinuz=$(find "$tmp/k/boot" -name 'vmlinuz-*' | head -n 1)
[ -n "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kdeb"
release=${vmlinuz##*/vmlinuz-}

# The initramfs.  /dev/console comes from the kernel's built-in initramfs
# (unpacked before this one), so no device node is needed here.
dpkg-deb -x "$bdeb" "$tmp/bb"
[ -x "$tmp/bb/bin/busybox" ] || die "no /bin/busybox in $bdeb"
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$tmp/bb/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
# trivisor's Linux test guest (made by tools/linux-guest.sh).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
case " $(cat /proc/cmdline) " in
*" tvtest=shell "*)
	echo "trivisor Linux guest $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU(s); exit the shell to power off"
	setsid cttyhack sh -l
	poweroff -f
	;;
esac
# Keep the kernel's late messages from splitting the marker line.
dmesg -n 1
echo "TRIVISOR-LINUX-OK cpus=$(grep -c ^processor /proc/cpuinfo)"
echo "TRIVISOR-LINUX-UNAME $(uname -r)"
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --reproducible --quiet) | gzip -9n >"$tmp/initrd.cpio.gz"

cp "$vmlinuz" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
mv "$tmp/initrd.cpio.gz" "$OUT/initrd.cpio.gz"
echo "$kpkg $(dpkg-deb -f "$kdeb" Version) (uname -r $release), $BUSYBOX $(dpkg-deb -f "$bdeb" Version)" >"$OUT/version"
echo "linux-guest: made $OUT/vmlinuz ($release) and $OUT/initrd.cpio.gz"
