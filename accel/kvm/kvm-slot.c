/*
 * KVM memory slots: host memory mapped at a guest-physical range, kept
 * in a table so that overlapping ranges are refused before KVM sees them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "kvm-internal.h"
#include "trace.h"

static int kvm_set_region(KVMState *s, int slot, uint64_t gpa,
                          uint64_t size, void *hva)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .guest_phys_addr = gpa,
        .memory_size = size,    /* 0 deletes the slot */
        .userspace_addr = (uintptr_t)hva,
    };

    return ioctl(s->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ?
           -errno : 0;
}

int kvm_slot_map(KVMState *s, uint64_t gpa, uint64_t size, void *hva,
                 Error **errp)
{
    int free_slot = -1;
    int err;

    if (!size || (gpa | size | (uintptr_t)hva) % KVM_PAGE_SIZE ||
        gpa + size < gpa) {
        error_setg(errp, "slot 0x%" PRIx64 "+0x%" PRIx64 " is not a "
                   "page-aligned range", gpa, size);
        return -1;
    }
    for (int i = 0; i < s->nr_slots; i++) {
        KVMSlot *sl = &s->slots[i];

        if (!sl->used) {
            free_slot = free_slot < 0 ? i : free_slot;
        } else if (gpa < sl->gpa + sl->size && sl->gpa < gpa + size) {
            error_setg(errp, "guest range 0x%" PRIx64 "+0x%" PRIx64
                       " overlaps slot %d at 0x%" PRIx64, gpa, size, i,
                       sl->gpa);
            return -1;
        }
    }
    if (free_slot < 0) {
        error_setg(errp, "no free KVM memory slot");
        return -1;
    }
    err = kvm_set_region(s, free_slot, gpa, size, hva);
    if (err) {
        error_setg_errno(errp, -err, "cannot map guest range 0x%" PRIx64
                         "+0x%" PRIx64, gpa, size);
        return -1;
    }
    s->slots[free_slot] = (KVMSlot) {
        .used = true, .gpa = gpa, .size = size, .hva = hva,
    };
    trace_kvm_slot_map(free_slot, gpa, size);
    return free_slot;
}

bool kvm_slot_unmap(KVMState *s, int slot, Error **errp)
{
    int err;

    if (slot < 0 || slot >= s->nr_slots || !s->slots[slot].used) {
        error_setg(errp, "no KVM memory slot %d", slot);
        return false;
    }
    err = kvm_set_region(s, slot, s->slots[slot].gpa, 0, NULL);
    if (err) {
        error_setg_errno(errp, -err, "cannot delete KVM memory slot %d",
                         slot);
        return false;
    }
    trace_kvm_slot_unmap(slot, s->slots[slot].gpa);
    s->slots[slot].used = false;
    return true;
}
