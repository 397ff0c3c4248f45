# The patched Linux guest (cases-guest-linux.sh) under load: the
# initramfs's "tvtest=vmi" mode prints the clocksource, runs `vmitest
# work` (tests/linux-workload/vmitest.c: nanosleeps on every CPU, pipe
# ping-pong, membarrier function calls, TLB shootdowns checked by faults,
# CLOCK_MONOTONIC handed between the CPUs), prints /proc/interrupts and
# then TRIVISOR-LINUX-OK only if the workload passed.  The same bzImage
# natively, as an hv domain and as a pv domain, each with 2 CPUs.
#
# The default cases run the program's default counts (a 2-vCPU domain
# under QEMU TCG does them in about a second); the slow set ten times as
# many ("tvwork=" on the command line).

GUEST_WORK_HEAVY="tvwork=sleeps=1000,pingpong=1000,membarrier=1000,shootdowns=200,pages=8,clock=10000"

# work_field PREFIX FIELD: FIELD=N out of the workload's lines (PREFIX as
# for expect_vmi_work).
work_field() {
	tr -d '\r' <"$LOG" | sed -nE "s/^$1VMITEST work (ok|irqs) .*[ ]$2=([0-9]+).*/\\2/p" | head -n 1
}

# expect_vmi_work PREFIX CPUS: what every kernel must show in tvtest=vmi
# mode.  PREFIX is "" on bare QEMU, '.*\[linux\] ' for a domain's lines
# in the hypervisor log.
expect_vmi_work() {
	local p=$1 cpus=$2 n
	reject "${p}TRIVISOR-LINUX-FAIL" "the workload failed"
	reject "${p}VMITEST .*FAIL" "a vmitest failure"
	expect "${p}TRIVISOR-CLOCKSOURCE [A-Za-z0-9_.-]+\$" "the clocksource line"
	reject "${p}TRIVISOR-CLOCKSOURCE none\$" "no clocksource in sysfs"
	expect "${p}VMITEST work ok cpus=$cpus sleeps=[0-9]+ ipis=[0-9]+ shootdowns=[0-9]+ clock=[0-9]+ ms=[0-9]+\$" \
		"the workload's result line"
	expect "${p}TRIVISOR-INTERRUPTS-BEGIN\$" "the start of /proc/interrupts"
	expect "${p}TRIVISOR-INTERRUPTS-END\$" "the end of /proc/interrupts"
	# /proc/interrupts: a header naming the CPUs, then counter lines.
	n=$(tr -d '\r' <"$LOG" | sed -n "/${p}TRIVISOR-INTERRUPTS-BEGIN/,/${p}TRIVISOR-INTERRUPTS-END/p" |
		grep -cE "${p} *[A-Za-z0-9]+: +[0-9]+ " || true)
	[ "$n" -ge 2 ] || fail "/proc/interrupts has $n counter lines between the markers"
	tr -d '\r' <"$LOG" | sed -n "/${p}TRIVISOR-INTERRUPTS-BEGIN/,/${p}TRIVISOR-INTERRUPTS-END/p" |
		grep -qE "${p} +CPU0 +CPU1" || [ "$cpus" != 2 ] ||
		fail "/proc/interrupts has no CPU0 CPU1 header"
}

# expect_native_ipis PREFIX: with native interrupt handling the kernel
# counts the IPIs the workload caused: a function-call interrupt (CAL)
# during the membarrier calls for most of them, and a TLB shootdown
# interrupt for most mprotect and munmap calls.  (Half, not all: the other CPU may be between
# threads of the process when a call is made, and then is not sent one.)
expect_native_ipis() {
	local mb sd cal tlb
	mb=$(work_field "$1" membarrier)
	sd=$(work_field "$1" shootdowns)
	cal=$(work_field "$1" membarrier_cal)
	tlb=$(work_field "$1" tlb)
	if [ -z "$mb" ] || [ -z "$cal" ] || [ -z "$sd" ] || [ -z "$tlb" ]; then
		fail "the workload's lines lack membarrier=, membarrier_cal=, shootdowns= or tlb="
		return 0
	fi
	[ "$cal" -ge $((mb / 2)) ] ||
		fail "$cal function-call interrupts for $mb membarrier calls"
	[ "$tlb" -ge $((sd / 2)) ] ||
		fail "$tlb TLB shootdown interrupts for $sd shootdowns"
}

# irq_line NAME: the counts of /proc/interrupts line NAME (a label such
# as "LOC:" or a device name such as "timer1") from a domain's log.
irq_line() {
	tr -d '\r' <"$LOG" | sed -n '/\[linux\] TRIVISOR-INTERRUPTS-BEGIN/,/\[linux\] TRIVISOR-INTERRUPTS-END/p' |
		sed -E 's/^.*\[linux\] *//' | grep -E "(^$1 | $1\$)" | head -n 1
}

