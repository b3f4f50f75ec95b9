#!/bin/bash
# SPDX-License-Identifier: MIT
# hidepid on the proc nltuned reads: a caller other than root sees, through ListSocketsJSON,
# ListSocketsPage, Describe and ListAlerts, the owners of its own user's sockets only; root sees
# them all; the Alert signal names no owner; the metrics file is 0640. hide-owners = no shows all.
. "$(dirname "$0")/../lib.sh"
need_root
for t in dbus-daemon busctl setpriv unshare jq; do
	command -v $t >/dev/null || fail "$t missing (tests/deps.sh installs it)"
done
case $(uname -r) in
[1-4].* | 5.[0-7].*) skip "kernel $(uname -r): proc options are shared by every mount of a pid namespace before 5.8, so a private hidepid mount would change the host's /proc" ;;
esac
# A private proc with hidepid=invisible in a mount namespace of its own.
mkdir "$TMP/proc"
unshare -m sh -c "mount --make-rprivate / && mount -t proc -o hidepid=invisible proc '$TMP/proc'" \
	2> "$TMP/unshare.err" || skip "cannot mount a private proc in a mount namespace here (a chroot or a container?): $(cat "$TMP/unshare.err")"

chmod 711 "$TMP" # the unprivileged callers must reach the bus socket and the helper
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
call() { busctl --system --json=short -- call org.nltune1 /org/nltune1 org.nltune1.Manager "$@"; }
ncall() { "${AS_NOBODY[@]}" busctl --system --json=short -- call org.nltune1 /org/nltune1 org.nltune1.Manager "$@"; }
cp "$UEVSOCK" "$TMP/uevsock"
chmod 755 "$TMP/uevsock"
mkdir -m 755 "$TMP/metrics"

conf() {
	cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
metrics-file = "$TMP/metrics/nltune.prom"
scan-interval = 300
alerts { interval = 60s }
$1
CONF
}
conf ""
start_bus strict "$SOCK"
unshare -m sh -c "mount --make-rprivate / && mount -t proc -o hidepid=invisible proc '$TMP/proc' &&
	exec '$NLTUNED' -c '$TMP/nltune.conf' --proc '$TMP/proc'" > "$TMP/d.out" 2> "$TMP/d.err" &
PIDS+=($!)
# 30 s: with 64 alerts or more at its first scan (other sockets of the machine) it takes 10 s
wait_for 30 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"

busctl --system --json=short monitor --match "type='signal',interface='org.nltune1.Manager',member='Alert'" \
	> "$TMP/signals" 2>/dev/null &
PIDS+=($!)
# One listener of root's and one of nobody's, each at the kernel's floor.
start_sock mine --rcvbuf 1024 --comm rootsock
UEVSOCK=setpriv start_sock theirs --reuid=nobody --regid=nogroup --clear-groups "$TMP/uevsock" \
	--rcvbuf 1024 --comm nobodysock
r=$mine_pid n=$theirs_pid
[ "$(stat -c %U /proc/$n)" = nobody ] || fail "the second listener does not run as nobody"

# Root's view: both listeners, named, in every listing.
sockets_of() { jq -c --argjson p "$2" '[.[] | select(.pids | index($p))]' <<<"$1"; }
root_json() { call ListSocketsJSON suituu "" 0 -1 0 0 0 | jq -r '.data[0]'; }
both_listed() {
	local j
	j=$(root_json)
	[ "$(sockets_of "$j" $r)" != "[]" ] && [ "$(sockets_of "$j" $n)" != "[]" ]
}
wait_for 10 both_listed || fail "root does not see both listeners: $(root_json | head -c 600)"
rinode=$(sockets_of "$(root_json)" $r | jq '.[0].inode')
ninode=$(sockets_of "$(root_json)" $n | jq '.[0].inode')
# Both drop on a burst. Other tests' dropping sockets may take the socket-drops alerts of a scan
# (64 named, the rest summed), so the alerts checked below are whichever root's ListAlerts names.
emit 60
user_of() { stat -c %U "/proc/$1" 2>/dev/null; }
root_owned_alert() {
	local p
	for p in $(call ListAlerts | jq -r '.data[0][].pid.data // empty' | sort -u); do
		[ "$(user_of "$p")" = root ] && { echo "$p"; return 0; }
	done
	return 1
}
wait_for 10 root_owned_alert > /dev/null || fail "no alert about a process of root's"
pass "root sees both owners in ListSocketsJSON, and an alert about a process of its own"

# nobody's view: its own listener whole, root's with its figures but no owner.
j=$(ncall ListSocketsJSON suituu "" 0 -1 0 0 0 | jq -r '.data[0]')
[ "$(sockets_of "$j" $n | jq '.[0].comm')" = '"nobodysock"' ] || fail "nobody does not see its own listener: $(sockets_of "$j" $n)"
row=$(jq -c --argjson i "$rinode" '.[] | select(.inode == $i)' <<<"$j")
[ -n "$row" ] || fail "nobody does not see root's socket $rinode at all"
[ "$(jq -c '[.pids, .comm]' <<<"$row")" = '[[],""]' ] || fail "root's socket shows its owner to nobody: $row"
jq -e '.verdict != "" and .protocol == 15 and .groups == 1' <<<"$row" >/dev/null || fail "root's socket lost its figures: $row"
case $(jq -r .fix <<<"$row") in *"$r"* | *rootsock*) fail "the fix text names root's process: $row" ;; esac
for p in $(jq -r '.[].pids[]' <<<"$j" | sort -u); do
	u=$(stat -c %U /proc/$p 2>/dev/null) || continue # gone since
	[ "$u" = nobody ] || fail "nobody sees pid $p of $u in ListSocketsJSON"
