# Helpers for integration cases (sourced by tests/integration/run.sh).
#
# A case is a shell function that boots the hypervisor with run_qemu or
# run_bochs and then checks the serial log with expect / reject.  Every
# helper records the first reason a case failed in $FAIL_REASON; the runner
# prints it with the path of the log.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ELF=$ROOT/build/trivisor.elf
LOGDIR=$ROOT/build/logs
mkdir -p "$LOGDIR"

fail() {
	[ -z "${FAIL_REASON:-}" ] && FAIL_REASON=$*
	return 0
}

# make_iso NAME CMDLINE [MODULE-SPEC...] -> prints the ISO path; a spec
# is FILE or FILE=STRING, as tools/mkiso.sh -m takes it.
make_iso() {
	local name=$1 cmdline=$2
	shift 2
	local iso=$ROOT/build/iso/$name.iso mods=()
	for m in "$@"; do mods+=(-m "$m"); done
	bash "$ROOT/tools/mkiso.sh" -o "$iso" -k "$ELF" -c "$cmdline" "${mods[@]}" || return 1
	echo "$iso"
}

# Outcome of the last run: pass, fail, timeout or error:<status>; the
# emulator it ran on (QEMU or Bochs).
OUTCOME=
LOG=
PLATFORM=

# boot_qemu NAME ISO TIMEOUT [qemu-runner options...]: boot an ISO, set
# $LOG and $OUTCOME.
boot_qemu() {
	local name=$1 iso=$2 timeout=$3 status
	shift 3
	LOG=$LOGDIR/$name.log
	PLATFORM=QEMU
	rm -f "$LOG"
	# Not set +e / set -e: that left errexit on for every later case,
	# so one failing command in a case ended the whole run unsummed.
	status=0
	bash "$ROOT/tools/run-qemu.sh" --iso "$iso" --log "$LOG" --timeout "$timeout" "$@" \
		>"$LOGDIR/$name.qemu.txt" 2>&1 || status=$?
	case $status in
	33) OUTCOME=pass ;;
	35) OUTCOME=fail ;;
	124 | 137) OUTCOME=timeout ;;
	*) OUTCOME=error:$status ;;
	esac
	[ -f "$LOG" ] || : >"$LOG"
}

# run_qemu NAME CMDLINE TIMEOUT [qemu-runner options...]
run_qemu() {
	local name=$1 cmdline=$2 timeout=$3 iso
	shift 3
	LOG=$LOGDIR/$name.log
	iso=$(make_iso "$name" "$cmdline") || { fail "could not make the ISO"; return 0; }
	boot_qemu "$name" "$iso" "$timeout" "$@"
}

# run_bochs NAME CMDLINE TIMEOUT MODEL [CPUS [MODULE-SPEC...]]: boot under
# Bochs; module specs as make_iso takes them.
run_bochs() {
	local name=$1 cmdline=$2 timeout=$3 model=$4 cpus=${5:-1} iso status dir
	shift $(($# < 5 ? $# : 5))
	LOG=$LOGDIR/$name.log
	PLATFORM=Bochs
	rm -f "$LOG"
	iso=$(make_iso "$name" "$cmdline" "$@") || { fail "could not make the ISO"; return 0; }
	dir=$ROOT/build/bochs/$name
	mkdir -p "$dir"
	cat >"$dir/bochsrc" <<-RC
	megs: ${BOCHS_MEGS:-256}
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	cpu: model=$model, count=$cpus, ips=200000000, reset_on_triple_fault=0
	ata0-master: type=cdrom, path=$iso, status=inserted
	boot: cdrom
	com1: enabled=1, mode=file, dev=$LOG
	clock: sync=none
	mouse: enabled=0
	magic_break: enabled=1
	speaker: enabled=0
	sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
	display_library: rfb, options="timeout=0"
	log: $dir/bochs.log
	RC
	printf 'c\nquit\n' >"$dir/cmds"
	status=0
	# No display: the rfb library waits for no client (timeout=0).
	timeout -k 5 "$timeout" bochs -q -f "$dir/bochsrc" -rc "$dir/cmds" \
		</dev/null >"$LOGDIR/$name.bochs.txt" 2>&1 || status=$?
	# Status 0 comes from the magic breakpoint (pass), 1 from the
	# "Shutdown" port (fail); the log's last line says which it was.
	case $status in
	0) OUTCOME=pass ;;
	1) OUTCOME=fail ;;
	124 | 137) OUTCOME=timeout ;;
	*) OUTCOME=error:$status ;;
	esac
	[ -f "$LOG" ] || : >"$LOG"
	if [ "$OUTCOME" = pass ] && ! grep -q "run ended: PASS" "$LOG"; then
		OUTCOME=fail
	fi
}

# expect_outcome pass|fail
expect_outcome() {
	if [ "$OUTCOME" != "$1" ]; then
		case $OUTCOME in
		timeout) fail "timed out; last line: $(tail -n 1 "$LOG" | tr -d '\r')" ;;
		*) fail "expected the run to end with $1, it ended with $OUTCOME; last line: $(tail -n 1 "$LOG" | tr -d '\r')" ;;
		esac
	fi
}

# expect REGEX [what]: the log must contain a line matching REGEX.
expect() {
	# Not a pipe into grep -q: under pipefail tr's SIGPIPE would fail it.
	grep -Eq -- "$1" < <(tr -d '\r' <"$LOG") || fail "log has no line matching /$1/${2:+ ($2)}"
}

# reject REGEX [what]: no line may match.
reject() {
	local line
	line=$(tr -d '\r' <"$LOG" | grep -Em1 -- "$1" || true)
	[ -z "$line" ] || fail "log has a forbidden line: $line${2:+ ($2)}"
}

# symbol NAME: address of a symbol in the image, as the log prints it.
symbol() {
	nm "$ELF" | awk -v s="$1" '$3 == s { print $1 }'
}

# hv_backend: "BACKEND/PLATFORM" when the last run created an hv domain
# (the hypervisor's log names the backend it enabled), else nothing.
hv_backend() {
	local b
	[ -n "${LOG:-}" ] && [ -f "$LOG" ] || return 0
	grep -Eq 'd[0-9]+\(.*\): created: ' "$LOG" || return 0
	b=$(grep -Eo 'hv container: [^ ]+ backend enabled' "$LOG" | head -n 1 | cut -d' ' -f3)
	[ -n "$b" ] && echo "$b/$PLATFORM"
	return 0
}
