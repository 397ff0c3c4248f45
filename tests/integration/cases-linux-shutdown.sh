# The ACPI power button reaches the stock Linux guest: its initramfs loads
# the button driver and evdev from the kernel package and runs busybox
# acpid (tools/linux-guest.sh), so a power-button press powers it off the
# way a distribution does.  The guest runs as `make run` starts it
# (tvtest=shell): only the button can end it.

# wait_log REGEX SECONDS: waits for REGEX in $LOG; fails the case if it
# does not appear.
wait_log() {
	local re=$1 secs=$2 i
	for i in $(seq 1 $((secs * 5))); do
		grep -Eq -- "$re" "$LOG" 2>/dev/null && return 0
		sleep 0.2
	done
	fail "no /$re/ in the log after $secs s"
	return 1
}

# On bare QEMU: QEMU's own ACPI power button (monitor system_powerdown).
case_linux_native_powerbutton() {
	local mon pid status=0
	LOG=$LOGDIR/linux_native_powerbutton.log
	PLATFORM=QEMU
	rm -f "$LOG"
	linux_guest_ready || return 0
	mon=$ROOT/build/linux_native_powerbutton.mon
	rm -f "$mon"
	timeout --foreground -k 5 120 qemu-system-x86_64 \
		-accel tcg -machine q35 -cpu max -smp 1 -m 256M \
		-display none -no-reboot -serial "file:$LOG" \
		-monitor "unix:$mon,server=on,wait=off" \
		-kernel "$LINUX_DIR/vmlinuz" -initrd "$LINUX_DIR/initrd.cpio.gz" \
		-append "console=ttyS0 panic=-1 tvtest=shell" </dev/null \
		>"$LOGDIR/linux_native_powerbutton.qemu.txt" 2>&1 &
	pid=$!
	if wait_log 'exit the shell to power off' 100; then
		sleep 1
		python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
time.sleep(0.3); s.sendall(b"system_powerdown\n"); time.sleep(0.5)' "$mon" ||
			fail "could not reach the QEMU monitor"
	fi
	wait "$pid" || status=$?
	rm -f "$mon"
	[ "$status" -eq 0 ] || fail "QEMU ended with status $status (124: timeout, the button did nothing)"
	reject 'TRIVISOR-MODULE-FAIL' "a module failed to load"
	expect 'input: Power Button' "the button driver's input device"
	expect 'TRIVISOR-LINUX-ACPI-POWER' "acpid's power-button action"
	expect 'reboot: Power down' "the kernel's ACPI power-off"
}

# Under trivisor, as `make run` starts it: `tvctl shutdown linux` presses
# the domain's ACPI power button and the domain ends powered off.
case_hv_linux_shutdown() {
	local iso pid sock out status=0
	LOG=$LOGDIR/hv_linux_shutdown.log
	PLATFORM=QEMU
	rm -f "$LOG"
	linux_guest_ready || return 0
	sock=$ROOT/build/hv_linux_shutdown.sock
	iso=$(make_iso hv_linux_shutdown "exit=done onpanic=exit watchdog=200" \
		"$LINUX_DIR/vmlinuz=kernel linux memory=256 vcpus=2 ramdisk=initrd cmdline=console=ttyS0 panic=-1 tvtest=shell" \
		"$LINUX_DIR/initrd.cpio.gz=ramdisk initrd") ||
		{ fail "could not make the ISO"; return 0; }
	bash "$ROOT/tools/run-qemu.sh" --iso "$iso" --log "$LOG" --timeout 240 \
		--mgmt "$sock" >"$LOGDIR/hv_linux_shutdown.qemu.txt" 2>&1 &
	pid=$!
	if wait_log '\[linux\] .*exit the shell to power off' 200; then
		sleep 1
		out=$("$ROOT/build/tvctl" -s "$sock" shutdown linux 2>&1) ||
			fail "tvctl shutdown linux failed: $out"
	fi
	wait "$pid" || status=$?
	rm -f "$sock"
	[ "$status" -eq 33 ] || fail "the run ended with status $status (33 is pass; 124: timeout, the button did nothing)"
	reject '\[linux\] TRIVISOR-MODULE-FAIL' "a module failed to load"
	expect '\[linux\] .*input: Power Button' "the button driver's input device"
	expect '\[linux\] .*TRIVISOR-LINUX-ACPI-POWER' "acpid's power-button action"
	expect '\[linux\] .*reboot: Power down' "the guest's ACPI power-off"
	expect 'd0\(linux\): ended: powered off' "the hypervisor's report of the end"
}

DEFAULT_CASES+=(linux_native_powerbutton hv_linux_shutdown)
