# The toolstack: tvctl drives a running trivisor over the management
# channel (COM2 on a unix socket, docs/management-protocol.md).

TVCTL=$ROOT/build/tvctl

# Start trivisor in the background with its management socket; sets
# MGMT_PID, MGMT_SOCK and LOG.  Waits for the agent.
mgmt_boot() {
	local name=$1 iso
	LOG=$LOGDIR/$name.log
	MGMT_SOCK=$ROOT/build/$name.sock
	PLATFORM=QEMU
	rm -f "$LOG"
	iso=$(make_iso "$name" "onpanic=exit") || { fail "could not make the ISO"; return 1; }
	bash "$ROOT/tools/run-qemu.sh" --iso "$iso" --log "$LOG" --timeout 300 \
		--mgmt "$MGMT_SOCK" >"$LOGDIR/$name.qemu.txt" 2>&1 &
	MGMT_PID=$!
	for _ in $(seq 1 100); do
		grep -q "mgmt: serving protocol" "$LOG" 2>/dev/null && [ -S "$MGMT_SOCK" ] && return 0
		sleep 0.2
	done
	fail "the management agent did not start"
	return 1
}

mgmt_stop() {
	[ -n "${MGMT_PID:-}" ] || return 0
	kill "$MGMT_PID" 2>/dev/null
	wait "$MGMT_PID" 2>/dev/null
	MGMT_PID=
	rm -f "$MGMT_SOCK"
}

tv() { "$TVCTL" -s "$MGMT_SOCK" "$@"; }

# tv_ok WHAT ARGS...: the command must succeed; its output is in $OUT.
tv_ok() {
	local what=$1
	shift
	OUT=$(tv "$@" 2>&1) || fail "$what: tvctl $* failed: $OUT"
}

# tv_refused WHAT REGEX ARGS...: the command must fail with a message
# matching REGEX.
tv_refused() {
	local what=$1 re=$2
	shift 2
	if OUT=$(tv "$@" 2>&1); then
		fail "$what: tvctl $* succeeded: $OUT"
	elif ! grep -Eq -- "$re" <<<"$OUT"; then
		fail "$what: tvctl $* said '$OUT', expected /$re/"
	fi
}

json_num() { grep -o "\"$1\": [0-9]*" | head -n 1 | grep -o '[0-9]*$'; }

# hv_exit_names: the exit reason names of hvm/backend.c's table, sorted.
hv_exit_names() {
	sed -n '/exit_names\[HVM_EXIT_NR\] = {/,/^};/p' "$ROOT/hvm/backend.c" |
		grep -o '= "[a-z-]*"' | tr -d '= "' | sort
}

