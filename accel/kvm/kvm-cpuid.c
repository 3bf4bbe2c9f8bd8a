/*
 * CPUID tables, the GDT register, RSI and address translation of a
 * vCPU: what KVM supports, a table of the VMM's own choosing, the state
 * a boot protocol sets, and the guest's virtual addresses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "kvm-internal.h"

KVMCpuidEntry *kvm_get_supported_cpuid(KVMState *s, unsigned *n,
                                       Error **errp)
{
    g_autofree struct kvm_cpuid2 *cpuid = NULL;
    KVMCpuidEntry *out;
    unsigned nent = 64;

    for (;;) {
        cpuid = g_malloc0(sizeof(*cpuid) +
                          nent * sizeof(struct kvm_cpuid_entry2));
        cpuid->nent = nent;
        if (ioctl(s->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0) {
            break;
        }
        if (errno != E2BIG || nent >= 4096) {
            error_setg_errno(errp, errno, "KVM_GET_SUPPORTED_CPUID failed");
            return NULL;
        }
        nent *= 2;
        g_free(cpuid);
    }
    out = g_new0(KVMCpuidEntry, cpuid->nent ? cpuid->nent : 1);
    for (unsigned i = 0; i < cpuid->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

        out[i] = (KVMCpuidEntry) {
            .function = e->function, .index = e->index,
            .flags = (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ?
                     KVM_CPUID_FLAG_INDEX : 0,
            .eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
        };
    }
    *n = cpuid->nent;
    return out;
}

bool kvm_vcpu_set_cpuid(KVMVCPU *cpu, const KVMCpuidEntry *e, unsigned n,
                        Error **errp)
{
    g_autofree struct kvm_cpuid2 *cpuid =
        g_malloc0(sizeof(*cpuid) + n * sizeof(struct kvm_cpuid_entry2));

    cpuid->nent = n;
    for (unsigned i = 0; i < n; i++) {
        struct kvm_cpuid_entry2 *k = &cpuid->entries[i];

        k->function = e[i].function;
        k->index = e[i].index;
        k->flags = (e[i].flags & KVM_CPUID_FLAG_INDEX) ?
                   KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
        k->eax = e[i].eax;
        k->ebx = e[i].ebx;
        k->ecx = e[i].ecx;
        k->edx = e[i].edx;
    }
    if (ioctl(cpu->fd, KVM_SET_CPUID2, cpuid) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_CPUID2 failed");
        return false;
    }
    cpu->cpuid_set = true;
    return true;
}

bool kvm_vcpu_set_gdt(KVMVCPU *cpu, uint64_t base, uint16_t limit,
                      Error **errp)
{
    struct kvm_sregs sregs;

    if (ioctl(cpu->fd, KVM_GET_SREGS, &sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_SREGS failed");
        return false;
    }
    sregs.gdt.base = base;
    sregs.gdt.limit = limit;
    if (ioctl(cpu->fd, KVM_SET_SREGS, &sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_SREGS failed");
        return false;
    }
    return true;
}

bool kvm_vcpu_set_rsi(KVMVCPU *cpu, uint64_t rsi, Error **errp)
{
    struct kvm_regs regs;

    if (ioctl(cpu->fd, KVM_GET_REGS, &regs) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_REGS failed");
        return false;
    }
    regs.rsi = rsi;
    if (ioctl(cpu->fd, KVM_SET_REGS, &regs) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_REGS failed");
        return false;
    }
    return true;
}

bool kvm_vcpu_translate(KVMVCPU *cpu, uint64_t gva, uint64_t *gpa)
{
    struct kvm_translation t = { .linear_address = gva };

    if (ioctl(cpu->fd, KVM_TRANSLATE, &t) < 0 || !t.valid) {
        return false;
    }
    *gpa = t.physical_address;
    return true;
}
