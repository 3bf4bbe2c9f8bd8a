/*
 * Grant table v1 of the emulated guest: the entries live in overlay
 * pages that the guest maps and writes; the VMM fills in the reserved
 * ones and reads the rest.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/xen/special_pages.h"
#include "hw/i386/kvm/xen_overlay.h"
#include "hw/i386/kvm/xen_gnttab.h"
#include "trace.h"

QEMU_BUILD_BUG_ON(sizeof(struct grant_entry_v1) != 8);

struct XenGnttab {
    XenOverlayPage *frames[XEN_GNTTAB_NR_FRAMES];
    /* Backends may run outside the thread that resets the machine. */
    GMutex lock;
    XenGrantPin pins[XEN_GNTTAB_NR_ENTRIES];
    uint64_t generation;
};

static struct grant_entry_v1 *gnttab_entries(XenGnttab *gt, grant_ref_t ref)
{
    unsigned per_frame = XEN_PAGE_SIZE / sizeof(struct grant_entry_v1);
    struct grant_entry_v1 *frame;

    frame = xen_overlay_page_ptr(gt->frames[ref / per_frame]);
    return &frame[ref % per_frame];
}

XenGnttab *xen_gnttab_new(KVMState *kvm, Error **errp)
{
    XenGnttab *gt = g_new0(XenGnttab, 1);

    g_mutex_init(&gt->lock);
    for (unsigned i = 0; i < XEN_GNTTAB_NR_FRAMES; i++) {
        g_autofree char *name = g_strdup_printf("xen-gnttab-%u", i);

        gt->frames[i] = xen_overlay_page_new(kvm, name, errp);
        if (!gt->frames[i]) {
            xen_gnttab_free(gt);
            return NULL;
        }
    }
    xen_gnttab_reset(gt);
    return gt;
}

void xen_gnttab_free(XenGnttab *gt)
{
    if (!gt) {
        return;
    }
    for (unsigned i = 0; i < XEN_GNTTAB_NR_FRAMES; i++) {
        xen_overlay_page_free(gt->frames[i]);
    }
    g_mutex_clear(&gt->lock);
    g_free(gt);
}

/* Written field by field, little endian as the guest reads it (x86). */
static void gnttab_set_entry(XenGnttab *gt, grant_ref_t ref,
                             uint64_t pfn)
{
    struct grant_entry_v1 *e = gnttab_entries(gt, ref);

    qatomic_set(&e->domid, DOMID_QEMU);
    qatomic_set(&e->frame, (uint32_t)pfn);
    /* Flags last: the entry is valid only once it is complete. */
    smp_wmb();
    qatomic_set(&e->flags, GTF_permit_access);
}

void xen_gnttab_reset(XenGnttab *gt)
{
    trace_xen_gnttab_reset();
    g_mutex_lock(&gt->lock);
    /* The new table starts with nothing held by the old mappings. */
    gt->generation++;
    memset(gt->pins, 0, sizeof(gt->pins));
    for (unsigned i = 0; i < XEN_GNTTAB_NR_FRAMES; i++) {
        memset(xen_overlay_page_ptr(gt->frames[i]), 0, XEN_PAGE_SIZE);
    }
    gnttab_set_entry(gt, GNTTAB_RESERVED_CONSOLE, XEN_CONSOLE_PFN);
    gnttab_set_entry(gt, GNTTAB_RESERVED_XENSTORE, XEN_XENSTORE_PFN);
    g_mutex_unlock(&gt->lock);
}

int xen_gnttab_get_entry(XenGnttab *gt, grant_ref_t ref,
                         struct grant_entry_v1 *entry)
{
    struct grant_entry_v1 *e;

    if (ref >= XEN_GNTTAB_NR_ENTRIES) {
        trace_xen_gnttab_get_entry(ref, -EINVAL);
        return -EINVAL;
    }
    e = gnttab_entries(gt, ref);
    /* Guest memory: flags first, so the rest is at least as new. */
    entry->flags = qatomic_read(&e->flags);
    smp_rmb();
    entry->domid = qatomic_read(&e->domid);
    entry->frame = qatomic_read(&e->frame);
    trace_xen_gnttab_get_entry(ref, 0);
    return 0;
}

bool xen_gnttab_map_frame(XenGnttab *gt, unsigned int idx, uint64_t gpa,
                          Error **errp)
{
    if (idx >= XEN_GNTTAB_NR_FRAMES) {
        error_setg(errp, "grant table frame %u beyond the table's %u",
                   idx, XEN_GNTTAB_NR_FRAMES);
        return false;
    }
    trace_xen_gnttab_map_frame(idx, gpa);
    return xen_overlay_map_page(gt->frames[idx], gpa, errp);
}

XenOverlayPage *xen_gnttab_frame(XenGnttab *gt, unsigned int idx)
{
    g_assert(idx < XEN_GNTTAB_NR_FRAMES);
    return gt->frames[idx];
}

struct grant_entry_v1 *xen_gnttab_entry_ptr(XenGnttab *gt, grant_ref_t ref)
{
    return ref < XEN_GNTTAB_NR_ENTRIES ? gnttab_entries(gt, ref) : NULL;
}

void xen_gnttab_lock(XenGnttab *gt)
{
    g_mutex_lock(&gt->lock);
}

void xen_gnttab_unlock(XenGnttab *gt)
{
    g_mutex_unlock(&gt->lock);
}

XenGrantPin *xen_gnttab_pin(XenGnttab *gt, grant_ref_t ref)
{
    g_assert(ref < XEN_GNTTAB_NR_ENTRIES);
    return &gt->pins[ref];
}

uint64_t xen_gnttab_generation(XenGnttab *gt)
{
    return gt->generation;
}
