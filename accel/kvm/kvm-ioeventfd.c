/*
 * ioeventfd on I/O ports: KVM signals an eventfd for a guest `out` to a
 * port, without an exit to the VMM.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "kvm-internal.h"
#include "trace.h"

static bool kvm_ioeventfd_pio(KVMState *s, uint16_t port, unsigned int len,
                              int fd, bool assign, Error **errp)
{
    struct kvm_ioeventfd ioev = {
        .addr = port,
        .len = len,
        .fd = fd,
        /* No datamatch: any value written rings. */
        .flags = KVM_IOEVENTFD_FLAG_PIO |
                 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };

    if (len != 1 && len != 2 && len != 4) {
        error_setg(errp, "ioeventfd length %u is not 1, 2 or 4", len);
        return false;
    }
    if (ioctl(s->vm_fd, KVM_IOEVENTFD, &ioev) < 0) {
        error_setg_errno(errp, errno, "cannot %s ioeventfd on port 0x%x",
                         assign ? "add" : "remove", port);
        return false;
    }
    trace_kvm_ioeventfd_pio(port, len, fd, assign);
    return true;
}

bool kvm_ioeventfd_add_pio(KVMState *s, uint16_t port, unsigned int len,
                           int fd, Error **errp)
{
    return kvm_ioeventfd_pio(s, port, len, fd, true, errp);
}

bool kvm_ioeventfd_del_pio(KVMState *s, uint16_t port, unsigned int len,
                           int fd, Error **errp)
{
    return kvm_ioeventfd_pio(s, port, len, fd, false, errp);
}
