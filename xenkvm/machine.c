/*
 * The qemu-xenkvm machine: RAM, the kernel and its boot data, page
 * tables and a GDT for 64-bit entry, the Xen CPUID, COM1, and a run
 * loop that hands port I/O to the UART and hypercalls to the dispatcher.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include "xenkvm/machine.h"
#include "xenkvm/xen-cpuid.h"
#include "sysemu/kvm.h"
#include "sysemu/kvm-xen.h"
#include "hw/i386/x86-boot.h"
#include "hw/i386/serial-8250.h"
#include "hw/i386/kvm/xen_hypercalls.h"
#include "hw/xen/interface/sched.h"

/* Low-memory layout of the 64-bit entry (below the zero page at 0x7000). */
#define XK_GDT          0x1000ULL
#define XK_PML4         0x2000ULL
#define XK_PDPT         0x3000ULL
#define XK_STACK_TOP    0x6ff0ULL
/* Four page directories of 2 MiB pages: the first 4 GiB, identity. */
#define XK_PD           0x9000ULL
#define XK_PD_COUNT     4

#define PTE_P           0x001ULL
#define PTE_RW          0x002ULL
#define PTE_PS          0x080ULL

#define XK_DOMID        1

struct XenKVMMachine {
    XenKVMConfig cfg;
    KVMState *kvm;
    KVMVCPU *cpu;
    uint8_t *ram;
    XenHypercalls *xh;
    Serial8250 uart;
    const char *stopped;        /* set by a shutdown hypercall */
};

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = v >> (8 * i);
    }
}

/* Guest memory for the dispatcher. */
static void *xk_translate(void *opaque, uint64_t gpa, uint64_t len)
{
    XenKVMMachine *m = opaque;

    if (gpa > m->cfg.ram_size || len > m->cfg.ram_size - gpa) {
        return NULL;
    }
    return m->ram + gpa;
}

/* A hypercall argument: contiguous in guest-physical memory. */
static void *xk_translate_arg(void *opaque, uint32_t vcpu, uint64_t va,
                              uint64_t len)
{
    XenKVMMachine *m = opaque;
    uint64_t first, last;

    if (!len || vcpu != 0 || !kvm_vcpu_translate(m->cpu, va, &first) ||
        !kvm_vcpu_translate(m->cpu, va + len - 1, &last) ||
        last - first != len - 1) {
        return NULL;
    }
    return xk_translate(m, first, len);
}

static int xk_map_shared_info(void *opaque, uint64_t gfn)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    /* vcpu_info[0] lives at the start of shared_info until moved. */
    if (!kvm_xen_set_shared_info(m->kvm, gfn, &err) ||
        !kvm_xen_vcpu_set_info(m->cpu, gfn << 12, &err)) {
        return -EINVAL;
    }
    return 0;
}

static int xk_register_vcpu_info(void *opaque, uint32_t vcpu, uint64_t gpa)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    if (vcpu != 0 || !kvm_xen_vcpu_set_info(m->cpu, gpa, &err)) {
        return -EINVAL;
    }
    return 0;
}

static int xk_set_upcall_vector(void *opaque, uint32_t vcpu, uint8_t vec)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    if (vcpu != 0 ||
        !kvm_xen_vcpu_set_upcall_vector(m->cpu, vec, &err)) {
        return -EINVAL;
    }
    return 0;
}

static int xk_set_long_mode(void *opaque)
{
    XenKVMMachine *m = opaque;
    g_autoptr(Error) err = NULL;

    return kvm_xen_set_long_mode(m->kvm, true, &err) ? 0 : -EINVAL;
}

static int xk_shutdown(void *opaque, uint32_t reason)
{
    XenKVMMachine *m = opaque;

    m->stopped = reason == SHUTDOWN_poweroff ? "guest powered off" :
                 reason == SHUTDOWN_reboot ? "guest rebooted" :
                 "guest crashed";
    return 0;
}

/* The per-vCPU upcall vector only: no global callback, no grants. */
static const XenHcallOps xk_hcall_ops = {
    .map_shared_info = xk_map_shared_info,
    .register_vcpu_info = xk_register_vcpu_info,
    .set_upcall_vector = xk_set_upcall_vector,
    .set_long_mode = xk_set_long_mode,
    .shutdown = xk_shutdown,
};

static uint64_t xk_hcall(KVMVCPU *cpu, const KVMXenHcall *hc, void *opaque)
{
    XenKVMMachine *m = opaque;
    XenHcall call = {
        .input = hc->input, .longmode = hc->longmode, .cpl = hc->cpl,
    };

    memcpy(call.params, hc->params, sizeof(call.params));
    return (uint64_t)xen_hcall_dispatch(m->xh, 0, &call);
}

static void xk_serial_tx(void *opaque, uint8_t byte)
{
    XenKVMMachine *m = opaque;

    fputc(byte, m->cfg.serial);
    if (byte == '\n') {
        fflush(m->cfg.serial);
    }
}

/*
 * Loads the kernel, its zero page, command line and initrd into RAM.
 * The initrd is read straight into guest memory, not mapped: a file
 * truncated under a mapping would fault the process, a short read is
 * merely an error.
 */
