#!/bin/bash
# SPDX-License-Identifier: MIT
# The core promise on the real kernel: a default-buffer listener that lost events in a burst
# loses none after nltuned measured it and `nltune apply` raised rmem_default.
. "$(dirname "$0")/../lib.sh"
need_root

core=/proc/sys/net/core
old_def=$(cat $core/rmem_default) old_max=$(cat $core/rmem_max)
CLEANUPS+=("echo $old_max > $core/rmem_max; echo $old_def > $core/rmem_default")

N=1000
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
CONF

echo 65536 > $core/rmem_default
start_sock victim1            # keeps the default buffer: 65536 bytes, 78 typical events

"$NLTUNED" -c "$TMP/nltune.conf" > "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 5 grep -q "measuring uevent bursts" "$TMP/d.err" || fail "nltuned did not start: $(cat "$TMP/d.err")"

emit $N
# Other uevents on the machine may join the burst: it holds at least the test's own.
burst_seen() { grep -oE 'burst: [0-9]+ events' "$TMP/d.err" | awk -v n=$N '$2 >= n { f = 1 } END { exit !f }'; }
wait_for 10 burst_seen || fail "nltuned did not log the burst: $(cat "$TMP/d.err")"
v1=$(sock_cmd victim1 drain)
echo "victim before apply: $v1"
[ "$(jq .drops <<<"$v1")" -gt 0 ] || fail "victim1 lost nothing: the test proves nothing"
[ "$(jq .enobufs <<<"$v1")" -ge 1 ] || fail "victim1 saw no ENOBUFS"

kill -TERM $d
wait $d || fail "nltuned exited $?"
[ -s "$TMP/state/state" ] || fail "nltuned saved no state"

"$NLTUNE" -c "$TMP/nltune.conf" apply --json > "$TMP/apply.json" || fail "apply failed"
cat "$TMP/apply.json"
new_def=$(cat $core/rmem_default)
[ "$(jq .changed "$TMP/apply.json")" = true ] || fail "apply changed nothing"
[ "$(jq .after.rmem_default "$TMP/apply.json")" -eq "$new_def" ] || fail "after != /proc"
[ "$new_def" -ge $((N * 832)) ] || fail "rmem_default $new_def cannot hold $N events"
[ "$(cat $core/rmem_max)" -ge "$new_def" ] || fail "rmem_max below rmem_default"

start_sock victim2            # a new listener with the new default
emit $N
queued_all() { [ "$(jq .rmem_alloc <<<"$(sock_cmd victim2 stat)")" -ge $((N * 832)) ]; }
wait_for 10 queued_all || fail "victim2 queue never reached $N events: $(sock_cmd victim2 stat)"
v2=$(sock_cmd victim2 drain)
echo "victim after apply: $v2"
[ "$(jq .drops <<<"$v2")" -eq 0 ] || fail "victim2 dropped $(jq .drops <<<"$v2") events"
[ "$(jq .enobufs <<<"$v2")" -eq 0 ] || fail "victim2 saw ENOBUFS"
[ "$(jq .events <<<"$v2")" -ge $N ] || fail "victim2 received $(jq .events <<<"$v2") of $N"

# observe never writes, whatever the need.
echo 65536 > $core/rmem_default
printf 'state-dir = "%s/state"\npolicy = observe\n' "$TMP" > "$TMP/observe.conf"
"$NLTUNE" -c "$TMP/observe.conf" apply --json > "$TMP/observe.json" || fail "apply (observe) failed"
[ "$(cat $core/rmem_default)" -eq 65536 ] || fail "policy observe wrote rmem_default"
[ "$(jq .changed "$TMP/observe.json")" = false ] || fail "policy observe reports a change"
echo "$new_def" > $core/rmem_default

# Dry run and persist.
"$NLTUNE" -c "$TMP/nltune.conf" apply --dry-run --json > "$TMP/dry.json" || fail "dry-run failed"
[ "$(jq .dry_run "$TMP/dry.json")" = true ] || fail "dry_run flag missing"
"$NLTUNE" -c "$TMP/nltune.conf" apply --persist > /dev/null || fail "persist failed"
grep -q "^net.core.rmem_default = $new_def$" "$TMP/sysctl.d/60-nltune.conf" ||
	fail "drop-in lacks rmem_default: $(cat "$TMP/sysctl.d/60-nltune.conf")"
pass "victim lost $(jq .drops <<<"$v1") events before, 0 after rmem_default $old_def -> 65536 -> $new_def"
