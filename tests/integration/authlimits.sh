#!/bin/bash
# SPDX-License-Identifier: MIT
# One local user cannot lock others out of nltuned (a private bus with the shipped policy and a
# stand-in polkit that refuses everyone): callers that hang up before their authorization is
# answered, or leave unread replies so the answer finds their call held, leave no question
# pending; one uid holds at most its share of the pending questions; 4 uids x 256 idle
# connections with a call each leave root's calls answered at once.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon dbus-send busctl setpriv; do
	command -v $t > /dev/null || skip "$t missing (tests/deps.sh installs it)"
done
for u in nobody daemon bin sys games man; do # dbus-daemon refuses a uid without a user
	id $u > /dev/null 2>&1 || skip "user $u is needed"
done
id polkitd > /dev/null 2>&1 && [ -e /usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf ] ||
	skip "polkit's bus policy and user are needed: the stand-in polkit owns its name as polkitd"
FLOOD=$NLTUNE_BUILD/tests/helpers/busflood
AUTH=$NLTUNE_BUILD/tests/helpers/authflood
FAKEPK=$NLTUNE_BUILD/tests/helpers/fakepolkit
for h in "$FLOOD" "$AUTH" "$FAKEPK"; do [ -x "$h" ] || fail "$h not built (make check builds it)"; done

chmod 711 "$TMP" # the unprivileged callers must reach the bus socket
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
as() { # as USER COMMAND ARGS...
	local u=$1; shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"
}
apply() { busctl --timeout=5 call org.nltune1 /org/nltune1 org.nltune1.Manager Apply b true 2>&1; }
# dapply: the same with dbus-send, which names the error; polkit's refusal says "polkit does not allow".
dapply() {
	dbus-send --system --print-reply --reply-timeout=5000 --dest=org.nltune1 /org/nltune1 \
		org.nltune1.Manager.Apply boolean:true 2>&1
}
REFUSED="org.freedesktop.DBus.Error.AccessDenied: polkit does not allow org.nltune1.apply"
# fake_pk DELAY_MS: the stand-in polkit, refusing after DELAY_MS (its pid in $pk).
fake_pk() {
	[ -z "$pk" ] || { kill "$pk"; wait "$pk" 2> /dev/null; }
	# Not through as(): $! must be the stand-in itself, so that kill and the cleanup reach it.
	setpriv --reuid=polkitd --regid="$(id -g polkitd)" --clear-groups "$FAKEPK" "$1" > "$TMP/pk.out" 2>&1 &
	pk=$!
	PIDS+=($pk)
	wait_for 5 grep -q '^ready' "$TMP/pk.out" || fail "the stand-in polkit did not start: $(cat "$TMP/pk.out")"
}
# denied WHAT: an Apply as nobody now gets polkit's refusal, not LimitsExceeded.
denied() {
	local out
	out=$(as nobody bash -c "$(declare -f dapply); dapply")
	grep -q LimitsExceeded <<< "$out" && fail "$1: a new caller is refused for the pending questions: $out"
	grep -q "$REFUSED" <<< "$out" || fail "$1: Apply as nobody: $out"
}

printf 'state-dir = "%s/state"\nscan-interval = 60s\n' "$TMP" > "$TMP/c.conf"
# A /proc of its own with no netlink socket: what else runs on the machine raises no alert here.
mkdir -p "$TMP/proc/sys/net/core" "$TMP/proc/sys/kernel/random" "$TMP/proc/net"
for f in sys/net/core/rmem_default sys/net/core/rmem_max sys/kernel/random/boot_id meminfo; do
	cat "/proc/$f" > "$TMP/proc/$f"
done
echo 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode' > "$TMP/proc/net/netlink"
# 1,024 callers and more: dbus-daemon raises its own limit only with CAP_SYS_RESOURCE.
[ "$(ulimit -n)" -ge 4096 ] || ulimit -n 4096 2> /dev/null || skip "cannot open 4,096 files (ulimit -n)"
start_bus strict "$SOCK"
"$NLTUNED" -c "$TMP/c.conf" --proc "$TMP/proc" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"
pk=
fake_pk 20 # as quick as polkitd: the answer comes once the caller's Introspect calls are read
denied "at start"

