#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark 5: nltuned's memory and Describe() latency while 200 callers (as nobody) that sent
# Describe 127 times each and never read stay connected, on a private bus with the shipped
# policy; against the same calls with nobody flooding.
BENCH_NAME="Describe() with 200 callers that never read"
. "$(dirname "$0")/lib.sh"
need_root
command -v dbus-daemon >/dev/null || skip "dbus-daemon not installed"
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
N=${BENCH_SLOW_CALLS:-200}
FLOOD=$NLTUNE_BUILD/tests/helpers/busflood
[ -x "$FLOOD" ] || skip "build the test helpers first (make check builds $FLOOD)"

chmod 755 "$TMP"
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
start_bus strict "$SOCK"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do start_sock v$i --rcvbuf 1024; done
printf 'state-dir = "%s/state"\n' "$TMP" > "$TMP/nltune.conf"
"$NLTUNED" -c "$TMP/nltune.conf" 2> "$TMP/d.err" &
d=$!
PIDS+=("$d")
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
field() { awk -v k="$1" -v f="$2" '$1 == k { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$3"; }

echo "measured with:"
show_cmd "$BENCH_BIN/buslat" "$N"
show_cmd setpriv --reuid=nobody --regid=nogroup --clear-groups "$FLOOD" 200 127
"$BENCH_BIN/buslat" "$N" > "$TMP/idle.txt" || fail "buslat failed"
rss0=$(rss $d) bus0=$(rss $busd)

mkfifo "$TMP/flood.in"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$FLOOD" 200 127 < "$TMP/flood.in" > "$TMP/flood.out" 2>&1 &
f=$!
PIDS+=("$f")
exec {flood_fd}> "$TMP/flood.in"
t0=$(date +%s%N)
wait_for 60 grep -q '^sent' "$TMP/flood.out" || fail "busflood: $(cat "$TMP/flood.out")"
# The first Describe after the flood waits behind every call the broker still has to route.
busctl --timeout=30 call org.nltune1 /org/nltune1 org.nltune1.Manager Describe > /dev/null || fail "no Describe"
first_ms=$((($(date +%s%N) - t0) / 1000000))
peak=0
sample() { local r; r=$(awk '/^VmRSS/ { print $2 }' "/proc/$d/status"); [ "$r" -gt "$peak" ] && peak=$r; }
sample
"$BENCH_BIN/buslat" "$N" > "$TMP/flood.txt" || fail "buslat failed during the flood"
sample
bus1=$(rss $busd)
exec {flood_fd}>&-
wait $f
sleep 1
rss2=$(rss $d)
echo "idle:" && sed 's/^/  /' "$TMP/idle.txt"
echo "200 callers x 127 unread Describe calls connected:" && sed 's/^/  /' "$TMP/flood.txt"
m0=$(field describe median_us "$TMP/idle.txt") p0=$(field describe p99_us "$TMP/idle.txt")
m1=$(field describe median_us "$TMP/flood.txt") p1=$(field describe p99_us "$TMP/flood.txt")
x1=$(field describe max_us "$TMP/flood.txt")
peak_mb=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
echo "RESULT slowpeers nltuned_rss_mib before=$rss0 peak=$peak_mb after=$rss2 dbus_daemon_rss_mib before=$bus0 during=$bus1 first_describe_ms=$first_ms describe_median_us=$m1 p99_us=$p1 max_us=$x1"
row "$BENCH_NAME ($(field reply describe_bytes "$TMP/idle.txt") bytes), $N calls" \
	"median $m1 µs, p99 $p1 µs, max $x1 µs" "no flood: median $m0 µs, p99 $p0 µs" \
	"$(ratio "$m1" "$m0") (p99 $(ratio "$p1" "$p0"))" \
	"nltuned RSS $rss0 -> $peak_mb MiB (after: $rss2), dbus-daemon $bus0 -> $bus1 MiB; first Describe after the 25,400 calls: $first_ms ms"
