#!/bin/bash
# SPDX-License-Identifier: MIT
# Line coverage of daemon/, conf/ and dbus/ under the unit programs alone (make coverage): a
# --coverage build in build-cov/, every tests/test_* program run once, then gcov per source
# file; prints each file and each folder as lines executed / lines, and the whole.
# Programs that need root or a dbus-daemon skip without them, and cover less.
set -u
cd "$(dirname "$0")/.."
O=build-cov
rm -rf "$O"
make -s O="$O" CROSS= CFLAGS="--coverage -O0" LDFLAGS=--coverage \
	$(for f in tests/test_*.c; do t=${f#tests/}; echo "$O/tests/${t%.c}"; done) >/dev/null ||
	{ echo "coverage: the --coverage build failed" >&2; exit 1; }
for t in "$O"/tests/test_*; do
	case $t in *.o | *.d | *.gc*) continue ;; esac
	"$t" > "$O/${t##*/}.log" 2>&1 || echo "coverage: ${t##*/} failed (see $O/${t##*/}.log)" >&2
done
for d in daemon conf dbus; do
	for f in "$d"/*.c; do
		[ -f "$O/${f%.c}.gcno" ] || continue # not in the library (nltune.c, nltuned.c)
		gcov -n -o "$O/$d" "$f" 2>/dev/null |
			awk -v f="$f" '$0 ~ "^File .*" f "'"'"'$" { want = 1; next }
				want && /^Lines executed:/ { split($2, a, ":"); sub(/%/, "", a[2]);
					print f, int(a[2] * $4 / 100 + 0.5), $4; exit }'
	done
done | awk '{ split($1, p, "/"); run[p[1]] += $2; all[p[1]] += $3; R += $2; A += $3;
		printf "  %-24s %5d / %5d  %5.1f%%\n", $1, $2, $3, $3 ? 100 * $2 / $3 : 0 }
	END { for (d in all) printf "%-26s %5d / %5d  %5.1f%%\n", d "/", run[d], all[d], 100 * run[d] / all[d]
	      printf "%-26s %5d / %5d  %5.1f%%\n", "total", R, A, 100 * R / A }'
