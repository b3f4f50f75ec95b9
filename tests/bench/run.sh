#!/bin/bash
# SPDX-License-Identifier: MIT
# `make bench`: run every benchmark against BUILD_DIR's binaries and print a Markdown summary.
# usage: tests/bench/run.sh BUILD_DIR        (e.g. build; relative to the repository root)
#
# Speed is reported as ratios against the tools users would run instead; nothing is asserted
# about it. A benchmark fails only when it cannot measure (a program fails, a daemon does not
# start); one that cannot run here (not root, no writable uevent file) says "skipped" and why.
# Each benchmark restores every sysctl it touches, kills only the processes it started (by
# pid) and removes its temp dir; nothing talks to the network.
set -u
cd "$(dirname "$0")/../.." || exit 1
O=${1:-build}
BENCH=tests/bench
[ -x "$O/nltune" ] && [ -x "$O/nltuned" ] || { echo "bench: build first: make (no $O/nltune)" >&2; exit 1; }

# --- dependencies: install what is missing (as root), like tests/deps.sh --------------------------
pkgs="hyperfine jq iproute2 dbus-daemon systemd libsystemd-dev pkg-config build-essential"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench: missing packages:$missing; install them (apt-get install$missing) or run as root" >&2
		exit 1
	fi
	echo "bench: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1
fi

# --- helpers: BUILD_DIR/bench/ --------------------------------------------------------------------
mkdir -p "$O/bench"
CC=${CC:-cc}
HFLAGS="-std=gnu11 -O2 -g -Wall -Wextra -D_GNU_SOURCE"
build_helper() { # NAME [pkg-config packages]
	local name=$1 src=$BENCH/$1.c out=$O/bench/$1
	shift
	[ "$out" -nt "$src" ] && return 0
	# shellcheck disable=SC2046
	$CC $HFLAGS ${1:+$(pkg-config --cflags "$@")} "$src" -o "$out" ${1:+$(pkg-config --libs "$@")} ||
		{ echo "bench: cannot build $src" >&2; exit 1; }
}
build_helper nlhold
build_helper uevblast
build_helper uevread
build_helper buslat libsystemd

# --- run ------------------------------------------------------------------------------------------
case $O in /*) NLTUNE_BUILD=$O ;; *) NLTUNE_BUILD=$PWD/$O ;; esac
export NLTUNE_BUILD
BENCH_ROWS=$(mktemp /tmp/nltune-bench-rows.XXXXXX)
export BENCH_ROWS
trap 'rm -f "$BENCH_ROWS"' EXIT
failed=()
t0=$SECONDS
for b in boot_apply sockets dbus_latency polkit_latency rss cost busy slowpeers; do
	echo
	echo "== bench: $b"
	s=$SECONDS
	bash "$BENCH/$b.sh"
	rc=$?
	case $rc in
	0 | 77) ;;
	*) failed+=("$b"); printf '%s\tFAILED (exit %s)\t\t\tsee the output above\n' "$b" "$rc" >> "$BENCH_ROWS" ;;
	esac
	echo "== $b: $((SECONDS - s)) s"
done

# --- summary --------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "## Benchmarks"
echo
echo "nltune $("$O/nltune" --version 2>/dev/null | awk '{ print $NF }'), Linux $(uname -r), $(nproc) CPUs (${cpu:-unknown}), $(. /etc/os-release && echo "$PRETTY_NAME"), $(date -u +%Y-%m-%d); \`make bench\` ($((SECONDS - t0)) s)."
echo "Ratios are nltune ÷ the alternative (below 1: nltune is faster); for D-Bus, each call ÷ Peer.Ping."
echo
echo "| benchmark | nltune | alternative | ratio | notes |"
echo "|---|---|---|---|---|"
while IFS=$'\t' read -r name a b r note; do
	printf '| %s | %s | %s | %s | %s |\n' "$name" "$a" "$b" "$r" "$note"
done < "$BENCH_ROWS"
[ ${#failed[@]} -eq 0 ] || { echo; echo "bench: failed: ${failed[*]}" >&2; exit 1; }
exit 0
