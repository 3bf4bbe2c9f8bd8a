/*
 * Tests of the backends' grant operations on a grant table without a
 * VM: the test writes entries into the table's frames as a guest would,
 * and a 64 KiB buffer stands for guest RAM at guest-physical 0.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/i386/kvm/xen_gnttab.h"
#include "hw/xen/xen_gnttab_backend.h"

#define RAM_SIZE (64 * 1024)
#define RAM_FRAMES (RAM_SIZE / XEN_PAGE_SIZE)
#define OTHER_DOMID 7

static uint8_t *ram;

static void *fake_ram(void *opaque, uint64_t gpa, uint64_t len)
{
    g_assert(opaque == &ram);
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa) {
        return NULL;
    }
    return ram + gpa;
}

/* The entries as the guest sees them (refs in frame 0). */
static struct grant_entry_v1 *entries(XenGnttab *gt)
{
    return xen_overlay_page_ptr(xen_gnttab_frame(gt, 0));
}

static void grant(XenGnttab *gt, grant_ref_t ref, domid_t domid,
                  uint32_t frame, uint16_t flags)
{
    struct grant_entry_v1 *e = &entries(gt)[ref];

    e->domid = domid;
    e->frame = frame;
    e->flags = flags;
}

static uint16_t flags_of(XenGnttab *gt, grant_ref_t ref)
{
    return qatomic_read(&entries(gt)[ref].flags);
}

static XenGnttab *setup(void)
{
    XenGnttab *gt = xen_gnttab_new(NULL, &error_abort);

    xen_gnttab_set_backend(gt, fake_ram, &ram);
    g_assert_true(xen_gnttab_backend() == gt);
    ram = g_malloc0(RAM_SIZE);
    for (unsigned i = 0; i < RAM_SIZE; i++) {
        ram[i] = i * 7 + i / XEN_PAGE_SIZE;
    }
    return gt;
}

static void teardown(XenGnttab *gt)
{
    xen_gnttab_set_backend(NULL, NULL, NULL);
    xen_gnttab_free(gt);
    g_free(ram);
    ram = NULL;
}

static void test_backend_registration(void)
{
    XenGnttab *gt;

    g_assert_null(xen_gnttab_backend());
    gt = setup();
    g_assert_true(xen_gnttab_backend() == gt);
    teardown(gt);
    g_assert_null(xen_gnttab_backend());
}

static void test_map_readonly(void)
{
    XenGnttab *gt = setup();
    grant_ref_t refs[] = { 8, 9 };
    void *pages[2];
    XenGrantMap *map;

    grant(gt, 8, DOMID_QEMU, 3, GTF_permit_access | GTF_readonly);
    grant(gt, 9, DOMID_QEMU, 5, GTF_permit_access);
    map = xen_gnttab_map(gt, DOMID_QEMU, refs, 2, false, pages,
                         &error_abort);
    g_assert_nonnull(map);
    g_assert_true(pages[0] == ram + 3 * XEN_PAGE_SIZE);
    g_assert_true(pages[1] == ram + 5 * XEN_PAGE_SIZE);
    g_assert_cmphex(flags_of(gt, 8), ==,
                    GTF_permit_access | GTF_readonly | GTF_reading);
    g_assert_cmphex(flags_of(gt, 9), ==, GTF_permit_access | GTF_reading);
    xen_gnttab_unmap(gt, map);
    g_assert_cmphex(flags_of(gt, 8), ==, GTF_permit_access | GTF_readonly);
    g_assert_cmphex(flags_of(gt, 9), ==, GTF_permit_access);
    xen_gnttab_unmap(gt, NULL);
    teardown(gt);
}

