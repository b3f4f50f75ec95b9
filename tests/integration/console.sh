#!/bin/bash
# SPDX-License-Identifier: MIT
# The console under a real terminal (tmux, 80 columns): help per command, foreign options refused,
# no line wider than the terminal, status's exit code, history of two boots recorded by nltuned.
. "$(dirname "$0")/../lib.sh"
need_root
command -v tmux >/dev/null || skip "tmux missing (tests/deps.sh installs it)"

cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
floor = 8M
scan-interval = 200
alerts { interval = 60s }
CONF
# No system bus: every command takes the local path, nltuned measures without one.
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/no-bus
NL() { "$NLTUNE" -c "$TMP/nltune.conf" --state-dir "$TMP/state" "$@"; }

TMUX_SOCK=$TMP/tmux.sock
tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -s t -x 80 -y 50 || skip "tmux cannot start a session here"
CLEANUPS+=("tmux -S '$TMUX_SOCK' kill-server 2>/dev/null")
tmux -S "$TMUX_SOCK" set-option -g remain-on-exit on
tmux -S "$TMUX_SOCK" set-option -g history-limit 5000
n=0
# term ARGS...: run nltune ARGS in a new 80-column tmux window; its screen (wrapped rows joined)
# goes to $TMP/screen.$n, its exit code to $rc.
term() {
	local w cmd
	n=$((n + 1))
	printf -v cmd '%q ' "$NLTUNE" -c "$TMP/nltune.conf" --state-dir "$TMP/state" "$@"
	w=$(tmux -S "$TMUX_SOCK" new-window -d -P -F '#{pane_id}' \
		"env TERM=xterm-256color DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS $cmd; echo \"@@rc=\$?\"")
	done_() { tmux -S "$TMUX_SOCK" capture-pane -p -J -S - -t "$w" | grep -q '^@@rc='; }
	wait_for 30 done_ || fail "nltune $* did not finish in the terminal"
	[ "$(tmux -S "$TMUX_SOCK" display-message -p -t "$w" '#{pane_width}')" -eq 80 ] ||
		fail "the terminal is not 80 columns wide"
	tmux -S "$TMUX_SOCK" capture-pane -p -J -S - -t "$w" > "$TMP/screen.$n"
	tmux -S "$TMUX_SOCK" kill-pane -t "$w"
	rc=$(sed -n 's/^@@rc=//p' "$TMP/screen.$n")
	sed -i '/^@@rc=/,$d' "$TMP/screen.$n"
}
# fits NAME: no line of the last screen is wider than 80 columns.
fits() {
	local long
	long=$(awk 'length($0) > 80 { print length($0) ": " $0 }' "$TMP/screen.$n")
	[ -z "$long" ] || fail "$1: lines wider than the terminal:
$long"
	[ -s "$TMP/screen.$n" ] || fail "$1 printed nothing"
}

# --- help per command, the same both ways; foreign options are usage errors ----------------------
for c in status sockets apply history monitor fix; do
	term help "$c"
	[ "$rc" -eq 0 ] || fail "help $c exit $rc"
	fits "help $c"
	cp "$TMP/screen.$n" "$TMP/help.$c"
	head -n 1 "$TMP/help.$c" | grep -q "^usage: nltune $c" || fail "help $c: $(head -n 1 "$TMP/help.$c")"
	term "$c" --help
	cmp -s "$TMP/screen.$n" "$TMP/help.$c" || fail "nltune $c --help differs from nltune help $c"
done
cmp -s "$TMP/help.status" "$TMP/help.apply" && fail "help status and help apply are the same"
grep -q -- '--dry-run' "$TMP/help.apply" || fail "help apply does not list --dry-run"
grep -q -- '--dry-run' "$TMP/help.status" && fail "help status lists --dry-run"
for bad in "status --dry-run" "explain 1 --json" "monitor --all" "sockets --size 5" "status --json=bogus"; do
	# shellcheck disable=SC2086
	NL $bad > /dev/null 2> "$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "nltune $bad exit $rc, want 2"
	grep -q "nltune" "$TMP/err" || fail "nltune $bad: no message"
done
pass "help differs per command and matches --help; foreign options exit 2"

