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
bash tools/mkiso.sh -o build/run.iso -k build/trivisor.elf -c "${TRIVISOR_CMDLINE:-}" "${mods[@]}"
cat <<MSG
run: trivisor with the domain from $cfg; its console lines show as [NAME] in the log.
run: management socket build/mgmt.sock: in another terminal try  build/tvctl list
run: quit QEMU with Ctrl-A X
MSG
exec bash tools/run-qemu.sh --iso build/run.iso --mgmt build/mgmt.sock
