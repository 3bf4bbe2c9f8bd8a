#!/bin/bash
# Puts Debian bookworm's cloud kernel (a bzImage) at
# ~/.cache/qemu-xenstore/kernels/vmlinuz for test-x86-boot's real-kernel
# case, which skips without it. Prints the path; nothing is installed.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/functional/debian-pkgs.sh"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/qemu-xenstore/kernels
out=$cache/vmlinuz
[ -f "$out" ] && { echo "$out"; exit 0; }
deb_log=$cache/fetch.log
deb_lock "$cache" || exit 1
deb_use_release bookworm "$cache/apt" || exit 1
deb_update_if_old 7
# The metapackage names the versioned package of the day.
pkg=$(deb_depends_on linux-image-cloud-amd64 \
    'linux-image-6\.1[^ ]*-cloud-amd64')
if [ -z "$pkg" ]; then
    echo "no bookworm cloud kernel package: $(deb_error)" >&2
    exit 1
fi
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! deb_download "$work" "$pkg" || ! deb_extract_all "$work" "$work/x"
then
    echo "cannot fetch $pkg: $(deb_error)" >&2
    exit 1
fi
cp "$work"/x/boot/vmlinuz-* "$out.new" && mv "$out.new" "$out"
deb_unlock
echo "$out"
