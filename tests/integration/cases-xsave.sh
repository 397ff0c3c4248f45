# XSAVE for guests (tests/guests/xsave.c, hypervisor/fpu.c): XCR0 per
# vCPU with XSETBV checked, leaf 0DH, and YMM (ZMM with AVX-512) state
# that stays with its vCPU.  Three domains on two CPUs, so two of them
# share a CPU, each checking its own register pattern through 1.5 s of
# exits and time slices.

case_native_guest_xsave() {
	run_guest_native native_guest_xsave xsave 60
	expect_guest_pass xsave
	expect '^xsave: [0-9]+ checks over 1.5 s and [0-9]+ exits: YMM0-7 and XCR0 0x7 intact$'
}

case_hv_xsave() {
	run_hv hv_xsave 90 "$G/xsave.elf=kernel xa memory=32" \
		"$G/xsave.elf=kernel xb memory=32" "$G/xsave.elf=kernel xc memory=32"
	expect_outcome pass
	expect 'fpu: XSAVE, host XCR0 0x7 ' "the host's XSAVE set-up"
	expect 'd2\(xc\): created: 32 MiB, 1 vCPU\(s\) on CPU\(s\) 0' "two domains on CPU 0"
	for d in xa xb xc; do
		expect "\\[$d\\] xsave: [0-9]+ checks over 1.5 s and [0-9]+ exits: YMM0-7 and XCR0 0x7 intact" \
			"$d's YMM registers and XCR0 kept"
		expect "\\[$d\\] GUEST-RESULT: PASS xsave"
	done
	# The hypervisor saw each XSETBV: as an exit, or (QEMU 7.2 TCG runs
	# an SVM guest's XSETBV without the intercept) as an XCR0 found
	# changed at the next exit.
	grep -Eq 'd0\(xa\): guest time [0-9]+ ms; exits: .*xsetbv [1-9]' "$LOG" ||
		grep -q 'd0(xa): vCPU 0: XCR0 0x7 set without an XSETBV exit' "$LOG" ||
		fail "xa's XSETBV was neither an exit nor seen at the next exit"
}

# xsave=off: the guest finds no XSAVE in CPUID (and XSETBV is #UD).
case_hv_xsave_off() {
	HV_CMDLINE="exit=done onpanic=exit watchdog=45 xsave=off" \
		run_hv hv_xsave_off 60 "$G/xsave.elf=kernel xa memory=32"
	expect_outcome pass
	expect '\[xa\] xsave: skipped: no XSAVE in CPUID.1:ECX' "XSAVE hidden"
}

# VT-x on Bochs corei7_skylake_x, which has AVX-512: ZMM0-7 whole.
case_bochs_hv_xsave() {
	run_hv_bochs bochs_hv_xsave 300 2 "$G/xsave.elf=kernel xa memory=32 cmdline=xsetbv=exits" \
		"$G/xsave.elf=kernel xb memory=32 cmdline=xsetbv=exits" \
		"$G/xsave.elf=kernel xc memory=32 cmdline=xsetbv=exits"
	expect_outcome pass
	for d in xa xb xc; do
		expect "\\[$d\\] xsave: [0-9]+ checks over 1.5 s and [0-9]+ exits: ZMM0-7 and XCR0 0xe7 intact" \
			"$d's ZMM registers and XCR0 kept"
		expect "\\[$d\\] GUEST-RESULT: PASS xsave"
	done
}

DEFAULT_CASES+=(native_guest_xsave hv_xsave hv_xsave_off)
SLOW_CASES+=(bochs_hv_xsave)
