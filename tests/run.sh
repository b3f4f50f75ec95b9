#!/bin/bash
# SPDX-License-Identifier: MIT
# Run the tree checks, every unit test program, then every integration script; print one
# summary line `N passed, N failed, N skipped`.
# Scripts exit 0 (pass), 77 (skipped: they say why) or anything else (fail). A cmocka program
# that skipped any test counts as skipped, not passed.
set -u
O=${1:-build}
export NLTUNE_BUILD=$PWD/$O
passed=0 failed=0 skipped=0
failures=() skips=()

count() { # name rc
	case $2 in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)); skips+=("$1") ;;
	*) failed=$((failed + 1)); failures+=("$1") ;;
	esac
}

for t in tests/lint/*.sh; do
	[ -f "$t" ] || continue
	echo "== lint: ${t##*/}"
	bash "$t"
	count "${t##*/}" $?
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$O"/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.o | *.d) continue ;; esac
	echo "== unit: ${t##*/}"
	"$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ] && grep -q '^\[  SKIPPED \]' "$out"; then
		rc=77
	fi
	count "${t##*/}" "$rc"
done

for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	echo "== integration: ${t##*/}"
	bash "$t"
	count "${t##*/}" $?
done

[ ${#skips[@]} -eq 0 ] || echo "skipped: ${skips[*]}"
[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
