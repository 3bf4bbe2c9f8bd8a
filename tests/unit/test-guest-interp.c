/*
 * Tests of the software vCPU that runs guest-code.h programs without
 * KVM: its decoder against the assembler's disassembler-checked output,
 * each instruction's effect, and each kind of exit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "guest-interp.h"

#define RAM_SIZE    (64 * 1024)
#define CODE_BASE   0x1000
#define DATA        0x2000
#define PAGE_GPA    0xfeff9000
#define DOORBELL    0xf0
#define SYNC_PORT   0xf1

static uint32_t ram_word(GuestInterp *gi, uint32_t addr)
{
    uint32_t v;

    memcpy(&v, guest_interp_ram(gi) + addr, sizeof(v));
    return v;
}

static void set_ram_word(GuestInterp *gi, uint32_t addr, uint32_t v)
{
    memcpy(guest_interp_ram(gi) + addr, &v, sizeof(v));
}

static void load(GuestInterp *gi, GuestCode *c)
{
    g_assert_true(guest_interp_load(gi, c, &error_abort));
    guest_code_free(c);
}

static void run_expect(GuestInterp *gi, KVMVCPUExitKind kind,
                       KVMVCPUExit *exit)
{
    g_assert_cmpint(guest_interp_run(gi, exit), ==, 0);
    g_assert_cmpstr(kvm_vcpu_exit_name(exit->kind), ==,
                    kvm_vcpu_exit_name(kind));
}

/*
 * The same calls as test-guest-code's encoding test, whose bytes were
 * checked with a disassembler: the decoder must read them back as the
 * instructions named there.
 */
static void test_listing_matches_assembler(void)
{
    static const char expected[] =
        "00001000  mov ebx, 0x11223344\n"
        "00001005  mov eax, [0xfeff9000]\n"
        "0000100b  mov edi, [0xfeff9000]\n"
        "00001011  mov [0xfeff9004], ecx\n"
        "00001017  mov dword [0xfeff9008], 0x600dcafe\n"
        "00001021  mov byte [0x2000], 0x5a\n"
        "00001028  add eax, 0x1\n"
        "0000102e  cmp ebx, [0xfeff980c]\n"
        "00001034  mov edx, 0x1234\n"
        "00001039  out dx, al\n"
        "0000103a  mov esi, 0x3000\n"
        "0000103f  mov edi, 0xfeff9000\n"
        "00001044  mov ecx, 0x13\n"
        "00001049  mov al, [esi]\n"
        "0000104b  mov [edi], al\n"
        "0000104d  inc esi\n"
        "0000104e  inc edi\n"
        "0000104f  dec ecx\n"
        "00001050  jne 0x1049\n"
        "00001056  mov edx, 0x99\n"
        "0000105b  out dx, al\n"
        "0000105c  cmp ebx, [0xfeff980c]\n"
        "00001062  je 0x1056\n"
        "00001068  hlt\n";
    g_autofree char *listing = NULL;
    GuestCode c;

    guest_code_init(&c, 0x1000);
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
    guest_wait_change32(&c, 0xfeff980c, GUEST_EBX, 0x99);
    guest_hlt(&c);
    listing = guest_interp_disassemble(c.bytes->data, c.bytes->len, c.base);
    g_assert_cmpstr(listing, ==, expected);
    guest_code_free(&c);
}

