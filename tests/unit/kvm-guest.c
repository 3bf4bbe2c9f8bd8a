/*
 * Test support: a VM + vCPU + ioeventfd doorbell in a few calls, for
 * tests that run hand-assembled guest code under KVM.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/eventfd.h>
#include "kvm-guest.h"

KVMGuest *kvm_guest_new(uint64_t ram_size, uint16_t doorbell_port,
                        Error **errp)
{
    KVMGuest *g = g_new0(KVMGuest, 1);

    g->doorbell_fd = -1;
    g->kvm = kvm_vm_new(errp);
    if (!g->kvm) {
        goto fail;
    }
    g->ram = kvm_vm_add_ram(g->kvm, ram_size, errp);
    if (!g->ram) {
        goto fail;
    }
    g->ram_size = ram_size;
    g->vcpu = kvm_vcpu_new(g->kvm, 0, errp);
    if (!g->vcpu) {
        goto fail;
    }
    g->doorbell_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (g->doorbell_fd < 0) {
        error_setg_errno(errp, errno, "eventfd");
        goto fail;
    }
    g->doorbell_port = doorbell_port;
    if (!kvm_ioeventfd_add_pio(g->kvm, doorbell_port, 1, g->doorbell_fd,
                               errp)) {
        goto fail;
    }
    return g;

fail:
    kvm_guest_free(g);
    return NULL;
}

void kvm_guest_free(KVMGuest *g)
{
    if (!g) {
        return;
    }
    kvm_vcpu_free(g->vcpu);
    kvm_vm_free(g->kvm);
    if (g->doorbell_fd >= 0) {
        close(g->doorbell_fd);
    }
    g_free(g);
}

bool kvm_guest_load(KVMGuest *g, GuestCode *code, Error **errp)
{
    uint64_t end = (uint64_t)code->base + code->bytes->len;

    if (end > g->ram_size) {
        error_setg(errp, "guest code 0x%x+%u does not fit in RAM",
                   code->base, code->bytes->len);
        return false;
    }
    memcpy(g->ram + code->base, code->bytes->data, code->bytes->len);
    /* The stack, unused by guest-code.h, at the top of RAM. */
    return kvm_vcpu_set_flat32(g->vcpu, code->base, g->ram_size, errp);
}

int kvm_guest_run(KVMGuest *g, KVMVCPUExit *exit)
{
    return kvm_vcpu_run(g->vcpu, exit);
}

static int kvm_guest_step(void *vcpu, KVMVCPUExit *exit)
{
    return kvm_vcpu_run(vcpu, exit);
}

int kvm_guest_run_until_hlt(KVMGuest *g, uint16_t sync_port,
                            KVMGuestSyncFn *fn, void *opaque,
                            KVMVCPUExit *exit)
{
    return guest_run_until_hlt(kvm_guest_step, g->vcpu, sync_port, fn,
                               opaque, exit);
}

uint64_t kvm_guest_doorbell_count(KVMGuest *g)
{
    uint64_t count;

    if (read(g->doorbell_fd, &count, sizeof(count)) != sizeof(count)) {
        return 0;
    }
    return count;
}
