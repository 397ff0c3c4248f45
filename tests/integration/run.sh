#!/usr/bin/env bash
# Integration runner: boots the real hypervisor under QEMU and Bochs.
#   run.sh default|slow|all|CASE...
# Prints one line per case and, last, "N passed, N failed".  Logs are in
# build/logs/CASE.log.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
# shellcheck source=lib.sh
source tests/integration/lib.sh
DEFAULT_CASES=()
SLOW_CASES=()
for f in tests/integration/cases-*.sh; do
	# shellcheck disable=SC1090
	source "$f"
done

case ${1:-default} in
default) cases=("${DEFAULT_CASES[@]}") ;;
slow) cases=("${SLOW_CASES[@]}") ;;
all) cases=("${DEFAULT_CASES[@]}" "${SLOW_CASES[@]}") ;;
*) cases=("$@") ;;
esac

# The emulators are not pinned (tools/versions.sh): name them.
echo "emulators: $(dpkg-query -W -f='${Package} ${Version}, ' qemu-system-x86 bochs 2>/dev/null | sed 's/, $//')"
passed=0 failed=0
declare -A by_backend=()
for c in "${cases[@]}"; do
	if ! declare -F "case_$c" >/dev/null; then
		echo "FAIL $c: no such case"
		failed=$((failed + 1))
		continue
	fi
	FAIL_REASON= OUTCOME= LOG= PLATFORM=
	start=$(date +%s.%N)
	"case_$c"
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	backend=$(hv_backend)
	tag=${backend:+, $backend}
	[ -n "$backend" ] && by_backend[$backend]+=" $c"
	if [ -z "$FAIL_REASON" ]; then
		echo "PASS $c (${secs}s$tag)"
		passed=$((passed + 1))
	else
		echo "FAIL $c (${secs}s$tag): $FAIL_REASON"
		echo "     log: ${LOG#"$ROOT"/}"
		failed=$((failed + 1))
	fi
done
# Which hardware backend ran which hv cases (from each case's log).
for b in "${!by_backend[@]}"; do
	set -- ${by_backend[$b]}
	echo "hv backend $b ran $# case(s):${by_backend[$b]}"
done | sort
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
