#!/bin/bash
# SPDX-License-Identifier: MIT
# Boot the nltune package for real: a Debian 12 image with the .deb installed, booted under QEMU
# twice (history carries from boot 1 to boot 2), in two layouts: one filesystem with stalled
# test listeners, and a clean one whose /var is a separate filesystem on its own disk.
# usage: tests/vm/run.sh BUILD_DIR [test|measure]      (ARCH=x86_64 by default, or arm64)
# The guest's results come back on a port of their own (tests/vm/guest/probe.sh). The last boot
# (clean, separate /var) also runs tests/integration/charge.sh against the guest's kernel and,
# where the architecture is not the host's, tests/bench/cost.sh (VM_BENCH_EVENTS events).
# Then, where the architecture has it (VM_USB=0 leaves it out), a fifth boot on a kernel with USB
# host drivers plugs USB devices into the running guest through QEMU's monitor when the guest
# asks (tests/vm/guest/usbplug.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
O=${1:-build}
MODE=${2:-test}
# shellcheck source=arch.sh
. "$here/arch.sh"
case $O in /*) ;; *) O=$repo/$O ;; esac
CACHE=${VM_CACHE:-/var/cache/nltune/vm-$ARCH}
WORK=$O/vm-$ARCH
BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-$BOOT_TIMEOUT_DEFAULT}
BENCH_EVENTS=${VM_BENCH_EVENTS:-$BENCH_EVENTS_DEFAULT}
MEASURE_BOOTS=${VM_MEASURE_BOOTS:-3}
USB=${VM_USB:-$USB_DEFAULT}

skip() { echo "vm-check: skipped: $*"; exit 77; }
die() { echo "vm-check: $*" >&2; exit 1; }
log() { echo "vm-check: $*"; }

# What the harness needs on the host; as root, install what is missing.
need="$QEMU_PKG qemu-utils mmdebstrap e2fsprogs"
if [ "$FOREIGN" = 1 ]; then need="$need qemu-user-static arch-test"; else need="$need debhelper dpkg-dev"; fi
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || skip "missing$missing and not root to install them"
	log "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		--no-install-recommends $missing >&2 || skip "cannot install$missing"
fi
command -v "$QEMU" > /dev/null || skip "$QEMU is not installed"
[ "$(id -u)" -eq 0 ] || skip "building the image needs root (chroot, file ownership)"

# A foreign image's maintainer scripts run under qemu-user through binfmt_misc.
if [ "$FOREIGN" = 1 ] && ! arch-test "$DEB_ARCH" > /dev/null 2>&1; then
	[ -e /proc/sys/fs/binfmt_misc/register ] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2> /dev/null || true
	conf=$(ls /usr/lib/binfmt.d/qemu-"${QEMU#qemu-system-}".conf 2> /dev/null || true)
	[ -z "$conf" ] || [ ! -w /proc/sys/fs/binfmt_misc/register ] ||
		cat "$conf" > /proc/sys/fs/binfmt_misc/register 2> /dev/null || true
	arch-test "$DEB_ARCH" > /dev/null 2>&1 || skip "cannot run $DEB_ARCH programs through binfmt_misc here"
fi

t_start=$SECONDS
mkdir -p "$WORK" "$CACHE"
base=$("$here/image.sh" "$CACHE")
usb_base=""
[ "$MODE" != test ] || [ "$USB" != 1 ] || usb_base=$("$here/image.sh" "$CACHE" usb)
if [ "$FOREIGN" = 1 ]; then
	deb=$("$here/crossdeb.sh" "$CACHE" "$WORK") || die "cannot cross-build the $DEB_ARCH package"
	helpers=$WORK/helpers
else
	deb=$(ls "$O"/deb/nltune_*.deb 2> /dev/null | head -n 1 || true)
	[ -n "$deb" ] || deb=$(ls "$repo"/build/deb/nltune_*.deb 2> /dev/null | head -n 1 || true)
	[ -n "$deb" ] || die "no nltune .deb: run make deb first (make vm-check does)"
	helpers=$O/tests/helpers
fi
[ -x "$helpers/uevsock" ] || die "no $helpers/uevsock: run make first (make vm-check does)"

# ---- the accelerator: KVM only where a short boot shows it works ----------------------------
kernel=$WORK/vmlinuz initrd=$WORK/initrd
probe_accel() {
	# Nothing to choose: TCG always runs (and the boots say if the kernel does not).
	[ "$ACCELS" != tcg ] || { echo "-accel tcg"; return; }
	local a c cache_file=$CACHE/accel-$ARCH-$($QEMU --version | head -n 1 | tr -cd '0-9.')
	if [ -s "$cache_file" ]; then cat "$cache_file"; return; fi
	for a in $ACCELS; do
		c="-accel ${a%%:*}"
		[ "$a" = "${a#*:}" ] || c="$c -cpu ${a#*:}"
		if [ "${a%%:*}" = kvm ] && [ ! -w /dev/kvm ]; then continue; fi
		# The kernel panics at once without an init; a working accelerator gets there in seconds.
		if timeout 20 $QEMU $QEMU_MACHINE $c -m $QEMU_MEM -nographic -no-reboot -monitor none \
			-kernel "$kernel" -append "console=$CONSOLE panic=-1 rdinit=/nonexistent init=/nonexistent" \
			-serial file:"$WORK/probe-$a.log" > /dev/null 2>&1 ||
			grep -q 'Kernel panic' "$WORK/probe-$a.log" 2> /dev/null; then
			if grep -q 'Kernel panic' "$WORK/probe-$a.log"; then
				echo "$c" | tee "$cache_file"
				return
			fi
		fi
		echo "vm-check: accelerator $a does not boot here (see $WORK/probe-$a.log)" >&2
	done
	die "no accelerator boots a kernel"
}

# ---- disks: the cached base plus this tree's package and the test files ----------------------
make_disks() { # LAYOUT: single | splitvar | usb (the usb image, one filesystem)
	local layout=$1 root=$WORK/root-$1 src=$base
	[ "$layout" != usb ] || src=$usb_base
	rm -rf "$root" && mkdir -p "$root"
	tar -C "$root" -xf "$src"
	cp "$deb" "$root/tmp/nltune.deb"
	chroot "$root" dpkg -i /tmp/nltune.deb > "$WORK/dpkg-$layout.log" 2>&1 ||
		die "dpkg -i failed: $(tail -n 5 "$WORK/dpkg-$layout.log")"
	rm "$root/tmp/nltune.deb"
	# The probe, and the charge test and cost benchmark laid out as make check and make bench
	# find them (NLTUNE_BUILD=.../build, the scripts under .../repo).
	local v=$root/usr/local/lib/nltune-vmt
	install -d "$v/build/tests/helpers" "$v/build/bench" "$v/repo/tests/integration" "$v/repo/tests/bench"
	install -m 0755 "$here/guest/probe.sh" "$helpers/uevsock" "$v/"
	install -m 0644 "$here/guest/usbplug.sh" "$v/"
	ln -s /usr/local/lib/nltune-vmt/uevsock "$v/build/tests/helpers/uevsock"
	[ ! -x "$helpers/uevread" ] || install -m 0755 "$helpers/uevread" "$helpers/uevblast" "$v/build/bench/"
	ln -s /usr/bin/nltune "$v/build/nltune"
	ln -s /usr/sbin/nltuned "$v/build/nltuned"
	install -m 0644 "$repo/tests/lib.sh" "$v/repo/tests/"
	install -m 0644 "$repo/tests/integration/charge.sh" "$v/repo/tests/integration/"
	install -m 0644 "$repo/tests/bench/lib.sh" "$repo/tests/bench/cost.sh" "$v/repo/tests/bench/"
	cp -r "$here/guest/systemd-udev-trigger.service.d" "$root/etc/systemd/system/"
	install -m 0644 "$here/guest/vmt-probe.service" "$here/guest/vmt-monitor.service" \
		"$root/etc/systemd/system/"
	ln -sf /etc/systemd/system/vmt-probe.service "$root/etc/systemd/system/multi-user.target.wants/"
	install -d "$root/etc/systemd/system/sysinit.target.wants"
	ln -sf /etc/systemd/system/vmt-monitor.service "$root/etc/systemd/system/sysinit.target.wants/"
	if [ "$layout" = single ]; then
		install -m 0644 "$here/guest/vmt-listener@.service" "$root/etc/systemd/system/"
		cp -r "$here"/guest/vmt-listener@*.service.d "$root/etc/systemd/system/"
		install -d "$root/etc/systemd/system/sysinit.target.wants"
		for n in before min after; do
			ln -sf /etc/systemd/system/vmt-listener@.service \
				"$root/etc/systemd/system/sysinit.target.wants/vmt-listener@$n.service"
		done
	fi
	# Both services enabled as the package leaves them, and nothing else of ours.
	chroot "$root" systemctl is-enabled nltuned.service nltune-apply.service > "$WORK/enabled-$layout.txt" 2>&1 || true
	{
		echo "LABEL=nltroot / ext4 defaults 0 1"
		[ "$layout" = splitvar ] && echo "LABEL=nltvar /var ext4 defaults 0 2"
	} > "$root/etc/fstab"
	if [ "$layout" = splitvar ]; then
		mkfs.ext4 -q -F -L nltvar -d "$root/var" "$WORK/var-$layout.img" 1G
		find "$root/var" -mindepth 1 -delete
	fi
	mkfs.ext4 -q -F -L nltroot -d "$root" "$WORK/root-$layout.img" 2G
	rm -rf "$root"
}

# ---- the USB plug: QEMU's monitor on two FIFOs, driven when the guest asks --------------------
# A usb-hub with two keyboards, a mouse and a tablet behind it, and a 64 MiB usb-storage.
usb_commands() { # add | del
	if [ "$1" = add ]; then
		echo "device_add usb-hub,id=vmthub,bus=xhci.0,port=1"
		echo "device_add usb-kbd,id=vmtkbd1,bus=xhci.0,port=1.1"
		echo "device_add usb-kbd,id=vmtkbd2,bus=xhci.0,port=1.2"
		echo "device_add usb-mouse,id=vmtmouse,bus=xhci.0,port=1.3"
		echo "device_add usb-tablet,id=vmttablet,bus=xhci.0,port=1.4"
		echo "device_add usb-storage,id=vmtstor,bus=xhci.0,port=2,drive=vmtdisk"
	else
		printf 'device_del %s\n' vmtstor vmttablet vmtmouse vmtkbd2 vmtkbd1 vmthub
	fi
	echo "info usb"
}
# The guest's requests on the results port, each once and in order; killed when QEMU exits.
usb_driver() { # RESULTS MONITOR
	local res=$1 mon=$2 step
	for step in "plug 1" "unplug 1" "plug 2"; do
		until tr -d '\r' < "$res" 2> /dev/null | grep -q "^usb: $step\$"; do sleep 0.2; done
		case $step in plug*) usb_commands add ;; *) usb_commands del ;; esac > "$mon.in"
	done
}
usb_qemu_args() { # MONITOR: the controller, the storage's disk, the monitor
	local mon=$1
	rm -f "$mon.in" "$mon.out" "$WORK/usb-disk.img"
	mkfifo "$mon.in" "$mon.out"
	truncate -s 64M "$WORK/usb-disk.img"
	mkfs.ext4 -q -F -L vmtusb "$WORK/usb-disk.img"
	echo "-device qemu-xhci,id=xhci -monitor pipe:$mon" \
		"-blockdev driver=file,node-name=vmtdiskf,filename=$WORK/usb-disk.img" \
		"-blockdev driver=raw,node-name=vmtdisk,file=vmtdiskf"
}

boot() { # LAYOUT N MODE [extra kernel arguments]: one boot; the results in $WORK/$LAYOUT-$N.res
	local layout=$1 n=$2 mode=$3 extra=${4:-} res=$WORK/$1-$2.res con=$WORK/$1-$2.console
	local disks="-drive file=$WORK/root-$layout.img,format=raw,if=virtio"
	[ "$layout" = splitvar ] && disks="$disks -drive file=$WORK/var-$layout.img,format=raw,if=virtio"
	local k=$kernel i=$initrd devs="-monitor none" limit=$BOOT_TIMEOUT mon=$WORK/$1-$2.monitor drv="" cat=""
	rm -f "$res" "$con"
	if [ "$layout" = usb ]; then
		k=$kernel_usb i=$initrd_usb limit=$((BOOT_TIMEOUT + 600))
		devs=$(usb_qemu_args "$mon")
		: > "$res"
		usb_driver "$res" "$mon" &
		drv=$!
		cat <> "$mon.out" > "$mon.log" &
		cat=$!
	fi
	local t0=$SECONDS rc=0
	# shellcheck disable=SC2086
	timeout "$limit" $QEMU $QEMU_MACHINE $ACCEL -m $QEMU_MEM -smp 1 -nographic -no-reboot \
		$devs -nic none -kernel "$k" -initrd "$i" $disks \
		-append "console=$CONSOLE root=LABEL=nltroot ro panic=-1 nltune.vmt=$n nltune.vmt.mode=$mode $extra" \
		-serial file:"$con" $(result_port_args "$res") > "$WORK/$layout-$n.qemu" 2>&1 || rc=$?
	[ -z "$drv" ] || { kill "$drv" "$cat" 2> /dev/null; wait "$drv" "$cat" 2> /dev/null || true; }
	tr -d '\r' < "$res" > "$res.txt" 2>/dev/null || : > "$res.txt"
	[ $rc -eq 0 ] || { tail -n 30 "$con"; die "$layout boot $n: qemu exited $rc after $((SECONDS - t0)) s (timeout $limit s); console in $con"; }
	grep -q '^result:' "$res.txt" || { tail -n 30 "$con"; die "$layout boot $n: no result from the guest; console in $con"; }
	log "$layout boot $n ($mode): $((SECONDS - t0)) s"
	times="$times $layout-$n=$((SECONDS - t0))s"
}

# ---- run ---------------------------------------------------------------------------------------
tar -xOf "$base" --wildcards './boot/vmlinuz-*' > "$kernel"
tar -xOf "$base" --wildcards './boot/initrd.img-*' > "$initrd"
kernel_usb=$WORK/vmlinuz-usb initrd_usb=$WORK/initrd-usb
if [ -n "$usb_base" ]; then
	tar -xOf "$usb_base" --wildcards './boot/vmlinuz-*' > "$kernel_usb"
	tar -xOf "$usb_base" --wildcards './boot/initrd.img-*' > "$initrd_usb"
fi
ACCEL=$(probe_accel)
log "$ARCH: $QEMU $QEMU_MACHINE $ACCEL -m $QEMU_MEM; package ${deb##*/} ($(stat -c %s "$deb") B)"
times=""

