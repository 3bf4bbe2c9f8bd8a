/*
 * Tests of the guest-code assembler used by the KVM tests: its output
 * must be exactly the instructions named (checked here against a byte
 * listing verified with a disassembler), including jump displacements.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "guest-code.h"

static void test_encodings(void)
{
    static const uint8_t expected[] = {
        0xbb, 0x44, 0x33, 0x22, 0x11,             /* mov ebx, 0x11223344 */
        0x8b, 0x05, 0x00, 0x90, 0xff, 0xfe,       /* mov eax, [0xfeff9000] */
        0x8b, 0x3d, 0x00, 0x90, 0xff, 0xfe,       /* mov edi, [0xfeff9000] */
        0x89, 0x0d, 0x04, 0x90, 0xff, 0xfe,       /* mov [0xfeff9004], ecx */
        0xc7, 0x05, 0x08, 0x90, 0xff, 0xfe,       /* mov dword [..9008], */
        0xfe, 0xca, 0x0d, 0x60,                   /*     0x600dcafe */
        0xc6, 0x05, 0x00, 0x20, 0x00, 0x00, 0x5a, /* mov byte [0x2000], 0x5a */
        0x81, 0xc0, 0x01, 0x00, 0x00, 0x00,       /* add eax, 1 */
        0x3b, 0x1d, 0x0c, 0x98, 0xff, 0xfe,       /* cmp ebx, [0xfeff980c] */
        0xba, 0x34, 0x12, 0x00, 0x00, 0xee,       /* mov edx, 0x1234; out */
        0xbe, 0x00, 0x30, 0x00, 0x00,             /* mov esi, 0x3000 */
        0xbf, 0x00, 0x90, 0xff, 0xfe,             /* mov edi, 0xfeff9000 */
        0xb9, 0x13, 0x00, 0x00, 0x00,             /* mov ecx, 19 */
        0x8a, 0x06, 0x88, 0x07,                   /* 1049: mov al, [esi]; */
        0x46, 0x47, 0x49,                         /* mov [edi], al; inc; */
        0x0f, 0x85, 0xf3, 0xff, 0xff, 0xff,       /* inc; dec; jne 1049 */
        0xba, 0x99, 0x00, 0x00, 0x00, 0xee,       /* 1056: out 0x99, al */
        0x3b, 0x1d, 0x0c, 0x98, 0xff, 0xfe,       /* cmp ebx, [0xfeff980c] */
        0x0f, 0x84, 0xee, 0xff, 0xff, 0xff,       /* je 1056 */
        0xf4,                                     /* hlt */
    };
    GuestCode c;

    guest_code_init(&c, 0x1000);
    g_assert_cmphex(guest_code_here(&c), ==, 0x1000);
    guest_mov_imm32(&c, GUEST_EBX, 0x11223344);
    guest_load32(&c, GUEST_EAX, 0xfeff9000);
    guest_load32(&c, GUEST_EDI, 0xfeff9000);
    guest_store32(&c, 0xfeff9004, GUEST_ECX);
    guest_store32_imm(&c, 0xfeff9008, 0x600dcafe);
    guest_store8_imm(&c, 0x2000, 0x5a);
    guest_add_imm32(&c, GUEST_EAX, 1);
    guest_cmp_mem32(&c, GUEST_EBX, 0xfeff980c);
    guest_out8(&c, 0x1234);
    guest_copy(&c, 0xfeff9000, 0x3000, 19);
    g_assert_cmphex(guest_code_here(&c), ==, 0x1056);
    guest_wait_change32(&c, 0xfeff980c, GUEST_EBX, 0x99);
    guest_hlt(&c);
    g_assert_cmpmem(c.bytes->data, c.bytes->len, expected, sizeof(expected));
    guest_code_free(&c);
}

static void test_forward_jump(void)
{
    GuestCode c;
    uint32_t start;

    /* A jump to a label after itself: positive displacement. */
    guest_code_init(&c, 0x8000);
    guest_jne(&c, 0x8000 + 6 + 1);
    guest_hlt(&c);
    start = guest_code_here(&c);
    g_assert_cmphex(start, ==, 0x8007);
    g_assert_cmpuint(c.bytes->data[1], ==, 0x85);
    g_assert_cmpuint(c.bytes->data[2], ==, 1);
    g_assert_cmpuint(c.bytes->data[3], ==, 0);
    guest_code_free(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest-code/encodings", test_encodings);
    g_test_add_func("/guest-code/forward-jump", test_forward_jump);
    return g_test_run();
}
