#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark: what asking polkit costs a mutating call. Apply(dry_run) round trips on a private
# system bus with the real polkitd, as root (nltuned skips polkit) and as uid daemon (nltuned
# asks polkitd each call; a rule allows it, so polkit answers at once, as it does for an
# auth_admin_keep authorization it keeps), each as a ratio to Peer.Ping and to Get(RmemDefault)
# by the same caller (tests/bench/buslat.c).
BENCH_NAME="D-Bus Apply(dry_run) with and without polkit"
. "$(dirname "$0")/lib.sh"
need_root
command -v dbus-daemon >/dev/null || skip "dbus-daemon not installed"
[ -x /usr/lib/polkit-1/polkitd ] || [ -x /usr/libexec/polkitd ] || skip "polkitd not installed"
id daemon > /dev/null 2>&1 || skip "no user daemon"
N=${BENCH_POLKIT_CALLS:-2000}

chmod 711 "$TMP"
SOCK=$TMP/bus.sock
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SOCK
start_bus strict "$SOCK"
mkdir -p "$TMP/rules"
cat > "$TMP/rules/50-bench.rules" <<'RULES'
polkit.addRule(function(action, subject) {
    if (action.id == "org.nltune1.apply" && subject.user == "daemon")
        return polkit.Result.YES;
});
RULES
start_polkitd "$TMP/rules"
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
CONF
"$NLTUNED" -c "$TMP/nltune.conf" > "$TMP/d.out" 2> "$TMP/d.err" &
d=$!
PIDS+=("$d")
wait_for 10 grep -q "serving org.nltune1" "$TMP/d.err" || fail "nltuned not on the bus: $(cat "$TMP/d.err")"

echo "private bus $DBUS_SYSTEM_BUS_ADDRESS, polkitd pid $polkitd (rule: uid daemon may org.nltune1.apply), nltuned pid $d; measured with:"
show_cmd "$BENCH_BIN/buslat" "$N" ping,property,apply
show_cmd setpriv --reuid=daemon --regid=daemon --clear-groups "$BENCH_BIN/buslat" "$N" ping,property,apply
"$BENCH_BIN/buslat" "$N" ping,property,apply > "$TMP/root.txt" || fail "buslat as root failed"
setpriv --reuid=daemon --regid="$(id -g daemon)" --clear-groups "$BENCH_BIN/buslat" "$N" ping,property,apply \
	> "$TMP/daemon.txt" || fail "buslat as daemon failed (is the polkit rule in force?)"
kill -0 $d 2>/dev/null || fail "nltuned died during the benchmark"
for who in root daemon; do sed "s/^/  $who: /" "$TMP/$who.txt"; done

field() { awk -v k="$2" -v f="$3" '$1 == k { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$TMP/$1.txt"; }
for who in root daemon; do
	pm=$(field $who ping median_us) gm=$(field $who property median_us) am=$(field $who apply median_us)
	ap=$(field $who apply p99_us)
	case $who in
	root) label="Apply(dry_run) as root (no polkit)" ;;
	daemon) label="Apply(dry_run) as uid daemon (polkit asked, a rule allows)" ;;
	esac
	echo "RESULT polkit $who apply_median_us=$am apply_p99_us=$ap ping_median_us=$pm property_median_us=$gm apply_to_ping=$(ratio "$am" "$pm") apply_to_property=$(ratio "$am" "$gm")"
	row "D-Bus $label, $N calls" "median $am µs (p99 $ap)" "Peer.Ping $pm µs, Get(RmemDefault) $gm µs" \
		"$(ratio "$am" "$pm") to Ping, $(ratio "$am" "$gm") to Get" "private dbus-daemon + polkitd, \`buslat $N ping,property,apply\`"
done
echo "RESULT polkit cost: Apply as daemon / Apply as root = $(ratio "$(field daemon apply median_us)" "$(field root apply median_us)")"
