#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark 2: `nltune sockets --all --json --no-daemon` vs `ss -A netlink -a -e -m -p` with
# 2000 netlink sockets held by 200 processes (tests/bench/nlhold.c). Median of 10 runs each;
# also reports (does not assert) how many of those sockets each tool names an owner for.
BENCH_NAME="list netlink sockets, 2000 held by 200 processes (median of 10)"
. "$(dirname "$0")/lib.sh"
command -v ss >/dev/null || skip "ss (iproute2) not installed"
PROCS=200 PER=10
want=$((PROCS * PER))

mkfifo "$TMP/hold.in"
"$BENCH_BIN/nlhold" $PROCS $PER < "$TMP/hold.in" > "$TMP/hold.out" &
PIDS+=($!)
exec {hold_fd}> "$TMP/hold.in"   # nlhold and its children live until this closes
CLEANUPS+=("exec {hold_fd}>&-")
wait_for 30 grep -q '^ready' "$TMP/hold.out" || fail "nlhold did not get its sockets: $(cat "$TMP/hold.out")"
echo "nlhold: $(cat "$TMP/hold.out") (pid ${PIDS[0]}); /proc/net/netlink lists $(($(wc -l < /proc/net/netlink) - 1)) sockets"

A=("$NLTUNE" sockets --all --json --no-daemon)
B=(ss -A netlink -a -e -m -p)
echo "measured with:"
show_cmd hyperfine -N --warmup 2 --runs 10 --export-json "$TMP/sockets.json" "${A[*]}" "${B[*]}"
hyperfine -N --warmup 2 --runs 10 --export-json "$TMP/sockets.json" --style basic \
	"${A[*]}" "${B[*]}" || fail "hyperfine failed"

# What each one found (reported, not asserted).
"${A[@]}" > "$TMP/nltune.json" || fail "nltune sockets failed"
"${B[@]}" > "$TMP/ss.txt" || fail "ss failed"
n_all=$(jq length "$TMP/nltune.json")
n_owned=$(jq '[.[] | select((.pids | length) > 0)] | length' "$TMP/nltune.json")
n_hold=$(jq '[.[] | select(.comm == "nlhold")] | length' "$TMP/nltune.json")
ss_rows=$(($(wc -l < "$TMP/ss.txt") - 1))
# ss can only name a netlink socket's owner when its port id is the pid (the first socket of
# each protocol in a process); count distinct PROTOCOL:nlhold/PID, since ss repeats some rows.
ss_hold=$(grep -o '[a-z0-9_-]*:nlhold/[0-9]*' "$TMP/ss.txt" | sort -u | wc -l)
ss_dup=$(awk 'NR > 1 { print $4 }' "$TMP/ss.txt" | sort | uniq -d | wc -l)
check=$([ "$n_hold" -ge $want ] && echo "ok" || echo "NOT MET")
echo "nltune: $n_all sockets, $n_owned with owners, $n_hold owned by nlhold (>= $want: $check)"
echo "ss:     $ss_rows rows, $ss_hold distinct sockets named as nlhold's, $ss_dup rows printed twice"

a=$(hf_ms "$TMP/sockets.json" 0 median) b=$(hf_ms "$TMP/sockets.json" 1 median)
r=$(ratio "$a" "$b")
echo "RESULT sockets nltune_median_ms=$a ss_median_ms=$b ratio=$r (nltune / ss) nltune_owned=$n_hold/$want ss_owned=$ss_hold/$want"
row "$BENCH_NAME" "$a ms" "$b ms \`ss -A netlink -a -e -m -p\`" "$r" \
	"owners named for nlhold's $want sockets: nltune $n_hold, ss $ss_hold (ss printed $ss_rows rows for $(($(wc -l < /proc/net/netlink) - 1)) sockets: $ss_dup twice)"
