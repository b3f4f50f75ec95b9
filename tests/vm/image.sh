#!/bin/bash
# SPDX-License-Identifier: MIT
# Build (or reuse) the Debian 12 base root filesystem for the boot tests, cached by its inputs.
# usage: image.sh CACHE_DIR [usb]   -> prints the path of base-ARCH-<key>.tar  (ARCH from arch.sh)
# The tarball holds minbase plus systemd, udev, dbus, polkitd, a kernel with its initrd and the
# libraries nltune links; nltune itself is installed per run (run.sh), so a rebuild of nltune
# never rebuilds the image. A foreign architecture's maintainer scripts run under qemu-user
# through binfmt_misc (run.sh registers it); arm64 takes about 10 minutes here, x86_64 about 2.
# "usb" makes the image of the USB plug boot: the architecture's kernel with USB host drivers
# ($USB_KERNEL_PKG) instead of $KERNEL_PKG, the small initrd, and no modules for graphics,
# networking, media or sound (a smaller disk, and no DRM driver loaded under TCG).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=arch.sh
. "$here/arch.sh"
cache=${1:?usage: image.sh CACHE_DIR [usb]}
FLAVOUR=${2:-}
[ "$FLAVOUR" != usb ] || KERNEL_PKG=$USB_KERNEL_PKG
SUITE=bookworm
# shellcheck source=../apt-mirror.sh
. "$here/../apt-mirror.sh"
MIRROR=${VM_MIRROR:-$(apt_mirror "$SUITE")} ||
	{ echo "image.sh: no $SUITE source in this host's apt configuration: set VM_MIRROR" >&2; exit 1; }
PKGS="systemd-sysv udev dbus polkitd kmod $KERNEL_PKG initramfs-tools
libconfuse2 libjson-c5 libmnl0 libsystemd0 procps util-linux jq"

# shellcheck disable=SC2086
args=(--quiet --format=tar --variant=minbase --architectures="$DEB_ARCH"
	--include="$(echo $PKGS | tr ' ' ,)")
if [ "$ARCH" != x86_64 ] || [ "$FLAVOUR" = usb ]; then
	# MODULES=list before the kernel is unpacked: a small initrd (about 6 MB) that boots in
	# 128 MiB, holding what the virt machine needs to mount the root disk (initramfs-hook).
	args+=(--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"'
		--essential-hook='printf "MODULES=list\nCOMPRESS=gzip\n" > "$1/etc/initramfs-tools/conf.d/nltune-vm"'
		--essential-hook="install -m 0755 $here/initramfs-hook \"\$1/etc/initramfs-tools/hooks/nltune-vm\"")
fi
if [ "$FLAVOUR" = usb ]; then
	args+=(--customize-hook='for d in "$1"/lib/modules/*/kernel; do rm -rf "$d"/drivers/gpu "$d"/drivers/net "$d"/drivers/media "$d"/drivers/infiniband "$d"/drivers/staging "$d"/sound; done'
		--customize-hook='for v in "$1"/lib/modules/*; do chroot "$1" depmod -a "${v##*/}"; done')
fi
args+=(--customize-hook='echo nltune-vm > "$1/etc/hostname"'
	--customize-hook='chroot "$1" passwd -d root >/dev/null'
	--customize-hook='chroot "$1" useradd -m -u 1000 -s /bin/sh tester'
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages')

# The key: what goes into the image (the mmdebstrap arguments, the initramfs hook, the suite
# and mirror), not this script's wording, so the other architecture's changes rebuild nothing.
key=$( { printf '%s\n' "image 2" "$SUITE" "$MIRROR" "${args[@]//$here/}"
	[ "$ARCH" = x86_64 ] || cat "$here/initramfs-hook"; } | sha256sum | cut -c1-16)
out=$cache/base-$ARCH-$key.tar
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
exec 9> "$cache/.image.lock"
flock 9 # one image build at a time; a second run waits and then reuses it
if [ ! -s "$out" ]; then
	echo "tests/vm: building the $SUITE $ARCH base image (cached as ${out##*/})" >&2
	mmdebstrap "${args[@]}" "$SUITE" "$out.tmp" "$MIRROR" >&2
	mv "$out.tmp" "$out"
fi
echo "$out"
