/*
 * The KVM layer's Xen interface on a Xen-capable /dev/kvm: a guest's
 * vmcall/vmmcall (32- and 64-bit) reaches the VMM as a hypercall exit
 * and the VMM's result reaches the guest; shared info, vcpu_info and
 * event delivery.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <cpuid.h>
#include <linux/kvm.h>
#include "sysemu/kvm-xen.h"
#include "../unit/guest-code.h"

#define RAM_SIZE        (1024 * 1024)
#define CODE_ADDR       0x1000
#define RESULT_ADDR     0x2000      /* the guest stores EAX here */
#define SHINFO_GFN      0x10
#define SHINFO_ADDR     (SHINFO_GFN * 4096)

/* 64-bit shared_info / vcpu_info layout (Xen's public xen.h) */
#define SHINFO_EVTCHN_PENDING   0x800
#define SHINFO_EVTCHN_MASK      0xa00
#define VCPU_INFO_UPCALL_PENDING 0  /* uint8_t */
#define VCPU_INFO_PENDING_SEL   8   /* unsigned long */

#define HVMOP_HCALL     34          /* __HYPERVISOR_hvm_op */
#define UPCALL_VECTOR   0xf3

/* The two hypercalls the guest makes and the results the VMM gives. */
static const uint32_t hcall_args[2][6] = {
    { 0x11111101, 0x22222202, 0x33333303, 0x44444404, 0x55555505,
      0x66666606 },
    { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 },
};
static const uint32_t hcall_input[2] = { HVMOP_HCALL, 0x7f };
static const uint32_t hcall_result[2] = { 0x5eed1234, 0xffffffda };

typedef struct XenGuest {
    KVMState *s;
    KVMVCPU *cpu;
    uint8_t *ram;
} XenGuest;

static bool cpu_is_amd(void)
{
    unsigned int a, b, c, d;

    if (!__get_cpuid(0, &a, &b, &c, &d)) {
        return false;
    }
    /* "AuthenticAMD" or "HygonGenuine": EBX holds the first 4 bytes */
    return (b == 0x68747541 && d == 0x69746e65) ||
           (b == 0x6f677948 && d == 0x6e65476e);
}

/* vmmcall (0f 01 d9) on AMD, vmcall (0f 01 c1) on Intel: as Linux does */
static void guest_xen_hypercall(GuestCode *c)
{
    uint8_t insn[3] = { 0x0f, 0x01, cpu_is_amd() ? 0xd9 : 0xc1 };

    g_byte_array_append(c->bytes, insn, sizeof(insn));
}

/*
 * For each hypercall: eax = number, ebx ecx edx esi edi ebp = arguments
 * (the 32-bit Xen ABI), vmmcall, then [RESULT_ADDR + 4 * i] = eax.
 */
static void build_guest(GuestCode *c)
{
    static const GuestReg arg_regs[6] = {
        GUEST_EBX, GUEST_ECX, GUEST_EDX, GUEST_ESI, GUEST_EDI, GUEST_EBP,
    };

    guest_code_init(c, CODE_ADDR);
    for (int i = 0; i < 2; i++) {
        guest_mov_imm32(c, GUEST_EAX, hcall_input[i]);
        for (int j = 0; j < 6; j++) {
            guest_mov_imm32(c, arg_regs[j], hcall_args[i][j]);
        }
        guest_xen_hypercall(c);
        guest_store32(c, RESULT_ADDR + 4 * i, GUEST_EAX);
    }
    guest_hlt(c);
}

/* NULL (test skipped, with the reason) where KVM has no Xen support. */
static XenGuest *xen_guest_new(void)
{
    g_autoptr(Error) err = NULL;
    XenGuest *g;

    if (!kvm_xen_check_host(NULL, &err)) {
        g_test_skip(error_get_pretty(err));
        return NULL;
    }
    g = g_new0(XenGuest, 1);
    g->s = kvm_vm_new(&error_abort);
    kvm_xen_enable(g->s, &error_abort);
    g->ram = kvm_vm_add_ram(g->s, RAM_SIZE, &error_abort);
    g->cpu = kvm_vcpu_new(g->s, 0, &error_abort);
    return g;
}

static void xen_guest_free(XenGuest *g)
{
    kvm_vcpu_free(g->cpu);
    kvm_vm_free(g->s);
    g_free(g);
}

static void load_guest(XenGuest *g)
{
    GuestCode code;

    build_guest(&code);
    memcpy(g->ram + code.base, code.bytes->data, code.bytes->len);
    kvm_vcpu_set_flat32(g->cpu, code.base, RAM_SIZE, &error_abort);
    guest_code_free(&code);
}

static void check_hcall(const KVMXenHcall *h, int n)
{
    g_assert_cmpint(n, <, 2);
    g_assert_cmphex(h->input, ==, hcall_input[n]);
    for (int j = 0; j < 6; j++) {
        g_assert_cmphex(h->params[j], ==, hcall_args[n][j]);
    }
    g_assert_false(h->longmode);
    g_assert_cmpuint(h->cpl, ==, 0);
}

