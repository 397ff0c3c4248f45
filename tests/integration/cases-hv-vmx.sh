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