done
grep -q rootsock <<<"$j" && fail "nobody sees root's comm in ListSocketsJSON"
t=$(ncall ListSocketsJSON suituu "" $r -1 0 0 0 | jq '.data[1]')
[ "$t" -eq 0 ] || fail "a filter on root's pid finds $t sockets for nobody"
page=$(ncall ListSocketsPage suituu "" 0 -1 0 0 0)
jq -e --argjson i "$rinode" 'any(.data[0][]; .inode.data == $i and (.pids.data | length) == 0)' <<<"$page" >/dev/null ||
	fail "ListSocketsPage shows root's owner to nobody"
jq -e --argjson i "$ninode" --argjson p $n 'any(.data[0][]; .inode.data == $i and .pids.data == [$p])' <<<"$page" >/dev/null ||
	fail "ListSocketsPage hides nobody's own owner from it"
ls=$(ncall ListSockets)
jq -e --argjson i "$rinode" --argjson p $r 'any(.data[0][]; .inode.data == $i) and
	(any(.data[0][]; .pids.data | index($p)) | not)' <<<"$ls" >/dev/null ||
	fail "ListSockets shows root's owner to nobody (or not its socket)"
pass "nobody sees only its own owners in ListSocketsJSON, ListSocketsPage and ListSockets"

d=$(ncall Describe | jq -r '.data[0]')
jq -e --argjson p $r '[.sockets[].pids[], .alerts[].pid // empty] | index($p) | not' <<<"$d" >/dev/null ||
	fail "Describe shows root's pid to nobody"
grep -q rootsock <<<"$d" && fail "Describe names root's process to nobody"
jq -e --argjson p $n 'any(.sockets[]; .pids == [$p])' <<<"$d" >/dev/null || fail "Describe hides nobody's own listener from it"
grep -q rootsock <<<"$(call Describe)" || fail "root's Describe does not name rootsock"
# Every alert root sees about another user's process, nobody sees with no process named.
ra=$(call ListAlerts)
a=$(ncall ListAlerts)
for p in $(jq -r '.data[0][].pid.data // empty' <<<"$a" | sort -u); do
	u=$(user_of "$p") || continue # gone since
	[ "$u" = nobody ] || fail "nobody sees pid $p of $u in ListAlerts"
done
hidden=0
for id in $(jq -r '.data[0][] | select(.pid.data != null) | .id.data' <<<"$ra"); do
	rp=$(jq --argjson i "$id" '.data[0][] | select(.id.data == $i) | .pid.data' <<<"$ra")
	rc=$(jq -r --argjson i "$id" '.data[0][] | select(.id.data == $i) | .comm.data' <<<"$ra")
	seen=$(jq -c --argjson i "$id" '.data[0][] | select(.id.data == $i)' <<<"$a")
	[ -n "$seen" ] || fail "alert $id is not listed for nobody at all"
	if [ "$(user_of "$rp")" = nobody ]; then
		jq -e --argjson p "$rp" '.pid.data == $p' <<<"$seen" >/dev/null || fail "nobody's own alert $id is hidden from it: $seen"
		continue
	fi
	jq -e '.pid == null and (.comm.data // "") == ""' <<<"$seen" >/dev/null || fail "alert $id shows its owner to nobody: $seen"
	case $(jq -r .message.data <<<"$seen") in *"$rc[$rp]"* | *"fix $rp"*) fail "alert $id names pid $rp to nobody: $seen" ;; esac
	hidden=$((hidden + 1))
done
[ $hidden -gt 0 ] || fail "no alert about another user's process to check"
pass "nobody sees only its own owners in Describe and ListAlerts"

wait_for 10 grep -q '"Alert"' "$TMP/signals" || fail "no Alert signal arrived"
grep '"Alert"' "$TMP/signals" | grep -q '"pid"\|rootsock\|nobodysock' && fail "an Alert signal names an owner: $(grep -m1 '"Alert"' "$TMP/signals")"
pass "the Alert signal names no owner"
wait_for 10 test -e "$TMP/metrics/nltune.prom" || fail "no metrics file"
[ "$(stat -c %a "$TMP/metrics/nltune.prom")" = 640 ] || fail "metrics file mode $(stat -c %a "$TMP/metrics/nltune.prom") while hiding"
pass "the metrics file is 0640"

# hide-owners = no: everyone sees every owner again, after a reload.
conf "hide-owners = no"
call Reload > /dev/null || fail "Reload refused"
grep -q rootsock <<<"$(ncall ListSocketsJSON suituu "" 0 -1 0 0 0)" || fail "hide-owners = no still hides root's owner"
shown() { [ "$(stat -c %a "$TMP/metrics/nltune.prom")" = 644 ]; }
wait_for 10 shown || fail "metrics file mode $(stat -c %a "$TMP/metrics/nltune.prom") with hide-owners = no"
pass "hide-owners = no shows every owner, and the metrics file is 0644"
