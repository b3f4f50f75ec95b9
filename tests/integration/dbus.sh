#!/bin/bash
# SPDX-License-Identifier: MIT
# nltuned on a real private dbus-daemon that loads the project's own policy file: properties,
# methods, the Alert signal, privilege, bad arguments, and surviving a bus restart.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon busctl dbus-send setpriv; do
	command -v $t >/dev/null || fail "$t missing (tests/deps.sh installs it)"
done

chmod 711 "$TMP" # the unprivileged caller must reach the bus socket
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
B() { busctl --system "$@"; }
call() { B --json=short call org.nltune1 /org/nltune1 org.nltune1.Manager "$@"; }
prop() { B get-property org.nltune1 /org/nltune1 org.nltune1.Manager "$1" | awk '{print $2}'; }
DSEND=(dbus-send --system --print-reply --dest=org.nltune1 /org/nltune1)
dsend() { "${DSEND[@]}" "org.nltune1.Manager.$1" "${@:2}"; }
nobody_send() { setpriv --reuid=nobody --regid=nogroup --clear-groups "${DSEND[@]}" "org.nltune1.Manager.$1" "${@:2}"; }

cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
floor = 8M
scan-interval = 500
alerts { interval = 60s }
CONF

start_bus strict "$SOCK"
"$NLTUNED" -c "$TMP/nltune.conf" > "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"

# --- properties equal /proc ---------------------------------------------------------------------
[ "$(prop RmemDefault)" -eq "$(cat /proc/sys/net/core/rmem_default)" ] || fail "RmemDefault"
[ "$(prop RmemMax)" -eq "$(cat /proc/sys/net/core/rmem_max)" ] || fail "RmemMax"
[ "$(prop Policy)" = '"raise-only"' ] || fail "Policy $(prop Policy)"
rec=$("$NLTUNE" -c "$TMP/nltune.conf" recommend --no-daemon --json)
[ "$(prop RecommendedRmemDefault)" -eq "$(jq .rmem_default <<<"$rec")" ] || fail "RecommendedRmemDefault"
[ "$(prop RecommendedRmemMax)" -eq "$(jq .rmem_max <<<"$rec")" ] || fail "RecommendedRmemMax"
for p in EventsTotal PeakBytes DropsTotal PeakEvents UdevEventsTotal UdevPeakBytes UdevPeakEvents; do
	[[ "$(prop $p)" =~ ^[0-9]+$ ]] || fail "property $p unreadable"
done
B introspect --xml-interface org.nltune1 /org/nltune1 > "$TMP/introspect.xml"
grep -q '<arg type="b" name="dry_run" direction="in"/>' "$TMP/introspect.xml" || fail "introspection lacks argument names"

# --- Describe matches `nltune status --json` -----------------------------------------------------
call Describe | jq -r '.data[0]' > "$TMP/describe.json"
jq -e . "$TMP/describe.json" >/dev/null || fail "Describe is not JSON"
"$NLTUNE" -c "$TMP/nltune.conf" status --json > "$TMP/status.json"
[ "$(jq -r .source "$TMP/status.json")" = daemon ] || fail "status did not ask the daemon"
# The cost of a raise counts sockets that come and go between the two calls: left out here.
nocost='del(.recommended.cost) | .recommended.reason |= sub("; (the raise reaches|no raise of rmem_default).*"; "")'
for k in sysctl recommended; do
	[ "$(jq -c "$nocost | .$k" "$TMP/describe.json")" = "$(jq -c "$nocost | .$k" "$TMP/status.json")" ] || fail "Describe.$k differs from status"
done
[ "$(jq -c '.uevents | keys' "$TMP/describe.json")" = '["own_drops","peak_bytes","peak_events","total","udev","window_ms"]' ] ||
	fail "uevents keys: $(jq -c '.uevents | keys' "$TMP/describe.json")"
[ "$(jq -c '.uevents.udev | keys' "$TMP/describe.json")" = '["peak_bytes","peak_events","total"]' ] ||
	fail "uevents.udev keys: $(jq -c '.uevents.udev | keys' "$TMP/describe.json")"

# --- the seed victim: listed, alerted once, signalled ---------------------------------------------
B --json=short monitor --match "type='signal',interface='org.nltune1.Manager',member='Alert'" \
	--match "type='signal',path='/org/nltune1',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'" \
	> "$TMP/signals" 2>/dev/null &
