/*
 * The qemu-xenkvm machine: RAM, the kernel and its boot data (page
 * tables and a GDT for 64-bit entry, ACPI tables), the Xen CPUID, and
 * the two threads: the vCPU's, which runs the guest and hands its exits
 * to xenkvm-io.c and xenkvm-xen.c, and the main loop's, which serves the
 * store device, the host socket and the terminal.  A guest reboot
 * resets everything here and starts the kernel again.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "qemu/main-loop.h"
#include "machine-int.h"
#include "xenkvm/xen-cpuid.h"
#include "sysemu/kvm-xen.h"
#include "hw/i386/x86-boot.h"
#include "hw/i386/acpi-build.h"

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

#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = v >> (8 * i);
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

/*
 * The Xen CPUID, and the TSC-deadline timer of the in-kernel LAPIC: with
 * it and a known TSC rate the guest needs no timer calibration, which a
 * nested or busy host makes unreliable.
 */
static bool xk_setup_cpuid(XenKVMMachine *m, Error **errp)
{
    g_autofree KVMCpuidEntry *sup = NULL;
    g_autofree KVMCpuidEntry *table = NULL;
    bool deadline = kvm_vm_has_cap(m->kvm, KVM_CAP_TSC_DEADLINE_TIMER);
    unsigned n, tn;

    sup = kvm_get_supported_cpuid(m->kvm, &n, errp);
    if (!sup) {
        return false;
    }
    table = xen_cpuid_build(sup, n, m->cfg.xen_version, 0, &tn);
    for (unsigned i = 0; i < tn && deadline; i++) {
        if (table[i].function == 1) {
            table[i].ecx |= CPUID_1_ECX_TSC_DEADLINE;
        }
    }
    return kvm_vcpu_set_cpuid(m->cpu, table, tn, errp) &&
           kvm_xen_vcpu_set_id(m->cpu, 0, errp);
}

/*
 * The guest's command line: the user's, then what the machine needs the
 * guest to know (docs/system/qemu-xenkvm.md lists it): the TSC rate,
 * since there is no Xen clock and calibrating against the PIT fails on
 * nested hosts, and that the TSC is reliable: KVM keeps it constant, and
 * the only watchdog the guest has (jiffies) drifts when the host is
 * busy.  A setting the user gave wins.
 */
static char *xk_cmdline(XenKVMMachine *m)
{
    const char *user = m->user_cmdline ? m->user_cmdline : "";
    GString *s = g_string_new(user);
    uint32_t khz = kvm_vcpu_tsc_khz(m->cpu);

    if (khz && !strstr(user, "tsc_early_khz=")) {
        g_string_append_printf(s, "%stsc_early_khz=%u", s->len ? " " : "",
                               khz);
    }
    if (!strstr(user, "tsc=")) {
        g_string_append_printf(s, "%stsc=reliable", s->len ? " " : "");
    }
    return g_string_free(s, false);
}

/* Kernel, boot data, ACPI and registers: the state of power-on. */
static bool xk_boot(XenKVMMachine *m, Error **errp)
{
    g_autofree X86BootPlan *plan = g_new0(X86BootPlan, 1);
    AcpiConfig ac = {
        .base = XK_ACPI_BASE, .pm_base = XK_PM_BASE, .sci_irq = XK_SCI_IRQ,
    };
    AcpiTables at;

    if (!xk_load_kernel(m, plan, errp)) {
        return false;
    }
    acpi_build(&ac, &at);
    memcpy(m->ram + XK_ACPI_BASE, at.blob->data, at.blob->len);
    x86_boot_set_rsdp(plan, at.rsdp_addr);
    memcpy(m->ram + plan->zero_page_addr, plan->zero_page, X86_BP_SIZE);
    acpi_tables_free(&at);
    xk_build_tables(m);
    return kvm_vcpu_set_long64(m->cpu, plan->entry64, XK_STACK_TOP,
                               XK_PML4, errp) &&
           kvm_vcpu_set_gdt(m->cpu, XK_GDT, 4 * 8 - 1, errp) &&
           kvm_vcpu_set_rsi(m->cpu, plan->zero_page_addr, errp);
}

