# The hv container on AMD-V with NPT (QEMU TCG, -cpu max): guest test
# kernels from tests/guests/ run as domains of the real hypervisor.

# run_hv NAME TIMEOUT MODULE-SPEC...: boot with domains from modules.  The
# hypervisor's watchdog crashes a domain still running at 3/4 of TIMEOUT
# and logs where its vCPUs were, so a hang fails with evidence.
# HV_CMDLINE, when set, replaces the command line.
run_hv() {
	local name=$1 timeout=$2 iso
	shift 2
	LOG=$LOGDIR/$name.log
	iso=$(make_iso "$name" \
		"${HV_CMDLINE:-exit=done onpanic=exit watchdog=$((timeout * 3 / 4))}" \
		"$@") ||
		{ fail "could not make the ISO"; return 0; }
	boot_qemu "$name" "$iso" "$timeout"
}

G=$ROOT/build/guests

# CPUID policy: the guest sees trivisor's signature at 0x40000000.
case_hv_cpuid() {
	run_hv hv_cpuid 60 "$G/cpuid.elf=kernel cpuid memory=32"
	expect_outcome pass
	expect 'hv container: AMD-V backend enabled on 2 CPU'
	expect '\[cpuid\] .*TrivisorVMI' "the hypervisor leaf"
	expect '\[cpuid\] GUEST-RESULT: PASS cpuid'
	expect 'd0\(cpuid\): ended: exited with code 0x10 \(pass\)'
	expect 'd0\(cpuid\): guest time [0-9]+ ms; exits: cpuid [1-9]'
}

# MSR policy: EFER/PAT in the VMCB (PAT validated), unknown MSRs #GP.
case_hv_msr() {
	run_hv hv_msr 60 "$G/msr.elf=kernel msr memory=32"
	expect_outcome pass
	expect '\[msr\] GUEST-RESULT: PASS msr'
	expect 'd0\(msr\): rdmsr of unknown MSR 0x[0-9a-f]+ at rip 0x[0-9a-f]+: #GP'
}

# Port I/O: the virtual PIT, RTC/CMOS, port 0x61, unclaimed ports.
case_hv_portio() {
	run_hv hv_portio 90 "$G/portio.elf=kernel portio memory=32"
	expect_outcome pass
	expect '\[portio\] portio: rep outsb, rep insb and std; insb behave'
	expect '\[portio\] GUEST-RESULT: PASS portio'
}

# Two domains at once on the 2-CPU platform both finish.
case_hv_two_domains() {
	run_hv hv_two_domains 90 "$G/cpuid.elf=kernel first memory=32" \
		"$G/msr.elf=kernel second memory=32"
	expect_outcome pass
	expect 'd0\(first\): ended: exited with code 0x10 \(pass\)'
	expect 'd1\(second\): ended: exited with code 0x10 \(pass\)'
}

# Every page of guest RAM is reachable through the nested tables; an
# access outside the domain's memory crashes that domain, with the address,
# and nothing else.
case_hv_npt() {
	run_hv hv_npt 90 "$G/npt.elf=kernel npt memory=64 unclaimed=strict" \
		"$G/cpuid.elf=kernel bystander memory=32"
	expect_outcome fail
	expect 'd0\(npt\): crashed: (read|write) of guest-physical 0x[0-9a-f]+ at rip 0x[0-9a-f]+: outside the domain'
	expect 'd1\(bystander\): ended: exited with code 0x10 \(pass\)'
	reject 'PANIC'
}

# LAPIC timer: one-shot, periodic and TSC-deadline (x2APIC MSRs).
case_hv_lapic_timer() {
	run_hv hv_lapic_timer 90 "$G/lapic_timer.elf=kernel lapic_timer memory=32"
	expect_outcome pass
	expect '\[lapic_timer\] LAPIC: x2APIC mode'
	expect '\[lapic_timer\] lapic_timer: periodic 1000 Hz: [0-9]+ interrupts'
	expect '\[lapic_timer\] lapic_timer: TSC deadline 10 ms fired after'
	expect '\[lapic_timer\] GUEST-RESULT: PASS lapic_timer'
}

