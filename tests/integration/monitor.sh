#!/bin/bash
# SPDX-License-Identifier: MIT
# nltune monitor on the real kernel: every event written is counted, bytes match SO_MEMINFO.
# Other uevents on the machine may join: a witness counts them, and the figures allow for them.
. "$(dirname "$0")/../lib.sh"
need_root

NLO=2000 NBIG=100
big=/sys/devices/system/cpu/cpu0/uevent
bigsub=cpu
if [ ! -w "$big" ]; then
	big=/sys/class/net/lo/uevent bigsub=net
fi

# The probe: an unread socket with room for everything; its queue is the kernel's own charge.
start_sock probe --force 67108864
start_witness w

"$NLTUNE" -c /dev/null monitor --json > "$TMP/mon.out" 2> "$TMP/mon.err" &
mon=$!
PIDS+=($mon)
wait_for 5 grep -q listening "$TMP/mon.err" || fail "monitor did not start: $(cat "$TMP/mon.err")"

emit $NLO
if [ "$bigsub" = cpu ]; then
	emit $NBIG "$big"
else
	long=$(printf 'X%.0s' $(seq 900))
	emit $NBIG "$big" "change $MARK BIG=$long"
fi
want=$((NLO + NBIG))

burst_sum() { jq -s '[.[] | select(.type=="burst") | .events] | add // 0' "$TMP/mon.out"; }
have_all() { [ "$(burst_sum)" -ge $want ]; }
wait_for 20 have_all || fail "monitor saw $(burst_sum) of $want events"
kill -TERM $mon
wait $mon || fail "monitor exited $?"
witness w
[ "$w_mine" -eq $want ] || fail "the witness heard $w_mine of the $want events this test sent"

probe=$(sock_cmd probe stat)
totals=$(jq -c 'select(.type=="totals")' "$TMP/mon.out")
echo "probe:  $probe"
echo "totals: $totals"
[ -n "$totals" ] || fail "no totals line"

events=$(jq .events <<<"$totals")
bytes=$(jq .bytes <<<"$totals")
drops=$(jq .own_drops <<<"$totals")
qbytes=$(jq .rmem_alloc <<<"$probe")
pdrops=$(jq .drops <<<"$probe")

[ "$pdrops" -eq 0 ] || fail "the probe itself dropped $pdrops events"
[ "$events" -ge $want ] && [ "$events" -le $((want + w_others)) ] ||
	fail "totals.events=$events, wrote $want ($w_others other events on the machine meanwhile)"
[ "$drops" -eq 0 ] || fail "monitor lost $drops events"
nnet=$(jq -s '[.[] | select(.type=="burst") | .subsystems.net // 0] | add' "$TMP/mon.out")
if [ "$bigsub" = cpu ]; then
	ncpu=$(jq -s '[.[] | select(.type=="burst") | .subsystems.cpu // 0] | add' "$TMP/mon.out")
	[ "$nnet" -ge $NLO ] && [ "$nnet" -le $((NLO + w_others)) ] && [ "$ncpu" -ge $NBIG ] &&
		[ "$ncpu" -le $((NBIG + w_others)) ] || fail "subsystems net=$nnet cpu=$ncpu ($w_others others)"
else
	[ "$nnet" -ge $want ] && [ "$nnet" -le $((want + w_others)) ] || fail "subsystems net=$nnet ($w_others others)"
fi
# Charged bytes within 10% of what the kernel charged the unread probe.
awk -v a="$bytes" -v b="$qbytes" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d * 10 <= b) }' ||
	fail "charged bytes $bytes vs probe's queue $qbytes: more than 10% apart"
# --for ends it by itself, with a totals line.
timeout 10 "$NLTUNE" -c /dev/null monitor --json --for 0.3 > "$TMP/for.out" 2>/dev/null ||
	fail "monitor --for 0.3 did not end cleanly"
[ "$(jq -s '[.[] | select(.type == "totals")] | length' "$TMP/for.out")" -eq 1 ] || fail "monitor --for: no totals line"
pass "monitor counted $events events ($want sent, $w_others others), $bytes bytes (kernel queue $qbytes)"
