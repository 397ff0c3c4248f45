#!/usr/bin/env bash
# Two comparisons, behind `make bench` (which builds everything first):
#
# (1) Boot time of the stock Debian Linux guest (`make linux-guest`):
# directly on QEMU TCG ("native") against the same kernel and initramfs as
# a domain of trivisor, on the same QEMU with the same -cpu max / -smp 2.
# Prints a table of wall times, measured on the host from QEMU's start:
# to the guest's marker line (TRIVISOR-LINUX-OK, polled every 50 ms in the
# serial log) and to QEMU's exit, and the ratio trivisor / native; then the
# exits of the trivisor run by reason, from the hypervisor's end-of-domain
# report.  The native guest sees the QEMU CPUs; the domain has
# BENCH_VCPUS of them.
#
# (2) The patched kernel (`make guest-linux`) as a pv and as an hv domain,
# BENCH_VCPUS vCPUs each, one QEMU run after the other, with the
# initramfs's "tvtest=bench" mode: `vmitest idle 5`, then `vmitest ipi
# 1000` (tests/linux-workload/vmitest.c).  trivisor runs with its
# management socket, and `tvctl info --json linux` is read each time one
# of the guest's markers appears in the serial log (polled every 20 ms):
# VMITEST idle-start, idle-end, ipi-start, ipi-end.  Rates use the host
# times of those reads, not the guest's nominal 5 s.  The table has a pv
# and an hv column and their ratio:
#   boot (s)             QEMU start to the first marker (idle-start)
#   marker, exit (s)     QEMU start to TRIVISOR-LINUX-OK and to QEMU's exit
#   idle exits/s         exits between the idle markers / time between reads
#   exits/1000 calls     exits between the ipi markers per 1000
#                        membarrier(PRIVATE_EXPEDITED) calls, each a
#                        function-call IPI to the other vCPU; the reads
#                        bracket the calls with about `settle` ms of idle
#                        guest (vmitest waits that long after ipi-start and
#                        after ipi-end, so the reads are done before the
#                        calls start and after they end), which is taken
#                        out at the idle rate just measured; the raw count
#                        is printed too
# and, when tvctl reports them (an "exits_by_reason" object), the same
# per exit reason.
#
#   bench.sh
#
# Environment:
#   BENCH_APPEND   the stock guest's command line   (console=ttyS0 panic=-1)
#   BENCH_SMP      QEMU CPUs, every run             (2)
#   BENCH_VCPUS    the domains' vCPUs               (2)
#   BENCH_MEM      guest RAM in MiB                 (256)
#   BENCH_TIMEOUT  seconds per run, and for the first marker (300)
#   BENCH_MARKER_TIMEOUT  seconds for each later marker of (2)     (120)
#   BENCH_IDLE     seconds of idle in (2)           (5)
#   BENCH_IPIS     calls in (2)                     (1000)
#   BENCH_SETTLE   vmitest's settle time in ms      (1000)
#   BENCH_ONLY     "stock" or "vmi": run only (1) or only (2)
# Logs: build/logs/bench-{native,trivisor,pv,hv}.log (the serial consoles)
# and QEMU's own output beside them as *.qemu.txt; the tvctl replies of
# (2) as build/logs/bench-{pv,hv}.*.json.
# Exit status: 0 when every run reached its markers and ended cleanly; 1
# otherwise (the failed run's reason and last log lines are printed, and
# the other runs' numbers still are).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
APPEND=${BENCH_APPEND:-console=ttyS0 panic=-1}
SMP=${BENCH_SMP:-2}
VCPUS=${BENCH_VCPUS:-2}
MEM=${BENCH_MEM:-256}
TIMEOUT=${BENCH_TIMEOUT:-300}
MARKER_TIMEOUT=${BENCH_MARKER_TIMEOUT:-120}
IDLE=${BENCH_IDLE:-5}
IPIS=${BENCH_IPIS:-1000}
SETTLE=${BENCH_SETTLE:-1000}
ONLY=${BENCH_ONLY:-}
LINUX=build/linux
GUEST_LINUX=build/guest-linux/bzImage
TVCTL=build/tvctl
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

case $ONLY in
"" | stock | vmi) ;;
*) die "BENCH_ONLY must be stock or vmi, not '$ONLY'" ;;
esac
for f in "$LINUX/vmlinuz" "$LINUX/initrd.cpio.gz"; do
	[ -f "$f" ] || die "no $f; run 'make linux-guest'"
done
if [ "$ONLY" != stock ]; then
	[ -f "$GUEST_LINUX" ] || die "no $GUEST_LINUX; run 'make guest-linux'"
	[ -x "$TVCTL" ] || die "no $TVCTL; run 'make'"
fi
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

