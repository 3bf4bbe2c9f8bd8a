/*
 * Test support: a software vCPU that runs guest-code.h programs without
 * KVM, so that the guest side of a KVM test also runs (and is checked)
 * on hosts with no /dev/kvm.  It executes exactly the instructions the
 * assembler emits, and stops on anything else.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_GUEST_INTERP_H
#define TESTS_GUEST_INTERP_H

#include "sysemu/kvm.h"
#include "guest-code.h"

/*
 * A machine shaped like KVMGuest (kvm-guest.h): RAM at guest-physical
 * 0, 4 KiB pages of the VMM mapped at chosen addresses (what a memory
 * slot does), and a doorbell port whose 1-byte `out` signals an eventfd
 * and does not stop the vCPU (what an ioeventfd does).
 *
 * Exits are reported as KVMVCPUExit, with the same meaning:
 *   IO              an `out` to any other port (io.data holds al)
 *   HLT             `hlt`; running again continues after it
 *   MMIO            an access outside RAM and the mapped pages; the
 *                   instruction is not done, running again repeats it
 *   INTERNAL_ERROR  an instruction outside the supported set, or code
 *                   fetched from outside RAM (detail = its address)
 * Only ZF is kept among the flags: the assembler's jumps read no other.
 */
typedef struct GuestInterp GuestInterp;

GuestInterp *guest_interp_new(uint64_t ram_size, uint16_t doorbell_port);
void guest_interp_free(GuestInterp *gi);

uint8_t *guest_interp_ram(GuestInterp *gi);
int guest_interp_doorbell_fd(GuestInterp *gi);
/* Rings of the doorbell since the last call (reads the eventfd). */
uint64_t guest_interp_doorbell_count(GuestInterp *gi);

/* Map the 4 KiB page at host address page to guest-physical gpa. */
void guest_interp_map_page(GuestInterp *gi, uint64_t gpa, void *page);

/* Copy the code into RAM at its base; execution starts there. */
bool guest_interp_load(GuestInterp *gi, GuestCode *code, Error **errp);

/* The vCPU's state, for tests of the interpreter itself. */
uint32_t guest_interp_reg(GuestInterp *gi, GuestReg reg);
uint32_t guest_interp_eip(GuestInterp *gi);
bool guest_interp_zf(GuestInterp *gi);

/*
 * Run until the next exit; 0, or -ETIMEDOUT after 10 million
 * instructions without one (a guest spinning without a sync out).
 */
int guest_interp_run(GuestInterp *gi, KVMVCPUExit *exit);

/* As kvm_guest_run_until_hlt(), with the same sync-port protocol. */
int guest_interp_run_until_hlt(GuestInterp *gi, uint16_t sync_port,
                               void (*fn)(void *opaque), void *opaque,
                               KVMVCPUExit *exit);

/*
 * A listing of len bytes of code loaded at base, one instruction a line
 * ("00001000  mov eax, [0xfeff9000]\n"), Intel syntax; an undecodable
 * byte ends it with a "(bad)" line.  The caller frees it.
 */
char *guest_interp_disassemble(const uint8_t *code, size_t len,
                               uint32_t base);

#endif
