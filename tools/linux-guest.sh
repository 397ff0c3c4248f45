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
# The initramfs also holds /bin/vmitest, the workload program built here
# from tests/linux-workload/vmitest.c (gcc -static -O2 -pthread).  When both
# outputs exist and are newer than this script and the workload's sources,
# nothing is done; delete OUTDIR (or touch this script) to rebuild,
# OUTDIR/debs to re-fetch.
#
# What /init does (busybox sh), with the kernel command line
# "console=ttyS0 ...":
#   - mounts /proc, /sys and devtmpfs on /dev;
#   - by default prints, on /dev/console (ttyS0), exactly one line
#         TRIVISOR-LINUX-OK cpus=N        (N = online CPUs in /proc/cpuinfo)
#     then one line "TRIVISOR-LINUX-UNAME <uname -r>", and powers off with
#     `poweroff -f` (ACPI S5; the kernel prints "reboot: Power down");
#   - with "tvtest=shell" on the command line it starts an interactive
#     shell on the console instead, and powers off when the shell exits;
#   - with "tvtest=vmi" it prints "TRIVISOR-CLOCKSOURCE <name>" (the current
#     clocksource, from sysfs), runs `vmitest work` (options from
#     "tvwork=KEY=N,KEY=N" on the command line) and prints its lines, then
#     /proc/interrupts between TRIVISOR-INTERRUPTS-BEGIN and
#     TRIVISOR-INTERRUPTS-END, then the marker line above if the workload
#     passed, else "TRIVISOR-LINUX-FAIL <reason>", and powers off;
#   - with "tvtest=bench" it runs `vmitest idle 5` and `vmitest ipi 1000`
#     (their VMITEST marker lines are what tools/bench.sh times; "tvidle=S",
#     "tvipi=N" and "tvsettle=MS" change the numbers), then the marker line
#     or TRIVISOR-LINUX-FAIL, and powers off.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SELF=$ROOT/tools/linux-guest.sh
WORKLOAD=$ROOT/tests/linux-workload
OUT=${1:-$ROOT/build/linux}
META=linux-image-amd64
BUSYBOX=busybox-static

die() {
	echo "linux-guest: $*" >&2
	exit 1
}

# up_to_date: both outputs exist and are newer than every input (this
# script and the workload's sources).
up_to_date() {
	local f
	[ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.cpio.gz" ] || return 1
	for f in "$SELF" "$WORKLOAD"/*; do
		[ "$OUT/vmlinuz" -nt "$f" ] && [ "$OUT/initrd.cpio.gz" -nt "$f" ] || return 1
	done
}
if up_to_date; then
	echo "linux-guest: $OUT is up to date ($(cat "$OUT/version" 2>/dev/null || echo '?'))"
	exit 0
fi

for t in apt-get apt-cache dpkg-deb cpio gzip tar gcc; do
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
# Our workload program, static (the initramfs has no libc).
gcc -static -O2 -pthread -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wstrict-prototypes -Wshadow -Wundef -fno-common \
	-o "$root/bin/vmitest" "$WORKLOAD/vmitest.c" ||
	die "could not build $WORKLOAD/vmitest.c (gcc and libc6-dev come with 'make deps')"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
# trivisor's Linux test guest (made by tools/linux-guest.sh).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
cmdline=" $(cat /proc/cmdline) "
# arg NAME DEFAULT: the value of NAME=... on the kernel command line.
arg() {
	local w
	for w in $cmdline; do
		case $w in "$1="*) echo "${w#"$1="}"; return ;; esac
	done
	echo "$2"
}
cpus() { grep -c ^processor /proc/cpuinfo; }
# vmitest_run CMD ARGS...: runs vmitest, its lines going to the console as
# they come (the bench times them); on failure sets FAIL to its reason.
FAIL=
vmitest_run() {
	local rc
	{ /bin/vmitest "$@" 2>&1; echo $? >/tmp/vmitest.rc; } | tee /tmp/vmitest.out
	rc=$(cat /tmp/vmitest.rc)
	if [ "$rc" != 0 ] && [ -z "$FAIL" ]; then
		FAIL=$(sed -n 's/^VMITEST .*FAIL //p' /tmp/vmitest.out | head -n 1)
		FAIL="vmitest $1: ${FAIL:-exit status $rc}"
	fi
}
finish() {
	if [ -z "$FAIL" ]; then
		echo "TRIVISOR-LINUX-OK cpus=$(cpus)"
	else
		echo "TRIVISOR-LINUX-FAIL $FAIL"
	fi
	echo "TRIVISOR-LINUX-UNAME $(uname -r)"
	poweroff -f
}
case $cmdline in
*" tvtest=shell "*)
	echo "trivisor Linux guest $(uname -r), $(cpus) CPU(s); exit the shell to power off"
	setsid cttyhack sh -l
	poweroff -f
	;;
esac
# Keep the kernel's late messages from splitting the marker line.
dmesg -n 1
case $cmdline in
*" tvtest=vmi "* | *" tvtest=bench "*)
	# vmitest's spinning partners run SCHED_FIFO; without this the RT
	# throttle would take their CPU away now and then, and the IPIs
	# that should go to it with it.
	echo -1 >/proc/sys/kernel/sched_rt_runtime_us 2>/dev/null
	;;
esac
case $cmdline in
*" tvtest=vmi "*)
	echo "TRIVISOR-CLOCKSOURCE $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo none)"
	vmitest_run work $(arg tvwork "" | tr , ' ')
	echo TRIVISOR-INTERRUPTS-BEGIN
	cat /proc/interrupts
	echo TRIVISOR-INTERRUPTS-END
	finish
	;;
*" tvtest=bench "*)
	settle=settle=$(arg tvsettle 1000)
	vmitest_run idle "$(arg tvidle 5)" "$settle"
	[ -n "$FAIL" ] || vmitest_run ipi "$(arg tvipi 1000)" "$settle"
	finish
	;;
esac
echo "TRIVISOR-LINUX-OK cpus=$(cpus)"
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
