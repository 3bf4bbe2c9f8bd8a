/*
 * Test support: a software vCPU for guest-code.h programs.  One decoder
 * serves both the interpreter and the disassembler, so what a listing
 * shows is what runs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/eventfd.h>
#include "guest-interp.h"

#define GUEST_PAGE_SIZE     4096
#define GUEST_MAX_PAGES     8
#define GUEST_STEP_LIMIT    10000000
#define GUEST_MAX_INSN      12      /* longest the decoder accepts */

typedef enum GuestOp {
    OP_MOV_R_IMM,       /* b8+r id */
    OP_MOV_R_RM,        /* 8b /r, 8a /r (byte) */
    OP_MOV_RM_R,        /* 89 /r, 88 /r (byte) */
    OP_MOV_RM_IMM,      /* c7 /0 id, c6 /0 ib (byte) */
    OP_ADD_RM_IMM,      /* 81 /0 id */
    OP_CMP_R_RM,        /* 3b /r */
    OP_INC,             /* 40+r */
    OP_DEC,             /* 48+r */
    OP_JE,              /* 0f 84 cd */
    OP_JNE,             /* 0f 85 cd */
    OP_OUT_DX_AL,       /* ee */
    OP_HLT,             /* f4 */
} GuestOp;

/* A ModRM operand: a register, [register] or [disp32]. */
typedef struct GuestOperand {
    bool is_mem;
    bool has_base;
    GuestReg reg;       /* the register, or the base register */
    uint32_t disp;
} GuestOperand;

typedef struct GuestInsn {
    GuestOp op;
    unsigned int len;
    unsigned int size;  /* operand size: 1 or 4 */
    GuestReg reg;       /* ModRM reg field, or the register of +r forms */
    GuestOperand rm;
    uint32_t imm;       /* immediate, or the jump target */
} GuestInsn;

typedef struct GuestPage {
    uint64_t gpa;
    uint8_t *host;
} GuestPage;

struct GuestInterp {
    uint8_t *ram;
    uint64_t ram_size;
    GuestPage pages[GUEST_MAX_PAGES];
    unsigned int nr_pages;
    uint16_t doorbell_port;
    int doorbell_fd;
    uint32_t regs[8];
    uint32_t eip;
    bool zf;
    uint8_t io_byte;            /* exit->io.data for an out */
    uint8_t mmio_buf[4];        /* exit->mmio.data */
};

static const char *const reg32_names[8] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
};
static const char *const reg8_names[8] = {
    "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh",
};

/* ---- decoding ---- */

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * ModRM at p (avail bytes): mod 00 with a base register or disp32, or
 * mod 11.  Returns the bytes used, or 0 for forms the assembler never
 * emits (SIB, displacements with a base).
 */
static unsigned int decode_modrm(const uint8_t *p, size_t avail,
                                 GuestInsn *insn)
{
    uint8_t mod, rm;

    if (avail < 1) {
        return 0;
    }
    mod = p[0] >> 6;
    rm = p[0] & 7;
    insn->reg = (p[0] >> 3) & 7;
    memset(&insn->rm, 0, sizeof(insn->rm));
    if (mod == 3) {
        insn->rm.reg = rm;
        return 1;
    }
    if (mod != 0 || rm == 4) {
        return 0;
    }
    insn->rm.is_mem = true;
    if (rm == 5) {
        if (avail < 5) {
            return 0;
        }
        insn->rm.disp = get32(p + 1);
        return 5;
    }
    insn->rm.has_base = true;
    insn->rm.reg = rm;
    return 1;
}

