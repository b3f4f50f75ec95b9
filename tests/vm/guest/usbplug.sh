# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The seed's scenario, sourced by probe.sh when /proc/cmdline has nltune.vmt.usb=1: USB devices
# plugged into the running guest while a listener with SO_RCVBUF 1024 does not read. The guest
# asks on the results port ("usb: plug 1", "usb: unplug 1", "usb: plug 2"); the host plugs and
# unplugs through QEMU's monitor (tests/vm/run.sh): a usb-hub with two usb-kbd, a usb-mouse and a
# usb-tablet behind it, and a usb-storage on a root port. Every wait is bounded.
# Plug 1 must lose events and nltuned must alert naming the listener's pid, the alerts' counts
# adding up to its own drop counter (SO_MEMINFO); after `nltune fix PID` and an unplug, plug 2
# must lose nothing.
usb_dir=/run/nltune-vmt-usb
USB_DEVICES=6 USB_DISKS=1

now_ms() { local u; read -r u _ < /proc/uptime; echo $((${u%.*} * 1000 + 10#${u#*.} * 10)); }
usb_count() { find /sys/bus/usb/devices/ -maxdepth 1 -regextype egrep -regex '.*/[0-9]+-[0-9.]+' | wc -l; }
disk_count() { find /sys/class/block/ -maxdepth 1 -name 'sd*' | wc -l; }
# victim COMMAND: send a command to the listener, print the stat line it answers (30 s at most).
victim() {
	local c
	c=$(grep -c '^{' "$usb_dir/out")
	echo "$*" > "$usb_dir/in"
	for _ in $(seq 600); do
		[ "$(grep -c '^{' "$usb_dir/out")" -gt "$c" ] && break
		sleep 0.05
	done
	grep '^{' "$usb_dir/out" | tail -n 1
}
# usb_wait DEVICES DISKS: until that many USB devices and sd disks are there and no uevent came
# for 3 s (180 s at most). Sets usb_first and usb_end to the uptime (ms) when the first and the
# last uevent were seen (polled every 0.1 s).
usb_wait() {
	local want=$1 wantd=$2 t0 s prev now
	t0=$(now_ms)
	prev=$(cat /sys/kernel/uevent_seqnum)
	usb_end=$t0 usb_first=""
	while :; do
		now=$(now_ms)
		s=$(cat /sys/kernel/uevent_seqnum)
		[ "$s" = "$prev" ] || { prev=$s; usb_end=$now; usb_first=${usb_first:-$now}; }
		if [ $((now - usb_end)) -ge 3000 ] && [ "$(usb_count)" -eq "$want" ] &&
			[ "$(disk_count)" -eq "$wantd" ]; then
			return 0
		fi
		[ $((now - t0)) -lt 180000 ] || return 1
		sleep 0.1
	done
}
# usb_step REQUEST DEVICES DISKS: ask the host, wait for the devices; sets usb_events (the
# kernel's uevents in between, by its sequence number).
usb_step() {
	local s0 t0
	s0=$(cat /sys/kernel/uevent_seqnum)
	t0=$(now_ms)
	say "usb: $1"
	if ! usb_wait "$2" "$3"; then
		bad "$1: $(usb_count) USB devices and $(disk_count) disks after 180 s (want $2 and $3)"
		return 1
	fi
	usb_events=$(($(cat /sys/kernel/uevent_seqnum) - s0))
	info "$1: $usb_events uevents from $((${usb_first:-$t0} - t0)) to $((usb_end - t0)) ms after asking; $(usb_count) USB devices, $(disk_count) disks"
}
jn() { jq -r "$1" <<< "$2"; }
# The socket-drops alerts naming the listener's pid: their count and their drops added up.
drop_alerts() {
	nltune alerts --json 2> /dev/null | jq -r --argjson p "$1" \
		'[.[] | select(.kind == "socket-drops" and .pid == $p)] | "\(length) \(map(.drops) | add // 0)"'
}

usb_phase() {
	local pid s d0 e0 t0 d1 lost1 recv1 n t a first fix before after lost2 recv2 du
	mkdir -p "$usb_dir"
	rm -f "$usb_dir/in" "$usb_dir/out"
	mkfifo -m 0600 "$usb_dir/in"
	# The seed's program: SO_RCVBUF 1024 (the kernel's floor), a comm of its own.
	/usr/local/lib/nltune-vmt/uevsock --rcvbuf 1024 --comm plugvictim <> "$usb_dir/in" > "$usb_dir/out" 2>&1 &
	pid=$!
	for _ in $(seq 200); do grep -q '^ready' "$usb_dir/out" && break; sleep 0.05; done
	info "usb: listener $(head -n 1 "$usb_dir/out") (pid, rcvbuf)"
	check "usb: no USB device before the plug ($(usb_count))" test "$(usb_count)" -eq 0
	# Empty and quiet before the plug, then it stalls.
	s=$(victim settle 500)
	d0=$(jn .drops "$s") e0=$(jn .events "$s") t0=$(now_ms)
	usb_step "plug 1" $USB_DEVICES $USB_DISKS || return
	n=$usb_events
	s=$(victim stat)
	d1=$(jn .drops "$s")
	lost1=$((d1 - d0))
	s=$(victim drain)
	recv1=$(($(jn .events "$s") - e0))
	info "usb: plug 1 lost $lost1 of $n uevents, $recv1 received (rcvbuf $(jn .rcvbuf "$s"))"
	check "usb: the SO_RCVBUF 1024 listener lost the plug's events ($lost1 of $n)" test "$lost1" -gt 0
	# nltuned alerts naming the pid, the first at most one scan (2 s) after the plug's last
	# uevent, and the alerts say the whole loss: their drops add up to the drop counter.
	t=$(now_ms)
	a=$(drop_alerts "$pid")
	while [ "${a#* }" != "$d1" ] && [ $(($(now_ms) - t)) -lt 20000 ]; do
		sleep 0.5
		a=$(drop_alerts "$pid")
	done
	info "usb: $(nltune alerts --json 2> /dev/null | jq -r --argjson p "$pid" '.[] | select(.pid == $p) | "#\(.id) \(.kind): \(.message)"' | tr '\n' ' ')"
	check "usb: socket-drops alerts name pid $pid (${a% *})" test "${a% *}" -gt 0
	check "usb: their drops add up to the listener's own (${a#* } vs $d1; $(($(now_ms) - t)) ms after the plug)" \
		test "${a#* }" = "$d1"
	# When nltuned logged them, from the plug's first and last uevent (the journal's monotonic
	# clock is /proc/uptime's in a guest that never sleeps).
	t=$(journalctl -b -u nltuned.service -o json --output-fields=MESSAGE |
		jq -r --arg p "alert #[0-9]+ socket-drops: plugvictim\\[$pid\\]" \
			'select(.MESSAGE | test($p)) | .__MONOTONIC_TIMESTAMP' | xargs)
	first=${t%% *}
	info "usb: the plug's uevents seen from $usb_first to $usb_end ms; socket-drops alerts logged at $(for a in $t; do echo -n "$((a / 1000)) "; done)ms"
	if [ -n "$first" ]; then
		check "usb: the first alert within one scan of the plug ($((first / 1000 - usb_first)) ms after its first uevent)" \
			test $((first / 1000 - usb_first)) -lt 3000
	else
		bad "usb: no socket-drops alert about plugvictim[$pid] in nltuned's journal"
	fi

	before=$(jn .rcvbuf "$s")
	fix=$(nltune fix "$pid" 2>&1)
	say "begin: nltune fix $pid"
	sed 's/^/  /' <<< "$fix" >&3
	say "end: nltune fix $pid"
	s=$(victim drain)
	after=$(jn .rcvbuf "$s")
	check "usb: nltune fix $pid raised its rcvbuf ($before -> $after)" test "$after" -gt "$before"

	usb_step "unplug 1" 0 0 || return
	s=$(victim drain)
	du=$(jn .drops "$s")
	info "usb: unplug lost $((du - d1)) of $usb_events uevents"
	usb_step "plug 2" $USB_DEVICES $USB_DISKS || return
	n=$usb_events
	s=$(victim stat)
	lost2=$(($(jn .drops "$s") - du))
	recv2=$(jn .events "$s")
	s=$(victim drain)
	recv2=$(($(jn .events "$s") - recv2))
	info "usb: plug 2 lost $lost2 of $n uevents, $recv2 received (rcvbuf $(jn .rcvbuf "$s"))"
	check "usb: after nltune fix the same plug lost nothing ($lost2 of $n; $recv2 received)" \
		test "$lost2" -eq 0 -a "$recv2" -ge "$n"
	kill "$pid"
	wait "$pid" 2> /dev/null
	block "nltuned journal since the plug" journalctl -b -u nltuned.service -o short-monotonic \
		--no-hostname --since "@$(($(date +%s) - (($(now_ms) - t0) / 1000) - 1))"
}
usb_phase
