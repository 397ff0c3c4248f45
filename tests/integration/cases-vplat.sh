# The virtual platform against real kernels' probes: PCI mechanism #1,
# unclaimed addresses and ports, vendor MSRs, privilege in emulated
# string I/O.  run_hv and run_hv_bochs come from cases-hv.sh and
# cases-hv-vmx.sh (sourced first).

# PCI mechanism #1 finds no devices (a dword to 0xcf8 is not a reset);
# the HPET base and 0xff000000 read all ones, writes are dropped and
# logged (rate-limited).
case_hv_probe() {
	run_hv hv_probe 60 "$G/probe.elf=kernel probe memory=32"
	expect_outcome pass
	expect '\[probe\] probe: PCI bus 0: 256 functions scanned, 0 present'
	expect '\[probe\] probe: HPET base 0xfed00000 reads 0xffffffff / 0xffff / 0xff'
	expect '\[probe\] probe: rep movsd from 0xff000000 copies all ones'
	expect '\[probe\] GUEST-RESULT: PASS probe'
	expect 'd0\(probe\): 4-byte write to unclaimed guest-physical 0xfed00000 at rip 0x[0-9a-f]+: dropped'
	reject 'd0\(probe\): ended: reboot'
}

# unclaimed=strict keeps the old behaviour: the first stray access
# crashes the domain, with the address.
case_hv_probe_strict() {
	run_hv hv_probe_strict 60 "$G/probe.elf=kernel probe memory=32 unclaimed=strict"
	expect_outcome fail
	expect '\[probe\] probe: PCI bus 0: 256 functions scanned, 0 present'
	expect 'd0\(probe\): crashed: write of guest-physical 0xfed00000 at rip 0x[0-9a-f]+: outside the domain'
}

# The npt kernel's hole beyond RAM reads all ones by default.
case_hv_npt_float() {
	run_hv hv_npt_float 90 "$G/npt.elf=kernel npt memory=64"
	expect_outcome pass
	expect '\[npt\] npt: hole reads all ones'
	expect '\[npt\] GUEST-RESULT: PASS npt'
}

case_bochs_hv_probe() {
	run_hv_bochs bochs_hv_probe 150 1 "$G/probe.elf=kernel probe memory=32"
	expect_outcome pass
	expect 'hv container: VT-x backend enabled on 1 CPU'
	expect '\[probe\] probe: PCI bus 0: 256 functions scanned, 0 present'
	expect '\[probe\] GUEST-RESULT: PASS probe'
}

DEFAULT_CASES+=(hv_probe hv_probe_strict hv_npt_float bochs_hv_probe)

# Vendor MSRs: AMD's legacy counters read 0 and take writes for an AMD
# guest (QEMU -cpu max) and raise #GP for an Intel one (Bochs); the base
# MSRs refuse non-canonical values with #GP at the WRMSR.
case_hv_msr_vendor() {
	run_hv hv_msr_vendor 60 "$G/msr_vendor.elf=kernel mv memory=32"
	expect_outcome pass
	expect '\[mv\] msr_vendor: CPUID vendor AMD'
	expect '\[mv\] msr_vendor: AMD legacy counters 0xc0010000-0xc0010007 read and write without a fault'
	expect '\[mv\] msr_vendor: non-canonical wrmsr of FS_BASE: #GP\(0\)'
	expect '\[mv\] msr_vendor: non-canonical wrmsr of SYSENTER_EIP: accepted, reads 0x1234 \(low 32 bits, as AMD\)'
	expect '\[mv\] msr_vendor: 256 unknown MSRs: 256 #GP'
	expect '\[mv\] GUEST-RESULT: PASS msr_vendor'
	expect_unknown_msr_lines_limited
}