# The version reply: the VMI ABI of vmi/version.h, every section the
# ABI headers define named as mgmt.c names it, and the hardware QEMU's
# -cpu max offers (AMD-V with NPT), as text and as JSON.
mgmt_check_version() {
	local hdr major minor sect tbl
	hdr=$ROOT/vmi-abi/include/vmi/version.h
	major=$(sed -n 's/^#define VMI_ABI_MAJOR \([0-9]*\)u$/\1/p' "$hdr")
	minor=$(sed -n 's/^#define VMI_ABI_MINOR \([0-9]*\)u$/\1/p' "$hdr")
	[ -n "$major" ] && [ -n "$minor" ] || { fail "no VMI_ABI_MAJOR/MINOR in $hdr"; return; }
	sect=$(grep -ho 'define VMI_SECTION_[A-Z_]* [0-9]*u' "$ROOT"/vmi-abi/include/vmi/core.h |
		awk '{print $2}' | sort)
	tbl=$(grep -o 'SECTION([A-Z_]*)' "$ROOT/hypervisor/mgmt.c" |
		sed 's/SECTION(\(.*\))/VMI_SECTION_\1/' | sort)
	[ -n "$sect" ] && [ "$sect" = "$tbl" ] ||
		fail "hypervisor/mgmt.c's VMI section names differ from vmi/core.h's"
	tv_ok version version
	grep -q "^trivisor .*protocol 1\.2$" <<<"$OUT" || fail "version: $OUT"
	grep -Eq "^VMI ABI: +$major\.$minor; sections: CORE [0-9]+\.[0-9]+" <<<"$OUT" ||
		fail "version: no VMI ABI $major.$minor with its sections: $OUT"
	grep -Eq '^hardware: .*\<svm\>.*\<npt\>' <<<"$OUT" ||
		fail "version: the hardware features lack svm and npt: $OUT"
	grep -Eq '^backend: +AMD-V$' <<<"$OUT" || fail "version: no AMD-V backend: $OUT"
	grep -Eq '^CPUs: +[1-9][0-9]* online$' <<<"$OUT" || fail "version: no CPU count: $OUT"
	command -v python3 >/dev/null || return 0
	tv_ok "version --json" version --json
	python3 -c 'import json, sys
v = json.loads(sys.stdin.read())
major, minor = int(sys.argv[1]), int(sys.argv[2])
assert v["protocol"] == 1 and v["protocol_minor"] == 2, v
assert v["vmi_abi"] == {"major": major, "minor": minor}, v
s = {x["name"]: (x["major"], x["minor"]) for x in v["vmi_sections"]}
assert s["CORE"][0] == 1 and "CONSOLE" in s, s
f = v["hw_features"]
assert "svm" in f and "npt" in f and "vmx" not in f, f
assert len(f) == len(set(f)), f
assert v["hv_backend"] == "AMD-V", v
assert v["cpus"] >= 1 and v["tsc_khz"] > 100000 and v["asids"] > 0, v
' "$major" "$minor" <<<"$OUT" || fail "version --json: $OUT"
}

# Exits by reason of the running busy domains (they poll ports: io
# exits): info counts each reason, summing to the total; top shows the
# busiest reasons' rates and the memory, as text and as JSON.
mgmt_check_exits() {
	local names
	names=$(hv_exit_names | tr '\n' ' ')
	[ -n "$names" ] || { fail "no exit names in hvm/backend.c"; return; }
	tv_ok "info alpha" info alpha
	grep -Eq '^  io +[1-9][0-9]*$' <<<"$OUT" || fail "info alpha: no io exits counted: $OUT"
	tv_ok "top" top -b -n 1
	grep -Eq '^ +[0-9]+ +alpha +running +hv +32 +[0-9.]+ +[0-9.]+ +[1-9][0-9]* +- +.*\<io [1-9]' <<<"$OUT" ||
		fail "top: alpha's row lacks its memory or io exits per second: $OUT"
	command -v python3 >/dev/null || return 0
	tv_ok "info --json alpha" info --json alpha
	python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
r = d["exits_by_reason"]
assert r["io"] > 0 and all(n > 0 for n in r.values()), r
assert sum(r.values()) == d["exits"], (sum(r.values()), d["exits"])
assert set(r) <= set(sys.argv[1].split()), (r, sys.argv[1])
' "$names" <<<"$OUT" || fail "info --json alpha: $OUT"
	tv_ok "list --json" list --json
	python3 -c 'import json, sys
for d in json.loads(sys.stdin.read())["domains"]:
    assert sum(d["exits_by_reason"].values()) == d["exits"], d
' <<<"$OUT" || fail "list --json: exits by reason do not add up: $OUT"
	tv_ok "top --json" top -b -n 1 --json
	python3 -c 'import json, sys
for d in json.loads(sys.stdin.read())["domains"]:
    r = d["exits_per_s_by_reason"]
    assert d["memory_mib"] == 32 and r["io"] > 0, d
    assert sum(r.values()) == d["exits_per_s"], d
    assert set(r) <= set(sys.argv[1].split()), (r, sys.argv[1])
' "$names" <<<"$OUT" || fail "top --json: $OUT"
}

# Domains from configs: create three, list, pause one (its vCPU time stops
# advancing), unpause, destroy one, shut one down; free memory returns to
# where it started.  Bad inputs each get their error and the hypervisor
# keeps serving.
case_mgmt_tvctl() {
	mgmt_run mgmt_tvctl_steps
}