mon=$!
PIDS+=($mon)
start_sock victim --rcvbuf 1024
listed() { call ListSockets | jq -e --argjson p "$victim_pid" 'any(.data[0][]; .pids.data | index($p))' >/dev/null; }
wait_for 10 listed || fail "ListSockets does not list the victim $victim_pid"
inode=$(call ListSockets | jq --argjson p "$victim_pid" '[.data[0][] | select(.pids.data | index($p))][0].inode.data')
for i in 1 2 3; do
	emit 50
	wait_for 10 grep -q "alert.*socket-drops.*uevsock\[$victim_pid\]" "$TMP/d.err" || fail "no socket-drops alert"
	sock_cmd victim drain > /dev/null   # drains, so the next burst overruns again
done
wait_for 10 grep -q '"Alert"' "$TMP/signals" || fail "no Alert signal arrived"
grep '"Alert"' "$TMP/signals" | grep -q "$victim_pid" || fail "Alert signal does not name the victim"
grep '"PropertiesChanged"' "$TMP/signals" | grep -q '"EventsTotal"' || fail "no PropertiesChanged for EventsTotal"
# Within the interval: one alert, then at most a rest per later burst (what the interval held
# back, said once the drops stopped rising), each saying it is more.
na=$(call ListAlerts | jq --argjson i "$inode" '[.data[0][] | select(.kind.data == "socket-drops" and .inode.data == $i)] | length')
n=$(grep -c "alert.*socket-drops.*uevsock\[$victim_pid\]" "$TMP/d.err")
[ "$n" -ge 1 ] && [ "$n" -le 3 ] || fail "$n socket-drops alerts logged for one victim's 3 bursts within the interval"
grep "alert.*socket-drops.*uevsock\[$victim_pid\]" "$TMP/d.err" | tail -n +2 | grep -v "lost [0-9]* more netlink messages" &&
	fail "a second socket-drops alert within the interval that is not the rest of the loss"
[ "$na" -ge 1 ] && [ "$na" -le 3 ] || fail "ListAlerts holds $na socket-drops alerts for the victim"
[ "$(prop DropsTotal)" -ge 48 ] || fail "DropsTotal $(prop DropsTotal)"
[ "$(prop Version)" = "\"$("$NLTUNE" --version | awk '{print $NF}')\"" ] || fail "Version $(prop Version)"

# --- one schema: the same keys on the bus, with the daemon and without it ----------------------
NL=("$NLTUNE" -c "$TMP/nltune.conf")
keys_of() { jq -c --argjson p "$victim_pid" '[.[] | select(.pids | index($p))][0] | keys'; }
bus_keys=$(call ListSockets | jq -c --argjson p "$victim_pid" '[.data[0][] | select(.pids.data | index($p))][0] | keys')
d_keys=$("${NL[@]}" sockets --json --all | keys_of)
l_keys=$("${NL[@]}" sockets --json --all --no-daemon | keys_of)
[ "$bus_keys" = "$l_keys" ] || fail "ListSockets keys $bus_keys, sockets --json --no-daemon keys $l_keys"
[ "$d_keys" = "$l_keys" ] || fail "sockets --json keys $d_keys with the daemon, $l_keys without"
akeys() { jq -c '[.[] | select(.kind == "socket-drops")][0] | keys'; }
bus_akeys=$(call ListAlerts | jq -c '[.data[0][] | select(.kind.data == "socket-drops")][0] | keys')
d_akeys=$("${NL[@]}" alerts --json | akeys)
l_akeys=$("${NL[@]}" alerts --json --no-daemon | akeys)
[ "$l_akeys" != null ] || fail "alerts --json --no-daemon has no socket-drops alert for the victim"
[ "$bus_akeys" = "$l_akeys" ] || fail "ListAlerts keys $bus_akeys, alerts --json --no-daemon keys $l_akeys"
[ "$d_akeys" = "$l_akeys" ] || fail "alerts --json keys $d_akeys with the daemon, $l_akeys without"

# --- privilege and arguments -----------------------------------------------------------------------
out=$(call Apply b true) || fail "Apply(true) as root failed"
[ "$(jq '.data[0]' <<<"$out")" -eq "$(cat /proc/sys/net/core/rmem_default)" ] || [ "$(jq '.data[0]' <<<"$out")" -ge "$(cat /proc/sys/net/core/rmem_default)" ] ||
	fail "Apply(true) answered $out"
o=$(nobody_send Describe 2>&1) || fail "Describe denied to an unprivileged caller: $o"
for m in "Apply boolean:false" "Revert boolean:false" "Reload" "FixSocket uint64:$inode uint64:0"; do
	err=$(nobody_send $m 2>&1) && fail "$m succeeded as nobody"
	grep -q "org.freedesktop.DBus.Error.AccessDenied" <<<"$err" || fail "$m as nobody: $err"
