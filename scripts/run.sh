#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make run: build qemu-xenstored if needed (quietly: the build log is
# shown only if it fails), then run it in the foreground on
# BUILDDIR/run/qemu-xenstored.sock.  It prints one line, how to point
# Xen's tools at it.  Ctrl-C (or SIGTERM) stops it and removes the socket.
#
# usage: scripts/run.sh [BUILDDIR]      (default: build)
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}

if [ ! -f "$build/build.ninja" ]; then
    scripts/install-deps.sh build || exit 1
    mkdir -p "$build"
    if ! ./configure --builddir="$build" >"$build/configure.log" 2>&1; then
        cat "$build/configure.log" >&2
        exit 1
    fi
fi
if ! ninja -C "$build" tools/xenstored/qemu-xenstored \
        >"$build/run-build.log" 2>&1; then
    cat "$build/run-build.log" >&2
    exit 1
fi
rundir=$(cd "$build" && pwd)/run
mkdir -p "$rundir" || exit 1
exec "$build/tools/xenstored/qemu-xenstored" \
    --socket "$rundir/qemu-xenstored.sock"
