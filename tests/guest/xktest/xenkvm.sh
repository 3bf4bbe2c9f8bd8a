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
# PV devices (the host's -drive and -device xen-console):
#   xvda: ext4 with hello.txt (sha256 in xkdisksum=); the guest checks
#         it, writes from-guest.txt; after a driver reload and after the
#         reboot it checks both again
#   xvdb: read-only: writes refused;  xvdc: scratch for dd throughput
#   hvc0: a shell's output, then like hvc1: the host sends "ping-N",
#         the guest answers "pong-N"
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

# The disk with the host's file (and ours, once written) still reads.
disk_after() { # when
    if mount -t ext4 /dev/xvda /mnt 2>/tmp/mnt.err; then
        check "$1: xvda mounts; hello.txt intact" \
            sh -c "[ \"\$(sha256sum </mnt/hello.txt | cut -d' ' -f1)\" = $xkdisksum ]"
        check "$1: from-guest.txt is there" grep -q "written by the guest" \
            /mnt/from-guest.txt
        umount /mnt
    else
        nok "$1: xvda mounts"; sed 's/^/# /' /tmp/mnt.err
    fi
}

# Block devices appear when xen-blkfront has connected.
wait_dev() { # device, seconds
    i=0
    while [ $i -lt $(($2 * 5)) ] && [ ! -b "$1" ]; do
        usleep 200000; i=$((i + 1))
    done
    [ -b "$1" ]
}

mkdir -p /mnt
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
    if wait_dev /dev/xvda 60; then
        disk_after "after the reboot"
    else
        nok "after the reboot: /dev/xvda is back"
    fi
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

# ---- PV devices ----
mkdir -p /mnt
if wait_dev /dev/xvda 60; then
    ok "xen-blkfront connected: /dev/xvda"
    sz=$(cat /sys/block/xvda/size)
    check "xvda has the image's size ($xkdisksectors sectors)" \
        [ "$sz" = "$xkdisksectors" ]
    if mount -t ext4 /dev/xvda /mnt 2>/tmp/mnt.err; then
        ok "xvda's ext4 mounts"
        check "hello.txt's sha256 is the host's" \
            sh -c "[ \"\$(sha256sum </mnt/hello.txt | cut -d' ' -f1)\" = $xkdisksum ]"
        check "write from-guest.txt" sh -c \
            'echo "written by the guest" >/mnt/from-guest.txt && sync'
        check "unmount" umount /mnt
    else
        nok "xvda's ext4 mounts"; sed 's/^/# /' /tmp/mnt.err
    fi
    # The driver goes and comes back: the backend reconnects.
    # Each bound xenbus device holds the module: unbind them first, as
    # on Xen.  The frontends go Closing, then Closed; the VMM detaches
    # and re-attaches a device that stays Closed, as a toolstack would
    # (Linux's blkfront never reconnects a device it closed).
    echo "xktest: unbinding the vbd devices"
    for dev in /sys/bus/xen/drivers/vbd/vbd-*; do
        timeout 60 sh -c "echo ${dev##*/} >/sys/bus/xen/drivers/vbd/unbind"
    done
    check "rmmod xen_blkfront (devices unbound)" timeout 60 rmmod xen_blkfront
    check "xvda gone with the driver" sh -c '! [ -b /dev/xvda ]'
    check "insmod xen_blkfront again" timeout 60 insmod /lib/modules/xen_blkfront.ko
    if wait_dev /dev/xvda 60; then
        disk_after "after a driver reload"
    else
        nok "after a driver reload: /dev/xvda came back"
    fi
else
    nok "xen-blkfront connected: /dev/xvda"
fi
if wait_dev /dev/xvdb 60; then
    check "xvdb is read-only" [ "$(cat /sys/block/xvdb/ro)" = 1 ]
    if dd if=/dev/zero of=/dev/xvdb bs=512 count=1 oflag=direct \
        2>/dev/null; then nok "a write to read-only xvdb is refused"
    else ok "a write to read-only xvdb is refused"; fi
else
    nok "the read-only disk /dev/xvdb is there"
fi
if wait_dev /dev/xvdc 60; then
    # busybox's dd prints no rate: time it with the uptime clock.
    dd_mbs() { # dd arguments...
        t0=$(cut -d' ' -f1 /proc/uptime)
        dd "$@" bs=1M count=64 2>/tmp/dd.err || return 1
        t1=$(cut -d' ' -f1 /proc/uptime)
        awk "BEGIN { d = $t1 - $t0; if (d < 0.01) d = 0.01;
                     printf \"%.1f\", 64 / d }"
    }
    if w=$(dd_mbs if=/dev/zero of=/dev/xvdc oflag=direct); then
        ok "dd 64 MiB direct write to xvdc: $w MiB/s"
        echo "xktest-dd: {\"op\":\"write\",\"mib\":64,\"mib_per_s\":$w}"
    else
        nok "dd 64 MiB direct write to xvdc"; sed 's/^/# dd: /' /tmp/dd.err
    fi
    if r=$(dd_mbs if=/dev/xvdc of=/dev/null iflag=direct); then
        ok "dd 64 MiB direct read from xvdc: $r MiB/s"
        echo "xktest-dd: {\"op\":\"read\",\"mib\":64,\"mib_per_s\":$r}"
    else
        nok "dd 64 MiB direct read from xvdc"; sed 's/^/# dd: /' /tmp/dd.err
    fi
else
    nok "the scratch disk /dev/xvdc is there"
fi

# hvc0: a shell's output reaches the host's chardev.
if [ -c /dev/hvc0 ]; then
    sh -c 'echo "hvc0 says: kernel $(uname -r)"' >/dev/hvc0
    ok "a shell wrote to hvc0"
else
    nok "/dev/hvc0 is there"
fi
# hvc0 and hvc1: a line each way; the host writes ping-N after the
# guest says data/hvcN-ready, the guest answers pong-N.  In a subshell:
# a failed redirection of exec would end this script.
hvc_exchange() { # n
    exec 3<>/dev/hvc$1 || exit 1
    # The tty's settings last while it is held open.
    stty -F /dev/hvc$1 raw -echo 2>/dev/null
    xenstore-write data/hvc$1-ready 1
    read -t 90 line <&3 || exit 2
    line=$(echo "$line" | tr -d '\r')
    echo "pong-${line#ping-}" >&3
    echo "$line" | grep -q '^ping-'
}
for c in 0 1; do
    if [ -c /dev/hvc$c ]; then
        ( hvc_exchange $c ) 2>/tmp/hvc.err
        case $? in
        0) ok "hvc$c brought the host's line and took our answer" ;;
        1) nok "hvc$c opens"; sed 's/^/# /' /tmp/hvc.err ;;
        *) nok "hvc$c brought the host's line" ;;
        esac
    else
        nok "/dev/hvc$c is there"
    fi
done

echo "xktest: rebooting"
sync
reboot -f
sleep 60