static void test_map_writable(void)
{
    XenGnttab *gt = setup();
    grant_ref_t ref = 10;
    void *page;
    XenGrantMap *map;

    grant(gt, ref, DOMID_QEMU, 15, GTF_permit_access);
    map = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, true, &page, &error_abort);
    g_assert_true(page == ram + 15 * XEN_PAGE_SIZE);
    g_assert_cmphex(flags_of(gt, ref), ==,
                    GTF_permit_access | GTF_reading | GTF_writing);
    memset(page, 0x5a, XEN_PAGE_SIZE);
    g_assert_cmpuint(ram[RAM_SIZE - 1], ==, 0x5a);
    xen_gnttab_unmap(gt, map);
    g_assert_cmphex(flags_of(gt, ref), ==, GTF_permit_access);
    teardown(gt);
}

/* Each mapping holds the ref; the bits go with the last of each kind. */
static void test_two_mappings(void)
{
    XenGnttab *gt = setup();
    grant_ref_t ref = 11;
    void *p1, *p2, *p3;
    XenGrantMap *ro1, *rw, *ro2;

    grant(gt, ref, DOMID_QEMU, 2, GTF_permit_access);
    ro1 = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, false, &p1, &error_abort);
    rw = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, true, &p2, &error_abort);
    ro2 = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, false, &p3, &error_abort);
    g_assert_true(p1 == p2 && p2 == p3);
    g_assert_cmphex(flags_of(gt, ref), ==,
                    GTF_permit_access | GTF_reading | GTF_writing);
    xen_gnttab_unmap(gt, ro1);
    g_assert_cmphex(flags_of(gt, ref), ==,
                    GTF_permit_access | GTF_reading | GTF_writing);
    xen_gnttab_unmap(gt, rw);
    g_assert_cmphex(flags_of(gt, ref), ==, GTF_permit_access | GTF_reading);
    xen_gnttab_unmap(gt, ro2);
    g_assert_cmphex(flags_of(gt, ref), ==, GTF_permit_access);

    /* The same ref twice in one call holds it twice. */
    {
        grant_ref_t twice[] = { ref, ref };
        void *pages[2];
        XenGrantMap *a, *b;

        a = xen_gnttab_map(gt, DOMID_QEMU, twice, 2, true, pages,
                           &error_abort);
        b = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, true, pages,
                           &error_abort);
        xen_gnttab_unmap(gt, a);
        g_assert_cmphex(flags_of(gt, ref), ==,
                        GTF_permit_access | GTF_reading | GTF_writing);
        xen_gnttab_unmap(gt, b);
        g_assert_cmphex(flags_of(gt, ref), ==, GTF_permit_access);
    }
    teardown(gt);
}

/* Map one ref expecting failure; the entry's flags must be unchanged. */
static void map_refused(XenGnttab *gt, grant_ref_t ref, bool writable,
                        const char *reason)
{
    g_autoptr(Error) err = NULL;
    uint16_t before = ref < 512 ? flags_of(gt, ref) : 0;
    void *page = (void *)1;

    g_assert_null(xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, writable, &page,
                                 &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), reason));
    {
        g_autofree char *name = g_strdup_printf("%u", ref);
        g_assert_nonnull(strstr(error_get_pretty(err), name));
    }
    if (ref < 512) {
        g_assert_cmphex(flags_of(gt, ref), ==, before);
    }
}

static void test_map_refusals(void)
{
    XenGnttab *gt = setup();

    grant(gt, 12, DOMID_QEMU, 1, GTF_permit_access | GTF_readonly);
    map_refused(gt, 12, true, "read-only");
    grant(gt, 13, OTHER_DOMID, 1, GTF_permit_access);
    map_refused(gt, 13, false, "another domain");
    grant(gt, 14, DOMID_QEMU, 1, GTF_invalid);
    map_refused(gt, 14, false, "not a grant");
    grant(gt, 15, DOMID_QEMU, 1, GTF_accept_transfer);
    map_refused(gt, 15, false, "not a grant");
    map_refused(gt, XEN_GNTTAB_NR_ENTRIES, false, "beyond");
    map_refused(gt, UINT32_MAX, false, "beyond");
    grant(gt, 16, DOMID_QEMU, RAM_FRAMES, GTF_permit_access);
    map_refused(gt, 16, true, "not in guest RAM");
    grant(gt, 17, DOMID_QEMU, UINT32_MAX, GTF_permit_access);
    map_refused(gt, 17, false, "not in guest RAM");
    /* The reserved entries name pages outside this RAM too. */
    map_refused(gt, GNTTAB_RESERVED_XENSTORE, false, "not in guest RAM");
    teardown(gt);
}

