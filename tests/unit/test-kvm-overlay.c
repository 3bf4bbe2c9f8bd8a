/*
 * KVM tests (skipped where /dev/kvm is missing or cannot create a VM):
 * an overlay page at the XenStore PFN seen by a real vCPU both ways, the
 * ioeventfd doorbell, unmapping and moving the page, the grant table
 * frame, and the vCPU modes and exits.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "hw/xen/special_pages.h"
#include "hw/i386/kvm/xen_overlay.h"
#include "hw/i386/kvm/xen_gnttab.h"
#include "kvm-guest.h"

#define CODE_BASE   0x1000
#define DATA_ADDR   0x2000      /* a word of RAM the guest reports into */
#define DOORBELL    0xf0
#define SYNC_PORT   0xf1
#define STORE_GPA   (XEN_XENSTORE_PFN << XEN_PAGE_SHIFT)
#define CONSOLE_GPA (XEN_CONSOLE_PFN << XEN_PAGE_SHIFT)

/* A guest, or NULL after marking the test skipped. */
static KVMGuest *guest_or_skip(void)
{
    g_autoptr(Error) err = NULL;
    KVMGuest *g = kvm_guest_new(KVM_GUEST_RAM_SIZE, DOORBELL, &err);

    if (!g) {
        g_autofree char *msg = g_strdup_printf("KVM not usable here: %s",
                                               error_get_pretty(err));
        g_test_skip(msg);
    }
    return g;
}

static uint32_t *page_words(XenOverlayPage *page)
{
    return xen_overlay_page_ptr(page);
}

static uint32_t ram_word(KVMGuest *g, uint32_t addr)
{
    uint32_t v;

    memcpy(&v, g->ram + addr, sizeof(v));
    return v;
}

static void run_expect(KVMGuest *g, KVMVCPUExitKind kind, KVMVCPUExit *exit)
{
    g_assert_cmpint(kvm_guest_run(g, exit), ==, 0);
    if (exit->kind != kind) {
        g_error("expected exit %s, got %s (reason %u detail 0x%" PRIx64 ")",
                kvm_vcpu_exit_name(kind), kvm_vcpu_exit_name(exit->kind),
                exit->reason, exit->detail);
    }
}

/* Guest: read [addr] into eax and report it in RAM, then hlt. */
static void load_reader(KVMGuest *g, uint32_t addr)
{
    GuestCode c;

    guest_code_init(&c, CODE_BASE);
    guest_load32(&c, GUEST_EAX, addr);
    guest_store32(&c, DATA_ADDR, GUEST_EAX);
    guest_hlt(&c);
    kvm_guest_load(g, &c, &error_abort);
    guest_code_free(&c);
}

/* Answer the MMIO read the guest is in; it reports the value and halts. */
static void complete_mmio_read(KVMGuest *g, KVMVCPUExit *exit, uint32_t v)
{
    memcpy(exit->mmio.data, &v, sizeof(v));
    run_expect(g, KVM_VCPU_EXIT_HLT, exit);
    g_assert_cmphex(ram_word(g, DATA_ADDR), ==, v);
}

static void test_available(void)
{
    g_autoptr(Error) err = NULL;
    g_autofree char *msg = NULL;

    if (!kvm_available(&err)) {
        msg = g_strdup_printf("KVM not usable here: %s",
                              error_get_pretty(err));
        g_test_skip(msg);
        return;
    }
    g_assert_null(err);
}