# --- JSON: compact in a pipe, pretty on a terminal -----------------------------------------------
[ "$(NL sockets --json | wc -l)" -eq 1 ] || fail "sockets --json in a pipe is not one line"
[ "$(NL recommend --json=pretty | wc -l)" -gt 3 ] || fail "--json=pretty is not indented"
term recommend --json
[ "$(wc -l < "$TMP/screen.$n")" -gt 3 ] || fail "--json on a terminal is not pretty"
jq -e .rmem_default "$TMP/screen.$n" > /dev/null || fail "pretty JSON does not parse"
pass "--json compact in a pipe, pretty on a terminal"

# --- a dropping victim: status exits 3 and the screens still fit ---------------------------------
start_sock victim --rcvbuf 1024
emit 60
term status
[ "$rc" -eq 3 ] || fail "status exit $rc with a dropping victim, want 3"
fits status
grep -q "^dropping *$victim_pid " "$TMP/screen.$n" || fail "status does not show the victim dropping"
grep -q "^attention: .*dropping" "$TMP/screen.$n" || fail "status does not say what needs attention"
grep -q " uevent " "$TMP/screen.$n" || fail "PROTO is not named as ss names it"
term sockets --all
[ "$rc" -eq 0 ] || fail "sockets exit $rc"
fits "sockets --all"
term alerts
fits alerts
grep -q "socket-drops: uevsock\[$victim_pid\]" "$TMP/screen.$n" || fail "alerts does not show the victim"
term sockets -q
grep -q VERDICT "$TMP/screen.$n" && fail "sockets -q prints the header"
grep -q "^dropping *$victim_pid " "$TMP/screen.$n" || fail "sockets -q lost the rows"
pass "status exits 3 with a dropping victim; status, sockets, alerts fit 80 columns"

# --- after apply, fix and a clean burst: nothing needs attention, explain says `forced` ---------
d0=$(cat /proc/sys/net/core/rmem_default) m0=$(cat /proc/sys/net/core/rmem_max)
CLEANUPS+=("echo $m0 > /proc/sys/net/core/rmem_max; echo $d0 > /proc/sys/net/core/rmem_default; echo $m0 > /proc/sys/net/core/rmem_max")
[ "$d0" -lt 8388608 ] || skip "rmem_default is already $d0 here: apply would write nothing to revert"
NL apply --persist > /dev/null || fail "apply failed"
[ -f "$TMP/sysctl.d/60-nltune.conf" ] || fail "apply --persist wrote no drop-in"
NL fix "$victim_pid" > /dev/null || fail "fix failed"
emit 60
st=$(sock_cmd victim stat)
NL explain "$victim_pid" > "$TMP/explain.txt" || fail "explain failed"
grep -q "limit forced: forced by nltune fix at 20" "$TMP/explain.txt" ||
	fail "explain after fix does not say forced by nltune: $(cat "$TMP/explain.txt")"
v=$(NL sockets --all --json | jq -c --argjson p "$victim_pid" '[.[] | select(.pids | index($p))] | first')
[ "$(jq -r .limit <<<"$v")" = forced ] || fail "fixed victim limit $(jq -r .limit <<<"$v"), want forced"
[ "$(jq -r .verdict <<<"$v")" = ok ] || fail "fixed victim after a clean burst: $v"
term status
fits "status after fix"
# Only sockets of this host's other processes could still need attention; none of ours may.
others=$(NL status --json | jq --argjson p "$victim_pid" '[.sockets[] | select(.pids | index($p) | not)] | length')
if [ "$others" -eq 0 ]; then
	[ "$rc" -eq 0 ] || fail "status exit $rc after apply, fix and a clean burst: $(cat "$TMP/screen.$n")"
else
	echo "note: $others sockets of other processes need attention on this host"
	[ "$rc" -eq 3 ] || fail "status exit $rc with $others foreign problems"
	grep -q "^[a-z-]* *$victim_pid " "$TMP/screen.$n" && fail "the fixed victim is still listed"
fi
pass "status exits 0 after apply, fix and a clean burst; explain says the limit was forced by nltune"