/* The guest ends access (clears the flags) before the backend maps. */
static void test_revoked_before_map(void)
{
    XenGnttab *gt = setup();

    grant(gt, 20, DOMID_QEMU, 4, GTF_permit_access);
    qatomic_set(&entries(gt)[20].flags, 0);
    map_refused(gt, 20, false, "not a grant");
    g_assert_cmphex(flags_of(gt, 20), ==, 0);
    teardown(gt);
}

static void test_failure_midway_undoes(void)
{
    XenGnttab *gt = setup();
    grant_ref_t refs[] = { 21, 22, 23, 24 };
    g_autoptr(Error) err = NULL;
    void *pages[4];
    void *held;
    XenGrantMap *map;

    grant(gt, 21, DOMID_QEMU, 1, GTF_permit_access);
    grant(gt, 22, DOMID_QEMU, 2, GTF_permit_access);
    grant(gt, 23, OTHER_DOMID, 3, GTF_permit_access);
    grant(gt, 24, DOMID_QEMU, 4, GTF_permit_access);
    /* 22 is already held read-only by another mapping: it stays held. */
    map = xen_gnttab_map(gt, DOMID_QEMU, &refs[1], 1, false, &held,
                         &error_abort);
    memset(pages, 0x11, sizeof(pages));
    g_assert_null(xen_gnttab_map(gt, DOMID_QEMU, refs, 4, true, pages,
                                 &err));
    g_assert_null(pages[0]);
    g_assert_null(pages[2]);
    g_assert_nonnull(strstr(error_get_pretty(err), "23"));
    g_assert_cmphex(flags_of(gt, 21), ==, GTF_permit_access);
    g_assert_cmphex(flags_of(gt, 22), ==, GTF_permit_access | GTF_reading);
    g_assert_cmphex(flags_of(gt, 23), ==, GTF_permit_access);
    g_assert_cmphex(flags_of(gt, 24), ==, GTF_permit_access);
    xen_gnttab_unmap(gt, map);
    g_assert_cmphex(flags_of(gt, 22), ==, GTF_permit_access);

    /* A frame outside RAM as the last ref undoes the rest too. */
    grant(gt, 23, DOMID_QEMU, RAM_FRAMES + 1, GTF_permit_access);
    error_free(err);
    err = NULL;
    g_assert_null(xen_gnttab_map(gt, DOMID_QEMU, refs, 3, false, pages,
                                 &err));
    g_assert_nonnull(err);
    for (grant_ref_t r = 21; r <= 24; r++) {
        g_assert_cmphex(flags_of(gt, r), ==, GTF_permit_access);
    }
    teardown(gt);
}

static void test_map_counts(void)
{
    XenGnttab *gt = setup();
    grant_ref_t refs[XEN_GRANT_MAP_MAX + 1];
    void *pages[XEN_GRANT_MAP_MAX + 1];
    g_autoptr(Error) err = NULL;
    XenGrantMap *map;

    for (unsigned i = 0; i <= XEN_GRANT_MAP_MAX; i++) {
        refs[i] = 100 + i;
        grant(gt, refs[i], DOMID_QEMU, i % RAM_FRAMES, GTF_permit_access);
    }
    g_assert_null(xen_gnttab_map(gt, DOMID_QEMU, refs, 0, false, pages,
                                 &err));
    error_free_or_abort(&err);
    g_assert_null(xen_gnttab_map(gt, DOMID_QEMU, refs,
                                 XEN_GRANT_MAP_MAX + 1, false, pages, &err));
    error_free_or_abort(&err);
    g_assert_cmphex(flags_of(gt, 100), ==, GTF_permit_access);

    map = xen_gnttab_map(gt, DOMID_QEMU, refs, XEN_GRANT_MAP_MAX, false,
                         pages, &error_abort);
    g_assert_cmphex(flags_of(gt, 100 + XEN_GRANT_MAP_MAX - 1), ==,
                    GTF_permit_access | GTF_reading);
    g_assert_cmphex(flags_of(gt, 100 + XEN_GRANT_MAP_MAX), ==,
                    GTF_permit_access);
    xen_gnttab_unmap(gt, map);
    g_assert_cmphex(flags_of(gt, 100 + XEN_GRANT_MAP_MAX - 1), ==,
                    GTF_permit_access);
    teardown(gt);
}