/* Decode one instruction at eip; false if it is not one we run. */
static bool guest_decode(const uint8_t *p, size_t avail, uint32_t eip,
                         GuestInsn *insn)
{
    unsigned int n;
    uint8_t b;

    if (avail < 1) {
        return false;
    }
    memset(insn, 0, sizeof(*insn));
    insn->size = 4;
    b = p[0];
    if (b >= 0xb8 && b <= 0xbf) {
        if (avail < 5) {
            return false;
        }
        insn->op = OP_MOV_R_IMM;
        insn->reg = b - 0xb8;
        insn->imm = get32(p + 1);
        insn->len = 5;
        return true;
    }
    if (b >= 0x40 && b <= 0x4f) {
        insn->op = b < 0x48 ? OP_INC : OP_DEC;
        insn->reg = b & 7;
        insn->len = 1;
        return true;
    }
    switch (b) {
    case 0x8a:
    case 0x8b:
    case 0x88:
    case 0x89:
    case 0x3b:
        n = decode_modrm(p + 1, avail - 1, insn);
        if (!n) {
            return false;
        }
        insn->op = b == 0x3b ? OP_CMP_R_RM :
                   (b & 2) ? OP_MOV_R_RM : OP_MOV_RM_R;
        insn->size = (b & 1) ? 4 : 1;
        insn->len = 1 + n;
        return true;
    case 0xc6:
    case 0xc7:
    case 0x81:
        n = decode_modrm(p + 1, avail - 1, insn);
        insn->size = b == 0xc6 ? 1 : 4;
        if (!n || insn->reg != 0 || avail < 1 + n + insn->size) {
            return false;
        }
        insn->op = b == 0x81 ? OP_ADD_RM_IMM : OP_MOV_RM_IMM;
        insn->imm = insn->size == 1 ? p[1 + n] : get32(p + 1 + n);
        insn->len = 1 + n + insn->size;
        return true;
    case 0x0f:
        if (avail < 6 || (p[1] != 0x84 && p[1] != 0x85)) {
            return false;
        }
        insn->op = p[1] == 0x84 ? OP_JE : OP_JNE;
        insn->len = 6;
        insn->imm = eip + 6 + get32(p + 2);
        return true;
    case 0xee:
        insn->op = OP_OUT_DX_AL;
        insn->len = 1;
        return true;
    case 0xf4:
        insn->op = OP_HLT;
        insn->len = 1;
        return true;
    default:
        return false;
    }
}

/* ---- listing ---- */

static void format_operand(GString *out, const GuestInsn *insn,
                           const GuestOperand *o)
{
    if (!o->is_mem) {
        g_string_append(out, insn->size == 1 ? reg8_names[o->reg]
                                              : reg32_names[o->reg]);
    } else if (o->has_base) {
        g_string_append_printf(out, "[%s]", reg32_names[o->reg]);
    } else {
        g_string_append_printf(out, "[0x%x]", o->disp);
    }
}

static const char *reg_name(const GuestInsn *insn, GuestReg r)
{
    return insn->size == 1 ? reg8_names[r] : reg32_names[r];
}

static void format_insn(GString *out, const GuestInsn *insn)
{
    switch (insn->op) {
    case OP_MOV_R_IMM:
        g_string_append_printf(out, "mov %s, 0x%x", reg32_names[insn->reg],
                               insn->imm);
        break;
    case OP_MOV_R_RM:
    case OP_CMP_R_RM:
        g_string_append_printf(out, "%s %s, ",
                               insn->op == OP_CMP_R_RM ? "cmp" : "mov",
                               reg_name(insn, insn->reg));
        format_operand(out, insn, &insn->rm);
        break;
    case OP_MOV_RM_R:
        g_string_append(out, "mov ");
        format_operand(out, insn, &insn->rm);
        g_string_append_printf(out, ", %s", reg_name(insn, insn->reg));
        break;
    case OP_MOV_RM_IMM:
    case OP_ADD_RM_IMM:
        g_string_append(out, insn->op == OP_ADD_RM_IMM ? "add " : "mov ");
        if (insn->rm.is_mem) {
            g_string_append(out, insn->size == 1 ? "byte " : "dword ");
        }
        format_operand(out, insn, &insn->rm);
        g_string_append_printf(out, ", 0x%x", insn->imm);
        break;
    case OP_INC:
    case OP_DEC:
        g_string_append_printf(out, "%s %s",
                               insn->op == OP_INC ? "inc" : "dec",
                               reg32_names[insn->reg]);
        break;
    case OP_JE:
    case OP_JNE:
        g_string_append_printf(out, "%s 0x%x",
                               insn->op == OP_JE ? "je" : "jne", insn->imm);
        break;
    case OP_OUT_DX_AL:
        g_string_append(out, "out dx, al");
        break;
    case OP_HLT:
        g_string_append(out, "hlt");
        break;
    }
}

char *guest_interp_disassemble(const uint8_t *code, size_t len,
                               uint32_t base)
{
    GString *out = g_string_new(NULL);
    size_t off = 0;

    while (off < len) {
        GuestInsn insn;

        g_string_append_printf(out, "%08x  ", base + (uint32_t)off);
        if (!guest_decode(code + off, len - off, base + off, &insn)) {
            g_string_append(out, "(bad)\n");
            break;
        }
        format_insn(out, &insn);
        g_string_append_c(out, '\n');
        off += insn.len;
    }
    return g_string_free(out, false);
}

/* ---- the machine ---- */

GuestInterp *guest_interp_new(uint64_t ram_size, uint16_t doorbell_port)
{
    GuestInterp *gi = g_new0(GuestInterp, 1);

    gi->ram = g_malloc0(ram_size);
    gi->ram_size = ram_size;
    gi->doorbell_port = doorbell_port;
    gi->doorbell_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    g_assert(gi->doorbell_fd >= 0);
    return gi;
}

