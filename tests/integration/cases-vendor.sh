# Vendor backends (hvm/svm/, hvm/vmx/): state that must stay with its
# vCPU when several share a physical CPU.  AMD-V cases run on QEMU TCG
# (-cpu max); _vmx cases on Bochs's VT-x model.

G=$ROOT/build/guests

# run_vendor NAME TIMEOUT SMP EXTRA-CMDLINE MODULE-SPEC...: boot QEMU
# with SMP CPUs, the usual test command line plus EXTRA-CMDLINE.
run_vendor() {
	local name=$1 timeout=$2 smp=$3 extra=$4 iso
	shift 4
	LOG=$LOGDIR/$name.log
	iso=$(make_iso "$name" \
		"exit=done onpanic=exit watchdog=$((timeout * 3 / 4)) $extra" \
		"$@") ||
		{ fail "could not make the ISO"; return 0; }
	boot_qemu "$name" "$iso" "$timeout" --smp "$smp"
}

# ASIDs are handed out per CPU in generations (hvm/asid.c).  With only
# one guest ASID (asids=2) two domains on one CPU end a generation, and
# flush the whole TLB, at every switch; both still pass.  QEMU flushes
# its TLB on every VMRUN, so the counter is the evidence here; the
# allocator itself is tested against a TLB that keeps entries in
# tests/unit/asid/.
case_vendor_asid_wrap() {
	run_vendor vendor_asid_wrap 120 1 "asids=2" \
		"$G/fpu.elf=kernel first memory=32" \
		"$G/fpu.elf=kernel second memory=32"
	expect_outcome pass
	expect 'd0\(first\): ended: exited with code 0x10 \(pass\)'
	expect 'd1\(second\): ended: exited with code 0x10 \(pass\)'
	expect 'd0\(first\): vCPU 0: [0-9]+ ASIDs taken, [1-9][0-9]+ full TLB flushes on ASID wrap \(1 ASIDs per CPU\)'
	expect 'd1\(second\): vCPU 0: [0-9]+ ASIDs taken, [1-9][0-9]+ full TLB flushes on ASID wrap \(1 ASIDs per CPU\)'
	reject 'warn: command line'
}

# The same without a limit: each vCPU keeps the one ASID it got, and only
# the first entry on the CPU flushes everything.
case_vendor_asid_keep() {
	run_vendor vendor_asid_keep 120 1 "" \
		"$G/fpu.elf=kernel first memory=32" \
		"$G/fpu.elf=kernel second memory=32"
	expect_outcome pass
	expect 'd0\(first\): vCPU 0: 1 ASIDs taken, 1 full TLB flushes on ASID wrap \([0-9]+ ASIDs per CPU\)'
	expect 'd1\(second\): vCPU 0: 1 ASIDs taken, 0 full TLB flushes on ASID wrap'
}

DEFAULT_CASES+=(vendor_asid_wrap vendor_asid_keep)

# Intercepted instructions with prefixes resume after their last byte:
# QEMU's AMD-V has no next-RIP save, so the backend's assumed lengths
# (2 for CPUID) used to resume inside "cs cpuid" (hvm/insnlen.c).
case_vendor_insn_len() {
	run_vendor vendor_insn_len 60 2 "" \
		"$G/insn_len.elf=kernel insn_len memory=32"
	expect_outcome pass
	expect '\[insn_len\] insn_len: prefixed cpuid, rdmsr, in, out, wbinvd and invd resume'
	expect '\[insn_len\] GUEST-RESULT: PASS insn_len'
	expect 'd0\(insn_len\): vCPU 0: 2 WBINVD/INVD ignored' "both intercepted"
	reject 'the CPU reported a [0-9]+-byte instruction'
}

DEFAULT_CASES+=(vendor_insn_len)

# The same on VT-x (Bochs), where VM_EXIT_INSTRUCTION_LEN is checked.
case_vendor_insn_len_vmx() {
	run_bochs vendor_insn_len_vmx "exit=done onpanic=exit watchdog=90" \
		120 "${BOCHS_VMX_MODEL:-corei7_skylake_x}" 1 \
		"$G/insn_len.elf=kernel insn_len memory=32"
	expect_outcome pass
	expect 'hv container: VT-x backend enabled'
	expect '\[insn_len\] GUEST-RESULT: PASS insn_len'
	expect 'd0\(insn_len\): vCPU 0: 2 WBINVD/INVD ignored' "both intercepted"
	reject 'the CPU reported a [0-9]+-byte instruction'
}

SLOW_CASES+=(vendor_insn_len_vmx)

