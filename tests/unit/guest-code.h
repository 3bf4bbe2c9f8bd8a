/*
 * Test support: a tiny assembler for flat 32-bit x86 guest code made of
 * plain integer instructions only (what KVM's instruction emulator on a
 * nested host can always run), for KVM tests that need a real guest.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_GUEST_CODE_H
#define TESTS_GUEST_CODE_H

#include "sysemu/kvm.h"

typedef enum GuestReg {
    GUEST_EAX = 0, GUEST_ECX, GUEST_EDX, GUEST_EBX,
    GUEST_ESP, GUEST_EBP, GUEST_ESI, GUEST_EDI,
} GuestReg;

/*
 * Code that will run at guest-physical address base (where it is loaded;
 * jumps are relative, so only guest_code_here() depends on base).  All
 * addresses are absolute 32-bit guest-physical addresses.
 */
typedef struct GuestCode {
    GByteArray *bytes;
    uint32_t base;
} GuestCode;

void guest_code_init(GuestCode *c, uint32_t base);
void guest_code_free(GuestCode *c);
/* The address of the next instruction: a label for guest_jne(). */
uint32_t guest_code_here(GuestCode *c);

void guest_mov_imm32(GuestCode *c, GuestReg reg, uint32_t imm);  /* r = i */
void guest_load32(GuestCode *c, GuestReg reg, uint32_t addr);  /* r = [a] */
void guest_store32(GuestCode *c, uint32_t addr, GuestReg reg); /* [a] = r */
void guest_store32_imm(GuestCode *c, uint32_t addr, uint32_t imm);
void guest_store8_imm(GuestCode *c, uint32_t addr, uint8_t imm);
void guest_add_imm32(GuestCode *c, GuestReg reg, uint32_t imm);
/* Compare reg with [addr] (flags as reg - [addr]). */
void guest_cmp_mem32(GuestCode *c, GuestReg reg, uint32_t addr);
/* Jump to label (an address from guest_code_here) if not equal. */
void guest_jne(GuestCode *c, uint32_t label);
void guest_je(GuestCode *c, uint32_t label);
/* out port, al (port in edx; edx is clobbered). */
void guest_out8(GuestCode *c, uint16_t port);
void guest_hlt(GuestCode *c);

/*
 * Copy len bytes from src to dst one byte at a time (a loop, not a
 * string instruction).  Clobbers eax, ecx, esi, edi.  len > 0.
 */
void guest_copy(GuestCode *c, uint32_t dst, uint32_t src, uint32_t len);

/*
 * Spin until [addr] != reg, doing `out sync_port, al` on every pass so
 * that a VMM without a second thread gets a KVM_EXIT_IO to make progress
 * in.  Clobbers edx.
 */
void guest_wait_change32(GuestCode *c, uint32_t addr, GuestReg reg,
                         uint16_t sync_port);

/*
 * Run a vCPU (KVM or the software one: step runs it to its next exit)
 * until it stops for anything but a one-byte write to sync_port; fn runs
 * at each such write.  0 with *exit the stopping exit, or -errno, or
 * -ETIMEDOUT after a million sync writes.
 */
typedef int GuestStepFn(void *vcpu, KVMVCPUExit *exit);
int guest_run_until_hlt(GuestStepFn *step, void *vcpu, uint16_t sync_port,
                        void (*fn)(void *opaque), void *opaque,
                        KVMVCPUExit *exit);

#endif
