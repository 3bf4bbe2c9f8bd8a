/*
 * Grant operations for the VMM's PV backends: map a guest's granted
 * pages (v1 entries of the emulated grant table), unmap them, and copy
 * to or from granted pages.  Guest RAM is already mapped in the VMM, so
 * a mapping is a checked pointer into it.  Every check failing is an
 * error for that call only: the table and other mappings are untouched.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_GNTTAB_BACKEND_H
#define HW_XEN_GNTTAB_BACKEND_H

#include "qemu/error.h"
#include "hw/xen/interface/grant_table.h"

typedef struct XenGnttab XenGnttab;

/* Host address of guest-physical [gpa, gpa + len) in RAM, or NULL. */
typedef void *XenGuestRamFn(void *opaque, uint64_t gpa, uint64_t len);

/*
 * The process's grant table for backends (set by the machine after
 * xen_gnttab_new(); NULL: none), and the guest RAM its frames name.
 */
void xen_gnttab_set_backend(XenGnttab *gt, XenGuestRamFn *ram, void *opaque);
XenGnttab *xen_gnttab_backend(void);

typedef struct XenGrantMap XenGrantMap;

/*
 * Map count (1 .. XEN_GRANT_MAP_MAX) references the guest granted to
 * domain granted_to (backends in the VMM are DOMID_QEMU, 0).  Each entry
 * must have GTF_permit_access, that domid, not GTF_readonly if writable,
 * and a frame in guest RAM.  While mapped the entries carry GTF_reading
 * (and GTF_writing if writable), set atomically against the guest
 * revoking them; xen_gnttab_unmap() clears them when the last mapping
 * of a reference goes.  pages[i] gets the host address of ref i's page.
 * NULL with errp set (nothing mapped) on any failure.
 */
#define XEN_GRANT_MAP_MAX 256
XenGrantMap *xen_gnttab_map(XenGnttab *gt, domid_t granted_to,
                            const grant_ref_t *refs, unsigned count,
                            bool writable, void **pages, Error **errp);
/*
 * NULL is a no-op.  A map taken before a xen_gnttab_reset() is only
 * freed: the reset forgot its holds, and the entries now belong to the
 * rebooted guest.
 */
void xen_gnttab_unmap(XenGnttab *gt, XenGrantMap *map);

/* One piece of a copy: len bytes at offset in ref's page. */
typedef struct XenGrantCopySeg {
    grant_ref_t ref;
    uint16_t offset;
    uint16_t len;           /* offset + len <= XEN_PAGE_SIZE */
    void *host;             /* the VMM's side */
} XenGrantCopySeg;

/*
 * Copy each segment between the VMM and the guest's granted page (to the
 * guest when to_guest, which needs the grant writable), checking each
 * entry as xen_gnttab_map() does.  0, or the first failing segment's
 * negative errno (earlier segments are done).
 */
int xen_gnttab_copy(XenGnttab *gt, domid_t granted_to, bool to_guest,
                    const XenGrantCopySeg *segs, unsigned count);

#endif
