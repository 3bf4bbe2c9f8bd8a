#!/bin/bash
# qemu-xenkvm's command line on any host: bad options fail with one
# clear line and status 1, -help and -version succeed, the manual page
# documents every option -help lists, and a host whose KVM has no Xen
# support gets one line naming what is missing.
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

check "no kernel" 1 "-kernel BZIMAGE is needed"
check "unknown option" 1 "unknown option '-bogus'" -bogus
check "option without its argument" 1 "'-kernel' needs an argument" -kernel
check "bad -m" 1 "-m '12x': not a size" -m 12x -kernel k
check "-m too large" 1 "at most [0-9]+ MiB" -m 8G -kernel k
check "unsupported -serial" 1 "-serial 'tcp::4444': stdio and file" \
    -serial tcp::4444 -kernel k
check "empty -serial file:" 1 "-serial 'file:'" -serial file: -kernel k
check "-m 0" 1 "-m '0': at least 16 MiB" -m 0 -kernel k
check "-smp 2" 1 "only 1 vCPU is supported" -smp 2 -kernel k
check "-smp with other sub-options" 1 "unknown sub-option 'cores'" \
    -smp 1,cores=2 -kernel k
check "-accel other than kvm" 1 "-accel 'tcg': only kvm is supported" \
    -accel tcg -kernel k
check "xen-version below 4.6" 1 "xen-version '0x40005': want" \
    -accel kvm,xen-version=0x40005 -kernel k
check "xen-version not a number" 1 "xen-version '4.17': want" \
    -accel kvm,xen-version=4.17 -kernel k
check "unknown -accel sub-option" 1 "unknown sub-option 'kernel-irqchip'" \
    -accel kvm,kernel-irqchip=on -kernel k
check "domid 0 is dom0" 1 "-xen-domid '0': want 1 to 32751" \
    -xen-domid 0 -kernel k
check "domid in the reserved range" 1 "-xen-domid '32752': want 1 to" \
    -xen-domid 32752 -kernel k
check "name with a newline" 1 "the name has a control character" \
    -name "$(printf 'a\nb')" -kernel k
check "name too long" 1 "longer than 128 bytes" \
    -name "$(printf '%0129d' 0)" -kernel k
check "trace pattern matching nothing" 1 "matches no trace event" \
    -trace 'no_such_event_*' -kernel k
check "-trace events=FILE" 1 "only PATTERN and enable=PATTERN" \
    -trace events=/dev/null -kernel k
check "-initrd without its argument" 1 "'-initrd' needs an argument" \
    -kernel k -initrd
check "two different kernels" 1 "-kernel given twice: 'a' and 'b'" \
    -kernel a -kernel b
check "stray argument" 1 "unexpected argument 'disk.img'" -kernel k disk.img
check "unknown --option" 1 "unknown option '--frobnicate'" --frobnicate

n=$((n + 1))
if "$prog" -help >"$out" 2>"$err" && grep -q "^usage:" "$out" &&
    [ ! -s "$err" ]; then
    echo "ok $n - -help"
else
    echo "not ok $n - -help"
    failed=1
fi

n=$((n + 1))
if "$prog" -version >"$out" 2>"$err" &&
    grep -q -x -E "qemu-xenkvm [0-9][0-9.]*" "$out" && [ ! -s "$err" ]; then
    echo "ok $n - -version"
else
    echo "not ok $n - -version"
    failed=1
fi

# The manual page documents every option -help lists, and renders.
man_page=$(dirname "$0")/../../docs/system/qemu-xenkvm.1
"$prog" -help >"$out" 2>/dev/null
for opt in $(grep -o -E -- '^ +-[a-z][a-z-]*' "$out" | sort -u); do
    n=$((n + 1))
    # roff spells every dash of an option as "\-".
    if grep -q -F -- "${opt//-/\\-}" "$man_page"; then
        echo "ok $n - the manual page documents $opt"
    else
        echo "not ok $n - the manual page documents $opt"
        failed=1
    fi
done
if command -v groff >/dev/null 2>&1; then
    n=$((n + 1))
    warn=$(groff -man -Tutf8 -ww -z "$man_page" 2>&1)
    if [ -z "$warn" ]; then
        echo "ok $n - the manual page renders without warnings"
    else
        echo "not ok $n - the manual page renders without warnings"
        printf '%s\n' "$warn" | sed 's/^/# /'
        failed=1
    fi
fi

# Past the options the program needs KVM with Xen.  Without it: one line
# naming the lack, status 1.  With it, the missing kernel file is the
# one-line error instead.
check "one-line error from the host check or the kernel" 1 \
    "KVM is not available|no Xen support|cannot read kernel" \
    -nographic -kernel /nonexistent/bzImage -append "console=ttyS0"
check "every option accepted, then the same one-line error" 1 \
    "KVM is not available|no Xen support|cannot read kernel" \
    -kernel /nonexistent/bzImage -initrd /nonexistent/initrd \
    -append "console=ttyS0" -m size=256M -smp cpus=1 \
    -accel kvm,xen-version=0x40011 -xen-domid 5 -name guest=deb \
    -xenstore-socket /nonexistent/xs.sock -serial none -no-reboot \
    -trace enable=kvm_ioeventfd_pio -nographic
echo "1..$n"
exit $failed
