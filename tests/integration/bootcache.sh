#!/bin/bash
# SPDX-License-Identifier: MIT
# apply --boot keeps the coldplug cache across boots: with the state directory there it writes
# the state file, so the next boot (a fresh /run, another boot id) sizes from the cache without
# walking /sys; with no state directory (a separate /var not mounted yet) it creates none. On a copy of tests/fixtures/system through
# --proc/--sys: nothing of the host is read or written.
. "$(dirname "$0")/../lib.sh"

cp -a "$REPO/tests/fixtures/system" "$TMP/m"
core=$TMP/m/proc/sys/net/core
printf 'policy = exact\n' > "$TMP/nltune.conf"
boot() { # STATE_DIR: one early-boot apply on the fixture machine, its log line on stdout
	echo 65536 > "$core/rmem_default"
	"$NLTUNE" -c "$TMP/nltune.conf" --proc "$TMP/m/proc" --sys "$TMP/m/sys" --state-dir "$1" \
		apply --boot 2>&1 || fail "apply --boot failed"
	[ "$(cat "$core/rmem_default")" -gt 65536 ] || fail "apply --boot did not raise rmem_default"
}

# The state directory is not there (nor, with --state-dir, its runtime directory below it):
# the values are applied, nothing is created.
mkdir "$TMP/novar"
out=$(boot "$TMP/novar/state")
[ ! -e "$TMP/novar/state" ] || fail "apply --boot created the state directory: $(ls -R "$TMP/novar")"
pass "no state directory: applied, nothing created ($(grep -o 'cannot save' <<<"$out" || echo saved))"

# The state directory is there (as the package installs it): the state file holds the cache.
st=$TMP/var/state
mkdir -p "$st"
first=$(boot "$st")
grep -q 'coldplug estimate 3 devices' <<<"$first" || fail "first boot: $first"
grep -q '^coldplug 3 ' "$st/state" 2>/dev/null ||
	fail "apply --boot did not keep the coldplug cache in $st/state: $(ls -R "$st")"
grep -q '^apply .* boot 65536 ' "$st/state" || fail "no record of the write: $(cat "$st/state")"
pass "state directory there: apply --boot wrote the coldplug cache and its record to $st/state"

# The next boot: /run is empty, the boot id is new, and /sys has no devices left to walk.
rm -rf "$st/run" "$TMP/m/sys/devices"
echo 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d > "$TMP/m/proc/sys/kernel/random/boot_id"
second=$(boot "$st")
grep -q 'coldplug estimate 3 devices' <<<"$second" ||
	fail "the next boot walked /sys instead of using the cache: $second"
[ "$(grep -c '^apply .* boot 65536 ' "$st/state")" -eq 2 ] ||
	fail "the second boot's record is missing: $(cat "$st/state")"
pass "the next boot sized from the cache (3 devices) with no device left under /sys"
