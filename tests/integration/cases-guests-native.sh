# Guest test kernels (tests/guests/) booted directly on bare QEMU, without
# trivisor: each kernel must pass on the standard PC that trivisor's hv
# container emulates before its result under trivisor means anything.
# The kernels come from `make guests` (tests/guests/guests.mk) and are
# multiboot v1 ELFs, which QEMU's -kernel loads itself (no ISO, no GRUB).

GUEST_ELF_DIR=$ROOT/build/guests

# run_guest_native NAME KERNEL TIMEOUT [SMP [extra qemu args...]]
# Boots build/guests/KERNEL.elf on q35 / -cpu max / 256 MiB; COM1 goes to
# build/logs/NAME.log.  Sets OUTCOME like run_qemu: the kernel writes 0x10
# (pass -> status 33) or 0x11 (fail -> 35) to isa-debug-exit.
run_guest_native() {
	local name=$1 kernel=$2 timeout=$3 smp=${4:-2} elf status=0
	shift $(($# < 4 ? $# : 4))
	LOG=$LOGDIR/$name.log
	rm -f "$LOG"
	elf=$GUEST_ELF_DIR/$kernel.elf
	if [ ! -f "$elf" ]; then
		: >"$LOG"
		OUTCOME=error:no-kernel
		fail "no ${elf#"$ROOT"/}: build it with 'make guests'"
		return 0
	fi
	timeout --foreground -k 5 "$timeout" qemu-system-x86_64 \
		-accel tcg -machine q35 -cpu max -smp "$smp" -m 256M \
		-display none -no-reboot -monitor none -serial "file:$LOG" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$elf" "$@" </dev/null >"$LOGDIR/$name.qemu.txt" 2>&1 ||
		status=$?
	case $status in
	33) OUTCOME=pass ;;
	35) OUTCOME=fail ;;
	124 | 137) OUTCOME=timeout ;;
	*) OUTCOME=error:$status ;;
	esac
	[ -f "$LOG" ] || : >"$LOG"
}

# expect_guest_pass KERNEL: status 33, the exact result line, no FAIL line.
expect_guest_pass() {
	expect_outcome pass
	expect "^GUEST-RESULT: PASS $1\$" "the kernel's result line"
	reject '^GUEST-RESULT: FAIL'
	reject 'unexpected (exception|interrupt)'
}

case_native_guest_cpuid() {
	run_guest_native native_guest_cpuid cpuid 60
	expect_guest_pass cpuid
	expect '^cpuid: leaf 0: max basic leaf 0x[0-9a-f]+, vendor "[ -~]{12}"$'
	expect '^cpuid: max extended leaf 0x8'
}

case_native_guest_msr() {
	run_guest_native native_guest_msr msr 60
	expect_guest_pass msr
	expect '^msr: fault catching: #UD and #GP\(0xfff8\) caught and resumed$'
	expect '^msr: PAT round trip ok'
}

case_native_guest_portio() {
	run_guest_native native_guest_portio portio 60
	expect_guest_pass portio
	expect '^portio: RTC seconds .* after [0-9]+ us of PIT time$'
	expect '^portio: port 0x2f0 reads 0xff / 0xffff / 0xffffffff$'
}

case_native_guest_lapic_timer() {
	run_guest_native native_guest_lapic_timer lapic_timer 60
	expect_guest_pass lapic_timer
	expect '^lapic_timer: one-shot 50 ms fired after'
	expect '^lapic_timer: periodic 1000 Hz: [0-9]+ interrupts'
}

# Two CPUs: INIT-SIPI-SIPI, IPIs and NMIs both ways.
case_native_guest_ipi() {
	run_guest_native native_guest_ipi ipi 60 2
	expect_guest_pass ipi
	expect '^smp: CPU 1 online \(APIC id 1\)'
	expect '^ipi: 1000 round trips CPU 0 -> 1 in [0-9]+ us'
	expect '^ipi: 1000 round trips CPU 1 -> 0 in [0-9]+ us'
	expect '^ipi: 10 NMIs CPU 0 -> 1 delivered$'
	reject 'skipped'
}

# One CPU: the self-IPIs run, the rest is skipped, and that is a pass.
case_native_guest_ipi_up() {
	run_guest_native native_guest_ipi_up ipi 60 1
	expect_guest_pass ipi
	expect '^ipi: self-IPI and self NMI delivered once each$'
	expect '^ipi: skipped: 1 CPU$'
}

case_native_guest_mmio() {
	run_guest_native native_guest_mmio mmio 60
	expect_guest_pass mmio
	expect '^mmio: [0-9]+ instruction forms read back correctly$'
}

case_native_guest_npt() {
	run_guest_native native_guest_npt npt 60
	expect_guest_pass npt
	expect '^npt: sparse pass: [0-9]+ pages tagged and checked'
	expect '^npt: hole 0x[0-9a-f]+ reads'
}

case_native_guest_irq_load() {
	run_guest_native native_guest_irq_load irq_load 60
	expect_guest_pass irq_load
	expect '^irq_load: PIT: [0-9]+ interrupts'
	expect '^irq_load: LAPIC timer: [0-9]+ interrupts'
}

case_native_guest_fpu() {
	run_guest_native native_guest_fpu fpu 60
	expect_guest_pass fpu
	expect '^fpu: [0-9]+ checks over 1.5 s and [0-9]+ exits: state intact$'
}

NATIVE_GUEST_CASES=(native_guest_cpuid native_guest_msr native_guest_portio
	native_guest_lapic_timer native_guest_ipi native_guest_ipi_up
	native_guest_mmio native_guest_npt native_guest_irq_load native_guest_fpu)
DEFAULT_CASES+=("${NATIVE_GUEST_CASES[@]}")
