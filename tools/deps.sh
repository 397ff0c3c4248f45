#!/usr/bin/env bash
# Install the Debian packages trivisor needs to build, run and test.
# Idempotent: does nothing (and needs no network) when all are present.
#   deps.sh [EXTRA-PACKAGE...]   (opt-in targets name what they add)
set -euo pipefail
pkgs=(
	build-essential binutils make
	qemu-system-x86 # the default platform (TCG, AMD-V with NPT)
	bochs bochsbios vgabios # the VT-x platform
	grub-pc-bin grub-common xorriso mtools # multiboot2 ISOs
	libcunit1-dev # unit tests
	cpio # the Linux guest's initramfs (tools/linux-guest.sh)
	"$@"
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
