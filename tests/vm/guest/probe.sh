#!/bin/bash
# SPDX-License-Identifier: MIT
# The boot test inside the guest: once the boot is over, check what the issue of a real boot
# is about and write "ok:", "FAIL:", "info:" lines to the results port, then power off.
# /proc/cmdline says which boot this is: nltune.vmt=1 or 2, nltune.vmt.mode=test|measure, and
# nltune.vmt.extra=1 to run the charge test (and with nltune.vmt.events=N > 0 the cost benchmark),
# nltune.vmt.usb=1 to plug USB devices at the end (usbplug.sh, with the host's help).
# The results port: a virtio serial port where the machine has one UART (arm64 virt), else ttyS1.
set -u
out=/dev/virtio-ports/org.nltune.results
[ -c "$out" ] || out=/dev/ttyS1
[ -c "$out" ] || out=/dev/console
exec 3>"$out"
stty -F "$out" raw -echo 2>/dev/null
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
boot=$(arg nltune.vmt)
mode=$(arg nltune.vmt.mode)
mode=${mode:-test}
fails=0
say() { echo "$*" >&3; echo "$*"; }
ok() { say "ok: $*"; }
# The USB plug's boot runs Debian's generic kernel for its USB drivers: the four boots on the
# cloud kernel decide the checks of the boot itself; here they are said as "warn:" lines and the
# plug's checks decide.
soft=0
[ "$(arg nltune.vmt.usb)" != 1 ] || soft=1
bad() {
	if [ $soft = 1 ]; then say "warn: $*"; else say "FAIL: $*"; fails=$((fails + 1)); fi
}
info() { say "info: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# block NAME COMMAND...: the output of COMMAND between begin/end lines, for the host's log.
block() { local n=$1; shift; say "begin: $n"; "$@" 2>&1 | sed 's/^/  /' >&3; say "end: $n"; }
finish() {
	say "result: $([ $fails -eq 0 ] && echo pass || echo fail)"
	exec 3>&-
	sync
	systemctl poweroff --no-block
	exit 0
}
mono() { systemctl show -P "$2" "$1"; } # unit property, in microseconds
# The monotonic time (us) of nltuned's first journal line matching a pattern.
log_mono() {
	journalctl -b -u nltuned.service -o json --output-fields=MESSAGE |
		jq -r --arg p "$1" 'select(.MESSAGE | test($p)) | .__MONOTONIC_TIMESTAMP' | head -n 1
}

state=$(systemctl is-system-running --wait 2>&1)
memtotal=$(awk '$1 == "MemTotal:" { print $2 * 1024 }' /proc/meminfo)
info "boot=$boot mode=$mode system=$state kernel=$(uname -r) $(uname -m) MemTotal=$memtotal"
info "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
trig_start=$(mono systemd-udev-trigger.service InactiveExitTimestampMonotonic)
coldplug_log=$(log_mono 'coldplug: [0-9]+ events')
if [ -n "$coldplug_log" ] && [ "$trig_start" -gt 0 ]; then
	info "coldplug_logged_after_trigger_ms=$(((coldplug_log - trig_start) / 1000))"
fi
info "systemd_analyze=$(systemd-analyze time 2>&1 | head -n 1)"
[ "$mode" = measure ] && finish

info "nltuned: $(systemctl show -p After -p Requires -p WantedBy nltuned.service | tr '\n' ' ')"
check "no failed unit ($(systemctl --failed --no-legend --plain | awk '{print $1}' | xargs))" \
	test "$state" = running
cycles=$(journalctl -b -o cat | grep -ci 'ordering cycle')
check "no ordering cycle in the journal ($cycles lines)" test "$cycles" -eq 0
apply_done=$(mono nltune-apply.service ActiveEnterTimestampMonotonic)
nltuned_ready=$(mono nltuned.service ActiveEnterTimestampMonotonic)
check "nltune-apply finished ($apply_done us) before systemd-udev-trigger started ($trig_start us)" \
	test "$apply_done" -gt 0 -a "$apply_done" -lt "$trig_start"
check "nltuned listened ($nltuned_ready us) before systemd-udev-trigger started" \
	test "$nltuned_ready" -gt 0 -a "$nltuned_ready" -lt "$trig_start"
check "/var is $(findmnt -n -o SOURCE /var || echo 'on /'), nltune state there" test -s /var/lib/nltune/state

# The coldplug as nltuned measured it, against what the trigger emitted: the synthetic adds
# between the sequence numbers before and after it, as udevadm monitor saw them.
systemctl stop vmt-monitor.service
seq0=$(cat /run/nltune-vmt/trigger.start) seq1=$(cat /run/nltune-vmt/trigger.end)
trig_events=$(awk -v a="$seq0" -v b="$seq1" 'BEGIN { RS = "" }
	/\nACTION=add\n/ && /\nSYNTH_UUID=/ { if (match($0, /\nSEQNUM=[0-9]+/)) {
		n = substr($0, RSTART + 8, RLENGTH - 8) + 0; if (n > a && n <= b) c++ } }
	END { print c + 0 }' /run/nltune-vmt/monitor.txt)
info "trigger: $trig_events synthetic adds, $((seq1 - seq0)) uevents in all"
info "trigger's adds by subsystem: $(awk -v a="$seq0" -v b="$seq1" 'BEGIN { RS = "" }
	/\nACTION=add\n/ && /\nSYNTH_UUID=/ && match($0, /\nSEQNUM=[0-9]+/) {
		n = substr($0, RSTART + 8, RLENGTH - 8) + 0
		if (n > a && n <= b && match($0, /\nSUBSYSTEM=[^\n]*/)) c[substr($0, RSTART + 11, RLENGTH - 11)]++ }
	END { for (k in c) print c[k], k }' /run/nltune-vmt/monitor.txt | sort -rn | head -n 8 | xargs)"
st=$(nltune status --json 2>/dev/null)
src=$(jq -r .source <<<"$st")
cp_events=$(jq -r '.uevents.coldplug_events // 0' <<<"$st")
peak=$(jq -r '.uevents.peak_events' <<<"$st")
info "trigger_events=$trig_events coldplug_events=$cp_events peak_events=$peak"
check "nltune status says source daemon ($src)" test "$src" = daemon
check "nltuned's coldplug burst ($cp_events events) holds every event the trigger emitted ($trig_events)" \
	test "$cp_events" -ge "$trig_events" -a "$trig_events" -gt 0
check "nltune status shows the coldplug burst" sh -c "nltune status | grep -q '^coldplug .*$cp_events events'"
block "nltune status" nltune status
mkdir -p /var/lib/nltune-vmt
boot_line=$(journalctl -b -u nltune-apply.service -o cat | grep -m1 'rmem_default')
info "apply --boot: $boot_line"
if [ "$boot" = 1 ]; then
	echo "$cp_events" > /var/lib/nltune-vmt/coldplug_events
	# group 2's (udevd's re-broadcasts), which decides when it charged more
	jq -r '.uevents.udev.coldplug_events // 0' <<<"$st" > /var/lib/nltune-vmt/udev_coldplug_events
	check "boot 1 recommends from the coldplug estimate" grep -q 'coldplug estimate' <<<"$boot_line"
else
	prev=$(cat /var/lib/nltune-vmt/coldplug_events 2>/dev/null)
	prev_udev=$(cat /var/lib/nltune-vmt/udev_coldplug_events 2>/dev/null)
	if [ -z "$(findmnt -n /var)" ]; then
		check "boot 2's recommendation names a measured coldplug of boot 1 ($prev events, group 2: ${prev_udev:-0})" \
			grep -qE "measured coldplug ($prev|${prev_udev:-$prev}) events" <<<"$boot_line"
	else
		info "/var is a separate filesystem: apply --boot cannot read boot 1 before the trigger"
		check "boot 2 recommends from a measured coldplug once /var is there" \
			sh -c "nltune recommend --no-daemon | grep -q 'measured coldplug'"
	fi
fi

# The stalled listeners, where the image has them.
listener() { # NAME -> its stat line
	local n=$1 c
	c=$(grep -c '^{' /run/nltune-vmt/$n.out)
	echo stat > /run/nltune-vmt/$n.in
	for _ in $(seq 100); do
		[ "$(grep -c '^{' /run/nltune-vmt/$n.out)" -gt "$c" ] && break
		sleep 0.05
	done
	grep '^{' /run/nltune-vmt/$n.out | tail -n 1
}
sockets=$(nltune sockets --all --json 2>/dev/null)
alerts=$(nltune alerts --json 2>/dev/null)
row() { jq -c --argjson p "$1" '[.[] | select(.protocol == 15 and (.pids | index($p)))][0]' <<<"$sockets"; }
if systemctl -q is-active vmt-listener@min.service; then
	s=$(listener min); pid=$(jq .pid <<<"$s"); r=$(row "$pid")
	info "min: $s limit=$(jq -r .limit <<<"$r")"
	check "SO_RCVBUF 1024 listener lost events in the coldplug" test "$(jq .drops <<<"$s")" -gt 0
	check "... its limit is minimum" test "$(jq -r .limit <<<"$r")" = minimum
	a=$(jq -c --argjson p "$pid" '[.[] | select(.pid == $p and .comm == "uevsock")][0]' <<<"$alerts")
	check "... alerted by pid $pid and comm uevsock" test "$a" != null
	# Its first alert: at most one scan (2 s) after the coldplug that made it drop.
	lost=$(log_mono "alert #[0-9]+ [a-z-]+: uevsock\\[$pid\\]")
	info "min alert logged $(((${lost:-0} - ${coldplug_log:-0}) / 1000)) ms after the coldplug line"
	check "... within one scan of the coldplug" test -n "$lost" -a -n "$coldplug_log" -a \
		$((${lost:-0} - ${coldplug_log:-0})) -lt 2500000

	s=$(listener after); pid=$(jq .pid <<<"$s")
	info "after: $s"
	check "default-buffer listener opened after nltune-apply lost nothing" \
		test "$(jq .drops <<<"$s")" -eq 0 -a "$(jq .events <<<"$s")" -eq 0 -a "$(jq .rmem_alloc <<<"$s")" -gt 0

	s=$(listener before); pid=$(jq .pid <<<"$s"); r=$(row "$pid")
	info "before: $s limit=$(jq -r .limit <<<"$r") fix=$(jq -r .fix <<<"$r")"
	check "listener opened before nltune-apply has limit default" test "$(jq -r .limit <<<"$r")" = default
	fix=$(jq -r .fix <<<"$r")
	check "... and the fix restarts it or runs nltune fix $pid" \
		test "${fix#*restart}" != "$fix" -a "${fix#*nltune fix $pid}" != "$fix"
fi

# Small memory: the automatic sizes follow MemTotal (README "How much"): the ceiling is
# min(32 MiB, MemTotal/32), nltuned's own monitor buffer min(16 MiB, MemTotal/16): the socket's
# rcvbuf as the kernel keeps it. The alert ring is fixed (256 alerts).
min() { echo $(($1 < $2 ? $1 : $2)); }
want_ceiling=$(min 33554432 $((memtotal / 32)))
want_buffer=$(min 16777216 $((memtotal / 16)))
ceiling=$(nltune recommend --json 2>/dev/null | jq -r .ceiling)
check "ceiling $ceiling = min(32 MiB, MemTotal/32) = $want_ceiling" test "$ceiling" = "$want_ceiling"
rmem_max=$(cat /proc/sys/net/core/rmem_max) rmem_default=$(cat /proc/sys/net/core/rmem_default)
info "rmem_default=$rmem_default rmem_max=$rmem_max after apply --boot"
check "rmem_default written at most the ceiling" test "$rmem_default" -le "$want_ceiling"
d=$(systemctl show -P MainPID nltuned.service)
logged=$(journalctl -b -u nltuned.service -o cat | sed -n 's/.*monitor buffer \([0-9]*\) bytes.*/\1/p' | head -n 1)
own=$(nltune sockets --all --json 2>/dev/null |
	jq -r --argjson p "$d" '[.[] | select(.protocol == 15 and (.pids | index($p)))][0].rcvbuf')
check "nltuned's monitor buffer ${logged:-?} = min(16 MiB, MemTotal/16) = $want_buffer" test "${logged:-0}" = "$want_buffer"
check "... and its socket's rcvbuf in the kernel ($own)" test "$own" = "$want_buffer"
alerts_n=$(nltune alerts --json 2>/dev/null | jq length)
info "nltuned (pid $d) $(grep -E '^(Rss|Pss|Anonymous):' /proc/"$d"/smaps_rollup | tr -s ' ' | tr '\n' ' ')with $alerts_n alerts"

# An unprivileged user on the system bus.
as_user() { setpriv --reuid=1000 --regid=1000 --clear-groups "$@"; }
v=$(as_user busctl get-property org.nltune1 /org/nltune1 org.nltune1.Manager PeakBytes 2>&1)
check "unprivileged: property PeakBytes answers ($v)" grep -q '^t [0-9]' <<<"$v"
check "unprivileged: Describe answers" sh -c \
	"setpriv --reuid=1000 --regid=1000 --clear-groups busctl call org.nltune1 /org/nltune1 org.nltune1.Manager Describe | grep -q source"
e=$(as_user busctl call org.nltune1 /org/nltune1 org.nltune1.Manager Apply b true 2>&1)
check "unprivileged: Apply refused ($e)" grep -Eqi 'denied|not authorized|authoriz' <<<"$e"

n=$(journalctl -b -u nltuned.service -o cat | grep -vc '^\(Starting\|Started\|Stopping\|Stopped\) ')
info "nltuned journal lines this boot: $n"
block "nltuned journal" journalctl -b -u nltuned.service -o short-monotonic --no-hostname
if ! systemctl -q is-active vmt-listener@min.service; then
	check "nltuned's journal for a clean boot is short ($n lines)" test "$n" -le 8
fi

if [ "$(arg nltune.vmt.extra)" = 1 ]; then
	cd /usr/local/lib/nltune-vmt/repo || exit 1
	export NLTUNE_BUILD=/usr/local/lib/nltune-vmt/build
	# The charge per event against SO_MEMINFO on this kernel: the integration test itself.
	bash tests/integration/charge.sh > /tmp/charge.out 2>&1
	rc=$?
	sed 's/^/  /' /tmp/charge.out >&3
	check "charge per event within 10% of SO_MEMINFO on $(uname -m) (tests/integration/charge.sh)" test $rc -eq 0
	events=$(arg nltune.vmt.events)
	if [ "${events:-0}" -gt 0 ]; then
		# nltuned's CPU and Pss per event against the bare reader, the service stopped.
		systemctl stop nltuned.service
		BENCH_EVENTS=$events bash tests/bench/cost.sh > /tmp/cost.out 2>&1
		rc=$?
		sed 's/^/  /' /tmp/cost.out >&3
		grep '^RESULT' /tmp/cost.out | sed 's/^/info: /' >&3
		check "cost benchmark ran (tests/bench/cost.sh, $events events)" test $rc -eq 0
	fi
fi
# shellcheck source=usbplug.sh
[ $soft = 0 ] || { soft=0; . /usr/local/lib/nltune-vmt/usbplug.sh; }
finish