# expect_pv_vmi_work CPUS: a pv domain's tvtest=vmi run (2 vCPUs): the
# workload passed on the VMI clocksource; every CPU's timer and IPIs
# arrived as event channels (vmi-event lines in /proc/interrupts, the
# upcalls on HYP), none through the local APIC timer (LOC); the TLB
# shootdowns the workload checked by faults happened without a TLB IPI
# (they went through MMU_FLUSH, which the hypervisor counted).
expect_pv_vmi_work() {
	local line cal1 sd
	expect_vmi_work '.*\[linux\] ' "$1"
	expect '\[linux\] .*vmi: trivisor VMI ABI 1\.[0-9]+, container 1' "the kernel's VMI set-up line"
	expect '\[linux\] TRIVISOR-CLOCKSOURCE vmi$' "the VMI clocksource in use"
	for line in timer0 timer1 resched0 resched1 callfuncsingle1 ttyS0; do
		irq_line "$line" | grep -qE '^ *[0-9]+: +[0-9]+ +[0-9]+ +vmi-event ' ||
			fail "/proc/interrupts has no vmi-event line for $line: '$(irq_line "$line")'"
	done
	irq_line timer0 | grep -qE '^ *[0-9]+: +[1-9][0-9]* +0 ' ||
		fail "timer0 did not tick on CPU 0 alone: '$(irq_line timer0)'"
	irq_line timer1 | grep -qE '^ *[0-9]+: +0 +[1-9][0-9]* ' ||
		fail "timer1 did not tick on CPU 1 alone: '$(irq_line timer1)'"
	irq_line 'LOC:' | grep -qE '^LOC: +0 +0 ' ||
		fail "local APIC timer interrupts in a pv domain: '$(irq_line 'LOC:')'"
	irq_line 'HYP:' | grep -qE '^HYP: +[1-9][0-9]* +[1-9][0-9]* ' ||
		fail "no upcalls on both CPUs: '$(irq_line 'HYP:')'"
	cal1=$(irq_line callfuncsingle1 | awk '{ print $3 }')
	[ "${cal1:-0}" -ge "$(work_field '.*\[linux\] ' membarrier)" ] ||
		fail "${cal1:-0} function calls on CPU 1 through its port for $(work_field '.*\[linux\] ' membarrier) membarrier calls"
	sd=$(work_field '.*\[linux\] ' shootdowns)
	[ "$(work_field '.*\[linux\] ' tlb)" = 0 ] ||
		fail "TLB shootdown IPIs in a pv domain (tlb=$(work_field '.*\[linux\] ' tlb))"
	expect 'd0\(linux\): VMI calls: .*MMU_FLUSH [1-9]' "TLB flushes through MMU_FLUSH (${sd:-?} shootdowns)"
	reject 'd0\(linux\): VMI call [0-9]' "a refused VMI call"
}

case_guest_linux_work_native() {
	run_guest_linux_native guest_linux_work_native 2 120 "tvtest=vmi"
	expect_linux_ok 2
	expect_vmi_work "" 2
	expect_native_ipis ""
	expect_guest_native ""
}

case_guest_linux_work_hv() {
	run_guest_linux_hv guest_linux_work_hv 240 hv 2 "tvtest=vmi"
	expect_outcome pass
	expect_hv_linux_ok 0 linux 2
	expect_vmi_work '.*\[linux\] ' 2
	expect_native_ipis '.*\[linux\] '
	expect_guest_native '\[linux\] .*'
}

case_guest_linux_work_pv() {
	run_guest_linux_hv guest_linux_work_pv 240 pv 2 "tvtest=vmi"
	expect_outcome pass
	expect_hv_linux_ok 0 linux 2
	expect_pv_vmi_work 2
}

# Slow: the program's default counts natively on one CPU (both threads
# of each pair share it), and heavy counts on every platform.
case_guest_linux_work_native_1cpu() {
	run_guest_linux_native guest_linux_work_native_1cpu 1 180 "tvtest=vmi"
	expect_linux_ok 1
	expect_vmi_work "" 1
}

case_guest_linux_work_native_heavy() {
	run_guest_linux_native guest_linux_work_native_heavy 2 300 "tvtest=vmi $GUEST_WORK_HEAVY"
	expect_linux_ok 2
	expect_vmi_work "" 2
	expect_native_ipis ""
}

case_guest_linux_work_hv_heavy() {
	run_guest_linux_hv guest_linux_work_hv_heavy 600 hv 2 "tvtest=vmi $GUEST_WORK_HEAVY"
	expect_outcome pass
	expect_hv_linux_ok 0 linux 2
	expect_vmi_work '.*\[linux\] ' 2
	expect_native_ipis '.*\[linux\] '
}

case_guest_linux_work_pv_heavy() {
	run_guest_linux_hv guest_linux_work_pv_heavy 600 pv 2 "tvtest=vmi $GUEST_WORK_HEAVY"
	expect_outcome pass
	expect_hv_linux_ok 0 linux 2
	expect_pv_vmi_work 2
}

DEFAULT_CASES+=(guest_linux_work_native guest_linux_work_hv guest_linux_work_pv)
SLOW_CASES+=(guest_linux_work_native_1cpu guest_linux_work_native_heavy
	guest_linux_work_hv_heavy guest_linux_work_pv_heavy)