static void test_copy(void)
{
    XenGnttab *gt = setup();
    uint8_t out[100], in[300];
    XenGrantCopySeg segs[2];

    grant(gt, 30, DOMID_QEMU, 6, GTF_permit_access);
    grant(gt, 31, DOMID_QEMU, 7, GTF_permit_access | GTF_readonly);

    /* From the guest, at offsets, read-only grants will do. */
    segs[0] = (XenGrantCopySeg){ .ref = 30, .offset = 10, .len = 200,
                                 .host = in };
    segs[1] = (XenGrantCopySeg){ .ref = 31, .offset = XEN_PAGE_SIZE - 100,
                                 .len = 100, .host = in + 200 };
    g_assert_cmpint(xen_gnttab_copy(gt, DOMID_QEMU, false, segs, 2), ==, 0);
    g_assert_cmpmem(in, 200, ram + 6 * XEN_PAGE_SIZE + 10, 200);
    g_assert_cmpmem(in + 200, 100, ram + 8 * XEN_PAGE_SIZE - 100, 100);
    g_assert_cmphex(flags_of(gt, 30), ==, GTF_permit_access);
    g_assert_cmphex(flags_of(gt, 31), ==, GTF_permit_access | GTF_readonly);

    /* To the guest. */
    memset(out, 0xc3, sizeof(out));
    segs[0] = (XenGrantCopySeg){ .ref = 30, .offset = XEN_PAGE_SIZE - 100,
                                 .len = 100, .host = out };
    g_assert_cmpint(xen_gnttab_copy(gt, DOMID_QEMU, true, segs, 1), ==, 0);
    for (unsigned i = 0; i < 100; i++) {
        g_assert_cmpuint(ram[7 * XEN_PAGE_SIZE - 100 + i], ==, 0xc3);
    }
    g_assert_cmpuint(ram[7 * XEN_PAGE_SIZE - 101], !=, 0xc3);
    g_assert_cmphex(flags_of(gt, 30), ==, GTF_permit_access);

    /* A held ref stays held across a copy of it. */
    {
        grant_ref_t ref = 30;
        void *page;
        XenGrantMap *map = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, false,
                                          &page, &error_abort);

        g_assert_cmpint(xen_gnttab_copy(gt, DOMID_QEMU, true, segs, 1),
                        ==, 0);
        g_assert_cmphex(flags_of(gt, 30), ==,
                        GTF_permit_access | GTF_reading);
        xen_gnttab_unmap(gt, map);
    }
    teardown(gt);
}

static int copy_one(XenGnttab *gt, grant_ref_t ref, unsigned offset,
                    unsigned len, bool to_guest)
{
    static uint8_t buf[XEN_PAGE_SIZE];
    XenGrantCopySeg seg = { .ref = ref, .offset = offset, .len = len,
                            .host = buf };

    return xen_gnttab_copy(gt, DOMID_QEMU, to_guest, &seg, 1);
}

