#!/bin/bash
# SPDX-License-Identifier: MIT
# Fail on an include cycle between modules (a .c and its own .h are one node), so dependencies
# keep pointing one way. Prints the cycle and, with -v, every edge.
set -u
cd "$(dirname "$0")/../.."
dirs="daemon conf dbus"
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

# module of a project header name, or nothing for a system header
module_of() {
	local d
	for d in $dirs; do
		[ -f "$d/$1" ] && { echo "$d/${1%.h}"; return; }
	done
}

for f in $(ls $(for d in $dirs; do echo "$d/*.c $d/*.h"; done) 2>/dev/null); do
	from=${f%.[ch]}
	echo "$from $from" >>"$edges"
	for h in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		to=$(module_of "$h")
		[ -n "$to" ] && [ "$to" != "$from" ] && echo "$from $to" >>"$edges"
	done
done
[ "${1:-}" = -v ] && sort -u "$edges" | awk '$1 != $2'

# tsort names the nodes of every loop it finds on stderr.
if ! out=$(sort -u "$edges" | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
	echo "include cycle between modules (A includes B includes ... A):"
	echo "$out" | sed 's/^tsort: /  /'
	exit 1
fi
echo "no include cycle among $(cut -d' ' -f1 "$edges" | sort -u | wc -l) modules"
