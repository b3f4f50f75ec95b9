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
	# Scripts marked "plain build only" check the package and the build itself, not the
	# programs: they belong to the plain pass, and a sanitizer pass does not run them.
	if [ "${O##*/}" = build-san ] && grep -q '^# plain build only' "$t"; then
		echo "== integration: ${t##*/}: plain build only, not part of the sanitizer pass"
		continue
	fi
	echo "== integration: ${t##*/}"
	bash "$t"
	count "${t##*/}" $?
done

# Cross builds (NLTUNE_CROSS, from make check): each program's result under qemu-user counts.
for arch in ${NLTUNE_CROSS:-}; do
	echo "== cross: $arch"
	: > "$out"
	NLTUNE_CROSS_RESULTS=$out bash tests/cross/run.sh "$arch"
	rc=$?
	n_fail=0
	while read -r name prc; do
		count "$name" "$prc"
		case $prc in 0 | 77) ;; *) n_fail=$((n_fail + 1)) ;; esac
	done < "$out"
	# A skip of the whole architecture (no toolchain, no sysroot), or a failure that no
	# program's result shows (the build, the staged install).
	if [ "$rc" -eq 77 ] || { [ "$rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; }; then
		count "cross-$arch" "$rc"
	fi
done

[ ${#skips[@]} -eq 0 ] || echo "skipped: ${skips[*]}"
[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