# mgmt_run STEPS: runs the function STEPS with errexit off (its commands
# fail on purpose; fail() records what matters), then stops the
# hypervisor it booted.
mgmt_run() {
	local errexit=
	[[ $- == *e* ]] && errexit=1
	set +e
	"$1"
	mgmt_stop
	[ -n "$errexit" ] && set -e
	return 0
}

mgmt_tvctl_steps() {
	local dir=$ROOT/build/mgmt-test free0 c1 c2 c3 n
	mkdir -p "$dir"
	objcopy --strip-debug "$G/busy.elf" "$dir/busy.elf"
	for d in alpha beta gamma; do
		printf 'name = "%s"\ntype = "hv"\nmemory = 32\nvcpus = 1\nkernel = "busy.elf"\n' \
			"$d" >"$dir/$d.cfg"
	done
	printf 'name = "bad"\nkernel = "busy.elf"\nmemroy = 32\n' >"$dir/bad.cfg"
	printf 'name = "huge"\nmemory = 1048576\nkernel = "busy.elf"\n' >"$dir/huge.cfg"

	mgmt_boot mgmt_tvctl || return 0
	tv_ok version version
	grep -q "trivisor .*protocol 1" <<<"$OUT" || fail "version: $OUT"
	tv_ok list --json list
	free0=$(json_num free_mib <<<"$OUT")

	for d in alpha beta gamma; do
		tv_ok "create $d" create "$dir/$d.cfg"
	done
	tv_ok list list
	n=$(grep -cE '^ +[0-9]+ +(alpha|beta|gamma) +running +32 +1 ' <<<"$OUT")
	[ "$n" = 3 ] || fail "list shows $n of 3 running domains: $OUT"
	mgmt_check_version
	mgmt_check_exits

	tv_ok pause pause beta
	sleep 0.5
	tv_ok info info --json beta
	grep -q '"state": "paused"' <<<"$OUT" || fail "beta not paused: $OUT"
	c1=$(json_num cpu_ns <<<"$OUT")
	sleep 2
	c2=$(tv info --json beta | json_num cpu_ns)
	[ "$c1" = "$c2" ] || fail "paused beta's vCPU time went on: $c1 -> $c2 ns"
	tv_ok unpause unpause beta
	sleep 2
	c3=$(tv info --json beta | json_num cpu_ns)
	[ "${c3:-0}" -gt "${c2:-0}" ] || fail "unpaused beta's vCPU time stayed at $c2 ns"

	# Bad inputs, each answered while the domains run.
	tv_refused "malformed config" "bad.cfg: line 3: unknown key 'memroy'" create "$dir/bad.cfg"
	tv_refused "duplicate name" "a domain named 'alpha' exists already" create "$dir/alpha.cfg"
	tv_refused "too much memory" "only [0-9]+ MiB free" create "$dir/huge.cfg"
	tv_refused "unknown domain" "no domain named 'nosuch'" pause nosuch
	tv_refused "unknown id" "no domain with id 12" info 12
	tv create --cut-upload=9000 "$dir/alpha.cfg" >/dev/null 2>&1
	sleep 1
	OUT=$(head -c 3000 /dev/urandom | tv raw 2>&1)
	grep -q "garbage discarded" <<<"$OUT" || fail "random bytes got no error reply: $OUT"
	tv_refused "corrupt upload" "kernel upload incomplete or corrupt .*CRC wrong" \
		create --corrupt-upload "$dir/alpha.cfg"
	tv_ok "version after garbage" version

	tv_ok destroy destroy alpha
	tv_ok shutdown shutdown gamma
	for _ in $(seq 1 50); do
		tv list | grep -qE ' (alpha|gamma) ' || break
		sleep 0.2
	done
	tv_ok list list
	grep -qE ' (alpha|gamma) ' <<<"$OUT" && fail "alpha or gamma still listed: $OUT"
	grep -qE ' beta +running ' <<<"$OUT" || fail "beta should still run: $OUT"
	tv_ok "destroy beta" destroy beta
	for _ in $(seq 1 50); do
		[ "$(tv list --json | json_num free_mib)" = "$free0" ] && break
		sleep 0.2
	done
	tv_ok list --json list
	[ "$(json_num free_mib <<<"$OUT")" = "$free0" ] ||
		fail "free memory did not return to $free0 MiB: $OUT"
	tv_ok dmesg dmesg
	grep -q "mgmt: serving protocol 1" <<<"$OUT" || fail "dmesg lacks the boot log"
	expect 'd[0-9]+\(alpha\): ended: destroyed'
	expect '\[gamma\] busy: power button pressed: powering off'
	expect 'd[0-9]+\(gamma\): ended: powered off'
	expect 'd[0-9]+\(beta\): unpaused'
	expect 'mgmt: truncated frame dropped|mgmt: [0-9]+ bytes of garbage discarded'
	reject 'PANIC|BUG'
}

