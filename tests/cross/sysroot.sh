#!/bin/bash
# SPDX-License-Identifier: MIT
# Print the path of a Debian sysroot for ARCH holding nltune's build and test libraries; make it
# with mmdebstrap the first time (about 10 s and 40-60 MB), then reuse it from the cache.
#
# usage: tests/cross/sysroot.sh ARCH [--make]
#   without --make: print the cached sysroot, or exit 1 saying how to make it
#   with --make:    make it if it is missing (needs mmdebstrap and the Debian mirror), then print
#
# Why a sysroot rather than multiarch (:arm64/:armhf packages): multiarch needs the foreign
# package lists at exactly the host's versions, and Debian mirrors publish the foreign lists
# out of step at times (here armhf's security list lagged amd64's and failed to download, which
# made every `apt-get update` on the host fail while armhf was added). An unpacked sysroot
# leaves the host's dpkg alone and is what Buildroot and Yocto hand a compiler too.
#
# The cache key is the architecture, suite, mirror and package list: change any and a new
# sysroot is made beside the old. NLTUNE_SYSROOT_CACHE moves the cache; NLTUNE_MIRROR and
# NLTUNE_SUITE pick the archive (default: the host's Debian release from the archive its apt uses).
set -euo pipefail

arch=${1:?usage: sysroot.sh ARCH [--make]}
mode=${2:-}
# The libraries nltune links (Makefile PKGS), cmocka for the unit programs, and libc's headers.
pkgs="libc6-dev libconfuse-dev libsystemd-dev libjson-c-dev libmnl-dev libcmocka-dev"
suite=${NLTUNE_SUITE:-$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-bookworm}")}
# shellcheck source=../apt-mirror.sh
. "$(dirname "$0")/../apt-mirror.sh"
mirror=${NLTUNE_MIRROR:-$(apt_mirror "$suite")} ||
	{ echo "sysroot.sh: no $suite source in this host's apt configuration: set NLTUNE_MIRROR" >&2; exit 1; }
if [ "$(id -u)" -eq 0 ]; then
	cache=${NLTUNE_SYSROOT_CACHE:-/var/cache/nltune/sysroot}
else
	cache=${NLTUNE_SYSROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nltune/sysroot}
fi
key=$(printf '%s\n' "$arch" "$suite" "$mirror" "$pkgs" | sha256sum | cut -c1-12)
dir=$cache/$arch-$suite-$key

if [ -e "$dir/.nltune-sysroot" ]; then
	echo "$dir"
	exit 0
fi
if [ "$mode" != --make ]; then
	echo "no $arch sysroot in $cache: make it with tests/deps.sh (or tests/cross/sysroot.sh $arch --make)" >&2
	exit 1
fi
command -v mmdebstrap > /dev/null || { echo "mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }

mkdir -p "$cache"
exec 9> "$cache/.lock"
flock 9 # a second build tree making the same sysroot waits, then finds it made
if [ ! -e "$dir/.nltune-sysroot" ]; then
	echo "nltune: making the $arch sysroot once ($suite from $mirror; cached in $dir)" >&2
	tmp=$(mktemp -d "$cache/.new-$arch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# extract: unpack the packages and their dependencies, run nothing (no emulator needed).
	# No security suite: the foreign security lists are the ones seen lagging, and a sysroot
	# for compiling and unit tests runs no service.
	mmdebstrap --quiet --variant=extract --architecture="$arch" --include="${pkgs// /,}" \
		"$suite" "$tmp/root" "deb $mirror $suite main" "deb $mirror $suite-updates main" >&2
	printf '%s\n' "arch=$arch" "suite=$suite" "mirror=$mirror" "packages=$pkgs" \
		> "$tmp/root/.nltune-sysroot"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
fi
echo "$dir"
