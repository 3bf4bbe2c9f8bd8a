/*
 * Overlay pages: a memfd-backed page of the VMM, mapped here and, when
 * there is a VM, into guest-physical memory as its own KVM memory slot.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "hw/xen/interface/xen.h"
#include "hw/i386/kvm/xen_overlay.h"
#include "trace.h"

/* x86-64 guest-physical addresses are at most 52 bits wide. */
#define XEN_OVERLAY_GPA_LIMIT (1ULL << 52)

struct XenOverlayPage {
    KVMState *kvm;
    char *name;
    int memfd;
    void *ptr;
    uint64_t gpa;
    int slot;                   /* -1: not in a VM */
};

XenOverlayPage *xen_overlay_page_new(KVMState *kvm, const char *name,
                                     Error **errp)
{
    XenOverlayPage *page;
    int fd;
    void *ptr;

    /* A memfd, so the page can later be shared with another process. */
    fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create overlay page %s", name);
        return NULL;
    }
    if (ftruncate(fd, XEN_PAGE_SIZE) < 0) {
        error_setg_errno(errp, errno, "cannot size overlay page %s", name);
        close(fd);
        return NULL;
    }
    ptr = mmap(NULL, XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
               0);
    if (ptr == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map overlay page %s", name);
        close(fd);
        return NULL;
    }
    page = g_new0(XenOverlayPage, 1);
    page->kvm = kvm;
    page->name = g_strdup(name);
    page->memfd = fd;
    page->ptr = ptr;
    page->gpa = XEN_OVERLAY_UNMAPPED;
    page->slot = -1;
    trace_xen_overlay_page_new(name, kvm != NULL);
    return page;
}

void xen_overlay_page_free(XenOverlayPage *page)
{
    if (!page) {
        return;
    }
    xen_overlay_unmap_page(page);
    munmap(page->ptr, XEN_PAGE_SIZE);
    close(page->memfd);
    g_free(page->name);
    g_free(page);
}

void *xen_overlay_page_ptr(XenOverlayPage *page)
{
    return page->ptr;
}

bool xen_overlay_map_page(XenOverlayPage *page, uint64_t gpa, Error **errp)
{
    int old_slot = page->slot;
    uint64_t old_gpa = page->gpa;
    int slot;

    if (gpa % XEN_PAGE_SIZE || gpa >= XEN_OVERLAY_GPA_LIMIT) {
        error_setg(errp, "overlay page %s: bad guest address 0x%" PRIx64,
                   page->name, gpa);
        return false;
    }
    if (gpa == page->gpa) {
        return true;
    }
    if (page->kvm) {
        /* A KVM slot cannot move in place: delete, then map anew. */
        if (old_slot >= 0 && !kvm_slot_unmap(page->kvm, old_slot, errp)) {
            return false;
        }
        slot = kvm_slot_map(page->kvm, gpa, XEN_PAGE_SIZE, page->ptr, errp);
        if (slot < 0) {
            page->slot = -1;
            page->gpa = XEN_OVERLAY_UNMAPPED;
            if (old_slot >= 0) {
                page->slot = kvm_slot_map(page->kvm, old_gpa, XEN_PAGE_SIZE,
                                          page->ptr, NULL);
                page->gpa = page->slot >= 0 ? old_gpa : XEN_OVERLAY_UNMAPPED;
            }
            return false;
        }
        page->slot = slot;
    }
    page->gpa = gpa;
    trace_xen_overlay_map_page(page->name, gpa, page->slot);
    return true;
}

void xen_overlay_unmap_page(XenOverlayPage *page)
{
    if (page->gpa == XEN_OVERLAY_UNMAPPED) {
        return;
    }
    trace_xen_overlay_unmap_page(page->name, page->gpa);
    /* Deleting a slot we created can only fail if KVM is broken. */
    if (page->slot >= 0) {
        kvm_slot_unmap(page->kvm, page->slot, &error_abort);
    }
    page->slot = -1;
    page->gpa = XEN_OVERLAY_UNMAPPED;
}

uint64_t xen_overlay_page_gpa(XenOverlayPage *page)
{
    return page->gpa;
}

bool xen_overlay_page_in_vm(XenOverlayPage *page)
{
    return page->slot >= 0;
}