void guest_interp_free(GuestInterp *gi)
{
    if (!gi) {
        return;
    }
    close(gi->doorbell_fd);
    g_free(gi->ram);
    g_free(gi);
}

uint8_t *guest_interp_ram(GuestInterp *gi)
{
    return gi->ram;
}

int guest_interp_doorbell_fd(GuestInterp *gi)
{
    return gi->doorbell_fd;
}

uint64_t guest_interp_doorbell_count(GuestInterp *gi)
{
    uint64_t count;

    if (read(gi->doorbell_fd, &count, sizeof(count)) != sizeof(count)) {
        return 0;
    }
    return count;
}

void guest_interp_map_page(GuestInterp *gi, uint64_t gpa, void *page)
{
    g_assert(gi->nr_pages < GUEST_MAX_PAGES);
    g_assert(!(gpa % GUEST_PAGE_SIZE) && gpa >= gi->ram_size);
    gi->pages[gi->nr_pages].gpa = gpa;
    gi->pages[gi->nr_pages].host = page;
    gi->nr_pages++;
}

bool guest_interp_load(GuestInterp *gi, GuestCode *code, Error **errp)
{
    uint64_t end = (uint64_t)code->base + code->bytes->len;

    if (end > gi->ram_size) {
        error_setg(errp, "guest code 0x%x+%u does not fit in RAM",
                   code->base, code->bytes->len);
        return false;
    }
    memcpy(gi->ram + code->base, code->bytes->data, code->bytes->len);
    memset(gi->regs, 0, sizeof(gi->regs));
    gi->regs[GUEST_ESP] = gi->ram_size;
    gi->eip = code->base;
    gi->zf = false;
    return true;
}

uint32_t guest_interp_reg(GuestInterp *gi, GuestReg reg)
{
    return gi->regs[reg];
}

uint32_t guest_interp_eip(GuestInterp *gi)
{
    return gi->eip;
}

bool guest_interp_zf(GuestInterp *gi)
{
    return gi->zf;
}

/* Host address of [gpa, gpa + len), all in RAM or in one page; or NULL. */
static uint8_t *guest_memory(GuestInterp *gi, uint32_t gpa, unsigned int len)
{
    uint64_t end = (uint64_t)gpa + len;

    if (end <= gi->ram_size) {
        return gi->ram + gpa;
    }
    for (unsigned int i = 0; i < gi->nr_pages; i++) {
        GuestPage *p = &gi->pages[i];

        if (gpa >= p->gpa && end <= p->gpa + GUEST_PAGE_SIZE) {
            return p->host + (gpa - p->gpa);
        }
    }
    return NULL;
}

static uint32_t get_reg(GuestInterp *gi, GuestReg r, unsigned int size)
{
    if (size == 4) {
        return gi->regs[r];
    }
    /* Byte registers: al cl dl bl, then ah ch dh bh. */
    return r < 4 ? gi->regs[r] & 0xff : (gi->regs[r - 4] >> 8) & 0xff;
}

static void set_reg(GuestInterp *gi, GuestReg r, unsigned int size,
                    uint32_t v)
{
    if (size == 4) {
        gi->regs[r] = v;
    } else if (r < 4) {
        gi->regs[r] = (gi->regs[r] & ~0xffu) | (v & 0xff);
    } else {
        gi->regs[r - 4] = (gi->regs[r - 4] & ~0xff00u) | (v & 0xff) << 8;
    }
}

/* The guest-physical address of a memory operand. */
static uint32_t operand_address(GuestInterp *gi, const GuestOperand *o)
{
    return o->has_base ? gi->regs[o->reg] : o->disp;
}

static void mmio_exit(GuestInterp *gi, uint32_t gpa, unsigned int len,
                      bool is_write, KVMVCPUExit *exit)
{
    exit->kind = KVM_VCPU_EXIT_MMIO;
    exit->mmio.addr = gpa;
    exit->mmio.len = len;
    exit->mmio.is_write = is_write;
    exit->mmio.data = gi->mmio_buf;
}

/* Read an r/m operand; false after filling an MMIO exit. */
static bool read_operand(GuestInterp *gi, const GuestInsn *insn,
                         uint32_t *v, KVMVCPUExit *exit)
{
    uint32_t gpa;
    uint8_t *host;

    if (!insn->rm.is_mem) {
        *v = get_reg(gi, insn->rm.reg, insn->size);
        return true;
    }
    gpa = operand_address(gi, &insn->rm);
    host = guest_memory(gi, gpa, insn->size);
    if (!host) {
        mmio_exit(gi, gpa, insn->size, false, exit);
        return false;
    }
    *v = insn->size == 1 ? host[0] : get32(host);
    return true;
}

