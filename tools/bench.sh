#!/usr/bin/env bash
# Boot time of the stock Debian Linux guest (`make linux-guest`): directly
# on QEMU TCG ("native") against the same kernel and initramfs as a domain
# of trivisor, on the same QEMU with the same -cpu max / -smp 2.  Behind
# `make bench` (which builds everything first).
#
#   bench.sh
#
# Prints a table of wall times, measured on the host from QEMU's start:
# to the guest's marker line (TRIVISOR-LINUX-OK, polled every 50 ms in the
# serial log) and to QEMU's exit, and the ratio trivisor / native; then the
# exits of the trivisor run by reason, from the hypervisor's end-of-domain
# report.  The native guest sees the QEMU CPUs; the domain has
# BENCH_VCPUS of them.  Environment:
#   BENCH_APPEND   the guest's command line   (console=ttyS0 panic=-1)
#   BENCH_SMP      QEMU CPUs, both runs       (2)
#   BENCH_VCPUS    the domain's vCPUs         (2)
#   BENCH_MEM      guest RAM in MiB           (256)
#   BENCH_TIMEOUT  seconds per run            (300)
# Logs: build/logs/bench-native.log, build/logs/bench-trivisor.log (the
# serial consoles) and QEMU's own output beside them as *.qemu.txt.
# Exit status: 0 when both runs reached the marker and ended cleanly; 1
# otherwise (the failed run's reason and last log lines are printed, and
# the other run's numbers still are).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
APPEND=${BENCH_APPEND:-console=ttyS0 panic=-1}
SMP=${BENCH_SMP:-2}
VCPUS=${BENCH_VCPUS:-2}
MEM=${BENCH_MEM:-256}
TIMEOUT=${BENCH_TIMEOUT:-300}
LINUX=build/linux
ELF=build/trivisor.elf
ISO=build/bench-linux.iso
LOGDIR=build/logs
NLOG=$LOGDIR/bench-native.log
TLOG=$LOGDIR/bench-trivisor.log
MARKER='TRIVISOR-LINUX-OK cpus=[0-9]+'

die() {
	echo "bench: $*" >&2
	exit 2
}

for f in "$LINUX/vmlinuz" "$LINUX/initrd.cpio.gz"; do
	[ -f "$f" ] || die "no $f; run 'make linux-guest'"
done
[ -f "$ELF" ] || die "no $ELF; run 'make'"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing; run 'make deps'"
mkdir -p "$LOGDIR"

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }

# timed_run LOG PATTERN COMMAND...: runs COMMAND in the background, polls
# LOG every 50 ms for a line matching PATTERN; sets T_MARKER (seconds from
# the start to the first poll that saw it, empty if never), T_EXIT and
# STATUS (the command's exit status).
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; exit 130' INT TERM
timed_run() {
	local log=$1 pattern=$2 start t
	shift 2
	rm -f "$log"
	T_MARKER=
	start=$(now)
	"$@" </dev/null >"${log%.log}.qemu.txt" 2>&1 &
	PID=$!
	while kill -0 "$PID" 2>/dev/null; do
		if [ -z "$T_MARKER" ] && [ -f "$log" ] && grep -Eq -- "$pattern" "$log"; then
			T_MARKER=$(elapsed "$start" "$(now)")
		fi
		sleep 0.05
	done
	wait "$PID"
	STATUS=$?
	t=$(now)
	PID=
	T_EXIT=$(elapsed "$start" "$t")
	# A marker written in the last 50 ms before the exit.
	if [ -z "$T_MARKER" ] && [ -f "$log" ] && grep -Eq -- "$pattern" "$log"; then
		T_MARKER=$T_EXIT
	fi
	[ -f "$log" ] || : >"$log"
}

# last_lines LOG: the end of a log, indented, for a failure report.
last_lines() {
	echo "  last lines of $1:"
	tr -d '\r' <"$1" | tail -n 15 | sed 's/^/    | /'
}

ok_native=0 ok_hv=0

# (a) Native: QEMU loads the bzImage itself; the guest powers off (status 0).
echo "bench: native run (QEMU -kernel, -smp $SMP, ${MEM} MiB) ..."
timed_run "$NLOG" "^$MARKER" timeout --foreground -k 5 "$TIMEOUT" \
	qemu-system-x86_64 -accel tcg -machine q35 -cpu max -smp "$SMP" -m "${MEM}M" \
	-display none -no-reboot -monitor none -serial "file:$NLOG" \
	-kernel "$LINUX/vmlinuz" -initrd "$LINUX/initrd.cpio.gz" -append "$APPEND"
N_MARKER=$T_MARKER N_EXIT=$T_EXIT N_STATUS=$STATUS
N_CPUS=$(tr -d '\r' <"$NLOG" | sed -nE 's/^TRIVISOR-LINUX-OK cpus=([0-9]+)$/\1/p' | head -n 1)
if [ "$N_STATUS" -eq 0 ] && [ -n "$N_MARKER" ] && grep -q 'reboot: Power down' "$NLOG"; then
	ok_native=1
