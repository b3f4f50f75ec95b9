#!/bin/bash
# SPDX-License-Identifier: MIT
# A busy host: 20,000 netlink sockets in 1,000 processes plus 100 network namespaces with their
# own uevent listeners. Every at-risk and dropping socket is listed (paged, never cut) with its
# owner; the rmem_default cause is one alert; a drop burst on thousands of sockets logs a bounded
# number of lines; a flood of short-lived SO_RCVBUF 1024 listeners from an unprivileged user
# pushes no earlier critical alert out of ListAlerts.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon busctl setpriv cc jq; do
	command -v $t >/dev/null || fail "$t missing (tests/deps.sh installs it)"
done
PROCS=1000 PER=20 NS=100
need_netns "listeners in $NS network namespaces"

chmod 711 "$TMP"
cc -std=gnu11 -O2 -D_GNU_SOURCE "$REPO/tests/bench/nlhold.c" -o "$TMP/nlhold" || fail "cannot build nlhold"
chmod 755 "$TMP/nlhold"
# hold NAME PROCS PER [FLAGS] [setpriv args...]: nlhold until its fifo closes; pid in NAME_pid
hold() {
	local name=$1 procs=$2 per=$3 flags=${4:-}
	shift 4
	mkfifo "$TMP/$name.in"
	"$@" "$TMP/nlhold" "$procs" "$per" "$flags" < "$TMP/$name.in" > "$TMP/$name.out" 2>&1 &
	PIDS+=($!)
	eval "${name}_pid=$!"
	eval "exec {${name}_fd}>\"$TMP/$name.in\""
	wait_for 60 grep -q '^ready' "$TMP/$name.out" || fail "$name: $(cat "$TMP/$name.out")"
}
unhold() { # unhold NAME: close its fifo, wait for it (its children die with it)
	local fdv="${1}_fd" pidv="${1}_pid"
	eval "exec ${!fdv}>&-"
	wait "${!pidv}" 2>/dev/null
	rm -f "$TMP/$1.in"
}

SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
call() { busctl --system --json=short -- call org.nltune1 /org/nltune1 org.nltune1.Manager "$@"; }
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
scan-interval = 1000
alerts { interval = 60s }
CONF
NL() { "$NLTUNE" -c "$TMP/nltune.conf" "$@"; }

t0=$SECONDS
# The bus first: a process started later inherits the holders' fifos and would keep them open.
start_bus strict "$SOCK"
hold big $PROCS $PER "" env
hold ns $NS 1 n env
echo "held: $(cat "$TMP/big.out") and $(cat "$TMP/ns.out") in own namespaces ($((SECONDS - t0)) s)"
# The name first, then the work: the first scan of 20,000 sockets waits for the bus name.
s0=$(date +%s%N)
"$NLTUNED" -c "$TMP/nltune.conf" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
named() { busctl --system status org.nltune1 > /dev/null 2>&1; }
wait_for 10 named || fail "nltuned not on the bus: $(cat "$TMP/d.err")"
ms=$((($(date +%s%N) - s0) / 1000000))
echo "nltuned took its name $ms ms after its start, beside $((PROCS * PER)) sockets"
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned did not say it serves: $(cat "$TMP/d.err")"
# The order, not the time: no alert of the first scan came before the name.
first=$(grep -n -m1 -E "serving org.nltune1|alert #" "$TMP/d.err")
[[ $first == *"serving org.nltune1"* ]] || fail "the first scan ran before the name was taken: $first"