# --- two boots recorded by nltuned: history shows both -------------------------------------------
run_nltuned() { # run_nltuned EVENTS [--proc DIR]: measure a burst, save the state on SIGTERM
	local d ev=$1
	shift
	"$NLTUNED" -c "$TMP/nltune.conf" --state-dir "$TMP/state" "$@" 2> "$TMP/d.err" &
	d=$!
	PIDS+=($d)
	wait_for 30 grep -q 'measuring uevent bursts' "$TMP/d.err" || fail "nltuned did not start: $(cat "$TMP/d.err")"
	emit "$ev"
	# Other uevents of the host may join ours, and a loaded machine may pause the writer past a
	# burst's end: at least ours in the burst lines.
	seen() { awk -v n="$ev" '$2 == "burst:" { s += $3 } END { exit !(s >= n) }' "$TMP/d.err"; }
	wait_for 30 seen || fail "nltuned saw no bursts of $ev events: $(cat "$TMP/d.err")"
	kill -TERM $d
	wait $d || fail "nltuned exited $?"
}
# The other boot: /proc as it is, but another boot_id.
other=$TMP/proc
mkdir -p "$other/sys/kernel/random"
for e in /proc/*; do [ "${e##*/}" = sys ] || ln -s "$e" "$other/${e##*/}"; done
for e in /proc/sys/*; do [ "${e##*/}" = kernel ] || ln -s "$e" "$other/sys/${e##*/}"; done
for e in /proc/sys/kernel/*; do [ "${e##*/}" = random ] || ln -s "$e" "$other/sys/kernel/${e##*/}"; done
echo 00000000-1111-2222-3333-444444444444 > "$other/sys/kernel/random/boot_id"
run_nltuned 40 --proc "$other"
run_nltuned 120
term history
[ "$rc" -eq 0 ] || fail "history exit $rc"
fits history
cat "$TMP/screen.$n"
awk '$1 == "00000000" && $5 >= 40 { ok = 1 } END { exit !ok }' "$TMP/screen.$n" ||
	fail "history does not show the first boot with 40 events"
boot=$(cut -c1-8 /proc/sys/kernel/random/boot_id)
awk -v b="$boot*" '$1 == b && $5 >= 120 && $NF ~ /^#+$/ { ok = 1 } END { exit !ok }' "$TMP/screen.$n" ||
	fail "history does not show this boot (120 events, a bar)"
[ "$(NL history --json | jq '.boots | length')" -eq 2 ] || fail "history --json has not two boots"
term status
fits "status with history"
grep -q "^last boots " "$TMP/screen.$n" || fail "status does not show the last boots' peaks"
pass "history shows two boots recorded by nltuned; status shows their peaks"

# --- revert after apply: the values from before nltune's first write, exactly -------------------
NL revert --dry-run > "$TMP/dry.txt" || fail "revert --dry-run failed"
grep -q "^would revert" "$TMP/dry.txt" || fail "revert --dry-run: $(cat "$TMP/dry.txt")"
[ "$(cat /proc/sys/net/core/rmem_default)" -ge 8388608 ] || fail "revert --dry-run wrote"
[ -f "$TMP/sysctl.d/60-nltune.conf" ] || fail "revert --dry-run removed the drop-in"
term revert
[ "$rc" -eq 0 ] || fail "revert exit $rc: $(cat "$TMP/screen.$n")"
fits revert
[ "$(cat /proc/sys/net/core/rmem_default) $(cat /proc/sys/net/core/rmem_max)" = "$d0 $m0" ] ||
	fail "revert left $(cat /proc/sys/net/core/rmem_default) $(cat /proc/sys/net/core/rmem_max), want $d0 $m0"
[ -e "$TMP/sysctl.d/60-nltune.conf" ] && fail "revert left the drop-in"
NL revert --json | jq -e '.changed == false' > /dev/null || fail "a second revert changed something"
term history
fits "history with writes"
grep -q "^ .* cli .*default .* -> 8.0M" "$TMP/screen.$n" || fail "history does not show the apply: $(cat "$TMP/screen.$n")"
grep -q "^ .* revert .*default 8.0M -> " "$TMP/screen.$n" || fail "history does not show the revert"
NL history --json | jq -e '[.boots[] | select(.current)][0].reverted' > /dev/null || fail "history --json: not reverted"
pass "revert restores $d0/$m0 exactly and removes the drop-in; history shows the apply and the revert"
