#!/bin/bash
# SPDX-License-Identifier: MIT
# The charge per event against the kernel's own accounting: for events of several sizes, what
# nltune monitor charges matches what the kernel charged a listener's queue (SO_MEMINFO) within 10%.
. "$(dirname "$0")/../lib.sh"
need_root

start_sock probe --force 67108864 --mark "$MARK"
"$NLTUNE" -c /dev/null monitor --json > "$TMP/mon.out" 2> "$TMP/mon.err" &
mon=$!
PIDS+=($mon)
wait_for 5 grep -q listening "$TMP/mon.err" || fail "monitor did not start"

pad() { printf 'K%.0s' $(seq "$1"); }
kinds=(
	"lo|/sys/class/net/lo/uevent|change $MARK"
	"null|/sys/devices/virtual/mem/null/uevent|change $MARK"
	"long-400|/sys/class/net/lo/uevent|change $MARK LONG=$(pad 400)"
	"long-1000|/sys/class/net/lo/uevent|change $MARK LONG=$(pad 1000)"
	"long-1800|/sys/class/net/lo/uevent|change $MARK LONG=$(pad 1800)"
)
N=20
# Other uevents on the machine reach both the probe and the monitor. A round runs from one quiet
# moment to the next (no event for 220 ms, longer than the 200 ms that end a burst), so the
# monitor's burst lines in between hold the same events as the probe read, ours and others; the
# probe's charge is the kernel's for exactly those. If the counts still differ, other traffic
# crossed an edge: again. Traffic that never pauses 220 ms leaves no round to compare: skipped.
now_ms() { echo $((${EPOCHREALTIME/[.,]/} / 1000)); }
# bursts_in FROM TO FIELD: the sum of FIELD over the burst lines that started in [FROM, TO) ms.
# No event came in the 220 ms before FROM or TO, so no burst started near either.
bursts_in() {
	grep '"type":"burst"' "$TMP/mon.out" | jq -s --argjson a "$1" --argjson b "$2" \
		"map(select(((.time[0:19] + \"Z\" | fromdate) * 1000 + (.time[20:23] | tonumber)) as \$t |
			\$t >= \$a and \$t < \$b) | .$3) | add // 0"
}
for k in "${kinds[@]}"; do
	IFS='|' read -r name file text <<<"$k"
	[ -w "$file" ] || { echo "no $file: $name left out"; continue; }
	for try in 1 2 3 4 5; do
		st=$(sock_cmd probe "settle 220")
		[ "$(jq .settled <<<"$st")" = true ] ||
			skip "$name: other uevents on this machine never paused for 220 ms in 10 s: no round to compare"
		t0=$(($(now_ms) - 100)) t1=99999999999999
		ev0=$(jq .events <<<"$st") mk0=$(jq .marked <<<"$st") ch0=$(jq .charge <<<"$st")
		emit $N "$file" "$text"
		have_ours() { [ "$(bursts_in "$t0" "$t1" events)" -ge $N ]; }
		wait_for 30 have_ours || fail "$name: no burst lines of $N events"
		st=$(sock_cmd probe "settle 220")
		[ "$(jq .settled <<<"$st")" = true ] ||
			skip "$name: other uevents on this machine never paused for 220 ms in 10 s: no round to compare"
		t1=$(($(now_ms) - 100))
		ev=$(($(jq .events <<<"$st") - ev0)) mk=$(($(jq .marked <<<"$st") - mk0))
		kernel=$(($(jq .charge <<<"$st") - ch0))
		[ "$mk" -eq $N ] || fail "$name: the probe got $mk of the $N events written"
		caught_up() { [ "$(bursts_in "$t0" "$t1" events)" -ge "$ev" ]; }
		wait_for 5 caught_up # the last burst's line comes once its gap has passed
		got=$(bursts_in "$t0" "$t1" bytes) seen=$(bursts_in "$t0" "$t1" events)
		[ "$seen" -eq "$ev" ] && break
		echo "$name: other uevents crossed the round (monitor $seen, probe $ev events): again"
		[ $try -lt 5 ] || fail "$name: other uevents on this machine crossed the round 5 times"
	done
	[ "$ev" -eq $N ] || echo "$name: $((ev - N)) other uevents in the round, charged as well"
	echo "$name: nltune charged $((got / ev)) B/event, the kernel queued $((kernel / ev)) B/event"
	awk -v a="$got" -v b="$kernel" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d * 10 <= b) }' ||
		fail "$name: charged $got vs kernel $kernel: more than 10% apart"
done
[ "$(jq .drops <<<"$(sock_cmd probe stat)")" -eq 0 ] || fail "the probe dropped events"
pass "charge per event within 10% of SO_MEMINFO for ${#kinds[@]} kinds of event"
