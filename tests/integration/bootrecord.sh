#!/bin/bash
# SPDX-License-Identifier: MIT
# apply --boot records its write (what it replaced, when) in the state file when the state
# directory is there; a record kept under the runtime directory (/var not mounted that early)
# is merged into the state file by its next writer, once, beside its own write.
# (tests/integration/bootcache.sh: the state directory absent, the coldplug cache across boots.)
. "$(dirname "$0")/../lib.sh"
need_root

core=/proc/sys/net/core
old_def=$(cat $core/rmem_default) old_max=$(cat $core/rmem_max)
CLEANUPS+=("echo $old_max > $core/rmem_max; echo $old_def > $core/rmem_default")
boot=$(cat /proc/sys/kernel/random/boot_id)
st=$TMP/state
mkdir -p "$st"
printf 'policy = exact\n' > "$TMP/nltune.conf"

echo 65536 > $core/rmem_default
"$NLTUNE" -c "$TMP/nltune.conf" --state-dir "$st" apply --boot 2> "$TMP/boot.err" ||
	fail "apply --boot failed: $(cat "$TMP/boot.err")"
after=$(cat $core/rmem_default)
[ "$after" -gt 65536 ] || fail "apply --boot did not raise rmem_default"
grep -Eq "^apply $boot [0-9]+ boot 65536 $old_max $after [0-9]+$" "$st/state" ||
	fail "no boot record of the write in $st/state: $(cat "$st/state" 2>&1)"
pass "apply --boot recorded 65536 -> $after in the state file"

# As if /var had not been there: the record only under the runtime directory.
mkdir -p "$st/run"
mv "$st/state" "$st/run/state"

echo 131072 > $core/rmem_default
"$NLTUNE" -c "$TMP/nltune.conf" --state-dir "$st" apply > /dev/null 2> "$TMP/cli.err" ||
	fail "apply failed: $(cat "$TMP/cli.err")"
grep -Eq "^apply $boot [0-9]+ boot 65536 " "$st/state" || fail "the boot record was not merged: $(cat "$st/state")"
grep -Eq "^apply $boot [0-9]+ cli 131072 " "$st/state" || fail "the cli write is missing: $(cat "$st/state")"
[ "$(grep -c "^apply $boot .* boot " "$st/state")" -eq 1 ] || fail "boot record merged twice"
grep -q "^applied $after " "$st/state" || fail "applied is not the newest write: $(cat "$st/state")"
pass "the next write merged the boot record into $st/state beside its own"
