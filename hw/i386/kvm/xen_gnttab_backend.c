/*
 * Grant map, unmap and copy for the VMM's PV backends, on the emulated
 * v1 grant table.  The guest owns the entries and may rewrite them at
 * any moment, so an entry is taken the way Xen takes it: a
 * compare-and-swap on its flags sets GTF_reading (and GTF_writing) only
 * if the flags still grant access, and the frame is read only after
 * that, when the guest has agreed not to change the entry until the
 * bits clear (gnttab_end_foreign_access() in a guest checks them).
 * A guest that breaks that rule (clears the bits, rewrites the entry)
 * only hurts itself: the pages handed out stay inside its RAM, and the
 * pin counts, not the guest's bits, decide when bits are cleared.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/i386/kvm/xen_gnttab.h"
#include "hw/xen/xen_gnttab_backend.h"
#include "trace.h"

struct XenGrantMap {
    XenGnttab *gt;
    /* The table's generation when mapped: after a reset, only free. */
    uint64_t generation;
    bool writable;
    unsigned count;
    grant_ref_t refs[];
};

static struct {
    XenGnttab *gt;
    XenGuestRamFn *ram;
    void *opaque;
} backend;

void xen_gnttab_set_backend(XenGnttab *gt, XenGuestRamFn *ram, void *opaque)
{
    backend.gt = gt;
    backend.ram = ram;
    backend.opaque = opaque;
}

XenGnttab *xen_gnttab_backend(void)
{
    return backend.gt;
}

/*
 * Drop one hold on ref; the last mapping (or last writable one) clears
 * its bit in the guest's entry.  Under the table's lock.
 */
static void gnttab_unpin(XenGnttab *gt, grant_ref_t ref, bool writable)
{
    struct grant_entry_v1 *e = xen_gnttab_entry_ptr(gt, ref);
    XenGrantPin *pin = xen_gnttab_pin(gt, ref);

    g_assert(pin->users > 0);
    /*
     * The atomic and is a full barrier: our accesses to the page are
     * done before the guest can see it released.
     */
    if (writable) {
        g_assert(pin->writers > 0);
        if (--pin->writers == 0) {
            qatomic_fetch_and(&e->flags, (uint16_t)~GTF_writing);
        }
    }
    if (--pin->users == 0) {
        qatomic_fetch_and(&e->flags, (uint16_t)~GTF_reading);
    }
}

/*
 * Take one hold on ref for access by granted_to, setting the guest's
 * status bits, and find its page.  0 and *page, or -errno with *why.
 * Under the table's lock.
 */
static int gnttab_pin(XenGnttab *gt, domid_t granted_to, grant_ref_t ref,
                      bool writable, void **page, const char **why)
{
    struct grant_entry_v1 *e = xen_gnttab_entry_ptr(gt, ref);
    XenGrantPin *pin;
    uint16_t flags, want;
    uint64_t gpa;

    if (!e) {
        *why = "beyond the grant table";
        return -EINVAL;
    }
    flags = qatomic_read(&e->flags);
    for (;;) {
        uint16_t seen;

        /* domid after flags: at least as new as the flags we check. */
        smp_rmb();
        if ((flags & GTF_type_mask) != GTF_permit_access) {
            *why = "not a grant of access";
            return -EPERM;
        }
        if (qatomic_read(&e->domid) != granted_to) {
            *why = "granted to another domain";
            return -EPERM;
        }
        if (writable && (flags & GTF_readonly)) {
            *why = "granted read-only";
            return -EPERM;
        }
        want = flags | GTF_reading | (writable ? GTF_writing : 0);
        seen = qatomic_cmpxchg(&e->flags, flags, want);
        if (seen == flags) {
            break;
        }
        /* The guest changed the flags since we checked them: again. */
        flags = seen;
    }

    pin = xen_gnttab_pin(gt, ref);
    pin->users++;
    if (writable) {
        pin->writers++;
    }

    /*
     * Only now is the frame stable (the guest may not change an entry in
     * use); the CAS above is a full barrier, so this read follows it.
     */
    gpa = (uint64_t)qatomic_read(&e->frame) << XEN_PAGE_SHIFT;
    *page = backend.ram ? backend.ram(backend.opaque, gpa, XEN_PAGE_SIZE)
                        : NULL;
    if (!*page) {
        gnttab_unpin(gt, ref, writable);
        *why = "frame not in guest RAM";
        return -EFAULT;
    }
    return 0;
}

