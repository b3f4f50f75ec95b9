#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark 3: round-trip latency of nltuned's D-Bus API on a private system bus that loads
# the project's policy (as tests/integration/dbus.sh does): 10,000 sd-bus calls each of
# Peer.Ping, Describe(), ListSockets() and Properties.Get(RmemDefault) (tests/bench/buslat.c).
BENCH_NAME="D-Bus round trip, 10,000 calls each"
. "$(dirname "$0")/lib.sh"
need_root
command -v dbus-daemon >/dev/null || skip "dbus-daemon not installed"
N=${BENCH_DBUS_CALLS:-10000}

SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
start_bus strict "$SOCK"

cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
CONF
"$NLTUNED" -c "$TMP/nltune.conf" > "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=("$d")
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"

echo "private bus: $DBUS_SYSTEM_BUS_ADDRESS (policy: $REPO/dbus/org.nltune1.conf); nltuned pid $d, config:"
sed 's/^/    /' "$TMP/nltune.conf"
echo "measured with:"
show_cmd env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$BENCH_BIN/buslat" "$N"
"$BENCH_BIN/buslat" "$N" > "$TMP/lat.txt" || fail "buslat failed"
kill -0 $d 2>/dev/null || fail "nltuned died during the benchmark"
sed 's/^/  /' "$TMP/lat.txt"

field() { awk -v k="$1" -v f="$2" '$1 == k { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$TMP/lat.txt"; }
pm=$(field ping median_us) pp=$(field ping p99_us)
for k in ping describe sockets property; do
	m=$(field $k median_us) p=$(field $k p99_us)
	case $k in
	ping) label="Peer.Ping" ;;
	describe) label="Describe() ($(field reply describe_bytes) bytes)" ;;
	sockets) label="ListSockets() ($(field reply sockets) sockets)" ;;
	property) label="Get(RmemDefault)" ;;
	esac
	rm_=$(ratio "$m" "$pm") rp=$(ratio "$p" "$pp")
	echo "RESULT dbus $k median_us=$m p99_us=$p median_ratio_to_ping=$rm_ p99_ratio_to_ping=$rp"
	base="Peer.Ping: median $pm µs, p99 $pp µs"
	[ $k != ping ] || base="(the baseline: sd-bus answers it, no nltuned handler runs)"
	row "D-Bus $label, $N calls" "median $m µs, p99 $p µs" "$base" \
		"$rm_ (p99 $rp)" "sd-bus client, private dbus-daemon, \`buslat $N\`"
done
