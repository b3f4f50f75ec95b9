# SPDX-License-Identifier: MIT
# Shared by the benchmark scripts: paths, a private temp dir, cleanup by pid, result rows.
# Every benchmark restores what it changed on EXIT (tests/lib.sh): sysctls (CLEANUPS), the
# processes it started (PIDS, killed by pid), its temp dir.
NLTUNE_TMP_PREFIX=nltune-bench
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
BENCH_BIN=$NLTUNE_BUILD/bench

skip() { echo "skipped: $*"; row "$BENCH_NAME" "skipped" "" "" "$*"; exit 77; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (writes /proc/sys, emits uevents)"; }

# row NAME NLTUNE BASELINE RATIO NOTE: one line of the final Markdown table (run.sh prints it).
row() { [ -z "${BENCH_ROWS:-}" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_ROWS"; }

# Print a command the way it can be pasted into a shell.
show_cmd() { printf '  $'; printf ' %q' "$@"; printf '\n'; }

# hf_median JSON INDEX: median seconds of hyperfine result INDEX, in ms with 2 decimals.
hf_ms() { jq -r ".results[$2].$3 * 1000 | . * 100 | round / 100" "$1"; }
# ratio A B: A / B with 2 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# start_nltuned_nobus SECONDS: nltuned on a temp state and sysctl dir with no bus (sd-bus pointed
# at a socket that does not exist, so it measures without D-Bus); its pid in d, its output in
# $TMP/d.out and $TMP/d.err; fails unless it is measuring within SECONDS.
start_nltuned_nobus() {
	printf 'state-dir = "%s/state"\nsysctl-dir = "%s/sysctl.d"\n' "$TMP" "$TMP" > "$TMP/nltune.conf"
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/no-bus "$NLTUNED" -c "$TMP/nltune.conf" \
		> "$TMP/d.out" 2> "$TMP/d.err" &
	d=$!
	PIDS+=("$d")
	wait_for "$1" grep -q "measuring uevent bursts" "$TMP/d.err" ||
		fail "nltuned did not start: $(cat "$TMP/d.err")"
}
