#!/bin/sh
# SPDX-License-Identifier: MIT
# Make sure the build and test dependencies are present; as root, install what is missing.
set -eu

pkgs="build-essential pkg-config libconfuse-dev libsystemd-dev libjson-c-dev libmnl-dev
libcmocka-dev clang-format dbus-daemon dbus-bin systemd iproute2 util-linux procps jq
dpkg-dev debhelper fakeroot lintian blhc devscripts mandoc man-db bash-completion tmux
polkitd libxml2-utils libglib2.0-dev-bin python3 prometheus
crossbuild-essential-arm64 crossbuild-essential-armhf qemu-user mmdebstrap"
# The cross checks' sysroots (tests/cross/sysroot.sh): made once as root, then cached.
sysroots() {
	[ "$(id -u)" -eq 0 ] && command -v mmdebstrap > /dev/null || return 0
	for a in arm64 armhf; do
		"$(dirname "$0")/cross/sysroot.sh" "$a" --make > /dev/null ||
			echo "nltune: no $a sysroot (see above); the $a cross check will say skipped" >&2
	done
}
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	sysroots
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "nltune: missing packages:$missing" >&2
	echo "nltune: install them (apt-get install$missing) or run make as root" >&2
	exit 1
fi
echo "nltune: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (a second build tree, unattended upgrades) instead of failing.
lock="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2086
apt-get $lock update -qq >&2
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends $missing >&2
sysroots
