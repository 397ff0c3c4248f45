# The stock Debian Linux guest (tools/linux-guest.sh, `make linux-guest`)
# booted directly on bare QEMU, without trivisor: the kernel and initramfs
# must boot, count the CPUs and power off on the platform itself before
# their runs under trivisor (and `make bench`) mean anything.  QEMU loads
# the bzImage with -kernel.  Each case takes about 6 s here.

LINUX_DIR=$ROOT/build/linux

# run_linux_native NAME SMP TIMEOUT [extra kernel command line]
# Boots build/linux/vmlinuz + initrd.cpio.gz on q35 / -cpu max / 256 MiB
# with SMP CPUs; ttyS0 goes to build/logs/NAME.log.  The initramfs powers
# off (ACPI S5), which ends QEMU with status 0: OUTCOME=pass.  With
# panic=-1 and -no-reboot a panic ends QEMU too (status 0 as well), so the
# checks below must look at the log, not only at OUTCOME.
# linux_files_ready TARGETS FILE...: the images exist; else the case
# fails (with an empty $LOG) saying to run `make TARGETS`.
linux_files_ready() {
	local targets=$1 f
	shift
	for f in "$@"; do
		if [ ! -f "$f" ]; then
			: >"$LOG"
			OUTCOME=error:no-kernel
			fail "no ${f#"$ROOT"/}: make it with 'make $targets'"
			return 1
		fi
	done
}

linux_guest_ready() {
	linux_files_ready linux-guest "$LINUX_DIR/vmlinuz" "$LINUX_DIR/initrd.cpio.gz"
}

# run_linux_qemu NAME SMP TIMEOUT KERNEL INITRD APPEND: the QEMU run of
# run_linux_native with any kernel; the caller has set $LOG.
run_linux_qemu() {
	local name=$1 smp=$2 timeout=$3 status=0
	PLATFORM=QEMU
	timeout --foreground -k 5 "$timeout" qemu-system-x86_64 \
		-accel tcg -machine q35 -cpu max -smp "$smp" -m 256M \
		-display none -no-reboot -monitor none -serial "file:$LOG" \
		-kernel "$4" -initrd "$5" \
		-append "$6" </dev/null >"$LOGDIR/$name.qemu.txt" 2>&1 ||
		status=$?
	case $status in
	0) OUTCOME=pass ;;
	124 | 137) OUTCOME=timeout ;;
	*) OUTCOME=error:$status ;;
	esac
	[ -f "$LOG" ] || : >"$LOG"
}

run_linux_native() {
	LOG=$LOGDIR/$1.log
	rm -f "$LOG"
	linux_guest_ready || return 0
	run_linux_qemu "$1" "$2" "$3" "$LINUX_DIR/vmlinuz" \
		"$LINUX_DIR/initrd.cpio.gz" "console=ttyS0 panic=-1${4:+ $4}"
}

# expect_linux_ok CPUS: the marker with the CPU count, exactly once, the
# kernel release, an ACPI power-off and no panic or oops.
expect_linux_ok() {
	local n
	expect_outcome pass
	reject 'Kernel panic' "the kernel panicked"
	reject '(BUG:|Oops|general protection fault|WARNING: CPU)' "a kernel bug report"
	expect '^TRIVISOR-LINUX-OK cpus=[0-9]+$' "the initramfs's marker line"
	expect "^TRIVISOR-LINUX-OK cpus=$1\$" "the marker with $1 CPU(s)"
	n=$(tr -d '\r' <"$LOG" | grep -c '^TRIVISOR-LINUX-OK' || true)
	[ "$n" -le 1 ] || fail "the marker line appears $n times"
	expect '^TRIVISOR-LINUX-UNAME [0-9]+\.[0-9]+' "the kernel release line"
	expect 'reboot: Power down' "the kernel's ACPI power-off"
}

case_linux_native_1cpu() {
	run_linux_native linux_native_1cpu 1 120
	expect_linux_ok 1
}

case_linux_native_2cpu() {
	run_linux_native linux_native_2cpu 2 120
	expect_linux_ok 2
	expect 'smp: Brought up 1 node, 2 CPUs' "the second CPU coming online"
}

# The same kernel and initramfs as hv domains of trivisor.  The guest's
# console lines reach the hypervisor log as "[NAME] line".
# run_linux_hv CASE TIMEOUT NAME:VCPUS...: one domain per NAME:VCPUS.
run_linux_hv() {
	local name=$1 timeout=$2 dom spec mods=()
	shift 2
	LOG=$LOGDIR/$name.log
	linux_guest_ready || return 0
	for spec in "$@"; do
		dom=${spec%%:*}
		mods+=("$LINUX_DIR/vmlinuz=kernel $dom memory=256 vcpus=${spec#*:} ramdisk=initrd cmdline=console=ttyS0 panic=-1")
	done
	mods+=("$LINUX_DIR/initrd.cpio.gz=ramdisk initrd")
	run_hv "$name" "$timeout" "${mods[@]}"
}

# expect_hv_linux_ok DOMID NAME CPUS: as expect_linux_ok, for the domain's
# lines in the hypervisor log, and the hypervisor's report of its end.
expect_hv_linux_ok() {
	local id=$1 dom=$2 cpus=$3 n
	reject "\\[$dom\\] .*Kernel panic" "$dom panicked"
	reject "\\[$dom\\] .*(BUG:|Oops|general protection fault|WARNING: CPU|unchecked MSR access)" \
		"a kernel bug report from $dom"
	expect "\\[$dom\\] TRIVISOR-LINUX-OK cpus=$cpus\$" "$dom's marker with $cpus CPU(s)"
	n=$(grep -c "\\[$dom\\] TRIVISOR-LINUX-OK" "$LOG" || true)
	[ "$n" -le 1 ] || fail "$dom's marker line appears $n times"
	expect "\\[$dom\\] TRIVISOR-LINUX-UNAME [0-9]+\\.[0-9]+" "$dom's kernel release line"
	expect "\\[$dom\\] .*reboot: Power down" "$dom's ACPI power-off"
	expect "d$id\\($dom\\): ended: powered off" "the hypervisor's report of $dom's end"
	expect "d$id\\($dom\\): guest time [0-9]+ ms; exits: " "$dom's exit counts"
}

case_hv_linux_1vcpu() {
	run_linux_hv hv_linux_1vcpu 180 linux:1
	expect_outcome pass
	expect_hv_linux_ok 0 linux 1
}

case_hv_linux_2vcpu() {
	run_linux_hv hv_linux_2vcpu 180 linux:2
	expect_outcome pass
	expect_hv_linux_ok 0 linux 2
	expect '\[linux\] .*smp: Brought up 1 node, 2 CPUs' "the second vCPU coming online"
}

# Two Linux domains at once on the 2-CPU platform: both finish.
case_hv_linux_two_domains() {
	run_linux_hv hv_linux_two_domains 240 alpha:1 beta:2
	expect_outcome pass
	expect_hv_linux_ok 0 alpha 1
	expect_hv_linux_ok 1 beta 2
}

# About 12 s for the native pair, 10-25 s for each hv case: part of the
# default set (`make test` makes the guest first; the first time that
# downloads the kernel, about 70 MB).
DEFAULT_CASES+=(linux_native_1cpu linux_native_2cpu hv_linux_1vcpu
	hv_linux_2vcpu hv_linux_two_domains)
