#!/usr/bin/env bash
# Make a GRUB ISO that boots the hypervisor with multiboot2.
#   mkiso.sh -o OUT.iso -k trivisor.elf [-c "command line"] [-m FILE[=STRING]]...
# Each -m FILE becomes a multiboot2 module; its string (what the hypervisor
# sees as the module's command line) is STRING, or the file name.  Domain
# kernels use "kernel NAME [memory=MiB] [vcpus=N] ..." (docs/domains.md).
set -euo pipefail
out= kernel= cmdline= mods=()
while getopts "o:k:c:m:" opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kernel=$OPTARG ;;
	c) cmdline=$OPTARG ;;
	m) mods+=("$OPTARG") ;;
	*) echo "usage: $0 -o OUT.iso -k KERNEL [-c CMDLINE] [-m MODULE]..." >&2; exit 2 ;;
	esac
done
[ -n "$out" ] && [ -n "$kernel" ] || { echo "mkiso: -o and -k are required" >&2; exit 2; }
command -v grub-mkrescue >/dev/null || { echo "mkiso: grub-mkrescue missing; run 'make deps'" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot/grub" "$stage/mod"
cp "$kernel" "$stage/boot/trivisor.elf"
{
	echo "set timeout=0"
	echo "set default=0"
	echo "menuentry \"trivisor\" {"
	echo "	multiboot2 /boot/trivisor.elf $cmdline"
	i=0
	for m in "${mods[@]}"; do
		file=${m%%=*}
		str=$(basename "$file")
		[ "$file" != "$m" ] && str=${m#*=}
		i=$((i + 1))
		cp "$file" "$stage/mod/$i"
		echo "	module2 /mod/$i $str"
	done
	echo "	boot"
	echo "}"
} > "$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$stage" >"$stage.log" 2>&1 || { cat "$stage.log" >&2; rm -f "$stage.log"; exit 1; }
rm -f "$stage.log"
