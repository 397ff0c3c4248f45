# The hv container on VT-x with EPT (Bochs 2.7, corei7_skylake_x: VMX
# with EPT, VPID, unrestricted guest, true controls): the same guest test
# kernels as the AMD-V suite in cases-hv.sh.  Bochs is slow (a boot is
# several seconds), so the default set is small and the rest is in
# SLOW_CASES.

BOCHS_VMX_MODEL=${BOCHS_VMX_MODEL:-corei7_skylake_x}

# run_hv_bochs NAME TIMEOUT CPUS MODULE-SPEC...: like run_hv, under Bochs.
run_hv_bochs() {
	local name=$1 timeout=$2 cpus=$3
	shift 3
	run_bochs "$name" \
		"${HV_CMDLINE:-exit=done onpanic=exit watchdog=$((timeout * 3 / 4))}" \
		"$timeout" "$BOCHS_VMX_MODEL" "$cpus" "$@"
}

G=$ROOT/build/guests

case_bochs_hv_cpuid() {
	run_hv_bochs bochs_hv_cpuid 120 1 "$G/cpuid.elf=kernel cpuid memory=32"
	expect_outcome pass
	expect 'hv container: VT-x backend enabled on 1 CPU'
	expect '\[cpuid\] .*TrivisorVMI' "the hypervisor leaf"
	expect '\[cpuid\] GUEST-RESULT: PASS cpuid'
	expect 'd0\(cpuid\): ended: exited with code 0x10 \(pass\)'
	expect 'd0\(cpuid\): guest time [0-9]+ ms; exits: cpuid [1-9]'
}

# MSR policy: EFER/PAT in the VMCS (PAT validated), unknown MSRs #GP.
case_bochs_hv_msr() {
	run_hv_bochs bochs_hv_msr 120 1 "$G/msr.elf=kernel msr memory=32"
	expect_outcome pass
	expect '\[msr\] GUEST-RESULT: PASS msr'
	expect 'd0\(msr\): rdmsr of unknown MSR 0x[0-9a-f]+ at rip 0x[0-9a-f]+: #GP'
}

# Port I/O: the virtual PIT, RTC/CMOS, port 0x61, unclaimed ports.
case_bochs_hv_portio() {
	run_hv_bochs bochs_hv_portio 120 1 "$G/portio.elf=kernel portio memory=32"
	expect_outcome pass
	expect '\[portio\] GUEST-RESULT: PASS portio'
}

# EPT violations on the xAPIC and IOAPIC pages go to the MMIO emulator.
case_bochs_hv_mmio() {
	run_hv_bochs bochs_hv_mmio 120 1 "$G/mmio.elf=kernel mmio memory=32 cmdline=apic=xapic"
	expect_outcome pass
	expect '\[mmio\] mmio: [0-9]+ instruction forms read back correctly$'
	expect '\[mmio\] GUEST-RESULT: PASS mmio'
}

# LAPIC timer: one-shot, periodic and TSC-deadline (x2APIC MSRs);
# interrupts injected through the interrupt window.
case_bochs_hv_lapic_timer() {
	run_hv_bochs bochs_hv_lapic_timer 120 1 "$G/lapic_timer.elf=kernel lapic_timer memory=32"
	expect_outcome pass
	expect '\[lapic_timer\] LAPIC: x2APIC mode'
	expect '\[lapic_timer\] lapic_timer: periodic 1000 Hz: [0-9]+ interrupts'
	expect '\[lapic_timer\] lapic_timer: TSC deadline 10 ms fired after'
	expect '\[lapic_timer\] GUEST-RESULT: PASS lapic_timer'
}

# An access outside the domain's memory crashes that domain, with the
# address, and nothing else.
case_bochs_hv_ept() {
	run_hv_bochs bochs_hv_ept 150 1 "$G/npt.elf=kernel npt memory=64 unclaimed=strict" \
		"$G/cpuid.elf=kernel bystander memory=32"
	expect_outcome fail
	expect 'd0\(npt\): crashed: (read|write) of guest-physical 0x[0-9a-f]+ at rip 0x[0-9a-f]+: outside the domain'
	expect 'd1\(bystander\): ended: exited with code 0x10 \(pass\)'
	reject 'PANIC'
}