static void test_copy_errors(void)
{
    XenGnttab *gt = setup();
    uint8_t before[XEN_PAGE_SIZE], buf[16] = { 0xee };
    XenGrantCopySeg segs[2];

    grant(gt, 40, DOMID_QEMU, 9, GTF_permit_access);
    grant(gt, 41, DOMID_QEMU, 9, GTF_permit_access | GTF_readonly);
    grant(gt, 42, OTHER_DOMID, 9, GTF_permit_access);
    grant(gt, 43, DOMID_QEMU, RAM_FRAMES, GTF_permit_access);
    memcpy(before, ram + 9 * XEN_PAGE_SIZE, XEN_PAGE_SIZE);

    g_assert_cmpint(copy_one(gt, 40, 0, 0, true), ==, -EINVAL);
    g_assert_cmpint(copy_one(gt, 40, XEN_PAGE_SIZE - 1, 2, true), ==,
                    -EINVAL);
    g_assert_cmpint(copy_one(gt, 40, XEN_PAGE_SIZE, 1, false), ==, -EINVAL);
    g_assert_cmpint(copy_one(gt, XEN_GNTTAB_NR_ENTRIES, 0, 1, false), ==,
                    -EINVAL);
    g_assert_cmpint(copy_one(gt, 41, 0, 1, true), ==, -EPERM);
    g_assert_cmpint(copy_one(gt, 41, 0, 1, false), ==, 0);
    g_assert_cmpint(copy_one(gt, 42, 0, 1, false), ==, -EPERM);
    g_assert_cmpint(copy_one(gt, 44, 0, 1, false), ==, -EPERM);
    g_assert_cmpint(copy_one(gt, 43, 0, 1, false), ==, -EFAULT);
    g_assert_cmpint(copy_one(gt, 43, 0, 1, true), ==, -EFAULT);
    g_assert_cmpmem(ram + 9 * XEN_PAGE_SIZE, XEN_PAGE_SIZE, before,
                    XEN_PAGE_SIZE);
    for (grant_ref_t r = 40; r <= 43; r++) {
        g_assert_cmphex(flags_of(gt, r) & (GTF_reading | GTF_writing), ==, 0);
    }

    /* The first failure stops the copy; earlier segments are done. */
    segs[0] = (XenGrantCopySeg){ .ref = 40, .offset = 0, .len = 16,
                                 .host = buf };
    segs[1] = (XenGrantCopySeg){ .ref = 41, .offset = 0, .len = 16,
                                 .host = buf };
    g_assert_cmpint(xen_gnttab_copy(gt, DOMID_QEMU, true, segs, 2), ==,
                    -EPERM);
    g_assert_cmpmem(ram + 9 * XEN_PAGE_SIZE, 16, buf, 16);
    teardown(gt);
}

/* A mapping that outlives a reset holds nothing in the new table. */
static void test_reset_forgets_pins(void)
{
    XenGnttab *gt = setup();
    grant_ref_t ref = 50;
    void *page;
    XenGrantMap *old, *new;

    grant(gt, ref, DOMID_QEMU, 1, GTF_permit_access);
    old = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, true, &page, &error_abort);
    xen_gnttab_reset(gt);
    g_assert_cmphex(flags_of(gt, ref), ==, 0);

    /* The new guest grants the same ref; a new backend maps it. */
    grant(gt, ref, DOMID_QEMU, 2, GTF_permit_access);
    new = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, true, &page, &error_abort);
    g_assert_cmphex(flags_of(gt, ref), ==,
                    GTF_permit_access | GTF_reading | GTF_writing);
    xen_gnttab_unmap(gt, old);
    g_assert_cmphex(flags_of(gt, ref), ==,
                    GTF_permit_access | GTF_reading | GTF_writing);
    xen_gnttab_unmap(gt, new);
    g_assert_cmphex(flags_of(gt, ref), ==, GTF_permit_access);

    /* Unmapped after a reset with nobody holding the ref: untouched. */
    old = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, false, &page,
                         &error_abort);
    xen_gnttab_reset(gt);
    grant(gt, ref, DOMID_QEMU, 2,
          GTF_permit_access | GTF_reading | GTF_writing);
    xen_gnttab_unmap(gt, old);
    g_assert_cmphex(flags_of(gt, ref), ==,
                    GTF_permit_access | GTF_reading | GTF_writing);
    teardown(gt);
}

