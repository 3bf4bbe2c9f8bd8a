/*
 * The CPUID a Xen HVM guest of qemu-xenkvm sees: KVM's supported leaves
 * without KVM's own signature, and Xen's leaves at 0x40000000.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XENKVM_XEN_CPUID_H
#define XENKVM_XEN_CPUID_H

#include "sysemu/kvm.h"

#define XEN_CPUID_BASE          0x40000000u
#define XEN_CPUID_LEAVES        5           /* base .. base+4 */
/* Flags in base+4 EAX (Xen's public arch-x86/cpuid.h). */
#define XEN_CPUID_VCPU_ID_PRESENT   (1u << 3)
#define XEN_CPUID_UPCALL_VECTOR     (1u << 6)
/* CPUID.1:ECX, "running on a hypervisor". */
#define CPUID_1_ECX_HYPERVISOR      (1u << 31)

/*
 * A new table (g_new, *out_n entries) from KVM's n supported entries:
 * every leaf in 0x40000000..0x4fffffff dropped, the hypervisor bit set
 * in leaf 1, and Xen's leaves added for version (major << 16 | minor)
 * and the Xen vCPU id vcpu_id.
 */
KVMCpuidEntry *xen_cpuid_build(const KVMCpuidEntry *kvm, unsigned n,
                               uint32_t version, uint32_t vcpu_id,
                               unsigned *out_n);

#endif
