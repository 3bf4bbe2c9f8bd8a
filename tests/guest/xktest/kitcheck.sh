#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario "kitcheck": the kit itself, on any x86 machine, Xen or not
# (test-guest-kit boots it under plain QEMU): the programs start, the
# kernel command line reaches the scenario, the modules are in place.
# Boot with "xktest=kitcheck xkparam=hello".

n=0
failed=0
check() {
    desc=$1
    shift
    n=$((n + 1))
    if "$@" >/dev/null 2>&1; then
        echo "ok $n - $desc"
    else
        failed=$((failed + 1))
        echo "not ok $n - $desc"
    fi
}

# A dynamic program whose loader or a library is missing fails with
# "not found" before printing its usage.
check "xenstore-read starts (loader and libraries there)" \
    sh -c 'xenstore-read 2>&1 | grep -q Usage'
check "xenstore-ls starts" sh -c 'xenstore-ls -h 2>&1 | grep -qi usage'
check "xs-guest-prog starts" sh -c 'xs-guest-prog 2>&1 | grep -q usage'
check "a kernel parameter reaches the scenario" [ "${xkparam:-}" = hello ]
check "every module of load-order is there" sh -c '
    while read -r m; do [ -f "/lib/modules/$m" ] || exit 1; done \
        </lib/modules/load-order'
check "uname -r is the kit's kernel" \
    [ "$(uname -r)" = "$(cat /etc/xk-kernel-release)" ]
echo "1..$n"
[ "$failed" -eq 0 ]
