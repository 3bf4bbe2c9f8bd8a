#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make check: install what the tests need, build normally (build/) and
# with address + undefined sanitizers (build-san/), run every test in both,
# the KVM tests inside a TCG guest when there is no /dev/kvm, then the
# libFuzzer targets (build-fuzz/, clang), and end with one line
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

# A real Debian kernel for the bzImage loader's test (cached; without it,
# offline, that one case says it skipped).
scripts/fetch-test-kernel.sh >/dev/null 2>&1 ||
    echo "=== no Debian kernel for test-x86-boot's real-kernel case"

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

run_build() { # builddir, configure options...; runs $MESON_SUITES
    # returns 1 when configure or build failed (test failures are counted)
    local dir=$1
    shift
    local log="$dir/check.log"
    echo "=== $dir: configure and build"
    if [ ! -f "$dir/build.ninja" ]; then
        ./configure --builddir="$dir" "$@" >/dev/null || {
            echo "*** configure of $dir failed"
            failed=$((failed + 1))
            return 1
        }
    fi
    if ! ninja -C "$dir" >"$dir/build.log" 2>&1; then
        tail -40 "$dir/build.log"
        echo "*** build of $dir failed"
        failed=$((failed + 1))
        return 1
    fi
    echo "=== $dir: tests"
    run_tests "$dir" "$log" $MESON_SUITES
    return 0
}

run_tests() { # builddir, log file, meson test selection...
    local dir=$1 log=$2
    shift 2
    meson test -C "$dir" --no-rebuild --num-processes 2 --print-errorlogs \
        "$@" 2>&1 | tee "$log" | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped|Timeout):'
    count "$log"
}

# Whether the host's own /dev/kvm lacks Xen support: its probe skips.
host_lacks_kvm_xen() {
    ! build/tests/functional/kvm-xen-caps --tap 2>/dev/null |
        grep -q '^ok .*/kvm-xen/vm-config$'
}

# kvm-tcg boots a TCG guest to run the KVM tests: once, in build/ only,
# and only where they cannot run on the host's own /dev/kvm.
# kvm-xen-nested boots Debian trixie's kernel that way to run the probe
# for KVM's Xen support: in build/ only, where the host's KVM has none.
MESON_SUITES="--no-suite fuzz-run --no-suite kvm-tcg"
MESON_SUITES="$MESON_SUITES --no-suite kvm-xen-nested --no-suite xenkvm-guests"
if run_build build; then
    if [ ! -e /dev/kvm ]; then
        echo "=== build: KVM tests in a TCG guest (no /dev/kvm here)"
        run_tests build build/check-kvm-tcg.log --suite kvm-tcg
    fi
    if host_lacks_kvm_xen; then
        echo "=== build: KVM Xen probe in a trixie TCG guest" \
            "(no KVM Xen support here)"
        run_tests build build/check-kvm-xen-nested.log \
            --suite kvm-xen-nested
    else
        export XENKVM_DIRECT=1
    fi
    echo "=== build: Debian guests on qemu-xenkvm" \
        "($([ -n "${XENKVM_DIRECT:-}" ] && echo "host KVM" || echo "nested"))"
    run_tests build build/check-xenkvm-guests.log --suite xenkvm-guests
fi
run_build build-san --enable-sanitizers
if command -v clang >/dev/null 2>&1; then
    MESON_SUITES="--suite fuzz-run"
    if grep -q "fuzz-run" tests/fuzz/meson.build 2>/dev/null; then
        run_build build-fuzz --enable-fuzzing
    fi
fi
summary
