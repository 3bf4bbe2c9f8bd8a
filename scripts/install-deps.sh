#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Make sure the Debian packages the build (or the test suite) needs are
# present: install the missing ones with apt-get when running as root,
# otherwise stop and name them.
#
# usage: scripts/install-deps.sh [build|run|check]
set -u
mode=${1:-build}
missing=""

need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || missing="$missing $1"; }

need_cmd cc gcc
need_cmd meson meson
need_cmd ninja ninja-build
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
    pkg-config --atleast-version=2.66 glib-2.0 2>/dev/null ||
        missing="$missing libglib2.0-dev"
else
    missing="$missing libglib2.0-dev"
fi
need_cmd python3 python3

# make run: the guest kit (busybox, xz for trixie's modules, Xen's tools
# in the guest) and, where the host's KVM has no Xen support, the L1.
if [ "$mode" = run ] || [ "$mode" = check ]; then
    need_cmd xenstore-ls xenstore-utils
    need_cmd qemu-system-x86_64 qemu-system-x86
    need_cmd busybox busybox-static
    need_cmd xz xz-utils
    if command -v dpkg >/dev/null 2>&1; then
        # the guest kit needs busybox static, not Debian's dynamic one
        need_pkg busybox-static
    fi
fi

if [ "$mode" = check ]; then
    # test-xenkvm-guests.sh: the guests' ext4 disk, looked into after
    command -v mke2fs >/dev/null 2>&1 || [ -x /sbin/mke2fs ] ||
        missing="$missing e2fsprogs"
    [ -f /usr/include/xenstore.h ] || missing="$missing libxen-dev"
    need_cmd clang clang
    need_cmd valgrind valgrind
    if command -v dpkg >/dev/null 2>&1; then
        need_pkg libclang-rt-14-dev
    fi
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing missing packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null &&
        apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
        { echo "apt-get could not install:$missing" >&2; exit 1; }
    exit 0
fi
echo "Missing packages:$missing" >&2
echo "Install them first, for example: sudo apt-get install$missing" >&2
exit 1