# Two vCPUs: INIT-SIPI-SIPI (the AP starts in real mode), IPIs and NMIs.
case_bochs_hv_ipi() {
	run_hv_bochs bochs_hv_ipi 240 2 "$G/ipi.elf=kernel ipi memory=32 vcpus=2"
	expect_outcome pass
	expect '\[ipi\] smp: CPU 1 online \(APIC id 1\)'
	expect '\[ipi\] ipi: 10 NMIs CPU 0 -> 1 delivered$'
	expect '\[ipi\] GUEST-RESULT: PASS ipi'
}

# Interrupt injection under an exit-heavy load, two vCPUs.
case_bochs_hv_irq_load() {
	run_hv_bochs bochs_hv_irq_load 240 2 "$G/irq_load.elf=kernel irq_load memory=32 vcpus=2"
	expect_outcome pass
	expect '\[irq_load\] GUEST-RESULT: PASS irq_load'
}

# x87/SSE state per vCPU: three domains on two CPUs.
case_bochs_hv_fpu() {
	run_hv_bochs bochs_hv_fpu 240 2 "$G/fpu.elf=kernel fa memory=32" \
		"$G/fpu.elf=kernel fb memory=32" "$G/fpu.elf=kernel fc memory=32"
	expect_outcome pass
	expect '\[fa\] GUEST-RESULT: PASS fpu'
	expect '\[fb\] GUEST-RESULT: PASS fpu'
	expect '\[fc\] GUEST-RESULT: PASS fpu'
}

# Two domains at once on two CPUs both finish.
case_bochs_hv_two_domains() {
	run_hv_bochs bochs_hv_two_domains 240 2 "$G/cpuid.elf=kernel first memory=32" \
		"$G/msr.elf=kernel second memory=32"
	expect_outcome pass
	expect 'd0\(first\): ended: exited with code 0x10 \(pass\)'
	expect 'd1\(second\): ended: exited with code 0x10 \(pass\)'
}

# The VMI ABI through a VMCALL ROM: the same guest kernel as hv_vmi_pv,
# and VMI hidden in an hv domain (VMCALL raises #UD).
# The vcpu, time and events sections on VT-x: VCPU_UP goes through the
# VMCS (64-bit entry state), upcalls through VM-entry injection.
case_bochs_hv_vmi_vcpu() {
	run_hv_bochs bochs_hv_vmi_vcpu 150 2 \
		"$G/vmi_vcpu.elf=kernel vv memory=32 vcpus=2 type=pv"
	expect_outcome pass
	expect '\[vv\] vmi_vcpu: a 5 ms timer woke VCPU_BLOCK after [0-9]+ us'
	expect '\[vv\] vmi_vcpu: vCPU 1 started twice in 64-bit mode'
	expect '\[vv\] GUEST-RESULT: PASS vmi_vcpu'
}

case_bochs_hv_vmi() {
	run_hv_bochs bochs_hv_vmi 120 1 "$G/vmi.elf=kernel vmi memory=32 type=pv" \
		"$G/vmi.elf=kernel plain memory=32"
	expect_outcome pass
	expect '\[vmi\] vmi: ABI 1.0, container 2, features 0x[0-9a-f]+'
	expect '\[vmi\] vmi: multicall results and refusals behave'
	expect '\[vmi\] GUEST-RESULT: PASS vmi'
	expect '\[plain\] vmi: hidden \(ABI version 0 in CPUID\): the ROM MSR and the hypercall instruction fault'
	expect '\[plain\] GUEST-RESULT: PASS vmi'
}

# The VMI mmu and memory sections through a VMCALL ROM (INVVPID/INVEPT
# flushes): the guest kernel of hv_vmi_mm, two vCPUs sharing one CPU.
case_bochs_hv_vmi_mm() {
	run_hv_bochs bochs_hv_vmi_mm 120 1 "$G/vmi_mm.elf=kernel mm memory=32 vcpus=2 type=pv"
	expect_outcome pass
	expect '\[mm\] vmi_mm: features 0x3f, sections mmu and memory 1.0'
	expect '\[mm\] vmi_mm: cross-vCPU INVLPG took [0-9]+ us; CPU 1 sees the new mapping'
	expect '\[mm\] vmi_mm: two vCPUs flushing each other 200 times: no deadlock'
	expect '\[mm\] vmi_mm: BALLOON_IN returned 67 zeroed pages and stopped at the memory size'
	expect 'd0\(mm\): balloon out: 64 page\(s\) given back, 8125 of 8192 pages populated, host free frames ([0-9]+) -> '
	expect 'd0\(mm\): memory released: host free frames ([0-9]+), \1 before it was created'
	expect 'd0\(mm\): mmu: [0-9]+ flush call\(s\) waited for [0-9]+ vCPU\(s\) in guest mode; TLB flushes per vCPU: [1-9][0-9]*, [1-9][0-9]*$'
	expect '\[mm\] GUEST-RESULT: PASS vmi_mm'
}