DEFAULT_CASES+=(mgmt_tvctl)

# The upload progress bar: on a terminal (a pty from script(1)) an image
# over 256 KiB draws it, its percentage rising to 100; without a terminal
# nothing is drawn (an upload cut off after a few chunks: the bar would
# be there by then).
mgmt_check_progress() {
	local dir=$1 pct rc
	cp "$dir/busy.elf" "$dir/big.elf"
	truncate -s $((260 * 1024)) "$dir/big.elf"
	printf 'name = "big"\nmemory = 32\nkernel = "big.elf"\n' >"$dir/big.cfg"
	OUT=$(timeout 120 script -qec "'$TVCTL' -s '$MGMT_SOCK' create '$dir/big.cfg'" \
		/dev/null </dev/null 2>&1)
	grep -q "created domain big" <<<"$OUT" || fail "create on a terminal: $OUT"
	pct=$(grep -o '\] *[0-9]\+% [0-9]*/260 KiB' <<<"$OUT" | grep -o '[0-9]\+%' | tr -d '%')
	awk 'NR == 1 && $1 >= 100 { bad = 1 } $1 < last { bad = 1 } { last = $1; n++ }
		END { exit !(n >= 3 && last == 100 && !bad) }' <<<"$pct" ||
		fail "create on a terminal: no progress rising to 100%: $(tr '\r' '\n' <<<"$OUT" | tail -n 5)"
	tv_ok "destroy big" destroy big
	OUT=$(tv create --cut-upload=20000 "$dir/big.cfg" 2>&1)
	rc=$?
	[ "$rc" = 4 ] && grep -q "upload cut off" <<<"$OUT" ||
		fail "create --cut-upload: exit $rc: $OUT"
	grep -q '%' <<<"$OUT" && fail "create without a terminal drew progress: $OUT"
	sleep 1
}

# The console over the channel and the VMI call counters: `tvctl console`
# shows what a domain wrote before anyone attached and what it writes
# meanwhile, forwards input (a line longer than the guest's 16-byte FIFO
# arrives whole), detaches on Ctrl-] and on the end of input; `create -c`
# attaches at once and says when the domain ends; `top -b -n 1` prints a
# row per domain; `info` of a pv domain counts its VMI calls by name.
case_mgmt_console() {
	mgmt_run mgmt_console_steps
}

