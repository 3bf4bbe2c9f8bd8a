/*
 * Test support: hand-assembled x86 instructions for flat 32-bit guests.
 * Encodings are those of the Intel SDM for the 32-bit operand and
 * address size, with ModRM mod=00 r/m=101 for absolute addresses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "guest-code.h"

#define MODRM_DISP32(reg) (uint8_t)(((reg) & 7) << 3 | 5)

static void emit8(GuestCode *c, uint8_t b)
{
    g_byte_array_append(c->bytes, &b, 1);
}

static void emit32(GuestCode *c, uint32_t v)
{
    uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

    g_byte_array_append(c->bytes, b, sizeof(b));
}

void guest_code_init(GuestCode *c, uint32_t base)
{
    c->bytes = g_byte_array_new();
    c->base = base;
}

void guest_code_free(GuestCode *c)
{
    g_byte_array_unref(c->bytes);
    c->bytes = NULL;
}

uint32_t guest_code_here(GuestCode *c)
{
    return c->base + c->bytes->len;
}

void guest_mov_imm32(GuestCode *c, GuestReg reg, uint32_t imm)
{
    emit8(c, 0xb8 + reg);               /* mov r32, imm32 */
    emit32(c, imm);
}

void guest_load32(GuestCode *c, GuestReg reg, uint32_t addr)
{
    emit8(c, 0x8b);                     /* mov r32, r/m32 */
    emit8(c, MODRM_DISP32(reg));
    emit32(c, addr);
}

void guest_store32(GuestCode *c, uint32_t addr, GuestReg reg)
{
    emit8(c, 0x89);                     /* mov r/m32, r32 */
    emit8(c, MODRM_DISP32(reg));
    emit32(c, addr);
}

void guest_store32_imm(GuestCode *c, uint32_t addr, uint32_t imm)
{
    emit8(c, 0xc7);                     /* mov r/m32, imm32 */
    emit8(c, MODRM_DISP32(0));
    emit32(c, addr);
    emit32(c, imm);
}

void guest_store8_imm(GuestCode *c, uint32_t addr, uint8_t imm)
{
    emit8(c, 0xc6);                     /* mov r/m8, imm8 */
    emit8(c, MODRM_DISP32(0));
    emit32(c, addr);
    emit8(c, imm);
}

void guest_add_imm32(GuestCode *c, GuestReg reg, uint32_t imm)
{
    emit8(c, 0x81);                     /* add r/m32, imm32 */
    emit8(c, 0xc0 | reg);               /* mod=11 /0 */
    emit32(c, imm);
}

void guest_cmp_mem32(GuestCode *c, GuestReg reg, uint32_t addr)
{
    emit8(c, 0x3b);                     /* cmp r32, r/m32 */
    emit8(c, MODRM_DISP32(reg));
    emit32(c, addr);
}

/* Jcc rel32: 0f 8x, displacement from the end of the 6-byte insn. */
static void guest_jcc(GuestCode *c, uint8_t cc, uint32_t label)
{
    uint32_t end = guest_code_here(c) + 6;

    emit8(c, 0x0f);
    emit8(c, 0x80 | cc);
    emit32(c, label - end);
}

void guest_jne(GuestCode *c, uint32_t label)
{
    guest_jcc(c, 0x5, label);
}

void guest_je(GuestCode *c, uint32_t label)
{
    guest_jcc(c, 0x4, label);
}

void guest_out8(GuestCode *c, uint16_t port)
{
    guest_mov_imm32(c, GUEST_EDX, port);
    emit8(c, 0xee);                     /* out dx, al */
}

void guest_hlt(GuestCode *c)
{
    emit8(c, 0xf4);
}

void guest_copy(GuestCode *c, uint32_t dst, uint32_t src, uint32_t len)
{
    uint32_t loop;

    g_assert(len > 0);
    guest_mov_imm32(c, GUEST_ESI, src);
    guest_mov_imm32(c, GUEST_EDI, dst);
    guest_mov_imm32(c, GUEST_ECX, len);
    loop = guest_code_here(c);
    emit8(c, 0x8a);                     /* mov al, [esi] */
    emit8(c, 0x06);
    emit8(c, 0x88);                     /* mov [edi], al */
    emit8(c, 0x07);
    emit8(c, 0x46);                     /* inc esi */
    emit8(c, 0x47);                     /* inc edi */
    emit8(c, 0x49);                     /* dec ecx */
    guest_jne(c, loop);
}

void guest_wait_change32(GuestCode *c, uint32_t addr, GuestReg reg,
                         uint16_t sync_port)
{
    uint32_t loop = guest_code_here(c);

    g_assert(reg != GUEST_EDX);
    guest_out8(c, sync_port);
    guest_cmp_mem32(c, reg, addr);
    guest_je(c, loop);
}

int guest_run_until_hlt(GuestStepFn *step, void *vcpu, uint16_t sync_port,
                        void (*fn)(void *opaque), void *opaque,
                        KVMVCPUExit *exit)
{
    for (unsigned int i = 0; i < 1000000; i++) {
        int err = step(vcpu, exit);

        if (err) {
            return err;
        }
        if (exit->kind != KVM_VCPU_EXIT_IO || !exit->io.is_write ||
            exit->io.port != sync_port || exit->io.size != 1) {
            return 0;
        }
        if (fn) {
            fn(opaque);
        }
    }
    return -ETIMEDOUT;
}