# A VM entry the CPU refuses (the badentry test hook clears CR0.NE) is
# reported with the exit reason, the qualification and the field at
# fault, and crashes only that domain.
case_bochs_hv_bad_entry() {
	HV_CMDLINE="exit=done onpanic=exit watchdog=90 badentry=broken" \
		run_hv_bochs bochs_hv_bad_entry 120 1 \
		"$G/cpuid.elf=kernel broken memory=32" \
		"$G/cpuid.elf=kernel bystander memory=32"
	expect_outcome fail
	expect 'd0\(broken\): vCPU 0: VM entry failed: exit reason 33 \(invalid guest state\), exit qualification 0 \(no detail\)'
	expect 'd0\(broken\): vCPU 0: VMCS GUEST_CR0 = 0x[0-9a-f]+ breaks IA32_VMX_CR0_FIXED0/1'
	expect 'd0\(broken\): crashed: invalid guest state on entry'
	expect 'd1\(bystander\): ended: exited with code 0x10 \(pass\)'
	reject 'PANIC'
}

# A CPU with EPT but without unrestricted guest (corei5_lynnfield_750):
# the backend refuses, naming the missing control, and domains are
# refused with the reason; nothing is attempted half-way.
case_bochs_hv_no_unrestricted() {
	run_bochs bochs_hv_no_unrestricted "exit=done onpanic=exit" 120 \
		corei5_lynnfield_750 1 "$G/cpuid.elf=kernel cpuid memory=32"
	expect_outcome fail
	expect 'VT-x unusable: the CPU does not allow secondary processor-based control bit 7 \(unrestricted guest\)'
	expect 'domain cpuid not created: no usable VT-x or AMD-V'
	reject 'PANIC'
}

# run_linux_bochs CASE TIMEOUT VCPUS: the stock Debian kernel and the
# initramfs of `make linux-guest` as one VT-x domain under Bochs (512 MiB,
# as many Bochs CPUs as vCPUs).
run_linux_bochs() {
	local name=$1 timeout=$2 vcpus=$3 f
	LOG=$LOGDIR/$name.log
	for f in vmlinuz initrd.cpio.gz; do
		if [ ! -f "$LINUX_DIR/$f" ]; then
			: >"$LOG"
			fail "no ${LINUX_DIR#"$ROOT"/}/$f: make it with 'make linux-guest'"
			return 0
		fi
	done
	BOCHS_MEGS=512 run_hv_bochs "$name" "$timeout" "$vcpus" \
		"$LINUX_DIR/vmlinuz=kernel linux memory=192 vcpus=$vcpus ramdisk=initrd cmdline=console=ttyS0 panic=-1" \
		"$LINUX_DIR/initrd.cpio.gz=ramdisk initrd"
}

# Opt-in (slow, about 145 s): Linux as a 1-vCPU VT-x domain.
case_bochs_hv_linux() {
	run_linux_bochs bochs_hv_linux 900 1
	expect_outcome pass
	expect_hv_linux_ok 0 linux 1
}

# Opt-in (slow, about 195 s): the same with 2 vCPUs on 2 Bochs CPUs.
case_bochs_hv_linux_2vcpu() {
	run_linux_bochs bochs_hv_linux_2vcpu 1200 2
	expect_outcome pass
	expect_hv_linux_ok 0 linux 2
	expect '\[linux\] .*smp: Brought up 1 node, 2 CPUs' "the second vCPU coming online"
}

# Default: about 7 s each.  Slow (make test-slow): the 2-CPU cases take
# 20-45 s each, the Linux boots minutes.
DEFAULT_CASES+=(bochs_hv_cpuid bochs_hv_msr bochs_hv_mmio bochs_hv_lapic_timer
	bochs_hv_bad_entry bochs_hv_no_unrestricted bochs_hv_vmi)
SLOW_CASES+=(bochs_hv_vmi_vcpu bochs_hv_vmi_mm bochs_hv_portio bochs_hv_ept bochs_hv_ipi bochs_hv_irq_load
	bochs_hv_fpu bochs_hv_two_domains bochs_hv_linux bochs_hv_linux_2vcpu)
