/*
 * Tests of overlay pages and the grant table without a VM: the page
 * works through its pointer and keeps its placement; the grant table
 * shows the reserved entries as a guest reads them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "hw/xen/special_pages.h"
#include "hw/i386/kvm/xen_overlay.h"
#include "hw/i386/kvm/xen_gnttab.h"

static void test_special_page_numbers(void)
{
    g_assert_cmphex(XEN_SPECIAL_AREA_ADDR, ==, 0xfeff8000);
    g_assert_cmphex(XEN_CONSOLE_PFN, ==, 0xfeff8);
    g_assert_cmphex(XEN_XENSTORE_PFN, ==, 0xfeff9);
    /* Guest RAM ends where the special area starts. */
    g_assert_cmphex(KVM_RAM_LIMIT, ==, XEN_SPECIAL_AREA_ADDR);
    g_assert_cmphex(XEN_SPECIAL_AREA_ADDR + XEN_SPECIAL_AREA_SIZE, ==,
                    0xff000000);
}

static void test_page_without_vm(void)
{
    g_autoptr(Error) err = NULL;
    XenOverlayPage *page = xen_overlay_page_new(NULL, "store", &error_abort);
    uint8_t *p = xen_overlay_page_ptr(page);

    for (unsigned i = 0; i < XEN_PAGE_SIZE; i++) {
        g_assert_cmpuint(p[i], ==, 0);
    }
    memset(p, 0xa5, XEN_PAGE_SIZE);
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, XEN_OVERLAY_UNMAPPED);

    /* Placed, but in no VM. */
    g_assert_true(xen_overlay_map_page(page, XEN_XENSTORE_PFN << 12,
                                       &error_abort));
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, 0xfeff9000);
    g_assert_false(xen_overlay_page_in_vm(page));
    g_assert_true(xen_overlay_map_page(page, 0xfeff9000, &error_abort));
    g_assert_true(xen_overlay_map_page(page, 0xfeff8000, &error_abort));
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, 0xfeff8000);

    /* Bad addresses are refused and change nothing. */
    g_assert_false(xen_overlay_map_page(page, 0xfeff9001, &err));
    error_free_or_abort(&err);
    g_assert_false(xen_overlay_map_page(page, 1ULL << 52, &err));
    error_free_or_abort(&err);
    g_assert_false(xen_overlay_map_page(page, UINT64_MAX & ~0xfffULL, &err));
    error_free_or_abort(&err);
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, 0xfeff8000);

    xen_overlay_unmap_page(page);
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, XEN_OVERLAY_UNMAPPED);
    xen_overlay_unmap_page(page);
    /* The content outlives placement. */
    g_assert_cmpuint(p[0], ==, 0xa5);
    g_assert_cmpuint(p[XEN_PAGE_SIZE - 1], ==, 0xa5);
    xen_overlay_page_free(page);
    xen_overlay_page_free(NULL);
}

static void test_pages_are_distinct(void)
{
    XenOverlayPage *a = xen_overlay_page_new(NULL, "a", &error_abort);
    XenOverlayPage *b = xen_overlay_page_new(NULL, "b", &error_abort);

    ((uint8_t *)xen_overlay_page_ptr(a))[10] = 1;
    g_assert_cmpuint(((uint8_t *)xen_overlay_page_ptr(b))[10], ==, 0);
    xen_overlay_page_free(a);
    xen_overlay_page_free(b);
}

/* Entry ref as raw little-endian bytes of the frame. */
static void raw_entry(XenGnttab *gt, unsigned ref, uint16_t *flags,
                      uint16_t *domid, uint32_t *frame)
{
    const uint8_t *p = xen_overlay_page_ptr(xen_gnttab_frame(gt, 0));

    p += ref * 8;
    *flags = p[0] | p[1] << 8;
    *domid = p[2] | p[3] << 8;
    *frame = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
}