void xk_lock(XenKVMMachine *m)
{
    g_mutex_lock(&m->lock);
}

void xk_unlock(XenKVMMachine *m)
{
    g_mutex_unlock(&m->lock);
}

void xk_request_stop(XenKVMMachine *m, XkStop why, const char *msg)
{
    if (m->stop == XK_RUNNING) {
        m->stop = why;
        g_free(m->stop_msg);
        m->stop_msg = g_strdup(msg);
    }
    g_main_context_wakeup(NULL);
}

XenKVMMachine *xenkvm_machine_new(const XenKVMConfig *cfg, Error **errp)
{
    g_autofree XenKVMMachine *m = g_new0(XenKVMMachine, 1);

    m->cfg = *cfg;
    m->cfg.ram_size = cfg->ram_size;
    m->user_cmdline = g_strdup(cfg->cmdline);
    m->cfg.domid = cfg->domid ? cfg->domid : XK_DEFAULT_DOMID;
    g_mutex_init(&m->lock);
    if (cfg->ram_size < (16 << 20) || cfg->ram_size > XK_RAM_LIMIT) {
        error_setg(errp, "RAM size %" PRIu64 " MiB: 16 MiB up to %u MiB"
                   " are supported", cfg->ram_size >> 20,
                   XK_RAM_LIMIT >> 20);
        goto fail;
    }
    m->kvm = kvm_vm_new(errp);
    if (!m->kvm || !kvm_xen_enable(m->kvm, errp) ||
        !kvm_vm_create_irqchip(m->kvm, errp)) {
        goto fail;
    }
    m->ram = kvm_vm_add_ram(m->kvm, cfg->ram_size, errp);
    if (!m->ram || !(m->cpu = kvm_vcpu_new(m->kvm, 0, errp)) ||
        !xk_setup_cpuid(m, errp)) {
        goto fail;
    }
    m->cmdline = xk_cmdline(m);
    m->cfg.cmdline = m->cmdline;
    xk_io_init(m);
    if (!xk_xen_init(m, errp) || !xk_pv_init(m, errp) ||
        !xk_boot(m, errp) || !xk_xen_reset(m, errp) ||
        !xk_pv_reset(m, errp)) {
        goto fail;
    }
    return g_steal_pointer(&m);
fail:
    xenkvm_machine_free(g_steal_pointer(&m));
    return NULL;
}

void xenkvm_machine_free(XenKVMMachine *m)
{
    if (!m) {
        return;
    }
    if (m->cfg.serial) {
        fflush(m->cfg.serial);
    }
    xk_io_fini(m);
    xk_pv_fini(m);
    xk_xen_fini(m);
    kvm_vcpu_free(m->cpu);
    kvm_vm_free(m->kvm);
    g_mutex_clear(&m->lock);
    g_free(m->stop_msg);
    g_free(m->cmdline);
    g_free(m->user_cmdline);
    g_free(m);
}

/* One exit of the vCPU, under the lock. */
static void xk_handle_exit(XenKVMMachine *m, KVMVCPUExit *ex)
{
    char *msg;

    switch (ex->kind) {
    case KVM_VCPU_EXIT_IO:
        for (uint32_t i = 0; i < ex->io.count; i++) {
            xk_io_pio(m, ex->io.port, ex->io.size, ex->io.is_write,
                      ex->io.data + i * ex->io.size);
        }
        break;
    case KVM_VCPU_EXIT_MMIO:
        xk_io_mmio(m, ex->mmio.addr, ex->mmio.len, ex->mmio.is_write,
                   ex->mmio.data);
        break;
    case KVM_VCPU_EXIT_XEN_HCALL:
        *ex->xen.result = xk_xen_hypercall(m, &ex->xen.hcall);
        break;
    case KVM_VCPU_EXIT_SHUTDOWN:
        xk_request_stop(m, XK_TRIPLE_FAULT, "the guest triple-faulted");
        break;
    default:
        msg = g_strdup_printf("vCPU exit %s (KVM exit reason %u, detail "
                              "0x%" PRIx64 ")", kvm_vcpu_exit_name(ex->kind),
                              ex->reason, ex->detail);
        xk_request_stop(m, XK_ERROR, msg);
        g_free(msg);
        break;
    }
}

