/*
 * State shared by the files of the KVM layer: the VM and its slot table,
 * the vCPU, and the Xen exit decoder the run loop calls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ACCEL_KVM_INTERNAL_H
#define ACCEL_KVM_INTERNAL_H

#include "sysemu/kvm.h"
#include "sysemu/kvm-xen.h"
#include <linux/kvm.h>

#define KVM_MAX_SLOTS 32
#define KVM_PAGE_SIZE 4096ULL

typedef struct KVMSlot {
    bool used;
    uint64_t gpa;
    uint64_t size;
    void *hva;
} KVMSlot;

struct KVMState {
    int kvm_fd;                 /* /dev/kvm */
    int vm_fd;
    int vcpu_mmap_size;
    int nr_slots;               /* usable, min(KVM's, KVM_MAX_SLOTS) */
    KVMSlot slots[KVM_MAX_SLOTS];
    void *ram;
    uint64_t ram_size;
    int ram_slot;
    /* Power-on state of the in-kernel PIC, IOAPIC and PIT (kvm-reset.c). */
    bool has_irqchip;
    struct kvm_irqchip chips[3];
    struct kvm_pit_state2 pit;
};

struct KVMVCPU {
    KVMState *s;
    unsigned int id;
    int fd;
    struct kvm_run *run;
    KVMXenHcallFn *xen_handler;  /* NULL: hypercalls exit to the caller */
    void *xen_opaque;
    bool cpuid_set;             /* by kvm_vcpu_set_cpuid: keep it */
    /* Power-on state (kvm-reset.c). */
    struct kvm_sregs reset_sregs;
    struct kvm_lapic_state reset_lapic;
    bool has_reset_lapic;
};

/* kvm-reset.c: note the power-on state right after creation. */
bool kvm_vm_save_reset_state(KVMState *s, Error **errp);
bool kvm_vcpu_save_reset_state(KVMVCPU *cpu, Error **errp);

/*
 * kvm-xen.c: fill exit->xen from a KVM_EXIT_XEN in cpu->run and set
 * exit->kind; false for an exit type this layer does not know.
 */
bool kvm_xen_exit_decode(KVMVCPU *cpu, KVMVCPUExit *exit);

#endif
