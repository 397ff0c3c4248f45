#!/usr/bin/env bash
# `make run`: boot trivisor under QEMU with its management socket
# (build/mgmt.sock) and the domain a config file describes (default
# configs/default.cfg), loaded as multiboot2 modules.
#   run-default.sh [CONFIG] ; TRIVISOR_CMDLINE passes hypervisor options
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
cfg=${1:-configs/default.cfg}
mods=()
specs=$(build/tvctl modules "$cfg")
while IFS= read -r m; do
	file=${m%%=*}
	[ -f "$file" ] || { echo "run: $file missing (make linux-guest makes build/linux/)" >&2; exit 1; }
	mods+=(-m "$m")
done <<<"$specs"
# The first spec is "FILE=kernel NAME ...": attach that domain's console.
name=$(head -n 1 <<<"$specs" | sed 's/^[^=]*=kernel \([^ ]*\).*/\1/')
bash tools/mkiso.sh -o build/run.iso -k build/trivisor.elf \
	-c "${TRIVISOR_CMDLINE:-} attach=$name" "${mods[@]}"
cat <<MSG
run: trivisor with the domain '$name' from $cfg, its console attached here
run: (its output as it comes, your typing goes to it; its lines are also in tvctl dmesg).
run: management socket build/mgmt.sock: in another terminal try  build/tvctl list
run: quit QEMU with Ctrl-A X
MSG
exec bash tools/run-qemu.sh --iso build/run.iso --mgmt build/mgmt.sock
