# SPDX-License-Identifier: MIT
# What differs between guest architectures: sourced by the tests/vm scripts with ARCH set.
# shellcheck shell=bash disable=SC2034
ARCH=${ARCH:-x86_64}
case $ARCH in
x86_64)
	DEB_ARCH=amd64
	QEMU=qemu-system-x86_64
	QEMU_PKG=qemu-system-x86
	QEMU_MACHINE="-M pc"
	QEMU_MEM=512
	KERNEL_PKG=linux-image-cloud-amd64
	# The cloud kernel has no USB at all: the USB plug boot takes the generic one.
	USB_KERNEL_PKG=linux-image-amd64
	# The USB plug boot (VM_USB=0 leaves it out).
	USB_DEFAULT=1
	CONSOLE=ttyS0
	# Accelerators to try in order; each is probed with a short boot first.
	ACCELS="kvm:qemu64 tcg"
	# The package and the test helpers come from this host's build (make deb).
	FOREIGN=0
	BOOT_TIMEOUT_DEFAULT=300
	# The cost benchmark runs on the host here (make bench), not in the guest.
	BENCH_EVENTS_DEFAULT=0
	;;
arm64)
	DEB_ARCH=arm64
	QEMU=qemu-system-aarch64
	QEMU_PKG=qemu-system-arm
	# A small board: Cortex-A57 on the virt machine, 128 MiB.
	QEMU_MACHINE="-M virt -cpu cortex-a57"
	QEMU_MEM=128
	KERNEL_PKG=linux-image-arm64
	USB_KERNEL_PKG=linux-image-arm64
	USB_DEFAULT=0
	CONSOLE=ttyAMA0
	ACCELS="tcg"
	# Built in a multiarch chroot with dpkg-buildpackage -aarm64 (tests/vm/crossdeb.sh); the
	# image's maintainer scripts run under qemu-user through binfmt_misc.
	FOREIGN=1
	TRIPLET=aarch64-linux-gnu
	BOOT_TIMEOUT_DEFAULT=900
	BENCH_EVENTS_DEFAULT=20000
	;;
*)
	echo "tests/vm: ARCH=$ARCH is not supported (x86_64, arm64)" >&2
	return 2 2>/dev/null || exit 2
	;;
esac

# The results port, as QEMU arguments writing to FILE. x86_64's pc machine has a second UART
# (ttyS1 in the guest); arm64's virt has one UART, so there it is a virtio serial port
# (/dev/virtio-ports/org.nltune.results). tests/vm/guest/probe.sh takes whichever exists.
result_port_args() { # FILE
	case $ARCH in
	x86_64) echo "-serial file:$1" ;;
	*) echo "-device virtio-serial-device -chardev file,id=res,path=$1 -device virtserialport,chardev=res,name=org.nltune.results" ;;
	esac
}
