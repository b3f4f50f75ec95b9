#!/bin/bash
# SPDX-License-Identifier: MIT
# nltuned under a service manager's eyes: sd_notify READY/STATUS/WATCHDOG, the burst log lines,
# alerts in the journal, and this boot's peaks saved on SIGTERM.
. "$(dirname "$0")/../lib.sh"
need_root

"$NLTUNE_BUILD/tests/helpers/notifysock" "$TMP/notify" > "$TMP/notify.out" &
PIDS+=($!)
wait_for 5 test -S "$TMP/notify" || fail "notify socket missing"
printf 'state-dir = "%s/state"\nscan-interval = 300\nalerts { interval = 60s }\n' "$TMP" > "$TMP/c.conf"
NOTIFY_SOCKET=$TMP/notify WATCHDOG_USEC=200000 "$NLTUNED" -c "$TMP/c.conf" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 5 grep -q '^READY=1' "$TMP/notify.out" || fail "no READY=1: $(cat "$TMP/notify.out")"
wait_for 5 grep -q '^WATCHDOG=1' "$TMP/notify.out" || fail "no WATCHDOG=1"
emit 300
wait_for 5 grep -q 'burst: 300 events' "$TMP/d.err" || fail "no burst line: $(cat "$TMP/d.err")"
wait_for 5 grep -q '^STATUS=.*300 uevents' "$TMP/notify.out" || fail "STATUS= does not count the burst: $(grep STATUS "$TMP/notify.out" | tail -1)"
[ "$(grep -c 'burst:' "$TMP/d.err")" -eq 1 ] || fail "one burst logged as several lines"

start_sock victim --rcvbuf 1024
emit 20
wait_for 5 grep -q "alert #[0-9]* socket-drops: uevsock\[$victim_pid\] lost" "$TMP/d.err" || fail "no alert line"
grep "socket-drops: uevsock\[$victim_pid\]" "$TMP/d.err" | grep -q "nltune fix $victim_pid" || fail "the alert does not say what to do"

kill -TERM $d
wait $d || fail "nltuned exited $?"
grep -q '^STOPPING=1' "$TMP/notify.out" || fail "no STOPPING=1"
grep -q "totals: 320 events" "$TMP/d.err" || fail "totals line: $(grep totals "$TMP/d.err")"
boot=$(cat /proc/sys/kernel/random/boot_id)
# boot <id> <peak_events> <peak_bytes> <window_ms> <total_events> <updated>
awk -v b="$boot" '$1 == "boot" && $2 == b && $3 >= 300 && $4 >= 300 * 832 && $6 == 320 { ok = 1 } END { exit !ok }' \
	"$TMP/state/state" || fail "this boot's peaks not saved: $(cat "$TMP/state/state")"

# --- autofix and the node_exporter textfile ----------------------------------------------------
printf 'state-dir = "%s/state"\nscan-interval = 200\nautofix = true\nmetrics-file = "%s/nltune.prom"\n' \
	"$TMP" "$TMP" > "$TMP/fix.conf"
start_sock tiny --rcvbuf 1024
"$NLTUNED" -c "$TMP/fix.conf" 2> "$TMP/f.err" &
f=$!
PIDS+=($f)
fixed() { [ "$(jq .rcvbuf <<<"$(sock_cmd tiny stat)")" -gt 2304 ]; }
wait_for 10 fixed || fail "autofix left the 1024-byte socket alone: $(sock_cmd tiny stat); $(cat "$TMP/f.err")"
grep -q "autofix: uevsock\[$tiny_pid\]" "$TMP/f.err" || fail "autofix not logged"
wait_for 5 test -s "$TMP/nltune.prom" || fail "no metrics file"
grep -q '^nltune_rmem_default_bytes [0-9]' "$TMP/nltune.prom" || fail "metrics file lacks nltune_rmem_default_bytes"
grep -q "^nltune_socket_info{.*pid=\"$tiny_pid\"" "$TMP/nltune.prom" || fail "metrics file lacks the socket"
if command -v promtool >/dev/null; then
	promtool check metrics < "$TMP/nltune.prom" || fail "promtool check metrics complains about the textfile"
else
	fail "promtool missing (tests/deps.sh installs prometheus)"
fi
ls "$TMP" | grep -q 'nltune.prom.' && fail "a metrics temp file was left behind"
kill -TERM $f
wait $f || fail "nltuned exited $?"
pass "sd_notify, burst and alert lines, state saved on SIGTERM, autofix, metrics file"
