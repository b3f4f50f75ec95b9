#!/bin/bash
# SPDX-License-Identifier: MIT
# Every C file of the tree as the pinned .clang-format writes it (`make format` fixes them).
set -u
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "skipped: clang-format is not installed (tests/deps.sh installs it)"; exit 77; }
bad=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find daemon conf dbus tests -name '*.[ch]'); do
	if ! clang-format --style=file "$f" | cmp -s - "$f"; then
		echo "not formatted: $f (run: make format)"
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ] || exit 1
echo "every C file matches .clang-format ($(clang-format --version | sed 's/.*version \([0-9.]*\).*/\1/'))"