static bool xk_load_kernel(XenKVMMachine *m, X86BootPlan *plan,
                           Error **errp)
{
    g_autofree gchar *image = NULL;
    g_autoptr(GError) gerr = NULL;
    gsize len;
    X86BootConfig bc = {
        .ram_size = m->cfg.ram_size, .lowmem_end = KVM_RAM_LIMIT,
        .cmdline = m->cfg.cmdline,
    };
    size_t cmdlen = m->cfg.cmdline ? strlen(m->cfg.cmdline) : 0;
    uint64_t need, done = 0;
    FILE *rd = NULL;
    off_t size;
    bool ok = false;

    if (!g_file_get_contents(m->cfg.kernel, &image, &len, &gerr)) {
        error_setg(errp, "cannot read kernel: %s", gerr->message);
        return false;
    }
    if (m->cfg.initrd) {
        /*
         * Its size must be known before it is placed: a pipe cannot
         * seek and a character device seeks to 0, both refused.
         */
        rd = fopen(m->cfg.initrd, "rb");
        if (!rd || fseeko(rd, 0, SEEK_END) < 0 ||
            (size = ftello(rd)) < 0 || fseeko(rd, 0, SEEK_SET) < 0) {
            error_setg_errno(errp, errno, "cannot read initrd %s",
                             m->cfg.initrd);
            goto out;
        }
        if (size == 0) {
            error_setg(errp, "initrd %s is empty", m->cfg.initrd);
            goto out;
        }
        bc.initrd_size = size;
    }
    if (!x86_boot_plan((uint8_t *)image, len, &bc, plan, errp)) {
        error_prepend(errp, "%s: ", m->cfg.kernel);
        goto out;
    }
    need = plan->kernel_addr + MAX(plan->hdr.init_size,
                                   plan->hdr.kernel_size);
    if (need > m->cfg.ram_size) {
        error_setg(errp, "%s needs %" PRIu64 " MiB of RAM at least",
                   m->cfg.kernel, (need + (1 << 20) - 1) >> 20);
        goto out;
    }
    memcpy(m->ram + plan->kernel_addr, image + plan->hdr.kernel_offset,
           plan->hdr.kernel_size);
    memcpy(m->ram + plan->zero_page_addr, plan->zero_page, X86_BP_SIZE);
    if (cmdlen) {
        memcpy(m->ram + plan->cmdline_addr, m->cfg.cmdline, cmdlen);
    }
    m->ram[plan->cmdline_addr + cmdlen] = 0;
    /* The plan kept [initrd_addr, + initrd_size) inside RAM. */
    while (rd && done < plan->initrd_size) {
        size_t n = fread(m->ram + plan->initrd_addr + done, 1,
                         plan->initrd_size - done, rd);

        if (n == 0) {
            error_setg(errp, "initrd %s: %s after %" PRIu64 " of %"
                       PRIu64 " bytes", m->cfg.initrd,
                       ferror(rd) ? "read error" : "shrank", done,
                       plan->initrd_size);
            goto out;
        }
        done += n;
    }
    ok = true;
out:
    if (rd) {
        fclose(rd);
    }
    return ok;
}

/* Identity page tables for the first 4 GiB and a flat 64-bit GDT. */
static void xk_build_tables(XenKVMMachine *m)
{
    uint8_t *r = m->ram;

    put64(r + XK_PML4, XK_PDPT | PTE_P | PTE_RW);
    for (int i = 0; i < XK_PD_COUNT; i++) {
        uint64_t pd = XK_PD + i * 0x1000ULL;

        put64(r + XK_PDPT + 8 * i, pd | PTE_P | PTE_RW);
        for (int j = 0; j < 512; j++) {
            uint64_t pa = ((uint64_t)i << 30) | ((uint64_t)j << 21);

            put64(r + pd + 8 * j, pa | PTE_P | PTE_RW | PTE_PS);
        }
    }
    /* null; 0x08 and 0x10 64-bit code; 0x18 data (Linux's boot GDT). */
    put64(r + XK_GDT, 0);
    put64(r + XK_GDT + 0x08, 0x00af9b000000ffffULL);
    put64(r + XK_GDT + 0x10, 0x00af9b000000ffffULL);
    put64(r + XK_GDT + 0x18, 0x00cf93000000ffffULL);
}

static bool xk_setup_cpu(XenKVMMachine *m, uint64_t entry,
                         uint64_t zero_page, Error **errp)
{
    g_autofree KVMCpuidEntry *sup = NULL;
    g_autofree KVMCpuidEntry *table = NULL;
    unsigned n, tn;

    if (!kvm_vcpu_set_long64(m->cpu, entry, XK_STACK_TOP, XK_PML4, errp) ||
        !kvm_vcpu_set_gdt(m->cpu, XK_GDT, 4 * 8 - 1, errp)) {
        return false;
    }
    sup = kvm_get_supported_cpuid(m->kvm, &n, errp);
    if (!sup) {
        return false;
    }
    table = xen_cpuid_build(sup, n, m->cfg.xen_version, 0, &tn);
    if (!kvm_vcpu_set_cpuid(m->cpu, table, tn, errp) ||
        !kvm_xen_vcpu_set_id(m->cpu, 0, errp)) {
        return false;
    }
    return kvm_vcpu_set_rsi(m->cpu, zero_page, errp);
}

