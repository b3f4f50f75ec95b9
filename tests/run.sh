#!/bin/bash
# SPDX-License-Identifier: MIT
# Run every unit test program, then every integration script; print one summary line.
# Integration scripts exit 0 (pass), 77 (skipped: they say why) or anything else (fail).
set -u
O=${1:-build}
export NLTUNE_BUILD=$PWD/$O
passed=0 failed=0 skipped=0
failures=()

for t in "$O"/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.o | *.d) continue ;; esac
	echo "== unit: ${t##*/}"
	if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("${t##*/}"); fi
done

for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	echo "== integration: ${t##*/}"
	bash "$t"
	rc=$?
	case $rc in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failures+=("${t##*/}") ;;
	esac
done

[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
