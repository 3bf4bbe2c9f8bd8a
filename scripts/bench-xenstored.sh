#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The socket transport benchmark: libxenstore round trips per second
# against the qemu-xenstored server code, next to a bare Unix-socket
# ping-pong of the same message sizes between the same two processes.
# Prints the benchmark's JSON lines (the read line says whether reads
# reach the target, 60% of the bare rate).
#
# usage: scripts/bench-xenstored.sh [builddir]
#        (BENCH_SECONDS=... per phase, BENCH_ROUNDS=... rounds of each)
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
bench=$build/tests/bench/xenstored-bench

[ -x "$bench" ] || {
    echo "bench: $bench not built (run make; it needs libxen-dev)" >&2
    exit 1
}
exec "$bench" --seconds "${BENCH_SECONDS:-0.5}" --rounds "${BENCH_ROUNDS:-5}"
