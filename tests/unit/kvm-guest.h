/*
 * Test support: a throwaway KVM guest for tests that need real guest
 * code, namely a VM with RAM at GPA 0, one vCPU in flat 32-bit mode and
 * an ioeventfd doorbell on an I/O port, plus a run loop.
 *
 * Typical use (code from guest-code.h, loaded at an address in RAM):
 *
 *     g = kvm_guest_new(KVM_GUEST_RAM_SIZE, DOORBELL, &err);
 *     if (!g) { g_test_skip(error_get_pretty(err)); ... return; }
 *     page = xen_overlay_page_new(g->kvm, "ring", &error_abort);
 *     xen_overlay_map_page(page, 0xfeff9000, &error_abort);
 *     kvm_guest_load(g, &code, &error_abort);
 *     kvm_guest_run_until_hlt(g, SYNC_PORT, service_fn, opaque, &exit);
 *
 * A guest that waits for the VMM does `out SYNC_PORT, al` in its wait
 * loop (guest_wait_change32); every such exit calls service_fn (e.g.
 * running the main loop) before the vCPU resumes, so no second thread
 * is needed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_KVM_GUEST_H
#define TESTS_KVM_GUEST_H

#include "sysemu/kvm.h"
#include "guest-code.h"

#define KVM_GUEST_RAM_SIZE  (1024 * 1024)

typedef struct KVMGuest {
    KVMState *kvm;
    KVMVCPU *vcpu;
    uint8_t *ram;               /* GPA 0 .. ram_size - 1 */
    uint64_t ram_size;
    uint16_t doorbell_port;
    int doorbell_fd;            /* eventfd, non-blocking */
} KVMGuest;

/* NULL with errp set when KVM is missing or cannot create the VM. */
KVMGuest *kvm_guest_new(uint64_t ram_size, uint16_t doorbell_port,
                        Error **errp);
void kvm_guest_free(KVMGuest *g);

/* Copy the code into RAM at its base; the vCPU starts there (flat32). */
bool kvm_guest_load(KVMGuest *g, GuestCode *code, Error **errp);

/* One KVM_RUN: 0 and the exit, or -errno. */
int kvm_guest_run(KVMGuest *g, KVMVCPUExit *exit);

/*
 * Run until an exit other than a 1-byte out to sync_port, calling
 * fn(opaque) at each of those (fn may be NULL).  Returns 0 with the final
 * exit (HLT for a guest that finished), -errno if KVM_RUN failed, or
 * -ETIMEDOUT after a million sync exits.
 */
typedef void KVMGuestSyncFn(void *opaque);
int kvm_guest_run_until_hlt(KVMGuest *g, uint16_t sync_port,
                            KVMGuestSyncFn *fn, void *opaque,
                            KVMVCPUExit *exit);

/* Rings of the doorbell since the last call (reads the eventfd). */
uint64_t kvm_guest_doorbell_count(KVMGuest *g);

#endif
