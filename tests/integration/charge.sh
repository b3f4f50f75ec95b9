#!/bin/bash
# SPDX-License-Identifier: MIT
# The charge per event against the kernel's own accounting: for events of several sizes, what
# nltune monitor charges matches the growth of an unread socket's queue (SO_MEMINFO) within 10%.
. "$(dirname "$0")/../lib.sh"
need_root

start_sock probe --force 67108864
"$NLTUNE" -c /dev/null monitor --json > "$TMP/mon.out" 2> "$TMP/mon.err" &
mon=$!
PIDS+=($mon)
wait_for 5 grep -q listening "$TMP/mon.err" || fail "monitor did not start"

uuid=00000000-0000-0000-0000-000000000000
pad() { printf 'K%.0s' $(seq "$1"); }
kinds=(
	"lo|/sys/class/net/lo/uevent|change"
	"null|/sys/devices/virtual/mem/null/uevent|change"
	"long-400|/sys/class/net/lo/uevent|change $uuid LONG=$(pad 400)"
	"long-1000|/sys/class/net/lo/uevent|change $uuid LONG=$(pad 1000)"
	"long-1800|/sys/class/net/lo/uevent|change $uuid LONG=$(pad 1800)"
)
N=20
prev=$(jq .rmem_alloc <<<"$(sock_cmd probe stat)")
for k in "${kinds[@]}"; do
	IFS='|' read -r name file text <<<"$k"
	[ -w "$file" ] || { echo "no $file: $name left out"; continue; }
	bursts=$(grep -c '"type":"burst"' "$TMP/mon.out")
	emit $N "$file" "$text"
	ended() { [ "$(grep -c '"type":"burst"' "$TMP/mon.out")" -gt "$bursts" ]; }
	wait_for 10 ended || fail "$name: no burst line"
	line=$(grep '"type":"burst"' "$TMP/mon.out" | tail -n 1)
	[ "$(jq .events <<<"$line")" -eq $N ] || fail "$name: burst of $(jq .events <<<"$line") events, wrote $N"
	got=$(jq .bytes <<<"$line")
	now=$(jq .rmem_alloc <<<"$(sock_cmd probe stat)")
	kernel=$((now - prev))
	prev=$now
	echo "$name: nltune charged $((got / N)) B/event, the kernel queued $((kernel / N)) B/event"
	awk -v a="$got" -v b="$kernel" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d * 10 <= b) }' ||
		fail "$name: charged $got vs kernel $kernel: more than 10% apart"
done
[ "$(jq .drops <<<"$(sock_cmd probe stat)")" -eq 0 ] || fail "the probe dropped events"
pass "charge per event within 10% of SO_MEMINFO for ${#kinds[@]} kinds of event"