# ratio A B: A / B with two decimals, "-" when either is missing or B is 0.
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

# (1) The stock kernel, bare QEMU against trivisor.
bench_stock() {
	local ok_native=0 ok_hv=0 why report

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
}

# (2) The patched kernel as a pv and as an hv domain, counters read over
# the management socket at the guest's markers.
VMI_MARKERS=("VMITEST idle-start" "VMITEST idle-end" "VMITEST ipi-start"
	"VMITEST ipi-end" "TRIVISOR-LINUX-OK cpus=")
VMI_TAGS=(idle-start idle-end ipi-start ipi-end)
declare -A R=()

# json_exits FILE: the "exits" total of a tvctl info --json reply.
json_exits() { grep -oE '"exits": [0-9]+' "$1" | head -n 1 | grep -oE '[0-9]+$'; }
# json_reasons FILE: "REASON COUNT" lines from its "exits_by_reason"
# object, nothing when the reply has none.
json_reasons() {
	grep -oE '"exits_by_reason": *\{[^}]*\}' "$1" | head -n 1 |
		grep -oE '"[A-Za-z0-9_.-]+": *[0-9]+' | tr -d '":' | grep -v '^exits_by_reason '
}

# vmi_query TYPE TAG: tvctl info --json for the domain, saved as
# $LOGDIR/bench-TYPE.TAG.json; R[TYPE.t.TAG] is the host time of the read
# (the middle of the call, seconds from QEMU's start), R[TYPE.lat.TAG] how
# long the call took (s).
vmi_query() {
	local type=$1 tag=$2 t0 t1 out
	t0=$(now)
	if ! out=$("$TVCTL" -s "$SOCK" info --json linux 2>&1); then
		WHY="'tvctl info --json linux' failed at $tag: $out"
		return 1
	fi
	t1=$(now)
	printf '%s\n' "$out" >"$LOGDIR/bench-$type.$tag.json"
	json_exits "$LOGDIR/bench-$type.$tag.json" >/dev/null ||
		{ WHY="no \"exits\" in tvctl's reply at $tag: $out"; return 1; }
	R[$type.t.$tag]=$(awk -v s="$START" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (a + b) / 2 - s }')
	R[$type.lat.$tag]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# vmi_run TYPE: one QEMU run with the domain "linux" of TYPE; fills R[]
# and sets R[TYPE.ok] to 1 on success, else prints why.
vmi_run() {
	local type=$1 log=$LOGDIR/bench-$1.log iso=build/bench-$1.iso stage=0 deadline t tm
	local append="console=ttyS0 panic=-1 tvtest=bench tvidle=$IDLE tvipi=$IPIS tvsettle=$SETTLE"
	SOCK=$ROOT/build/bench-$type.sock WHY=
	R[$type.ok]=0
	rm -f "$log" "$LOGDIR/bench-$type".*.json
	echo "bench: $type run (patched kernel, domain with $VCPUS vCPU(s), -smp $SMP, ${MEM} MiB, tvtest=bench) ..."
	if ! bash tools/mkiso.sh -o "$iso" -k "$ELF" -c "exit=done onpanic=exit" \
		-m "$GUEST_LINUX=kernel linux memory=$MEM vcpus=$VCPUS type=$type ramdisk=initrd cmdline=$append" \
		-m "$LINUX/initrd.cpio.gz=ramdisk initrd"; then
		echo "bench: the $type run failed: could not make $iso"
		return
	fi
	START=$(now)
	bash tools/run-qemu.sh --iso "$iso" --log "$log" --timeout "$TIMEOUT" --smp "$SMP" \
		--mgmt "$SOCK" </dev/null >"${log%.log}.qemu.txt" 2>&1 &
	PID=$!
	deadline=$(awk -v s="$START" -v d="$TIMEOUT" 'BEGIN { printf "%.3f", s + d }')
	while kill -0 "$PID" 2>/dev/null; do
		if [ -f "$log" ] && grep -q '\[linux\] TRIVISOR-LINUX-FAIL' "$log"; then
			WHY="the guest failed: $(tr -d '\r' <"$log" | sed -n 's/.*\[linux\] TRIVISOR-LINUX-FAIL //p' | head -n 1)"
			break
		fi
		if [ "$stage" -lt 5 ] && [ -f "$log" ] &&
			grep -Fq -- "[linux] ${VMI_MARKERS[$stage]}" "$log"; then
			tm=$(elapsed "$START" "$(now)")
			case $stage in
			0) R[$type.boot]=$tm ;;
			4) R[$type.marker]=$tm ;;
			esac
			if [ "$stage" -lt 4 ]; then
				vmi_query "$type" "${VMI_TAGS[$stage]}" || break
				# The guest must not have moved on before the read.
				if grep -Fq -- "[linux] ${VMI_MARKERS[$((stage + 1))]}" "$log"; then
					WHY="the guest printed '${VMI_MARKERS[$((stage + 1))]}' before the counters at '${VMI_MARKERS[$stage]}' were read (tvctl took ${R[$type.lat.${VMI_TAGS[$stage]}]} s); raise BENCH_SETTLE"
					break
				fi
			fi
			stage=$((stage + 1))
			deadline=$(awk -v d="$MARKER_TIMEOUT" -v t="$(now)" 'BEGIN { printf "%.3f", t + d }')
			continue
		fi
		t=$(now)
		if [ "$stage" -lt 5 ] && awk -v t="$t" -v d="$deadline" 'BEGIN { exit !(t > d) }'; then
			if [ "$stage" -eq 0 ]; then
				WHY="no '[linux] ${VMI_MARKERS[0]}' line within $TIMEOUT s of QEMU's start"
			else
				WHY="no '[linux] ${VMI_MARKERS[$stage]}' line within $MARKER_TIMEOUT s of '${VMI_MARKERS[$((stage - 1))]}'"
			fi
			break
		fi
		sleep 0.02
	done
	if [ -n "$WHY" ]; then
		kill "$PID" 2>/dev/null
	fi
	wait "$PID"
	STATUS=$?
	PID=
	R[$type.exit]=$(elapsed "$START" "$(now)")
	rm -f "$SOCK"
	if [ -z "$WHY" ]; then
		case $STATUS in
		33) [ "$stage" -eq 5 ] || WHY="QEMU ended before '[linux] ${VMI_MARKERS[$stage]}'" ;;
		35) WHY="the hypervisor reported a failure (exit status 35)" ;;
		124 | 137) WHY="timed out after $TIMEOUT s" ;;
		*) WHY="QEMU exit status $STATUS" ;;
		esac
	fi
	if [ -n "$WHY" ]; then
		echo "bench: the $type run failed: $WHY"
		tr -d '\r' <"$log" |
			grep -E 'd[0-9]+\(linux\): |domain linux|PANIC|run ended' | tail -n 8 | sed 's/^/    > /'
		last_lines "$log"
		return
	fi
	R[$type.ok]=1
	vmi_rates "$type" "$log"
}

