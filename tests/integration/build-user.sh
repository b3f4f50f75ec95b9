#!/bin/bash
# SPDX-License-Identifier: MIT
# plain build only
# A packager's build: plain `make` and `make install DESTDIR=` as an unprivileged user on a
# copy of the tree, with apt-get, apt, dpkg, dpkg-query (tests/deps.sh asks it first), sudo and
# su replaced by traps that record any call. Nothing may be called, the build must succeed, CPPFLAGS/CFLAGS/LDFLAGS from the environment
# must reach the compiler, and the bus files must land where dbus-daemon reads them although
# PREFIX is /usr/local.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to switch to an unprivileged user"
command -v setpriv >/dev/null || skip "setpriv missing (util-linux)"
user=nobody
group=$(id -gn $user)

chmod 755 "$TMP"
mkdir -p "$TMP/src" "$TMP/traps" "$TMP/home"
# The source files as `make deb` takes them: git's list, else the tree without build outputs.
(cd "$REPO" && if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do { [ -e "$f" ] || [ -L "$f" ]; } && printf "%s\0" "$f"; done' sh
else
	find . -path ./build -prune -o -path ./build-san -prune -o -path ./.git -prune -o ! -type d -print0
fi | tar --null -T - -cf -) | tar -xf - -C "$TMP/src"
[ -f "$TMP/src/Makefile" ] || fail "could not copy the tree"
for t in apt-get apt dpkg dpkg-query sudo su; do
	printf '#!/bin/sh\necho "%s $*" >> %s/called\nexit 1\n' "$t" "$TMP/traps" > "$TMP/traps/$t"
	chmod 755 "$TMP/traps/$t"
done
touch "$TMP/traps/called"
chown -R "$user:$group" "$TMP/src" "$TMP/home" "$TMP/traps/called"

as_user() {
	setpriv --reuid="$user" --regid="$group" --clear-groups --no-new-privs --inh-caps=-all \
		--reset-env env HOME="$TMP/home" PATH="$TMP/traps:/usr/bin:/bin" "$@"
}
as_user make -C "$TMP/src" -j2 V=1 CPPFLAGS=-DNLTUNE_PROBE_CPP CFLAGS=-fno-common LDFLAGS=-Wl,-z,now \
	> "$TMP/build.log" 2>&1 || fail "make as $user: $(tail -n 20 "$TMP/build.log")"
[ -s "$TMP/traps/called" ] && fail "make called: $(cat "$TMP/traps/called")"
"$TMP/src/build/nltune" --version | grep -q '^nltune ' || fail "the unprivileged build does not run"
grep -E ' -c daemon/nltune\.c' "$TMP/build.log" | grep -q -- '-DNLTUNE_PROBE_CPP .*-fno-common' ||
	fail "CPPFLAGS/CFLAGS did not reach the compiler: $(grep -m1 'daemon/nltune\.c' "$TMP/build.log")"
grep -E ' -o build/nltune$' "$TMP/build.log" | grep -q -- '-Wl,-z,now' || fail "LDFLAGS did not reach the linker"
# Quiet by default: one short line per object.
as_user make -C "$TMP/src" -B build/daemon/log.o > "$TMP/quiet.log" 2>&1 || fail "quiet make failed"
grep -qx '  CC     daemon/log.o' "$TMP/quiet.log" || fail "not a quiet build line: $(cat "$TMP/quiet.log")"

as_user make -C "$TMP/src" install DESTDIR="$TMP/home/root" PREFIX=/usr/local > "$TMP/install.log" 2>&1 ||
	fail "make install as $user: $(tail -n 20 "$TMP/install.log")"
[ -s "$TMP/traps/called" ] && fail "make install called: $(cat "$TMP/traps/called")"
R=$TMP/home/root
for f in usr/local/sbin/nltuned usr/local/bin/nltune usr/share/dbus-1/system.d/org.nltune1.conf \
	usr/share/dbus-1/system-services/org.nltune1.service \
	usr/share/dbus-1/interfaces/org.nltune1.Manager.xml usr/local/share/man/man8/nltune.8 \
	usr/local/share/bash-completion/completions/nltune; do
	[ -e "$R/$f" ] || fail "make install PREFIX=/usr/local did not install /$f"
done
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
grep -q '^ExecStart=/usr/local/sbin/nltuned$' "$R$unitdir/nltuned.service" ||
	fail "nltuned.service in $unitdir does not run /usr/local/sbin/nltuned"
pass "make and make install as $user: no apt-get, no root; flags reach the compiler; bus files in /usr/share/dbus-1"
