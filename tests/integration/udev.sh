#!/bin/bash
# SPDX-License-Identifier: MIT
# Group 2, udevd's re-broadcasts: in a private network namespace (whose group 2 only this test
# sends to) a sender of udev-style messages and real group-2 listeners; nltuned meters the
# messages apart from the kernel's, charges each by its whole datagram (libudev header
# included) as the kernel does, keeps the peaks of this boot, and judges each listener by the
# need of the groups it joined.
if [ -z "${NLTUNE_UDEV_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] && unshare -n true 2> /dev/null; then
	NLTUNE_UDEV_NETNS=1 exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
need_root
[ -n "${NLTUNE_UDEV_NETNS:-}" ] || need_netns "a private group 2"
for t in dbus-daemon busctl jq; do
	command -v $t > /dev/null || fail "$t missing (tests/deps.sh installs it)"
done
UDEVSEND=$NLTUNE_BUILD/tests/helpers/udevsend
N=400   # messages sent to group 2
PAD=4000 # bytes of padding property each: about 4 KiB a datagram, an 8 KiB charge
BUF=2097152 # the two judged listeners' buffer: above group 1's need, below group 2's

SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
cat > "$TMP/nltune.conf" << CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
scan-interval = 500
alerts { interval = 60s }
CONF
NL() { "$NLTUNE" -c "$TMP/nltune.conf" "$@"; }
row_of() { jq -c --argjson p "$1" '[.[] | select(.pids | index($p))] | first' "$2"; }

start_bus strict "$SOCK"
"$NLTUNED" -c "$TMP/nltune.conf" > "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=($d)
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"

# A witness on group 2 that never reads: its queue is the kernel's charge of what came.
start_sock witness --groups 2 --force 67108864
start_sock g2 --groups 2 --force $BUF   # a libudev-style monitor
start_sock g1 --groups 1 --force $BUF   # a kernel-event listener
sock_cmd g2 follow > /dev/null
sock_cmd g1 follow > /dev/null

out=$("$UDEVSEND" $N $PAD) || fail "udevsend: $out"
read -r _ sent len <<< "$out"
[ "$sent" -eq $N ] || fail "udevsend sent $sent"
arrived() { [ "$(jq .events <<< "$(sock_cmd g2 stat)")" -eq $N ]; }
wait_for 10 arrived || fail "the listener on group 2 did not get the $N messages: $(sock_cmd g2 stat)"
charge=$(jq .rmem_alloc <<< "$(sock_cmd witness stat)")
[ "$((charge % N))" -eq 0 ] || fail "the witness holds $charge bytes for $N equal messages"
each=$((charge / N))
echo "each message: $len bytes, charged $each by the kernel; $N: $charge"

# --- nltuned saw them, apart from group 1, charged as the kernel does ---------------------------
# status exits 1 when something needs attention (a listener at risk): the document is there
seen() { NL status --json > "$TMP/st.json"; [ "$(jq .uevents.udev.total "$TMP/st.json")" -ge $N ]; }
wait_for 10 seen || fail "nltuned did not count the $N messages: $(jq -c .uevents "$TMP/st.json")"
jq -c .uevents "$TMP/st.json"
[ "$(jq -r .source "$TMP/st.json")" = daemon ] || fail "status did not come from nltuned"
[ "$(jq .uevents.udev.total "$TMP/st.json")" -eq $N ] || fail "udev total $(jq .uevents.udev.total "$TMP/st.json"), sent $N"
pe=$(jq .uevents.udev.peak_events "$TMP/st.json") pb=$(jq .uevents.udev.peak_bytes "$TMP/st.json")
[ "$pe" -eq $N ] || fail "udev peak_events $pe: the $N messages came within a window"
# The charge model must match the kernel's accounting within 10% (SPEC); here it is exact.
[ $((pb * 10)) -ge $((charge * 9)) ] && [ $((pb * 10)) -le $((charge * 11)) ] ||
	fail "udev peak_bytes $pb, the kernel charged $charge"
# group 1's figures hold no group-2 message: the kernel's events carry a far smaller charge
g1pb=$(jq .uevents.peak_bytes "$TMP/st.json") g1pe=$(jq .uevents.peak_events "$TMP/st.json")
[ "$g1pe" -eq 0 ] || [ $((g1pb / g1pe)) -lt "$each" ] || fail "group 1 holds messages of $((g1pb / g1pe)) bytes"

# --- the need is per group; the recommendation covers both and says whose ---------------------
rec=$(NL recommend --json) || [ $? -eq 1 ] || fail "recommend failed"
echo "recommend: $(jq -r .reason <<< "$rec")"
jq -r .reason <<< "$rec" | grep -q '^group 2 (udev): peak '"$N"' events' || fail "the reason does not name group 2"
[ "$(jq .need_bytes <<< "$rec")" -ge "$pb" ] || fail "need_bytes $(jq .need_bytes <<< "$rec") below group 2's peak $pb"

# --- each listener judged by the need of the groups it joined ---------------------------------
sleep 1 # a scan after the burst
NL sockets --all --json > "$TMP/sa.json" || [ $? -eq 1 ] || fail "sockets failed"
r2=$(row_of "$g2_pid" "$TMP/sa.json") r1=$(row_of "$g1_pid" "$TMP/sa.json") rw=$(row_of "$witness_pid" "$TMP/sa.json")
echo "group 2 listener: $r2"
echo "group 1 listener: $r1"
[ "$(jq .groups <<< "$r2")" -eq 2 ] || fail "group 2 listener's groups: $(jq .groups <<< "$r2")"
v2=$(jq -r .verdict <<< "$r2")
[ "$v2" = at-risk ] || [ "$v2" = dropping ] || fail "the group 2 listener ($BUF bytes, group 2 needs $pb) is $v2"
# its events are group 2's: the buffer holds BUF / each of them
h2=$(jq .holds_events <<< "$r2")
[ "$h2" -ge $((BUF / (each * 11 / 10))) ] && [ "$h2" -le $((BUF / (each * 9 / 10))) ] ||
	fail "the group 2 listener holds $h2 events; $((BUF / each)) of group 2's"
jq -r .fix <<< "$r2" | grep -q . || fail "no fix for the group 2 listener"
[ "$(jq -r .verdict <<< "$rw")" = ok ] || fail "the 64 MiB group 2 witness is $(jq -r .verdict <<< "$rw")"
# The same buffer on group 1 is judged by the kernel's need: ok unless other uevents on this
# machine (another test's burst, the coldplug estimate of /sys) made that need larger than it.
hist=$(NL history --json)
k=$(jq .uevents.peak_bytes "$TMP/st.json") est=$(jq '.coldplug.bytes // 0' <<< "$hist")
kneed=$((k > est ? k : est))
if [ "$kneed" -lt $BUF ]; then want=ok; else want=at-risk; fi
v1=$(jq -r .verdict <<< "$r1")
[ "$v1" = "$want" ] || [ "$v1" = dropping ] || fail "the group 1 listener ($BUF bytes, group 1 needs about $kneed) is $v1, want $want"
[ "$v1" != dropping ] || echo "note: the group 1 listener dropped other uevents of this machine"

# --- D-Bus and metrics show group 2 -------------------------------------------------------------
prop() { busctl --system get-property org.nltune1 /org/nltune1 org.nltune1.Manager "$1" | awk '{print $2}'; }
[ "$(prop UdevEventsTotal)" -eq $N ] || fail "UdevEventsTotal $(prop UdevEventsTotal)"
[ "$(prop UdevPeakBytes)" -eq "$pb" ] || fail "UdevPeakBytes $(prop UdevPeakBytes), status says $pb"
[ "$(prop UdevPeakEvents)" -eq "$pe" ] || fail "UdevPeakEvents $(prop UdevPeakEvents)"

# --- kept per boot: the state file and history carry group 2's peaks ----------------------------
kill -TERM $d
wait $d 2> /dev/null
grep -qE "^udev [0-9a-f-]{36} $N $pb $N\$" "$TMP/state/state" || fail "no udev line of this boot in the state file: $(cat "$TMP/state/state")"
hist=$(NL history --json)
[ "$(jq '.boots[-1].udev.peak_bytes' <<< "$hist")" -eq "$pb" ] || fail "history lacks group 2's peak: $(jq -c '.boots[-1]' <<< "$hist")"
NL history | grep -q "udev: peak $N" || fail "history text lacks group 2's peak"

stop_sock g1
stop_sock g2
stop_sock witness
pass "group 2: $N messages of $len bytes, $each charged each, peak $pb seen; its listener $v2 at $BUF bytes, group 1's $v1"
