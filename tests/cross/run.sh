#!/bin/bash
# SPDX-License-Identifier: MIT
# Cross-build nltune for ARCH the way Buildroot and Yocto drive make (CC, AR, PKG_CONFIG and
# CFLAGS from outside), warnings as errors, then run the programs and every unit program under
# qemu-user. Exit 0 passed, 77 skipped (and why), anything else failed.
#
# usage: tests/cross/run.sh ARCH        ARCH: arm64 | armhf; builds into build-ARCH/
#
# The libraries come from the sysroot tests/cross/sysroot.sh keeps (see there why not
# multiarch). Unit cases that need the running kernel (sock_diag, network namespaces) skip
# themselves under the emulator (NLTUNE_EMULATOR); they run in the ARM VM boot instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
arch=${1:?usage: tests/cross/run.sh ARCH}
case $arch in
arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64 bits=64 ;;
armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm bits=32 ;;
*) echo "cross: unknown ARCH $arch; use arm64 or armhf" >&2; exit 2 ;;
esac
O=build-$arch
skip() { echo "cross $arch: skipped: $*"; exit 77; }
fail() { echo "cross $arch: FAIL: $*"; exit 1; }
# One "NAME RC" line per program for tests/run.sh's count (NLTUNE_CROSS_RESULTS, optional).
results=${NLTUNE_CROSS_RESULTS:-/dev/null}
result() { echo "$arch/$1 $2" >> "$results"; }

command -v "$triplet-gcc" > /dev/null ||
	skip "no $triplet-gcc (tests/deps.sh installs crossbuild-essential-$arch as root)"
command -v "$qemu" > /dev/null || skip "no $qemu (tests/deps.sh installs qemu-user as root)"
sysroot=$(tests/cross/sysroot.sh "$arch" 2>&1) || skip "$sysroot"

echo "cross $arch ($bits-bit): $triplet-gcc against the mmdebstrap sysroot $sysroot" \
	"(not multiarch :$arch packages: see tests/cross/sysroot.sh), run under $qemu -L"

# What a board build system passes: a cross CC carrying its sysroot, the cross AR, pkg-config
# told where the target's .pc files are, extra CFLAGS. -Werror: the build must be warning-free.
export PKG_CONFIG_SYSROOT_DIR=$sysroot
export PKG_CONFIG_LIBDIR=$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig
units=$(for f in tests/test_*.c; do t=${f#tests/}; echo "$O/tests/${t%.c}"; done)
log=$(mktemp /tmp/nltune-cross.XXXXXX)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if ! make --no-print-directory O="$O" CC="$triplet-gcc --sysroot=$sysroot" AR="$triplet-ar" \
	PKG_CONFIG=pkg-config CFLAGS=-Werror $O/nltuned $O/nltune $units > "$log" 2>&1; then
	cat "$log"
	fail "the build failed"
fi
elf=$("$triplet-readelf" -h "$O/nltuned" | awk '$1 == "Class:" || $1 == "Machine:" { $1 = ""; printf "%s", $0 }')
[ "$elf" = " ELF$bits $([ "$arch" = arm64 ] && echo AArch64 || echo ARM)" ] ||
	fail "$O/nltuned is not a $bits-bit $arch program:$elf"
stripped() { "$triplet-strip" -o "$log.s" "$1" && stat -c %s "$log.s"; rm -f "$log.s"; }
echo "built warning-free; stripped sizes: nltuned $(stripped "$O/nltuned") B, nltune $(stripped "$O/nltune") B"

# A staged install as a board image would take it: everything under DESTDIR, and no path of
# this build host (the sysroot, the source tree) inside an installed file.
stage=$(mktemp -d /tmp/nltune-cross-stage.XXXXXX)
trap 'rm -f "$log"; rm -rf "$stage"' EXIT
make --no-print-directory O="$O" CC="$triplet-gcc --sysroot=$sysroot" AR="$triplet-ar" \
	PKG_CONFIG=pkg-config DESTDIR="$stage" PREFIX=/usr install > "$log" 2>&1 ||
	{ cat "$log"; fail "make install DESTDIR= failed"; }
[ -x "$stage/usr/sbin/nltuned" ] && [ -x "$stage/usr/bin/nltune" ] || fail "install put no programs under DESTDIR"
"$triplet-strip" "$stage/usr/sbin/nltuned" "$stage/usr/bin/nltune"
leak=$(grep -rlF -e "$sysroot" -e "$PWD" "$stage" || true)
[ -z "$leak" ] || fail "host paths in installed files: $leak"
echo "make install DESTDIR=: $(find "$stage" -type f | wc -l) files, no host path in any"

export NLTUNE_EMULATOR=$qemu
run() { timeout -k 5 "${RUN_TIMEOUT:-300}" "$qemu" -L "$sysroot" "$@"; }
failed=()

# The programs themselves: what a board builder tries first.
out=$(run "$O/nltune" --version 2>&1)
rc=$?
echo "  nltune --version: $out"
[ $rc -eq 0 ] && [ "$out" = "nltune $(make --no-print-directory -s version)" ] || failed+=("nltune--version")
result nltune--version $rc
out=$(run "$O/nltuned" --check-config -c conf/nltune.conf 2>&1)
rc=$?
echo "  nltuned --check-config -c conf/nltune.conf: $out"
[ $rc -eq 0 ] || failed+=("nltuned--check-config")
result nltuned--check-config $rc
# Reads the host's /proc and /sys through the emulator: every reader at this word size.
out=$(run "$O/nltune" recommend --no-daemon --json 2>&1)
rc=$?
if [ $rc -eq 0 ] && jq -e '.rmem_default > 0' <<<"$out" > /dev/null; then
	echo "  nltune recommend --no-daemon: rmem_default $(jq .rmem_default <<<"$out")"
else
	echo "$out"
	rc=1
	failed+=("nltune-recommend")
fi
result nltune-recommend $rc

for t in $units; do
	name=${t##*/}
	if run "$t" > "$log" 2>&1; then
		# cmocka's closing lines: "[  PASSED  ] N test(s)." and "[  SKIPPED ] N test(s), ..."
		n_pass=$(awk '/^\[  PASSED  \]/ { n += $4 } END { print n }' "$log")
		n_skip=$(awk '/^\[  SKIPPED \] [0-9]+ test/ { n += $4 } END { if (n) print n }' "$log")
		echo "  $name: ${n_pass:-?} passed${n_skip:+, $n_skip skipped (needs the live kernel)}"
		result "$name" "$([ -n "$n_skip" ] && echo 77 || echo 0)"
	else
		rc=$?
		cat "$log"
		[ $rc -ne 124 ] && [ $rc -ne 137 ] || echo "  $name: killed after ${RUN_TIMEOUT:-300} s"
		failed+=("$name")
		result "$name" "$rc"
	fi
done
[ ${#failed[@]} -eq 0 ] || fail "${failed[*]}"
echo "cross $arch: ok"
