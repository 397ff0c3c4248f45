# The patched Linux guest (tools/guest-linux.sh, `make guest-linux`):
# Debian's linux-source-6.1 with guest-linux-patches/ and a small config.
# One bzImage for every case: natively on bare QEMU, as an hv domain (VMI
# hidden: it must stay native) and as a pv domain (it must find VMI and
# use it).  The initramfs is the stock guest's (tools/linux-guest.sh),
# which prints TRIVISOR-LINUX-OK cpus=N and powers off.

GUEST_LINUX_IMAGE=$ROOT/build/guest-linux/bzImage
GUEST_LINUX_INITRD=$ROOT/build/linux/initrd.cpio.gz

# guest_linux_ready: the bzImage and the initramfs exist (else the case
# fails saying how to make them).
guest_linux_ready() {
	linux_files_ready "guest-linux linux-guest" "$GUEST_LINUX_IMAGE" \
		"$GUEST_LINUX_INITRD"
}

# run_guest_linux_native NAME SMP TIMEOUT [extra command line]: as
# run_linux_native (cases-linux.sh), with the patched bzImage.
run_guest_linux_native() {
	LOG=$LOGDIR/$1.log
	rm -f "$LOG"
	guest_linux_ready || return 0
	run_linux_qemu "$1" "$2" "$3" "$GUEST_LINUX_IMAGE" \
		"$GUEST_LINUX_INITRD" "console=ttyS0 panic=-1${4:+ $4}"
}

# run_guest_linux_hv CASE TIMEOUT TYPE VCPUS [extra command line]: one
# domain "linux" of TYPE (hv or pv) with the patched bzImage.
run_guest_linux_hv() {
	local name=$1 timeout=$2 type=$3 vcpus=$4 append="console=ttyS0 panic=-1${5:+ $5}"
	LOG=$LOGDIR/$name.log
	rm -f "$LOG"
	guest_linux_ready || return 0
	run_hv "$name" "$timeout" \
		"$GUEST_LINUX_IMAGE=kernel linux memory=256 vcpus=$vcpus type=$type ramdisk=initrd cmdline=$append" \
		"$GUEST_LINUX_INITRD=ramdisk initrd"
}

# expect_guest_vmi_pv: a pv domain's kernel ran on VMI: the clocksource,
# sched_clock, clock events, interrupts, idle and TLB flushes through the
# ABI, by its own account and by the hypervisor's count of its calls
# (the domain's end report, "VMI calls: NAME COUNT, ...").
expect_guest_vmi_pv() {
	expect '\[linux\] .*vmi: clocksource and sched_clock on the VMI pvclock' "the pvclock clocksource"
	expect '\[linux\] .*clocksource: Switched to clocksource vmi' "the switch to the VMI clocksource"
	expect '\[linux\] .*vmi: interrupts through event channels' "the event-channel irqchip"
	expect '\[linux\] .*vmi: clock events on the VMI one-shot timer' "the VMI clock event device"
	expect '\[linux\] .*vmi: idle through VCPU_BLOCK' "idle through VCPU_BLOCK"
	expect '\[linux\] .*vmi: TLB flushes of other CPUs through MMU_FLUSH' "the VMI TLB flush"
	expect 'd0\(linux\): VMI calls: .*TIMER_SET [1-9]' "the one-shot timer programmed"
	expect 'd0\(linux\): VMI calls: .*EVTCHN_BIND_VIRQ [1-9]' "the timer VIRQ bound"
	expect '\[linux\] .*vmi: [0-9]+ ISA interrupt lines through event channels' "device lines on event channels"
	expect 'd0\(linux\): VMI calls: .*EVTCHN_BIND_IRQ [1-9]' "device lines bound"
	reject '\[linux\] .*(BUG:|Oops|general protection fault|WARNING: CPU|unchecked MSR access)' \
		"a kernel bug report"
}

# expect_guest_native PREFIX: the kernel saw no VMI (PREFIX is "" on bare
# QEMU, "\[linux\] .*" for a domain's lines in the hypervisor log).
expect_guest_native() {
	reject "$1vmi: trivisor VMI ABI" "the kernel used VMI where it is not offered"
	reject "$1Hypervisor detected: trivisor VMI" "the kernel claimed trivisor's VMI platform"
}

case_guest_linux_native_1cpu() {
	run_guest_linux_native guest_linux_native_1cpu 1 120
	expect_linux_ok 1
	expect_guest_native ""
}

case_guest_linux_native_2cpu() {
	run_guest_linux_native guest_linux_native_2cpu 2 120
	expect_linux_ok 2
	expect_guest_native ""
}

