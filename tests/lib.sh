# SPDX-License-Identifier: MIT
# Shared by the integration scripts: build paths, root check, polling, cleanup by pid.
NLTUNE=${NLTUNE_BUILD:?}/nltune
NLTUNED=${NLTUNE_BUILD}/nltuned
UEVSOCK=${NLTUNE_BUILD}/tests/helpers/uevsock
TMP=$(mktemp -d /tmp/nltune-test.XXXXXX)
PIDS=()
CLEANUPS=()

cleanup() {
	local p c
	for c in "${CLEANUPS[@]}"; do eval "$c"; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
skip() { echo "skipped: $*"; exit 77; }

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to emit real uevents and write /proc/sys"
	[ -w /sys/class/net/lo/uevent ] || skip "/sys/class/net/lo/uevent is not writable here"
}

# wait_for SECONDS COMMAND...: poll every 20 ms until COMMAND succeeds.
wait_for() {
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.02
	done
}

# emit N [FILE [TEXT]]: write TEXT (default "change") N times to a uevent file.
emit() {
	local n=$1 f=${2:-/sys/class/net/lo/uevent} txt=${3:-change} i
	for ((i = 0; i < n; i++)); do echo "$txt" > "$f"; done
}

# A uevsock listener as a coprocess: start_sock NAME ARGS...; sock_cmd NAME CMD prints the reply.
start_sock() {
	local name=$1; shift
	mkfifo "$TMP/$name.in"
	"$UEVSOCK" "$@" < "$TMP/$name.in" > "$TMP/$name.out" &
	PIDS+=($!)
	eval "exec {${name}_fd}>\"$TMP/$name.in\""
	wait_for 5 grep -q '^ready' "$TMP/$name.out" || fail "$name did not start"
	eval "${name}_pid=\$(awk '/^ready/ {print \$2}' \"$TMP/$name.out\")"
}
sock_cmd() {
	local name=$1 cmd=$2 fdv n
	fdv="${name}_fd"
	n=$(grep -c '^{' "$TMP/$name.out")
	echo "$cmd" >&"${!fdv}"
	answered() { [ "$(grep -c '^{' "$TMP/$name.out")" -gt "$n" ]; }
	wait_for 10 answered || fail "$name did not answer $cmd"
	grep '^{' "$TMP/$name.out" | tail -n 1
}