XenGrantMap *xen_gnttab_map(XenGnttab *gt, domid_t granted_to,
                            const grant_ref_t *refs, unsigned count,
                            bool writable, void **pages, Error **errp)
{
    XenGrantMap *map;
    unsigned i;

    if (count == 0 || count > XEN_GRANT_MAP_MAX) {
        error_setg(errp, "grant map of %u references (1 to %u)",
                   count, XEN_GRANT_MAP_MAX);
        return NULL;
    }
    map = g_malloc(sizeof(*map) + count * sizeof(map->refs[0]));
    map->gt = gt;
    map->writable = writable;
    map->count = count;

    xen_gnttab_lock(gt);
    map->generation = xen_gnttab_generation(gt);
    for (i = 0; i < count; i++) {
        const char *why;
        grant_ref_t ref = refs[i];
        int err = gnttab_pin(gt, granted_to, ref, writable, &pages[i], &why);

        trace_xen_gnttab_map(ref, writable, err);
        if (err) {
            /* Nothing mapped: the earlier refs go back as they were. */
            pages[i] = NULL;
            while (i-- > 0) {
                gnttab_unpin(gt, map->refs[i], writable);
                pages[i] = NULL;
            }
            xen_gnttab_unlock(gt);
            error_setg(errp, "grant reference %u: %s", ref, why);
            g_free(map);
            return NULL;
        }
        map->refs[i] = ref;
    }
    xen_gnttab_unlock(gt);
    return map;
}

void xen_gnttab_unmap(XenGnttab *gt, XenGrantMap *map)
{
    bool stale;

    if (!map) {
        return;
    }
    g_assert(map->gt == gt);
    xen_gnttab_lock(gt);
    /*
     * A reset since the map zeroed the pins and the entries; the refs
     * may now be the new guest's, held by nobody or by newer mappings.
     */
    stale = map->generation != xen_gnttab_generation(gt);
    for (unsigned i = 0; i < map->count; i++) {
        trace_xen_gnttab_unmap(map->refs[i], map->writable, stale);
        if (!stale) {
            gnttab_unpin(gt, map->refs[i], map->writable);
        }
    }
    xen_gnttab_unlock(gt);
    g_free(map);
}

int xen_gnttab_copy(XenGnttab *gt, domid_t granted_to, bool to_guest,
                    const XenGrantCopySeg *segs, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        const XenGrantCopySeg *s = &segs[i];
        const char *why;
        uint8_t *page;
        int err;

        if (s->len == 0 || s->offset + s->len > XEN_PAGE_SIZE) {
            trace_xen_gnttab_copy(s->ref, to_guest, s->offset, s->len,
                                  -EINVAL);
            return -EINVAL;
        }
        /*
         * Held for the copy like a mapping, so the guest sees the page
         * in use and the frame cannot move under the memcpy.
         */
        xen_gnttab_lock(gt);
        err = gnttab_pin(gt, granted_to, s->ref, to_guest, (void **)&page,
                         &why);
        if (!err) {
            if (to_guest) {
                memcpy(page + s->offset, s->host, s->len);
            } else {
                memcpy(s->host, page + s->offset, s->len);
            }
            gnttab_unpin(gt, s->ref, to_guest);
        }
        xen_gnttab_unlock(gt);
        trace_xen_gnttab_copy(s->ref, to_guest, s->offset, s->len, err);
        if (err) {
            return err;
        }
    }
    return 0;
}