static void test_listing_bad_bytes(void)
{
    /* nop, a SIB operand, an 81 /5, a truncated jump: none is ours. */
    static const struct {
        uint8_t bytes[8];
        size_t len;
        const char *listing;
    } cases[] = {
        { { 0xf4, 0x90 }, 2, "00000000  hlt\n00000001  (bad)\n" },
        { { 0x8b, 0x04, 0x24 }, 3, "00000000  (bad)\n" },
        { { 0x8b, 0x45, 0x08 }, 3, "00000000  (bad)\n" },
        { { 0x81, 0xe8, 1, 0, 0, 0 }, 6, "00000000  (bad)\n" },
        { { 0x0f, 0x85, 0, 0 }, 4, "00000000  (bad)\n" },
        { { 0x0f, 0x86, 0, 0, 0, 0 }, 6, "00000000  (bad)\n" },
        { { 0xb8, 1, 2 }, 3, "00000000  (bad)\n" },
        { { 0x8a, 0x26, 0x88, 0xe0 }, 4,
          "00000000  mov ah, [esi]\n00000002  mov al, ah\n" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *l = guest_interp_disassemble(cases[i].bytes,
                                                      cases[i].len, 0);

        g_assert_cmpstr(l, ==, cases[i].listing);
    }
}

static void test_moves_and_arithmetic(void)
{
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    KVMVCPUExit exit;
    uint32_t end;
    GuestCode c;

    set_ram_word(gi, DATA, 0xa1b2c3d4);
    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EBX, 0x11223344);
    guest_load32(&c, GUEST_ECX, DATA);
    guest_store32(&c, DATA + 4, GUEST_EBX);
    guest_store32_imm(&c, DATA + 8, 0xcafef00d);
    guest_store8_imm(&c, DATA + 13, 0x5a);
    guest_mov_imm32(&c, GUEST_EAX, 0xfffffffe);
    guest_add_imm32(&c, GUEST_EAX, 1);
    guest_hlt(&c);
    end = guest_code_here(&c);
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(guest_interp_reg(gi, GUEST_EBX), ==, 0x11223344);
    g_assert_cmphex(guest_interp_reg(gi, GUEST_ECX), ==, 0xa1b2c3d4);
    g_assert_cmphex(ram_word(gi, DATA + 4), ==, 0x11223344);
    g_assert_cmphex(ram_word(gi, DATA + 8), ==, 0xcafef00d);
    g_assert_cmphex(ram_word(gi, DATA + 12), ==, 0x00005a00);
    g_assert_cmphex(guest_interp_reg(gi, GUEST_EAX), ==, 0xffffffff);
    g_assert_false(guest_interp_zf(gi));
    g_assert_cmphex(guest_interp_eip(gi), ==, end);

    /* add wrapping to zero sets ZF; hlt is done, so running goes on. */
    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EAX, 0xffffffff);
    guest_add_imm32(&c, GUEST_EAX, 1);
    guest_hlt(&c);
    guest_store32_imm(&c, DATA, 7);
    guest_hlt(&c);
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(guest_interp_reg(gi, GUEST_EAX), ==, 0);
    g_assert_true(guest_interp_zf(gi));
    run_expect(gi, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(ram_word(gi, DATA), ==, 7);
    guest_interp_free(gi);
}

static void test_byte_registers(void)
{
    /* mov ah, [esi]; mov al, ah; mov [edi], al; hlt */
    static const uint8_t code[] = { 0x8a, 0x26, 0x88, 0xe0, 0x88, 0x07,
                                    0xf4 };
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    KVMVCPUExit exit;
    GuestCode c;

    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EAX, 0x11223344);
    guest_mov_imm32(&c, GUEST_ESI, DATA);
    guest_mov_imm32(&c, GUEST_EDI, DATA + 8);
    g_byte_array_append(c.bytes, code, sizeof(code));
    set_ram_word(gi, DATA, 0x000000ab);
    set_ram_word(gi, DATA + 8, 0xffffffff);
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_HLT, &exit);
    /* Only the byte registers named changed. */
    g_assert_cmphex(guest_interp_reg(gi, GUEST_EAX), ==, 0x1122abab);
    g_assert_cmphex(ram_word(gi, DATA + 8), ==, 0xffffffab);
    guest_interp_free(gi);
}

static void test_copy_loop(void)
{
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    uint8_t page[4096] = { 0 };
    KVMVCPUExit exit;
    GuestCode c;

    for (int i = 0; i < 19; i++) {
        guest_interp_ram(gi)[DATA + i] = 'a' + i;
    }
    guest_interp_map_page(gi, PAGE_GPA, page);
    guest_code_init(&c, CODE_BASE);
    guest_copy(&c, PAGE_GPA + 4093, DATA, 3);   /* up to the page's end */
    guest_copy(&c, PAGE_GPA + 100, DATA, 19);
    guest_hlt(&c);
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmpmem(page + 100, 19, "abcdefghijklmnopqrs", 19);
    g_assert_cmpmem(page + 4093, 3, "abc", 3);
    g_assert_cmpuint(page[99], ==, 0);
    g_assert_cmpuint(page[119], ==, 0);
    g_assert_cmphex(guest_interp_reg(gi, GUEST_ECX), ==, 0);
    g_assert_true(guest_interp_zf(gi));
    guest_interp_free(gi);
}