XenKVMMachine *xenkvm_machine_new(const XenKVMConfig *cfg, Error **errp)
{
    g_autofree XenKVMMachine *m = g_new0(XenKVMMachine, 1);
    X86BootPlan *plan = g_new0(X86BootPlan, 1);
    XenHcallConfig hc = {
        .domid = XK_DOMID, .xen_version = cfg->xen_version, .nr_vcpus = 1,
        .max_gfn = cfg->ram_size >> 12,
        .mem = {
            .translate = xk_translate, .translate_arg = xk_translate_arg,
        },
        .ops = &xk_hcall_ops,
    };
    bool ok = false;

    m->cfg = *cfg;
    if (cfg->ram_size < (16 << 20) || cfg->ram_size > KVM_RAM_LIMIT) {
        error_setg(errp, "RAM size %" PRIu64 " MiB: 16 MiB up to %llu MiB"
                   " are supported", cfg->ram_size >> 20,
                   KVM_RAM_LIMIT >> 20);
        goto out;
    }
    hc.mem.opaque = hc.opaque = m;
    m->kvm = kvm_vm_new(errp);
    if (!m->kvm || !kvm_xen_enable(m->kvm, errp) ||
        !kvm_vm_create_irqchip(m->kvm, errp)) {
        goto out;
    }
    m->ram = kvm_vm_add_ram(m->kvm, cfg->ram_size, errp);
    if (!m->ram || !(m->cpu = kvm_vcpu_new(m->kvm, 0, errp))) {
        goto out;
    }
    m->xh = xen_hcall_new(&hc, errp);
    if (!m->xh || !xk_load_kernel(m, plan, errp)) {
        goto out;
    }
    xk_build_tables(m);
    if (!xk_setup_cpu(m, plan->entry64, plan->zero_page_addr, errp)) {
        goto out;
    }
    kvm_vcpu_set_xen_handler(m->cpu, xk_hcall, m);
    serial8250_init(&m->uart, xk_serial_tx, NULL, m);
    ok = true;
out:
    g_free(plan);
    if (!ok) {
        xenkvm_machine_free(g_steal_pointer(&m));
        return NULL;
    }
    return g_steal_pointer(&m);
}

void xenkvm_machine_free(XenKVMMachine *m)
{
    if (!m) {
        return;
    }
    if (m->cfg.serial) {
        fflush(m->cfg.serial);
    }
    xen_hcall_free(m->xh);
    kvm_vcpu_free(m->cpu);
    kvm_vm_free(m->kvm);
    g_free(m);
}

/* Port I/O: COM1 to the UART; elsewhere reads float high. */
static void xk_pio(XenKVMMachine *m, KVMVCPUExit *ex)
{
    uint16_t port = ex->io.port;
    uint8_t *d = ex->io.data;

    for (uint32_t i = 0; i < ex->io.count; i++, d += ex->io.size) {
        bool com1 = port >= SERIAL_COM1_BASE &&
                    port < SERIAL_COM1_BASE + SERIAL_NR_PORTS;

        if (ex->io.is_write) {
            if (com1) {
                serial8250_write(&m->uart, port - SERIAL_COM1_BASE, d[0]);
            }
        } else if (com1) {
            memset(d, 0, ex->io.size);
            d[0] = serial8250_read(&m->uart, port - SERIAL_COM1_BASE);
        } else {
            memset(d, 0xff, ex->io.size);
        }
    }
}

bool xenkvm_machine_run(XenKVMMachine *m, const char **why, Error **errp)
{
    KVMVCPUExit ex;

    for (;;) {
        int ret = kvm_vcpu_run(m->cpu, &ex);

        if (ret < 0) {
            error_setg_errno(errp, -ret, "KVM_RUN failed");
            return false;
        }
        if (m->stopped) {
            *why = m->stopped;
            return true;
        }
        switch (ex.kind) {
        case KVM_VCPU_EXIT_IO:
            xk_pio(m, &ex);
            break;
        case KVM_VCPU_EXIT_MMIO:
            /* No devices there yet: reads give all ones. */
            if (!ex.mmio.is_write) {
                memset(ex.mmio.data, 0xff, ex.mmio.len);
            }
            break;
        case KVM_VCPU_EXIT_HLT:
            /* The in-kernel LAPIC handles hlt; this is not expected. */
            *why = "guest halted";
            return true;
        case KVM_VCPU_EXIT_SHUTDOWN:
            *why = "guest triple-faulted";
            return true;
        default:
            error_setg(errp, "vCPU exit %s (reason %u, detail 0x%" PRIx64
                       ")", kvm_vcpu_exit_name(ex.kind), ex.reason,
                       ex.detail);
            return false;
        }
    }
}
