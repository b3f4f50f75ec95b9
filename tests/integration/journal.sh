#!/bin/bash
# SPDX-License-Identifier: MIT
# nltuned's log under journald and elsewhere. systemd-journald is not running here, so a
# stand-in journal socket (a Python AF_UNIX datagram listener bound where sd-journal sends,
# /run/systemd/journal/socket, in a private mount namespace) captures the native protocol
# datagrams as they are sent: alerts carry MESSAGE_ID, PRIORITY and the NLTUNE_* fields, lines
# carry no "nltuned: " prefix, and a failure that repeats every scan is logged once. Then the
# real systemd-journald, run in a private mount namespace with its files in the test's
# directory: journalctl finds the alert by MESSAGE_ID and priority.
. "$(dirname "$0")/../lib.sh"
need_root
command -v python3 >/dev/null || fail "python3 missing (tests/deps.sh installs it)"
command -v unshare >/dev/null || fail "unshare missing"
need_mountns "nltuned's journal output (the journal's socket bound in a private mount namespace)"

# The stand-in: every datagram as one JSON object per line (KEY=VALUE lines and the binary
# KEY\n<le64 length><data>\n form of the native protocol).
mkdir -p "$TMP/journal"
cat > "$TMP/journal.py" <<'PY'
import json, os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a")
print("ready", flush=True)
while True:
    d = s.recv(1 << 20)
    e, i = {}, 0
    while i < len(d):
        nl = d.index(b"\n", i)
        line = d[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            n = struct.unpack("<Q", d[nl + 1:nl + 9])[0]
            v = d[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        e[k.decode()] = v.decode("utf-8", "replace")
    out.write(json.dumps(e) + "\n")
    out.flush()
PY
python3 "$TMP/journal.py" "$TMP/journal/socket" "$TMP/entries" > "$TMP/journal.out" &
PIDS+=($!)
wait_for 5 grep -qs ready "$TMP/journal.out" || fail "the stand-in journal did not start"

cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
scan-interval = 200
metrics-file = "$TMP/no-such-dir/nltune.prom"
alerts { interval = 60s }
CONF
# nltuned as journald would start it: stderr a stream named by JOURNAL_STREAM, the journal's
# socket at its usual place (here the stand-in's). No bus: it says so and measures on.
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/no-bus
start_sock victim --rcvbuf 1024
unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs tmpfs /run &&
	mkdir -p /run/systemd/journal && mount --bind '$TMP/journal' /run/systemd/journal &&
	JOURNAL_STREAM=\$(stat -L -c %d:%i /proc/self/fd/2) exec '$NLTUNED' -c '$TMP/nltune.conf'" \
	> "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -qs "measuring uevent bursts" "$TMP/entries" || fail "no native entries: $(cat "$TMP/d.err")"
entry() { jq -c "select($1)" "$TMP/entries"; }
alerted() { [ -n "$(entry '.NLTUNE_KIND == "socket-drops"')" ]; }
for i in 1 2 3; do
	emit 50
	wait_for 3 alerted && break
	sock_cmd victim drain > /dev/null
done
wait_for 5 alerted || fail "no socket-drops alert in the journal: $(cat "$TMP/entries")"
# Long enough for ten scans: the metrics file fails at each one.
sleep 2.2
kill -0 $d || fail "nltuned died: $(cat "$TMP/d.err")"

a=$(entry '.NLTUNE_KIND == "socket-drops"' | head -n 1)
echo "  $a"
ida=$(grep -o '"socket-drops", "[0-9a-f]*"' "$REPO/daemon/catalog.c" | grep -o '[0-9a-f]\{32\}')
[ "$(jq -r .MESSAGE_ID <<<"$a")" = "$ida" ] || fail "socket-drops MESSAGE_ID $(jq -r .MESSAGE_ID <<<"$a"), not $ida"
grep -q -- "^-- $ida\$" "$REPO/conf/nltune.catalog" || fail "$ida has no catalog entry"
[ "$(jq -r .PRIORITY <<<"$a")" = 2 ] || fail "a critical alert at priority $(jq -r .PRIORITY <<<"$a"), not LOG_CRIT (2)"
[ "$(jq -r .NLTUNE_PID <<<"$a")" = "$victim_pid" ] || fail "NLTUNE_PID"
[ "$(jq -r .NLTUNE_COMM <<<"$a")" = uevsock ] || fail "NLTUNE_COMM"
inode=$(for f in /proc/$victim_pid/fd/*; do readlink "$f"; done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
[ "$(jq -r .NLTUNE_INODE <<<"$a")" = "$inode" ] || fail "NLTUNE_INODE $(jq -r .NLTUNE_INODE <<<"$a"), not $inode"
[ "$(jq -r .SYSLOG_IDENTIFIER <<<"$a")" = nltuned ] || fail "SYSLOG_IDENTIFIER"
w=$(entry '.NLTUNE_KIND == "process-buffer"' | head -n 1)
[ -n "$w" ] || fail "no process-buffer alert for the SO_RCVBUF 1024 victim"
[ "$(jq -r .PRIORITY <<<"$w")" = 4 ] || fail "a warning alert at priority $(jq -r .PRIORITY <<<"$w"), not LOG_WARNING (4)"
[ "$(jq -r .MESSAGE_ID <<<"$w")" != "$(jq -r .MESSAGE_ID <<<"$a")" ] || fail "two kinds share a MESSAGE_ID"
[ -z "$(entry '.MESSAGE | startswith("nltuned: ")')" ] || fail "journal messages repeat the program name"
[ -z "$(entry '.PRIORITY == null or .MESSAGE == null')" ] || fail "an entry without PRIORITY or MESSAGE"
n=$(entry '.MESSAGE | startswith("cannot write metrics-file")' | wc -l)
[ "$n" -eq 1 ] || fail "the failing metrics-file was logged $n times, not once"
[ ! -s "$TMP/d.err" ] || fail "nltuned wrote to stderr under journald: $(cat "$TMP/d.err")"
pass "native journal: MESSAGE_ID, PRIORITY 2 for critical, NLTUNE_* fields, no prefix, a repeated failure once"

# --- the real systemd-journald, in a private mount namespace: journalctl finds the alert ------------
kill $d; wait $d 2>/dev/null
sock_cmd victim drain > /dev/null
mkdir -p "$TMP/jlog"
JOURNALD=/lib/systemd/systemd-journald
[ -x $JOURNALD ] || JOURNALD=/usr/lib/systemd/systemd-journald
unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs tmpfs /run &&
	mkdir -p /run/systemd/journal /run/log && mount --bind '$TMP/jlog' /run/log &&
	{ $JOURNALD > '$TMP/journald.log' 2>&1 & echo \$! > '$TMP/journald.pid'; } &&
	i=0; while [ ! -S /run/systemd/journal/socket ] && [ \$i -lt 250 ]; do sleep 0.02; i=\$((i + 1)); done;
	JOURNAL_STREAM=\$(stat -L -c %d:%i /proc/self/fd/2) exec '$NLTUNED' -c '$TMP/nltune.conf'" \
	> "$TMP/d2.out" 2> "$TMP/d2.err" &
d=$!
PIDS+=($d)
wait_for 5 test -s "$TMP/journald.pid" || fail "systemd-journald did not start: $(cat "$TMP/journald.log")"
PIDS+=($(cat "$TMP/journald.pid"))
J() { journalctl -D "$TMP/jlog/journal" --no-pager "$@" 2>/dev/null; }
if wait_for 10 sh -c "journalctl -D '$TMP/jlog/journal' -t nltuned --no-pager 2>/dev/null | grep -q 'measuring uevent bursts'"; then
	for i in 1 2 3; do
		emit 50
		wait_for 3 sh -c "journalctl -D '$TMP/jlog/journal' MESSAGE_ID=$ida --no-pager -o cat 2>/dev/null | grep -q ." && break
		sock_cmd victim drain > /dev/null
	done
	e=$(J MESSAGE_ID="$ida" -o json | head -n 1)
	[ -n "$e" ] || fail "journalctl MESSAGE_ID=$ida finds no alert: $(J -t nltuned -o cat | tail -5)"
	echo "  journalctl MESSAGE_ID=$ida: $(jq -c '{PRIORITY, NLTUNE_KIND, NLTUNE_PID, NLTUNE_COMM, NLTUNE_INODE, MESSAGE}' <<<"$e")"
	[ "$(jq -r .PRIORITY <<<"$e")" = 2 ] && [ "$(jq -r .NLTUNE_PID <<<"$e")" = "$victim_pid" ] &&
		[ "$(jq -r .NLTUNE_KIND <<<"$e")" = socket-drops ] || fail "the journal's entry: $e"
	[ -n "$(J -p crit -t nltuned -o cat)" ] || fail "journalctl -p crit finds nothing"
	pass "real systemd-journald: journalctl MESSAGE_ID=... -p crit finds the alert with its fields"
else
	echo "skipped: systemd-journald in a private namespace took no entries here ($(head -c 300 "$TMP/journald.log")); the stand-in above proved the fields"
fi
kill $d; wait $d 2>/dev/null

# --- not under journald: plain lines on stderr, with the program's name -------------------------
rm -f "$TMP/entries"
JOURNAL_STREAM=1:1 "$NLTUNED" -n -c "$TMP/nltune.conf" > /dev/null 2>&1 || fail "nltuned -n"
JOURNAL_STREAM=1:1 "$NLTUNED" -c "$TMP/nltune.conf" > /dev/null 2> "$TMP/plain.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -qs "measuring uevent bursts" "$TMP/plain.err" || fail "nltuned did not start: $(cat "$TMP/plain.err")"
kill $d; wait $d 2>/dev/null
grep -q "^nltuned: " "$TMP/plain.err" || fail "plain stderr lines lack the program name: $(head -3 "$TMP/plain.err")"
grep -q "^<[0-9]>" "$TMP/plain.err" && fail "priority prefixes when stderr is not the journal"
[ ! -e "$TMP/entries" ] || fail "a journal entry although stderr is not the journal's stream"
pass "elsewhere: plain lines on stderr"

# --- the catalog compiles and names every id (journalctl on a private root) ----------------------
mkdir -p "$TMP/root/usr/lib/systemd/catalog" "$TMP/root/var/lib/systemd/catalog"
cp "$REPO/conf/nltune.catalog" "$TMP/root/usr/lib/systemd/catalog/"
journalctl --root="$TMP/root" --update-catalog || fail "journalctl refuses conf/nltune.catalog"
journalctl --root="$TMP/root" --list-catalog > "$TMP/catalog.list"
for id in $(grep -o '"[0-9a-f]\{32\}"' "$REPO/daemon/catalog.c" | tr -d '"'); do
	grep -q "^$id nltune: " "$TMP/catalog.list" || fail "catalog lacks $id"
done
pass "catalog: journalctl --update-catalog takes it, every MESSAGE_ID listed"
