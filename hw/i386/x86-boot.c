/*
 * Linux bzImage loader: reads the setup header (boot protocol 2.12 and
 * later), then plans a 64-bit entry: kernel, zero page, e820 map,
 * command line and initrd, all as bytes and guest addresses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/x86-boot.h"

#define SECTOR 512

static uint16_t get16(const uint8_t *p, size_t off)
{
    return p[off] | (uint16_t)p[off + 1] << 8;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
    return get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
    return get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
    p[off] = v;
    p[off + 1] = v >> 8;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
    put16(p, off, v);
    put16(p, off + 2, v >> 16);
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
    put32(p, off, v);
    put32(p, off + 4, v >> 32);
}

bool x86_setup_header_parse(const uint8_t *image, size_t len,
                            X86SetupHeader *hdr, Error **errp)
{
    size_t end;
    unsigned sects;

    memset(hdr, 0, sizeof(*hdr));
    /* Magic, boot_flag and version first: what says what follows. */
    if (len < X86_HDR_VERSION + 2) {
        error_setg(errp, "kernel image of %zu bytes is too short for a "
                   "setup header", len);
        return false;
    }
    if (get32(image, X86_HDR_MAGIC) != X86_HDR_MAGIC_VALUE) {
        error_setg(errp, "kernel image has no \"HdrS\" magic at 0x%x: "
                   "not a bzImage", X86_HDR_MAGIC);
        return false;
    }
    if (get16(image, X86_HDR_BOOT_FLAG) != X86_BOOT_FLAG_VALUE) {
        error_setg(errp, "kernel image boot_flag is 0x%04x, not 0xaa55",
                   get16(image, X86_HDR_BOOT_FLAG));
        return false;
    }
    hdr->version = get16(image, X86_HDR_VERSION);
    if (hdr->version < X86_BOOT_MIN_VERSION) {
        error_setg(errp, "kernel boot protocol %u.%02u is too old "
                   "(need 2.12 or later for a 64-bit entry)",
                   hdr->version >> 8, hdr->version & 0xff);
        return false;
    }
    /* The header runs to the end of the jump at 0x200. */
    end = X86_HDR_JUMP + 2 + image[X86_HDR_JUMP + 1];
    if (end < X86_HDR_MIN_END) {
        error_setg(errp, "kernel setup header ends at 0x%zx, before the "
                   "fields of protocol 2.12 (0x%x)", end, X86_HDR_MIN_END);
        return false;
    }
    if (end > X86_BP_HDR_END) {
        end = X86_BP_HDR_END;
    }
    if (len < end) {
        error_setg(errp, "kernel image of %zu bytes is cut inside its "
                   "setup header (0x%zx bytes)", len, end);
        return false;
    }
    hdr->header_end = end;
    hdr->setup_sects = image[X86_HDR_SETUP_SECTS];
    hdr->loadflags = image[X86_HDR_LOADFLAGS];
    hdr->initrd_addr_max = get32(image, X86_HDR_INITRD_ADDR_MAX);
    hdr->kernel_alignment = get32(image, X86_HDR_KERNEL_ALIGN);
    hdr->relocatable = image[X86_HDR_RELOCATABLE];
    hdr->xloadflags = get16(image, X86_HDR_XLOADFLAGS);
    hdr->cmdline_size = get32(image, X86_HDR_CMDLINE_SIZE);
    hdr->pref_address = get64(image, X86_HDR_PREF_ADDRESS);
    hdr->init_size = get32(image, X86_HDR_INIT_SIZE);

    if (!(hdr->loadflags & X86_LOADED_HIGH)) {
        error_setg(errp, "kernel is not a bzImage (LOADED_HIGH is clear "
                   "in loadflags 0x%02x)", hdr->loadflags);
        return false;
    }
    if (!(hdr->xloadflags & X86_XLF_KERNEL_64)) {
        error_setg(errp, "kernel has no 64-bit entry (XLF_KERNEL_64 is "
                   "clear in xloadflags 0x%04x)", hdr->xloadflags);
        return false;
    }
    if (hdr->kernel_alignment == 0 ||
        (hdr->kernel_alignment & (hdr->kernel_alignment - 1))) {
        error_setg(errp, "kernel_alignment 0x%x is not a power of two",
                   hdr->kernel_alignment);
        return false;
    }
    if (hdr->init_size == 0) {
        error_setg(errp, "kernel init_size is 0");
        return false;
    }
    sects = hdr->setup_sects ? hdr->setup_sects : 4;
    hdr->kernel_offset = (size_t)(sects + 1) * SECTOR;
    if (len <= hdr->kernel_offset) {
        error_setg(errp, "kernel image of %zu bytes ends before its "
                   "protected-mode code at 0x%zx", len, hdr->kernel_offset);
        return false;
    }
    hdr->kernel_size = len - hdr->kernel_offset;
    return true;
}

