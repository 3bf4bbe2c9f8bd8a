/*
 * Overlay pages: 4 KiB pages of the VMM (memfd-backed, mapped in this
 * process) that can be placed into the guest's physical address space,
 * such as the XenStore ring at the Xen special PFN.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_OVERLAY_H
#define HW_XEN_OVERLAY_H

#include "qemu/error.h"
#include "sysemu/kvm.h"

#define XEN_OVERLAY_UNMAPPED UINT64_MAX

typedef struct XenOverlayPage XenOverlayPage;

/*
 * A new zeroed page.  kvm is the VM it can be mapped into, or NULL where
 * there is none (unit tests, hosts without KVM): the page then works the
 * same through its pointer and remembers the address it was given, but
 * no guest sees it.
 */
XenOverlayPage *xen_overlay_page_new(KVMState *kvm, const char *name,
                                     Error **errp);
/* Unmaps the page from the guest and frees it. */
void xen_overlay_page_free(XenOverlayPage *page);

/* The page in this process: valid for the life of the page. */
void *xen_overlay_page_ptr(XenOverlayPage *page);

/*
 * Place the page at guest-physical gpa (page aligned, below 2^52), as a
 * memory slot of its own; a page already mapped moves (and stays where
 * it was if the move fails).  The content is kept across moves and
 * unmaps.
 */
bool xen_overlay_map_page(XenOverlayPage *page, uint64_t gpa, Error **errp);
void xen_overlay_unmap_page(XenOverlayPage *page);

/* Where the page is, or XEN_OVERLAY_UNMAPPED. */
uint64_t xen_overlay_page_gpa(XenOverlayPage *page);
/* True when the page is mapped into a VM's memory (not just placed). */
bool xen_overlay_page_in_vm(XenOverlayPage *page);

#endif