if [ "$MODE" = measure ]; then
	make_disks splitvar
	for n in $(seq "$MEASURE_BOOTS"); do
		boot splitvar "w$n" measure
		boot splitvar "o$n" measure "systemd.mask=nltuned.service systemd.mask=nltune-apply.service"
	done
	for k in w o; do
		for n in $(seq "$MEASURE_BOOTS"); do grep -h '^info: systemd_analyze' "$WORK/splitvar-$k$n.res.txt"; done |
			sed 's/.*= //; s/ *(.*//' | awk -v k=$k '
			function ms(s) { if (s ~ /ms$/) return s + 0; if (s ~ /min/) return 60000 * s; return 1000 * s }
			{ t += ms($0) } END { printf "%s %.0f\n", k, t / NR }'
	done | tee "$WORK/measure.txt"
	grep -h 'coldplug_logged_after_trigger_ms' "$WORK"/splitvar-w*.res.txt | sed 's/^/with nltune: /'
	exit 0
fi

failed=0
# VM_LAYOUTS="" boots the USB plug alone (while working on it).
for layout in ${VM_LAYOUTS-single splitvar}; do
	make_disks "$layout"
	for n in 1 2; do
		extra=""
		[ "$layout-$n" != splitvar-2 ] || extra="nltune.vmt.extra=1 nltune.vmt.events=$BENCH_EVENTS"
		boot "$layout" $n test "$extra"
		sed "s/^/  [$layout boot $n] /" "$WORK/$layout-$n.res.txt" | grep -v '^  \[.*\]   ' || true
		grep -q '^result: pass' "$WORK/$layout-$n.res.txt" || failed=1
	done
done
if [ -n "$usb_base" ]; then
	make_disks usb
	boot usb 1 test "nltune.vmt.usb=1"
	sed "s/^/  [usb boot] /" "$WORK/usb-1.res.txt" | grep -v '^  \[.*\]   ' || true
	grep -q '^result: pass' "$WORK/usb-1.res.txt" || failed=1
fi
log "$ARCH boots:$times; whole run $((SECONDS - t_start)) s"
[ $failed -eq 0 ] || die "FAIL (guest output in $WORK/*.res.txt, consoles in $WORK/*.console)"
log "pass"
