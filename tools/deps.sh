#!/usr/bin/env bash
# Install the Debian packages trivisor needs to build, run and test.
# Idempotent: does nothing (and needs no network) when all are present.
#   deps.sh [EXTRA-PACKAGE[=VERSION]...]   (opt-in targets name what they add)
# A package given as NAME=VERSION is installed at exactly that version
# (downgrading a newer one); the pins live in tools/versions.sh.  When the
# archive no longer has a pinned version, this stops before installing
# anything and says what to do.
set -euo pipefail
pkgs=(
	build-essential binutils make
	qemu-system-x86 # the default platform (TCG, AMD-V with NPT)
	bochs bochsbios vgabios # the VT-x platform
	grub-pc-bin grub-common xorriso mtools # multiboot2 ISOs
	libcunit1-dev # unit tests
	cpio # the Linux guest's initramfs (tools/linux-guest.sh)
	python3 # integration cases: QEMU's monitor socket, tvctl --json checks
	acpica-tools # unit acpi disassembles the ACPI tables with iasl
	"$@"
)
# installed NAME: the installed version of NAME, or nothing.
installed() {
	dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "install" && $3 == "installed" { print $4 }' || true
}
missing=() pinned=()
for p in "${pkgs[@]}"; do
	name=${p%%=*}
	have=$(installed "$name")
	if [ "$name" != "$p" ]; then
		want=${p#*=}
		[ "$have" = "$want" ] && continue
		pinned+=("$p")
		missing+=("$p")
	elif [ -z "$have" ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
for p in ${pinned[@]+"${pinned[@]}"}; do
	name=${p%%=*} want=${p#*=}
	if ! apt-cache madison "$name" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | grep -qxF "$want"; then
		echo "deps: the Debian archive no longer has $name version $want (it has: $(apt-cache madison "$name" | awk -F'|' '{ gsub(/ /, "", $2); printf "%s ", $2 }'))" >&2
		echo "deps: move the pin in tools/versions.sh to one it has, then check that guest-linux-patches/ still applies (make guest-linux) and that make test passes" >&2
		exit 1
	fi
done
$sudo apt-get install -y -q --no-install-recommends --allow-downgrades "${missing[@]}"
for p in ${pinned[@]+"${pinned[@]}"}; do
	name=${p%%=*} want=${p#*=}
	have=$(installed "$name")
	[ "$have" = "$want" ] || { echo "deps: asked apt for $name $want but $name is at '${have:-not installed}'" >&2; exit 1; }
done
