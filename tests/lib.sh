# SPDX-License-Identifier: MIT
# Shared by the integration and benchmark scripts: build paths, root check, polling, cleanup
# by pid, test listeners, marked uevents, namespace probes, a private system bus.
NLTUNE=${NLTUNE_BUILD:?run through make check or make bench}/nltune
NLTUNED=${NLTUNE_BUILD}/nltuned
UEVSOCK=${NLTUNE_BUILD}/tests/helpers/uevsock
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d "/tmp/${NLTUNE_TMP_PREFIX:-nltune-test}.XXXXXX")
# This run's marker: emit writes "change $MARK", so each event it sends carries SYNTH_UUID=$MARK
# and tells itself apart from any other uevent on the machine (another test, a udev trigger).
MARK=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || echo 00000000-0000-0000-0000-000000000000)
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
trap 'exit 130' INT TERM

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

# emit N [FILE [TEXT]]: write TEXT (default "change $MARK": a synthetic event carrying this
# run's marker) N times to a uevent file, through one open file. More keys: "change $MARK
# KEY=value" (the kernel takes letters and digits only in KEY and value, and adds SYNTH_ARG_ to
# the key). EMIT_MS: how long it took; on a loaded machine a burst may have paused for longer than
# a burst's ending gap (200 ms) and so have been seen as several.
emit() {
	local n=$1 f=${2:-/sys/class/net/lo/uevent} txt=${3:-change $MARK} i fd t0=${EPOCHREALTIME/[.,]/}
	exec {fd}> "$f" || fail "cannot open $f"
	for ((i = 0; i < n; i++)); do echo "$txt" >&$fd || fail "writing $txt to $f failed"; done
	exec {fd}>&-
	EMIT_MS=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
}

# need_netns WHAT / need_mountns WHAT: skip, saying why, where this machine cannot make the
# namespace WHAT needs: a container without CAP_SYS_ADMIN, or for mounts a chroot (its / is no
# mount point, so no private copy of the mounts can be made: unshare -m fails with EINVAL).
need_netns() {
	local err
	command -v unshare > /dev/null || skip "$1 needs unshare (util-linux)"
	err=$(unshare -n true 2>&1) || skip "$1 needs a network namespace, which cannot be made here: $err"
}
need_mountns() {
	local err
	command -v unshare > /dev/null || skip "$1 needs unshare (util-linux)"
	err=$(unshare -m sh -c "mount --make-rprivate / && mount --bind '$TMP' '$TMP'" 2>&1) ||
		skip "$1 needs a private mount namespace, which cannot be made here (a chroot, whose / is no mount point, or a container without CAP_SYS_ADMIN): $err"
}

# A uevsock listener as a coprocess: start_sock NAME ARGS...; sock_cmd NAME CMD prints the reply;
# stop_sock NAME ends it, so that NAME can be started again.
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
stop_sock() {
	local fdv="${1}_fd" pidv="${1}_pid"
	echo quit >&"${!fdv}"
	eval "exec ${!fdv}>&-"
	wait_for 5 sh -c "! kill -0 ${!pidv} 2>/dev/null" || kill "${!pidv}" 2>/dev/null
	rm -f "$TMP/$1.in" "$TMP/$1.out"
}

# A witness: start_witness NAME starts a listener (64 MiB, forced: it drops nothing) that counts
# this run's marked events apart from all others; witness NAME drains it and sets NAME_all,
# NAME_mine and NAME_others (events since it started) and NAME_drops. Started before what a test
# measures and read after it ended, its others are the most other traffic that can have joined.
start_witness() {
	start_sock "$1" --force 67108864 --mark "$MARK"
}
witness() {
	local st
	st=$(sock_cmd "$1" drain)
	eval "$1_all=$(jq .events <<<"$st") $1_mine=$(jq .marked <<<"$st") $1_drops=$(jq .drops <<<"$st")"
	eval "$1_others=\$(($1_all - $1_mine))"
}

# bus_conf MODE SOCKET FILE: a private system bus with a Debian system bus's default policy,
# plus nltune's own policy file (MODE strict) or no policy for org.nltune1 at all (MODE open:
# only nltuned itself can refuse a call then).
bus_conf() {
	{
		cat <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$2</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
CONF
		# polkitd may own its name here, as on a Debian system bus (tests that start it).
		[ ! -e /usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf ] ||
			echo "  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>"
		if [ "$1" = strict ]; then
			echo "  <include>$REPO/dbus/org.nltune1.conf</include>"
		else
			echo '  <policy context="default"><allow own="*"/><allow send_destination="*"/></policy>'
		fi
		echo "</busconfig>"
	} > "$3"
}

# start_bus MODE SOCKET: run a private dbus-daemon (its pid in $busd, its log in $TMP/bus-MODE.log).
start_bus() {
	bus_conf "$1" "$2" "$TMP/bus-$1.conf"
	rm -f "$2"
	dbus-daemon --config-file="$TMP/bus-$1.conf" --nofork --nopidfile 2> "$TMP/bus-$1.log" &
	busd=$!
	PIDS+=($busd)
	# The socket file exists from bind(), before listen(): wait for the bus to answer.
	bus_up() { dbus-send --bus="unix:path=$1" --dest=org.freedesktop.DBus --print-reply \
		/org/freedesktop/DBus org.freedesktop.DBus.GetId > /dev/null 2>&1; }
	wait_for 5 bus_up "$2" || fail "dbus-daemon did not start: $(cat "$TMP/bus-$1.log")"
}

# start_polkitd RULES_DIR: the real polkitd on the private bus ($DBUS_SYSTEM_BUS_ADDRESS) in a
# mount namespace of its own, where RULES_DIR is its only rules directory and the actions
# directory holds only dbus/org.nltune1.policy. Its pid in $polkitd, its log in $TMP/polkitd.log.
start_polkitd() {
	local pk=/usr/lib/polkit-1/polkitd
	[ -x $pk ] || pk=/usr/libexec/polkitd
	[ -x $pk ] || fail "polkitd missing (tests/deps.sh installs polkitd)"
	need_mountns "polkitd with the test's rules (bind mounts over its directories)"
	mkdir -p "$TMP/pk-actions" "$TMP/pk-empty"
	cp "$REPO/dbus/org.nltune1.policy" "$TMP/pk-actions/"
	chmod 755 "$TMP/pk-actions" "$TMP/pk-empty" "$1"
	chmod 644 "$TMP/pk-actions/"* "$1"/* 2>/dev/null
	unshare -m sh -c "mount --make-rprivate / &&
		mount --bind '$1' /etc/polkit-1/rules.d &&
		mount --bind '$TMP/pk-empty' /usr/share/polkit-1/rules.d &&
		mount --bind '$TMP/pk-actions' /usr/share/polkit-1/actions &&
		exec $pk" > "$TMP/polkitd.log" 2>&1 &
	polkitd=$!
	PIDS+=($polkitd)
	pk_up() { busctl --system status org.freedesktop.PolicyKit1 > /dev/null 2>&1; }
	wait_for 10 pk_up || fail "polkitd did not come up: $(cat "$TMP/polkitd.log")"
}
