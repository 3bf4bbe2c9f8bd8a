#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make run: boot the default guest, Debian bookworm's cloud kernel with
# the guest kit's initramfs and a shell (scripts/make-guest-kit.sh), on
# qemu-xenkvm with COM1 on this terminal, its XenStore on a socket for
# Xen's tools.  Builds what it needs quietly (logs shown on failure).
#
# Where this host's KVM has no Xen support it says so in one line and
# boots the guest inside the nested L1 instead (Debian trixie under
# QEMU's TCG, tests/functional/kvm-in-tcg.sh): the guest's console is
# this terminal, and a shell in L1 with Xen's tools pointed at the store
# is on the pty QEMU names ("char device redirected to /dev/pts/N").
#
# usage: scripts/run.sh [BUILDDIR]      (default: build)
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/functional/l1-files.sh
src=$(pwd)
build=${1:-build}

scripts/install-deps.sh run || exit 1
if [ ! -f "$build/build.ninja" ]; then
    mkdir -p "$build"
    if ! ./configure --builddir="$build" >"$build/configure.log" 2>&1; then
        cat "$build/configure.log" >&2
        exit 1
    fi
fi
if ! ninja -C "$build" xenkvm/qemu-xenkvm tests/functional/kvm-xen-caps \
        >"$build/run-build.log" 2>&1; then
    cat "$build/run-build.log" >&2
    exit 1
fi
echo "qemu-xenkvm: getting the guest kit (Debian bookworm's kernel and" \
     "an initramfs; downloaded once)"
kit=$(scripts/make-guest-kit.sh bookworm) || exit 1
rundir=$(cd "$build" && pwd)/run
mkdir -p "$rundir" || exit 1
xenkvm=$src/$build/xenkvm/qemu-xenkvm

if "$build/tests/functional/kvm-xen-caps" --tap 2>/dev/null |
        grep -q '^ok .*/kvm-xen/vm-config$'; then
    sock=$rundir/xenstore.sock
    echo "qemu-xenkvm: the guest's store: XENSTORED_PATH=$sock" \
         "xenstore-ls -f /local/domain/1   (leave the guest: poweroff)"
    exec "$xenkvm" -accel kvm,xen-version=0x40011 -m 512M -smp 1 \
        -kernel "$kit/vmlinuz" -initrd "$kit/initrd.img" \
        -append "console=ttyS0 quiet" -nographic -name debian \
        -xenstore-socket "$sock"
fi

echo "qemu-xenkvm: this host's KVM has no Xen support (it needs a kernel" \
     "with CONFIG_KVM_XEN, e.g. Debian trixie's): booting the guest in a" \
     "nested L1 under QEMU's TCG; Xen's tools run in L1, on the second" \
     "pty QEMU names below (busybox microcom /dev/pts/N); ^A x quits"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/xenkvm/bin"
l1_add_prog "$root" "$xenkvm" qemu-xenkvm || exit 1
for t in read write ls chmod watch rm list exists; do
    l1_add_prog "$root" "$(command -v xenstore-$t)" xenstore-$t || exit 1
done
cp "$kit/vmlinuz" "$kit/initrd.img" "$root/xenkvm/" || exit 1
(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null |
    gzip -1) >"$work/extra.gz" || exit 1
KVM_TCG_INTERACTIVE=1 KVM_TCG_MEM=1G KVM_TCG_EXTRA_INITRD=$work/extra.gz \
    tests/functional/kvm-in-tcg.sh --trixie scripts/run-nested-l1.sh