static void test_overlay_both_ways(void)
{
    KVMGuest *g = guest_or_skip();
    XenOverlayPage *page;
    KVMVCPUExit exit;
    GuestCode c;

    if (!g) {
        return;
    }
    page = xen_overlay_page_new(g->kvm, "xenstore", &error_abort);
    g_assert_true(xen_overlay_map_page(page, STORE_GPA, &error_abort));
    g_assert_true(xen_overlay_page_in_vm(page));
    page_words(page)[0] = 0x12345678;

    guest_code_init(&c, CODE_BASE);
    guest_load32(&c, GUEST_EAX, STORE_GPA);          /* VMM -> guest */
    guest_store32(&c, STORE_GPA + 4, GUEST_EAX);
    guest_store32_imm(&c, STORE_GPA + 8, 0x600dcafe); /* guest -> VMM */
    guest_out8(&c, DOORBELL);
    guest_out8(&c, SYNC_PORT);
    guest_hlt(&c);
    kvm_guest_load(g, &c, &error_abort);
    guest_code_free(&c);

    g_assert_cmpuint(kvm_guest_doorbell_count(g), ==, 0);
    /* The doorbell out did not exit; the sync out did, with al. */
    run_expect(g, KVM_VCPU_EXIT_IO, &exit);
    g_assert_cmpuint(exit.io.port, ==, SYNC_PORT);
    g_assert_true(exit.io.is_write);
    g_assert_cmpuint(exit.io.size, ==, 1);
    g_assert_cmpuint(exit.io.count, ==, 1);
    g_assert_cmphex(exit.io.data[0], ==, 0x78);
    g_assert_cmpuint(kvm_guest_doorbell_count(g), ==, 1);
    g_assert_cmphex(page_words(page)[1], ==, 0x12345678);
    g_assert_cmphex(page_words(page)[2], ==, 0x600dcafe);
    run_expect(g, KVM_VCPU_EXIT_HLT, &exit);

    xen_overlay_page_free(page);
    kvm_guest_free(g);
}

static void test_doorbell_without_ioeventfd(void)
{
    KVMGuest *g = guest_or_skip();
    KVMVCPUExit exit;
    GuestCode c;

    if (!g) {
        return;
    }
    g_assert_true(kvm_ioeventfd_del_pio(g->kvm, DOORBELL, 1, g->doorbell_fd,
                                        &error_abort));
    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EAX, 0x5a);
    guest_out8(&c, DOORBELL);
    guest_hlt(&c);
    kvm_guest_load(g, &c, &error_abort);
    guest_code_free(&c);
    run_expect(g, KVM_VCPU_EXIT_IO, &exit);
    g_assert_cmpuint(exit.io.port, ==, DOORBELL);
    g_assert_cmphex(exit.io.data[0], ==, 0x5a);
    g_assert_cmpuint(kvm_guest_doorbell_count(g), ==, 0);
    run_expect(g, KVM_VCPU_EXIT_HLT, &exit);
    kvm_guest_free(g);
}