static void test_gnttab_reserved_entries(void)
{
    XenGnttab *gt = xen_gnttab_new(NULL, &error_abort);
    struct grant_entry_v1 e;
    uint16_t flags, domid;
    uint32_t frame;

    g_assert_cmpuint(XEN_GNTTAB_NR_ENTRIES, ==, 16 * 512);
    raw_entry(gt, GNTTAB_RESERVED_CONSOLE, &flags, &domid, &frame);
    g_assert_cmphex(flags, ==, GTF_permit_access);
    g_assert_cmpuint(domid, ==, DOMID_QEMU);
    g_assert_cmphex(frame, ==, 0xfeff8);
    raw_entry(gt, GNTTAB_RESERVED_XENSTORE, &flags, &domid, &frame);
    g_assert_cmphex(flags, ==, GTF_permit_access);
    g_assert_cmpuint(domid, ==, DOMID_QEMU);
    g_assert_cmphex(frame, ==, 0xfeff9);

    g_assert_cmpint(xen_gnttab_get_entry(gt, 1, &e), ==, 0);
    g_assert_cmphex(e.flags, ==, GTF_permit_access);
    g_assert_cmpuint(e.domid, ==, DOMID_QEMU);
    g_assert_cmphex(e.frame, ==, XEN_XENSTORE_PFN);
    /* Every other entry is invalid. */
    for (grant_ref_t ref = 2; ref < XEN_GNTTAB_NR_ENTRIES; ref++) {
        g_assert_cmpint(xen_gnttab_get_entry(gt, ref, &e), ==, 0);
        g_assert_cmphex(e.flags, ==, GTF_invalid);
    }
    g_assert_cmpint(xen_gnttab_get_entry(gt, XEN_GNTTAB_NR_ENTRIES, &e), ==,
                    -EINVAL);
    g_assert_cmpint(xen_gnttab_get_entry(gt, UINT32_MAX, &e), ==, -EINVAL);
    xen_gnttab_free(gt);
}

static void test_gnttab_guest_writes_and_reset(void)
{
    g_autoptr(Error) err = NULL;
    XenGnttab *gt = xen_gnttab_new(NULL, &error_abort);
    uint8_t *p = xen_overlay_page_ptr(xen_gnttab_frame(gt, 0));
    /* ref 9: read-only access for domain 0 to frame 0x1234 */
    const uint8_t entry[8] = { GTF_permit_access | GTF_readonly, 0, 0, 0,
                               0x34, 0x12, 0, 0 };
    struct grant_entry_v1 e;

    memcpy(p + 9 * 8, entry, sizeof(entry));
    memset(p + 0, 0xff, 16);            /* the guest scribbles on 0 and 1 */
    g_assert_cmpint(xen_gnttab_get_entry(gt, 9, &e), ==, 0);
    g_assert_cmphex(e.flags, ==, GTF_permit_access | GTF_readonly);
    g_assert_cmphex(e.frame, ==, 0x1234);

    xen_gnttab_reset(gt);
    g_assert_cmpint(xen_gnttab_get_entry(gt, 9, &e), ==, 0);
    g_assert_cmphex(e.flags, ==, GTF_invalid);
    g_assert_cmpint(xen_gnttab_get_entry(gt, 0, &e), ==, 0);
    g_assert_cmphex(e.frame, ==, XEN_CONSOLE_PFN);
    g_assert_cmpuint(e.domid, ==, DOMID_QEMU);

    /* Frames 0 .. NR_FRAMES - 1 exist; they can be placed and moved. */
    g_assert_true(xen_gnttab_map_frame(gt, 0, 0xfeffc000, &error_abort));
    g_assert_cmphex(xen_overlay_page_gpa(xen_gnttab_frame(gt, 0)), ==,
                    0xfeffc000);
    g_assert_true(xen_gnttab_map_frame(gt, XEN_GNTTAB_NR_FRAMES - 1,
                                       0xfeffd000, &error_abort));
    g_assert_false(xen_gnttab_map_frame(gt, XEN_GNTTAB_NR_FRAMES,
                                        0xfeffe000, &err));
    error_free_or_abort(&err);
    g_assert_false(xen_gnttab_map_frame(gt, 0, 0xfeffd008, &err));
    error_free_or_abort(&err);
    xen_gnttab_free(gt);
    xen_gnttab_free(NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    g_test_add_func("/xen-overlay/special-page-numbers",
                    test_special_page_numbers);
    g_test_add_func("/xen-overlay/page-without-vm", test_page_without_vm);
    g_test_add_func("/xen-overlay/pages-are-distinct",
                    test_pages_are_distinct);
    g_test_add_func("/xen-gnttab/reserved-entries",
                    test_gnttab_reserved_entries);
    g_test_add_func("/xen-gnttab/guest-writes-and-reset",
                    test_gnttab_guest_writes_and_reset);
    return g_test_run();
}
