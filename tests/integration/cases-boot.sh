# Boot cases: the foundation on both emulated platforms.

# QEMU, 2 CPUs: memory map, both CPUs, SVM with NPT, every self-test.
case_qemu_boot_smp() {
	run_qemu qemu_boot_smp "selftest=all exit=done onpanic=exit" 60
	expect_outcome pass
	expect 'memory map \([0-9]+ entries\)'
	expect '\] available$' "a usable RAM range"
	expect 'frames: [0-9]+ MiB free'
	expect 'CPU 1 online \(APIC id 1\)'
	expect 'SMP: 2 CPU\(s\) online'
	expect 'virtualization: SVM rev [0-9]+, [0-9]+ ASIDs: NPT'
	expect 'selftest frames: PASS'
	expect 'selftest timer-oneshot: PASS'
	expect 'selftest timer-periodic: PASS'
	expect 'selftest smpcall: PASS 2 of 2 CPUs'
	reject ' err: '
}

# QEMU, 1 CPU: nothing assumes an AP exists.
case_qemu_boot_up() {
	run_qemu qemu_boot_up "selftest=all exit=done onpanic=exit" 60 --smp 1
	expect_outcome pass
	expect 'SMP: 1 CPU\(s\) online'
	expect 'selftest smpcall: PASS 1 of 1 CPUs'
}

# QEMU with 6 GiB: RAM above 4 GiB is mapped and handed to the allocator.
case_qemu_boot_highmem() {
	run_qemu qemu_boot_highmem "selftest=frames exit=done onpanic=exit" 60 --mem 6G
	expect_outcome pass
	expect 'frames: [0-9]+ MiB above 4 GiB added'
	expect 'selftest frames: PASS'
}

# A deliberate #UD is reported with its vector and the exact RIP.
case_qemu_exception_ud() {
	local rip
	run_qemu qemu_exception_ud "selftest=ud exit=done onpanic=exit" 60
	expect_outcome fail
	rip=$(symbol selftest_ud_site)
	[ -n "$rip" ] || fail "symbol selftest_ud_site not in the image"
	expect "exception #UD \(vector 6\) at rip=$rip" "the ud2 in selftest.c"
	expect 'backtrace:'
	expect 'run ended: FAIL'
}

# A deliberate page fault reports CR2.
case_qemu_exception_pf() {
	run_qemu qemu_exception_pf "selftest=pf exit=done onpanic=exit" 60
	expect_outcome fail
	expect 'exception #PF \(vector 14\) at rip=[0-9a-f]{16} error=0000 cr2=ffff848000001000'
}

# Bad command-line options are named with the accepted values.
case_qemu_cmdline_errors() {
	run_qemu qemu_cmdline_errors "loglevel=loud bogus=1 console=com9 exit=done" 60
	expect_outcome pass
	expect "command line: loglevel=loud: use err, warn, info or debug"
	expect "command line: unknown option 'bogus' ignored"
	expect "command line: console=com9: use com1, com2 or none"
}

# An unknown self-test name fails the run instead of passing silently.
case_qemu_selftest_unknown() {
	run_qemu qemu_selftest_unknown "selftest=nosuch exit=done onpanic=exit" 60
	expect_outcome fail
	expect 'selftest nosuch: unknown'
}

# Bochs with a VMX+EPT CPU model and 2 CPUs (x2APIC mode).
case_bochs_boot_vmx() {
	run_bochs bochs_boot_vmx "selftest=all exit=done onpanic=exit" 120 corei7_skylake_x 2
	expect_outcome pass
	expect 'LAPIC: x2APIC mode'
	expect 'SMP: 2 CPU\(s\) online'
	expect 'CPU vendor GenuineIntel'
	expect 'virtualization: VMX, VMCS rev 0x[0-9a-f]+, [0-9]+ bytes: EPT.*VPID, unrestricted guest'
	expect 'selftest timer-oneshot: PASS'
	expect 'selftest smpcall: PASS 2 of 2 CPUs'
}

# Bochs: a deliberate #UD ends the run through the Shutdown port.
case_bochs_exception_ud() {
	run_bochs bochs_exception_ud "selftest=ud exit=done onpanic=exit" 120 corei7_skylake_x
	expect_outcome fail
	expect "exception #UD \(vector 6\) at rip=$(symbol selftest_ud_site)"
}

DEFAULT_CASES+=(qemu_boot_smp qemu_boot_up qemu_boot_highmem qemu_exception_ud
	qemu_exception_pf qemu_cmdline_errors qemu_selftest_unknown
	qemu_boot_modules bochs_boot_vmx bochs_exception_ud)

# Multiboot2 modules are found, named and kept away from the allocator.
case_qemu_boot_modules() {
	local mod=$ROOT/build/iso/test-module.bin
	mkdir -p "$(dirname "$mod")"
	head -c 300000 /dev/urandom >"$mod"
	local iso
	iso=$(make_iso qemu_boot_modules "selftest=frames exit=done onpanic=exit" "$mod") ||
		{ fail "could not make the ISO"; return 0; }
	boot_qemu qemu_boot_modules "$iso" 60
	expect_outcome pass
	expect 'module 0: \[[0-9a-f]{8} - [0-9a-f]{8}\) 292 KiB "test-module.bin"'
	expect 'selftest frames: PASS'
}
