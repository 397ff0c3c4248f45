# Hostile pv guests racing the hypervisor's VMI paths (docs/vmi-abi.md)
# and its domain life cycle.  Uses run_hv and $G from cases-hv.sh.

# vCPU 0 moves its vCPU area and gives the old page back at once, over
# and over, while vCPU 1 sends it events: no send may write into a page
# after VCPU_AREA moved away from it (tests/guests/vmi_mm.c, race).
case_hv_vmi_area_race() {
	run_hv hv_vmi_area_race 90 "$G/vmi_mm.elf=kernel race memory=32 vcpus=2 type=pv cmdline=race=1"
	expect_outcome pass
	expect '\[race\] vmi_mm: [1-9][0-9]* vCPU area moves, each old area given back and taken back clean, while CPU 1 sent [1-9][0-9]* events'
	expect '\[race\] vmi_mm: [1-9][0-9]* shared-page attaches raced detaches: the page given back [1-9][0-9]* times, never while attached'
	expect '\[race\] GUEST-RESULT: PASS vmi_mm'
	expect 'd0\(race\): memory released: host free frames ([0-9]+), \1 before it was created'
	reject 'PANIC|BUG'
}


# Both vCPUs of a pv domain hostile at once, vCPU 1 in 32-bit then 64-bit
# mode, BLOCK, DOWN and area moves with ballooning racing EVTCHN_SEND; the
# domain powers itself off with SHUTDOWN while vCPU 1 still makes calls.
# A well-behaved pv domain runs beside it.
# run_fuzz_smp NAME [HYPERVISOR OPTION...]
run_fuzz_smp() {
	local name=$1
	shift
	HV_CMDLINE="exit=done onpanic=exit watchdog=90 $*" \
		run_hv "$name" 120 "$G/vmi_fuzz.elf=kernel hostile memory=32 vcpus=2 type=pv cmdline=seconds=20" \
		"$G/vmi_vcpu.elf=kernel good memory=32 vcpus=2 type=pv"
}

# With XSAVE not offered to guests (xsave=off): with it, under QEMU 7.2
# TCG, this guest fails in about half the runs (triple faults, its stack
# at 0) and one run in four lost the host (an IDT fetch faulting right
# after VMRUN).  With xsave=off 19 runs of 19 passed, then one more run
# lost the host too: the host loss is open (docs/fpu.md), so the 2-vCPU
# hostile cases are in make test-slow until it is found.
case_hv_vmi_fuzz_smp() {
	run_fuzz_smp hv_vmi_fuzz_smp xsave=off
	expect_fuzz_smp
}

case_hv_vmi_fuzz_smp_xsave() {
	run_fuzz_smp hv_vmi_fuzz_smp_xsave
	expect_fuzz_smp
}

expect_fuzz_smp() {
	expect_outcome pass
	expect '\[hostile\] vmi_fuzz: seed [0-9]+, 20 s, RAM up to 0x[0-9a-f]+, 2 hostile vCPUs'
	# vCPU 1's 32-bit phase needs the library's AP start-up, which a
	# loaded host can make time out; its 64-bit phase always runs.
	expect '\[hostile\] vmi_fuzz: vCPU 1: [0-9]+ calls in 32-bit mode, then [1-9][0-9]* in 64-bit mode over [1-9][0-9]* starts'
	expect '\[hostile\] vmi_fuzz: still alive; powering off with SHUTDOWN'
	expect 'd0\(hostile\): ended: powered off'
	expect '\[good\] GUEST-RESULT: PASS vmi_vcpu'
	expect 'domains: none left; host free frames ([0-9]+), \1 before the first was created'
	reject 'PANIC|BUG'
}