/*
 * A guest thread ends and renews access to one ref as Linux does: it
 * revokes only when no status bit is set (a compare-and-swap from bare
 * GTF_permit_access to 0), then grants the ref again for another frame.
 * Every mapping the backend gets must be of the frame the entry names
 * while it is mapped, and the entry must stay granted until unmapped.
 */
#define RACE_REF 60
#define RACE_FRAME_A 3
#define RACE_FRAME_B 14

static bool race_stop;

static gpointer guest_regranter(gpointer opaque)
{
    struct grant_entry_v1 *e = opaque;
    uint32_t frame = RACE_FRAME_A;

    while (!qatomic_read(&race_stop)) {
        if (qatomic_cmpxchg(&e->flags, GTF_permit_access, 0) ==
            GTF_permit_access) {
            frame = frame == RACE_FRAME_A ? RACE_FRAME_B : RACE_FRAME_A;
            qatomic_set(&e->frame, frame);
            smp_wmb();
            qatomic_set(&e->flags, GTF_permit_access);
        }
    }
    return NULL;
}

static void test_race_with_revocation(void)
{
    XenGnttab *gt = setup();
    struct grant_entry_v1 *e = &entries(gt)[RACE_REF];
    grant_ref_t ref = RACE_REF;
    unsigned mapped = 0;
    GThread *guest;

    grant(gt, ref, DOMID_QEMU, RACE_FRAME_A, GTF_permit_access);
    qatomic_set(&race_stop, false);
    guest = g_thread_new("guest", guest_regranter, e);
    /* Enough mappings to meet the guest's window, within a time bound. */
    for (unsigned i = 0; mapped < 200000 && i < 20000000; i++) {
        g_autoptr(Error) err = NULL;
        void *page;
        XenGrantMap *map = xen_gnttab_map(gt, DOMID_QEMU, &ref, 1, i & 1,
                                          &page, &err);
        uint32_t frame;

        if (!map) {
            g_assert_nonnull(strstr(error_get_pretty(err), "not a grant"));
            continue;
        }
        mapped++;
        g_assert_cmphex(qatomic_read(&e->flags) & (GTF_type_mask |
                                                   GTF_reading), ==,
                        GTF_permit_access | GTF_reading);
        frame = qatomic_read(&e->frame);
        g_assert_true(frame == RACE_FRAME_A || frame == RACE_FRAME_B);
        g_assert_true(page == ram + frame * XEN_PAGE_SIZE);
        xen_gnttab_unmap(gt, map);
    }
    qatomic_set(&race_stop, true);
    g_thread_join(guest);
    g_assert_cmpuint(mapped, >, 0);
    g_assert_cmphex(flags_of(gt, ref) & (GTF_reading | GTF_writing), ==, 0);
    teardown(gt);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-gnttab-backend/registration",
                    test_backend_registration);
    g_test_add_func("/xen-gnttab-backend/map-readonly", test_map_readonly);
    g_test_add_func("/xen-gnttab-backend/map-writable", test_map_writable);
    g_test_add_func("/xen-gnttab-backend/two-mappings", test_two_mappings);
    g_test_add_func("/xen-gnttab-backend/refusals", test_map_refusals);
    g_test_add_func("/xen-gnttab-backend/revoked-before-map",
                    test_revoked_before_map);
    g_test_add_func("/xen-gnttab-backend/failure-midway",
                    test_failure_midway_undoes);
    g_test_add_func("/xen-gnttab-backend/counts", test_map_counts);
    g_test_add_func("/xen-gnttab-backend/copy", test_copy);
    g_test_add_func("/xen-gnttab-backend/copy-errors", test_copy_errors);
    g_test_add_func("/xen-gnttab-backend/reset-forgets-pins",
                    test_reset_forgets_pins);
    g_test_add_func("/xen-gnttab-backend/race-with-revocation",
                    test_race_with_revocation);
    return g_test_run();
}
