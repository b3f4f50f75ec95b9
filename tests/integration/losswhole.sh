#!/bin/bash
# SPDX-License-Identifier: MIT
# A loss is said whole: a listener with SO_RCVBUF 1024 drops uevents in bursts spread over 1.5 s,
# longer than a scan (200 ms) and shorter than the alert interval (10 s). Once its drops stop
# rising and one more scan ran, the socket-drops alerts about its socket in ListAlerts add up to
# its own SO_MEMINFO drop counter (which counts other uevents of the machine too), in more than
# one alert: the first one, said while the bursts were still coming, and what followed it.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon busctl jq; do
	command -v $t > /dev/null || fail "$t missing (tests/deps.sh installs it)"
done

SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
scan-interval = 200
alerts { interval = 10000 }
CONF
start_bus strict "$SOCK"
start_sock victim --rcvbuf 1024 --comm lossvictim
inode=$(for f in /proc/"$victim_pid"/fd/*; do readlink "$f"; done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | head -n 1)
[ -n "$inode" ] || fail "no socket inode for the listener $victim_pid"
"$NLTUNED" -c "$TMP/nltune.conf" 2> "$TMP/d.err" &
PIDS+=($!)
named() { busctl --system status org.nltune1 > /dev/null 2>&1; }
wait_for 10 named || fail "nltuned not on the bus: $(cat "$TMP/d.err")"
call() { busctl --system --json=short -- call org.nltune1 /org/nltune1 org.nltune1.Manager "$@"; }

# Three bursts, 650 ms apart: scans see the drops rise, stop, and rise again.
for b in 1 2 3; do
	[ $b -eq 1 ] || sleep 0.65
	emit 40
done
counter() { jq .drops <<<"$(sock_cmd victim stat)"; }
still() { # the drops did not rise for 500 ms
	local d0
	d0=$(counter)
	sleep 0.5
	[ "$(counter)" -eq "$d0" ]
}
wait_for 20 still || fail "the listener's drops kept rising"
t_still=$(date +%s%N)

# The socket-drops alerts about the listener's socket, as "drops id" lines.
about() { jq -r --argjson i "$inode" '.data[0][] | select(.kind.data == "socket-drops" and .inode.data == $i) | "\(.drops.data) \(.id.data)"' "$TMP/a.json"; }
whole() {
	call ListAlerts > "$TMP/a.json" || return 1
	sum=$(about | awk '{ s += $1 } END { print s + 0 }')
	n=$(about | wc -l)
	drops=$(counter)
	[ "$sum" -eq "$drops" ]
}
wait_for 12 whole || fail "the alerts about socket $inode say $sum drops in $n alerts, its counter says $drops: $(grep "socket $inode" "$TMP/d.err")"
ms=$((($(date +%s%N) - t_still) / 1000000))
echo "socket $inode: $drops drops, said by $n alerts $ms ms after they stopped rising:"
grep "socket-drops: .*socket $inode" "$TMP/d.err" | sed 's/^/  /'
[ "$drops" -ge 3 ] || fail "the listener dropped only $drops events"
[ "$n" -ge 2 ] || fail "one alert said the whole loss: the first scan came after every burst, nothing was held back"
grep "socket-drops: .*socket $inode" "$TMP/d.err" | grep -q "more netlink messages, $drops in all since alert #" ||
	fail "no alert line says the loss in all ($drops)"
# A rest per burst (ALERTS_RESTS_MAX = 4 an interval): with three bursts none waits for the
# interval's end. Other uevents on the machine may make more bursts; then one may wait.
if [ "$ms" -gt 2000 ]; then
	[ "$n" -ge 6 ] || fail "the loss was said $ms ms after its drops stopped, in $n alerts: not within a scan"
	echo "note: other uevents made more bursts than the rests an interval lets by: said at the interval's end"
fi
[ "$n" -le 8 ] || fail "$n alerts about one socket within one alert interval"
pass "a loss of $drops messages over 3 bursts is said whole by $n alerts, $ms ms after the drops stopped"
