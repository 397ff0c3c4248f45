#!/usr/bin/env bash
# The test entry point behind `make test` (default), `make test-unit`,
# `make test-integration` and `make test-slow`.
#   run-all.sh default|unit|integration|slow
# Unit tests count CUnit tests; integration tests count cases.  The last
# line is "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
what=${1:-default}
passed=0 failed=0

run_unit() {
	local bin out p f status
	for bin in build/unit/*; do
		[ -x "$bin" ] || continue
		echo "== unit: $(basename "$bin")"
		out=$("$bin" 2>&1)
		status=$?
		# CUnit's summary: "tests  total ran passed failed inactive".
		read -r p f < <(printf '%s\n' "$out" | awk '$1 == "tests" { print $4, $5 }')
		printf '%s\n' "$out" | grep -E 'FAILED|Run Summary|^ +(suites|tests|asserts)' || true
		if [ -z "${p:-}" ]; then
			echo "   $(basename "$bin"): no CUnit summary (exit status $status)"
			printf '%s\n' "$out" | tail -n 20
			failed=$((failed + 1))
			continue
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "   $(basename "$bin"): exit status $status"
			failed=$((failed + 1))
		fi
	done
}

run_integration() {
	local out p f tmp
	echo "== integration ($1)"
	# Not `tee /dev/stderr`: reopening it truncates a file that holds
	# both streams (make test >log 2>&1) and loses what came before.
	tmp=$(mktemp)
	bash tests/integration/run.sh "$1" 2>&1 | tee "$tmp"
	out=$(tail -n 1 "$tmp")
	rm -f "$tmp"
	p=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\1/p')
	f=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\2/p')
	if [ -z "$p" ]; then
		echo "integration runner gave no summary"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

# The public ABI headers: each compilation of tools/check-headers.sh
# counts as one test.
run_headers() {
	local out p t
	echo "== check-headers"
	out=$(bash tools/check-headers.sh 2>&1)
	printf '%s\n' "$out"
	read -r p t < <(printf '%s\n' "$out" | sed -n 's/^check-headers: \([0-9]*\) of \([0-9]*\) compilations passed.*/\1 \2/p')
	if [ -z "${p:-}" ]; then
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + p))
	failed=$((failed + t - p))
}

case $what in
default)
	run_unit
	run_headers
	run_integration default
	;;
unit)
	run_unit
	run_headers
	;;
integration) run_integration default ;;
slow) run_integration slow ;;
*) echo "run-all: unknown suite '$what' (default, unit, integration, slow)" >&2; exit 2 ;;
esac
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
