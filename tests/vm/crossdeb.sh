#!/bin/bash
# SPDX-License-Identifier: MIT
# The package for a foreign guest, built the way Debian cross-builds: dpkg-buildpackage -aARCH in
# a multiarch chroot (amd64 + ARCH -dev packages, crossbuild-essential), from this tree's files;
# the guest's test helpers from the same cross compiler.
# usage: crossdeb.sh CACHE_DIR WORK_DIR   -> prints the .deb's path; helpers in WORK_DIR/helpers
# The chroot is made with mmdebstrap once (about 3 minutes) and cached in CACHE_DIR by its inputs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=arch.sh
. "$here/arch.sh"
cache=${1:?usage: crossdeb.sh CACHE_DIR WORK_DIR}
work=${2:?usage: crossdeb.sh CACHE_DIR WORK_DIR}
suite=bookworm
# shellcheck source=../apt-mirror.sh
. "$here/../apt-mirror.sh"
mirror=${VM_MIRROR:-$(apt_mirror "$suite")} ||
	{ echo "crossdeb.sh: no $suite source in this host's apt configuration: set VM_MIRROR" >&2; exit 1; }
a=$DEB_ARCH
bpkgs="build-essential crossbuild-essential-$a debhelper dpkg-dev fakeroot systemd pkgconf:$a
libconfuse-dev:$a libsystemd-dev:$a libjson-c-dev:$a libmnl-dev:$a libcmocka-dev:$a"
bkey=$(echo "$suite $mirror $bpkgs" | sha256sum | cut -c1-12)
builder=$cache/builder-amd64-$a-$bkey.tar
mkdir -p "$cache"
if [ ! -s "$builder" ]; then
	exec 9> "$cache/.builder.lock"
	flock 9
	if [ ! -s "$builder" ]; then
		echo "tests/vm: building the $a cross-build chroot once (cached as ${builder##*/})" >&2
		# shellcheck disable=SC2086
		mmdebstrap --quiet --format=tar --variant=apt --architectures="amd64,$a" \
			--include="$(echo $bpkgs | tr ' ' ,)" \
			--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
			"$suite" "$builder.tmp" "deb $mirror $suite main" "deb $mirror $suite-updates main" \
			"deb ${mirror%/debian}/debian-security $suite-security main" >&2
		mv "$builder.tmp" "$builder"
	fi
	exec 9>&-
fi

b=$work/builder
rm -rf "$b" "$work/deb" "$work/helpers"
mkdir -p "$b" "$work/deb" "$work/helpers"
tar -C "$b" -xf "$builder"
src=$b/src/nltune-$(make -s --no-print-directory -C "$repo" version)
mkdir -p "$src"
# The tree's files as make deb takes them: tracked and new ones that exist, no build output.
(cd "$repo" && { git ls-files -z --cached --others --exclude-standard 2> /dev/null ||
	find . -path ./build\* -prune -o -path ./.git -prune -o ! -type d -print0; } |
	xargs -0 sh -c 'for f; do { [ -e "$f" ] || [ -L "$f" ]; } && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -xf - -C "$src"
chroot "$b" sh -c "cd /src/${src##*/} && CC=$TRIPLET-gcc DEB_BUILD_OPTIONS=nocheck \
	dpkg-buildpackage -a$a -Pnocheck -b -us -uc" > "$work/deb/build.log" 2>&1 || {
	tail -n 30 "$work/deb/build.log" >&2
	echo "tests/vm: dpkg-buildpackage -a$a failed (log: $work/deb/build.log)" >&2
	exit 1
}
mv "$b"/src/nltune_*_"$a".deb "$work/deb/"
mkdir -p "$b/src/bin"
for h in tests/helpers/uevsock.c tests/bench/uevread.c tests/bench/uevblast.c; do
	n=${h##*/}
	cp "$repo/$h" "$b/src/bin/"
	chroot "$b" "$TRIPLET-gcc" -std=gnu11 -O2 -D_GNU_SOURCE "/src/bin/$n" -o "/src/bin/${n%.c}" ||
		{ echo "tests/vm: cannot cross-build $h" >&2; exit 1; }
	mv "$b/src/bin/${n%.c}" "$work/helpers/"
done
rm -rf "$b"
ls "$work"/deb/nltune_*_"$a".deb