static void test_compare_and_jumps(void)
{
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    KVMVCPUExit exit;
    uint32_t skip1, skip2, fwd;
    GuestCode c;

    set_ram_word(gi, DATA, 5);
    guest_code_init(&c, CODE_BASE);
    /* 5 == 5: je taken over the store of 1 */
    guest_mov_imm32(&c, GUEST_EBX, 5);
    guest_cmp_mem32(&c, GUEST_EBX, DATA);
    skip1 = guest_code_here(&c) + 6 + 10;
    guest_je(&c, skip1);
    guest_store32_imm(&c, DATA + 4, 1);
    g_assert_cmphex(guest_code_here(&c), ==, skip1);
    /* 5 == 5: jne not taken, the store of 2 happens */
    guest_cmp_mem32(&c, GUEST_EBX, DATA);
    skip2 = guest_code_here(&c) + 6 + 10;
    guest_jne(&c, skip2);
    guest_store32_imm(&c, DATA + 8, 2);
    /* 6 != 5: jne taken over the store of 3 */
    guest_mov_imm32(&c, GUEST_EBX, 6);
    guest_cmp_mem32(&c, GUEST_EBX, DATA);
    fwd = guest_code_here(&c) + 6 + 10;
    guest_jne(&c, fwd);
    guest_store32_imm(&c, DATA + 12, 3);
    guest_hlt(&c);
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_HLT, &exit);
    g_assert_cmphex(ram_word(gi, DATA + 4), ==, 0);
    g_assert_cmphex(ram_word(gi, DATA + 8), ==, 2);
    g_assert_cmphex(ram_word(gi, DATA + 12), ==, 0);
    g_assert_false(guest_interp_zf(gi));
    guest_interp_free(gi);
}

static void test_ports(void)
{
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    KVMVCPUExit exit;
    GuestCode c;

    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EAX, 0x1234567a);
    guest_out8(&c, DOORBELL);
    guest_out8(&c, DOORBELL);
    guest_out8(&c, 0x3f8);
    guest_hlt(&c);
    load(gi, &c);
    g_assert_cmpuint(guest_interp_doorbell_count(gi), ==, 0);
    /* The doorbell rang twice without stopping; the other port exits. */
    run_expect(gi, KVM_VCPU_EXIT_IO, &exit);
    g_assert_cmpuint(exit.io.port, ==, 0x3f8);
    g_assert_true(exit.io.is_write);
    g_assert_cmpuint(exit.io.size, ==, 1);
    g_assert_cmpuint(exit.io.count, ==, 1);
    g_assert_cmphex(exit.io.data[0], ==, 0x7a);
    g_assert_cmpuint(guest_interp_doorbell_count(gi), ==, 2);
    g_assert_cmpuint(guest_interp_doorbell_count(gi), ==, 0);
    run_expect(gi, KVM_VCPU_EXIT_HLT, &exit);
    guest_interp_free(gi);
}

static void test_mmio_exits(void)
{
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    uint32_t page[1024] = { [1] = 0x600dcafe };
    KVMVCPUExit exit;
    GuestCode c;
    uint32_t eip;

    guest_code_init(&c, CODE_BASE);
    guest_load32(&c, GUEST_EAX, PAGE_GPA + 4);      /* not mapped yet */
    guest_store32(&c, DATA, GUEST_EAX);
    guest_store32_imm(&c, PAGE_GPA + 4094, 1);      /* crosses the end */
    guest_hlt(&c);
    load(gi, &c);

    run_expect(gi, KVM_VCPU_EXIT_MMIO, &exit);
    g_assert_cmphex(exit.mmio.addr, ==, PAGE_GPA + 4);
    g_assert_cmpuint(exit.mmio.len, ==, 4);
    g_assert_false(exit.mmio.is_write);
    eip = guest_interp_eip(gi);
    g_assert_cmphex(eip, ==, CODE_BASE);
    /* Not done: after the page is mapped the same load runs. */
    guest_interp_map_page(gi, PAGE_GPA, page);
    run_expect(gi, KVM_VCPU_EXIT_MMIO, &exit);
    g_assert_cmphex(ram_word(gi, DATA), ==, 0x600dcafe);
    g_assert_cmphex(exit.mmio.addr, ==, PAGE_GPA + 4094);
    g_assert_true(exit.mmio.is_write);
    g_assert_cmpuint(exit.mmio.len, ==, 4);
    g_assert_cmpuint(page[1023], ==, 0);

    /* A word straddling the end of RAM is not RAM. */
    guest_code_init(&c, CODE_BASE);
    guest_store8_imm(&c, RAM_SIZE - 1, 0x11);
    guest_store32_imm(&c, RAM_SIZE - 2, 0x22);
    guest_hlt(&c);
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_MMIO, &exit);
    g_assert_cmphex(exit.mmio.addr, ==, RAM_SIZE - 2);
    g_assert_cmpuint(guest_interp_ram(gi)[RAM_SIZE - 1], ==, 0x11);
    g_assert_cmpuint(guest_interp_ram(gi)[RAM_SIZE - 2], ==, 0);
    guest_interp_free(gi);
}