# Debug registers stay with their vCPU: three domains on two CPUs, so two
# share CPU 0, each with its own DR0-3, DR6 and DR7 for 1.5 s.  Neither
# VMRUN nor VM entry switches DR0-3 (nor, on VT-x, DR6).
case_vendor_dr_iso() {
	run_vendor vendor_dr_iso 90 2 "" \
		"$G/dr_iso.elf=kernel da memory=32" \
		"$G/dr_iso.elf=kernel db memory=32" \
		"$G/dr_iso.elf=kernel dc memory=32"
	expect_outcome pass
	expect 'd0\(da\): created: 32 MiB, 1 vCPU\(s\) on CPU\(s\) 0'
	expect 'd2\(dc\): created: 32 MiB, 1 vCPU\(s\) on CPU\(s\) 0'
	expect '\[da\] dr_iso: [0-9]+ checks over 1.5 s and [0-9]+ exits: debug registers intact'
	expect '\[db\] GUEST-RESULT: PASS dr_iso'
	expect '\[dc\] GUEST-RESULT: PASS dr_iso'
}

DEFAULT_CASES+=(vendor_dr_iso)

# The same on VT-x (Bochs, 2 CPUs), where DR6 is not switched either.
case_vendor_dr_iso_vmx() {
	run_bochs vendor_dr_iso_vmx "exit=done onpanic=exit watchdog=150" \
		200 "${BOCHS_VMX_MODEL:-corei7_skylake_x}" 2 \
		"$G/dr_iso.elf=kernel da memory=32" \
		"$G/dr_iso.elf=kernel db memory=32" \
		"$G/dr_iso.elf=kernel dc memory=32"
	expect_outcome pass
	expect 'hv container: VT-x backend enabled'
	expect 'd2\(dc\): created: 32 MiB, 1 vCPU\(s\) on CPU\(s\) 0'
	expect '\[da\] GUEST-RESULT: PASS dr_iso'
	expect '\[db\] GUEST-RESULT: PASS dr_iso'
	expect '\[dc\] GUEST-RESULT: PASS dr_iso'
}

SLOW_CASES+=(vendor_dr_iso_vmx)

# CR4 bits the guest's CPUID hides fault with #GP (QEMU -cpu max has
# LA57, PKU and UMIP, which the policy hides); CR0 and EFER writes VM
# entry would refuse fault in the guest (hvm/crcheck.c).
case_vendor_cr_bits() {
	run_vendor vendor_cr_bits 60 2 "" "$G/cr_bits.elf=kernel cr_bits memory=32"
	expect_outcome pass
	expect '\[cr_bits\] cr_bits: [0-9]+ CR4 bits hidden and refused with #GP'
	expect '\[cr_bits\] cr_bits: EFER.LME under paging: #GP' \
		"VMRUN used to fail (exit -1) on LME with 32-bit paging"
	expect '\[cr_bits\] GUEST-RESULT: PASS cr_bits'
}

case_vendor_cr_bits_vmx() {
	run_bochs vendor_cr_bits_vmx "exit=done onpanic=exit watchdog=90" \
		120 "${BOCHS_VMX_MODEL:-corei7_skylake_x}" 1 \
		"$G/cr_bits.elf=kernel cr_bits memory=32"
	expect_outcome pass
	expect 'hv container: VT-x backend enabled'
	expect '\[cr_bits\] cr_bits: CR0 with PG but not PE, or NW but not CD: #GP' \
		"the CR0 writes that exit are checked"
	expect '\[cr_bits\] GUEST-RESULT: PASS cr_bits'
	reject 'refused to enter the guest'
}

DEFAULT_CASES+=(vendor_cr_bits)
SLOW_CASES+=(vendor_cr_bits_vmx)

# VPIDs from the same generations on VT-x (Bochs, 1 CPU): one guest VPID
# (asids=2), two domains, every switch a full INVVPID; both still pass.
case_vendor_asid_wrap_vmx() {
	run_bochs vendor_asid_wrap_vmx \
		"exit=done onpanic=exit watchdog=200 asids=2" 260 \
		"${BOCHS_VMX_MODEL:-corei7_skylake_x}" 1 \
		"$G/fpu.elf=kernel first memory=32" \
		"$G/fpu.elf=kernel second memory=32"
	expect_outcome pass
	expect 'd0\(first\): ended: exited with code 0x10 \(pass\)'
	expect 'd1\(second\): ended: exited with code 0x10 \(pass\)'
	expect 'd0\(first\): vCPU 0: [0-9]+ VPIDs taken, [1-9][0-9]+ full TLB flushes on VPID wrap \(1 VPIDs per CPU\)'
	expect 'd1\(second\): vCPU 0: [0-9]+ VPIDs taken, [1-9][0-9]+ full TLB flushes on VPID wrap \(1 VPIDs per CPU\)'
}

SLOW_CASES+=(vendor_asid_wrap_vmx)
