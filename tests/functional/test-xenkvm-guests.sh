#!/bin/bash
# Boots an unmodified Debian kernel (bookworm's 6.1 or trixie's 6.12)
# as a Xen HVM guest on qemu-xenkvm, with the guest kit's initramfs
# (scripts/make-guest-kit.sh), and checks its xenbus against the store:
# inside kvm-in-tcg's trixie L1, whose KVM has Xen support, the host
# half (xenkvm-guests-l1.sh) drives Xen's own xenstore tools over
# -xenstore-socket while the guest half (tests/guest/xktest/xenkvm.sh)
# runs in the guest.  TAP on stdout; "xenkvm-bench:" lines carry figures.
#
# SPDX-License-Identifier: GPL-2.0-or-later
#
# usage: test-xenkvm-guests.sh bookworm|trixie QEMU-XENKVM
# Exits 77 (skip) when the kit cannot be had (offline, empty cache) or L1
# cannot run, like kvm-in-tcg.sh.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/l1-files.sh"
[ $# -eq 2 ] && [ -x "$2" ] ||
    { echo "usage: $0 bookworm|trixie QEMU-XENKVM" >&2; exit 2; }
release=$1
kit=$("$src/scripts/make-guest-kit.sh" "$release" 2>/tmp/kit-$$.err)
if [ -z "$kit" ] || [ ! -r "$kit/initrd.img" ]; then
    echo "# no guest kit for $release: $(tail -1 /tmp/kit-$$.err)"
    rm -f /tmp/kit-$$.err
    exit 77
fi
rm -f /tmp/kit-$$.err
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/xenkvm/bin"
# Host programs for L1 with their libraries at the host's paths.
l1_add_prog "$root" "$2" qemu-xenkvm || exit 1
ln -s bin/qemu-xenkvm "$root/xenkvm/qemu-xenkvm"
for t in read write ls chmod watch rm list exists; do
    l1_add_prog "$root" "$(command -v xenstore-$t)" xenstore-$t || {
        echo "# xenstore-$t missing: install xenstore-utils"; exit 77; }
done
cp "$kit/vmlinuz" "$kit/initrd.img" "$root/xenkvm/" || exit 1
# Disks: xvda an ext4 image with a file whose checksum the guest checks,
# xvdb read-only, xvdc 80 MiB of scratch; debugfs to look in xvda after.
for t in mke2fs debugfs; do
    command -v $t >/dev/null || PATH=$PATH:/sbin:/usr/sbin
    command -v $t >/dev/null ||
        { echo "# $t missing: install e2fsprogs"; exit 77; }
done
mkdir -p "$work/fs"
head -c 200000 /dev/urandom >"$work/fs/hello.txt"
sha256sum <"$work/fs/hello.txt" | cut -d' ' -f1 >"$root/xenkvm/disksum"
mke2fs -q -t ext4 -d "$work/fs" "$root/xenkvm/disk.img" 32M || exit 1
mke2fs -q -t ext4 "$root/xenkvm/ro.img" 8M || exit 1
truncate -s 80M "$root/xenkvm/scratch.img" || exit 1
l1_add_prog "$root" "$(command -v debugfs)" debugfs || exit 1
echo "# guest kernel $(cat "$kit/kernel-release" 2>/dev/null)"
if [ -n "${XENKVM_DIRECT:-}" ]; then
    # The host's KVM has Xen support: no L1, the host's own tools.
    echo "# on the host's KVM"
    mkdir -p "$work/tmp"
    XENKVM_DIR=$root/xenkvm TMPDIR=$work/tmp sh "$here/xenkvm-guests-l1.sh" |
        tee "$work/tap"
    ! grep -q '^not ok' "$work/tap" && grep -q '^1\.\.' "$work/tap"
    exit $?
fi
(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null |
    gzip -1) >"$work/extra.gz" || exit 1
KVM_TCG_MEM=${KVM_TCG_MEM:-1G} KVM_TCG_TIMEOUT=${KVM_TCG_TIMEOUT:-600} \
KVM_TCG_EXTRA_INITRD=$work/extra.gz \
    "$here/kvm-in-tcg.sh" --trixie "$here/xenkvm-guests-l1.sh"
