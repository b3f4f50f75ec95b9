#!/bin/bash
# SPDX-License-Identifier: MIT
# The arm64 boot test inside the guest (tests/cross/vm.sh): once the boot is over, check it, run
# the charge test and the cost benchmark, write "ok:", "FAIL:", "info:" lines to the virtio
# serial port org.nltune.results, then power off.
set -u
out=/dev/virtio-ports/org.nltune.results
[ -c "$out" ] || out=/dev/vport0p1
[ -c "$out" ] || out=/dev/console
exec 3> "$out"
fails=0
say() { echo "$*" >&3; echo "$*"; }
ok() { say "ok: $*"; }
bad() { say "FAIL: $*"; fails=$((fails + 1)); }
info() { say "info: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
mono() { systemctl show -P "$2" "$1"; }
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }

state=$(systemctl is-system-running --wait 2>&1)
info "kernel $(uname -r) $(uname -m), MemTotal $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo) kB"
info "$(systemd-analyze time 2>&1 | head -n 1)"
check "no failed unit ($(systemctl --failed --no-legend --plain | awk '{print $1}' | xargs))" \
	test "$state" = running
cycles=$(journalctl -b -o cat | grep -ci 'ordering cycle')
check "no ordering cycle in the journal ($cycles lines)" test "$cycles" -eq 0
trig=$(mono systemd-udev-trigger.service InactiveExitTimestampMonotonic)
apply_done=$(mono nltune-apply.service ActiveEnterTimestampMonotonic)
ready=$(mono nltuned.service ActiveEnterTimestampMonotonic)
check "nltune-apply finished ($apply_done us) before the udev trigger ($trig us)" \
	test "$apply_done" -gt 0 -a "$apply_done" -lt "$trig"
# As the shipped unit promises: where it is ordered before the trigger, that must hold on ARM too.
if systemctl show -P Before nltuned.service | grep -qw systemd-udev-trigger.service; then
	check "nltuned listened ($ready us) before the udev trigger" test "$ready" -gt 0 -a "$ready" -lt "$trig"
else
	info "nltuned.service is not ordered before the udev trigger: ready at $ready us, trigger at $trig us"
fi
st=$(nltune status --json 2> /dev/null)
check "nltune status answers from the daemon ($(jq -r .source <<<"$st"))" test "$(jq -r .source <<<"$st")" = daemon
check "nltuned measured the coldplug ($(jq -c .uevents <<<"$st"))" test "$(jq .uevents.peak_events <<<"$st")" -gt 0
check "nltuned kept its state" test -s /var/lib/nltune/state
v=$(setpriv --reuid=nobody --regid=nogroup --clear-groups busctl get-property org.nltune1 /org/nltune1 \
	org.nltune1.Manager PeakBytes 2>&1)
check "unprivileged: property PeakBytes answers ($v)" grep -q '^t [0-9]' <<<"$v"
d=$(systemctl show -P MainPID nltuned.service)
info "nltuned (pid $d, the service) $(grep -E '^(Rss|Pss|Anonymous):' /proc/"$d"/smaps_rollup | tr -s ' ' | tr '\n' ' ')"
journalctl -b -u nltuned.service -o cat | grep -m1 'monitor buffer' | sed 's/^/info: nltuned: /' | while read -r l; do say "$l"; done

# The charge per event against SO_MEMINFO on this kernel: the integration test itself.
cd /usr/local/lib/nltune-vmt/repo || exit 1
export NLTUNE_BUILD=/usr/local/lib/nltune-vmt/build
bash tests/integration/charge.sh > /tmp/charge.out 2>&1
rc=$?
sed 's/^/  /' /tmp/charge.out >&3
check "charge per event within 10% of SO_MEMINFO (tests/integration/charge.sh)" test $rc -eq 0
# nltuned's CPU and Pss per event against the bare reader, with the service stopped.
systemctl stop nltuned.service
BENCH_EVENTS=$(arg nltune.vmt.events) bash tests/bench/cost.sh > /tmp/cost.out 2>&1
rc=$?
sed 's/^/  /' /tmp/cost.out >&3
grep '^RESULT' /tmp/cost.out | sed 's/^/info: /' >&3
check "cost benchmark ran (tests/bench/cost.sh)" test $rc -eq 0

say "result: $([ $fails -eq 0 ] && echo pass || echo fail)"
exec 3>&-
sync
systemctl poweroff --no-block
