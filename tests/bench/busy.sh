#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark: a busy host. At 2,000 and 20,000 netlink sockets (tests/bench/nlhold.c, 10 or 20 per
# process): nltuned's CPU at rest over BENCH_REST_S seconds (default 60) and its PSS;
# `nltune sockets --all --json --no-daemon` and `nltune sockets` through nltuned, each against
# `ss -A netlink -a -e -m -p`. At 20,000: nltuned's CPU during a storm of
# uevents (BENCH_BUSY_UEVENTS, default 10^5: the kernel delivers each to all 7,000 listeners), and
# its own drops. Reported, never asserted. Holds the host for about three minutes.
BENCH_NAME="busy host"
. "$(dirname "$0")/lib.sh"
need_root
[ -w /sys/class/net/lo/uevent ] || skip "/sys/class/net/lo/uevent is not writable here"
for t in ss hyperfine dbus-daemon; do command -v $t >/dev/null || skip "$t not installed"; done
REST=${BENCH_REST_S:-60} STORM=${BENCH_BUSY_UEVENTS:-100000}
HZ=$(getconf CLK_TCK)

chmod 711 "$TMP"
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
start_bus open "$SOCK"
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
CONF
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
pss_kib() { awk '$1 == "Pss:" { print $2 }' "/proc/$1/smaps_rollup"; }

run_size() { # run_size PROCS PER
	local procs=$1 per=$2 n=$(($1 * $2)) d h a b t0 t1 cpu pss
	mkfifo "$TMP/hold$n.in"
	"$BENCH_BIN/nlhold" "$procs" "$per" < "$TMP/hold$n.in" > "$TMP/hold$n.out" &
	h=$!
	PIDS+=($h)
	exec {hfd}> "$TMP/hold$n.in"
	wait_for 60 grep -q '^ready' "$TMP/hold$n.out" || fail "nlhold: $(cat "$TMP/hold$n.out")"
	"$NLTUNED" -c "$TMP/nltune.conf" 2> "$TMP/d$n.err" &
	d=$!
	PIDS+=($d)
	wait_for 10 grep -q "serving org.nltune1" "$TMP/d$n.err" || fail "nltuned: $(cat "$TMP/d$n.err")"
	sleep 3 # the first scan and its owner walk are start-up, not rest
	echo "== $n sockets in $procs processes ($(($(wc -l < /proc/net/netlink) - 1)) on the host), load: $(cut -d' ' -f1-3 /proc/loadavg)"
	a=$(cpu_ticks $d) t0=$(date +%s.%N)
	sleep "$REST"
	b=$(cpu_ticks $d) t1=$(date +%s.%N)
	cpu=$(awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" -v hz="$HZ" 'BEGIN { printf "%.3f", (b - a) / hz / (t1 - t0) * 100 }')
	pss=$(pss_kib $d)
	echo "nltuned at rest: ${cpu}% of a core over ${REST} s (utime+stime of /proc/$d/stat), PSS $pss KiB (smaps_rollup), $(grep -c 'alert #' "$TMP/d$n.err") alert lines"
	echo "RESULT rest sockets=$n cpu_pct=$cpu pss_kib=$pss"
	row "nltuned at rest, $n sockets ($REST s)" "${cpu}% of a core, PSS $pss KiB" "-" "-" "load $(cut -d' ' -f1 /proc/loadavg)"
	LOCAL=("$NLTUNE" -c "$TMP/nltune.conf" sockets --all --json --no-daemon)
	DAEMON=("$NLTUNE" -c "$TMP/nltune.conf" sockets --json)
	SS=(ss -A netlink -a -e -m -p)
	show_cmd hyperfine -N --warmup 1 --runs 5 "${LOCAL[*]}" "${DAEMON[*]}" "${SS[*]}"
	hyperfine -N --warmup 1 --runs 5 --style basic --export-json "$TMP/hf$n.json" \
		"${LOCAL[*]}" "${DAEMON[*]}" "${SS[*]}" || fail "hyperfine"
	local l dm s
	l=$(hf_ms "$TMP/hf$n.json" 0 median) dm=$(hf_ms "$TMP/hf$n.json" 1 median) s=$(hf_ms "$TMP/hf$n.json" 2 median)
	echo "RESULT list sockets=$n local_ms=$l daemon_ms=$dm ss_ms=$s local/ss=$(ratio "$l" "$s") daemon/ss=$(ratio "$dm" "$s") daemon_rows=$("${DAEMON[@]}" | jq length)"
	"$NLTUNE" -c "$TMP/nltune.conf" sockets --all --json > /dev/null # every owner, every row
	echo "RESULT pss-after-listings sockets=$n pss_kib=$(pss_kib $d)"
	row "nltuned PSS after these listings and \`sockets --all\`, $n sockets" "$(pss_kib $d) KiB" "-" "-" ""
	row "\`sockets --all --json --no-daemon\`, $n sockets" "$l ms" "$s ms \`ss -A netlink -a -e -m -p\`" "$(ratio "$l" "$s")" ""
	row "\`sockets --json\` through nltuned, $n sockets" "$dm ms" "$s ms" "$(ratio "$dm" "$s")" "$("${DAEMON[@]}" | jq length) problem sockets listed"
	if [ "$n" -ge 20000 ]; then
		local ev0 dr0 ev1 dr1
		ev0=$("$NLTUNE" -c "$TMP/nltune.conf" status --json | jq .uevents.total)
		dr0=$("$NLTUNE" -c "$TMP/nltune.conf" status --json | jq .uevents.own_drops)
		a=$(cpu_ticks $d) t0=$(date +%s.%N)
		show_cmd "$BENCH_BIN/uevblast" "$STORM" /sys/class/net/lo/uevent change
		"$BENCH_BIN/uevblast" "$STORM" /sys/class/net/lo/uevent change 2> "$TMP/blast.err" || fail "uevblast"
		sleep 2 # the burst closes, the scan after it
		b=$(cpu_ticks $d) t1=$(date +%s.%N)
		ev1=$("$NLTUNE" -c "$TMP/nltune.conf" status --json | jq .uevents.total)
		dr1=$("$NLTUNE" -c "$TMP/nltune.conf" status --json | jq .uevents.own_drops)
		cpu=$(awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
		echo "storm: $(cat "$TMP/blast.err"); nltuned counted $((ev1 - ev0)), lost $((dr1 - dr0)), used $cpu s of CPU; $(grep -c 'alert #' "$TMP/d$n.err") alert lines so far"
		echo "RESULT storm sockets=$n events=$STORM counted=$((ev1 - ev0)) own_drops=$((dr1 - dr0)) cpu_s=$cpu"
		row "storm of $STORM uevents, $n sockets held" "$cpu s CPU, $((dr1 - dr0)) lost" "-" "-" "$(cat "$TMP/blast.err")"
	fi
	kill $d
	wait $d 2>/dev/null
	exec {hfd}>&-
	wait $h 2>/dev/null
}

run_size 200 10
run_size 1000 20