# Two vCPUs: INIT-SIPI-SIPI, IPIs and NMIs both ways, shorthands.
case_hv_ipi() {
	run_hv hv_ipi 90 "$G/ipi.elf=kernel ipi memory=32 vcpus=2"
	expect_outcome pass
	expect '\[ipi\] smp: CPU 1 online \(APIC id 1\)'
	expect '\[ipi\] ipi: 10 NMIs CPU 0 -> 1 delivered$'
	expect '\[ipi\] ipi: all-excluding-self IPI reached CPU 1 only'
	expect '\[ipi\] GUEST-RESULT: PASS ipi'
}

# MMIO emulation of the xAPIC and IOAPIC registers, string forms too.
case_hv_mmio() {
	run_hv hv_mmio 90 "$G/mmio.elf=kernel mmio memory=32 cmdline=apic=xapic"
	expect_outcome pass
	expect '\[mmio\] mmio: [0-9]+ instruction forms read back correctly$'
	expect '\[mmio\] GUEST-RESULT: PASS mmio'
}

# Interrupt injection under an exit-heavy load: none lost, none late.
case_hv_irq_load() {
	run_hv hv_irq_load 90 "$G/irq_load.elf=kernel irq_load memory=32 vcpus=2"
	expect_outcome pass
	expect '\[irq_load\] irq_load: PIT: [0-9]+ interrupts'
	expect '\[irq_load\] GUEST-RESULT: PASS irq_load'
}

# x87/SSE state is per vCPU: three domains on two CPUs, so two of them
# share a CPU, each checking its own register pattern through 1.5 s of
# exits and time slices.
case_hv_fpu() {
	run_hv hv_fpu 90 "$G/fpu.elf=kernel fa memory=32" \
		"$G/fpu.elf=kernel fb memory=32" "$G/fpu.elf=kernel fc memory=32"
	expect_outcome pass
	expect 'd0\(fa\): created: 32 MiB, 1 vCPU\(s\) on CPU\(s\) 0'
	expect 'd2\(fc\): created: 32 MiB, 1 vCPU\(s\) on CPU\(s\) 0'
	expect '\[fa\] fpu: [0-9]+ checks over 1.5 s and [0-9]+ exits: state intact'
	expect '\[fb\] GUEST-RESULT: PASS fpu'
	expect '\[fc\] GUEST-RESULT: PASS fpu'
}

# The VMI ABI in a pv domain: discovery, the ROM, the core calls and
# their refusals (each logged); in an hv domain VMI is hidden.
case_hv_vmi_pv() {
	local n
	run_hv hv_vmi_pv 60 "$G/vmi.elf=kernel vmi memory=32 type=pv"
	expect_outcome pass
	expect '\[vmi\] vmi: ABI 1.0, container 1, features 0x[0-9a-f]+, sections [0-9a-f]{4}0100 [0-9a-f]{8} [0-9a-f]{8} 00000100'
	expect 'd0\(vmi\): VMI ROM at 0x[0-9a-f]+$'
	expect 'd0\(vmi\): VMI ROM at 0x[0-9a-f]+ refused: not a page of the domain.s RAM: #GP'
	expect '\[vmi\] vmi: hello through CONSOLE_WRITE'
	expect '\[vmi\] vmi: hello from a multicall'
	expect 'd0\(vmi\): VMI call 3 from vCPU 0: nested multicall \(-22\)'
	expect 'further refusals not logged'
	expect '\[vmi\] vmi: multicall results and refusals behave'
	expect '\[vmi\] vmi: 1000 ROM MSR writes behave'
	expect '\[vmi\] GUEST-RESULT: PASS vmi'
	# 1000 ROM MSR writes in well under a second: 8 lines a second.
	n=$(grep -c 'd0(vmi): VMI ROM at' "$LOG" || true)
	[ "$n" -le 24 ] || fail "$n log lines for the ROM MSR writes (rate limit 8/s)"
}

