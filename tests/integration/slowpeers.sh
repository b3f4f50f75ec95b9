#!/bin/bash
# SPDX-License-Identifier: MIT
# 200 callers that send Describe 127 times each and never read (as nobody, on a private bus with
# the shipped policy): nltuned's memory stays bounded and comes back after they leave, and a
# long-lived caller that does read keeps getting every answer throughout.
. "$(dirname "$0")/../lib.sh"
need_root
command -v dbus-daemon >/dev/null || skip "dbus-daemon missing"
command -v busctl >/dev/null || skip "busctl missing"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
FLOOD=$NLTUNE_BUILD/tests/helpers/busflood
# The bound on nltuned's growth (VmHWM, the peak, over VmRSS before): at most 64 replies wait to
# be written (BUS_MAX_QUEUED, some 0.7 MiB of 11 kB documents) plus sd-bus's and malloc's slack.
# Without it: 16 to 35 MiB; without the accounting of unread replies: past 600 MiB.
GROWTH_KB=$((8 * 1024))
# What may stay after the callers left: half the growth; ASan's allocator keeps freed chunks
# in its quarantine and caches, so there the whole growth.
KEPT_KB=$((GROWTH_KB / 2))
case $NLTUNE_BUILD in *-san) GROWTH_KB=$((24 * 1024)) KEPT_KB=$GROWTH_KB ;; esac
export ASAN_OPTIONS=quarantine_size_mb=8

chmod 755 "$TMP" # nobody connects to the bus socket in it
start_bus strict "$TMP/bus.sock"
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/bus.sock
# A dozen sockets at risk make each Describe reply some 11 kB.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do start_sock v$i --rcvbuf 1024; done
printf 'state-dir = "%s/state"\n' "$TMP" > "$TMP/c.conf"
"$NLTUNED" -c "$TMP/c.conf" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
describe() { busctl --timeout=1.5 call org.nltune1 /org/nltune1 org.nltune1.Manager Describe > /dev/null 2>&1; }
kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$d/status"; }
wait_for 10 describe || fail "nltuned does not answer: $(cat "$TMP/d.err")"
size=$(busctl call org.nltune1 /org/nltune1 org.nltune1.Manager Describe | wc -c)
start_kb=$(kb VmRSS) start_hwm=$(kb VmHWM)
BOUND_KB=$((start_kb + GROWTH_KB))
echo "Describe reply: $size bytes; nltuned $start_kb kB before (peak $start_hwm), bound $BOUND_KB kB"

# A caller that reads: one connection, a Describe every 10 ms from before the flood to its end.
mkfifo "$TMP/read.in" "$TMP/flood.in"
"$FLOOD" --read < "$TMP/read.in" > "$TMP/read.out" 2>&1 &
r=$!
PIDS+=($r)
exec {read_fd}> "$TMP/read.in"
wait_for 10 grep -q '^calls 20' "$TMP/read.out" || fail "the caller that reads: $(cat "$TMP/read.out")"
# (without the reader's stdin: closing it must end the reader)
setpriv --reuid=nobody --regid=nogroup --clear-groups "$FLOOD" 200 127 \
	< "$TMP/flood.in" > "$TMP/flood.out" 2>&1 {read_fd}>&- &
f=$!
PIDS+=($f)
exec {flood_fd}> "$TMP/flood.in"
wait_for 30 grep -q '^sent' "$TMP/flood.out" || fail "busflood: $(cat "$TMP/flood.out")"
grep -q '^sent 25400$' "$TMP/flood.out" || fail "busflood: $(cat "$TMP/flood.out")"
# The broker routes 25400 calls (seconds of its own CPU); then, with them all queued:
wait_for 20 describe || fail "Describe does not answer after the flood: nltuned $(kb VmRSS) kB"
for i in $(seq 1 8); do
	describe || fail "a new caller's Describe got no answer within 1.5 s while 200 callers do not read"
	sleep 0.1
done
peak=$(kb VmHWM)
kill -0 $r || fail "the caller that reads stopped: $(cat "$TMP/read.out")"
exec {read_fd}>&-
gone() { ! kill -0 "$1" 2> /dev/null; }
wait_for 10 gone $r || fail "the caller that reads does not stop"
wait $r || fail "the caller that reads was not answered: $(cat "$TMP/read.out")"
grep -q "does not read its replies" "$TMP/d.err" || fail "the callers that do not read are not named"
[ "$(grep -c 'does not read its replies' "$TMP/d.err")" -le 2 ] || fail "one log line per caller: $(grep -c 'does not read' "$TMP/d.err")"
exec {flood_fd}>&-
wait_for 10 gone $f || fail "busflood does not stop"
wait_for 5 describe || fail "Describe after the callers left"
after=$(kb VmRSS)
echo "nltuned: $start_kb kB before, peak $peak kB with 200 callers that do not read, $after kB after they left; the reader: $(cat "$TMP/read.out")"
[ "$peak" -lt $BOUND_KB ] || fail "nltuned reached $peak kB with 200 callers that do not read (bound $BOUND_KB)"
[ "$after" -lt $((start_kb + KEPT_KB)) ] || fail "nltuned kept $after kB after the callers left"
kill -0 $d || fail "nltuned died"
pass "200 callers that never read: nltuned at most $peak kB (bound $BOUND_KB), every call of a caller that reads answered"