static bool write_operand(GuestInterp *gi, const GuestInsn *insn,
                          uint32_t v, KVMVCPUExit *exit)
{
    uint32_t gpa;
    uint8_t *host;

    if (!insn->rm.is_mem) {
        set_reg(gi, insn->rm.reg, insn->size, v);
        return true;
    }
    gpa = operand_address(gi, &insn->rm);
    host = guest_memory(gi, gpa, insn->size);
    if (!host) {
        mmio_exit(gi, gpa, insn->size, true, exit);
        return false;
    }
    for (unsigned int i = 0; i < insn->size; i++) {
        host[i] = v >> (8 * i);
    }
    return true;
}

/*
 * Execute one instruction.  Returns true to go on; false with *exit
 * filled in when the vCPU stops.
 */
static bool guest_step(GuestInterp *gi, KVMVCPUExit *exit)
{
    uint8_t fetch[GUEST_MAX_INSN];
    size_t avail = 0;
    GuestInsn insn;
    uint32_t a, b;

    /* Fetch what RAM has at eip (code never runs from overlay pages). */
    if (gi->eip < gi->ram_size) {
        avail = MIN(sizeof(fetch), gi->ram_size - gi->eip);
        memcpy(fetch, gi->ram + gi->eip, avail);
    }
    if (!guest_decode(fetch, avail, gi->eip, &insn)) {
        exit->kind = KVM_VCPU_EXIT_INTERNAL_ERROR;
        exit->detail = gi->eip;
        return false;
    }
    switch (insn.op) {
    case OP_MOV_R_IMM:
        gi->regs[insn.reg] = insn.imm;
        break;
    case OP_MOV_R_RM:
        if (!read_operand(gi, &insn, &a, exit)) {
            return false;
        }
        set_reg(gi, insn.reg, insn.size, a);
        break;
    case OP_MOV_RM_R:
        if (!write_operand(gi, &insn, get_reg(gi, insn.reg, insn.size),
                           exit)) {
            return false;
        }
        break;
    case OP_MOV_RM_IMM:
        if (!write_operand(gi, &insn, insn.imm, exit)) {
            return false;
        }
        break;
    case OP_ADD_RM_IMM:
        if (!read_operand(gi, &insn, &a, exit) ||
            !write_operand(gi, &insn, a + insn.imm, exit)) {
            return false;
        }
        gi->zf = a + insn.imm == 0;
        break;
    case OP_CMP_R_RM:
        if (!read_operand(gi, &insn, &b, exit)) {
            return false;
        }
        gi->zf = gi->regs[insn.reg] == b;
        break;
    case OP_INC:
    case OP_DEC:
        gi->regs[insn.reg] += insn.op == OP_INC ? 1 : -1;
        gi->zf = gi->regs[insn.reg] == 0;
        break;
    case OP_JE:
    case OP_JNE:
        if (gi->zf == (insn.op == OP_JE)) {
            gi->eip = insn.imm;
            return true;
        }
        break;
    case OP_OUT_DX_AL: {
        uint16_t port = gi->regs[GUEST_EDX];

        gi->eip += insn.len;
        gi->io_byte = gi->regs[GUEST_EAX];
        if (port == gi->doorbell_port) {
            uint64_t one = 1;
            ssize_t n = write(gi->doorbell_fd, &one, sizeof(one));

            g_assert(n == sizeof(one));
            return true;
        }
        exit->kind = KVM_VCPU_EXIT_IO;
        exit->io.port = port;
        exit->io.size = 1;
        exit->io.is_write = true;
        exit->io.count = 1;
        exit->io.data = &gi->io_byte;
        return false;
    }
    case OP_HLT:
        gi->eip += insn.len;
        exit->kind = KVM_VCPU_EXIT_HLT;
        return false;
    }
    gi->eip += insn.len;
    return true;
}

int guest_interp_run(GuestInterp *gi, KVMVCPUExit *exit)
{
    memset(exit, 0, sizeof(*exit));
    for (unsigned int i = 0; i < GUEST_STEP_LIMIT; i++) {
        if (!guest_step(gi, exit)) {
            return 0;
        }
    }
    return -ETIMEDOUT;
}

static int guest_interp_step(void *vcpu, KVMVCPUExit *exit)
{
    return guest_interp_run(vcpu, exit);
}

int guest_interp_run_until_hlt(GuestInterp *gi, uint16_t sync_port,
                               void (*fn)(void *opaque), void *opaque,
                               KVMVCPUExit *exit)
{
    return guest_run_until_hlt(guest_interp_step, gi, sync_port, fn, opaque,
                               exit);
}
