#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make check: install what the tests need, build normally (build/) and
# with address + undefined sanitizers (build-san/), run every test in both,
# then the libFuzzer targets (build-fuzz/, clang), and end with one line
# "N passed, M failed, K skipped".
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
skipped=0

summary() {
    echo
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    exit $?
}

if ! scripts/install-deps.sh check; then
    failed=$((failed + 1))
    summary
fi

# Sanitizer and GLib settings: real malloc for every allocation so leaks
# and overflows are seen, and stop at the first UB report.
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export MALLOC_PERTURB_=0

count() { # add the counts of meson's test summary in file $1
    local ok fail unexp timeout skip
    ok=$(awk '/^Ok:/ {print $2}' "$1")
    fail=$(awk '/^Fail:/ {print $2}' "$1")
    unexp=$(awk '/^Unexpected Pass:/ {print $3}' "$1")
    timeout=$(awk '/^Timeout:/ {print $2}' "$1")
    skip=$(awk '/^Skipped:/ {print $2}' "$1")
    if [ -z "$ok" ]; then
        echo "*** no test summary in $1"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + ok))
    failed=$((failed + ${fail:-0} + ${unexp:-0} + ${timeout:-0}))
    skipped=$((skipped + ${skip:-0}))
}

run_build() { # builddir, configure options...; runs the given meson suites
    local dir=$1
    shift
    local log="$dir/check.log"
    echo "=== $dir: configure and build"
    if [ ! -f "$dir/build.ninja" ]; then
        ./configure --builddir="$dir" "$@" >/dev/null || {
            echo "*** configure of $dir failed"
            failed=$((failed + 1))
            return
        }
    fi
    if ! ninja -C "$dir" >"$dir/build.log" 2>&1; then
        tail -40 "$dir/build.log"
        echo "*** build of $dir failed"
        failed=$((failed + 1))
        return
    fi
    echo "=== $dir: tests"
    meson test -C "$dir" --no-rebuild --num-processes 2 --print-errorlogs \
        $MESON_SUITES 2>&1 | tee "$log" | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped|Timeout):'
    count "$log"
}

MESON_SUITES="--no-suite fuzz-run"
run_build build
run_build build-san --enable-sanitizers
if command -v clang >/dev/null 2>&1; then
    MESON_SUITES="--suite fuzz-run"
    if grep -q "fuzz-run" tests/fuzz/meson.build 2>/dev/null; then
        run_build build-fuzz --enable-fuzzing
    fi
fi
summary
