#!/usr/bin/env bash
# Every public VMI header (vmi-abi/include/vmi/*.h) must compile on its own
# as C89, C99 and C++98 (pedantic, warnings as errors), for 64-bit and
# 32-bit x86 (freestanding: no libc headers needed), so that a guest written in any of them, in either mode, can
# include it; the layout checks inside (VMI_STATIC_ASSERT) then prove the
# structures have the same size and offsets everywhere.  `make check-headers`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
INC=$ROOT/vmi-abi/include
fails=0 runs=0
command -v g++ >/dev/null || { echo "check-headers: g++ missing: run 'make deps'" >&2; exit 2; }
for h in "$INC"/vmi/*.h; do
	name=vmi/$(basename "$h")
	for lang in c89 c99 c++98; do
		for bits in 64 32; do
			case $lang in
			c++*) cc=(g++ -x c++ -std="$lang") ;;
			*) cc=(gcc -x c -std="$lang") ;;
			esac
			runs=$((runs + 1))
			if ! out=$(printf '#include <%s>\nint vmi_check_header_tu;\n' "$name" |
				"${cc[@]}" -m"$bits" -ffreestanding -pedantic -Wall -Wextra -Werror \
					-fsyntax-only -I"$INC" - 2>&1); then
				echo "check-headers: FAIL $name as $lang, ${bits}-bit:"
				echo "$out" | sed 's/^/    /'
				fails=$((fails + 1))
			fi
		done
	done
done
echo "check-headers: $((runs - fails)) of $runs compilations passed ($(ls "$INC"/vmi/*.h | wc -l) headers x C89, C99, C++98 x 64/32-bit)"
[ "$fails" -eq 0 ]
