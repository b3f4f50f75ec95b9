#!/bin/bash
# SPDX-License-Identifier: MIT
# A restart beside many programs whose uevent sockets keep the kernel's floor: the first scan
# raises an alert per process, more than nltuned's write queue holds while it is still joining
# the bus. nltuned takes its name first, and then every alert of that scan reaches a listener
# of the Alert signal; killed and started again, it does the same.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon dbus-monitor busctl cc jq; do
	command -v $t >/dev/null || fail "$t missing (tests/deps.sh installs it)"
done
PROCS=150 # over the 64 messages the write queue holds before nltuned stops reading

cc -std=gnu11 -O2 -D_GNU_SOURCE "$REPO/tests/bench/nlhold.c" -o "$TMP/nlhold" || fail "cannot build nlhold"
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
start_bus strict "$SOCK"
mkfifo "$TMP/hold.in"
# One uevent listener bound to group 1 with SO_RCVBUF 1024 in each process.
"$TMP/nlhold" $PROCS 1 s < "$TMP/hold.in" > "$TMP/hold.out" 2>&1 &
holder=$!
PIDS+=($holder)
exec {hold_fd}>"$TMP/hold.in"
wait_for 30 grep -q '^ready' "$TMP/hold.out" || fail "nlhold: $(cat "$TMP/hold.out")"
CLEANUPS+=("exec {hold_fd}>&-")
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
scan-interval = 1000
alerts { interval = 60s }
CONF

# run N: start nltuned with a fresh signal listener, check the name and the alerts it signals.
run() {
	local n=$1 mon d named_at start
	dbus-monitor --system "type='signal',interface='org.nltune1.Manager',member='Alert'" \
		> "$TMP/mon$n.txt" 2>&1 &
	mon=$!
	PIDS+=($mon)
	# dbus-monitor hears its own NameLost once it became a monitor: from then on it hears all.
	wait_for 5 grep -q "member=NameLost" "$TMP/mon$n.txt" || fail "dbus-monitor: $(cat "$TMP/mon$n.txt")"
	start=$SECONDS
	"$NLTUNED" -c "$TMP/nltune.conf" 2> "$TMP/d$n.err" &
	d=$!
	PIDS+=($d)
	named() { busctl --system status org.nltune1 > /dev/null 2>&1; }
	# Before, the write queue filled with the first scan's signals while the connection was
	# still authenticating, reading stopped, and the name came 10 s later, with the alerts lost.
	wait_for 5 named || fail "run $n: nltuned not on the bus within 5 s: $(grep -v 'alert #' "$TMP/d$n.err")"
	named_at=$((SECONDS - start))
	first=$(grep -n -m1 -E "serving org.nltune1|alert #" "$TMP/d$n.err")
	[[ $first == *"serving org.nltune1"* ]] || fail "run $n: an alert came before the name: $first"
	procbuf() { busctl --system --json=short call org.nltune1 /org/nltune1 org.nltune1.Manager \
		ListAlerts | jq '[.data[0][] | select(.kind.data == "process-buffer" and .comm.data == "nlhold") | .id.data] | sort'; }
	many() { [ "$(procbuf | jq length)" -ge $PROCS ]; }
	wait_for 20 many || fail "run $n: $(procbuf | jq length) process-buffer alerts about nlhold, want $PROCS"
	procbuf | jq -r '.[]' > "$TMP/kept$n.txt"
	# Every kept alert was signalled: its id is in what the listener heard.
	signalled() {
		awk '/string "id"/ { getline; if ($1 == "variant") print $3 }' "$TMP/mon$n.txt" | sort -n > "$TMP/heard$n.txt"
		[ -z "$(comm -23 <(sort "$TMP/kept$n.txt") <(sort "$TMP/heard$n.txt"))" ]
	}
	wait_for 10 signalled || fail "run $n: $(comm -23 <(sort "$TMP/kept$n.txt") <(sort "$TMP/heard$n.txt") | wc -l) of $(wc -l < "$TMP/kept$n.txt") process-buffer alerts never signalled"
	! grep -q "has not taken nltuned's messages" "$TMP/d$n.err" || fail "run $n: nltuned reconnected: $(grep "has not taken" "$TMP/d$n.err")"
	pass "run $n: on the bus after ${named_at}s, before its first scan; $(wc -l < "$TMP/kept$n.txt") process-buffer alerts all signalled"
	kill -TERM $d
	wait $d || fail "run $n: nltuned exited $?"
	kill $mon 2>/dev/null
	wait $mon 2>/dev/null || true
}
run 1
run 2 # a restart: the state file from run 1 is there
