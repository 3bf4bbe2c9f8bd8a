#!/bin/bash
# qemu-xenkvm's command line on any host: bad options fail with one
# clear line and status 1, -help succeeds, and a host whose KVM has no
# Xen support gets one line naming what is missing.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
prog=${QEMU_XENKVM:?QEMU_XENKVM is not set}
n=0
failed=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# check DESCRIPTION STATUS PATTERN ARGS...: exit status STATUS and one
# line on stderr matching PATTERN (extended regexp).
check() {
    local what=$1 want=$2 pat=$3 rc lines

    shift 3
    "$prog" "$@" >"$out" 2>"$err" </dev/null
    rc=$?
    lines=$(wc -l <"$err")
    n=$((n + 1))
    if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q -E -e "$pat" "$err"
    then
        echo "ok $n - $what"
    else
        echo "not ok $n - $what (status $rc, $lines lines)"
        sed 's/^/# /' "$err"
        failed=1
    fi
}

echo "1..9"
check "no kernel" 1 "-kernel BZIMAGE is needed"
check "unknown option" 1 "unknown option '-bogus'" -bogus
check "option without its argument" 1 "'-kernel' needs an argument" -kernel
check "bad -m" 1 "-m '12x': not a size" -m 12x -kernel k
check "-m too large" 1 "at most [0-9]+ MiB" -m 8G -kernel k
check "unsupported -serial" 1 "-serial 'tcp::4444': stdio and file" \
    -serial tcp::4444 -kernel k
check "empty -serial file:" 1 "-serial 'file:'" -serial file: -kernel k

n=$((n + 1))
if "$prog" -help >"$out" 2>"$err" && grep -q "^usage:" "$out" &&
    [ ! -s "$err" ]; then
    echo "ok $n - -help"
else
    echo "not ok $n - -help"
    failed=1
fi

# Past the options the program needs KVM with Xen.  Without it: one line
# naming the lack, status 1.  With it, the missing kernel file is the
# one-line error instead.
check "one-line error from the host check or the kernel" 1 \
    "KVM is not available|no Xen support|cannot read kernel" \
    -nographic -kernel /nonexistent/bzImage -append "console=ttyS0"
exit $failed
