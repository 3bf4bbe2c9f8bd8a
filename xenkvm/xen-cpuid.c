/*
 * Builds the guest's CPUID table: KVM's leaves minus KVM's identity,
 * plus the Xen hypervisor leaves Linux looks for.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenkvm/xen-cpuid.h"
#include "sysemu/kvm-xen.h"

/* Four signature bytes as CPUID returns them in a register. */
static uint32_t sig32(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
           (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

KVMCpuidEntry *xen_cpuid_build(const KVMCpuidEntry *kvm, unsigned n,
                               uint32_t version, uint32_t vcpu_id,
                               unsigned *out_n)
{
    KVMCpuidEntry *out = g_new0(KVMCpuidEntry, n + XEN_CPUID_LEAVES);
    unsigned k = 0;
    const uint32_t b = XEN_CPUID_BASE;

    for (unsigned i = 0; i < n; i++) {
        if (kvm[i].function >= 0x40000000u &&
            kvm[i].function <= 0x4fffffffu) {
            continue;
        }
        out[k] = kvm[i];
        if (out[k].function == 1) {
            out[k].ecx |= CPUID_1_ECX_HYPERVISOR;
        }
        k++;
    }
    /* "XenVMMXenVMM" across EBX, ECX, EDX; EAX the largest leaf. */
    out[k++] = (KVMCpuidEntry) {
        .function = b, .eax = b + XEN_CPUID_LEAVES - 1,
        .ebx = sig32("XenV"), .ecx = sig32("MMXe"), .edx = sig32("nVMM"),
    };
    out[k++] = (KVMCpuidEntry) { .function = b + 1, .eax = version };
    /* One hypercall page, and the MSR a guest would write it to. */
    out[k++] = (KVMCpuidEntry) {
        .function = b + 2, .eax = 1, .ebx = KVM_XEN_HYPERCALL_MSR,
    };
    /* Time leaf: nothing offered yet. */
    out[k++] = (KVMCpuidEntry) {
        .function = b + 3, .flags = KVM_CPUID_FLAG_INDEX,
    };
    out[k++] = (KVMCpuidEntry) {
        .function = b + 4,
        .eax = XEN_CPUID_VCPU_ID_PRESENT |
               (version >= 0x40011 ? XEN_CPUID_UPCALL_VECTOR : 0),
        .ebx = vcpu_id,
    };
    *out_n = k;
    return out;
}
