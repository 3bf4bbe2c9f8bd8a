/*
 * The KVM VM: opening /dev/kvm, creating the VM, and its guest RAM;
 * kvm_available() tells whether any of that works on this host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "kvm-internal.h"
#include "trace.h"

/* Where KVM keeps its real-mode helper pages on Intel, above our area. */
#define KVM_TSS_ADDR 0xfffbd000UL

static bool kvm_check_cap(KVMState *s, int fd, int cap, const char *name,
                          Error **errp)
{
    if (ioctl(fd, KVM_CHECK_EXTENSION, cap) <= 0) {
        error_setg(errp, "KVM lacks %s", name);
        return false;
    }
    return true;
}

KVMState *kvm_vm_new(Error **errp)
{
    KVMState *s = g_new0(KVMState, 1);
    int version, nr;

    s->vm_fd = -1;
    s->ram_slot = -1;
    s->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (s->kvm_fd < 0) {
        error_setg_errno(errp, errno, "cannot open /dev/kvm");
        goto fail;
    }
    version = ioctl(s->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        error_setg(errp, "KVM API version %d, need %d", version,
                   KVM_API_VERSION);
        goto fail;
    }
    if (!kvm_check_cap(s, s->kvm_fd, KVM_CAP_USER_MEMORY, "user memory",
                       errp)) {
        goto fail;
    }
    s->vcpu_mmap_size = ioctl(s->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (s->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "KVM vCPU mmap size %d is too small",
                   s->vcpu_mmap_size);
        goto fail;
    }
    do {
        s->vm_fd = ioctl(s->kvm_fd, KVM_CREATE_VM, 0);
    } while (s->vm_fd < 0 && errno == EINTR);
    if (s->vm_fd < 0) {
        error_setg_errno(errp, errno, "cannot create a KVM VM");
        goto fail;
    }
    nr = ioctl(s->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    s->nr_slots = nr > 0 ? MIN(nr, KVM_MAX_SLOTS) : KVM_MAX_SLOTS;
    /*
     * Needed for real mode on Intel hosts without unrestricted guests;
     * elsewhere it does nothing, so a failure is only worth a trace.
     */
    if (ioctl(s->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
        ioctl(s->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0) {
        trace_kvm_vm_set_tss_addr_failed(errno);
    }
    trace_kvm_vm_new(s->vm_fd, s->nr_slots);
    return s;

fail:
    kvm_vm_free(s);
    return NULL;
}

void kvm_vm_free(KVMState *s)
{
    if (!s) {
        return;
    }
    trace_kvm_vm_free(s->vm_fd);
    /* Closing the VM drops every slot, vCPU and ioeventfd with it. */
    if (s->vm_fd >= 0) {
        close(s->vm_fd);
    }
    if (s->kvm_fd >= 0) {
        close(s->kvm_fd);
    }
    if (s->ram) {
        munmap(s->ram, s->ram_size);
    }
    g_free(s);
}

bool kvm_available(Error **errp)
{
    KVMState *s = kvm_vm_new(errp);

    if (!s) {
        return false;
    }
    kvm_vm_free(s);
    return true;
}

int kvm_vm_fd(KVMState *s)
{
    return s->vm_fd;
}

void *kvm_vm_add_ram(KVMState *s, uint64_t size, Error **errp)
{
    void *ram;

    if (s->ram) {
        error_setg(errp, "the VM already has RAM");
        return NULL;
    }
    if (!size || size % KVM_PAGE_SIZE || size > KVM_RAM_LIMIT) {
        error_setg(errp, "RAM size 0x%" PRIx64 " must be whole pages, "
                   "at most 0x%llx", size, KVM_RAM_LIMIT);
        return NULL;
    }
    ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot allocate guest RAM");
        return NULL;
    }
    s->ram_slot = kvm_slot_map(s, 0, size, ram, errp);
    if (s->ram_slot < 0) {
        munmap(ram, size);
        return NULL;
    }
    s->ram = ram;
    s->ram_size = size;
    trace_kvm_vm_add_ram(size);
    return ram;
}

bool kvm_vm_create_irqchip(KVMState *s, Error **errp)
{
    struct kvm_pit_config pit = { 0 };     /* port 0x61 in the kernel too */

    /* Three pages Intel's VMX needs, out of RAM and the Xen pages. */
    if (ioctl(s->vm_fd, KVM_SET_TSS_ADDR, 0xfffb0000UL) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_TSS_ADDR failed");
        return false;
    }
    if (ioctl(s->vm_fd, KVM_CREATE_IRQCHIP) < 0) {
        error_setg_errno(errp, errno, "KVM_CREATE_IRQCHIP failed");
        return false;
    }
    if (ioctl(s->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        error_setg_errno(errp, errno, "KVM_CREATE_PIT2 failed");
        return false;
    }
    return kvm_vm_save_reset_state(s, errp);
}

bool kvm_vm_irq_line(KVMState *s, uint32_t irq, bool level)
{
    struct kvm_irq_level line = { .irq = irq, .level = level };

    /* Safe from any thread: the in-kernel PIC and IOAPIC take it. */
    return ioctl(s->vm_fd, KVM_IRQ_LINE, &line) == 0;
}

bool kvm_vm_has_cap(KVMState *s, int cap)
{
    return ioctl(s->vm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}
