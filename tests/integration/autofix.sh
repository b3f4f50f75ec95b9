#!/bin/bash
# SPDX-License-Identifier: MIT
# autofix's log lines are bounded like alert lines: with 14 listeners of 1024 bytes the log
# names 10 of them within the minute, while every one is raised.
. "$(dirname "$0")/../lib.sh"
need_root

n=14
for ((i = 0; i < n; i++)); do start_sock "s$i" --rcvbuf 1024 --comm nltfix$i; done
printf 'state-dir = "%s/state"\nscan-interval = 200\nautofix = true\n' "$TMP" > "$TMP/c.conf"
"$NLTUNED" -c "$TMP/c.conf" 2> "$TMP/d.err" &
PIDS+=($!)
raised() {
	local i
	for ((i = 0; i < n; i++)); do
		[ "$(jq .rcvbuf <<<"$(sock_cmd "s$i" stat)")" -gt 2304 ] || return 1
	done
}
wait_for 20 raised || fail "autofix did not raise all $n sockets: $(cat "$TMP/d.err")"
sleep 1 # a few more scans: nothing more may be logged
# Only our sockets (comm nltfix*) are counted: others on this machine may be fixed too.
logged=$(grep -c 'autofix: nltfix[0-9]*\[' "$TMP/d.err")
total=$(grep -c 'autofix\( of\)\?: ' "$TMP/d.err")
[ "$logged" -ge 1 ] || fail "no autofix line: $(cat "$TMP/d.err")"
[ "$total" -le 10 ] || fail "$total autofix lines within a minute, the budget is 10: $(grep autofix "$TMP/d.err")"
[ "$logged" -lt "$n" ] || fail "every one of $n sockets logged: $(grep autofix "$TMP/d.err")"
pass "autofix raised $n sockets and logged $total lines (at most 10 a minute)"
