#!/bin/bash
# SPDX-License-Identifier: MIT
# One writer of the state file: with nltuned on a private bus, `nltune apply`, `revert` and `fix`
# go through its D-Bus methods, and the record of the apply survives a burst and nltuned's save
# (revert then restores the values from before); a console with --no-daemon writing while nltuned
# runs loses no record either: nltuned picks it up, reverts from it, and its save keeps both.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon busctl jq setpriv; do
	command -v $t >/dev/null || fail "$t missing (tests/deps.sh installs it)"
done

core=/proc/sys/net/core
d0=$(cat $core/rmem_default) m0=$(cat $core/rmem_max)
CLEANUPS+=("echo $m0 > $core/rmem_max; echo $d0 > $core/rmem_default; echo $m0 > $core/rmem_max")
[ "$d0" -lt 8388608 ] || skip "rmem_default is already $d0 here: apply would write nothing to revert"

SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
floor = 8M
scan-interval = 200
alerts { interval = 60s }
CONF
NL() { "$NLTUNE" -c "$TMP/nltune.conf" "$@"; }
n=0
# start_daemon: nltuned on the private bus, its log in $TMP/d.$n.err.
start_daemon() {
	n=$((n + 1))
	"$NLTUNED" -c "$TMP/nltune.conf" > /dev/null 2> "$TMP/d.$n.err" &
	d=$!
	PIDS+=($d)
	wait_for 10 grep -q "serving org.nltune1" "$TMP/d.$n.err" || fail "nltuned not on the bus: $(cat "$TMP/d.$n.err")"
}
# stop_daemon: SIGTERM, which saves the state file as every stop does.
stop_daemon() {
	kill -TERM $d
	wait $d || fail "nltuned exited $?: $(cat "$TMP/d.$n.err")"
}
# burst: events nltuned counts, then a save (stop and start again).
burst() {
	local before
	before=$(grep -c "burst: " "$TMP/d.$n.err")
	emit 40
	more() { [ "$(grep -c "burst: " "$TMP/d.$n.err")" -gt "$before" ]; }
	wait_for 10 more || fail "nltuned logged no burst: $(cat "$TMP/d.$n.err")"
	stop_daemon
	start_daemon
}
# writes: this boot's writes in the history, as "by:before_default:after_default" words.
writes() { NL history --json | jq -r '[.boots[] | select(.current)][0].writes[] | "\(.by):\(.before.rmem_default):\(.after.rmem_default)"' | tr '\n' ' '; }

start_bus strict "$SOCK"
start_daemon

# --- apply through nltuned, a burst and a save: the record stays, revert puts back the values ----
NL apply --json > "$TMP/apply.json" || fail "apply failed"
jq -e --argjson d "$d0" '.changed and .before.rmem_default == $d and .after.rmem_default >= 8388608 and .dry_run == false' \
	"$TMP/apply.json" > /dev/null || fail "apply --json: $(cat "$TMP/apply.json")"
d1=$(cat $core/rmem_default)
[ "$(jq .after.rmem_default "$TMP/apply.json")" -eq "$d1" ] || fail "apply --json after is not what is in force ($d1)"
grep -q "applied rmem_default $d0 -> $d1" "$TMP/d.$n.err" || fail "nltuned did not apply it: $(cat "$TMP/d.$n.err")"
burst
w=$(writes)
[ "$w" = "bus:$d0:$d1 " ] || fail "after a burst and a save the writes are '$w', want 'bus:$d0:$d1'"
NL revert --dry-run > "$TMP/dry.txt" || fail "revert --dry-run failed"
grep -q "^would revert" "$TMP/dry.txt" || fail "revert --dry-run: $(cat "$TMP/dry.txt")"
[ "$(cat $core/rmem_default)" -eq "$d1" ] || fail "revert --dry-run wrote"
NL revert --json > "$TMP/revert.json" || fail "revert failed"
[ "$(cat $core/rmem_default) $(cat $core/rmem_max)" = "$d0 $m0" ] ||
	fail "revert left $(cat $core/rmem_default) $(cat $core/rmem_max), want $d0 $m0"
jq -e --argjson d "$d0" '.changed and .first_write.rmem_default == $d and .first_write.by == "bus"' \
	"$TMP/revert.json" > /dev/null || fail "revert --json: $(cat "$TMP/revert.json")"
grep -q "reverted rmem_default $d1 -> $d0" "$TMP/d.$n.err" || fail "nltuned did not revert it: $(cat "$TMP/d.$n.err")"
pass "apply through nltuned: the record survives a burst and a save; revert restores $d0/$m0"

# --- errors from nltuned: reported, exit 1, nothing written by the console ----------------------
chmod 711 "$TMP" # nobody must reach the bus socket
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NLTUNE" -c /dev/null apply 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "apply as nobody exit $rc: $out"
grep -q "AccessDenied" <<<"$out" || fail "apply as nobody does not say AccessDenied: $out"
[ "$(cat $core/rmem_default)" -eq "$d0" ] || fail "a denied apply wrote"
pass "a denied apply says AccessDenied and exits 1"

# --- a console without the daemon writes while nltuned runs: both writers' records survive ------
NL --no-daemon apply > /dev/null || fail "apply --no-daemon failed"
d2=$(cat $core/rmem_default)
[ "$d2" -ge 8388608 ] || fail "apply --no-daemon did not write"
grep -q "applied rmem_default $d0" "$TMP/d.$n.err" && fail "apply --no-daemon went through nltuned"
# nltuned picks the record up: its own Revert knows the first write and the console's.
out=$(busctl --system --json=short call org.nltune1 /org/nltune1 org.nltune1.Manager Revert b false) ||
	fail "Revert over D-Bus failed"
[ "$(jq -c .data <<<"$out")" = "[$d0,$m0]" ] || fail "nltuned's Revert answered $out, want [$d0,$m0]"
[ "$(cat $core/rmem_default)" -eq "$d0" ] || fail "nltuned's Revert after the console's apply did not restore $d0"
stop_daemon
w=$(writes)
[ "$w" = "bus:$d0:$d1 revert:$d1:$d0 cli:$d0:$d2 revert:$d2:$d0 " ] ||
	fail "after the console's and nltuned's writes and a save: '$w'"
pass "a console with --no-daemon and nltuned write one after the other: every record kept ($w)"

# --- fix through nltuned: FixSocket raises the socket and its fix log keeps the record ----------
start_daemon
start_sock victim --rcvbuf 1024
listed() { busctl --system --json=short call org.nltune1 /org/nltune1 org.nltune1.Manager ListSockets |
	jq -e --argjson p "$victim_pid" 'any(.data[0][]; .pids.data | index($p))' > /dev/null; }
wait_for 10 listed || fail "nltuned does not list the victim"
NL fix "$victim_pid" > "$TMP/fix.txt" 2> "$TMP/fix.err" || fail "fix failed: $(cat "$TMP/fix.txt" "$TMP/fix.err")"
grep -q "fixed uevsock\[$victim_pid\] socket" "$TMP/d.$n.err" || fail "the fix did not go through nltuned: $(cat "$TMP/fix.txt")"
[ "$(jq .rcvbuf <<<"$(sock_cmd victim stat)")" -ge 8388608 ] || fail "fix: $(sock_cmd victim stat)"
inode=$(sed -n 's/^socket \([0-9]*\):.*/\1/p' "$TMP/fix.txt")
grep -q "^fix $inode " "$TMP/state/fixes" || fail "the fix log lacks socket $inode: $(cat "$TMP/state/fixes")"
pass "fix through nltuned: rcvbuf raised, the fix log has it"
