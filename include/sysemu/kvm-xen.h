/*
 * The KVM layer's Xen interface: KVM's own Xen HVM support (design (a)),
 * i.e. hypercalls trapped by KVM and handed to the VMM, shared info and
 * vcpu_info pages KVM writes, and event channels KVM delivers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSEMU_KVM_XEN_H
#define SYSEMU_KVM_XEN_H

#include "sysemu/kvm.h"

/* The MSR a guest would write a hypercall page address to (as QEMU). */
#define KVM_XEN_HYPERCALL_MSR 0x40000000

/*
 * Whether /dev/kvm has the Xen support the VMM needs: KVM_CAP_XEN_HVM
 * with HYPERCALL_MSR, INTERCEPT_HCALL, SHARED_INFO and EVTCHN_SEND.
 * On false errp names what is missing.  *caps (may be NULL) receives
 * KVM_CAP_XEN_HVM when it could be read, else 0.
 */
bool kvm_xen_check_host(int *caps, Error **errp);

/*
 * Turn Xen on for a VM (before its vCPUs run): KVM_XEN_HVM_CONFIG with
 * KVM_XEN_HYPERCALL_MSR, INTERCEPT_HCALL and EVTCHN_SEND, so that every
 * vmcall/vmmcall KVM does not handle itself exits to the VMM.
 */
bool kvm_xen_enable(KVMState *s, Error **errp);

/*
 * The shared_info layout (64-bit or 32-bit).  Guests without a
 * hypercall page never let KVM learn it, so the VMM must set it.
 */
bool kvm_xen_set_long_mode(KVMState *s, bool on, Error **errp);
bool kvm_xen_get_long_mode(KVMState *s, bool *on, Error **errp);

/* Where the guest put shared_info (XENMEM_add_to_physmap); or none. */
bool kvm_xen_set_shared_info(KVMState *s, uint64_t gfn, Error **errp);
bool kvm_xen_clear_shared_info(KVMState *s, Error **errp);
/* The GFN KVM uses, KVM_XEN_NO_GFN when none. */
#define KVM_XEN_NO_GFN UINT64_MAX
bool kvm_xen_get_shared_info(KVMState *s, uint64_t *gfn, Error **errp);

/*
 * Per vCPU: the guest-physical address of its vcpu_info (KVM needs it
 * set even for the default slot inside shared_info), its Xen vCPU id,
 * and the vector of its per-vCPU upcall (HVMOP_set_evtchn_upcall_vector;
 * delivered through the in-kernel LAPIC).
 */
bool kvm_xen_vcpu_set_info(KVMVCPU *cpu, uint64_t gpa, Error **errp);
bool kvm_xen_vcpu_set_id(KVMVCPU *cpu, uint32_t xen_id, Error **errp);
bool kvm_xen_vcpu_set_upcall_vector(KVMVCPU *cpu, uint8_t vector,
                                    Error **errp);

/*
 * Raise event channel port on the vCPU with Xen id vcpu (2-level ABI):
 * KVM sets its pending bit in shared_info and, unless it is masked, the
 * selector and upcall_pending in vcpu_info, and injects the upcall.
 */
bool kvm_xen_evtchn_send(KVMState *s, uint32_t port, uint32_t vcpu,
                         Error **errp);

/*
 * Hypercall exits.  With a handler set, kvm_vcpu_run() calls it for each
 * KVM_EXIT_XEN_HCALL, gives its return value to the guest as the result
 * (RAX) and runs on; without one it returns KVM_VCPU_EXIT_XEN_HCALL and
 * the caller writes *exit->xen.result before the next run.
 */
typedef uint64_t KVMXenHcallFn(KVMVCPU *cpu, const KVMXenHcall *hcall,
                               void *opaque);
void kvm_vcpu_set_xen_handler(KVMVCPU *cpu, KVMXenHcallFn *fn,
                              void *opaque);

#endif
