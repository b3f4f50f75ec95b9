#!/bin/bash
# SPDX-License-Identifier: MIT
# The cost of a raise against iproute2: 500 UDP sockets opened here make nltune's count of UDP
# sockets that inherit rmem_default grow by exactly 500, and the UDP and netlink counts equal
# what `ss -uampe` and `ss -A netlink -a -e -m` show with rb equal to rmem_default; sockets that
# set SO_RCVBUF are not counted; worst_case_bytes is the sum the counts imply; a listener with
# SO_RCVBUF 1024 gets the narrow remedy. Run in a private network namespace when one can be
# made (nothing else opens sockets there); else in this one, compared at moments the counts held.
if [ -z "${NLTUNE_COST_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] && unshare -n true 2> /dev/null; then
	NLTUNE_COST_NETNS=1 exec unshare -n "$BASH" "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to see every socket's owner"
command -v ss > /dev/null || skip "needs ss (iproute2)"
command -v python3 > /dev/null || skip "needs python3 to open the sockets"
command -v jq > /dev/null || skip "needs jq"
[ "${NLTUNE_COST_NETNS:-}" = 1 ] && echo "in a private network namespace" ||
	echo "in this network namespace: other sockets may come and go; counted at quiet moments"

N=500 NL=20 OWN=10
DEF=$(cat /proc/sys/net/core/rmem_default)
mkdir -p "$TMP/state"

# The sockets: N UDP (half IPv6 where the kernel has it) bound to port 0, OWN more UDP with
# their own SO_RCVBUF, NL netlink (route) sockets bound; held until stdin closes.
mkfifo "$TMP/hold.in"
python3 -c '
import socket, sys
n, nl, own = map(int, sys.argv[1:4])
keep = []
def udp(i):
    if i % 2 and socket.has_ipv6:
        try:
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind(("::", 0))
            return s
        except OSError:
            pass
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    return s
for i in range(own):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.bind(("0.0.0.0", 0))
    keep.append(s)
print("own", flush=True)
sys.stdin.readline()
for i in range(n):
    keep.append(udp(i))
for i in range(nl):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    keep.append(s)
print("ready", flush=True)
sys.stdin.read()
' $N $NL $OWN < "$TMP/hold.in" > "$TMP/hold.out" &
PIDS+=($!)
exec {hold}> "$TMP/hold.in"
wait_for 10 grep -q '^own' "$TMP/hold.out" || fail "the socket holder did not start"

rec() { "$NLTUNE" -c /dev/null --state-dir "$TMP/state" recommend --no-daemon --json; }
ss_udp() { ss -uampe | grep -c "rb$DEF,"; }
ss_netlink() { ss -A netlink -a -e -m | grep -c "rb$DEF,"; }
# count: one moment at which nltune and ss agree: nltune, ss, nltune again, the same counts.
# Sets U/L (nltune's udp/netlink), SU/SL (ss's) and J (nltune's document). Five tries.
count() {
	local try j2
	for try in 1 2 3 4 5; do
		J=$(rec) || fail "nltune recommend failed"
		SU=$(ss_udp) SL=$(ss_netlink)
		j2=$(rec) || fail "nltune recommend failed"
		jq -e .cost.inheriting <<<"$J" > /dev/null || fail "recommend --json carries no cost: $J"
		U=$(jq .cost.inheriting.udp <<<"$J") L=$(jq .cost.inheriting.netlink <<<"$J")
		[ "$U" != null ] && [ "$L" != null ] ||
			skip "this kernel dumps no UDP or netlink sockets: $(jq -c .cost.unavailable <<<"$J")"
		[ "$(jq -c .cost.inheriting <<<"$J")" = "$(jq -c .cost.inheriting <<<"$j2")" ] &&
			[ "$U" -eq "$SU" ] && [ "$L" -eq "$SL" ] && return 0
		echo "counts moved while compared (nltune udp $U netlink $L, ss $SU $SL): again"
		sleep 0.2
	done
	fail "nltune and ss never agreed in 5 tries: nltune udp $U netlink $L, ss udp $SU netlink $SL"
}

count
U0=$U L0=$L
echo "before: udp $U0, netlink $L0 inherit rmem_default $DEF (ss: $SU, $SL)"
echo >&$hold
wait_for 10 grep -q '^ready' "$TMP/hold.out" || fail "the socket holder did not open its sockets"
count
echo "after:  udp $U, netlink $L (ss: $SU, $SL)"
[ $((U - U0)) -eq $N ] || fail "udp inheriting grew by $((U - U0)), want $N (the $OWN with SO_RCVBUF left out)"
[ $((L - L0)) -eq $NL ] || fail "netlink inheriting grew by $((L - L0)), want $NL"
pass "udp inheriting grew by exactly $N and netlink by $NL; both equal ss's counts with rb $DEF"

# worst_case_bytes: what the counts imply at the recommended value (udp within udp_mem).
want=$(jq '.cost as $c | (.rmem_default - $c.rmem_default) as $d |
	if $d <= 0 then 0 else
	(($c.inheriting.netlink // 0) * $d) + (($c.inheriting.packet // 0) * $d) +
	([($c.inheriting.udp // 0) * $d, (if $c.udp_mem_bytes > 0 then $c.udp_mem_bytes else infinite end)] | min)
	end' <<<"$J")
got=$(jq .cost.worst_case_bytes <<<"$J")
[ "$got" = "$want" ] || fail "worst_case_bytes $got, the counts imply $want"
[ "$(jq .cost.rmem_default <<<"$J")" -eq "$DEF" ] || fail "the cost was not counted against $DEF"
jq -e '.reason | test("inherit rmem_default|no raise of rmem_default")' <<<"$J" > /dev/null ||
	fail "the reason does not say the cost: $(jq -r .reason <<<"$J")"
pass "worst_case_bytes $got as the counts imply; the reason says it"

# The seed's listener: SO_RCVBUF 1024. A global raise does not reach it; the reason says what does
# when every socket at risk set its own buffer (at risk elsewhere on this machine: not said).
"$NLTUNE" apply --dry-run --no-daemon -c /dev/null --state-dir "$TMP/state" --json > "$TMP/apply.json" ||
	fail "apply --dry-run failed"
jq -e '.cost.inheriting.udp >= 0' "$TMP/apply.json" > /dev/null || fail "apply --json carries no cost"
start_sock victim --rcvbuf 1024
J=$(rec)
own=$(jq .cost.at_risk_own_buffer <<<"$J") risk=$(jq .cost.at_risk <<<"$J")
[ "$own" -ge 1 ] || fail "the listener with SO_RCVBUF 1024 is not counted at risk with its own buffer"
if [ "$own" -eq "$risk" ]; then
	jq -e --arg p "$victim_pid" '.reason | test("does not reach it: `nltune fix " + $p + "`")' <<<"$J" > /dev/null ||
		fail "the reason does not name the narrow remedy: $(jq -r .reason <<<"$J")"
	pass "the one socket at risk set its own buffer: the reason names \`nltune fix $victim_pid\`"
else
	jq -e '.reason | test("does not reach") | not' <<<"$J" > /dev/null ||
		fail "the reason sends away $risk sockets at risk of which only $own set their buffer"
	pass "$risk at risk on this machine, $own with their own buffer: no narrow remedy claimed"
fi

# nltuned: D-Bus Recommend's reason and Describe's "recommended" carry the same cost.
command -v dbus-daemon > /dev/null && command -v busctl > /dev/null ||
	{ echo "no dbus-daemon or busctl: nltuned's side not looked at"; exit 0; }
chmod 711 "$TMP"
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/bus.sock
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/dstate"
sysctl-dir = "$TMP/sysctl.d"
CONF
start_bus strict "$TMP/bus.sock"
"$NLTUNED" -c "$TMP/nltune.conf" > "$TMP/d.out" 2> "$TMP/d.err" &
PIDS+=($!)
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"
reason=$(busctl --system --json=short call org.nltune1 /org/nltune1 org.nltune1.Manager Recommend | jq -r '.data[2]')
grep -Eq "inherit rmem_default|no raise of rmem_default" <<<"$reason" ||
	fail "Recommend's reason says no cost: $reason"
D=$(busctl --system --json=short call org.nltune1 /org/nltune1 org.nltune1.Manager Describe | jq -r '.data[0]')
DU=$(jq .recommended.cost.inheriting.udp <<<"$D")
[ "${NLTUNE_COST_NETNS:-}" != 1 ] || [ "$DU" -eq "$U" ] ||
	fail "nltuned counts $DU udp sockets inheriting, the console $U"
S=$("$NLTUNE" -c "$TMP/nltune.conf" status --json)
[ "$(jq -r .source <<<"$S")" = daemon ] && jq -e .recommended.cost.worst_case_bytes <<<"$S" > /dev/null ||
	fail "status --json through nltuned has no recommended.cost"
A=$("$NLTUNE" -c "$TMP/nltune.conf" apply --dry-run --json)
jq -e .cost.inheriting.udp <<<"$A" > /dev/null || fail "apply --dry-run --json through nltuned has no cost: $A"
pass "nltuned: Recommend's reason, Describe and status carry the cost (udp $DU inheriting)"
