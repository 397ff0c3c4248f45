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

# Domains from configs: create three, list, pause one (its vCPU time stops
# advancing), unpause, destroy one, shut one down; free memory returns to
# where it started.  Bad inputs each get their error and the hypervisor
# keeps serving.
case_mgmt_tvctl() {
	local errexit=
	[[ $- == *e* ]] && errexit=1
	# Commands here fail on purpose; fail() records what matters.
	set +e
	mgmt_tvctl_steps
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
