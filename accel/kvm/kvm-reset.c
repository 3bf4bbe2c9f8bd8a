/*
 * Machine reset without recreating the VM (KVM cannot destroy a vCPU):
 * the power-on state of the in-kernel interrupt controllers, the PIT,
 * and the vCPU's system registers and local APIC is read right after
 * they are created and written back on reset.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include "kvm-internal.h"
#include "trace.h"

bool kvm_vm_save_reset_state(KVMState *s, Error **errp)
{
    for (int i = 0; i < 3; i++) {
        s->chips[i].chip_id = i;       /* PIC master, slave, IOAPIC */
        if (ioctl(s->vm_fd, KVM_GET_IRQCHIP, &s->chips[i]) < 0) {
            error_setg_errno(errp, errno, "KVM_GET_IRQCHIP(%d) failed", i);
            return false;
        }
    }
    if (ioctl(s->vm_fd, KVM_GET_PIT2, &s->pit) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_PIT2 failed");
        return false;
    }
    s->has_irqchip = true;
    return true;
}

bool kvm_vm_reset_irqchip(KVMState *s, Error **errp)
{
    if (!s->has_irqchip) {
        return true;
    }
    for (int i = 0; i < 3; i++) {
        if (ioctl(s->vm_fd, KVM_SET_IRQCHIP, &s->chips[i]) < 0) {
            error_setg_errno(errp, errno, "KVM_SET_IRQCHIP(%d) failed", i);
            return false;
        }
    }
    if (ioctl(s->vm_fd, KVM_SET_PIT2, &s->pit) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_PIT2 failed");
        return false;
    }
    trace_kvm_reset("irqchip");
    return true;
}

bool kvm_vcpu_save_reset_state(KVMVCPU *cpu, Error **errp)
{
    if (ioctl(cpu->fd, KVM_GET_SREGS, &cpu->reset_sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_SREGS failed");
        return false;
    }
    /* Without an in-kernel irqchip there is no LAPIC to save. */
    cpu->has_reset_lapic =
        cpu->s->has_irqchip &&
        ioctl(cpu->fd, KVM_GET_LAPIC, &cpu->reset_lapic) == 0;
    return true;
}

bool kvm_vcpu_reset(KVMVCPU *cpu, Error **errp)
{
    struct kvm_regs regs = { .rflags = 2 };

    if (ioctl(cpu->fd, KVM_SET_SREGS, &cpu->reset_sregs) < 0 ||
        ioctl(cpu->fd, KVM_SET_REGS, &regs) < 0) {
        error_setg_errno(errp, errno, "resetting vCPU %u failed", cpu->id);
        return false;
    }
    if (cpu->has_reset_lapic &&
        ioctl(cpu->fd, KVM_SET_LAPIC, &cpu->reset_lapic) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_LAPIC failed");
        return false;
    }
    trace_kvm_reset("vcpu");
    return true;
}
