#!/bin/bash
# SPDX-License-Identifier: MIT
# What an unprivileged user can plant or send: hostile process names, malformed and oversized
# /proc/net/netlink, FIFOs where files belong, signals during start, temp files of killed saves,
# symlinks in world-writable directories, processes that cannot be looked at, bad options.
. "$(dirname "$0")/../lib.sh"
need_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/no-bus # nltuned measures without a bus
chmod 755 "$TMP"
printf 'state-dir = "%s/state"\nscan-interval = 200\nalerts { interval = 60s }\n' "$TMP" > "$TMP/c.conf"
NL() { "$NLTUNE" -c "$TMP/c.conf" "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# A fake /proc: sysctls, meminfo, boot id, and net/netlink as given on stdin.
fake_proc() {
	local d=$1
	mkdir -p "$d/sys/net/core" "$d/sys/kernel/random" "$d/net"
	cat /proc/sys/net/core/rmem_default > "$d/sys/net/core/rmem_default"
	cat /proc/sys/net/core/rmem_max > "$d/sys/net/core/rmem_max"
	cp /proc/meminfo "$d/meminfo"
	cp /proc/sys/kernel/random/boot_id "$d/sys/kernel/random/boot_id"
	cat > "$d/net/netlink"
}
HDR='sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode'
row() { printf '%016x %-3d %-10d %08x %-8d %-8d %-5d %-8d %-8d %d\n' $((0xffff000000 + $1)) 15 "$1" 1 0 0 0 2 0 "$1"; }

# --- 2. one sanitizer: a comm with a newline and a forged priority, ESC and BEL --------------
: > "$TMP/d.err"
"$NLTUNED" -c "$TMP/c.conf" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q 'measuring uevent bursts' "$TMP/d.err" || fail "nltuned did not start: $(cat "$TMP/d.err")"
start_sock evil --rcvbuf 1024 --comm $'x\n<0>FAKE: root'
emit 20
wait_for 10 grep -q "FAKE: root\[$evil_pid\]" "$TMP/d.err" || fail "no alert naming the process: $(cat "$TMP/d.err")"
grep -q '^<0>FAKE' "$TMP/d.err" && fail "a process name started a log line of its own: $(grep -A1 'x$' "$TMP/d.err")"
grep -q "x?<0>FAKE: root\[$evil_pid\]" "$TMP/d.err" || fail "the newline is not shown as '?': $(grep FAKE "$TMP/d.err")"
kill -TERM $d
wait $d || fail "nltuned exited $?"
start_sock esc --rcvbuf 1024 --comm $'\e]0;T\a\e[2J'
evil_pid=$esc_pid
NL explain "$evil_pid" > "$TMP/explain.txt" || fail "explain failed"
LC_ALL=C grep -q $'[\001-\010\013-\037\177]' "$TMP/explain.txt" && fail "explain printed control bytes: $(od -c "$TMP/explain.txt" | head -3)"
grep -q "^?\]0;T??\[2J\[$evil_pid\]" "$TMP/explain.txt" || fail "explain header: $(head -1 "$TMP/explain.txt")"
pass "process names sanitized in nltuned's log and in explain"

# --- 3. fix / explain of a process that does not exist or cannot be looked at ----------------
NL fix 4000000 > "$TMP/out" 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "fix of a missing pid: exit $rc: $(cat "$TMP/out" "$TMP/err")"
grep -q "no process 4000000" "$TMP/err" || fail "fix of a missing pid: $(cat "$TMP/err")"
NL explain 4000000 2> "$TMP/err"
[ $? -eq 1 ] && grep -q "no process 4000000" "$TMP/err" || fail "explain of a missing pid: $(cat "$TMP/err")"
for cmd in fix explain; do
	as_nobody "$NLTUNE" -c /dev/null --state-dir "$TMP/none" $cmd 1 > "$TMP/out" 2> "$TMP/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$cmd 1 as nobody: exit $rc: $(cat "$TMP/out" "$TMP/err")"
	grep -q "cannot look at the sockets of process 1: Permission denied" "$TMP/err" ||
		fail "$cmd 1 as nobody: $(cat "$TMP/out" "$TMP/err")"
done
pass "fix/explain fail when they cannot look"

# --- 4. /proc/net/netlink: malformed rows, header only, more rows than the limit -------------
printf '%s\n' "$HDR" "garbage" "1 2 3" "ffff 15 1 1 0 0 0 2 0 notanumber" | fake_proc "$TMP/bad"
NL --proc "$TMP/bad" status --no-daemon > "$TMP/out" 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "all rows malformed: exit $rc: $(cat "$TMP/out")"
grep -q "none of its 3 rows could be read" "$TMP/err" || fail "all rows malformed: $(cat "$TMP/err")"
{ echo "$HDR"; row 7001; echo "garbage"; row 7002; echo "1 2 3"; } | fake_proc "$TMP/some"
NL --proc "$TMP/some" status --json --no-daemon > "$TMP/out" 2> "$TMP/err"
rc=$? # 3: status found something that needs attention
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "some rows malformed: exit $rc: $(cat "$TMP/err")"
[ "$(jq .scan.bad_rows "$TMP/out")" = 2 ] || fail "bad_rows: $(jq -c .scan "$TMP/out")"
grep -q "2 malformed rows were not read" "$TMP/err" || fail "no warning of bad rows: $(cat "$TMP/err")"
NL --proc "$TMP/some" status --no-daemon 2> /dev/null | grep -q "warning: 2 malformed rows" ||
	fail "the status screen does not say rows were not read"
echo "$HDR" | fake_proc "$TMP/empty"
NL --proc "$TMP/empty" sockets --all --json --no-daemon > "$TMP/out" 2> "$TMP/err" ||
	fail "header-only table: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = "[]" ] || fail "header-only table: $(cat "$TMP/out")"
{ echo "$HDR"; for ((i = 1; i <= 100003; i++)); do row $((i + 10000)); done; } | fake_proc "$TMP/big"
NL --proc "$TMP/big" status --json --no-daemon > "$TMP/out" 2> "$TMP/err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "100003 rows: exit $rc: $(cat "$TMP/err")"
[ "$(jq .scan.rows_over_limit "$TMP/out")" = 3 ] || fail "rows over the limit: $(jq -c .scan "$TMP/out")"
grep -q "3 rows past the first 100000 were not looked at" "$TMP/err" || fail "no warning of rows past the limit: $(cat "$TMP/err")"
pass "malformed, missing and excess rows reported"

# --- 5. FIFOs where files belong: configuration, reload, <proc>/PID/comm ---------------------
mkfifo "$TMP/fifo.conf"
timeout 10 "$NLTUNED" -n -c "$TMP/fifo.conf" 2> "$TMP/err"
rc=$?
[ $rc -eq 78 ] || fail "nltuned -n with a FIFO as configuration: exit $rc"
grep -q "not a regular file" "$TMP/err" || fail "FIFO configuration: $(cat "$TMP/err")"
cp "$TMP/c.conf" "$TMP/r.conf"
# -v: a 30-event burst is below what nltuned logs by default; the line proves the loop runs.
: > "$TMP/r.err"
"$NLTUNED" -v -c "$TMP/r.conf" 2> "$TMP/r.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q 'measuring uevent bursts' "$TMP/r.err" || fail "nltuned did not start"
rm "$TMP/r.conf"
mkfifo "$TMP/r.conf"
kill -HUP $d
wait_for 5 grep -q "r.conf: cannot read: not a regular file.*keeping the configuration" "$TMP/r.err" ||
	fail "reload of a FIFO: $(cat "$TMP/r.err")"
emit 30
wait_for 5 grep -q 'burst: 30 events' "$TMP/r.err" || fail "the loop froze after reloading a FIFO"
kill -TERM $d
wait $d || fail "nltuned exited $?"
echo "$HDR" > "$TMP/fifoproc.netlink"
row 4242 >> "$TMP/fifoproc.netlink"
fake_proc "$TMP/fp" < "$TMP/fifoproc.netlink"
mkdir -p "$TMP/fp/4242/fd"
ln -s 'socket:[4242]' "$TMP/fp/4242/fd/3"
mkfifo "$TMP/fp/4242/comm"
for cmd in "status --no-daemon" "sockets --all --json --no-daemon" "explain 4242"; do
	# shellcheck disable=SC2086 # the command's words
	timeout 10 "$NLTUNE" -c "$TMP/c.conf" --proc "$TMP/fp" $cmd > "$TMP/out" 2> "$TMP/err"
	rc=$?
	[ $rc -ne 124 ] || fail "$cmd hangs on a FIFO as <proc>/PID/comm"
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "$cmd with a FIFO comm: exit $rc: $(cat "$TMP/err")"
done
grep -q '^\[4242\]' "$TMP/out" || fail "explain with a FIFO comm: $(head -1 "$TMP/out")"
pass "FIFOs as configuration, on reload and as comm"

# --- 6. signals during start stay pending until the loop takes them --------------------------
# The earliest moment nltuned promises to survive a SIGHUP: once it blocked the signal, first
# thing in main (SigBlk in /proc, polled without forking). Before that the loader (and ASan's
# start in a sanitizer build) runs, for as long as the machine's load makes it: no fixed delay.
blocked() {
	local k v i
	for ((i = 0; i < 200000; i++)); do
		while read -r k v; do
			[ "$k" = SigBlk: ] && (((16#$v) & 1)) && return 0
		done < "/proc/$1/status" 2> /dev/null
	done
	return 1
}
for round in 1 2; do
	: > "$TMP/s.err"
	"$NLTUNED" -c "$TMP/c.conf" 2> "$TMP/s.err" &
	d=$!
	blocked $d || fail "nltuned never blocked SIGHUP"
	[ $round -eq 1 ] || sleep 0.01 # and a moment later, while the configuration loads
	kill -HUP $d
	wait_for 10 grep -q 'measuring uevent bursts' "$TMP/s.err" || {
		wait $d
		fail "SIGHUP as nltuned starts (round $round): exit $?: $(cat "$TMP/s.err")"
	}
	kill -TERM $d
	wait $d || fail "nltuned exited $? after an early SIGHUP"
done
pass "SIGHUP right after start"

# --- 7. temporary files of killed saves are removed at start --------------------------------
mkdir -p "$TMP/state"
touch "$TMP/state/.state.tmpAAAAAA" "$TMP/state/.state.tmp123456" "$TMP/state/keep"
: > "$TMP/t.err"
"$NLTUNED" -c "$TMP/c.conf" 2> "$TMP/t.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q 'measuring uevent bursts' "$TMP/t.err" || fail "nltuned did not start"
kill -TERM $d
wait $d || fail "nltuned exited $?"
ls -A "$TMP/state" | grep -q '^\.state\.tmp' && fail "stale temp files kept: $(ls -A "$TMP/state")"
[ -e "$TMP/state/keep" ] || fail "a file that is not a temp file was removed"
grep -q "removed 2 temporary files" "$TMP/t.err" || fail "removal not logged: $(cat "$TMP/t.err")"
pass "stale temp files removed"

# --- 8. no directory symlinks planted in a world-writable directory -------------------------
ww=$TMP/ww
mkdir -m 1777 "$ww"
mkdir -m 755 "$TMP/target"
ln -s "$TMP/target" "$ww/state"
ln -s "$TMP/target" "$ww/sysctl.d"
ln -s "$TMP/target" "$ww/metrics"
printf 'state-dir = "%s/state"\nscan-interval = 200\nmetrics-file = "%s/metrics/n.prom"\n' "$ww" "$ww" > "$TMP/ww.conf"
: > "$TMP/w.err"
"$NLTUNED" -c "$TMP/ww.conf" 2> "$TMP/w.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q 'measuring uevent bursts' "$TMP/w.err" || fail "nltuned did not start"
wait_for 5 grep -q "metrics-file.*symbolic link" "$TMP/w.err" || fail "metrics written through a planted symlink: $(cat "$TMP/w.err")"
kill -TERM $d
wait $d
grep -q "$ww/state: a symbolic link in a directory others can write" "$TMP/w.err" ||
	fail "the planted state-dir symlink is not reported: $(cat "$TMP/w.err")"
echo "$HDR" | fake_proc "$TMP/wp"
printf 'sysctl-dir = "%s/sysctl.d"\nstate-dir = "%s/wstate"\npolicy = exact\n' "$ww" "$TMP" > "$TMP/wa.conf"
"$NLTUNE" -c "$TMP/wa.conf" --proc "$TMP/wp" apply --persist > "$TMP/out" 2> "$TMP/err"
grep -q "symbolic link" "$TMP/err" || fail "apply --persist through a planted symlink: $(cat "$TMP/out" "$TMP/err")"
[ -z "$(ls -A "$TMP/target")" ] || fail "written through a planted symlink: $(ls -A "$TMP/target")"
# revert removes the drop-in through the same checks: a planted link leads it nowhere.
echo "net.core.rmem_default = 1" > "$TMP/target/60-nltune.conf"
"$NLTUNE" -c "$TMP/wa.conf" --proc "$TMP/wp" revert --no-daemon > "$TMP/out" 2> "$TMP/err"
[ -f "$TMP/target/60-nltune.conf" ] || fail "revert removed a file through a planted symlink: $(cat "$TMP/out" "$TMP/err")"
grep -q "symbolic link" "$TMP/err" || fail "revert through a planted symlink not refused: $(cat "$TMP/out" "$TMP/err")"
rm "$TMP/target/60-nltune.conf"
mkdir "$ww/theirs"
chown nobody "$ww/theirs"
"$NLTUNE" -c "$TMP/wa.conf" --proc "$TMP/wp" --state-dir "$ww/theirs" apply > "$TMP/out" 2> "$TMP/err"
grep -q "owned by another user" "$TMP/err" || fail "state saved in another user's directory: $(cat "$TMP/err")"
[ -z "$(ls -A "$ww/theirs")" ] || fail "written into another user's directory"
pass "planted directory symlinks and foreign directories refused"

# --- 9. badly typed replies from whoever owns org.nltune1 ------------------------------------
start_bus open "$TMP/bus.sock"
printf '%s' '{"source":"daemon","sysctl":{"rmem_default":1,"rmem_max":2},"recommended":5,"uevents":{},"sockets":{},"alerts":[]}' > "$TMP/skew.json"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/bus.sock "$NLTUNE_BUILD/tests/helpers/fakenltuned" "$TMP/skew.json" > "$TMP/fake.out" &
PIDS+=($!)
wait_for 5 grep -q ready "$TMP/fake.out" || fail "the stand-in daemon did not start"
for cmd in "status --json" "recommend --json" "sockets --all --json" "status"; do
	# shellcheck disable=SC2086
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/bus.sock NL $cmd > "$TMP/out" 2> "$TMP/err"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "$cmd on a badly typed reply: exit $rc: $(cat "$TMP/err")"
	grep -q "nltuned's .* reply: recommended: a number, want an object; using a local snapshot" "$TMP/err" ||
		grep -q "nltuned's ListSockets[A-Za-z]* reply: sockets\[0\]: a string, want an object" "$TMP/err" ||
		fail "$cmd: the error does not name the member: $(cat "$TMP/err")"
done
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/bus.sock NL status --json 2> /dev/null | jq -e '.source == "local"' > /dev/null ||
	fail "no local fallback after a badly typed reply"
pass "badly typed replies: an error naming the member, then the local snapshot"

# --- 10. FixSocket has the bounds of nltune fix: uevent listeners, size up to the ceiling -----
start_bus strict "$TMP/sbus.sock"
printf 'state-dir = "%s/fstate"\nceiling = 8M\n' "$TMP" > "$TMP/f.conf"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/sbus.sock "$NLTUNED" -c "$TMP/f.conf" 2> "$TMP/f.err" &
PIDS+=($!)
start_sock big --rcvbuf 1024
inode=$(for fd in /proc/$big_pid/fd/*; do readlink "$fd"; done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | head -1)
[ -n "$inode" ] || fail "no socket inode for the listener"
fixcall() { DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/sbus.sock busctl --timeout=5 call org.nltune1 /org/nltune1 org.nltune1.Manager FixSocket tt "$@" 2>&1; }
wait_for 10 sh -c "DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/sbus.sock busctl status org.nltune1 >/dev/null 2>&1" || fail "nltuned not on the bus: $(cat "$TMP/f.err")"
out=$(fixcall "$inode" $((16 << 20)))
echo "$out" | grep -q "InvalidSize\|ceiling" || fail "FixSocket above the ceiling: $out"
[ "$(jq .rcvbuf <<<"$(sock_cmd big stat)")" -eq 2304 ] || fail "FixSocket above the ceiling changed the socket: $(sock_cmd big stat)"
out=$(fixcall "$inode" $((4 << 20)))
[ "$out" = "t $((4 << 20))" ] || fail "FixSocket within the ceiling: $out"
start_sock big2 --rcvbuf 1024
"$NLTUNE" -c "$TMP/f.conf" fix "$big2_pid" --size $((16 << 20)) > "$TMP/out" 2> "$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q "above the configured ceiling" "$TMP/err" || fail "fix --size above the ceiling: exit $rc: $(cat "$TMP/err")"
"$NLTUNE" -c "$TMP/f.conf" fix "$big2_pid" --size $((16 << 20)) --force > "$TMP/out" 2> "$TMP/err" || fail "fix --force: $(cat "$TMP/err")"
[ "$(jq .rcvbuf <<<"$(sock_cmd big2 stat)")" -eq $((16 << 20)) ] || fail "fix --force: $(sock_cmd big2 stat)"
pass "FixSocket and fix --size stay under the ceiling unless forced"

# --- 10. options: --for nan, -c "", --state-dir '' and relative ------------------------------
for args in "monitor --for nan" "monitor --for -inf"; do
	# shellcheck disable=SC2086
	timeout 5 "$NLTUNE" -c /dev/null $args > /dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || fail "$args: exit $rc"
done
"$NLTUNE" -c "" recommend --no-daemon > /dev/null 2>&1
[ $? -eq 2 ] || fail "-c '' accepted"
"$NLTUNED" -n -c "" > /dev/null 2>&1
[ $? -eq 2 ] || fail "nltuned -c '' accepted"
for sd in "" "relative/dir"; do
	"$NLTUNE" -c /dev/null --state-dir "$sd" recommend --no-daemon > /dev/null 2>&1
	[ $? -eq 2 ] || fail "--state-dir '$sd' accepted"
done
pass "bad option values are usage errors"
