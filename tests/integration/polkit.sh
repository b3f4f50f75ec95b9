#!/bin/bash
# SPDX-License-Identifier: MIT
# Who may Apply, FixSocket and Reload: root always; others as the real polkitd decides (a
# private rules directory on a private system bus that loads the project's policy); without
# polkitd, root only. A slow polkit does not hold up other callers.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon busctl setpriv unshare; do
	command -v $t >/dev/null || fail "$t missing (tests/deps.sh installs it)"
done
id daemon >/dev/null 2>&1 && id nobody >/dev/null 2>&1 || skip "users daemon and nobody are needed"

chmod 711 "$TMP" # the unprivileged callers must reach the bus socket
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
call() { busctl --system call org.nltune1 /org/nltune1 org.nltune1.Manager "$@"; }
# expect_error NAME WHAT COMMAND...: COMMAND fails and its message names the D-Bus error NAME.
expect_error() {
	local name=$1 what=$2 out; shift 2
	out=$("$@" 2>&1) && fail "$what succeeded: $out"
	grep -q "$name" <<<"$out" || fail "$what: expected $name, got: $out"
}
dsend() { dbus-send --system --print-reply --dest=org.nltune1 /org/nltune1 "org.nltune1.Manager.$1" "${@:2}"; }
as() { # as USER FUNCTION-OR-COMMAND ARGS...
	local u=$1; shift
	if [ "$1" = dsend ]; then set -- dbus-send --system --print-reply --dest=org.nltune1 /org/nltune1 "org.nltune1.Manager.$2" "${@:3}"; fi
	setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"
}

cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
scan-interval = 60s
CONF
start_bus strict "$SOCK"
"$NLTUNED" -c "$TMP/nltune.conf" > "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"

# --- no polkitd: root only -------------------------------------------------------------------------
call Apply b true > /dev/null || fail "root Apply(dry_run) without polkitd"
expect_error org.freedesktop.DBus.Error.AccessDenied "Apply as daemon without polkitd" \
	as daemon dsend Apply boolean:true
out=$(as daemon dsend Apply boolean:true 2>&1)
grep -q "polkitd is not running" <<<"$out" || fail "the refusal does not say why: $out"
as nobody busctl --system get-property org.nltune1 /org/nltune1 org.nltune1.Manager Version > /dev/null ||
	fail "reading a property needs privilege"
as nobody dsend Recommend > /dev/null || fail "Recommend needs privilege"
pass "without polkitd: root only, reads open"

# --- polkitd with a rule for uid daemon (apply only) ----------------------------------------------
mkdir -p "$TMP/rules"
cat > "$TMP/rules/50-nltune-test.rules" <<'RULES'
polkit.addRule(function(action, subject) {
    if (action.id == "org.nltune1.apply" && subject.user == "daemon")
        return polkit.Result.YES;
});
RULES
start_polkitd "$TMP/rules"
out=$(as daemon busctl --system call org.nltune1 /org/nltune1 org.nltune1.Manager Apply b true) ||
	fail "Apply as daemon with the rule: $out"
[[ "$out" =~ ^tt\ [0-9]+\ [0-9]+$ ]] || fail "Apply as daemon answered: $out"
expect_error org.freedesktop.DBus.Error.InteractiveAuthorizationRequired "Apply as nobody" \
	as nobody dsend Apply boolean:true
expect_error org.freedesktop.DBus.Error.InteractiveAuthorizationRequired "Reload as daemon (the rule is for apply)" \
	as daemon dsend Reload
# Allowed to ask interactively but no agent is there to ask: refused, not hung.
out=$(as nobody timeout 20 busctl --system --allow-interactive-authorization=yes call org.nltune1 \
	/org/nltune1 org.nltune1.Manager Apply b true 2>&1) && fail "Apply as nobody (interactive) succeeded"
grep -qi "denied\|not allow" <<<"$out" || fail "Apply as nobody (interactive): $out"
call Apply b true > /dev/null || fail "root Apply(dry_run) with polkitd"
pass "polkitd: the rule's uid may Apply, another uid and another action are refused, root always"

# --- a slow polkit blocks no one else --------------------------------------------------------------
kill -STOP $polkitd
CLEANUPS+=("kill -CONT $polkitd 2>/dev/null")
as daemon busctl --system call org.nltune1 /org/nltune1 org.nltune1.Manager Apply b true > "$TMP/slow.out" 2>&1 &
slow=$!
PIDS+=($slow)
sleep 0.3 # the question is now with the stopped polkitd
t0=$(date +%s%N)
call Describe > /dev/null || fail "Describe while polkit is stopped"
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 2000 ] || fail "Describe waited $(((t1 - t0) / 1000000)) ms behind polkit"
kill -0 $slow 2>/dev/null || fail "the Apply waiting for polkit returned early: $(cat "$TMP/slow.out")"
kill -CONT $polkitd
wait $slow || fail "Apply as daemon after polkit woke: $(cat "$TMP/slow.out")"
pass "a pending polkit question does not block other callers"
kill -0 $d || fail "nltuned died"