static void test_internal_errors(void)
{
    static const uint8_t nop[] = { 0x90 };
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    KVMVCPUExit exit;
    GuestCode c;

    /* An instruction we do not run stops the vCPU there. */
    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EAX, 1);
    g_byte_array_append(c.bytes, nop, sizeof(nop));
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_INTERNAL_ERROR, &exit);
    g_assert_cmphex(exit.detail, ==, CODE_BASE + 5);
    g_assert_cmphex(guest_interp_reg(gi, GUEST_EAX), ==, 1);

    /* Running off the end of RAM, and code loaded past it. */
    guest_code_init(&c, RAM_SIZE - 5);
    guest_mov_imm32(&c, GUEST_EAX, 2);
    load(gi, &c);
    run_expect(gi, KVM_VCPU_EXIT_INTERNAL_ERROR, &exit);
    g_assert_cmphex(exit.detail, ==, RAM_SIZE);
    {
        g_autoptr(Error) err = NULL;

        guest_code_init(&c, RAM_SIZE - 2);
        guest_mov_imm32(&c, GUEST_EAX, 2);
        g_assert_false(guest_interp_load(gi, &c, &err));
        g_assert_nonnull(err);
        guest_code_free(&c);
    }
    guest_interp_free(gi);
}

typedef struct SyncCount {
    GuestInterp *gi;
    unsigned int calls;
} SyncCount;

static void sync_answer_third(void *opaque)
{
    SyncCount *s = opaque;

    if (++s->calls == 3) {
        set_ram_word(s->gi, DATA, 9);
    }
}

static void test_run_until_hlt(void)
{
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    SyncCount s = { .gi = gi };
    KVMVCPUExit exit;
    GuestCode c;

    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EBX, 0);
    guest_wait_change32(&c, DATA, GUEST_EBX, SYNC_PORT);
    guest_out8(&c, 0x60);
    guest_hlt(&c);
    load(gi, &c);
    /* Other exits end the run: the out to 0x60, then hlt. */
    g_assert_cmpint(guest_interp_run_until_hlt(gi, SYNC_PORT,
                                               sync_answer_third, &s, &exit),
                    ==, 0);
    g_assert_cmpuint(s.calls, ==, 3);
    g_assert_cmpint(exit.kind, ==, KVM_VCPU_EXIT_IO);
    g_assert_cmpuint(exit.io.port, ==, 0x60);
    g_assert_cmpint(guest_interp_run_until_hlt(gi, SYNC_PORT, NULL, NULL,
                                               &exit), ==, 0);
    g_assert_cmpint(exit.kind, ==, KVM_VCPU_EXIT_HLT);
    guest_interp_free(gi);
}

static void test_timeouts(void)
{
    GuestInterp *gi = guest_interp_new(RAM_SIZE, DOORBELL);
    KVMVCPUExit exit;
    uint32_t loop;
    GuestCode c;

    /* A spin with no exit at all. */
    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EAX, 1);
    guest_add_imm32(&c, GUEST_EAX, 1);
    loop = guest_code_here(&c);
    guest_jne(&c, loop);
    load(gi, &c);
    g_assert_cmpint(guest_interp_run(gi, &exit), ==, -ETIMEDOUT);

    /* A wait whose condition never comes. */
    guest_code_init(&c, CODE_BASE);
    guest_mov_imm32(&c, GUEST_EBX, 0);
    guest_wait_change32(&c, DATA, GUEST_EBX, SYNC_PORT);
    guest_hlt(&c);
    load(gi, &c);
    g_assert_cmpint(guest_interp_run_until_hlt(gi, SYNC_PORT, NULL, NULL,
                                               &exit), ==, -ETIMEDOUT);
    guest_interp_free(gi);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest-interp/listing/assembler",
                    test_listing_matches_assembler);
    g_test_add_func("/guest-interp/listing/bad-bytes",
                    test_listing_bad_bytes);
    g_test_add_func("/guest-interp/moves-and-arithmetic",
                    test_moves_and_arithmetic);
    g_test_add_func("/guest-interp/byte-registers", test_byte_registers);
    g_test_add_func("/guest-interp/copy-loop", test_copy_loop);
    g_test_add_func("/guest-interp/compare-and-jumps",
                    test_compare_and_jumps);
    g_test_add_func("/guest-interp/ports", test_ports);
    g_test_add_func("/guest-interp/mmio-exits", test_mmio_exits);
    g_test_add_func("/guest-interp/internal-errors", test_internal_errors);
    g_test_add_func("/guest-interp/run-until-hlt", test_run_until_hlt);
    g_test_add_func("/guest-interp/timeouts", test_timeouts);
    return g_test_run();
}
