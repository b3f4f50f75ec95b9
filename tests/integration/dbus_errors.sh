#!/bin/bash
# SPDX-License-Identifier: MIT
# The interface file is well-formed, generates bindings and equals nltuned's live introspection;
# each org.nltune1.Error.* is reached from a real client (dbus-send), and Version is served.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon busctl dbus-send xmllint gdbus-codegen python3 unshare; do
	command -v $t >/dev/null || fail "$t missing (tests/deps.sh installs it)"
done
XML=$REPO/dbus/org.nltune1.Manager.xml
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
call() { busctl --system call org.nltune1 /org/nltune1 org.nltune1.Manager "$@"; }
dsend() { dbus-send --system --print-reply --dest=org.nltune1 /org/nltune1 "org.nltune1.Manager.$1" "${@:2}"; }
# expect_error NAME WHAT METHOD ARGS...: the call fails with the D-Bus error NAME.
expect_error() {
	local name=$1 what=$2 out; shift 2
	out=$(dsend "$@" 2>&1) && fail "$what succeeded: $out"
	grep -q "^Error $name: " <<<"$out" || fail "$what: expected $name, got: $out"
	echo "  $what -> $out"
}

# --- the file itself ---------------------------------------------------------------------------------
xmllint --noout "$XML" || fail "xmllint refuses $XML"
(cd "$TMP" && gdbus-codegen --interface-prefix org.nltune1. --generate-c-code gen "$XML") ||
	fail "gdbus-codegen refuses $XML"
grep -q "_call_fix_socket" "$TMP/gen.h" || fail "no FixSocket binding generated"
for e in $(grep -o 'org\.nltune1\.Error\.[A-Za-z]*' "$XML" | sort -u); do
	grep -q "\"${e#org.nltune1.Error.}\"" "$REPO/dbus/bus.c" || fail "$e is in the XML but nltuned never sends it"
	grep -q "$e" "$REPO/README.md" || fail "$e is not in README.md"
done
pass "interface XML: xmllint, gdbus-codegen"

# --- a daemon whose net.core.rmem_max is read-only (in its own mount namespace) ---------------------
need_mountns "the rest (nltuned with a read-only rmem_max, bind-mounted)"
max=$(cat /proc/sys/net/core/rmem_max) def=$(cat /proc/sys/net/core/rmem_default)
want=$(((max / 4096 + 4) * 4096))
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
scan-interval = 60s
policy = exact
floor = $want
ceiling = $want
CONF
# Victims, there before nltuned's first scan: a route socket, and two uevent sockets, one to be
# closed by a live process, one whose process goes away. The scan then is stale on purpose.
cat > "$TMP/victim.py" <<'PY'
import os, signal, socket, sys, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, int(sys.argv[1]))
s.bind((0, 1 if sys.argv[1] == "15" else 0))
signal.signal(signal.SIGUSR1, lambda *a: s.close())
print(os.fstat(s.fileno()).st_ino, flush=True)
while True:
    time.sleep(1)
PY
victim() { python3 "$TMP/victim.py" "$1" > "$TMP/$2.ino" & PIDS+=($!); eval "$2_pid=$!"; wait_for 5 test -s "$TMP/$2.ino" || fail "victim $2"; eval "$2_ino=$(cat "$TMP/$2.ino")"; }
victim 0 route
victim 15 closer
victim 15 gone
start_bus strict "$SOCK"
unshare -m sh -c "mount --make-rprivate / &&
	mount --bind /proc/sys/net/core/rmem_max /proc/sys/net/core/rmem_max &&
	mount -o remount,ro,bind /proc/sys/net/core/rmem_max &&
	exec '$NLTUNED' -c '$TMP/nltune.conf'" > "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -qs "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"
listed() { call ListSockets | grep -q "$1"; }
for i in $route_ino $closer_ino $gone_ino; do wait_for 5 listed "$i" || fail "socket $i not listed"; done

# --- live introspection equals the file -------------------------------------------------------------
busctl --system introspect --xml-interface org.nltune1 /org/nltune1 > "$TMP/live.xml"
python3 - "$XML" "$TMP/live.xml" <<'PY' || fail "interface XML and live introspection differ"
import sys, xml.etree.ElementTree as ET
def members(path):
    it = [i for i in ET.parse(path).getroot() if i.get("name") == "org.nltune1.Manager"]
    assert len(it) == 1, path
    out = set()
    for m in it[0]:
        if m.tag == "property":
            out.add(("property", m.get("name"), m.get("type"), m.get("access")))
        elif m.tag in ("method", "signal"):
            args = tuple((a.get("name"), a.get("type"), a.get("direction", "out" if m.tag == "signal" else "in"))
                         for a in m if a.tag == "arg")
            out.add((m.tag, m.get("name"), args))
    return out
f, l = members(sys.argv[1]), members(sys.argv[2])
for x in sorted(f - l, key=str): print("only in the file:", x)
for x in sorted(l - f, key=str): print("only in nltuned:", x)
print(len(f), "members compared")
sys.exit(f != l)
PY
pass "interface XML members equal the live introspection"
v=$(busctl --system get-property org.nltune1 /org/nltune1 org.nltune1.Manager Version)
[ "$v" = "s \"$("$NLTUNED" --version | awk '{print $NF}')\"" ] || fail "Version $v"

# --- every named error, from a real client ------------------------------------------------------------
kill -USR1 $closer_pid # fd closed, process alive: the kernel refuses the duplicate
kill $gone_pid; wait $gone_pid 2>/dev/null
expect_error org.nltune1.Error.FixRefused "FixSocket on a closed fd" FixSocket uint64:$closer_ino uint64:0
expect_error org.nltune1.Error.NoOwner "FixSocket of an exited process" FixSocket uint64:$gone_ino uint64:0
expect_error org.nltune1.Error.NotUevent "FixSocket on a route socket" FixSocket uint64:$route_ino uint64:0
expect_error org.nltune1.Error.NoSuchSocket "FixSocket on no socket" FixSocket uint64:18446744073709551615 uint64:0
expect_error org.nltune1.Error.InvalidSize "FixSocket size 100" FixSocket uint64:$route_ino uint64:100
expect_error org.freedesktop.DBus.Error.InvalidArgs "FixSocket inode 0" FixSocket uint64:0 uint64:0
out=$(call Apply b true) || fail "Apply(dry_run): $out"
[ "$out" = "tt $want $want" ] || fail "Apply(dry_run) answered $out, not $want twice"
expect_error org.nltune1.Error.SysctlRefused "Apply with rmem_max read-only" Apply boolean:false
[ "$(cat /proc/sys/net/core/rmem_max)" = "$max" ] && [ "$(cat /proc/sys/net/core/rmem_default)" = "$def" ] ||
	fail "a refused Apply changed the host's values"
cp "$TMP/nltune.conf" "$TMP/good.conf"
echo "bogus-key = 1" >> "$TMP/nltune.conf"
expect_error org.nltune1.Error.BadConfig "Reload of a bad file" Reload
cp "$TMP/good.conf" "$TMP/nltune.conf"
dsend Reload > /dev/null || fail "Reload of the good file"
kill -0 $d || fail "nltuned died"
pass "named errors: FixRefused NoOwner NotUevent NoSuchSocket InvalidSize SysctlRefused BadConfig"
