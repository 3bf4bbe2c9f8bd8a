/*
 * The emulated guest's grant table (v1): one frame of entries on an
 * overlay page, with the toolstack's reserved entries for the console
 * and XenStore pages filled in as a Xen guest expects.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_GNTTAB_H
#define HW_XEN_GNTTAB_H

#include "qemu/error.h"
#include "hw/xen/interface/grant_table.h"
#include "hw/i386/kvm/xen_overlay.h"

/*
 * Frames of v1 entries (512 each).  Linux sizes its free list in pages
 * of 1024 references from the maximum and fails with fewer than two
 * frames; 16 leave room for PV devices' rings and buffers.  Each frame
 * the guest maps takes a KVM memory slot.
 */
#define XEN_GNTTAB_NR_FRAMES 16
#define XEN_GNTTAB_NR_ENTRIES \
    (XEN_GNTTAB_NR_FRAMES * XEN_PAGE_SIZE / sizeof(struct grant_entry_v1))

typedef struct XenGnttab XenGnttab;

/* A grant table whose frame can be mapped into kvm (NULL: no VM). */
XenGnttab *xen_gnttab_new(KVMState *kvm, Error **errp);
void xen_gnttab_free(XenGnttab *gt);

/*
 * Machine reset: every entry invalid, then ref 0 grants the console page
 * and ref 1 the XenStore page (their special PFNs) to DOMID_QEMU with
 * GTF_permit_access.  Backend mappings that outlive it hold nothing in
 * the new table (see xen_gnttab_generation()).
 */
void xen_gnttab_reset(XenGnttab *gt);

/*
 * Read entry ref as it is now (the guest writes the table; each field
 * is read once).  0, or -EINVAL for a ref beyond the table.
 */
int xen_gnttab_get_entry(XenGnttab *gt, grant_ref_t ref,
                         struct grant_entry_v1 *entry);

/*
 * Place frame idx of the table at guest-physical gpa, as the guest asks
 * with XENMEM_add_to_physmap (XENMAPSPACE_grant_table); a frame already
 * placed moves.  idx beyond the table is an error.
 */
bool xen_gnttab_map_frame(XenGnttab *gt, unsigned int idx, uint64_t gpa,
                          Error **errp);
/* The frame's overlay page (its address, its bytes). */
XenOverlayPage *xen_gnttab_frame(XenGnttab *gt, unsigned int idx);

/*
 * For the backend grant operations (xen_gnttab_backend.c), which set
 * and clear GTF_reading/GTF_writing in the guest's entries.
 *
 * The entry's address, for atomic access to guest memory (NULL for a
 * ref beyond the table).  The guest writes it at any time.
 */
struct grant_entry_v1 *xen_gnttab_entry_ptr(XenGnttab *gt, grant_ref_t ref);

/*
 * How many backend mappings (and of them, writable ones) hold each
 * reference: the status bits clear only when the last one goes.  Read
 * and changed only under xen_gnttab_lock(), which reset takes too.
 */
typedef struct XenGrantPin {
    uint32_t users;
    uint32_t writers;
} XenGrantPin;
void xen_gnttab_lock(XenGnttab *gt);
void xen_gnttab_unlock(XenGnttab *gt);
XenGrantPin *xen_gnttab_pin(XenGnttab *gt, grant_ref_t ref);

/*
 * Bumped by every reset, which zeroes the pins with the entries: a
 * mapping taken before a reset must not unpin (and clear bits in) the
 * new table.  Under xen_gnttab_lock().
 */
uint64_t xen_gnttab_generation(XenGnttab *gt);

#endif
