#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark 4: nltuned's resident memory across 10^6 real uevents ("change" written to
# /sys/class/net/lo/uevent by tests/bench/uevblast.c, 100k per chunk, VmRSS sampled after
# each chunk). Reports start/peak/end RSS against the 2 MiB goal (not asserted), checks the
# daemon's totals line saw the events, and shows what the resident memory is made of.
# Every other uevent listener on the machine gets these events too.
BENCH_NAME="nltuned RSS over 10^6 uevents"
. "$(dirname "$0")/lib.sh"
need_root
[ -w /sys/class/net/lo/uevent ] || skip "/sys/class/net/lo/uevent is not writable here"
TOTAL=${BENCH_UEVENTS:-1000000} CHUNK=100000
GOAL_KIB=2048

start_nltuned_nobus 10
sleep 0.5   # let the first socket scan and the coldplug estimate settle

kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
start=$(kib $d VmRSS)
peak=$start
samples="$start"
echo "nltuned pid $d (no bus), config:"
sed 's/^/    /' "$TMP/nltune.conf"
echo "measured with: $TOTAL uevents in chunks of $CHUNK, VmRSS from /proc/$d/status after each:"
show_cmd "$BENCH_BIN/uevblast" $CHUNK /sys/class/net/lo/uevent change
echo "  start: VmRSS $start KiB"
sent=0
while [ $sent -lt "$TOTAL" ]; do
	"$BENCH_BIN/uevblast" $CHUNK /sys/class/net/lo/uevent change 2> "$TMP/blast.err" ||
		fail "uevblast: $(cat "$TMP/blast.err")"
	sent=$((sent + CHUNK))
	sleep 0.1
	kill -0 $d 2>/dev/null || fail "nltuned died after $sent events: $(tail -n 5 "$TMP/d.err")"
	r=$(kib $d VmRSS)
	samples="$samples $r"
	[ "$r" -le "$peak" ] || peak=$r
	echo "  after $sent: VmRSS $r KiB ($(cat "$TMP/blast.err"))"
done
sleep 1   # past the burst gap: the last burst is closed and logged
end=$(kib $d VmRSS)
hwm=$(kib $d VmHWM)
[ "$hwm" -le "$peak" ] || peak=$hwm
echo "  end (1 s later): VmRSS $end KiB, VmHWM $hwm KiB"

# What the resident memory is made of.
echo "smaps_rollup:"
grep -E '^(Rss|Pss|Pss_Anon|Pss_File|Shared_Clean|Private_Clean|Private_Dirty|Anonymous):' \
	"/proc/$d/smaps_rollup" | sed 's/^/    /'
anon=$(awk '$1 == "Anonymous:" { print $2 }' "/proc/$d/smaps_rollup")
pss=$(awk '$1 == "Pss:" { print $2 }' "/proc/$d/smaps_rollup")
echo "largest mappings by Rss (KiB, private dirty KiB, mapping):"
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6 ? $6 : "[anon]") }
     $1 == "Rss:" { rss[name] += $2 } $1 == "Private_Dirty:" { pd[name] += $2 }
     END { for (n in rss) if (rss[n] > 0) printf "%d %d %s\n", rss[n], pd[n], n }' "/proc/$d/smaps" |
	sort -rn | head -n 12 | awk '{ printf "    %6d %6d  %s\n", $1, $2, $3 }'

kill -TERM $d
wait $d
rc=$?
PIDS=()
totals=$(grep 'totals:' "$TMP/d.err" | tail -n 1)
echo "nltuned exited $rc; its log: ${totals:-no totals line}"
echo "    largest burst: $(grep 'burst:' "$TMP/d.err" | sort -t: -k3 -rn | head -n 1 | sed 's/^nltuned: //')"
seen=$(sed -n 's/.*totals: \([0-9]*\) events.*/\1/p' <<<"$totals")
lost=$(sed -n 's/.*; \([0-9]*\) lost by nltune itself.*/\1/p' <<<"$totals")
saw=$([ "${seen:-0}" -ge "$TOTAL" ] && echo "saw all $TOTAL" || echo "saw ${seen:-?} of $TOTAL")

mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }
goal=$([ "$peak" -le $GOAL_KIB ] && echo "within" || echo "ABOVE")
flat=$((end - start))
echo "RESULT rss start_kib=$start peak_kib=$peak end_kib=$end growth_kib=$flat anon_kib=$anon pss_kib=$pss goal_kib=$GOAL_KIB ($goal goal) events_seen=${seen:-?} own_drops=${lost:-?} samples_kib=[$samples]"
row "$BENCH_NAME" "RSS start $(mib "$start"), peak $(mib "$peak"), end $(mib "$end") MiB" \
	"goal: under 2 MiB, flat" "$(ratio "$peak" $GOAL_KIB) (peak ÷ goal)" \
	"$goal goal; grew $flat KiB; daemon $saw (${lost:-?} lost by itself); anonymous $(mib "$anon") MiB, Pss $(mib "$pss") MiB, the rest shared library pages"