static void check_results(XenGuest *g)
{
    for (int i = 0; i < 2; i++) {
        uint32_t r;

        memcpy(&r, g->ram + RESULT_ADDR + 4 * i, sizeof(r));
        g_assert_cmphex(r, ==, hcall_result[i]);
    }
}

static void test_check_host(void)
{
    g_autoptr(Error) err = NULL;
    int caps;

    if (!kvm_xen_check_host(&caps, &err)) {
        g_test_skip(error_get_pretty(err));
        return;
    }
    g_test_message("KVM_CAP_XEN_HVM = 0x%x", caps);
    g_assert_cmphex(caps & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL, !=, 0);
    g_assert_cmphex(caps & KVM_XEN_HVM_CONFIG_SHARED_INFO, !=, 0);
}

/* Without a handler: each hypercall comes back from kvm_vcpu_run(). */
static void test_hcall_exit(void)
{
    XenGuest *g = xen_guest_new();
    KVMVCPUExit exit;
    int n = 0;

    if (!g) {
        return;
    }
    load_guest(g);
    for (;;) {
        g_assert_cmpint(kvm_vcpu_run(g->cpu, &exit), ==, 0);
        if (exit.kind != KVM_VCPU_EXIT_XEN_HCALL) {
            break;
        }
        check_hcall(&exit.xen.hcall, n);
        *exit.xen.result = hcall_result[n++];
    }
    g_assert_cmpstr(kvm_vcpu_exit_name(exit.kind), ==, "hlt");
    g_assert_cmpint(n, ==, 2);
    check_results(g);
    g_test_message("guest on a %s CPU: 2 hypercalls seen, results in EAX",
                   cpu_is_amd() ? "AMD (vmmcall)" : "Intel (vmcall)");
    xen_guest_free(g);
}

static uint64_t test_handler(KVMVCPU *cpu, const KVMXenHcall *h,
                             void *opaque)
{
    int *n = opaque;

    check_hcall(h, *n);
    return hcall_result[(*n)++];
}

/* With a handler: the run loop answers, the next exit is the hlt. */
static void test_hcall_handler(void)
{
    XenGuest *g = xen_guest_new();
    KVMVCPUExit exit;
    int n = 0;

    if (!g) {
        return;
    }
    load_guest(g);
    kvm_vcpu_set_xen_handler(g->cpu, test_handler, &n);
    g_assert_cmpint(kvm_vcpu_run(g->cpu, &exit), ==, 0);
    g_assert_cmpstr(kvm_vcpu_exit_name(exit.kind), ==, "hlt");
    g_assert_cmpint(n, ==, 2);
    check_results(g);
    xen_guest_free(g);
}

/*
 * 64-bit mode: identity-mapped 2 MiB page through PML4 -> PDPT -> PD,
 * the hypercall in the 64-bit ABI (rax; rdi rsi rdx r10 r8 r9), and a
 * 64-bit result.
 */
#define PML4_ADDR       0x3000
#define VCPUOP_HCALL    24          /* __HYPERVISOR_vcpu_op */

static const uint64_t hcall64_args[6] = {
    0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x1122334455667788ULL,
    0x8877665544332211ULL, 0x0f0e0d0c0b0a0908ULL, 0x7060504030201000ULL,
};
#define HCALL64_RESULT  0xfffffffffffffff2ULL   /* -14, all 64 bits */

static void emit(GuestCode *c, const uint8_t *b, size_t n)
{
    g_byte_array_append(c->bytes, b, n);
}

/* mov r64, imm64: REX.W (+B for r8-r15), B8 + low 3 bits of the reg */
static void mov_imm64(GuestCode *c, uint8_t rex, uint8_t op, uint64_t v)
{
    uint8_t b[10] = { rex, op };

    for (int i = 0; i < 8; i++) {
        b[2 + i] = v >> (8 * i);
    }
    emit(c, b, sizeof(b));
}

static void build_guest64(GuestCode *c)
{
    /* rdi, rsi, rdx, r10, r8, r9 */
    static const uint8_t rex[6] = { 0x48, 0x48, 0x48, 0x49, 0x49, 0x49 };
    static const uint8_t op[6] = { 0xbf, 0xbe, 0xba, 0xba, 0xb8, 0xb9 };
    /* mov [RESULT_ADDR], rax (SIB, no base: absolute); hlt */
    const uint8_t store[9] = { 0x48, 0x89, 0x04, 0x25, RESULT_ADDR & 0xff,
                               RESULT_ADDR >> 8, 0, 0, 0xf4 };

    guest_code_init(c, CODE_ADDR);
    mov_imm64(c, 0x48, 0xb8, VCPUOP_HCALL);             /* rax */
    for (int j = 0; j < 6; j++) {
        mov_imm64(c, rex[j], op[j], hcall64_args[j]);
    }
    guest_xen_hypercall(c);
    emit(c, store, sizeof(store));
}

static uint64_t handler64(KVMVCPU *cpu, const KVMXenHcall *h, void *opaque)
{
    int *n = opaque;

    (*n)++;
    g_assert_cmphex(h->input, ==, VCPUOP_HCALL);
    for (int j = 0; j < 6; j++) {
        g_assert_cmphex(h->params[j], ==, hcall64_args[j]);
    }
    g_assert_true(h->longmode);
    g_assert_cmpuint(h->cpl, ==, 0);
    return HCALL64_RESULT;
}

