#!/bin/bash
# SPDX-License-Identifier: MIT
# The shipped units: nltuned.service hardened below an exposure of 3.0 while keeping the
# capabilities it needs; nltune-apply.service ordered before udev's coldplug and sandboxed below
# 3.0 with what it writes still writable; both verify.
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

exposure() { # UNIT: systemd-analyze's overall exposure level (0.0 safe .. 10.0 unsafe)
	systemd-analyze security --offline=yes "$TMP/units/$1.service" 2>/dev/null |
		sed -n "s/.*Overall exposure level for $1.service: \([0-9.]*\).*/\1/p"
}
score=$(exposure nltuned)
[ -n "$score" ] || fail "no exposure score"
awk -v s="$score" 'BEGIN { exit !(s < 3.0) }' || fail "exposure $score, not below 3.0"
apply_score=$(exposure nltune-apply)
[ -n "$apply_score" ] || fail "no exposure score for nltune-apply.service"
awk -v s="$apply_score" 'BEGIN { exit !(s < 3.0) }' || fail "nltune-apply.service exposure $apply_score, not below 3.0"
# systemd's own gate agrees (--threshold counts tenths: 30 is 3.0).
systemd-analyze security --offline=yes --threshold=30 "$TMP/units/nltune-apply.service" > /dev/null 2>&1 ||
	fail "systemd-analyze security --threshold=30 refuses nltune-apply.service"
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
# The sandbox leaves what apply --boot writes: net.core in the host's network namespace (its
# own namespace would have no rmem_default), the state directory, sysctl-dir for --persist.
grep -q '^ReadWritePaths=.*/proc/sys/net/core' "$a" && grep -q '^ReadWritePaths=.*-/var/lib/nltune' "$a" &&
	grep -q '^ReadWritePaths=.*-/etc/sysctl.d' "$a" || fail "apply unit cannot write what it must"
grep -q '^RuntimeDirectory=nltune$' "$a" || fail "apply unit has no /run/nltune"
! grep -Eq '^(PrivateNetwork|PrivateUsers|ProcSubset)=' "$a" || fail "apply unit would not see the host's net.core"
# It may start while / is still read-only, where a private /dev cannot be made.
! grep -q '^PrivateDevices=yes' "$a" || fail "apply unit has PrivateDevices=yes: 226/NAMESPACE before the root is writable"
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
pass "units verify; exposure nltuned.service $score, nltune-apply.service $apply_score"
