#!/usr/bin/env bash
# Sanity checks on the linked hypervisor image: a multiboot2 header in the
# first 32 KiB, every allocated section inside the hypervisor hole (or the
# low .boot section), and no dynamic relocations left.
set -euo pipefail
elf=$1
grub-file --is-x86-multiboot2 "$elf" 2>/dev/null || {
	# grub-file is optional at build time; fall back to finding the magic.
	if ! grep -q e85250d6 < <(od -An -tx4 -N32768 -w4 -v "$elf"); then
		echo "check-image: $elf has no multiboot2 header in its first 32 KiB" >&2
		exit 1
	fi
}
bad=$(readelf -SW "$elf" | awk '$2 ~ /^\./ && $2 != ".boot" && ($0 ~ / A/ || $0 ~ /WA/ || $0 ~ /AX/) {
	addr = $4; if (addr !~ /^ffff8[0-7]/) print $2 " at " addr }')
if [ -n "$bad" ]; then
	echo "check-image: sections outside the hypervisor hole 0xffff800000000000-0xffff87ffffffffff:" >&2
	echo "$bad" >&2
	exit 1
fi
if grep -q 'Relocation section' < <(readelf -rW "$elf"); then
	echo "check-image: $elf still has relocations; the link must be static" >&2
	exit 1
fi
