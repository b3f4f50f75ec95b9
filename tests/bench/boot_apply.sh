#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark 1: `nltune apply --boot` vs systemd-sysctl applying the same two values.
# Both start from the same boot-like values (reset before every run by hyperfine --prepare),
# so both really write rmem_max and rmem_default each time. Median of 20 runs each.
BENCH_NAME="apply at boot (wall clock, median of 20)"
. "$(dirname "$0")/lib.sh"
need_root
SYSCTL=/lib/systemd/systemd-sysctl
[ -x $SYSCTL ] || SYSCTL=/usr/lib/systemd/systemd-sysctl
[ -x $SYSCTL ] || skip "systemd-sysctl not installed"
core=/proc/sys/net/core
old_def=$(cat $core/rmem_default) old_max=$(cat $core/rmem_max)
CLEANUPS+=("echo $old_max > $core/rmem_max; echo $old_def > $core/rmem_default")

# The state dir as after the first boot: the package installs the directory, the first
# apply --boot writes the coldplug cache into it, so the measured runs do not walk /sys.
mkdir -p "$TMP/state"
cat > "$TMP/nltune.conf" <<CONF
state-dir = "$TMP/state"
sysctl-dir = "$TMP/sysctl.d"
policy = exact
CONF
first=$("$NLTUNE" -c "$TMP/nltune.conf" --state-dir "$TMP/state" apply --boot --json) || fail "first apply failed"
def=$(jq .after.rmem_default <<<"$first") max=$(jq .after.rmem_max <<<"$first")
grep -q '^coldplug ' "$TMP/state/state" || echo "note: no coldplug line in $TMP/state/state"

# The same two values as a sysctl.d drop-in (order as nltune writes them: max first).
mkdir -p "$TMP/sysctl.d"
printf 'net.core.rmem_max = %s\nnet.core.rmem_default = %s\n' "$max" "$def" > "$TMP/sysctl.d/60-bench.conf"

# Boot-like starting point before every run: the kernel's defaults (212992), or half of the
# target when the target happens to be exactly that, so every run writes both values.
r_def=212992 r_max=212992
[ "$def" -ne $r_def ] || r_def=$((def / 2))
[ "$max" -ne $r_max ] || r_max=$((max / 2))
cat > "$TMP/reset" <<SH
#!/bin/sh
echo $r_max > $core/rmem_max && echo $r_def > $core/rmem_default
SH
chmod +x "$TMP/reset"

A=("$NLTUNE" -c "$TMP/nltune.conf" --state-dir "$TMP/state" apply --boot)
B=("$SYSCTL" "$TMP/sysctl.d/60-bench.conf")
echo "values: rmem_default=$def rmem_max=$max (reset to $r_def/$r_max before each run)"
echo "config ($TMP/nltune.conf):"; sed 's/^/    /' "$TMP/nltune.conf"
echo "drop-in ($TMP/sysctl.d/60-bench.conf):"; sed 's/^/    /' "$TMP/sysctl.d/60-bench.conf"
echo "prepare ($TMP/reset):"; sed -n 2p "$TMP/reset" | sed 's/^/    /'
echo "measured with:"
show_cmd hyperfine -N --warmup 3 --runs 20 --prepare "$TMP/reset" --export-json "$TMP/boot.json" \
	"${A[*]}" "${B[*]}"
hyperfine -N --warmup 3 --runs 20 --prepare "$TMP/reset" --export-json "$TMP/boot.json" \
	--style basic "${A[*]}" "${B[*]}" || fail "hyperfine failed"

# Both must have left the target values in force.
"$TMP/reset"; "${A[@]}" 2>/dev/null
[ "$(cat $core/rmem_default) $(cat $core/rmem_max)" = "$def $max" ] || fail "nltune did not apply $def/$max"
"$TMP/reset"; "${B[@]}"
[ "$(cat $core/rmem_default) $(cat $core/rmem_max)" = "$def $max" ] || fail "systemd-sysctl did not apply $def/$max"

a=$(hf_ms "$TMP/boot.json" 0 median) b=$(hf_ms "$TMP/boot.json" 1 median)
r=$(ratio "$a" "$b")
echo "RESULT boot-apply nltune_median_ms=$a systemd_sysctl_median_ms=$b ratio=$r (nltune / systemd-sysctl)"
row "$BENCH_NAME" "$a ms" "$b ms \`systemd-sysctl FILE\`" "$r" \
	"\`nltune apply --boot\`, policy exact, coldplug cache present; both write the same 2 values"