# vmi_rates TYPE LOG: the idle and ipi figures from the saved replies.
vmi_rates() {
	local type=$1 log=$2 q=$LOGDIR/bench-$1 ms
	ms=$(tr -d '\r' <"$log" | sed -nE 's/.*\[linux\] VMITEST ipi-end n=[0-9]+ ms=([0-9.]+).*/\1/p' | head -n 1)
	R[$type.ipi_ms]=${ms:--}
	R[$type.cal]=$(tr -d '\r' <"$log" | sed -nE 's/.*\[linux\] VMITEST ipi-end .* cal=(-?[0-9]+).*/\1/p' | head -n 1)
	# Rows "REASON IDLE_PER_S PER_1000_CALLS RAW_PER_1000", "total" first.
	{
		echo "total $(json_exits "$q.idle-start.json") $(json_exits "$q.idle-end.json") $(json_exits "$q.ipi-start.json") $(json_exits "$q.ipi-end.json")"
		join_reasons "$q"
	} | awk -v i0="${R[$type.t.idle-start]}" -v i1="${R[$type.t.idle-end]}" \
		-v p0="${R[$type.t.ipi-start]}" -v p1="${R[$type.t.ipi-end]}" \
		-v ms="${ms:-0}" -v n="$IPIS" '{
			idle = ($3 - $2) / (i1 - i0)
			raw = $5 - $4
			slack = (p1 - p0) - ms / 1000
			if (slack < 0) slack = 0
			printf "%s %.1f %.1f %.1f\n", $1, idle, (raw - idle * slack) * 1000 / n, raw * 1000 / n
		}' >"$q.rates"
}

# join_reasons PREFIX: "REASON A B C D" for every reason in the four replies
# (counts at idle-start, idle-end, ipi-start, ipi-end; 0 where missing).
join_reasons() {
	local i=0 tag
	for tag in "${VMI_TAGS[@]}"; do
		json_reasons "$1.$tag.json" | sed "s/^/$i /"
		i=$((i + 1))
	done | awk '{ c[$2, $1] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
		END { for (k = 0; k < n; k++) { r = order[k]
			printf "%s %d %d %d %d\n", r, c[r, 0], c[r, 1], c[r, 2], c[r, 3] } }'
}

