/*
 * A minimal KVM layer: a VM with guest RAM, memory slots, vCPUs that run
 * until an exit the VMM must handle, and ioeventfd doorbells.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSEMU_KVM_H
#define SYSEMU_KVM_H

#include "qemu/error.h"

typedef struct KVMState KVMState;
typedef struct KVMVCPU KVMVCPU;

/*
 * VM (accel/kvm/kvm-vm.c)
 *
 * kvm_available() opens /dev/kvm and creates (and destroys) a VM, so a
 * device node that exists but cannot run guests counts as absent; errp
 * says why.  Guest RAM starts at guest-physical 0 and must end at or
 * below KVM_RAM_LIMIT, the start of the Xen special page area, so that
 * overlay pages there never overlap it.
 */
#define KVM_RAM_LIMIT 0xfeff8000ULL

bool kvm_available(Error **errp);
KVMState *kvm_vm_new(Error **errp);
void kvm_vm_free(KVMState *s);
/* Page-aligned anonymous RAM at GPA 0; the pointer maps GPA 0. */
void *kvm_vm_add_ram(KVMState *s, uint64_t size, Error **errp);
/*
 * The in-kernel PIC, IOAPIC, LAPICs and PIT (KVM_CREATE_IRQCHIP,
 * KVM_CREATE_PIT2), before any vCPU exists.  A VM with them handles
 * hlt and the timer ports itself: hlt no longer exits.
 */
bool kvm_vm_create_irqchip(KVMState *s, Error **errp);

/* Drive an in-kernel interrupt controller input (ISA IRQ / GSI). */
bool kvm_vm_irq_line(KVMState *s, uint32_t irq, bool level);

/* Back to their state at creation: the PIC, IOAPIC and PIT. */
bool kvm_vm_reset_irqchip(KVMState *s, Error **errp);
/* Back to its state at creation: system registers, LAPIC; GPRs zero. */
bool kvm_vcpu_reset(KVMVCPU *cpu, Error **errp);

/* KVM_CHECK_EXTENSION on the VM: the capability is there. */
bool kvm_vm_has_cap(KVMState *s, int cap);
/* The VM's file descriptor (for the other files of this layer). */
int kvm_vm_fd(KVMState *s);

/*
 * Memory slots (accel/kvm/kvm-slot.c).  A slot maps size bytes of host
 * memory at hva into the guest at gpa; both page aligned.  Slots may not
 * overlap.  kvm_slot_map returns the slot number, or -1 with errp set.
 */
int kvm_slot_map(KVMState *s, uint64_t gpa, uint64_t size, void *hva,
                 Error **errp);
bool kvm_slot_unmap(KVMState *s, int slot, Error **errp);

/*
 * vCPUs (accel/kvm/kvm-vcpu.c).  A new vCPU is in the reset state; set
 * it up in 16-bit real mode (cs.base 0) or flat 32-bit protected mode
 * (4 GiB code and data segments, no paging, no GDT in memory) before it
 * runs.  Without kvm_vm_create_irqchip(), hlt exits to the VMM.
 */
KVMVCPU *kvm_vcpu_new(KVMState *s, unsigned int id, Error **errp);
void kvm_vcpu_free(KVMVCPU *cpu);
bool kvm_vcpu_set_real_mode(KVMVCPU *cpu, uint16_t ip, Error **errp);
bool kvm_vcpu_set_flat32(KVMVCPU *cpu, uint32_t eip, uint32_t esp,
                         Error **errp);
/*
 * 64-bit mode (flat segments, no GDT in memory) with the 4-level page
 * tables the caller built at guest-physical cr3.  A vCPU whose CPUID
 * was not set (kvm_vcpu_set_cpuid) gets the CPUID KVM supports, which
 * long mode needs.  Again after kvm_vcpu_reset() for a reboot.
 */
bool kvm_vcpu_set_long64(KVMVCPU *cpu, uint64_t rip, uint64_t rsp,
                         uint64_t cr3, Error **errp);

/*
 * CPUID.  kvm_get_supported_cpuid() returns KVM's supported leaves (a
 * g_new array, *n entries); kvm_vcpu_set_cpuid() gives a vCPU a table
 * before its first run (after kvm_vcpu_set_long64(), which sets KVM's
 * own).  KVM_CPUID_SIGNIFICANT_INDEX in flags: index matters.
 */
