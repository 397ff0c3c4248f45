#!/usr/bin/env bash
# `make test-fresh`: the README's two commands on a fresh Debian 12 root.
#
#   test-fresh.sh            make test, then make run, in a fresh root
#   test-fresh.sh --run-only only the make run check (quicker)
#
# 1. A minimal Debian 12 root (mmdebstrap, variant minbase, plus `make`,
#    the one thing the README's commands presuppose) from the Debian
#    archive the host's apt uses, cached as build/fresh/bookworm.tar.
#    Only that pristine bootstrap output is cached.
# 2. Each run unpacks it into a new build/fresh/root.N, so no project
#    package is ever installed there before the run.
# 3. A clean clone of HEAD (committed work only) goes to /trivisor in it.
# 4. chroot with /proc, /sys and /dev mounted (unmounted on every exit
#    path, by the EXIT trap): `make test` must pass.
# 5. `make run` under a pseudo-terminal (script(1)), without input: the
#    default guest's shell banner and prompt must appear on the console
#    within RUN_TIMEOUT seconds; then the run is stopped.
# The root is deleted afterwards unless KEEP=1.  Needs root (chroot and
# mounts) and the Debian archive.  Prints "test-fresh: PASS" or
# "test-fresh: FAIL <reason>" last and exits non-zero on failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/fresh
CACHE=$OUT/bookworm.tar
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
run_only=
[ "${1:-}" = --run-only ] && run_only=1

die() {
	echo "test-fresh: FAIL $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (chroot and mounts); run it as root or with sudo"
bash "$ROOT/tools/deps.sh" mmdebstrap git
mkdir -p "$OUT"

# The mirrors: the host's own (Debian's archive, updates and security).
mirrors=(
	"deb http://deb.debian.org/debian bookworm main"
	"deb http://deb.debian.org/debian bookworm-updates main"
	"deb http://deb.debian.org/debian-security bookworm-security main"
)
if [ ! -s "$CACHE" ]; then
	echo "test-fresh: bootstrapping a minimal Debian 12 root into $CACHE"
	mmdebstrap --mode=root --variant=minbase --include=make \
		bookworm "$OUT/bookworm.tmp.tar" "${mirrors[@]}" ||
		die "mmdebstrap failed (is the Debian archive reachable?)"
	mv "$OUT/bookworm.tmp.tar" "$CACHE"
fi

n=1
while [ -e "$OUT/root.$n" ]; do n=$((n + 1)); done
R=$OUT/root.$n
mounted=()
cleanup() {
	local i
	# Anything still running in the root (a QEMU of make run) first.
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$R" ] && kill -9 "$pid" 2>/dev/null
	done
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[$i]}" 2>/dev/null || true
	done
	if [ -z "${KEEP:-}" ] && [ -d "$R" ]; then
		# Never delete through a mount that is still there.
		if grep -q " $R/" /proc/mounts; then
			echo "test-fresh: $R still has mounts; not deleting it" >&2
		else
			rm -rf "$R"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$R"
tar -x -C "$R" -f "$CACHE"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
for m in proc sys dev; do
	case $m in
	proc) mount -t proc proc "$R/proc" ;;
	sys) mount --rbind /sys "$R/sys" && mount --make-rslave "$R/sys" ;;
	dev) mount --rbind /dev "$R/dev" && mount --make-rslave "$R/dev" ;;
	esac
	mounted+=("$R/$m")
done
git clone -q --no-local "$ROOT" "$R/trivisor"
echo "test-fresh: $(git -C "$R/trivisor" log --oneline -1) in $R"

in_root() {
	chroot "$R" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		TERM="${TERM:-dumb}" LANG=C.UTF-8 bash -c "cd /trivisor && $*"
}

start=$(date +%s)
if [ -z "$run_only" ]; then
	echo "test-fresh: make test"
	in_root "make test" 2>&1 | tee "$OUT/make-test.log"
	rc=${PIPESTATUS[0]}
	echo "test-fresh: make test took $(($(date +%s) - start)) s, exit status $rc"
	[ "$rc" -eq 0 ] || die "make test failed in the fresh root (log: $OUT/make-test.log)"
fi

echo "test-fresh: make run (a pseudo-terminal, no input; waiting for the guest's shell)"
t0=$(date +%s)
runlog=$OUT/make-run.log
: >"$runlog"
# script(1) gives make run the terminal it expects; stdin is a pipe that
# stays open and silent, so the guest's shell waits at its prompt.
(sleep "$RUN_TIMEOUT" | script -qfec "chroot $R /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm LANG=C.UTF-8 bash -c 'cd /trivisor && make run'" "$runlog" >/dev/null 2>&1) &
runpid=$!
ok=
while [ $(($(date +%s) - t0)) -lt "$RUN_TIMEOUT" ]; do
	if tr -d '\r' <"$runlog" | grep -q 'exit the shell to power off' &&
		tr -d '\r' <"$runlog" | grep -Eq '^(\[linux\] )?/ # '; then
		ok=1
		break
	fi
	kill -0 "$runpid" 2>/dev/null || break
	sleep 2
done
took=$(($(date +%s) - t0))
kill -- -"$runpid" 2>/dev/null || kill "$runpid" 2>/dev/null || true
cleanup_pids() {
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$R" ] && kill -9 "$pid" 2>/dev/null
	done
	return 0
}
cleanup_pids
wait "$runpid" 2>/dev/null || true
[ -n "$ok" ] || die "make run showed no guest shell prompt within $took s (log: $runlog)"
echo "test-fresh: make run reached the guest's shell prompt after $took s"
echo "test-fresh: PASS ($(($(date +%s) - start)) s in the fresh root)"
