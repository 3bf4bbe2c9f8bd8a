#!/bin/sh
# Inside kvm-in-tcg's L1 (test-xenkvm-guests.sh puts everything under
# /xenkvm), or on a host whose KVM has Xen support (XENKVM_DIR): boots a Debian kernel with the guest kit's initramfs on
# qemu-xenkvm, plays the host half of tests/guest/xktest/xenkvm.sh
# through -xenstore-socket with Xen's own tools, and prints TAP.
#
# SPDX-License-Identifier: GPL-2.0-or-later
dir=${XENKVM_DIR:-/xenkvm}
export PATH=$dir/bin:$PATH
tmp=${TMPDIR:-/tmp}
sock=$tmp/xs.sock
export XENSTORED_PATH=$sock
log=$tmp/serial.log
secs=${XENKVM_GUEST_TIMEOUT:-400}
dom=1
home=/local/domain/$dom
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
# Wait until a command succeeds (polling every 0.2 s) or time runs out.
wait_for() { # seconds, command...
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        kill -0 "$vm" 2>/dev/null || return 1
        sleep 0.2; t=$((t - 1))
    done
    return 1
}
xs_read() { xenstore-read "$@" 2>/dev/null; }

# Seconds since boot, to the hundredth (busybox's date has no %N).
now() { cut -d' ' -f1 /proc/uptime; }
start=$(now)
: >"$log"
# The consoles on pairs of FIFOs: the host writes .in and reads .out.
for c in 0 1; do
    rm -f $tmp/hvc$c.in $tmp/hvc$c.out
    mkfifo $tmp/hvc$c.in $tmp/hvc$c.out
    cat $tmp/hvc$c.out >$tmp/hvc$c.got 2>/dev/null &
done
sectors=$(($(wc -c <"$dir/disk.img") / 512))
"$dir/qemu-xenkvm" -accel kvm,xen-version=0x40011 -m 256M -smp 1 \
    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" \
    -append "console=ttyS0 xktest=xenkvm no_timer_check xkdisksum=$(cat "$dir/disksum") xkdisksectors=$sectors" \
    -serial "file:$log" -xen-domid $dom -name xktest-guest \
    -xenstore-socket "$sock" \
    -drive "file=$dir/disk.img,if=xen,format=raw" \
    -drive "file=$dir/ro.img,if=xen,format=raw,readonly=on" \
    -drive "file=$dir/scratch.img,if=xen,format=raw" \
    -chardev "pipe,id=hvc0,path=$tmp/hvc0" \
    -device xen-console,chardev=hvc0 \
    -chardev "pipe,id=hvc1,path=$tmp/hvc1" \
    -device xen-console,chardev=hvc1 2>$tmp/xenkvm.err &
vm=$!
( sleep "$secs"; kill -KILL $vm 2>/dev/null ) &

killer=$!

# A node only dom0 may read or write, made before the guest runs.
if wait_for 30 test -S "$sock" &&
   xenstore-write /xktest/secret s3cret && xenstore-chmod /xktest/secret n0
then ok "the host made a dom0-only node through the socket"
else nok "the host made a dom0-only node through the socket"; fi

xenstore-watch -n 2 @releaseDomain >$tmp/release.out 2>&1 &
rwatch=$!

# xenbus connected: the guest wrote its first node through its ring.
if wait_for 240 sh -c "[ \"\$(xenstore-read $home/data/xktest-boot)\" = 1 ]"
then
    ok "the guest's xenbus reached the store"
    echo "xenkvm-bench: boot-to-xenbus-s $(awk "BEGIN { print $(now) - $start }")"
else
    nok "the guest's xenbus reached the store"
fi

# Host → guest watch.
if wait_for 240 xenstore-read "$home/data/xktest-ready"; then
    xenstore-write "$home/data/host-ping" 1
    ok "the guest said it was watching; the host wrote"
else
    nok "the guest said it was watching; the host wrote"
fi

# Guest → host watch: the first event is the registration's own.
xenstore-watch -n 2 "$home/data/guest-ping" >$tmp/gwatch.out 2>&1 &
gw=$!
sleep 0.5
xenstore-write "$home/data/host-watching" 1
if wait_for 120 sh -c "! kill -0 $gw" &&
   [ "$(grep -c "$home/data/guest-ping" $tmp/gwatch.out)" -ge 2 ]; then
    ok "a guest write fired xenstore-watch on the host"
else
    nok "a guest write fired xenstore-watch on the host"
    kill $gw 2>/dev/null
    sed 's/^/# gwatch: /' $tmp/gwatch.out
fi

# While the guest spams its ring, the socket is still served.
if wait_for 120 xenstore-read "$home/data/spam-start"; then
    good=0
    i=0
    while [ $i -lt 20 ]; do
        if timeout 10 xenstore-read "$home/domid" >/dev/null 2>&1; then
            good=$((good + 1))
        fi
        i=$((i + 1))
        sleep 0.3
    done
    if [ $good = 20 ]; then
        ok "20 of 20 host reads answered while the guest spammed"
    else
        nok "$good of 20 host reads answered while the guest spammed"
    fi
    xenstore-write "$home/data/spam-host-done" 1