/* The vCPU thread: runs the guest until something asks to stop. */
static gpointer xk_vcpu_thread(gpointer opaque)
{
    XenKVMMachine *m = opaque;
    KVMVCPUExit ex;

    for (;;) {
        int ret = kvm_vcpu_run(m->cpu, &ex);

        xk_lock(m);
        if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
            char *msg = g_strdup_printf("KVM_RUN failed: %s",
                                        g_strerror(-ret));

            xk_request_stop(m, XK_ERROR, msg);
            g_free(msg);
        } else if (ret >= 0) {
            xk_handle_exit(m, &ex);
        }
        if (m->stop != XK_RUNNING) {
            xk_unlock(m);
            return NULL;
        }
        xk_unlock(m);
    }
}

/* GLib polls without the lock, so the vCPU thread can take it. */
static XenKVMMachine *xk_polling;

static gint xk_poll(GPollFD *fds, guint nfds, gint timeout)
{
    gint ret;

    xk_unlock(xk_polling);
    ret = g_poll(fds, nfds, timeout);
    xk_lock(xk_polling);
    return ret;
}

/* A reboot: a fresh machine with the same store, as after power-on. */
static bool xk_reset(XenKVMMachine *m, Error **errp)
{
    /* Fresh zero pages for RAM, as a power cycle gives. */
    if (madvise(m->ram, m->cfg.ram_size, MADV_DONTNEED) < 0) {
        memset(m->ram, 0, m->cfg.ram_size);
    }
    if (!kvm_vm_reset_irqchip(m->kvm, errp) ||
        !kvm_vcpu_reset(m->cpu, errp)) {
        return false;
    }
    xk_io_reset(m);
    if (!xk_boot(m, errp) || !xk_xen_reset(m, errp) ||
        !xk_pv_reset(m, errp)) {
        return false;
    }
    m->stop = XK_RUNNING;
    return true;
}

XenKVMStatus xenkvm_machine_run(XenKVMMachine *m, const char **why)
{
    GMainContext *ctx = g_main_context_default();
    g_autoptr(Error) err = NULL;

    xk_polling = m;
    g_main_context_set_poll_func(ctx, xk_poll);
    xk_lock(m);
    for (;;) {
        m->vcpu_thread = g_thread_new("vcpu0", xk_vcpu_thread, m);
        while (m->stop == XK_RUNNING) {
            main_loop_wait(false);
        }
        xk_unlock(m);
        g_thread_join(m->vcpu_thread);
        xk_lock(m);
        m->vcpu_thread = NULL;
        if (m->stop != XK_REBOOT || m->cfg.no_reboot) {
            break;
        }
        if (!xk_reset(m, &err)) {
            g_free(m->stop_msg);
            m->stop_msg = g_strdup_printf("reboot failed: %s",
                                          error_get_pretty(err));
            m->stop = XK_ERROR;
            break;
        }
    }
    xk_unlock(m);
    g_main_context_set_poll_func(ctx, NULL);
    *why = m->stop_msg;
    switch (m->stop) {
    case XK_POWEROFF:
        return XENKVM_POWEROFF;
    case XK_REBOOT:
        return XENKVM_REBOOT;
    case XK_CRASH:
        return XENKVM_CRASH;
    case XK_TRIPLE_FAULT:
        return XENKVM_TRIPLE_FAULT;
    default:
        return XENKVM_ERROR;
    }
}
