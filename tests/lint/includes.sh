#!/bin/bash
# SPDX-License-Identifier: MIT
# Fail on an include cycle between modules (a .c and its own .h are one node), so dependencies
# keep pointing one way, and on an include between folders in a direction the README's data-flow
# diagram does not draw (ALLOWED below). Prints what is wrong and, with -v, every edge.
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

# The directions between folders that README.md's "How data flows" draws, as FROM TO pairs of
# module globs: everything uses conf and the base utilities; nltuned wires the bus, the commands
# ask the daemon through the client; the bus marshals the manager's read model and verbs, the
# record tables and the recommendation the manager hands out. Nothing else crosses a folder.
base='daemon/@(paths|clock|log|num|sanitize|sorted)'
ALLOWED=(
	'daemon/*' 'conf/conf'
	'dbus/*' 'conf/conf'
	'conf/*' "$base"
	'dbus/*' "$base"
	'daemon/nltuned' 'dbus/bus'
	'daemon/cmd_*' 'dbus/client'
	'dbus/bus' 'daemon/@(manager|record|recommend)'
)
shopt -s extglob
allowed() { # FROM TO
	local i
	for ((i = 0; i < ${#ALLOWED[@]}; i += 2)); do
		# shellcheck disable=SC2053 # the patterns are globs on purpose
		[[ $1 == ${ALLOWED[i]} && $2 == ${ALLOWED[i + 1]} ]] && return 0
	done
	return 1
}
bad=0
while read -r from to; do
	[ "${from%%/*}" = "${to%%/*}" ] && continue
	allowed "$from" "$to" && continue
	echo "$from includes $to: ${from%%/*}/ -> ${to%%/*}/ is not a direction README.md's diagram draws"
	bad=1
done < <(sort -u "$edges")
[ "$bad" -eq 0 ] || exit 1

# tsort names the nodes of every loop it finds on stderr.
if ! out=$(sort -u "$edges" | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
	echo "include cycle between modules (A includes B includes ... A):"
	echo "$out" | sed 's/^tsort: /  /'
	exit 1
fi
echo "no include cycle among $(cut -d' ' -f1 "$edges" | sort -u | wc -l) modules; folders include each other only as drawn"