static void test_overlay_unmap_and_move(void)
{
    KVMGuest *g = guest_or_skip();
    g_autoptr(Error) err = NULL;
    XenOverlayPage *page;
    KVMVCPUExit exit;

    if (!g) {
        return;
    }
    page = xen_overlay_page_new(g->kvm, "moving", &error_abort);
    page_words(page)[0] = 0xabcd0123;
    g_assert_true(xen_overlay_map_page(page, STORE_GPA, &error_abort));

    /* Unmapped: a read of the old address is MMIO for the VMM. */
    xen_overlay_unmap_page(page);
    g_assert_false(xen_overlay_page_in_vm(page));
    load_reader(g, STORE_GPA);
    run_expect(g, KVM_VCPU_EXIT_MMIO, &exit);
    g_assert_cmphex(exit.mmio.addr, ==, STORE_GPA);
    g_assert_false(exit.mmio.is_write);
    g_assert_cmpuint(exit.mmio.len, ==, 4);
    complete_mmio_read(g, &exit, 0xfeedbeef);

    /* Mapped at the console PFN: the content came along. */
    g_assert_true(xen_overlay_map_page(page, CONSOLE_GPA, &error_abort));
    load_reader(g, CONSOLE_GPA);
    run_expect(g, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(ram_word(g, DATA_ADDR), ==, 0xabcd0123);

    /* Moved back (mapped to mapped). */
    page_words(page)[0] = 0x0badf00d;
    g_assert_true(xen_overlay_map_page(page, STORE_GPA, &error_abort));
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, STORE_GPA);
    load_reader(g, STORE_GPA);
    run_expect(g, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(ram_word(g, DATA_ADDR), ==, 0x0badf00d);
    load_reader(g, CONSOLE_GPA);
    run_expect(g, KVM_VCPU_EXIT_MMIO, &exit);
    g_assert_cmphex(exit.mmio.addr, ==, CONSOLE_GPA);
    complete_mmio_read(g, &exit, 0x11112222);

    /* A move onto RAM is refused and the page stays where it was. */
    g_assert_false(xen_overlay_map_page(page, 0x10000, &err));
    g_assert_nonnull(err);
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, STORE_GPA);
    load_reader(g, STORE_GPA);
    run_expect(g, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(ram_word(g, DATA_ADDR), ==, 0x0badf00d);

    xen_overlay_page_free(page);
    kvm_guest_free(g);
}

static void test_gnttab_frame(void)
{
    KVMGuest *g = guest_or_skip();
    const uint32_t gpa = 0xfeffc000;    /* where this guest puts it */
    struct grant_entry_v1 e;
    XenGnttab *gt;
    KVMVCPUExit exit;
    GuestCode c;

    if (!g) {
        return;
    }
    gt = xen_gnttab_new(g->kvm, &error_abort);
    g_assert_true(xen_gnttab_map_frame(gt, 0, gpa, &error_abort));
    /* The guest reads ref 1's frame and grants a page itself (ref 8). */
    guest_code_init(&c, CODE_BASE);
    guest_load32(&c, GUEST_EAX, gpa + 1 * 8 + 4);
    guest_store32(&c, DATA_ADDR, GUEST_EAX);
    guest_store32_imm(&c, gpa + 8 * 8 + 4, 0x1234);
    guest_store32_imm(&c, gpa + 8 * 8, 0x00000000 | GTF_permit_access);
    guest_hlt(&c);
    kvm_guest_load(g, &c, &error_abort);
    guest_code_free(&c);
    run_expect(g, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(ram_word(g, DATA_ADDR), ==, XEN_XENSTORE_PFN);
    g_assert_cmpint(xen_gnttab_get_entry(gt, 8, &e), ==, 0);
    g_assert_cmphex(e.flags, ==, GTF_permit_access);
    g_assert_cmpuint(e.domid, ==, DOMID_QEMU);
    g_assert_cmphex(e.frame, ==, 0x1234);
    xen_gnttab_free(gt);
    kvm_guest_free(g);
}

static void test_real_mode(void)
{
    /* mov al, 0x42; out 0xf1, al; hlt (16-bit code at 0x0000:0x1000) */
    static const uint8_t code[] = { 0xb0, 0x42, 0xe6, SYNC_PORT, 0xf4 };
    KVMGuest *g = guest_or_skip();
    KVMVCPUExit exit;

    if (!g) {
        return;
    }
    memcpy(g->ram + CODE_BASE, code, sizeof(code));
    g_assert_true(kvm_vcpu_set_real_mode(g->vcpu, CODE_BASE, &error_abort));
    run_expect(g, KVM_VCPU_EXIT_IO, &exit);
    g_assert_cmpuint(exit.io.port, ==, SYNC_PORT);
    g_assert_cmphex(exit.io.data[0], ==, 0x42);
    run_expect(g, KVM_VCPU_EXIT_HLT, &exit);
    kvm_guest_free(g);
}

typedef struct SyncState {
    KVMGuest *g;
    int calls;
} SyncState;

/* The VMM's side of the wait loop: after 3 polls, change the word. */
static void answer_after_three(void *opaque)
{
    SyncState *s = opaque;

    if (++s->calls == 3) {
        uint32_t v = 7;

        memcpy(s->g->ram + DATA_ADDR, &v, sizeof(v));
    }
}

static void test_run_until_hlt_with_sync(void)
{
    KVMGuest *g = guest_or_skip();
    SyncState s = { .g = g };
    KVMVCPUExit exit;
    GuestCode c;

    if (!g) {
        return;
    }
    memset(g->ram + DATA_ADDR, 0, 4);
    guest_code_init(&c, CODE_BASE);
    guest_copy(&c, DATA_ADDR + 0x100, CODE_BASE, 16);
    guest_mov_imm32(&c, GUEST_EBX, 0);
    guest_wait_change32(&c, DATA_ADDR, GUEST_EBX, SYNC_PORT);
    guest_hlt(&c);
    kvm_guest_load(g, &c, &error_abort);
    g_assert_cmpint(kvm_guest_run_until_hlt(g, SYNC_PORT, answer_after_three,
                                            &s, &exit), ==, 0);
    g_assert_cmpint(exit.kind, ==, KVM_VCPU_EXIT_HLT);
    g_assert_cmpint(s.calls, ==, 3);
    g_assert_cmpmem(g->ram + DATA_ADDR + 0x100, 16, c.bytes->data, 16);
    guest_code_free(&c);
    kvm_guest_free(g);
}

static void test_vm_errors(void)
{
    KVMGuest *g = guest_or_skip();
    g_autoptr(Error) err = NULL;
    XenOverlayPage *page;

    if (!g) {
        return;
    }
    /* A second RAM, RAM into the special area, bad slots and lengths. */
    g_assert_null(kvm_vm_add_ram(g->kvm, 4096, &err));
    error_free_or_abort(&err);
    g_assert_false(kvm_slot_unmap(g->kvm, 31, &err));
    error_free_or_abort(&err);
    g_assert_false(kvm_slot_unmap(g->kvm, -1, &err));
    error_free_or_abort(&err);
    g_assert_cmpint(kvm_slot_map(g->kvm, 0x1001, 4096, g->ram, &err), ==,
                    -1);
    error_free_or_abort(&err);
    g_assert_false(kvm_ioeventfd_add_pio(g->kvm, 0x10, 3, g->doorbell_fd,
                                         &err));
    error_free_or_abort(&err);
    page = xen_overlay_page_new(g->kvm, "bad", &error_abort);
    g_assert_false(xen_overlay_map_page(page, STORE_GPA + 1, &err));
    error_free_or_abort(&err);
    g_assert_false(xen_overlay_map_page(page, 0x10000, &err));
    error_free_or_abort(&err);
    g_assert_cmphex(xen_overlay_page_gpa(page), ==, XEN_OVERLAY_UNMAPPED);
    xen_overlay_page_free(page);
    kvm_guest_free(g);

    {
        KVMState *s = kvm_vm_new(&error_abort);

        g_assert_null(kvm_vm_add_ram(s, KVM_RAM_LIMIT + 4096, &err));
        error_free_or_abort(&err);
        g_assert_null(kvm_vm_add_ram(s, 100, &err));
        error_free_or_abort(&err);
        kvm_vm_free(s);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    g_test_add_func("/kvm/available", test_available);
    g_test_add_func("/kvm/overlay/both-ways", test_overlay_both_ways);
    g_test_add_func("/kvm/doorbell-without-ioeventfd",
                    test_doorbell_without_ioeventfd);
    g_test_add_func("/kvm/overlay/unmap-and-move",
                    test_overlay_unmap_and_move);
    g_test_add_func("/kvm/gnttab-frame", test_gnttab_frame);
    g_test_add_func("/kvm/real-mode", test_real_mode);
    g_test_add_func("/kvm/run-until-hlt-with-sync",
                    test_run_until_hlt_with_sync);
    g_test_add_func("/kvm/vm-errors", test_vm_errors);
    return g_test_run();
}