# --- listed with owners: the daemon's pages against a local scan of the same moment ----------------
mine=$(stat -L -c %i /proc/self/ns/net)
problems() { # the nlhold problem sockets of a sockets --json array, as "inode pid" lines
	jq -r '.[] | select(.comm == "nlhold" and .verdict != "ok") | "\(.inode) \(.pids[0] // 0)"' "$1" | sort
}
listed() {
	NL sockets --all --protocol 15 --json > "$TMP/u.json" &&
		[ "$(jq '[.[] | select(.comm == "nlhold" and .netns != '"$mine"')] | length' "$TMP/u.json")" -ge $NS ]
}
wait_for 20 listed || fail "nltuned lists $(jq '[.[] | select(.netns != '"$mine"')] | length' "$TMP/u.json" 2>/dev/null) listeners in other namespaces, want $NS"
# A sock_diag dump is not atomic: one that ran while the kernel resized its table may miss
# sockets, and the next scan has them. So the two views are compared until a moment they agree.
same() {
	NL sockets --json > "$TMP/d.json" || fail "sockets"
	NL sockets --json --no-daemon > "$TMP/l.json" || fail "sockets --no-daemon"
	problems "$TMP/d.json" > "$TMP/d.txt"
	problems "$TMP/l.json" > "$TMP/l.txt"
	diff "$TMP/d.txt" "$TMP/l.txt" > /dev/null
}
wait_for 15 same || fail "daemon and local scan differ: $(diff "$TMP/d.txt" "$TMP/l.txt" | head -5)"
nd=$(wc -l < "$TMP/d.txt") nl=$(wc -l < "$TMP/l.txt")
echo "problem sockets of nlhold: daemon $nd, local $nl (of $(jq length "$TMP/d.json") listed)"
[ "$nl" -ge $((PROCS * 2)) ] || fail "only $nl nlhold sockets need attention: want the $((PROCS * 2)) SO_RCVBUF 1024 listeners at least"
! grep -q ' 0$' "$TMP/d.txt" || fail "$(grep -c ' 0$' "$TMP/d.txt") problem sockets listed without an owner"
nsn=$(jq '[.[] | select(.comm == "nlhold" and .netns != '"$mine"' and (.pids | length) > 0) | .netns] | unique | length' "$TMP/u.json")
[ "$nsn" -eq $NS ] || fail "listeners of $nsn namespaces listed with their owners, want $NS"
# Paging says what it did not return.
p=$(call ListSocketsPage suituu problem 0 -1 0 0 10)
[ "$(jq '.data[0] | length' <<<"$p")" -eq 10 ] || fail "a page of 10 holds $(jq '.data[0] | length' <<<"$p")"
[ "$(jq '.data[1]' <<<"$p")" -eq "$(jq length "$TMP/d.json")" ] || fail "total $(jq '.data[1]' <<<"$p") != listed"
call ListSocketsPage suituu bogus 0 -1 0 0 0 2>&1 | grep -q "is none of" || fail "bad verdict accepted"
# Filters: one process's sockets, one namespace's.
pid1=$(jq '[.[] | select(.comm == "nlhold" and .netns == '"$mine"')][0].pids[0]' "$TMP/d.json")
# A dump may miss a socket while the kernel resizes its table; the next scan has it again.
all_of_pid() { n1=$(NL sockets --all --pid "$pid1" --json | jq length) && [ "$n1" -eq $PER ]; }
wait_for 5 all_of_pid || fail "--pid $pid1 lists $n1 sockets, it holds $PER"
ns1=$(jq '[.[] | select(.netns != '"$mine"' and .comm == "nlhold")][0].netns' "$TMP/u.json")
[ "$(NL sockets --all --netns "$ns1" --protocol 15 --json | jq '[.[] | select(.comm == "nlhold")] | length')" -eq 1 ] ||
	fail "--netns $ns1 --protocol 15 does not list its one listener"
pass "$nd problem sockets listed with owners, $NS namespaces, paged and filtered ($((SECONDS - t0)) s)"

# --- one alert for the rmem_default cause -----------------------------------------------------------
call ListAlerts > "$TMP/a0.json"
kinds() { jq -r '[.data[0][] | .kind.data] | group_by(.) | map("\(.[0]) \(length)") | .[]' "$1"; }
echo "alerts after the first scan: $(kinds "$TMP/a0.json" | tr '\n' ' ')"
if [ "$(jq '[.[] | select(.comm == "nlhold" and .limit == "default" and .verdict == "at-risk")] | length' "$TMP/d.json")" -gt 0 ]; then
	n=$(jq '[.data[0][] | select(.kind.data == "rmem-default-low")] | length' "$TMP/a0.json")
	[ "$n" -eq 1 ] || fail "$n rmem-default-low alerts for one cause"
	jq -r '.data[0][] | select(.kind.data == "rmem-default-low") | .message.data' "$TMP/a0.json" |
		grep -q "nltune apply" || fail "the rmem-default-low alert does not say nltune apply"
