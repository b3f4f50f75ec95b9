#!/bin/bash
# SPDX-License-Identifier: MIT
# Build (or reuse) the Debian 12 base root filesystem for the boot tests, cached by its inputs.
# usage: image.sh CACHE_DIR   -> prints the path of base-<key>.tar
# The tarball holds minbase plus systemd, udev, dbus, polkitd, a kernel with its initrd and the
# libraries nltune links; nltune itself is installed per run (vm.sh), so a rebuild of nltune
# never rebuilds the image.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=arch.sh
. "$here/arch.sh"
cache=${1:?usage: image.sh CACHE_DIR}
SUITE=bookworm
MIRROR=${VM_MIRROR:-http://deb.debian.org/debian}
PKGS="systemd-sysv udev dbus polkitd kmod $KERNEL_PKG initramfs-tools
libconfuse2 libjson-c5 libmnl0 libsystemd0 procps util-linux jq"

key=$( { echo "$ARCH $SUITE $MIRROR $PKGS"; cat "$0" "$here/arch.sh"; } | sha256sum | cut -c1-16)
out=$cache/base-$ARCH-$key.tar
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
echo "tests/vm: building the $SUITE $ARCH base image (cached as ${out##*/})" >&2
# shellcheck disable=SC2086
mmdebstrap --quiet --format=tar --variant=minbase --architectures="$DEB_ARCH" \
	--include="$(echo $PKGS | tr ' ' ,)" \
	--customize-hook='echo nltune-vm > "$1/etc/hostname"' \
	--customize-hook='chroot "$1" passwd -d root >/dev/null' \
	--customize-hook='chroot "$1" useradd -m -u 1000 -s /bin/sh tester' \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages' \
	"$SUITE" "$out.tmp" "$MIRROR" >&2
mv "$out.tmp" "$out"
echo "$out"
