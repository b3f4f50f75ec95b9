#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark: what nltuned costs per uevent against the barest reader (tests/bench/uevread.c),
# both listening to the same real events ("change" written to /sys/class/net/lo/uevent by
# uevblast): CPU time per event (the kernel's per-task on-CPU nanoseconds, schedstat) and
# proportional memory (Pss of smaps_rollup). The same script runs in the ARM VM boot, so the
# ratios compare across architectures. BENCH_EVENTS (default 100000) in chunks of 10%.
BENCH_NAME="nltuned CPU and memory per uevent vs a bare reader"
. "$(dirname "$0")/lib.sh"
need_root
[ -w /sys/class/net/lo/uevent ] || skip "/sys/class/net/lo/uevent is not writable here"
TOTAL=${BENCH_EVENTS:-100000}
CHUNK=$(((TOTAL + 9) / 10))

start_nltuned_nobus 20
"$BENCH_BIN/uevread" > "$TMP/r.out" 2> "$TMP/r.err" &
r=$!
PIDS+=("$r")
wait_for 20 grep -q '^ready' "$TMP/r.out" || fail "uevread did not start: $(cat "$TMP/r.err")"
sleep 1 # nltuned's first socket scan and coldplug estimate are start-up, not per-event cost

# On-CPU nanoseconds of every thread of PID (schedstat's first field).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2> /dev/null | awk '{ n += $1 } END { printf "%.0f\n", n }'; }
pss_kib() { awk '$1 == "Pss:" { print $2 }' "/proc/$1/smaps_rollup"; }
d0=$(cpu_ns $d) r0=$(cpu_ns $r)
echo "nltuned pid $d (no bus, monitor buffer as configured), uevread pid $r ($(cut -d' ' -f3 "$TMP/r.out" | head -n 1)-byte buffer);"
echo "measured with $TOTAL events in chunks of $CHUNK:"
show_cmd "$BENCH_BIN/uevblast" $CHUNK /sys/class/net/lo/uevent change
sent=0
while [ $sent -lt "$TOTAL" ]; do
	"$BENCH_BIN/uevblast" $CHUNK /sys/class/net/lo/uevent change 2> "$TMP/blast.err" ||
		fail "uevblast: $(cat "$TMP/blast.err")"
	sent=$((sent + CHUNK))
	sleep 0.3 # past nltuned's burst gap: each chunk is a burst it closes and logs
done
sleep 1
d1=$(cpu_ns $d) r1=$(cpu_ns $r)
dpss=$(pss_kib $d) rpss=$(pss_kib $r)
danon=$(awk '$1 == "Anonymous:" { print $2 }' "/proc/$d/smaps_rollup")
kill -TERM $d $r
wait $d $r
PIDS=()
seen=$(sed -n 's/.*totals: \([0-9]*\) events.*/\1/p' "$TMP/d.err" | tail -n 1)
lost=$(sed -n 's/.*; \([0-9]*\) lost by nltune itself.*/\1/p' "$TMP/d.err" | tail -n 1)
read -r _ rseen _ _ _ renobufs < <(grep '^events' "$TMP/r.out")
echo "nltuned saw ${seen:-?} (lost ${lost:-?} itself), uevread saw ${rseen:-?} (ENOBUFS ${renobufs:-?})"
[ "${seen:-0}" -ge "$sent" ] || fail "nltuned saw ${seen:-?} of $sent events"
[ "${rseen:-0}" -ge "$sent" ] || fail "uevread saw ${rseen:-?} of $sent events"

per() { awk -v ns="$1" -v n="$2" 'BEGIN { printf "%.2f", ns / n / 1000 }'; } # us per event
dper=$(per $((d1 - d0)) "$seen") rper=$(per $((r1 - r0)) "$rseen")
cpu_ratio=$(ratio "$dper" "$rper") pss_ratio=$(ratio "$dpss" "$rpss")
echo "RESULT cost arch=$(uname -m) events=$sent nltuned_us_per_event=$dper bare_us_per_event=$rper cpu_ratio=$cpu_ratio nltuned_pss_kib=$dpss bare_pss_kib=$rpss pss_ratio=$pss_ratio nltuned_anon_kib=$danon"
row "$BENCH_NAME ($(uname -m), $sent events)" "$dper µs/event, Pss $dpss KiB" \
	"uevread: $rper µs/event, Pss $rpss KiB" "CPU $cpu_ratio, Pss $pss_ratio" \
	"nltune parses, charges and keeps burst windows of every event; anonymous $danon KiB"
