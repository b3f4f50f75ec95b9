#!/bin/bash
# SPDX-License-Identifier: MIT
# plain build only
# The Debian package: built by `make deb` from a clean copy (nocheck), lintian clean, exactly the
# files of tests/package-files.txt, units enabled by debhelper, man pages that render without a
# warning, and dpkg-buildflags' hardening on every compiler line and in the binaries.
. "$(dirname "$0")/../lib.sh"
for t in dpkg-buildpackage dh lintian blhc hardening-check mandoc man; do
	command -v $t >/dev/null || skip "$t missing (tests/deps.sh installs it)"
done
if ! (cd "$REPO" && dpkg-checkbuilddeps) > "$TMP/bdeps" 2>&1; then
	skip "build dependencies missing: $(cat "$TMP/bdeps")"
fi

# One version: the Makefile's and debian/changelog's.
v=$(make -s -C "$REPO" --no-print-directory version)
cv=$(cd "$REPO" && dpkg-parsechangelog -S Version)
[ "$v" = "$cv" ] || fail "Makefile says $v, debian/changelog $cv"

start=$SECONDS
make -s -C "$REPO" deb DEBDIR="$TMP/deb" DEB_BUILD_OPTIONS=nocheck > "$TMP/make.out" 2>&1 ||
	fail "make deb: $(tail -n 30 "$TMP/make.out")"
secs=$((SECONDS - start))
deb=$TMP/deb/nltune_${v}_$(dpkg-architecture -qDEB_HOST_ARCH).deb
[ -f "$deb" ] || fail "make deb left no $deb"
grep -q '^dpkg-buildpackage: info: source package nltune' "$TMP/deb/build.log" ||
	fail "no dpkg-buildpackage run in the build log"
if grep -q '== unit:' "$TMP/deb/build.log"; then fail "nocheck build ran the tests"; fi
# The copy holds every tracked file, symlinks (the fixtures' dangling ones) included.
if git -C "$REPO" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	missing=$(cd "$REPO" && git ls-files | while read -r f; do
		{ [ -e "$f" ] || [ -L "$f" ]; } || continue
		[ -e "$TMP/deb/nltune-$v/$f" ] || [ -L "$TMP/deb/nltune-$v/$f" ] || echo "$f"
	done | head -n 5)
	[ -z "$missing" ] || fail "make deb's source copy lacks: $missing"
fi

# lintian: no error, no warning (overrides carry their reason in debian/).
lintian --fail-on error,warning \
	"$TMP/deb/nltune_${v}_"*.changes > "$TMP/lintian" 2>&1 || fail "lintian: $(cat "$TMP/lintian")"
grep -Eq '^[EW]:|unused-override|mismatched-override' "$TMP/lintian" && fail "lintian: $(cat "$TMP/lintian")"

# The files, exactly.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); sub(/^\.\//, "/"); print }' |
	LC_ALL=C sort > "$TMP/files"
diff -u "$REPO/tests/package-files.txt" "$TMP/files" > "$TMP/files.diff" ||
	fail "package contents differ from tests/package-files.txt (update it with the change): $(cat "$TMP/files.diff")"
dpkg-deb -e "$deb" "$TMP/control"
[ "$(cat "$TMP/control/conffiles")" = /etc/nltune/nltune.conf ] ||
	fail "conffiles: $(cat "$TMP/control/conffiles")"
# dh_installsystemd: both units enabled, nltuned started on install and restarted on upgrade.
post=$TMP/control/postinst
grep -q "deb-systemd-helper enable 'nltuned.service'" "$post" &&
	grep -q "deb-systemd-helper enable 'nltune-apply.service'" "$post" || fail "units not enabled by postinst"
grep -q "_dh_action=restart" "$post" && grep -q "deb-systemd-invoke \$_dh_action 'nltuned.service'" "$post" ||
	fail "nltuned not started/restarted by postinst"
grep -q "deb-systemd-invoke .*nltune-apply" "$post" && fail "postinst starts nltune-apply (it runs at boot)"
size=$(stat -c %s "$deb")
isize=$(dpkg-deb -f "$deb" Installed-Size)

# Man pages: mandoc's lint and man(1) with groff's warnings, from the installed (gzipped) files.
dpkg-deb -x "$deb" "$TMP/root"
n=0
for page in "$TMP"/root/usr/share/man/man*/*.gz; do
	plain=$TMP/$(basename "$page" .gz)
	zcat "$page" > "$plain"
	mandoc -T lint -W warning "$plain" > "$TMP/lint" 2>&1 || fail "mandoc -T lint ${page##*/}: $(cat "$TMP/lint")"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" > "$TMP/out" 2> "$TMP/err" ||
		fail "man -l ${page##*/} failed: $(cat "$TMP/err")"
	[ -s "$TMP/err" ] && fail "man -l ${page##*/} warns: $(cat "$TMP/err")"
	[ "$(wc -l < "$TMP/out")" -gt 20 ] || fail "man -l ${page##*/} rendered almost nothing"
	n=$((n + 1))
done
[ "$n" -eq 4 ] || fail "$n man pages in the package, not 4"

# Hardening: every compile and link line of the build log has dpkg-buildflags' flags
# (blhc fails on a quiet or unhardened line), and the binaries show them.
blhc --bindnow "$TMP/deb/build.log" > "$TMP/blhc" 2>&1 || fail "blhc: $(head -n 20 "$TMP/blhc")"
grep -q -- '-D_FORTIFY_SOURCE=2 .*-fstack-protector-strong' "$TMP/deb/build.log" ||
	fail "no hardened compiler line in the build log"
hardening-check --nocfprotection "$TMP"/root/usr/sbin/nltuned "$TMP"/root/usr/bin/nltune > "$TMP/hc" 2>&1 ||
	fail "hardening-check: $(cat "$TMP/hc")"
pass "make deb ${secs}s: $(basename "$deb") $size bytes, installed $isize KiB; lintian clean; $n man pages render; blhc and hardening-check clean"
