#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/make-guest-kit.sh bookworm builds (or reuses) the guest kit and
# its initramfs holds what the guest needs: /init and the scenarios of
# this tree, busybox, Xen's xenstore tools with their libraries and
# loader, a static xs-guest-prog, xenfs.ko (unless built in).
#
# Exits 77 (skipped) when the kit is not cached and the Debian mirror
# cannot be reached. TAP-style lines for people; the exit status counts.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
release=bookworm
kit=${XDG_CACHE_HOME:-$HOME/.cache}/qemu-xenstore/guests/$release
failed=0
n=0
T=$(mktemp -d "${TMPDIR:-/tmp}/guest-kit.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
skip() {
    echo "1..0 # SKIP $*"
    exit 77
}

command -v busybox >/dev/null 2>&1 || skip "no busybox"
# The mirror's host, for a quick look whether the network works.
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
host=${mirror#*://}
host=${host%%/*}
if [ ! -f "$kit/stamp" ] &&
    ! timeout 10 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null; then
    skip "no cached $release kit and $host unreachable"
fi

if ! out=$(timeout 280 "$src/scripts/make-guest-kit.sh" $release \
    2>"$T/err"); then
    sed 's/^/# /' "$T/err"
    not_ok "make-guest-kit.sh $release"
    echo "1..$n"
    exit 1
fi
ok "make-guest-kit.sh $release"
check "it prints the kit's directory" [ "$out" = "$kit" ]
# A bzImage has "HdrS" at offset 0x202.
check "vmlinuz is a bzImage" \
    [ "$(dd if="$kit/vmlinuz" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ]

mkdir "$T/root"
if gzip -dc "$kit/initrd.img" >"$T/initrd.cpio" &&
    busybox cpio -t <"$T/initrd.cpio" >"$T/list" 2>/dev/null &&
    (cd "$T/root" && busybox cpio -id <"$T/initrd.cpio" 2>/dev/null); then
    ok "initrd.img is a gzip cpio archive"
else
    not_ok "initrd.img is a gzip cpio archive"
fi
has() { grep -qxF "$1" "$T/list"; }
for f in init bin/busybox bin/sh sbin/insmod usr/bin/xenstore \
    usr/bin/xenstore-ls usr/bin/xenstore-read usr/bin/xenstore-watch \
    lib64/ld-linux-x86-64.so.2 bin/xs-guest-prog xktest/selftest.sh \
    lib/modules/load-order; do
    check "the archive has $f" has "$f"
done
check "every library xenstore needs is there" bash -c '
    for lib in $(ldd /usr/bin/xenstore | grep -oE "=> /[^ ]+" | cut -c4-); do
        grep -qxF "${lib#/}" "$1" || { echo "# missing $lib"; exit 1; }
    done' - "$T/list"
if grep -qx xenfs "$T/root/lib/modules/builtin" 2>/dev/null; then
    ok "xenfs is built in"
else
    check "the archive has xenfs.ko, loaded after its dependencies" \
        grep -qx xenfs.ko "$T/root/lib/modules/load-order"
    check "xenfs.ko is uncompressed" \
        [ "$(head -c 4 "$T/root/lib/modules/xenfs.ko" | tail -c 3)" = ELF ]
fi
check "/init is this tree's" cmp -s "$T/root/init" "$src/tests/guest/init"
check "xs-guest-prog is static" bash -c \
    '! ldd "$1" >/dev/null 2>&1' - "$T/root/bin/xs-guest-prog"
check "the kernel release matches the package" \
    [ "$(cat "$T/root/etc/xk-kernel-release")" = "$(cat "$kit/kernel-release")" ]
# The second archive appended to the first: /dev/console for early init.
check "the archive ends with a /dev/console entry" \
    grep -qa 'dev/console' <(tail -c 300 "$T/initrd.cpio")

# Booted under plain QEMU (TCG, no Xen): /init's markers, the kitcheck
# scenario and the power-off work. XenStore itself needs Xen: not here.
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
    timeout 120 qemu-system-x86_64 -M q35 -m 256 -nographic -no-reboot \
        -monitor none -kernel "$kit/vmlinuz" -initrd "$kit/initrd.img" \
        -append "console=ttyS0 panic=-1 quiet xktest=kitcheck xkparam=hello" \
        </dev/null >"$T/console" 2>&1
    rc=$?
    tr -d '\r' <"$T/console" | grep -E '^(xk|ok|not ok|1\.\.)' |
        sed 's/^/# guest: /'
    check "the guest powers itself off" [ $rc -eq 0 ]
    check "/init says ready with the kernel release" \
        grep -qa "^xkguest: ready $(cat "$kit/kernel-release")" "$T/console"
    check "the kitcheck scenario passes in the guest" bash -c \
        'grep -qa "^1\.\.6" "$1" && ! grep -qa "^not ok" "$1"' - "$T/console"
    check "/init ends it with xktest: done" \
        grep -qa "^xktest: done" "$T/console"
else
    echo "# no qemu-system-x86_64: the kit is not booted"
fi

start=$(date +%s)
out2=$(timeout 60 "$src/scripts/make-guest-kit.sh" $release 2>/dev/null)
check "a second run reuses the kit" [ "$out2" = "$kit" ] &&
    [ $(( $(date +%s) - start )) -lt 30 ]
echo "1..$n"
[ "$failed" -eq 0 ]
