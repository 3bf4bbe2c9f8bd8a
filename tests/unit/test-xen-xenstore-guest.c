/*
 * The guest programs of test-xen-xenstore-kvm on the software vCPU of
 * guest-interp.h, so that they run against the xen-xenstore device on
 * every host; and the XS_READ program's code, pinned as a listing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "guest-interp.h"
#include "xenstore-guest.h"

#define RAM_SIZE (1024 * 1024)

static void interp_map_page(void *vcpu, uint64_t gpa, void *page)
{
    guest_interp_map_page(vcpu, gpa, page);
}

static bool interp_load(void *vcpu, GuestCode *code, Error **errp)
{
    return guest_interp_load(vcpu, code, errp);
}

static int interp_run_until_hlt(void *vcpu, uint16_t sync_port,
                                void (*fn)(void *opaque), void *opaque,
                                KVMVCPUExit *exit)
{
    return guest_interp_run_until_hlt(vcpu, sync_port, fn, opaque, exit);
}

static void run_on_interp(gconstpointer data)
{
    const XsGuestTest *test = data;
    GuestInterp *gi = guest_interp_new(RAM_SIZE, XS_GUEST_DOORBELL);
    XsGuestVcpu v = {
        .ram = guest_interp_ram(gi), .ram_size = RAM_SIZE,
        .doorbell_fd = guest_interp_doorbell_fd(gi), .kvm = NULL,
        .map_page = interp_map_page, .load = interp_load,
        .run_until_hlt = interp_run_until_hlt, .vcpu = gi,
    };

    test->fn(&v);
    guest_interp_free(gi);
}

static void test_read_listing(void)
{
    static const char expected[] =
        /* header {XS_READ, req_id, tx_id 0, len 6} and "domid\0" */
        "00001000  mov dword [0xfeff9000], 0x2\n"
        "0000100a  mov dword [0xfeff9004], 0x1234\n"
        "00001014  mov dword [0xfeff9008], 0x0\n"
        "0000101e  mov dword [0xfeff900c], 0x6\n"
        "00001028  mov dword [0xfeff9010], 0x696d6f64\n"
        "00001032  mov byte [0xfeff9014], 0x64\n"
        "00001039  mov byte [0xfeff9015], 0x0\n"
        /* req_prod = 22, then the doorbell */
        "00001040  mov dword [0xfeff9804], 0x16\n"
        "0000104a  mov edx, 0xf0\n"
        "0000104f  out dx, al\n"
        /* wait (with sync exits) while rsp_prod == 0 */
        "00001050  mov ebx, 0x0\n"
        "00001055  mov edx, 0xf1\n"
        "0000105a  out dx, al\n"
        "0000105b  cmp ebx, [0xfeff980c]\n"
        "00001061  je 0x1055\n"
        /* report rsp_prod and req_cons, copy 64 bytes of rsp[] */
        "00001067  mov eax, [0xfeff980c]\n"
        "0000106d  mov [0x2000], eax\n"
        "00001073  mov eax, [0xfeff9800]\n"
        "00001079  mov [0x2004], eax\n"
        "0000107f  mov esi, 0xfeff9400\n"
        "00001084  mov edi, 0x2020\n"
        "00001089  mov ecx, 0x40\n"
        "0000108e  mov al, [esi]\n"
        "00001090  mov [edi], al\n"
        "00001092  inc esi\n"
        "00001093  inc edi\n"
        "00001094  dec ecx\n"
        "00001095  jne 0x108e\n"
        /* rsp_cons = the rsp_prod seen */
        "0000109b  mov eax, [0x2000]\n"
        "000010a1  mov [0xfeff9808], eax\n"
        "000010a7  hlt\n";
    g_autofree char *listing = NULL;
    GuestCode c;

    xs_guest_read_program(&c, "domid", 0x1234);
    listing = guest_interp_disassemble(c.bytes->data, c.bytes->len, c.base);
    g_assert_cmpstr(listing, ==, expected);
    guest_code_free(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    g_test_add_func("/xen-xenstore/guest/read-listing", test_read_listing);
    for (size_t i = 0; i < xs_guest_nr_tests; i++) {
        g_autofree char *path = g_strdup_printf("/xen-xenstore/guest/%s",
                                                xs_guest_tests[i].name);

        g_test_add_data_func(path, &xs_guest_tests[i], run_on_interp);
    }
    return g_test_run();
}
