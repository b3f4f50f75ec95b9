#!/bin/bash
# SPDX-License-Identifier: MIT
# 200 callers that send Describe 127 times each and never read (as nobody, on a private bus with
# the shipped policy): nltuned stays small and keeps answering everyone else.
. "$(dirname "$0")/../lib.sh"
need_root
command -v dbus-daemon >/dev/null || skip "dbus-daemon missing"
command -v busctl >/dev/null || skip "busctl missing"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
GROWTH_KB=$((24 * 1024)) # nltuned's VmRSS may grow this much; without the limits: past 600 MiB
export ASAN_OPTIONS=quarantine_size_mb=8 # under SANITIZE=1: freed memory is not kept for long

chmod 755 "$TMP" # nobody connects to the bus socket in it
start_bus strict "$TMP/bus.sock"
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/bus.sock
# A dozen sockets at risk make each Describe reply some 14 kB.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do start_sock v$i --rcvbuf 1024; done
printf 'state-dir = "%s/state"\n' "$TMP" > "$TMP/c.conf"
"$NLTUNED" -c "$TMP/c.conf" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
describe() { busctl --timeout=1.5 call org.nltune1 /org/nltune1 org.nltune1.Manager Describe > /dev/null 2>&1; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$d/status"; }
wait_for 10 describe || fail "nltuned does not answer: $(cat "$TMP/d.err")"
size=$(busctl call org.nltune1 /org/nltune1 org.nltune1.Manager Describe | wc -c)
start_kb=$(rss)
BOUND_KB=$((start_kb + GROWTH_KB))
echo "Describe reply: $size bytes; nltuned $start_kb kB before, bound $BOUND_KB kB"

mkfifo "$TMP/flood.in"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$NLTUNE_BUILD/tests/helpers/busflood" 200 127 \
	< "$TMP/flood.in" > "$TMP/flood.out" 2>&1 &
f=$!
PIDS+=($f)
exec {flood_fd}> "$TMP/flood.in"
wait_for 30 grep -q '^sent' "$TMP/flood.out" || fail "busflood: $(cat "$TMP/flood.out")"
grep -q '^sent 25400$' "$TMP/flood.out" || fail "busflood: $(cat "$TMP/flood.out")"
# The broker routes 25400 calls first (seconds of its own CPU); then, with them all queued:
wait_for 20 describe || fail "Describe does not answer after the flood: nltuned $(rss) kB"
max=0
for i in $(seq 1 12); do
	kb=$(rss)
	[ "$kb" -gt "$max" ] && max=$kb
	[ "$kb" -lt $BOUND_KB ] || fail "nltuned holds $kb kB with 200 callers that do not read"
	describe || fail "Describe got no answer within 1.5 s while 200 callers do not read"
	sleep 0.25
done
grep -q "does not read its replies" "$TMP/d.err" || fail "the callers that do not read are not named"
[ "$(grep -c 'does not read its replies' "$TMP/d.err")" -le 2 ] || fail "one log line per caller: $(grep -c 'does not read' "$TMP/d.err")"
exec {flood_fd}>&-
wait $f
wait_for 5 describe || fail "Describe after the callers left"
[ "$(rss)" -lt $BOUND_KB ] || fail "nltuned kept $(rss) kB after the callers left"
kill -0 $d || fail "nltuned died"
pass "200 callers that never read: nltuned at most $max kB (bound $BOUND_KB), Describe answered throughout"