mgmt_console_steps() {
	local dir=$ROOT/build/mgmt-console long rc calls hdr tbl
	mkdir -p "$dir"
	objcopy --strip-debug "$G/busy.elf" "$dir/busy.elf"
	objcopy --strip-debug "$G/vmi.elf" "$dir/vmi.elf"
	objcopy --strip-debug "$G/vmi_echo.elf" "$dir/vmi_echo.elf"
	printf 'name = "vecho"\ntype = "pv"\nmemory = 32\nkernel = "vmi_echo.elf"\n' \
		>"$dir/vecho.cfg"
	for d in echo quitter; do
		printf 'name = "%s"\nmemory = 32\nkernel = "busy.elf"\n' "$d" >"$dir/$d.cfg"
	done
	printf 'name = "pv1"\ntype = "pv"\nmemory = 32\nkernel = "vmi.elf"\ncmdline = "linger=120"\n' \
		>"$dir/pv1.cfg"
	long=$(printf 'x%.0s' $(seq 1 70))
	# The agent names every call the ABI headers define (VMI_CALL_*).
	hdr=$(grep -ho 'define VMI_CALL_[A-Z_]* [0-9]*u' "$ROOT"/vmi-abi/include/vmi/*.h |
		awk '{print $2}' | sort)
	tbl=$(grep -o 'CALL([A-Z_]*)' "$ROOT/hvm/vmi.c" |
		sed 's/CALL(\(.*\))/VMI_CALL_\1/' | sort)
	[ -n "$hdr" ] && [ "$hdr" = "$tbl" ] ||
		fail "hvm/vmi.c's VMI call names differ from the ABI headers':" \
			"$(diff <(echo "$hdr") <(echo "$tbl") | grep '^[<>]' | tr '\n' ' ')"

	mgmt_boot mgmt_console || return 0
	tv_ok version version
	grep -q "trivisor .*protocol 1\.2" <<<"$OUT" || fail "version: $OUT"
	mgmt_check_progress "$dir"
	tv_ok "create echo" create "$dir/echo.cfg"
	tv_ok "create pv1" create "$dir/pv1.cfg"
	sleep 2

	# Input through a pipe: two lines, then Ctrl-] (0x1d).
	OUT=$( (sleep 2; printf 'hello tvctl\r'; printf '%s\r' "$long"; sleep 3
		printf '\035') | timeout 60 "$TVCTL" -s "$MGMT_SOCK" console echo 2>&1)
	rc=$?
	[ "$rc" = 0 ] || fail "console echo: exit $rc after Ctrl-]: $OUT"
	grep -q "busy: running; PM1a_EVT_BLK" <<<"$OUT" ||
		fail "console echo: the output from before the attach is missing: $OUT"
	grep -q "busy: got 'hello tvctl'" <<<"$OUT" ||
		fail "console echo: the guest did not echo the input: $OUT"
	grep -q "busy: got '$long'" <<<"$OUT" ||
		fail "console echo: the 70-byte line did not arrive whole: $OUT"
	grep -q "detached from echo" <<<"$OUT" || fail "console echo: no detach: $OUT"
	# On a terminal (a pty from script(1)): raw mode, so Ctrl-C (0x03)
	# reaches the guest instead of killing tvctl; the terminal is
	# restored (canonical mode again) once tvctl detaches.
	OUT=$( (sleep 5; printf 'a\003b\r'; sleep 3; printf '\035'; sleep 2) |
		timeout 60 script -qec "'$TVCTL' -s '$MGMT_SOCK' console echo; stty -a" /dev/null 2>&1)
	grep -q "busy: got 'a?b'" <<<"$OUT" ||
		fail "console on a terminal: Ctrl-C did not reach the guest: $OUT"
	grep -q "detached from echo" <<<"$OUT" || fail "console on a terminal: no detach: $OUT"
	grep -Eq '(^|[^-])icanon' <<<"$OUT" ||
		fail "console on a terminal: the terminal was left in raw mode: $OUT"
	# The end of input detaches too.
	OUT=$(timeout 30 "$TVCTL" -s "$MGMT_SOCK" console echo </dev/null 2>&1)
	rc=$?
	[ "$rc" = 0 ] && grep -q "detached from echo" <<<"$OUT" ||
		fail "console echo: end of input: exit $rc: $OUT"
	tv_refused "console of an unknown domain" "no domain named 'nosuch'" console nosuch
	tv console nosuch </dev/null >/dev/null 2>&1
	rc=$?
	[ "$rc" = 3 ] || fail "console nosuch: exit $rc, expected 3 (no such domain)"

	# create -c: attached from the start; "quit" powers the guest off.
	OUT=$( (sleep 4; printf 'quit\r'; sleep 10) |
		timeout 90 "$TVCTL" -s "$MGMT_SOCK" create -c "$dir/quitter.cfg" 2>&1)
	rc=$?
	grep -q "created domain quitter" <<<"$OUT" || fail "create -c: $OUT"
	grep -q "busy: running" <<<"$OUT" || fail "create -c: no boot output: $OUT"
	grep -q "busy: quit: powering off" <<<"$OUT" || fail "create -c: no echo of quit: $OUT"
	grep -q "domain quitter ended" <<<"$OUT" || fail "create -c: the end was not reported: $OUT"
	[ "$rc" = 1 ] || fail "create -c: exit $rc when the domain ended, expected 1"

	# A pv guest that reads its input through the VMI console
	# (CONSOLE_READ after VIRQ_CONSOLE) gets it there; "quit" ends it
	# through VMI SHUTDOWN.
	tv_ok "create vecho" create "$dir/vecho.cfg"
	OUT=$( (sleep 3; printf 'hello vmi\r'; sleep 3; printf 'quit\r'; sleep 10) |
		timeout 60 "$TVCTL" -s "$MGMT_SOCK" console vecho 2>&1)
	rc=$?
	grep -q "vmi_echo: got 'hello vmi'" <<<"$OUT" ||
		fail "console vecho: the pv guest did not echo through VMI: $OUT"
	grep -q "vmi_echo: quit: powering off through VMI" <<<"$OUT" &&
		grep -q "domain vecho ended" <<<"$OUT" ||
		fail "console vecho: no quit or no end reported: $OUT"
	[ "$rc" = 1 ] || fail "console vecho: exit $rc when the domain ended, expected 1"

	# top: one iteration, a row per domain, VMI calls per second of pv1.
	tv_ok top top -b -n 1
	grep -qE '^ +[0-9]+ +echo +running +hv ' <<<"$OUT" || fail "top: no row for echo: $OUT"
	grep -qE '^ +[0-9]+ +pv1 +running +pv +32 +[0-9.]+ +[0-9.]+ +[0-9]+ +[1-9][0-9]* +[a-z]' <<<"$OUT" ||
		fail "top: no row for pv1 with VMI calls and exits by reason per second: $OUT"
	# The same as JSON, and the log as JSON.
	if command -v python3 >/dev/null; then
		tv_ok "top --json" top -b -n 1 --json
		python3 -c 'import json, sys
d = {x["name"]: x for x in json.loads(sys.stdin.read())["domains"]}
assert d["pv1"]["vmi_calls_per_s"] > 0 and "echo" in d, d' <<<"$OUT" ||
			fail "top --json: $OUT"
		tv_ok "dmesg --json" dmesg --json
		python3 -c 'import json, sys
assert "trivisor" in json.loads(sys.stdin.read())["log"]' <<<"$OUT" ||
			fail "dmesg --json is not JSON with the log"
	fi
	# info: the counters by call number and name.
	tv_ok "info pv1" info --json pv1
	grep -q '"type": "pv"' <<<"$OUT" || fail "info pv1: $OUT"
	if command -v python3 >/dev/null; then
		python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" ||
			fail "info --json pv1 is not JSON: $OUT"
		tv list --json | python3 -c 'import json, sys; json.load(sys.stdin)' ||
			fail "list --json is not JSON"
	fi
	calls=$(grep -o '"name": "VERSION", "count": [0-9]*' <<<"$OUT" | grep -o '[0-9]*$')
	[ "${calls:-0}" -gt 50 ] || fail "info pv1: VERSION counted ${calls:-no} times: $OUT"
	grep -q '"call": 96, "name": "CONSOLE_WRITE", "count": [1-9]' <<<"$OUT" ||
		fail "info pv1: CONSOLE_WRITE not counted: $OUT"
	# vmi.c also calls numbers the ABI leaves undefined: counted, no name.
	grep -Eq '"call": [0-9]+, "name": null, "count": [1-9]' <<<"$OUT" ||
		fail "info pv1: the calls of undefined numbers not counted: $OUT"
	tv_ok "info pv1" info pv1
	grep -qE '^ +0 +VERSION +[0-9]+$' <<<"$OUT" || fail "info pv1 table: $OUT"
	tv_ok "info echo" info --json echo
	grep -q 'vmi' <<<"$OUT" && fail "info echo: an hv domain shows VMI counters: $OUT"

	tv_ok "destroy echo" destroy echo
	tv_ok "destroy pv1" destroy pv1
	expect '\[echo\] busy: got .hello tvctl.'
	expect 'd[0-9]+\(quitter\): ended: powered off'
	expect 'd[0-9]+\(vecho\): ended: powered off'
	reject 'PANIC|BUG'
}

DEFAULT_CASES+=(mgmt_console)