# rate TYPE REASON COLUMN: a figure of TYPE's .rates file, "-" if none.
rate() {
	local v=
	# tvctl names only the reasons with exits: one it does not name is 0.
	[ "${R[$1.ok]}" = 1 ] && v=$(awk -v r="$2" -v c="$3" '$1 == r { v = $c }
		$1 != "total" { any = 1 }
		END { if (v != "") print v; else if (any) print "0.0" }' "$LOGDIR/bench-$1.rates")
	echo "${v:--}"
}

bench_vmi() {
	local row reasons
	vmi_run pv
	vmi_run hv
	echo
	echo "Patched Linux guest: $(readlink -f "$GUEST_LINUX" | sed "s|^$ROOT/||"), a domain with $VCPUS vCPU(s), ${MEM} MiB"
	echo "$(qemu-system-x86_64 --version | head -n 1), TCG, q35, -cpu max, -smp $SMP; tvtest=bench: idle $IDLE s, $IPIS calls, settle $SETTLE ms"
	echo
	printf '%-28s %12s %12s %10s\n' "" pv hv pv/hv
	row() { # LABEL PV HV
		printf '%-28s %12s %12s %10s\n' "$1" "${2:--}" "${3:--}" "$(ratio "${2:--}" "${3:--}")"
	}
	field() { if [ "${R[$1.ok]}" = 1 ]; then echo "${R[$1.$2]:--}"; else echo -; fi; }
	row "boot to idle-start (s)" "$(field pv boot)" "$(field hv boot)"
	row "to TRIVISOR-LINUX-OK (s)" "$(field pv marker)" "$(field hv marker)"
	row "to QEMU exit (s)" "$(field pv exit)" "$(field hv exit)"
	row "idle: exits/s" "$(rate pv total 2)" "$(rate hv total 2)"
	row "exits/1000 calls" "$(rate pv total 3)" "$(rate hv total 3)"
	row "exits/1000 calls, raw" "$(rate pv total 4)" "$(rate hv total 4)"
	row "calls: guest time (ms)" "$(field pv ipi_ms)" "$(field hv ipi_ms)"
	row "calls: CAL interrupts" "$(field pv cal)" "$(field hv cal)"
	# Per IPI the guest counted, in case fewer calls than asked were IPIs.
	per_cal() { # TYPE
		[ "${R[$1.ok]}" = 1 ] || { echo -; return; }
		awk -v e="$(rate "$1" total 3)" -v c="${R[$1.cal]}" -v n="$IPIS" \
			'BEGIN { if (c > 0) printf "%.1f", e * n / c; else print "-" }'
	}
	row "exits/1000 CAL interrupts" "$(per_cal pv)" "$(per_cal hv)"
	row "idle window, host (s)" \
		"$(awk -v a="$(field pv t.idle-start)" -v b="$(field pv t.idle-end)" 'BEGIN { if (a != "-") printf "%.2f", b - a }')" \
		"$(awk -v a="$(field hv t.idle-start)" -v b="$(field hv t.idle-end)" 'BEGIN { if (a != "-") printf "%.2f", b - a }')"
	lat() { # TYPE: the slowest of the four reads, ms
		local tag m=0
		[ "${R[$1.ok]}" = 1 ] || { echo -; return; }
		for tag in "${VMI_TAGS[@]}"; do
			m=$(awk -v m="$m" -v l="${R[$1.lat.$tag]}" 'BEGIN { l *= 1000; printf "%.0f", (l > m ? l : m) }')
		done
		echo "$m"
	}
	row "tvctl info, slowest (ms)" "$(lat pv)" "$(lat hv)"
	reasons=$(for t in pv hv; do
		[ "${R[$t.ok]}" = 1 ] && awk '$1 != "total" { print $1 }' "$LOGDIR/bench-$t.rates"
	done | awk '!seen[$0]++')
	echo
	if [ -z "$reasons" ]; then
		echo "exits by reason: not reported (no \"exits_by_reason\" in tvctl info --json)"
	else
		printf '%-28s %12s %12s %10s\n' "idle exits/s by reason" pv hv pv/hv
		for r in $reasons; do row "  $r" "$(rate pv "$r" 2)" "$(rate hv "$r" 2)"; done
		echo
		printf '%-28s %12s %12s %10s\n' "exits/1000 calls by reason" pv hv pv/hv
		for r in $reasons; do row "  $r" "$(rate pv "$r" 3)" "$(rate hv "$r" 3)"; done
	fi
	echo
	echo "logs: $LOGDIR/bench-pv.log, $LOGDIR/bench-hv.log; tvctl replies: $LOGDIR/bench-{pv,hv}.*.json"
	[ "${R[pv.ok]}" = 1 ] && [ "${R[hv.ok]}" = 1 ]
}

ok=0
if [ "$ONLY" != vmi ]; then
	bench_stock || ok=1
fi
if [ "$ONLY" != stock ]; then
	[ "$ONLY" = vmi ] || echo
	bench_vmi || ok=1
fi
exit $ok
