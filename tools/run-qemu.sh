#!/usr/bin/env bash
# Boot trivisor under QEMU TCG on the default platform (q35, -cpu max, which
# gives AMD-V with NPT, 2 CPUs).  COM1 is the hypervisor console.
#
#   run-qemu.sh --iso ISO [--log FILE] [--timeout SEC] [--smp N] [--mem SIZE]
#               [--cpu MODEL] [--gdb] [--mgmt SOCKET] [-- extra qemu args]
#
# --mgmt SOCKET puts COM2, the management channel, on a unix socket that
# QEMU listens on (tvctl -s SOCKET connects to it).
#
# Without --log the console is this terminal (quit with Ctrl-A X).  With
# --log the console goes to FILE and the exit status is QEMU's: the
# hypervisor's platform_exit() makes it 33 (pass) or 35 (fail); 124 means
# the timeout hit.
set -euo pipefail
iso= log= timeout=0 smp=2 mem=2G cpu=max gdb= mgmt=
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--gdb) gdb="-s -S"; shift ;;
	--mgmt) mgmt=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "run-qemu: unknown option '$1' (see the top of $0)" >&2; exit 2 ;;
	esac
done
[ -f "$iso" ] || { echo "run-qemu: no ISO at '$iso'; run 'make' first" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "run-qemu: qemu-system-x86_64 missing; run 'make deps'" >&2; exit 2; }

args=(-accel tcg -machine q35 -cpu "$cpu" -smp "$smp" -m "$mem"
	-display none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-cdrom "$iso" -boot d)
if [ -n "$log" ]; then
	args+=(-serial "file:$log" -monitor none)
else
	args+=(-serial mon:stdio)
fi
if [ -n "$mgmt" ]; then
	rm -f "$mgmt"
	args+=(-serial "unix:$mgmt,server=on,wait=off")
fi
# shellcheck disable=SC2206
[ -n "$gdb" ] && args+=($gdb)

if [ "$timeout" != 0 ]; then
	exec timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" "$@"
fi
exec qemu-system-x86_64 "${args[@]}" "$@"
