#!/bin/bash
# SPDX-License-Identifier: MIT
# Boot the arm64 package for real: Debian 12 arm64 with nltune's .deb, under qemu-system-aarch64
# (-M virt, Cortex-A57, TCG, 128 MiB: a small board), and check there what matters on ARM: the
# boot order, nltuned on the bus, the charge per event against SO_MEMINFO on that kernel
# (tests/integration/charge.sh, run in the guest), nltuned's Pss, and nltuned's CPU and memory
# per event against the bare reader (tests/bench/cost.sh). Exit 0 pass, 77 skipped, else fail.
#
# usage: tests/cross/vm.sh            (make vm-arm64; root; about 5 minutes once cached)
#
# Cached in NLTUNE_VM_CACHE (default /var/cache/nltune/vm), keyed by their inputs: the guest's
# base image (mmdebstrap --architecture=arm64, maintainer scripts under qemu-user via binfmt;
# about 10 minutes the first time) and a Debian multiarch build chroot (amd64 + arm64 -dev
# packages, crossbuild-essential-arm64; about 3 minutes), in which the .deb is built the Debian
# way, `dpkg-buildpackage -aarm64`, from this tree's files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${NLTUNE_VM_CACHE:-/var/cache/nltune/vm}
work=${NLTUNE_VM_WORK:-$repo/build-arm64/vm}
suite=bookworm
mirror=${NLTUNE_MIRROR:-http://deb.debian.org/debian}
mem=${VM_MEM:-128}
timeout=${VM_BOOT_TIMEOUT:-1200}
events=${VM_BENCH_EVENTS:-20000}

skip() { echo "vm-arm64: skipped: $*"; exit 77; }
die() { echo "vm-arm64: FAIL: $*"; exit 1; }
log() { echo "vm-arm64: $*"; }
t_start=$SECONDS

[ "$(id -u)" -eq 0 ] || skip "building the images needs root (chroot, file ownership)"
need="qemu-system-arm qemu-user-static mmdebstrap e2fsprogs arch-test"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		--no-install-recommends $missing >&2 || skip "cannot install$missing"
fi
# arm64 programs in the chroots run under qemu-user through binfmt_misc.
if ! arch-test arm64 > /dev/null 2>&1; then
	[ -e /proc/sys/fs/binfmt_misc/register ] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || [ ! -w /proc/sys/fs/binfmt_misc/register ] ||
		cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register || true
	arch-test arm64 > /dev/null 2>&1 || skip "cannot run arm64 programs through binfmt_misc here"
fi
mkdir -p "$cache" "$work"
exec 9> "$cache/.lock"
flock 9 # one image build at a time; a second run waits and then reuses it

# ---- the guest's base image ---------------------------------------------------------------------
pkgs="systemd-sysv udev dbus polkitd kmod linux-image-arm64 initramfs-tools libconfuse2 libjson-c5
libmnl0 libsystemd0 procps util-linux jq"
# The key: what goes into the image (editing this script does not rebuild it; bump "image 1").
key=$({ echo "image 1 $suite $mirror $pkgs"; cat "$here/vm-initramfs-hook"; } | sha256sum | cut -c1-12)
base=$cache/base-arm64-$key.tar
if [ ! -s "$base" ]; then
	log "building the $suite arm64 base image once (cached as ${base##*/}; ~10 min under qemu-user)"
	# MODULES=list before the kernel is unpacked: a small initrd (~6 MB) that boots in 128 MiB.
	# shellcheck disable=SC2086
	mmdebstrap --quiet --format=tar --variant=minbase --architectures=arm64 \
		--include="$(echo $pkgs | tr ' ' ,)" \
		--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"' \
		--essential-hook='printf "MODULES=list\nCOMPRESS=gzip\n" > "$1/etc/initramfs-tools/conf.d/nltune-vm"' \
		--essential-hook="install -m 0755 $here/vm-initramfs-hook \"\$1/etc/initramfs-tools/hooks/nltune-vm\"" \
		--customize-hook='echo nltune-arm64 > "$1/etc/hostname"' \
		--customize-hook='chroot "$1" passwd -d root >/dev/null' \
		--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages' \
		"$suite" "$base.tmp" "$mirror" >&2
	mv "$base.tmp" "$base"
fi

# ---- the .deb, built as Debian cross-builds: dpkg-buildpackage -aarm64 in a multiarch chroot ----
bpkgs="build-essential crossbuild-essential-arm64 debhelper dpkg-dev fakeroot systemd pkgconf:arm64
libconfuse-dev:arm64 libsystemd-dev:arm64 libjson-c-dev:arm64 libmnl-dev:arm64 libcmocka-dev:arm64"
bkey=$(echo "$suite $mirror $bpkgs" | sha256sum | cut -c1-12)
builder=$cache/builder-amd64-arm64-$bkey.tar
if [ ! -s "$builder" ]; then
	log "building the arm64 cross-build chroot once (cached as ${builder##*/}; ~3 min)"
	# shellcheck disable=SC2086
	mmdebstrap --quiet --format=tar --variant=apt --architectures=amd64,arm64 \
		--include="$(echo $bpkgs | tr ' ' ,)" \
		--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
		"$suite" "$builder.tmp" "deb $mirror $suite main" "deb $mirror $suite-updates main" \
		"deb ${mirror%/debian}/debian-security $suite-security main" >&2
	mv "$builder.tmp" "$builder"
fi
flock -u 9
t_img=$SECONDS
rm -rf "$work/builder" "$work/root"
mkdir -p "$work/builder"
tar -C "$work/builder" -xf "$builder"
src=$work/builder/src/nltune-$(make -s --no-print-directory -C "$repo" version)
mkdir -p "$src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard 2>/dev/null ||
	find . -path ./build\* -prune -o -path ./.git -prune -o ! -type d -print0) |
	(cd "$repo" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$src"
chroot "$work/builder" sh -c "cd /src/${src##*/} && CC=aarch64-linux-gnu-gcc DEB_BUILD_OPTIONS=nocheck \
	dpkg-buildpackage -aarm64 -Pnocheck -b -us -uc" > "$work/deb.log" 2>&1 ||
	{ tail -n 30 "$work/deb.log"; die "dpkg-buildpackage -aarm64 failed (log: $work/deb.log)"; }
deb=$(ls "$work"/builder/src/nltune_*_arm64.deb)
# The test helpers for the guest, from the same cross compiler.
mkdir -p "$work/builder/src/bin"
for h in tests/helpers/uevsock.c tests/bench/uevread.c tests/bench/uevblast.c; do
	n=${h##*/}
	cp "$repo/$h" "$work/builder/src/bin/"
	chroot "$work/builder" aarch64-linux-gnu-gcc -std=gnu11 -O2 -D_GNU_SOURCE \
		"/src/bin/$n" -o "/src/bin/${n%.c}" || die "cannot cross-build $h"
done
log "built ${deb##*/} ($(stat -c %s "$deb") B) with dpkg-buildpackage -aarm64 in $((SECONDS - t_img)) s"

# ---- the guest's disk: base + the package + the test files ---------------------------------------
root=$work/root
mkdir -p "$root"
tar -C "$root" -xf "$base"
cp "$deb" "$root/tmp/nltune.deb"
chroot "$root" dpkg -i /tmp/nltune.deb > "$work/dpkg.log" 2>&1 ||
	die "dpkg -i failed: $(tail -n 5 "$work/dpkg.log")"
rm "$root/tmp/nltune.deb"
v=$root/usr/local/lib/nltune-vmt
install -d "$v/build/tests/helpers" "$v/build/bench" "$v/repo/tests/integration" "$v/repo/tests/bench"
install -m 0755 "$here/guest/probe.sh" "$v/"
install -m 0755 "$work/builder/src/bin/uevsock" "$v/build/tests/helpers/"
install -m 0755 "$work/builder/src/bin/uevread" "$work/builder/src/bin/uevblast" "$v/build/bench/"
ln -s /usr/bin/nltune "$v/build/nltune"
ln -s /usr/sbin/nltuned "$v/build/nltuned"
cp "$repo/tests/lib.sh" "$v/repo/tests/"
cp "$repo/tests/integration/charge.sh" "$v/repo/tests/integration/"
cp "$repo/tests/bench/lib.sh" "$repo/tests/bench/cost.sh" "$v/repo/tests/bench/"
install -m 0644 "$here/guest/nltune-arm64-probe.service" "$root/etc/systemd/system/"
ln -sf /etc/systemd/system/nltune-arm64-probe.service "$root/etc/systemd/system/multi-user.target.wants/"
echo "LABEL=nltroot / ext4 defaults 0 1" > "$root/etc/fstab"
cp "$root"/boot/vmlinuz-* "$work/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/initrd"
mkfs.ext4 -q -F -L nltroot -d "$root" "$work/root.img" 2G
rm -rf "$root" "$work/builder"

# ---- boot: console on the PL011, results on a virtio serial port (virt has one UART) ------------
res=$work/results.txt con=$work/console.log
rm -f "$res" "$con"
log "booting: qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg -m $mem"
t_boot=$SECONDS
rc=0
timeout "$timeout" qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg -m "$mem" -smp 1 \
	-nographic -no-reboot -monitor none -nic none -kernel "$work/vmlinuz" -initrd "$work/initrd" \
	-drive file="$work/root.img",format=raw,if=virtio \
	-append "console=ttyAMA0 root=LABEL=nltroot ro panic=-1 nltune.vmt.events=$events" \
	-serial file:"$con" -device virtio-serial-device -chardev file,id=res,path="$res" \
	-device virtserialport,chardev=res,name=org.nltune.results > "$work/qemu.log" 2>&1 || rc=$?
tr -d '\r' < "$res" > "$res.txt" 2> /dev/null || : > "$res.txt"
[ $rc -eq 0 ] || { tail -n 30 "$con"; die "qemu exited $rc after $((SECONDS - t_boot)) s (timeout $timeout s); console in $con"; }
grep -v '^  ' "$res.txt" | sed 's/^/  [arm64] /'
grep -q '^result: ' "$res.txt" || { tail -n 30 "$con"; die "no result from the guest; console in $con"; }
log "boot and checks: $((SECONDS - t_boot)) s; whole run $((SECONDS - t_start)) s"
grep -q '^result: pass' "$res.txt" || die "the guest reported failures (all its output: $res.txt)"
log "pass"
