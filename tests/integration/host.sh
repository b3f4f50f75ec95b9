#!/bin/bash
# SPDX-License-Identifier: MIT
# The cmocka programs that change the host (tests/host/): sysctl_apply on the real
# /proc/sys/net/core (restored), real uevents overflowing a listener, a child network namespace.
. "$(dirname "$0")/../lib.sh"
need_root
for t in "$NLTUNE_BUILD"/tests/host/host_*; do
	case $t in *.o | *.d) continue ;; esac
	[ -x "$t" ] || fail "$t is not built"
	"$t" > "$TMP/out" 2>&1
	rc=$?
	cat "$TMP/out"
	[ $rc -eq 0 ] || fail "${t##*/}"
	# As root every case must run: a skip here is a failure of the machine, not a pass.
	grep -q '^\[  SKIPPED \]' "$TMP/out" && fail "${t##*/} skipped cases as root"
done
pass "host programs: real /proc/sys, real uevents, a child network namespace"
