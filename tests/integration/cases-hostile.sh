# Hostile pv guests racing the hypervisor's VMI paths (docs/vmi-abi.md)
# and its domain life cycle.  Uses run_hv and $G from cases-hv.sh.

# vCPU 0 moves its vCPU area and gives the old page back at once, over
# and over, while vCPU 1 sends it events: no send may write into a page
# after VCPU_AREA moved away from it (tests/guests/vmi_mm.c, race).
case_hv_vmi_area_race() {
	run_hv hv_vmi_area_race 90 "$G/vmi_mm.elf=kernel race memory=32 vcpus=2 type=pv cmdline=race=1"
	expect_outcome pass
	expect '\[race\] vmi_mm: [1-9][0-9]* vCPU area moves, each old area given back and taken back clean, while CPU 1 sent [1-9][0-9]* events'
	expect '\[race\] GUEST-RESULT: PASS vmi_mm'
	expect 'd0\(race\): memory released: host free frames ([0-9]+), \1 before it was created'
	reject 'PANIC|BUG'
}

DEFAULT_CASES+=(hv_vmi_area_race)