# hostile_mgmt NAME SECONDS: for SECONDS, pv domains of two hostile vCPUs
# (vmi_fuzz, each ending itself with SHUTDOWN after 2-5 s) are created
# one after another through tvctl, and each is paused, unpaused, shut
# down and destroyed at random moments of its life, across the moment it
# powers itself off; every third round a well-behaved pv domain
# (vmi_vcpu) runs too and must pass.  A healthy domain (busy, from boot)
# runs throughout and must power off cleanly when shut down at the end.
# Then no domain is left and the host's free frames are exactly what
# they were before the first domain.  Uses mgmt_stop, tv and json_num
# from cases-mgmt.sh.
hostile_mgmt() {
	local name=$1 seconds=$2 dir=$ROOT/build/$1 iso end i=0 s op t good=0 n
	mkdir -p "$dir"
	objcopy --strip-debug "$G/vmi_fuzz.elf" "$dir/vmi_fuzz.elf"
	objcopy --strip-debug "$G/vmi_vcpu.elf" "$dir/vmi_vcpu.elf"
	LOG=$LOGDIR/$name.log
	MGMT_SOCK=$ROOT/build/$name.sock
	PLATFORM=QEMU
	rm -f "$LOG"
	# xsave=off: see case_hv_vmi_fuzz_smp.
	iso=$(make_iso "$name" "onpanic=exit xsave=off" "$G/busy.elf=kernel healthy memory=32") ||
		{ fail "could not make the ISO"; return 0; }
	bash "$ROOT/tools/run-qemu.sh" --iso "$iso" --log "$LOG" \
		--timeout $((seconds + 240)) --mgmt "$MGMT_SOCK" \
		>"$LOGDIR/$name.qemu.txt" 2>&1 &
	MGMT_PID=$!
	for _ in $(seq 1 150); do
		grep -q "mgmt: serving protocol" "$LOG" 2>/dev/null && [ -S "$MGMT_SOCK" ] && break
		sleep 0.2
	done
	[ -S "$MGMT_SOCK" ] || { fail "the management agent did not start"; return 0; }
	end=$((SECONDS + seconds))
	while [ $SECONDS -lt $end ]; do
		i=$((i + 1))
		s=$((2 + RANDOM % 4))
		printf 'name = "h%s"\ntype = "pv"\nmemory = 32\nvcpus = 2\nkernel = "vmi_fuzz.elf"\ncmdline = "seconds=%s"\n' \
			"$i" "$s" >"$dir/h.cfg"
		tv create "$dir/h.cfg" >/dev/null 2>&1 || fail "create h$i: $(tv create "$dir/h.cfg" 2>&1)"
		if [ $((i % 3)) = 0 ]; then
			printf 'name = "good%s"\ntype = "pv"\nmemory = 32\nvcpus = 2\nkernel = "vmi_vcpu.elf"\n' \
				"$i" >"$dir/good.cfg"
			tv create "$dir/good.cfg" >/dev/null 2>&1 && good=$((good + 1))
		fi
		# Management calls across its life and its own end (it boots
		# in about a second and then fuzzes for s seconds).
		t=$((SECONDS + s + RANDOM % 3))
		while [ $SECONDS -lt $t ]; do
			case $((RANDOM % 8)) in
			0 | 1) op=pause ;;
			2 | 3) op=unpause ;;
			4) op=shutdown ;;
			5) op=info ;;
			6) op=list ;;
			*) op=unpause ;;
			esac
			if [ $op = list ]; then tv list >/dev/null 2>&1; else tv $op "h$i" >/dev/null 2>&1; fi
			sleep 0.$((RANDOM % 4))
		done
		# Gone by now unless a pause held it back: unpause then destroy,
		# racing its SHUTDOWN, or destroy it paused.
		[ $((RANDOM % 2)) = 0 ] && tv unpause "h$i" >/dev/null 2>&1
		tv destroy "h$i" >/dev/null 2>&1
	done
	# Every hostile and good domain gone; the healthy one shut down.
	for _ in $(seq 1 100); do
		n=$(tv list 2>/dev/null | grep -cE ' (h|good)[0-9]+ ' || true)
		[ "$n" = 0 ] && break
		sleep 0.3
	done
	[ "$n" = 0 ] || fail "hostile or good domains still listed: $(tv list 2>&1)"
	tv list | grep -qE ' healthy +running ' || fail "the healthy domain is not running: $(tv list 2>&1)"
	tv shutdown healthy >/dev/null 2>&1 || fail "shutdown healthy: $(tv shutdown healthy 2>&1)"
	for _ in $(seq 1 100); do
		grep -aq 'domains: none left' "$LOG" && break
		sleep 0.3
	done
	tv version >/dev/null 2>&1 || fail "the management agent stopped answering"
	mgmt_stop
	echo "$i hostile and $good good domains" >"$LOGDIR/$name.count"
	[ "$i" -ge 2 ] || fail "only $i hostile domains in $seconds s"
	expect 'd0\(healthy\): created: '
	expect '\[healthy\] busy: power button pressed: powering off'
	expect 'd0\(healthy\): ended: powered off'
	expect 'd[0-9]+\(h1\): ended: (powered off|destroyed)'
	expect "d[0-9]+\\(h$i\\): ended: (powered off|destroyed)"
	expect '\[h[0-9]+\] vmi_fuzz: seed [0-9]+, [2-5] s, RAM up to 0x[0-9a-f]+, 2 hostile vCPUs'
	expect 'd[0-9]+\(h[0-9]+\): ended: powered off' "a hostile domain that ended itself"
	[ "$good" = 0 ] || expect '\[good[0-9]+\] GUEST-RESULT: PASS vmi_vcpu'
	reject 'd[0-9]+\((h|good)[0-9]+\): ended: (crashed|exited with code 0x11)'
	reject '\[good[0-9]+\] GUEST-RESULT: FAIL'
	# Each domain created was reaped: as many "memory released" lines as
	# domains created, and the free frames back where they started.
	n=$(grep -ac ': created: ' "$LOG" || true)
	[ "$(grep -ac ': memory released: ' "$LOG" || true)" = "$n" ] ||
		fail "$n domains created, $(grep -ac ': memory released: ' "$LOG") reaped"
	expect 'domains: none left; host free frames ([0-9]+), \1 before the first was created' \
		"the host's free frames back at their start value"
	reject 'PANIC|BUG'
}

# The short run of the default suite, and the 10-minute one.
case_hv_vmi_hostile() {
	mgmt_run hostile_short
}
hostile_short() { hostile_mgmt hv_vmi_hostile "${HOSTILE_SECONDS:-45}"; }

case_hv_vmi_hostile_slow() {
	mgmt_run hostile_long
}
hostile_long() { hostile_mgmt hv_vmi_hostile_slow "${HOSTILE_SLOW_SECONDS:-600}"; }

DEFAULT_CASES+=(hv_vmi_area_race)
SLOW_CASES+=(hv_vmi_fuzz_smp hv_vmi_hostile hv_vmi_fuzz_smp_xsave)
SLOW_CASES+=(hv_vmi_hostile_slow)