# The unknown-MSR lines of 256 and more distinct MSRs in well under a
# second: the first 8, then the rate limit.
expect_unknown_msr_lines_limited() {
	local n
	n=$(grep -ac 'of unknown MSR 0x' "$LOG" || true)
	[ "$n" -ge 1 ] && [ "$n" -le 24 ] ||
		fail "$n unknown-MSR lines for 256 MSRs and more: the rate limit (8 a second) does not hold"
}

case_bochs_hv_msr_vendor() {
	run_hv_bochs bochs_hv_msr_vendor 150 1 "$G/msr_vendor.elf=kernel mv memory=32"
	expect_outcome pass
	expect '\[mv\] msr_vendor: CPUID vendor Intel'
	expect '\[mv\] msr_vendor: Intel: 0xc0010000-0xc0010007 raise #GP'
	expect '\[mv\] msr_vendor: non-canonical wrmsr of FS_BASE: #GP\(0\)'
	expect '\[mv\] GUEST-RESULT: PASS msr_vendor'
	expect_unknown_msr_lines_limited
}

DEFAULT_CASES+=(hv_msr_vendor bochs_hv_msr_vendor)

# Emulated string I/O and MMIO with the CPU's privilege checks: CPL 3
# rep insb/outsb against a supervisor page get #PF (U set), CPL 3 MMIO
# through a user mapping works, SMAP, segment limits.
case_hv_userio() {
	run_hv hv_userio 60 "$G/userio.elf=kernel userio memory=32"
	expect_outcome pass
	expect '\[userio\] userio: CPL 3 rep insb across into a supervisor page: #PF error 0x7 cr2 0x400000 ecx 2 edi 0x400000'
	expect '\[userio\] userio: CPL 3 rep outsb from a supervisor page: #PF error 0x5 cr2 0x400000'
	expect '\[userio\] userio: CPL 3 movsd from the IOAPIC through a user mapping copies 0x[0-9a-f]+'
	expect '\[userio\] userio: SMAP: CPL 0 rep insb into a user page: #PF with AC clear, done with AC set'
	expect '\[userio\] userio: rep insb past ES.s limit: #GP\(0\) after 2 bytes'
	expect '\[userio\] GUEST-RESULT: PASS userio'
}

case_bochs_hv_userio() {
	run_hv_bochs bochs_hv_userio 150 1 "$G/userio.elf=kernel userio memory=32"
	expect_outcome pass
	expect '\[userio\] userio: CPL 3 rep insb across into a supervisor page: #PF error 0x7 cr2 0x400000 ecx 2 edi 0x400000'
	expect '\[userio\] userio: rep insb past ES.s limit: #GP\(0\) after 2 bytes'
	expect '\[userio\] GUEST-RESULT: PASS userio'
}

DEFAULT_CASES+=(hv_userio bochs_hv_userio)

# The same on Bochs's AMD model (the SVM backend under Bochs).  Passed
# through, Bochs's ryzen raises the canonical #GP for the base MSRs as
# the CPU does but also #GP for SYSENTER_ESP/EIP, which a real AMD CPU
# truncates to 32 bits; with the writes intercepted the guest sees AMD's
# behaviour.
case_bochs_svm_msr_vendor() {
	run_bochs bochs_svm_msr_vendor "exit=done onpanic=exit watchdog=110" 150 \
		"${BOCHS_SVM_MODEL:-ryzen}" 1 "$G/msr_vendor.elf=kernel mv memory=32"
	expect_outcome pass
	expect 'hv container: AMD-V backend enabled on 1 CPU'
	expect '\[mv\] msr_vendor: CPUID vendor AMD'
	expect '\[mv\] msr_vendor: non-canonical wrmsr of FS_BASE: #GP\(0\)'
	expect '\[mv\] msr_vendor: non-canonical wrmsr of SYSENTER_ESP: accepted, reads 0x1234 \(low 32 bits, as AMD\)'
	expect '\[mv\] GUEST-RESULT: PASS msr_vendor'
}

DEFAULT_CASES+=(bochs_svm_msr_vendor)
