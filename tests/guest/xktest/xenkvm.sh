#!/bin/sh
# The guest half of test-xenkvm-guests.sh (the host half runs in the
# nested L1 beside qemu-xenkvm: tests/functional/xenkvm-guests-l1.sh).
# Everything goes through the guest's xenbus to the machine's store.
# The two halves meet in the guest's home, data/xktest-*:
#   guest: data/xktest-ready = 1   host: writes data/host-ping
#   host:  data/host-watching = 1  guest: writes data/guest-ping
#   guest: data/spam-start = 1     (spams 10 s, host reads meanwhile)
#   guest: reboots; second boot: data/xktest-boot = 2, data/xktest-back = 1
#   host:  control/shutdown = poweroff
# TAP lines go to the console; the host counts them.
#
# SPDX-License-Identifier: GPL-2.0-or-later
prog=xs-guest-prog
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { # description, command...
    d=$1; shift
    if "$@" >/tmp/check.out 2>&1; then ok "$d"; else
        nok "$d"; sed 's/^/# /' /tmp/check.out; fi
}
refused() { # description, command... (must fail with EACCES)
    d=$1; shift
    if "$@" >/tmp/check.out 2>&1; then nok "$d (allowed)"; else
        if grep -q -i -E 'EACCES|permission' /tmp/check.out; then ok "$d"
        else nok "$d (not EACCES)"; sed 's/^/# /' /tmp/check.out; fi
    fi
}
# Poll a node of our home until it has a value (the host's doing).
wait_node() { # node, seconds
    i=0
    while [ $i -lt $(($2 * 5)) ]; do
        xenstore-read "$1" >/dev/null 2>&1 && return 0
        usleep 200000; i=$((i + 1))
    done
    return 1
}

domid=$(xenstore-read domid)
home=/local/domain/$domid
boot=$(xenstore-read data/xktest-boot 2>/dev/null || echo 0)
boot=$((boot + 1))
xenstore-write data/xktest-boot $boot
echo "xktest: boot $boot of domain $domid"

if [ "$boot" -ge 2 ]; then
    # After the reboot: a fresh connection that works, then wait for the
    # host to shut us down through control/shutdown.
    check "second boot: xenstore-ls of the home works" xenstore-ls -f "$home"
    check "second boot: the guest program reads its domid" \
        $prog read "$home/domid"
    xenstore-write data/xktest-back 1
    echo "xktest: waiting for control/shutdown"
    sleep 600
    exit 0
fi

# The home, as the machine made it, with permissions.
xenstore-ls -fp "$home" >/tmp/home.txt 2>&1
sed 's/^/# home: /' /tmp/home.txt
check "xenstore-ls -f lists the home's name node" grep -q "$home/name" /tmp/home.txt
check "the home's domid node is ours" grep -q "$home/domid = \"$domid\"" /tmp/home.txt
check "control/ is there for the shutdown watch" grep -q "$home/control" /tmp/home.txt

check "write" $prog write "$home/data/t/a" hello
check "read back" sh -c "[ \"\$($prog read $home/data/t/a)\" = hello ]"
check "mkdir" $prog mkdir "$home/data/t/dir"
check "list" sh -c "$prog ls $home/data/t | grep -q dir"
check "set-perms" $prog setperms "$home/data/t/a" "b$domid" r0
check "get-perms" sh -c "$prog getperms $home/data/t/a | grep -q b$domid"
check "rm" $prog rm "$home/data/t/dir"
check "rm'd node is gone" sh -c "! $prog read $home/data/t/dir"
check "a transaction commits both writes at once" $prog txn-test "$home/data/txn"
check "Xen's tools work too (xenstore-write/read)" \
    sh -c "xenstore-write data/t/b x && [ \"\$(xenstore-read data/t/b)\" = x ]"
refused "reading a node only dom0 may read is refused" \
    $prog read /xktest/secret
refused "writing in dom0's home is refused" \
    $prog write /local/domain/0/xktest-intruder 1
refused "writing another domain's node is refused" \
    $prog write /xktest/secret 2

# Round trips through /dev/xen/xenbus (the host collects the figure).
$prog rtt 2000 "$home/data/rtt" >/tmp/rtt.json 2>&1
check "2000 XS_READ round trips" grep -q reads_per_sec /tmp/rtt.json
echo "xktest-rtt: $(cat /tmp/rtt.json)"

# A host write fires a guest watch.
$prog watch "$home/data/host-ping" tok 90 >/tmp/watch.out 2>&1 &
wpid=$!
usleep 500000
xenstore-write data/xktest-ready 1
if wait $wpid && grep -q "host-ping" /tmp/watch.out; then
    ok "a host write fired the guest's watch"
else
    nok "a host write fired the guest's watch"; sed 's/^/# /' /tmp/watch.out
fi

# A guest write fires the host's xenstore-watch.
if wait_node data/host-watching 90; then
    check "guest write for the host's watch" $prog write "$home/data/guest-ping" 1
else
    nok "the host never said it was watching"
fi

# Spam as fast as we can; the host must still be served meanwhile.
xenstore-write data/spam-start 1
$prog spam 10 "$home/data/spam" >/tmp/spam.json 2>&1
check "spam ran" grep -q '{' /tmp/spam.json
echo "xktest-spam: $(cat /tmp/spam.json)"
wait_node data/spam-host-done 60

echo "xktest: rebooting"
sync
reboot -f
sleep 60