# The VMI mmu and memory sections: every call and its refusals, a
# cross-vCPU flush that a vCPU reading through a stale translation must
# see, and ballooning.  The hypervisor's log line proves the frames went
# back to the host: its free-frame count grows by exactly the pages given
# back, and the domain's page count drops by as many.
case_hv_vmi_mm() {
	local line n pop out total before after
	run_hv hv_vmi_mm 90 "$G/vmi_mm.elf=kernel mm memory=32 vcpus=2 type=pv"
	expect_outcome pass
	expect '\[mm\] vmi_mm: features 0x3f, sections mmu and memory 1.0'
	expect '\[mm\] vmi_mm: MMU_UPDATE writes entries and stops at the first bad one'
	expect '\[mm\] vmi_mm: PIN, UNPIN and LOAD_BASE and their refusals behave'
	expect '\[mm\] vmi_mm: FLUSH and INVLPG refuse bad scopes and bitmaps'
	expect '\[mm\] vmi_mm: cross-vCPU INVLPG took [0-9]+ us; CPU 1 sees the new mapping'
	expect '\[mm\] vmi_mm: two vCPUs flushing each other 200 times: no deadlock'
	expect '\[mm\] vmi_mm: MEMORY_MAP matches the [0-9]+ multiboot ranges'
	expect '\[mm\] vmi_mm: BALLOON_IN returned 67 zeroed pages and stopped at the memory size'
	expect '\[mm\] vmi_mm: [0-9]+ scattered pages given back until the P2M was full \(-ENOSPC\), all taken back'
	expect 'd0\(mm\): balloon in: 65 page\(s\) taken back, 8192 of 8192 pages populated'
	expect '\[mm\] GUEST-RESULT: PASS vmi_mm'
	# vCPU 1 took flush requests from vCPU 0 in its run loop, and some
	# flush calls found the other vCPU in guest mode and waited for it.
	expect 'd0\(mm\): mmu: [0-9]+ flush call\(s\) waited for [1-9][0-9]* vCPU\(s\) in guest mode; TLB flushes per vCPU: [1-9][0-9]*, [1-9][0-9]*$'
	# "balloon out: N page(s) given back, P of T pages populated, host
	# free frames A -> B": B - A = N; "balloon in: N page(s) taken back,
	# P of T pages populated".  P follows every call; 67 pages and the
	# scattered ones went out in all.
	pop=8192
	out=0
	while read -r line; do
		n=$(sed -E 's/.*balloon (out|in): ([0-9]+) page.*/\2/' <<<"$line")
		total=$(sed -E 's/.*page\(s\) [a-z ]+, ([0-9]+) of.*/\1/' <<<"$line")
		case $line in
		*"balloon out: "*)
			before=$(sed -E 's/.*host free frames ([0-9]+) -> ([0-9]+).*/\1/' <<<"$line")
			after=$(sed -E 's/.*host free frames ([0-9]+) -> ([0-9]+).*/\2/' <<<"$line")
			pop=$((pop - n))
			out=$((out + n))
			[ $((after - before)) = "$n" ] || fail "giving back $n page(s) freed $((after - before)) host frames"
			;;
		*) pop=$((pop + n)) ;;
		esac
		[ "$total" = "$pop" ] || fail "after a balloon call of $n page(s) the domain has $total pages, expected $pop"
	done < <(grep -aE 'd0\(mm\): balloon (out|in): ' "$LOG" | tr -d '\r')
	n=$(grep -aoE 'vmi_mm: [0-9]+ scattered pages' "$LOG" | grep -oE '[0-9]+' || echo 0)
	[ "$out" = $((67 + n)) ] || fail "the log shows $out pages given back, expected $((67 + n))"
	[ "$pop" = 8192 ] || fail "the log ends with $pop pages populated, expected 8192"
	# Blocks split for ballooning and pages taken back are all freed,
	# once: the host ends with what it had before the domain.
	expect 'd0\(mm\): memory released: host free frames ([0-9]+), \1 before it was created'
}

# An access to a page given back ends the domain like any access outside
# its memory.
case_hv_vmi_mm_touch() {
	run_hv hv_vmi_mm_touch 90 "$G/vmi_mm.elf=kernel mm memory=32 type=pv cmdline=touch=1"
	expect_outcome fail
	expect '\[mm\] vmi_mm: reading a page given back'
	expect 'd0\(mm\): crashed: read of guest-physical 0x[0-9a-f]+ at rip 0x[0-9a-f]+: outside the domain.s memory'
	reject 'the domain is still alive'
	expect 'd0\(mm\): memory released: host free frames ([0-9]+), \1 before it was created'
}

