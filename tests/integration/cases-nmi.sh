# NMI blocking and an NMI handler whose IRET faults (tests/guests/nmi_iret.c):
# natively, on AMD-V (QEMU) and on VT-x (Bochs).

case_native_guest_nmi_iret() {
	run_guest_native native_guest_nmi_iret nmi_iret 60
	expect_guest_pass nmi_iret
	expect '^nmi_iret: 20 faulting-IRET rounds: the second NMI ran once, never nested'
}

case_hv_nmi_iret() {
	run_hv hv_nmi_iret 60 "$G/nmi_iret.elf=kernel nmi_iret memory=32"
	expect_outcome pass
	expect '\[nmi_iret\] nmi_iret: 20 plain rounds: the second NMI ran once, after the handler.s IRET'
	expect '\[nmi_iret\] nmi_iret: 20 faulting-IRET rounds: the second NMI ran once, never nested'
	expect '\[nmi_iret\] GUEST-RESULT: PASS nmi_iret'
}

case_bochs_hv_nmi_iret() {
	run_hv_bochs bochs_hv_nmi_iret 180 1 "$G/nmi_iret.elf=kernel nmi_iret memory=32"
	expect_outcome pass
	expect '\[nmi_iret\] nmi_iret: 20 faulting-IRET rounds: the second NMI ran once, never nested'
	expect '\[nmi_iret\] GUEST-RESULT: PASS nmi_iret'
}

DEFAULT_CASES+=(native_guest_nmi_iret hv_nmi_iret bochs_hv_nmi_iret)
