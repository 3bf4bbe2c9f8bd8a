#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make run's program inside the nested L1 (scripts/run.sh): a shell with
# Xen's tools pointed at the guest's store on L1's second serial port,
# then the guest on qemu-xenkvm with its console on L1's first (the
# terminal make run was started from).  L1 powers off after the guest.
export PATH=/xenkvm/bin:$PATH
export XENSTORED_PATH=/tmp/xenstore.sock
if [ -c /dev/ttyS1 ]; then
    setsid sh -c 'echo "L1 shell: try xenstore-ls -f /local/domain/1";
                  exec sh -i' </dev/ttyS1 >/dev/ttyS1 2>&1 &
fi
echo "qemu-xenkvm: booting Debian bookworm as a Xen guest (leave it:" \
     "poweroff)"
/xenkvm/bin/qemu-xenkvm -accel kvm,xen-version=0x40011 -m 512M -smp 1 \
    -kernel /xenkvm/vmlinuz -initrd /xenkvm/initrd.img \
    -append "console=ttyS0 quiet no_timer_check" -nographic -name debian \
    -xenstore-socket "$XENSTORED_PATH"
