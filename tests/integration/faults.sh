#!/bin/bash
# SPDX-License-Identifier: MIT
# Every bad input gets a clear error and changes nothing: configuration errors (exit 78),
# a reload with a bad file, a damaged state file, a sysctl write refused half-way.
. "$(dirname "$0")/../lib.sh"

# --- configuration errors: FILE:LINE and exit 78, from both programs -----------------------------
printf 'policy = exact\nwindow = 2s\nheadroom = 0.5\n' > "$TMP/bad.conf"
"$NLTUNED" -n -c "$TMP/bad.conf" 2> "$TMP/err"; rc=$?
[ $rc -eq 78 ] || fail "nltuned -n exit $rc on a bad file"
grep -q "^nltuned: $TMP/bad.conf:3: " "$TMP/err" || fail "no FILE:LINE: $(cat "$TMP/err")"
"$NLTUNE" -c "$TMP/bad.conf" recommend --no-daemon > /dev/null 2> "$TMP/err"; rc=$?
[ $rc -eq 78 ] || fail "nltune exit $rc on a bad file"
grep -q "$TMP/bad.conf:3: " "$TMP/err" || fail "nltune: no FILE:LINE: $(cat "$TMP/err")"
printf 'window = 1000\nfrobnicate = 1\n' > "$TMP/unknown.conf"
"$NLTUNED" -n -c "$TMP/unknown.conf" 2> "$TMP/err"; rc=$?
[ $rc -eq 78 ] && grep -q ":2: " "$TMP/err" || fail "unknown key: exit $rc, $(cat "$TMP/err")"
"$NLTUNED" -n -c "$(dirname "$0")/../../conf/nltune.conf" > /dev/null || fail "the example configuration is refused"
"$NLTUNED" -n -c "$TMP/does-not-exist.conf" > /dev/null || fail "a missing file must mean defaults"
"$NLTUNE" frobnicate 2> /dev/null; [ $? -eq 2 ] || fail "unknown command is not a usage error"
"$NLTUNE" explain notapid 2> /dev/null; [ $? -eq 2 ] || fail "a bad PID is not a usage error"
pass "configuration errors"

need_root

# --- reload: a bad file keeps the old configuration, a good one is taken --------------------------
printf 'state-dir = "%s/state"\npolicy = observe\n' "$TMP" > "$TMP/live.conf"
"$NLTUNED" -c "$TMP/live.conf" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 5 grep -q "measuring uevent bursts" "$TMP/d.err" || fail "nltuned did not start"
printf 'state-dir = "%s/state"\npolicy = sideways\n' "$TMP" > "$TMP/live.conf"
kill -HUP $d
wait_for 5 grep -q "live.conf:2: .*keeping the configuration in force" "$TMP/d.err" || fail "bad reload not reported: $(cat "$TMP/d.err")"
kill -0 $d || fail "nltuned died on a bad reload"
printf 'state-dir = "%s/state"\npolicy = exact\n' "$TMP" > "$TMP/live.conf"
kill -HUP $d
wait_for 5 grep -q "configuration reloaded" "$TMP/d.err" || fail "good reload not taken"
kill -TERM $d
wait $d || fail "nltuned exited $? after reloads"
pass "reload"

# --- a damaged state file is reported in one line and ignored -------------------------------------
[ -s "$TMP/state/state" ] || fail "no state file to damage"
head -c 40 "$TMP/state/state" > "$TMP/state/cut" && mv "$TMP/state/cut" "$TMP/state/state"
"$NLTUNE" -c "$TMP/live.conf" recommend --no-daemon > /dev/null 2> "$TMP/err" || fail "recommend failed on a damaged state"
[ "$(grep -c "damaged" "$TMP/err")" -eq 1 ] || fail "damage not reported once: $(cat "$TMP/err")"
printf '\0\1\2garbage' > "$TMP/state/state"
"$NLTUNED" -c "$TMP/live.conf" 2> "$TMP/d2.err" &
d=$!
PIDS+=($d)
wait_for 5 grep -q "measuring uevent bursts" "$TMP/d2.err" || fail "nltuned refused a damaged state: $(cat "$TMP/d2.err")"
grep -q "damaged" "$TMP/d2.err" || fail "nltuned did not report the damaged state"
kill -TERM $d
wait $d || fail "nltuned exited $?"
pass "damaged state"

# --- in another network namespace the kernel refuses (EACCES): exit 1, host values untouched -------
need_netns "apply in another network namespace"
d0=$(cat /proc/sys/net/core/rmem_default) m0=$(cat /proc/sys/net/core/rmem_max)
printf 'state-dir = "%s/nsstate"\npolicy = exact\nfloor = 4M\n' "$TMP" > "$TMP/ns.conf"
unshare -n "$NLTUNE" -c "$TMP/ns.conf" apply > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "apply in a network namespace exit $rc: $(cat "$TMP/err")"
grep -q "Permission denied" "$TMP/err" || fail "apply in a netns: $(cat "$TMP/err")"
[ "$(cat /proc/sys/net/core/rmem_default)" = "$d0" ] && [ "$(cat /proc/sys/net/core/rmem_max)" = "$m0" ] ||
	fail "apply in a netns changed the host's values"
pass "EACCES in another network namespace"

# --- a sysctl write refused half-way: both values as before, exit 1 ------------------------------
need_mountns "a sysctl write refused half-way (a read-only bind mount)"
fake=$TMP/proc
mkdir -p "$fake/sys/net/core" "$fake/sys/kernel/random"
echo 65536 > "$fake/sys/net/core/rmem_default"
echo 131072 > "$fake/sys/net/core/rmem_max"
cp /proc/meminfo "$fake/meminfo"
cp /proc/sys/kernel/random/boot_id "$fake/sys/kernel/random/boot_id"
printf 'state-dir = "%s/fstate"\npolicy = exact\n' "$TMP" > "$TMP/fault.conf"
# rmem_max is written first (raising), then rmem_default is refused by a read-only bind mount.
unshare -m bash -c "
	mount --make-rprivate / &&
	mount --bind '$fake/sys/net/core/rmem_default' '$fake/sys/net/core/rmem_default' &&
	mount -o remount,ro,bind '$fake/sys/net/core/rmem_default' &&
	exec '$NLTUNE' -c '$TMP/fault.conf' --proc '$fake' apply" > "$TMP/out" 2> "$TMP/err"
rc=$?
sed "s/^/  (expected) /" "$TMP/err"
[ $rc -eq 1 ] || fail "apply exit $rc on a refused write"
[ "$(cat "$fake/sys/net/core/rmem_default")" = 65536 ] || fail "rmem_default changed"
[ "$(cat "$fake/sys/net/core/rmem_max")" = 131072 ] || fail "rmem_max not restored: $(cat "$fake/sys/net/core/rmem_max")"
grep -q "rmem_default.*Read-only file system.*restored" "$TMP/err" || fail "error does not say what failed and what was restored"
pass "refused sysctl write restored"
