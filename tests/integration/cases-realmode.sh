# A guest that drops back to real mode and returns (tests/guests/realmode.c):
# 200 round trips protected -> real -> protected mode with software
# interrupts through its own IVT, CPUID and port I/O in real mode, and a
# BIOS-style service through the IVT trivisor gives every domain
# (hvm/bios-stub.c), which answers "not supported" instead of hanging.

case_native_guest_realmode() {
	run_guest_native native_guest_realmode realmode 60
	expect_guest_pass realmode
	expect '^realmode: 200 round trips protected -> real -> protected mode'
}

case_hv_realmode() {
	run_hv hv_realmode 60 "$G/realmode.elf=kernel realmode memory=32 cmdline=bios=stub"
	expect_outcome pass
	expect '\[realmode\] realmode: 200 round trips protected -> real -> protected mode' \
		"the round trips"
	expect '\[realmode\] realmode: INT 15h E801h returned CF=1 AX=86' "the IVT's answer"
	expect '\[realmode\] GUEST-RESULT: PASS realmode'
}

case_bochs_hv_realmode() {
	run_hv_bochs bochs_hv_realmode 180 1 "$G/realmode.elf=kernel realmode memory=32 cmdline=bios=stub"
	expect_outcome pass
	expect '\[realmode\] realmode: 200 round trips protected -> real -> protected mode' \
		"the round trips"
	expect '\[realmode\] realmode: INT 15h E801h returned CF=1 AX=86' "the IVT's answer"
	expect '\[realmode\] GUEST-RESULT: PASS realmode'
}

DEFAULT_CASES+=(native_guest_realmode hv_realmode bochs_hv_realmode)
