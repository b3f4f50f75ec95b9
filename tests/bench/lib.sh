# SPDX-License-Identifier: MIT
# Shared by the benchmark scripts: paths, a private temp dir, cleanup by pid, result rows.
# Every benchmark restores what it changed on EXIT: sysctls (CLEANUPS), the processes it
# started (PIDS, killed by pid), its temp dir.
NLTUNE=${NLTUNE_BUILD:?run through tests/bench/run.sh BUILD_DIR}/nltune
NLTUNED=$NLTUNE_BUILD/nltuned
BENCH_BIN=$NLTUNE_BUILD/bench
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TMP=$(mktemp -d /tmp/nltune-bench.XXXXXX)
PIDS=()
CLEANUPS=()

cleanup() {
	local p c
	for c in "${CLEANUPS[@]}"; do eval "$c"; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*"; row "$BENCH_NAME" "skipped" "" "" "$*"; exit 77; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (writes /proc/sys, emits uevents)"; }

# wait_for SECONDS COMMAND...: poll every 20 ms until COMMAND succeeds.
wait_for() {
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.02
	done
}

# row NAME NLTUNE BASELINE RATIO NOTE: one line of the final Markdown table (run.sh prints it).
row() { [ -z "${BENCH_ROWS:-}" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_ROWS"; }

# Print a command the way it can be pasted into a shell.
show_cmd() { printf '  $'; printf ' %q' "$@"; printf '\n'; }

# hf_median JSON INDEX: median seconds of hyperfine result INDEX, in ms with 2 decimals.
hf_ms() { jq -r ".results[$2].$3 * 1000 | . * 100 | round / 100" "$1"; }
# ratio A B: A / B with 2 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