# The vcpu, time and events sections with 2 vCPUs (tests/guests/vmi_vcpu.c).
case_hv_vmi_vcpu() {
	run_hv hv_vmi_vcpu 60 "$G/vmi_vcpu.elf=kernel vv memory=32 vcpus=2 type=pv"
	expect_outcome pass
	expect '\[vv\] vmi_vcpu: pvclock at [0-9]+ ns agrees with TIME_NOW'
	expect '\[vv\] vmi_vcpu: masking, UNMASK, upcall_mask and YIELD behave'
	expect '\[vv\] vmi_vcpu: a 5 ms timer woke VCPU_BLOCK after [0-9]+ us'
	expect '\[vv\] vmi_vcpu: 5 PIT events through port [0-9]+'
	expect '\[vv\] vmi_vcpu: vCPU 1 started twice in 64-bit mode'
	expect 'd0\(vv\): VMI call 54 from vCPU 0: status outside the domain.s RAM \(-14\)'
	expect 'd0\(vv\): VMI: more than 16 refused calls in 1000 ms; further refusals not logged for now'
	expect '\[vv\] GUEST-RESULT: PASS vmi_vcpu'
}

# A hostile pv domain makes random VMI calls with random arguments for
# 4 s while a well-behaved pv domain runs its own VMI test beside it.
case_hv_vmi_fuzz() {
	run_hv hv_vmi_fuzz 90 "$G/vmi_fuzz.elf=kernel hostile memory=32 type=pv cmdline=seconds=4" \
		"$G/vmi_vcpu.elf=kernel good memory=32 vcpus=2 type=pv"
	expect_outcome pass
	expect '\[hostile\] vmi_fuzz: seed [0-9]+, 4 s'
	expect '\[hostile\] vmi_fuzz: [0-9]+ calls .*; still alive'
	expect '\[hostile\] GUEST-RESULT: PASS vmi_fuzz'
	expect '\[good\] GUEST-RESULT: PASS vmi_vcpu'
	expect 'd0\(hostile\): VMI: more than 16 refused calls'
}

case_hv_vmi_hidden() {
	run_hv hv_vmi_hidden 60 "$G/vmi.elf=kernel plain memory=32"
	expect_outcome pass
	expect '\[plain\] vmi: hidden \(ABI version 0 in CPUID\): the ROM MSR and the hypercall instruction fault'
	reject 'VMI ROM at'
}

# The watchdog: a domain still running after watchdog=N seconds is crashed
# and each vCPU logs its registers and interrupt state.
case_hv_watchdog() {
	HV_CMDLINE="exit=done onpanic=exit watchdog=1" \
		run_hv hv_watchdog 60 "$G/irq_load.elf=kernel slow memory=32 vcpus=2"
	expect_outcome fail
	expect 'd0\(slow\): crashed: watchdog: still running after 1 s'
	expect 'd0\(slow\): vCPU 0 stopped \((running|halted)\):'
	expect 'd0\(slow\): vCPU 1 stopped \((running|halted|waiting for SIPI)\):'
	expect 'err:   rip [0-9a-f]{16} rsp'
	expect 'd0\(slow\):   rflags.IF [01], LAPIC svr'
	expect 'd0\(slow\): ended: crashed: watchdog'
}

# Bad domain specifications are refused with the field named.
case_hv_bad_config() {
	run_hv hv_bad_config 60 "$G/cpuid.elf=kernel big memory=100000" \
		"$G/cpuid.elf=kernel odd vcpus=0" "$G/cpuid.elf=kernel sz memory=3" \
		"$G/cpuid.elf=kernel ok memory=32" "$G/cpuid.elf=kernel ok memory=32" \
		"$G/cpuid.elf=kernel typo memroy=32" \
		"$G/cpuid.elf=kernel kind type=xen"
	expect_outcome fail
	expect 'domain big not created: memory = 100000 MiB asked, only [0-9]+ MiB free'
	expect 'domain odd not created: vcpus = 0: use 1 to 8'
	expect 'domain sz not created: memory = 3072 KiB: use a multiple of 2 MiB'
	expect "domain ok not created: a domain named 'ok' exists already"
	expect 'domain typo: unknown key "memroy" \(known: memory, vcpus, type, ramdisk, unclaimed, cmdline\)'
	expect 'domain kind: type = xen: use hv \(unmodified guest\) or pv \(VMI guest\)'
	expect 'frames: [0-9]+ MiB free'
}

DEFAULT_CASES+=(hv_cpuid hv_msr hv_portio hv_lapic_timer hv_ipi hv_mmio
	hv_irq_load hv_two_domains hv_npt hv_bad_config hv_watchdog
	hv_fpu hv_vmi_pv hv_vmi_vcpu hv_vmi_fuzz hv_vmi_hidden hv_vmi_mm
	hv_vmi_mm_touch)