else
	case $N_STATUS in
	124 | 137) why="timed out after $TIMEOUT s" ;;
	0) if [ -n "$N_MARKER" ]; then why="no power-off line"; else why="no marker line"; fi ;;
	*) why="QEMU exit status $N_STATUS" ;;
	esac
	echo "bench: the native run failed: $why"
	last_lines "$NLOG"
fi

# (b) trivisor: the same kernel and initramfs as the domain "linux".
echo "bench: trivisor run (GRUB ISO, -smp $SMP, domain with $VCPUS vCPU(s), ${MEM} MiB) ..."
if ! bash tools/mkiso.sh -o "$ISO" -k "$ELF" -c "exit=done onpanic=exit" \
	-m "$LINUX/vmlinuz=kernel linux memory=$MEM vcpus=$VCPUS ramdisk=initrd cmdline=$APPEND" \
	-m "$LINUX/initrd.cpio.gz=ramdisk initrd"; then
	echo "bench: could not make $ISO"
	STATUS=-1 T_MARKER="" T_EXIT=-
	: >"$TLOG"
else
	timed_run "$TLOG" "\\[linux\\] $MARKER" bash tools/run-qemu.sh --iso "$ISO" \
		--log "$TLOG" --timeout "$TIMEOUT" --smp "$SMP"
fi
H_MARKER=$T_MARKER H_EXIT=$T_EXIT H_STATUS=$STATUS
H_CPUS=$(tr -d '\r' <"$TLOG" | sed -nE 's/.*\[linux\] TRIVISOR-LINUX-OK cpus=([0-9]+)$/\1/p' | head -n 1)
if [ "$H_STATUS" -eq 33 ] && [ -n "$H_MARKER" ]; then
	ok_hv=1
else
	case $H_STATUS in
	-1) why="no ISO" ;;
	33) why="the hypervisor passed, but no marker line from the guest" ;;
	35) why="the hypervisor reported a failure (exit status 35)" ;;
	124 | 137) why="timed out after $TIMEOUT s" ;;
	*) why="QEMU exit status $H_STATUS" ;;
	esac
	[ -n "$H_MARKER" ] || why="$why; the guest never printed its marker"
	echo "bench: the trivisor run failed: $why"
	# What the hypervisor said about the domain, then the end of the log.
	tr -d '\r' <"$TLOG" |
		grep -E 'd[0-9]+\(linux\): |domain linux|PANIC|run ended' | tail -n 8 | sed 's/^/    > /'
	last_lines "$TLOG"
fi

# The table.
ratio() {
	if [ -z "$1" ] || [ -z "$2" ] || [ "$1" = - ] || [ "$2" = - ]; then
		echo -
		return
	fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
state() { # OK STATUS CPUS
	if [ "$1" -eq 1 ]; then echo "ok, guest saw $3 CPU(s)"; else echo "FAILED (exit status $2)"; fi
}
echo
echo "Linux guest boot: $(cat "$LINUX/version" 2>/dev/null || echo "$LINUX")"
echo "$(qemu-system-x86_64 --version | head -n 1), TCG, q35, -cpu max, -smp $SMP; guest command line: $APPEND"
echo
printf '%-10s %12s %12s  %s\n' run "marker (s)" "exit (s)" result
printf '%-10s %12s %12s  %s\n' native "${N_MARKER:--}" "${N_EXIT:--}" "$(state $ok_native "$N_STATUS" "$N_CPUS")"
printf '%-10s %12s %12s  %s\n' trivisor "${H_MARKER:--}" "${H_EXIT:--}" "$(state $ok_hv "$H_STATUS" "$H_CPUS")"
if [ $ok_native -eq 1 ] && [ $ok_hv -eq 1 ]; then
	printf '%-10s %11sx %11sx\n' ratio "$(ratio "$H_MARKER" "$N_MARKER")" "$(ratio "$H_EXIT" "$N_EXIT")"
fi

# "dN(linux): guest time T ms; exits: cpuid A, msr B, ..." (sched.c report()).
report=$(tr -d '\r' <"$TLOG" | grep -Eo 'd[0-9]+\(linux\): guest time [0-9]+ ms; exits: .*' | tail -n 1)
if [ -n "$report" ]; then
	echo
	echo "trivisor exits by reason (${report%%;*}):"
	printf '%-16s %10s\n' reason count
	printf '%s\n' "${report#*exits: }" | tr ',' '\n' |
		awk 'NF == 2 { printf "%-16s %10s\n", $1, $2; t += $2 }
		     END { printf "%-16s %10s\n", "total", t }'
else
	echo
	echo "trivisor exits by reason: no end-of-domain report in $TLOG"
fi
echo
echo "logs: $NLOG, $TLOG"
[ $ok_native -eq 1 ] && [ $ok_hv -eq 1 ]