done
err=$(dsend Apply string:yes 2>&1) && fail "Apply(string) succeeded"
grep -q "org.freedesktop.DBus.Error.InvalidArgs" <<<"$err" || fail "Apply(string): $err"
err=$(dsend FixSocket uint64:0 uint64:0 2>&1) && fail "FixSocket(0) succeeded"
grep -q "org.freedesktop.DBus.Error.InvalidArgs" <<<"$err" || fail "FixSocket(0): $err"
err=$(dsend FixSocket uint64:$inode uint64:99999999999 2>&1) && fail "FixSocket(huge) succeeded"
grep -q "org.nltune1.Error.InvalidSize" <<<"$err" || fail "FixSocket(huge): $err"

# --- Apply then Revert over D-Bus: the values from before come back exactly ---------------------
d0=$(cat /proc/sys/net/core/rmem_default) m0=$(cat /proc/sys/net/core/rmem_max)
CLEANUPS+=("echo $m0 > /proc/sys/net/core/rmem_max; echo $d0 > /proc/sys/net/core/rmem_default; echo $m0 > /proc/sys/net/core/rmem_max")
if [ "$d0" -lt 8388608 ]; then
	call Apply b false > /dev/null || fail "Apply(false) as root failed"
	[ "$(cat /proc/sys/net/core/rmem_default)" -ge 8388608 ] || fail "Apply(false) did not raise rmem_default"
	out=$(call Revert b true) || fail "Revert(true) failed"
	[ "$(jq -c .data <<<"$out")" = "[$d0,$m0]" ] || fail "Revert(true) answered $out, want [$d0,$m0]"
	[ "$(cat /proc/sys/net/core/rmem_default)" -ge 8388608 ] || fail "Revert(true) wrote"
	out=$(call Revert b false) || fail "Revert(false) failed"
	[ "$(jq -c .data <<<"$out")" = "[$d0,$m0]" ] || fail "Revert(false) answered $out"
	[ "$(cat /proc/sys/net/core/rmem_default) $(cat /proc/sys/net/core/rmem_max)" = "$d0 $m0" ] ||
		fail "Revert left $(cat /proc/sys/net/core/rmem_default) $(cat /proc/sys/net/core/rmem_max), want $d0 $m0"
	wait_for 5 grep -q "reverted rmem_default" "$TMP/d.err" || fail "the revert is not logged"
else
	echo "note: rmem_default is already $d0 here: no Apply/Revert round trip over D-Bus"
fi

# --- the bus goes away and comes back, without the project policy: the daemon's own check -------
kill $busd
wait $busd 2>/dev/null
wait_for 10 grep -q "lost the system bus" "$TMP/d.err" || fail "nltuned did not notice the bus going"
start_bus open "$SOCK"
back() { call Describe >/dev/null 2>&1; }
wait_for 20 back || fail "nltuned did not come back on the restarted bus"
nb=$(call ListAlerts | jq --argjson i "$inode" '[.data[0][] | select(.kind.data == "socket-drops" and .inode.data == $i)] | length')
[ "$nb" -ge "$na" ] || fail "alerts lost across the bus restart: $nb socket-drops alerts for the victim, $na before"
err=$(nobody_send Apply boolean:false 2>&1) && fail "Apply as nobody succeeded on an open bus"
# The open bus lets every call through: this denial can only come from nltuned itself.
grep -q "org.freedesktop.DBus.Error.AccessDenied" <<<"$err" || fail "daemon's own check: $err"
grep -q "Rejected send message.*member=\"Apply\".*uid=65534" "$TMP/bus-open.log" && fail "the open bus rejected it"
kill -0 $d || fail "nltuned died"

# --- a wedged bus never hangs the console: short timeouts, then the local snapshot ---------------
kill -STOP $busd
t0=$SECONDS
timeout 20 "$NLTUNE" -c "$TMP/nltune.conf" status --json > "$TMP/wedged.json" 2>/dev/null
rc=$?
kill -CONT $busd
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "status on a wedged bus exited $rc (0 or 3: it looked)"
[ $((SECONDS - t0)) -le 5 ] || fail "status on a wedged bus took $((SECONDS - t0)) s"
[ "$(jq -r .source "$TMP/wedged.json")" = local ] || fail "status on a wedged bus: source $(jq -r .source "$TMP/wedged.json")"
pass "D-Bus API: properties, Describe, ListSockets, one alert + signal, AccessDenied, InvalidArgs, reconnect"