static void e820_add(X86BootPlan *plan, uint64_t addr, uint64_t size,
                     uint32_t type)
{
    E820Entry *e;

    g_assert(plan->e820_count < G_N_ELEMENTS(plan->e820));
    e = &plan->e820[plan->e820_count++];
    e->addr = addr;
    e->size = size;
    e->type = type;
}

static bool plan_memory(const X86BootConfig *cfg, X86BootPlan *plan,
                        Error **errp)
{
    uint64_t top = MIN(cfg->ram_size, cfg->lowmem_end);

    top = MIN(top, X86_XEN_SPECIAL_AREA);
    if (top <= X86_BOOT_HIGH_RAM) {
        error_setg(errp, "guest RAM below 4 GiB (0x%" PRIx64 " bytes) "
                   "must reach beyond 1 MiB", top);
        return false;
    }
    plan->ram_below_4g = top;
    plan->e820_count = 0;
    e820_add(plan, 0, X86_BOOT_LOW_RAM_END, E820_RAM);
    e820_add(plan, X86_BOOT_LOW_RAM_END, 0xa0000 - X86_BOOT_LOW_RAM_END,
             E820_RESERVED);
    e820_add(plan, X86_BOOT_BIOS_AREA,
             X86_BOOT_HIGH_RAM - X86_BOOT_BIOS_AREA, E820_RESERVED);
    e820_add(plan, X86_BOOT_HIGH_RAM, top - X86_BOOT_HIGH_RAM, E820_RAM);
    e820_add(plan, X86_XEN_SPECIAL_AREA, X86_XEN_SPECIAL_SIZE,
             E820_RESERVED);
    if (cfg->ram_size > top) {
        e820_add(plan, 1ULL << 32, cfg->ram_size - top, E820_RAM);
    }
    return true;
}

static bool plan_kernel(X86BootPlan *plan, Error **errp)
{
    const X86SetupHeader *h = &plan->hdr;
    uint64_t align = h->kernel_alignment;
    uint64_t addr = h->pref_address;
    uint64_t need = MAX((uint64_t)h->init_size, h->kernel_size);

    /* A bound first, so that neither sum below can wrap. */
    if (addr >= plan->ram_below_4g) {
        error_setg(errp, "kernel prefers 0x%" PRIx64 ", beyond RAM below "
                   "4 GiB (0x%" PRIx64 ")", addr, plan->ram_below_4g);
        return false;
    }
    if (h->relocatable) {
        addr = MAX(addr, X86_BOOT_HIGH_RAM);
        addr = (addr + align - 1) & ~(align - 1);
    } else if (addr < X86_BOOT_HIGH_RAM) {
        error_setg(errp, "kernel is not relocatable and prefers 0x%"
                   PRIx64 ", below 1 MiB", addr);
        return false;
    }
    if (addr > plan->ram_below_4g || need > plan->ram_below_4g - addr) {
        error_setg(errp, "kernel needs 0x%" PRIx64 " bytes at 0x%" PRIx64
                   " but RAM below 4 GiB ends at 0x%" PRIx64, need, addr,
                   plan->ram_below_4g);
        return false;
    }
    plan->kernel_addr = addr;
    plan->entry64 = addr + 0x200;
    return true;
}

/*
 * The initrd goes as high as it may: below both the end of RAM under
 * 4 GiB and the kernel's initrd_addr_max, page-aligned, and wholly
 * above everything else the loader placed (the kernel's init_size
 * reaches furthest, but the command line and zero page are checked too,
 * so that a layout change here cannot make them overlap silently).
 */
