#!/usr/bin/env bash
# The stock Debian Linux guest: a kernel and a busybox initramfs that boot,
# report and power off.
#
#   linux-guest.sh [OUTDIR]        (default: build/linux)
#
# Makes OUTDIR/vmlinuz (the stock Debian 12 kernel: the package and
# version tools/versions.sh pins, linux-image-6.1.0-56-amd64 6.1.192-2)
# and OUTDIR/initrd.cpio.gz (cpio newc, gzip: /init, a static busybox
# from `busybox-static` at its pinned version, and the kernel modules
# listed in MODULES below with everything they depend on, from the same
# kernel package).  Both .debs come from `apt-get download PKG=VERSION`
# (nothing is installed) and stay in OUTDIR/debs/ as a cache; a cached
# .deb of another version is replaced.  OUTDIR/version says what was used.
# Nothing of this is ever committed (build/ is ignored).
# The initramfs also holds /bin/vmitest, the workload program built here
# from tests/linux-workload/vmitest.c (gcc -static -O2 -pthread).  When both
# outputs exist and are newer than this script and the workload's sources,
# nothing is done; delete OUTDIR (or touch this script) to rebuild,
# OUTDIR/debs to re-fetch.
#
# What /init does (busybox sh), with the kernel command line
# "console=ttyS0 ...":
#   - mounts /proc, /sys and devtmpfs on /dev;
#   - when the running kernel is the one whose modules it carries, loads
#     them in dependency order (/lib/modules/RELEASE/load-order; a module
#     that fails prints "TRIVISOR-MODULE-FAIL NAME") and starts busybox
#     acpid, which powers off on the ACPI power button (KEY_POWER through
#     the button driver and evdev; /etc/acpi/PWRF/00000080), as a
#     distribution does: `tvctl shutdown` works in every mode;
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
# shellcheck source=versions.sh
source "$ROOT/tools/versions.sh"
KPKG=$PIN_KERNEL
KVER=$PIN_KERNEL_VER
BUSYBOX=$PIN_BUSYBOX
BUSYBOX_VER=$PIN_BUSYBOX_VER
# The modules the initramfs loads (their dependencies come along): the
# ACPI power button and evdev for acpid, and the virtio drivers the I/O
# layer's devices need.
MODULES="button evdev virtio_pci virtio_mmio virtio_blk virtio_net virtio_console virtio_rng virtio_balloon"

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

for t in apt-get dpkg-deb cpio gzip tar gcc objcopy; do
	command -v "$t" >/dev/null || die "'$t' is missing; run 'make deps'"
done
mkdir -p "$OUT/debs"

# fetch PKG VERSION: prints the path of PKG's .deb at VERSION, from the
# cache or downloaded; a cached .deb of another version is removed.
fetch() {
	local pkg=$1 ver=$2 deb opts=()
	for deb in "$OUT/debs/${pkg}"_*.deb; do
		[ -f "$deb" ] || continue
		[ "$(dpkg-deb -f "$deb" Version 2>/dev/null)" = "$ver" ] && { echo "$deb"; return; }
		echo "linux-guest: dropping cached $(basename "$deb") (not version $ver)" >&2
		rm -f "$deb"
	done
	echo "linux-guest: downloading $pkg $ver" >&2
	# As root, apt would try to drop to its sandbox user _apt, who may
	# not be able to write here.
	[ "$(id -u)" -ne 0 ] || opts=(-o APT::Sandbox::User=root)
	(cd "$OUT/debs" && apt-get -q "${opts[@]}" download "$pkg=$ver") >&2 ||
		die "'apt-get download $pkg=$ver' failed: run 'apt-get update'; if the archive no longer has $ver, move the pin in tools/versions.sh"
	for deb in "$OUT/debs/${pkg}"_*.deb; do
		[ -f "$deb" ] && [ "$(dpkg-deb -f "$deb" Version)" = "$ver" ] && { echo "$deb"; return; }
	done
	die "'apt-get download $pkg=$ver' left no ${pkg} $ver .deb in $OUT/debs"
}