# --- callers whose answer finds their call held or dropped, then hang up -------------------------
# 6 connections of uid man with 127 unread Introspect replies each (the broker forwards 128
# calls a connection) take all callers together past 4 MiB unread: from then on a caller with
# 128 KiB unread is refused (held, then dropped). Each round: Apply, then 127 Introspect calls
# never read, so polkit's answer finds the re-queued Apply held or dropped; then it hangs up.
t0=$SECONDS
mkfifo "$TMP/bg.in"
as man "$FLOOD" 6 127 Introspect < "$TMP/bg.in" > "$TMP/bg.out" 2>&1 &
PIDS+=($!)
exec {bg_fd}> "$TMP/bg.in"
wait_for 10 grep -q '^sent' "$TMP/bg.out" || fail "busflood: $(cat "$TMP/bg.out")"
as nobody "$AUTH" rounds 110 127 40 > "$TMP/rounds.out" 2>&1 || fail "rounds: $(cat "$TMP/rounds.out")"
denied "after 110 rounds of Apply, unread replies, hang-up"
exec {bg_fd}>&-
pass "unread-reply rounds leave no question pending ($((SECONDS - t0)) s)"

# --- plain hang-ups while polkit takes 0.5 s --------------------------------------------------
fake_pk 500
as nobody "$AUTH" rounds 100 0 0 > "$TMP/rounds.out" 2>&1 || fail "hang-ups: $(cat "$TMP/rounds.out")"
sleep 0.6 # polkit's answers to the questions of the callers that left come now
denied "after 100 callers hung up while polkit was asked"
pass "callers that hang up before polkit answers leave no question pending"

# --- one uid's share of the pending questions ---------------------------------------------------
kill -STOP "$pk"
CLEANUPS+=("kill -CONT $pk 2> /dev/null")
mkfifo "$TMP/pend.in"
as daemon "$AUTH" pending 20 < "$TMP/pend.in" > "$TMP/pend.out" 2>&1 &
pend=$!
PIDS+=($pend)
exec {pend_fd}> "$TMP/pend.in"
limited() { [ "$(grep -c 'LimitsExceeded' "$TMP/pend.out")" -eq 4 ]; }
wait_for 10 limited || fail "20 Applies of one uid: not 4 refused for the share: $(cat "$TMP/pend.out")"
as nobody bash -c "$(declare -f dapply); dapply" > "$TMP/nobody.out" &
nb=$!
PIDS+=($nb)
sleep 0.5
kill -0 $nb 2> /dev/null || fail "Apply as nobody while uid daemon has its share pending: $(cat "$TMP/nobody.out")"
kill -CONT "$pk"
wait $nb
grep -q "$REFUSED" "$TMP/nobody.out" || fail "Apply as nobody: $(cat "$TMP/nobody.out")"
answered() { [ "$(grep -c '^reply' "$TMP/pend.out")" -eq 20 ]; }
wait_for 10 answered || fail "the pending Applies were not all answered: $(cat "$TMP/pend.out")"
exec {pend_fd}>&-
wait $pend
pass "one uid's 17th pending question is refused, another uid's is asked"

# --- 4 uids x 256 idle connections, a call each -------------------------------------------------
fake_pk 0
floods=()
# Users none of whose connections are left from the phases before: the bus lets each 256.
for u in bin sys uucp proxy; do
	mkfifo "$TMP/flood-$u.in"
	as $u "$FLOOD" 256 1 Recommend < "$TMP/flood-$u.in" > "$TMP/flood-$u.out" 2>&1 &
	PIDS+=($!)
	eval "exec {fd_$u}> \"$TMP/flood-$u.in\""
	floods+=("$TMP/flood-$u.out")
done
for f in "${floods[@]}"; do
	wait_for 30 grep -q '^sent 256$' "$f" || fail "$f: $(cat "$f")"
done
sleep 1 # nltuned answers the 1,024 calls
n=$(busctl list --unique 2>/dev/null | grep -c '^:')
[ "$n" -gt 1024 ] || fail "only $n connections on the bus"
rec() { busctl --timeout=2 call org.nltune1 /org/nltune1 org.nltune1.Manager Recommend > /dev/null 2>&1; }
rec || fail "root's busctl call Recommend with 1,024 idle connections: no answer in 2 s"
out=$(apply) || fail "root's Apply with 1,024 idle connections: $out"
as games bash -c "$(declare -f rec); rec" || fail "a new uid's Recommend with 1,024 idle connections"
# The call alone, each from a new connection: the median must be far below a second.
lat=$("$AUTH" latency 50) || fail "root's Recommend from new connections: $lat"
[ "$(awk '{print $3}' <<< "$lat")" -lt 1000000 ] || fail "root's Recommend: $lat"
pass "4 uids x 256 idle connections: root's Recommend and Apply answered, and a new uid's ($lat)"
kill -0 $d || fail "nltuned died"
