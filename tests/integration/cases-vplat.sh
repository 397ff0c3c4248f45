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
