#!/usr/bin/env bash
# The patched Linux guest: Debian's linux-source-6.1 with trivisor's VMI
# series (guest-linux-patches/) and a small configuration.
#
#   guest-linux.sh [OUTDIR]        (default: build/guest-linux)
#
# Makes OUTDIR/<key>/bzImage, where <key> is a hash of the pinned source
# package version, the series (its order and every patch) and the config
# fragment; OUTDIR/bzImage is a link to the newest one.  When the bzImage
# for the current key exists, nothing is built.
#
# Steps: install linux-source-6.1 at the version tools/versions.sh pins
# (and the build tools) with tools/deps.sh; check that version; unpack it once
# into OUTDIR/linux-source-6.1, a local git repository whose tag "base"
# is the pristine source; check out branch "series" at base and apply the
# series with `git am`; configure in OUTDIR/obj (make tinyconfig, the
# fragment with merge_config.sh, make olddefconfig) and check that every
# option the fragment sets survived; build bzImage with nice -n 10 make
# -j2.  The object directory is kept between builds, so a changed series
# recompiles only what it touches.
#
# Working on the series: commit on a branch of OUTDIR/linux-source-6.1,
# then `git format-patch -o guest-linux-patches base` and list the files
# in guest-linux-patches/series.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/guest-linux}
# Absolute: git runs inside the source tree and resolves paths there.
OUT=$(realpath -m "$OUT")
PATCHES=$ROOT/guest-linux-patches
FRAGMENT=$PATCHES/vmi-guest.config
# shellcheck source=versions.sh
source "$ROOT/tools/versions.sh"
PKG=$PIN_LINUX_SOURCE
PIN=$PIN_LINUX_SOURCE_VER
TARBALL=/usr/src/linux-source-6.1.tar.xz
SRC=$OUT/linux-source-6.1
OBJ=$OUT/obj
JOBS=${GUEST_LINUX_JOBS:-2}

die() {
	echo "guest-linux: $*" >&2
	exit 1
}

[ -f "$PATCHES/series" ] || die "no $PATCHES/series"
[ -f "$FRAGMENT" ] || die "no $FRAGMENT"

# The series, in order; blank lines and # comments are skipped.
mapfile -t series < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$PATCHES/series" | grep -v '^$' || true)
for p in "${series[@]}"; do
	[ -f "$PATCHES/$p" ] || die "guest-linux-patches/series names '$p', which does not exist"
done

key=$({
	echo "$PKG $PIN"
	for p in "${series[@]}"; do
		echo "patch $p"
		cat "$PATCHES/$p"
	done
	echo "config"
	cat "$FRAGMENT"
} | sha256sum | cut -c1-16)

if [ -s "$OUT/$key/bzImage" ]; then
	ln -sfn "$key/bzImage" "$OUT/bzImage"
	echo "guest-linux: $OUT/$key/bzImage is up to date ($PKG $PIN, ${#series[@]} patches)"
	exit 0
fi

bash "$ROOT/tools/deps.sh" flex bison bc libelf-dev cpio xz-utils git "$PKG=$PIN"
found=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || true)
[ "$found" = "$PIN" ] ||
	die "$PKG is pinned to version $PIN but version '${found:-none}' is installed; install the pinned one ('apt-get install $PKG=$PIN') or move the pin in tools/versions.sh after checking that the series still applies"
[ -f "$TARBALL" ] || die "$PKG $PIN is installed but $TARBALL is missing; reinstall it"

git_src() {
	git -C "$SRC" -c user.name=trivisor -c user.email=trivisor@localhost "$@"
}

# Unpack once.  Debian's top-level .gitignore ignores everything (it is
# meant for its packaging repository), hence add -f.
if ! git_src rev-parse -q --verify base >/dev/null 2>&1 ||
	[ "$(cat "$OUT/source-version" 2>/dev/null)" != "$PIN" ]; then
	echo "guest-linux: unpacking $TARBALL"
	rm -rf "$SRC" "$OBJ"
	mkdir -p "$OUT"
	tar -xf "$TARBALL" -C "$OUT"
	[ -f "$SRC/Makefile" ] || die "$TARBALL did not unpack into $SRC"
	git_src init -q
	git_src add -f -A
	git_src commit -q -m "$PKG $PIN"
	git_src tag base
	echo "$PIN" >"$OUT/source-version"
fi

# The patched tree is made in a scratch index, then checked out: git
# rewrites only the files that differ from what the tree holds now, so
# make recompiles only what the change touches (a plain "checkout base;
# git am" would touch every file of the series each time).
echo "guest-linux: applying ${#series[@]} patches to $PKG $PIN"
index=$OUT/series.index
rm -f "$index"
GIT_INDEX_FILE=$index git_src read-tree base
for p in "${series[@]}"; do
	GIT_INDEX_FILE=$index git_src apply --cached --whitespace=nowarn "$PATCHES/$p" ||
		die "guest-linux-patches/$p does not apply to $PKG $PIN"
done
tree=$(GIT_INDEX_FILE=$index git_src write-tree)
rm -f "$index"
commit=$(git_src commit-tree "$tree" -p base -m "$PKG $PIN with guest-linux-patches ($key)")
git_src checkout -q -f -B series "$commit"

echo "guest-linux: configuring (tinyconfig + ${FRAGMENT#"$ROOT"/})"
mkdir -p "$OBJ"
make -s -C "$SRC" O="$OBJ" tinyconfig >/dev/null
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT" >/dev/null
make -s -C "$SRC" O="$OBJ" olddefconfig
missing=()
while read -r opt; do
	grep -qx -- "$opt" "$OBJ/.config" || missing+=("$opt")
done < <(grep -Eo '^CONFIG_[A-Z0-9_]+=[^[:space:]]+' "$FRAGMENT")
[ ${#missing[@]} -eq 0 ] ||
	die "the configuration lost ${missing[*]} from ${FRAGMENT#"$ROOT"/} (an unmet dependency: see 'make O=$OBJ menuconfig')"

echo "guest-linux: building bzImage (make -j$JOBS, niced; log in $OUT/build.log)"
if ! nice -n 10 make -C "$SRC" O="$OBJ" -j"$JOBS" bzImage >"$OUT/build.log" 2>&1; then
	tail -n 30 "$OUT/build.log" >&2
	die "the kernel build failed; the whole log is $OUT/build.log"
fi
mkdir -p "$OUT/$key"
cp "$OBJ/arch/x86/boot/bzImage" "$OUT/$key/bzImage.tmp"
cp "$OBJ/.config" "$OUT/$key/config"
mv "$OUT/$key/bzImage.tmp" "$OUT/$key/bzImage"
ln -sfn "$key/bzImage" "$OUT/bzImage"
echo "guest-linux: made $OUT/$key/bzImage ($PKG $PIN, ${#series[@]} patches)"
