#!/bin/bash
# SPDX-License-Identifier: MIT
# The shipped units: nltuned.service hardened to an exposure of 2.5 or below while keeping the
# capabilities it needs; nltune-apply.service ordered before udev's coldplug; both verify.
. "$(dirname "$0")/../lib.sh"
command -v systemd-analyze >/dev/null || skip "systemd-analyze missing (tests/deps.sh installs systemd)"

mkdir -p "$TMP/units" "$TMP/bin"
for u in nltuned nltune-apply; do
	sed "s|@SBINDIR@|$NLTUNE_BUILD|g; s|@BINDIR@|$NLTUNE_BUILD|g" "$REPO/conf/$u.service" > "$TMP/units/$u.service"
done
# verify also opens every Documentation=man: page: the project's own, staged for man(1).
mkdir -p "$TMP/man/man5" "$TMP/man/man8"
cp "$REPO"/man/*.5 "$TMP/man/man5/" && cp "$REPO"/man/*.8 "$TMP/man/man8/"
MANPATH=$TMP/man systemd-analyze verify "$TMP/units/nltuned.service" "$TMP/units/nltune-apply.service" > "$TMP/verify" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$TMP/verify")"

score=$(systemd-analyze security --offline=yes "$TMP/units/nltuned.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for nltuned.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no exposure score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || fail "exposure $score above 2.5"
for cap in CAP_NET_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_SYS_ADMIN; do
	grep -q "^CapabilityBoundingSet=.*$cap" "$TMP/units/nltuned.service" || fail "nltuned.service lost $cap"
done
grep -q '^Type=notify$' "$TMP/units/nltuned.service" || fail "nltuned.service is not Type=notify"
# Bus activation goes through systemd alone, so a disabled nltuned stays down.
grep -q '^BusName=org.nltune1$' "$TMP/units/nltuned.service" || fail "nltuned.service has no BusName="
grep -q '^Alias=dbus-org.nltune1.service$' "$TMP/units/nltuned.service" || fail "nltuned.service has no dbus-org alias"
act=$REPO/dbus/org.nltune1.service
grep -q '^Exec=/bin/false$' "$act" && grep -q '^SystemdService=dbus-org.nltune1.service$' "$act" ||
	fail "the activation file does not go through dbus-org.nltune1.service"
for u in "$TMP"/units/*.service; do
	grep -q '^Documentation=man:' "$u" || fail "${u##*/} has no Documentation=man:"
done

a=$TMP/units/nltune-apply.service
grep -q '^DefaultDependencies=no$' "$a" || fail "apply unit has default dependencies"
grep -q '^After=.*systemd-sysctl.service' "$a" || fail "apply unit not after systemd-sysctl"
grep -q '^Before=.*systemd-udev-trigger.service' "$a" && grep -q '^Before=.*sysinit.target' "$a" ||
	fail "apply unit not before udev's trigger and sysinit.target"
grep -q "^ExecStart=$NLTUNE_BUILD/nltune apply --boot$" "$a" || fail "apply unit does not run apply --boot"
d=$TMP/units/nltuned.service
grep -q '^DefaultDependencies=no$' "$d" || fail "nltuned unit has default dependencies (it must listen before the trigger)"
grep -q '^Before=.*systemd-udev-trigger.service' "$d" || fail "nltuned unit not before udev's trigger"
# Anything that waits for the mounts of /var would wait for the trigger's devices: a cycle.
for u in "$a" "$d"; do
	! grep -Eq '^(After|Requires|Wants)=.*(local-fs|var|dbus)' "$u" || fail "${u##*/} orders after mounts or the bus"
	! grep -Eq '^(StateDirectory|PrivateTmp|CacheDirectory|LogsDirectory)=' "$u" ||
		fail "${u##*/} has an option that orders it after /var"
done
grep -q '^RuntimeDirectory=nltune$' "$d" || fail "nltuned unit has no /run/nltune"
pass "units verify; nltuned.service exposure $score"
