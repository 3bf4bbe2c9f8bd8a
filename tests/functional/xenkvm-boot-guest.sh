#!/bin/sh
# Inside kvm-in-tcg's L1 (test-xenkvm-boot.sh puts it there): boots the
# L2 kernel in /xenkvm with qemu-xenkvm and checks its serial output.
#
# SPDX-License-Identifier: GPL-2.0-or-later
dir=/xenkvm
log=/tmp/xenkvm-serial.log
secs=${XENKVM_BOOT_TIMEOUT:-150}
echo "1..6"
timeout -s KILL "$secs" "$dir/qemu-xenkvm" -m 256 -kernel "$dir/vmlinuz" \
    -initrd "$dir/initrd.img" \
    -append "console=ttyS0 earlyprintk=ttyS0" -serial "file:$log" \
    2>/tmp/xenkvm.err
rc=$?
tr -d '\r' <"$log" | sed 's/^/# serial: /'
sed 's/^/# stderr: /' /tmp/xenkvm.err
echo "# qemu-xenkvm exit status $rc"
# Killed by the timeout (137) is expected: the guest cannot finish yet.
if [ "$rc" = 0 ] || [ "$rc" = 137 ]; then
    echo "ok 1 - qemu-xenkvm ran the guest"
else
    echo "not ok 1 - qemu-xenkvm ran the guest"
fi
if grep -q "Linux version 6\.1" "$log"; then
    echo "ok 2 - the kernel printed its banner on COM1"
else
    echo "not ok 2 - the kernel printed its banner on COM1"
fi
if grep -q -E "Hypervisor detected: Xen HVM|Xen version" "$log"; then
    echo "ok 3 - the kernel detected Xen"
else
    echo "not ok 3 - the kernel detected Xen"
fi
# Printed only after XENMEM_add_to_physmap(shared_info) succeeded (the
# kernel BUG()s on failure): hypercalls reach the dispatcher and back.
if grep -q "Booting paravirtualized kernel on Xen HVM" "$log"; then
    echo "ok 4 - the guest's shared_info hypercall worked"
else
    echo "not ok 4 - the guest's shared_info hypercall worked"
fi
# HVMOP_set_evtchn_upcall_vector reached KVM (in-kernel LAPIC).
if grep -q "Xen HVM callback vector for event delivery is enabled" "$log"
then
    echo "ok 5 - the guest's upcall vector was set"
else
    echo "not ok 5 - the guest's upcall vector was set"
fi
# setup_arch prints where the zero page's ramdisk fields put the initrd.
if grep -q "RAMDISK: \[mem 0x" "$log"; then
    echo "ok 6 - the kernel found the initrd"
else
    echo "not ok 6 - the kernel found the initrd"
fi