static bool plan_initrd(const X86BootConfig *cfg, size_t cmdlen,
                        X86BootPlan *plan, Error **errp)
{
    uint64_t top = MIN(plan->ram_below_4g,
                       (uint64_t)plan->hdr.initrd_addr_max + 1);
    uint64_t floor = plan->kernel_addr +
        MAX((uint64_t)plan->hdr.init_size, plan->hdr.kernel_size);
    uint64_t addr;

    floor = MAX(floor, plan->cmdline_addr + cmdlen + 1);
    floor = MAX(floor, plan->zero_page_addr + X86_BP_SIZE);
    plan->initrd_addr = 0;
    plan->initrd_size = cfg->initrd_size;
    if (!cfg->initrd_size) {
        return true;
    }
    /* Compared before subtracting, so that a huge size cannot wrap. */
    if (cfg->initrd_size > top) {
        goto too_big;
    }
    addr = (top - cfg->initrd_size) & ~(X86_BOOT_PAGE_SIZE - 1);
    if (addr < floor) {
        goto too_big;
    }
    plan->initrd_addr = addr;
    return true;

too_big:
    error_setg(errp, "initrd of 0x%" PRIx64 " bytes does not fit between "
               "the kernel's end 0x%" PRIx64 " and 0x%" PRIx64
               " (the lower of initrd_addr_max + 1 and the end of RAM "
               "below 4 GiB)", cfg->initrd_size, floor, top);
    return false;
}

static void fill_zero_page(const uint8_t *image, const X86BootConfig *cfg,
                           X86BootPlan *plan)
{
    uint8_t *zp = plan->zero_page;
    unsigned i;

    memset(zp, 0, sizeof(plan->zero_page));
    memcpy(zp + X86_HDR_SETUP_SECTS, image + X86_HDR_SETUP_SECTS,
           plan->hdr.header_end - X86_HDR_SETUP_SECTS);
    zp[X86_HDR_TYPE_OF_LOADER] = X86_LOADER_UNDEFINED;
    put32(zp, X86_HDR_CMD_LINE_PTR, plan->cmdline_addr);
    /* The low halves in the header, the high ones in boot_params. */
    put32(zp, X86_HDR_RAMDISK_IMAGE, plan->initrd_addr);
    put32(zp, X86_HDR_RAMDISK_SIZE, plan->initrd_size);
    put32(zp, X86_BP_EXT_RAMDISK_IMG, plan->initrd_addr >> 32);
    put32(zp, X86_BP_EXT_RAMDISK_SIZE, plan->initrd_size >> 32);
    zp[X86_BP_E820_ENTRIES] = plan->e820_count;
    for (i = 0; i < plan->e820_count; i++) {
        size_t off = X86_BP_E820_TABLE + i * 20;

        put64(zp, off, plan->e820[i].addr);
        put64(zp, off + 8, plan->e820[i].size);
        put32(zp, off + 16, plan->e820[i].type);
    }
}

bool x86_boot_plan(const uint8_t *image, size_t len,
                   const X86BootConfig *cfg, X86BootPlan *plan,
                   Error **errp)
{
    size_t cmdlen = cfg->cmdline ? strlen(cfg->cmdline) : 0;

    memset(plan, 0, sizeof(*plan));
    if (!x86_setup_header_parse(image, len, &plan->hdr, errp) ||
        !plan_memory(cfg, plan, errp) || !plan_kernel(plan, errp)) {
        return false;
    }
    if (cmdlen > plan->hdr.cmdline_size ||
        cmdlen >= X86_BOOT_LOW_RAM_END - X86_BOOT_CMDLINE) {
        error_setg(errp, "kernel command line of %zu bytes is longer than "
                   "the kernel's limit of %u", cmdlen,
                   plan->hdr.cmdline_size);
        return false;
    }
    plan->cmdline_addr = X86_BOOT_CMDLINE;
    plan->zero_page_addr = X86_BOOT_ZERO_PAGE;
    if (!plan_initrd(cfg, cmdlen, plan, errp)) {
        return false;
    }
    fill_zero_page(image, cfg, plan);
    return true;
}

void x86_boot_set_rsdp(X86BootPlan *plan, uint64_t rsdp_addr)
{
    put64(plan->zero_page, X86_BP_ACPI_RSDP_ADDR, rsdp_addr);
}