static void test_hcall_long(void)
{
    XenGuest *g = xen_guest_new();
    uint64_t pt[3] = {
        (PML4_ADDR + 0x1000) | 3,       /* PML4[0] -> PDPT, present+rw */
        (PML4_ADDR + 0x2000) | 3,       /* PDPT[0] -> PD */
        0x83,                           /* PD[0]: 2 MiB page at 0 */
    };
    KVMVCPUExit exit;
    GuestCode code;
    uint64_t r;
    int n = 0;

    if (!g) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        memcpy(g->ram + PML4_ADDR + 0x1000 * i, &pt[i], sizeof(pt[i]));
    }
    build_guest64(&code);
    memcpy(g->ram + code.base, code.bytes->data, code.bytes->len);
    kvm_vcpu_set_long64(g->cpu, code.base, RAM_SIZE, PML4_ADDR,
                        &error_abort);
    guest_code_free(&code);
    kvm_vcpu_set_xen_handler(g->cpu, handler64, &n);
    g_assert_cmpint(kvm_vcpu_run(g->cpu, &exit), ==, 0);
    g_assert_cmpstr(kvm_vcpu_exit_name(exit.kind), ==, "hlt");
    g_assert_cmpint(n, ==, 1);
    memcpy(&r, g->ram + RESULT_ADDR, sizeof(r));
    g_assert_cmphex(r, ==, HCALL64_RESULT);
    xen_guest_free(g);
}

static uint64_t read64(XenGuest *g, uint64_t gpa)
{
    uint64_t v;

    memcpy(&v, g->ram + gpa, sizeof(v));
    return v;
}

/*
 * KVM_XEN_HVM_EVTCHN_SEND (api.rst): the port's bit in shared_info's
 * evtchn_pending; unless masked, its word's bit in evtchn_pending_sel
 * and upcall_pending in the vCPU's vcpu_info.
 */
static void test_evtchn_send(void)
{
    XenGuest *g = xen_guest_new();
    uint64_t vinfo = SHINFO_ADDR;   /* vcpu_info[0] inside shared_info */
    uint64_t gfn;
    bool lm = false;

    if (!g) {
        return;
    }
    kvm_xen_set_long_mode(g->s, true, &error_abort);
    kvm_xen_get_long_mode(g->s, &lm, &error_abort);
    g_assert_true(lm);
    kvm_xen_set_shared_info(g->s, SHINFO_GFN, &error_abort);
    kvm_xen_get_shared_info(g->s, &gfn, &error_abort);
    g_assert_cmphex(gfn, ==, SHINFO_GFN);
    kvm_xen_vcpu_set_id(g->cpu, 0, &error_abort);
    kvm_xen_vcpu_set_info(g->cpu, vinfo, &error_abort);
    kvm_xen_vcpu_set_upcall_vector(g->cpu, UPCALL_VECTOR, &error_abort);

    /* Port 70 (word 1, bit 6) masked; port 5 (word 0, bit 5) not. */
    g->ram[SHINFO_ADDR + SHINFO_EVTCHN_MASK + 8] = 1 << 6;
    g_assert_cmphex(read64(g, SHINFO_ADDR + SHINFO_EVTCHN_PENDING), ==, 0);
    kvm_xen_evtchn_send(g->s, 70, 0, &error_abort);
    g_assert_cmphex(read64(g, SHINFO_ADDR + SHINFO_EVTCHN_PENDING + 8), ==,
                    1 << 6);
    g_assert_cmphex(read64(g, vinfo + VCPU_INFO_PENDING_SEL), ==, 0);
    g_assert_cmpuint(g->ram[vinfo + VCPU_INFO_UPCALL_PENDING], ==, 0);

    kvm_xen_evtchn_send(g->s, 5, 0, &error_abort);
    g_assert_cmphex(read64(g, SHINFO_ADDR + SHINFO_EVTCHN_PENDING), ==,
                    1 << 5);
    g_assert_cmphex(read64(g, vinfo + VCPU_INFO_PENDING_SEL), ==, 1);
    g_assert_cmpuint(g->ram[vinfo + VCPU_INFO_UPCALL_PENDING], ==, 1);
    g_test_message("port 5 pending and signalled, masked port 70 "
                   "pending only");

    kvm_xen_clear_shared_info(g->s, &error_abort);
    kvm_xen_get_shared_info(g->s, &gfn, &error_abort);
    g_assert_cmphex(gfn, ==, KVM_XEN_NO_GFN);
    xen_guest_free(g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/kvm-xen/check-host", test_check_host);
    g_test_add_func("/kvm-xen/hcall-exit", test_hcall_exit);
    g_test_add_func("/kvm-xen/hcall-handler", test_hcall_handler);
    g_test_add_func("/kvm-xen/hcall-long", test_hcall_long);
    g_test_add_func("/kvm-xen/evtchn-send", test_evtchn_send);
    return g_test_run();
}
