# SPDX-License-Identifier: MIT
# What differs between guest architectures: sourced by the tests/vm scripts with ARCH set.
# shellcheck shell=bash
ARCH=${ARCH:-x86_64}
case $ARCH in
x86_64)
	DEB_ARCH=amd64
	QEMU=qemu-system-x86_64
	QEMU_PKG=qemu-system-x86
	QEMU_MACHINE="-M pc"
	QEMU_MEM=512
	KERNEL_PKG=linux-image-cloud-amd64
	CONSOLE=ttyS0
	# The second serial port carries the results; the guest sees it as ttyS1.
	RESULT_TTY=ttyS1
	# Accelerators to try in order; each is probed with a short boot first.
	ACCELS="kvm:qemu64 tcg"
	;;
*)
	echo "tests/vm: ARCH=$ARCH is not supported (x86_64)" >&2
	return 2 2>/dev/null || exit 2
	;;
esac