else
    nok "the guest never started spamming"
fi

# hvc0 and hvc1: a line to the guest and its answer back.
for c in 0 1; do
    if wait_for 240 xenstore-read "$home/data/hvc$c-ready"; then
        echo "ping-4$c" >$tmp/hvc$c.in
        if wait_for 60 grep -q "pong-4$c" $tmp/hvc$c.got; then
            ok "hvc$c carried a line to the guest and its answer back"
        else
            nok "hvc$c carried a line to the guest and its answer back"
            sed 's/^/# hvc: /' $tmp/hvc$c.got
        fi
    else
        nok "the guest never opened hvc$c"
    fi
done

# The guest reboots: its domain is released and it comes back.
if wait_for 240 sh -c "[ \"\$(xenstore-read $home/data/xktest-back)\" = 1 ]"
then ok "after a guest reboot its xenbus came back"
else nok "after a guest reboot its xenbus came back"; fi
if wait_for 10 sh -c "! kill -0 $rwatch"; then
    ok "the reboot fired @releaseDomain"
else
    nok "the reboot fired @releaseDomain"
    kill $rwatch 2>/dev/null
fi

# xl shutdown's way: the guest's own shutdown watcher powers it off.
xenstore-write "$home/control/shutdown" poweroff
t=0
while kill -0 $vm 2>/dev/null && [ $t -lt 600 ]; do sleep 0.2; t=$((t + 1)); done
wait $vm
rc=$?
kill $killer 2>/dev/null
if grep -q "hvc0 says: kernel" $tmp/hvc0.got 2>/dev/null; then
    ok "hvc0 carried the guest shell's output to the host"
else
    nok "hvc0 carried the guest shell's output to the host"
    head -c 2000 $tmp/hvc0.got 2>/dev/null | sed 's/^/# hvc0: /'
fi
if debugfs -R "cat /from-guest.txt" "$dir/disk.img" 2>/dev/null |
    grep -q "written by the guest"; then
    ok "the guest's file is in the image after poweroff (debugfs)"
else
    nok "the guest's file is in the image after poweroff (debugfs)"
fi
if [ $rc = 0 ]; then
    ok "control/shutdown=poweroff ended qemu-xenkvm with status 0"
else
    nok "control/shutdown=poweroff ended qemu-xenkvm with status 0 (got $rc)"
fi

# The guest's own TAP lines, renumbered, and its kernel log checks.
tr -d '\r' <"$log" >$tmp/serial.txt
grep -E '^(not )?ok [0-9]+ - ' $tmp/serial.txt | while read -r st rest; do
    if [ "$st" = ok ]; then echo "ok - guest: ${rest#* - }"
    else echo "not ok - guest: ${rest#ok * - }"; fi
done >$tmp/guest-tap.txt
gn=$(wc -l <$tmp/guest-tap.txt)
while read -r line; do
    n=$((n + 1))
    echo "$line" | sed "s/^\(\(not \)\{0,1\}ok\) - /\1 $n - /"
done <$tmp/guest-tap.txt
[ "$gn" -ge 20 ] && ok "the guest ran its $gn checks" ||
    nok "the guest ran only $gn checks"
if grep -q "Hypervisor detected: Xen HVM" $tmp/serial.txt; then
    ok "kernel log: Xen HVM detected"
else nok "kernel log: Xen HVM detected"; fi
# The kit's init warns when xenfs, /dev/xen/xenbus or a module is missing.
if grep -q "xkguest: ready" $tmp/serial.txt &&
   ! grep -q "xkguest: warning" $tmp/serial.txt
then ok "guest log: xenbus device and xenfs there, no warning from init"
else nok "guest log: xenbus device and xenfs there, no warning from init"
    grep "xkguest:" $tmp/serial.txt | sed 's/^/# /'; fi
# Xen's drivers' complaints, and the kernel's own alarms.
bad=$({ grep -i -E 'xen.*(error|fail)' $tmp/serial.txt
        grep -E 'BUG:|Oops:|WARNING:|Call Trace' $tmp/serial.txt; })
if [ -z "$bad" ]; then ok "kernel log: no Xen error lines"
else nok "kernel log: no Xen error lines"; echo "$bad" | sed 's/^/# /'; fi
grep -h 'xktest-rtt:\|xktest-spam:\|xktest-dd:' $tmp/serial.txt | sed 's/^/xenkvm-bench: /'
# The guest's own diagnostics ("# ..." lines), then the log's end.
grep '^# ' $tmp/serial.txt | sed 's/^/# guest/'
sed 's/^/# serial: /' $tmp/serial.txt | tail -${XENKVM_LOG_LINES:-80}
sed 's/^/# stderr: /' $tmp/xenkvm.err
echo "1..$((n))"
