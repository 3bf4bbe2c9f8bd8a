#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one libFuzzer target for a bounded time on a copy of its seed
# corpus (new inputs go to the copy, never into the source tree); any
# crash, leak, sanitizer report or timeout makes it fail (exit status 1
# or 70, never the 77 that means "skipped" to meson).
# usage: run-fuzzer.sh FUZZER SEED-CORPUS WORK-DIR SECONDS
set -eu
fuzzer=$1
seeds=$2
work=$3
seconds=$4

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -error_exitcode=1 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus"
