#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Scenario "selftest" (kernel command line xktest=selftest): Xen's tools
# and xs-guest-prog against the guest's own store through
# /dev/xen/xenbus. TAP on stdout; /init prints "xktest: done" after it.
#
# xkdenied=PATH on the kernel command line (the kernel hands it to /init
# as an environment variable) names a node the guest must not read;
# default /local/domain/0/name.

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
    desc=$1
    shift
    if "$@" >/tmp/check.out 2>&1; then
        ok "$desc"
    else
        not_ok "$desc"
        sed 's/^/#   /' /tmp/check.out
    fi
}
check_eq() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1"
        echo "#   got:  $2"
        echo "#   want: $3"
    fi
}

XS=xs-guest-prog
domid=$(xenstore-read domid 2>/dev/null)
case "$domid" in
'' | *[!0-9]*)
    not_ok "xenstore-read domid gives a number (got '$domid')"
    echo "1..$n"
    exit 1
    ;;
esac
ok "xenstore-read domid: $domid"
home=/local/domain/$domid
# The guest owns data/ in its home; our scratch space is below it.
d=$home/data/xk
$XS rm "$d" >/dev/null 2>&1

check_eq "xenstore-ls -f of the home shows domid" \
    "$(xenstore-ls -f "$home" 2>&1 | grep "^$home/domid ")" \
    "$home/domid = \"$domid\""
check_eq "xs-guest-prog reads domid" "$($XS read "$home/domid")" "$domid"
check "write" $XS write "$d/a" hello
check_eq "read it back" "$($XS read "$d/a")" hello
check_eq "xenstore-read agrees" "$(xenstore-read "$d/a")" hello
check "mkdir" $XS mkdir "$d/dir"
check_eq "ls" "$($XS ls "$d" | tr '\n' ' ')" "a dir "
check_eq "xenstore-list agrees" "$(xenstore-list "$d" | tr '\n' ' ')" \
    "a dir "
check "setperms: owner self, read for dom0" $XS setperms "$d/a" "n$domid" r0
check_eq "getperms" "$($XS getperms "$d/a")" "n$domid r0"
check "xenstore-chmod" xenstore-chmod "$d/dir" "n$domid"
check_eq "getperms after xenstore-chmod" "$($XS getperms "$d/dir")" \
    "n$domid"
check "rm" $XS rm "$d/a"
check_eq "read after rm: ENOENT" "$($XS read "$d/a")" "error: ENOENT"
check "xenstore-exists: removed node is gone" \
    sh -c "! xenstore-exists '$d/a'"
check_eq "transaction" "$($XS txn-test "$d/txn")" ok
check_eq "xenstore-write/xenstore-read" \
    "$(xenstore-write "$d/w" v && xenstore-read "$d/w")" v

denied=${xkdenied:-/local/domain/0/name}
check_eq "read of $denied is refused" "$($XS read "$denied")" \
    "error: EACCES"
check_eq "write outside the home is refused" \
    "$($XS write /xk-guest-denied x)" "error: EACCES"

rtt=$($XS rtt 1000 "$d/rtt")
case "$rtt" in
'{"reads":1000,'*) ok "rtt: $rtt" ;;
*) not_ok "rtt: $rtt" ;;
esac
spam=$($XS spam 2 "$d/spam")
case "$spam" in
*'"errors":0}') ok "spam: $spam" ;;
*) not_ok "spam: $spam" ;;
esac

$XS rm "$d" >/dev/null 2>&1
echo "1..$n"
[ "$failed" -eq 0 ]