typedef struct KVMCpuidEntry {
    uint32_t function;
    uint32_t index;
    uint32_t flags;
    uint32_t eax, ebx, ecx, edx;
} KVMCpuidEntry;

#define KVM_CPUID_FLAG_INDEX 1

KVMCpuidEntry *kvm_get_supported_cpuid(KVMState *s, unsigned *n,
                                       Error **errp);
bool kvm_vcpu_set_cpuid(KVMVCPU *cpu, const KVMCpuidEntry *e, unsigned n,
                        Error **errp);
/* Point GDTR at a table the caller put in guest memory. */
bool kvm_vcpu_set_gdt(KVMVCPU *cpu, uint64_t base, uint16_t limit,
                      Error **errp);
/*
 * The guest-physical address of virtual address gva through the vCPU's
 * current page tables (KVM_TRANSLATE); false if it is not mapped.
 */
bool kvm_vcpu_translate(KVMVCPU *cpu, uint64_t gva, uint64_t *gpa);
/* The vCPU's TSC frequency in kHz (KVM_GET_TSC_KHZ), 0 if unknown. */
uint32_t kvm_vcpu_tsc_khz(KVMVCPU *cpu);
/* RSI, for a boot protocol that passes a pointer there. */
bool kvm_vcpu_set_rsi(KVMVCPU *cpu, uint64_t rsi, Error **errp);

typedef enum KVMVCPUExitKind {
    KVM_VCPU_EXIT_IO,           /* in/out to a port with no ioeventfd */
    KVM_VCPU_EXIT_HLT,
    KVM_VCPU_EXIT_MMIO,         /* access to a GPA with no slot */
    KVM_VCPU_EXIT_SHUTDOWN,     /* triple fault */
    KVM_VCPU_EXIT_INTERNAL_ERROR, /* e.g. the instruction emulator gave up */
    KVM_VCPU_EXIT_FAIL_ENTRY,   /* the vCPU state could not be entered */
    KVM_VCPU_EXIT_XEN_HCALL,    /* Xen hypercall, no handler set */
    KVM_VCPU_EXIT_OTHER,        /* anything else: see reason */
} KVMVCPUExitKind;

/* A Xen hypercall as KVM_EXIT_XEN_HCALL reports it (sysemu/kvm-xen.h). */
typedef struct KVMXenHcall {
    uint64_t input;             /* hypercall number (RAX/EAX) */
    /* 64-bit: RDI RSI RDX R10 R8 R9; 32-bit: EBX ECX EDX ESI EDI EBP */
    uint64_t params[6];
    bool longmode;              /* the guest was in 64-bit mode */
    uint8_t cpl;
} KVMXenHcall;

typedef struct KVMVCPUExit {
    KVMVCPUExitKind kind;
    uint32_t reason;            /* KVM's exit_reason */
    /* internal error suberror, entry failure, unknown KVM_EXIT_XEN type */
    uint64_t detail;
    union {
        struct {
            uint16_t port;
            uint8_t size;       /* 1, 2 or 4 */
            bool is_write;      /* out */
            uint32_t count;     /* > 1 for string instructions */
            uint8_t *data;      /* size * count bytes; fill for in */
        } io;
        struct {
            uint64_t addr;
            uint32_t len;
            bool is_write;
            uint8_t *data;      /* len bytes; fill for a read */
        } mmio;
        struct {
            KVMXenHcall hcall;
            uint64_t *result;   /* the guest's RAX: set before next run */
        } xen;
    };
} KVMVCPUExit;

/*
 * Run until the next exit to the VMM and describe it.  Returns 0, or
 * -errno when KVM_RUN itself fails.  Data for an in or an MMIO read is
 * written through exit->io.data / exit->mmio.data before the next run.
 */
int kvm_vcpu_run(KVMVCPU *cpu, KVMVCPUExit *exit);
const char *kvm_vcpu_exit_name(KVMVCPUExitKind kind);

/*
 * ioeventfd (accel/kvm/kvm-ioeventfd.c): a guest write of len bytes
 * (1, 2 or 4) to I/O port `port` signals fd in the kernel, with no exit
 * to the VMM.  The event-channel doorbell of a guest.
 */
bool kvm_ioeventfd_add_pio(KVMState *s, uint16_t port, unsigned int len,
                           int fd, Error **errp);
bool kvm_ioeventfd_del_pio(KVMState *s, uint16_t port, unsigned int len,
                           int fd, Error **errp);

#endif