fi
[ "$(jq '[.data[0][] | select(.kind.data == "socket-at-risk")] | length' "$TMP/a0.json")" -eq 0 ] || fail "per-socket at-risk alerts"

# --- a drop burst on thousands of sockets: the log stays bounded ---------------------------------
lines0=$(grep -c "alert #" "$TMP/d.err")
emit 5
# one alert per socket for the first 64 of a scan, one more counting the rest
dropped() { call ListAlerts | jq -e '[.data[0][] | select(.kind.data == "socket-drops")] | length >= 60' > /dev/null; }
wait_for 15 dropped || fail "no socket-drops alerts after the burst"
sleep 1.5 # the scans that follow the burst
lines=$(($(grep -c "alert #" "$TMP/d.err") - lines0))
nd=$(NL sockets --json --verdict dropping | jq length)
echo "burst: $nd sockets dropping, $lines alert lines logged"
[ "$nd" -ge 500 ] || fail "only $nd sockets dropped"
[ "$lines" -le 25 ] || fail "$lines alert lines logged for one burst (the budget is 20 a minute)"

# --- an unprivileged flood of short-lived SO_RCVBUF 1024 listeners --------------------------------
call ListAlerts > "$TMP/a1.json"
jq -r '.data[0][] | select(.severity.data == "critical") | .id.data' "$TMP/a1.json" | sort > "$TMP/crit.txt"
[ -s "$TMP/crit.txt" ] || fail "no critical alert before the flood"
minimum() { NL sockets --json --verdict at-risk | jq '[.[] | select(.limit == "minimum")] | length'; }
m0=$(minimum)
for round in 1 2 3; do
	hold flood 300 1 s setpriv --reuid=nobody --regid=nogroup --clear-groups
	seen() { [ "$(minimum)" -ge $((m0 + 300)) ]; }
	wait_for 10 seen || fail "round $round: the flood's 300 listeners are not listed at risk: $(minimum) at risk with limit minimum, $m0 before"
	unhold flood
done
call ListAlerts > "$TMP/a2.json"
jq -r '.data[0][] | select(.severity.data == "critical") | .id.data' "$TMP/a2.json" | sort > "$TMP/crit2.txt"
gone=$(comm -23 "$TMP/crit.txt" "$TMP/crit2.txt" | wc -l)
# Other uevent traffic on the machine may raise newer critical alerts, which replace older ones:
# only they may have taken the place of the ones gone, never the flood's warnings.
last=$(sort -n "$TMP/crit.txt" | tail -1)
newer=$(awk -v l="$last" '$1 > l' "$TMP/crit2.txt" | wc -l)
nob=$(jq '[.data[0][] | select(.kind.data == "process-buffer")] | length' "$TMP/a2.json")
echo "flood: 900 short-lived listeners seen; $nob process-buffer alerts kept, $gone of $(wc -l < "$TMP/crit.txt") earlier critical alerts gone, $newer newer critical ones"
[ "$gone" -le "$newer" ] || fail "the flood pushed $((gone - newer)) critical alerts out of ListAlerts"
lines=$(grep -c "alert #.*process-buffer" "$TMP/d.err")
budget=$((20 * (1 + (SECONDS - t0) / 60))) # 20 a minute in all (nltuned ran for less than this)
[ "$lines" -le $budget ] || fail "$lines process-buffer lines logged, more than $budget: $(grep "alert #.*process-buffer" "$TMP/d.err" | tail -3)"

kill -TERM $d
wait $d || fail "nltuned exited $?"
unhold ns
unhold big
pass "drop burst on $nd sockets: bounded log; flood kept out of the critical alerts ($((SECONDS - t0)) s)"