# An hv domain: trivisor's signature is in CPUID, the ABI version is 0,
# so the kernel must say so and run natively (ACPI power-off included).
case_guest_linux_hv() {
	run_guest_linux_hv guest_linux_hv 180 hv 1
	expect_outcome pass
	expect_hv_linux_ok 0 linux 1
	expect '\[linux\] .*vmi: trivisor hides the VMI ABI here: running natively' \
		"the kernel seeing the hidden ABI"
	expect_guest_native '\[linux\] .*'
	reject 'VMI ROM at' "a ROM in an hv domain"
}

# A pv domain with ACPI off: the kernel finds VMI, sets up the ROM, prints
# its first lines through the VMI console (ttyS0 does not repeat what a
# boot console printed, so the early lines can only have come that way),
# and powers off through the VMI shutdown call, the only way left to it.
case_guest_linux_pv() {
	run_guest_linux_hv guest_linux_pv 180 pv 1 "earlyprintk=vmi acpi=off"
	expect_outcome pass
	reject '\[linux\] .*Kernel panic' "the kernel panicked"
	reject '\[linux\] .*(BUG:|Oops|general protection fault|WARNING: CPU|unchecked MSR access)' \
		"a kernel bug report"
	expect '\[linux\] .*Hypervisor detected: trivisor VMI' "the hypervisor_x86 entry"
	expect '\[linux\] .*vmi: trivisor VMI ABI 1\.[0-9]+, container 1, features 0x[0-9a-f]+, ROM at 0x[0-9a-f]+' \
		"the kernel's VMI set-up line"
	expect 'd0\(linux\): VMI ROM at 0x[0-9a-f]+$' "the hypervisor's record of the ROM"
	expect '\[linux\] .*printk: bootconsole \[vmi0\] enabled' "the VMI boot console"
	expect '\[linux\] .*Linux version 6\.1\.' "the first kernel line, through the VMI console"
	expect '\[linux\] .*printk: console \[ttyS0\] enabled' "the serial console taking over"
	expect '\[linux\] TRIVISOR-LINUX-OK cpus=1$' "the initramfs's marker"
	expect '\[linux\] .*reboot: Power down' "the kernel powering off"
	expect 'd0\(linux\): ended: powered off' "power-off through the VMI shutdown call"
	reject 'd0\(linux\): VMI call [0-9]' "a refused VMI call"
	expect_guest_vmi_pv
}

# A pv domain with 2 vCPUs, ACPI on: the second vCPU starts through
# VCPU_UP (no INIT/SIPI) and everything else runs on VMI as with one.
case_guest_linux_pv_2vcpu() {
	run_guest_linux_hv guest_linux_pv_2vcpu 180 pv 2
	expect_outcome pass
	expect_hv_linux_ok 0 linux 2
	expect '\[linux\] .*vmi: trivisor VMI ABI 1\.[0-9]+, container 1' "the kernel's VMI set-up line"
	expect '\[linux\] .*smp: Brought up 1 node, 2 CPUs' "the second vCPU coming online"
	expect_guest_vmi_pv
	expect '\[linux\] .*vmi: secondary CPUs start through VCPU_UP' "SMP bring-up through VMI"
	expect 'd0\(linux\): VMI calls: .*VCPU_UP 1[,]?' "vCPU 1 started with VCPU_UP"
	# A second CPU idles while the first boots (one alone may never).
	expect 'd0\(linux\): VMI calls: .*VCPU_BLOCK [1-9]' "idle through VCPU_BLOCK"
	expect 'd0\(linux\): VMI calls: .*EVTCHN_BIND_IPI [1-9]' "IPI ports bound"
	expect '\[linux\] .*vmi: paravirtual spinlocks' "the paravirtual spinlocks"
	reject 'd0\(linux\): VMI call [0-9]' "a refused VMI call"
}

# A panic (no init to run) in a pv domain ends it as crashed, through
# the VMI shutdown
# call, instead of the reboot that panic=-1 asks of bare hardware.
case_guest_linux_pv_panic() {
	run_guest_linux_hv guest_linux_pv_panic 120 pv 1 "rdinit=/nonexistent init=/nonexistent"
	expect_outcome fail
	expect '\[linux\] .*Kernel panic - not syncing' "the panic"
	expect 'd0\(linux\): crashed: the guest reported a crash \(VMI shutdown\)' \
		"the crash reported through VMI"
	reject 'd0\(linux\): ended: rebooted' "a reboot instead of the crash report"
}

# The bzImage is built once (cached by tools/guest-linux.sh); about
# 10-25 s per case after that.
DEFAULT_CASES+=(guest_linux_native_1cpu guest_linux_native_2cpu guest_linux_hv
	guest_linux_pv guest_linux_pv_2vcpu guest_linux_pv_panic)