kdeb=$(fetch "$KPKG" "$KVER")
bdeb=$(fetch "$BUSYBOX" "$BUSYBOX_VER")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The kernel: ./boot/vmlinuz-* and the modules tree out of the package
# (the modules are hundreds of MB; only MODULES and their dependencies go
# into the initramfs).
mkdir -p "$tmp/k"
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$tmp/k" --wildcards './boot/vmlinuz-*' './lib/modules/*' ||
	die "no /boot/vmlinuz-* or /lib/modules in $kdeb (a broken download? delete it and rerun)"
vmlinuz=$(find "$tmp/k/boot" -name 'vmlinuz-*' | head -n 1)
[ -n "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kdeb"
release=${vmlinuz##*/vmlinuz-}
kmods=$tmp/k/lib/modules/$release
[ -d "$kmods/kernel" ] || die "no /lib/modules/$release/kernel in $kdeb"

# Module name (dashes and underscores are the same to the kernel) -> path
# under kernel/, and each module's "depends=" from its .modinfo section.
declare -A modpath=() visited=()
while IFS= read -r f; do
	n=${f##*/}
	n=${n%.ko}
	modpath[${n//-/_}]=${f#"$kmods"/}
done < <(find "$kmods/kernel" -name '*.ko')
mod_depends() {
	objcopy -O binary --only-section=.modinfo "$kmods/${modpath[$1]}" "$tmp/modinfo" ||
		die "cannot read the .modinfo section of ${modpath[$1]}"
	tr '\0' '\n' <"$tmp/modinfo" | sed -n 's/^depends=//p' | tr ',' ' '
}
# add_module NAME: NAME after everything it depends on (depth first).
order=()
add_module() {
	local m=${1//-/_} d
	[ -z "${visited[$m]:-}" ] || return 0
	visited[$m]=1
	[ -n "${modpath[$m]:-}" ] || die "module '$m' is not in $KPKG $KVER (is it built in? see /boot/config-$release)"
	for d in $(mod_depends "$m"); do
		add_module "$d"
	done
	order+=("$m")
}
for m in $MODULES; do
	add_module "$m"
done

# The initramfs.  /dev/console comes from the kernel's built-in initramfs
# (unpacked before this one), so no device node is needed here.
dpkg-deb -x "$bdeb" "$tmp/bb"
[ -x "$tmp/bb/bin/busybox" ] || die "no /bin/busybox in $bdeb"
root=$tmp/root
# acpid needs /var/run for its pid file and /var/log for its log.
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/var/run" "$root/var/log"
cp "$tmp/bb/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The modules, their load order, and a modules.dep for busybox modprobe.
rmods=$root/lib/modules/$release
for m in "${order[@]}"; do
	mkdir -p "$rmods/$(dirname "${modpath[$m]}")"
	cp "$kmods/${modpath[$m]}" "$rmods/${modpath[$m]}"
	echo "$m ${modpath[$m]}" >>"$rmods/load-order"
	deps=
	for d in $(mod_depends "$m"); do deps+=" ${modpath[${d//-/_}]}"; done
	echo "${modpath[$m]}:$deps" >>"$rmods/modules.dep"
done
# acpid's action for the power button (its event map sends KEY_POWER to
# PWRF/00000080 under its config directory).
mkdir -p "$root/etc/acpi/PWRF"
cat >"$root/etc/acpi/PWRF/00000080" <<'POWER'
#!/bin/sh
echo "TRIVISOR-LINUX-ACPI-POWER" >/dev/console
sync
poweroff -f
POWER
chmod 755 "$root/etc/acpi/PWRF/00000080"
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
# The modules of the kernel this initramfs was made for (a patched kernel
# has none of its own here), then acpid for the power button.
mods=/lib/modules/$(uname -r)
if [ -f "$mods/load-order" ]; then
	while read -r name path; do
		insmod "$mods/$path" 2>/dev/null || echo "TRIVISOR-MODULE-FAIL $name"
	done <"$mods/load-order"
fi
acpid -c /etc/acpi
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
echo "$KPKG $KVER (uname -r $release, ${#order[@]} modules), $BUSYBOX $BUSYBOX_VER" >"$OUT/version"
echo "linux-guest: made $OUT/vmlinuz ($release) and $OUT/initrd.cpio.gz"
