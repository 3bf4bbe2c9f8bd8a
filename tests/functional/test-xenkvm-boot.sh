#!/bin/bash
# Boots Debian bookworm's kernel with qemu-xenkvm inside kvm-in-tcg's
# trixie L1 (whose KVM has Xen support), through xenkvm-boot-guest.sh.
#
# SPDX-License-Identifier: GPL-2.0-or-later
#
# usage: test-xenkvm-boot.sh QEMU-XENKVM
# The L2 kernel is scripts/fetch-test-kernel.sh's (XENKVM_L2_KERNEL
# overrides it). Exits 77 (skip) when it is missing, like kvm-in-tcg.sh
# when L1 cannot be had.
set -u
here=$(dirname "${BASH_SOURCE[0]}")
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 QEMU-XENKVM" >&2; exit 2; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/qemu-xenstore
kernel=${XENKVM_L2_KERNEL:-$cache/kernels/vmlinuz}
if [ ! -r "$kernel" ]; then
    echo "# no L2 kernel at $kernel (scripts/fetch-test-kernel.sh)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/xenkvm"
cp -L "$1" "$root/xenkvm/qemu-xenkvm" || exit 1
for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib" || exit 1
done
cp "$kernel" "$root/xenkvm/vmlinuz" || exit 1
# A small initramfs for -initrd: the guest reports where it found it.
mkdir -p "$work/l2rd"
echo "xenkvm initrd" >"$work/l2rd/hello"
(cd "$work/l2rd" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null |
    gzip -1) >"$root/xenkvm/initrd.img" || exit 1
(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null |
    gzip -1) >"$work/extra.gz" || exit 1
KVM_TCG_EXTRA_INITRD=$work/extra.gz \
    "$here/kvm-in-tcg.sh" --trixie "$here/xenkvm-boot-guest.sh"
