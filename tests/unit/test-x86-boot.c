/*
 * Tests of the bzImage loader: a synthetic image built here field by
 * field, every check and truncation, the boot plan's exact values, and
 * the header of a real Debian kernel when one is in the cache.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/x86-boot.h"

#define SETUP_SECTS 3
#define KERNEL_BYTES 4096
#define IMAGE_LEN ((SETUP_SECTS + 1) * 512 + KERNEL_BYTES)
#define MiB (1024ULL * 1024)

static void st16(uint8_t *p, size_t off, uint16_t v)
{
    p[off] = v;
    p[off + 1] = v >> 8;
}

static void st32(uint8_t *p, size_t off, uint32_t v)
{
    st16(p, off, v);
    st16(p, off + 2, v >> 16);
}

static uint32_t ld32(const uint8_t *p, size_t off)
{
    return p[off] | p[off + 1] << 8 | p[off + 2] << 16 |
        (uint32_t)p[off + 3] << 24;
}

static uint64_t ld64(const uint8_t *p, size_t off)
{
    return ld32(p, off) | (uint64_t)ld32(p, off + 4) << 32;
}

/* A minimal bzImage of protocol 2.15: header, setup, kernel bytes. */
static uint8_t *make_image(void)
{
    uint8_t *p = g_malloc0(IMAGE_LEN);
    size_t i;

    p[X86_HDR_SETUP_SECTS] = SETUP_SECTS;
    st16(p, X86_HDR_BOOT_FLAG, 0xaa55);
    p[X86_HDR_JUMP] = 0xeb;
    p[X86_HDR_JUMP + 1] = 0x6a;             /* header ends at 0x26c */
    st32(p, X86_HDR_MAGIC, 0x53726448);
    st16(p, X86_HDR_VERSION, 0x020f);
    p[X86_HDR_LOADFLAGS] = 0x01;
    st32(p, X86_HDR_CODE32_START, 0x100000);
    st32(p, X86_HDR_INITRD_ADDR_MAX, 0x7fffffff);
    st32(p, X86_HDR_KERNEL_ALIGN, 0x200000);
    p[X86_HDR_RELOCATABLE] = 1;
    st16(p, X86_HDR_XLOADFLAGS, 0x7f);
    st32(p, X86_HDR_CMDLINE_SIZE, 0x7ff);
    st32(p, X86_HDR_PREF_ADDRESS, 0x1000000);
    st32(p, X86_HDR_INIT_SIZE, 0x800000);
    for (i = (SETUP_SECTS + 1) * 512; i < IMAGE_LEN; i++) {
        p[i] = i * 7;
    }
    return p;
}

static const X86BootConfig cfg_256m = {
    .ram_size = 256 * MiB,
    .lowmem_end = 0xc0000000,
    .cmdline = "console=ttyS0",
};

static void test_parse_fields(void)
{
    g_autofree uint8_t *img = make_image();
    X86SetupHeader h;

    g_assert_true(x86_setup_header_parse(img, IMAGE_LEN, &h, &error_abort));
    g_assert_cmpuint(h.setup_sects, ==, 3);
    g_assert_cmphex(h.version, ==, 0x020f);
    g_assert_cmphex(h.loadflags, ==, 0x01);
    g_assert_cmphex(h.initrd_addr_max, ==, 0x7fffffff);
    g_assert_cmphex(h.kernel_alignment, ==, 0x200000);
    g_assert_cmpuint(h.relocatable, ==, 1);
    g_assert_cmphex(h.xloadflags, ==, 0x7f);
    g_assert_cmphex(h.cmdline_size, ==, 0x7ff);
    g_assert_cmphex(h.pref_address, ==, 0x1000000);
    g_assert_cmphex(h.init_size, ==, 0x800000);
    g_assert_cmphex(h.header_end, ==, 0x26c);
    g_assert_cmphex(h.kernel_offset, ==, 0x800);
    g_assert_cmpuint(h.kernel_size, ==, KERNEL_BYTES);
}

static void test_setup_sects_zero_means_four(void)
{
    g_autofree uint8_t *img = make_image();
    X86SetupHeader h;

    img[X86_HDR_SETUP_SECTS] = 0;
    g_assert_true(x86_setup_header_parse(img, IMAGE_LEN, &h, &error_abort));
    g_assert_cmphex(h.kernel_offset, ==, 5 * 512);
    g_assert_cmpuint(h.kernel_size, ==, IMAGE_LEN - 5 * 512);
}

/* Applies one corruption, expects a refusal naming the problem. */
static void expect_refused(void (*corrupt)(uint8_t *img), const char *msg)
{
    g_autofree uint8_t *img = make_image();
    X86SetupHeader h;
    Error *err = NULL;

    corrupt(img);
    g_assert_false(x86_setup_header_parse(img, IMAGE_LEN, &h, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), msg)) {
        g_error("\"%s\" lacks \"%s\"", error_get_pretty(err), msg);
    }
    error_free(err);
}

static void bad_magic(uint8_t *p) { p[X86_HDR_MAGIC + 3] = 'T'; }
static void bad_flag(uint8_t *p) { st16(p, X86_HDR_BOOT_FLAG, 0); }
static void old_version(uint8_t *p) { st16(p, X86_HDR_VERSION, 0x020b); }
static void not_high(uint8_t *p) { p[X86_HDR_LOADFLAGS] = 0x80; }
static void no_64(uint8_t *p) { st16(p, X86_HDR_XLOADFLAGS, 0x7e); }
static void align0(uint8_t *p) { st32(p, X86_HDR_KERNEL_ALIGN, 0); }
static void align3(uint8_t *p) { st32(p, X86_HDR_KERNEL_ALIGN, 0x3000); }
static void init0(uint8_t *p) { st32(p, X86_HDR_INIT_SIZE, 0); }
static void short_jump(uint8_t *p) { p[X86_HDR_JUMP + 1] = 0x60; }
static void many_sects(uint8_t *p) { p[X86_HDR_SETUP_SECTS] = 40; }

static void test_checks(void)
{
    expect_refused(bad_magic, "\"HdrS\" magic");
    expect_refused(bad_flag, "boot_flag is 0x0000");
    expect_refused(old_version, "protocol 2.11 is too old");
    expect_refused(not_high, "LOADED_HIGH is clear");
    expect_refused(no_64, "XLF_KERNEL_64 is clear in xloadflags 0x007e");
    expect_refused(align0, "kernel_alignment 0x0 is not");
    expect_refused(align3, "kernel_alignment 0x3000 is not");
    expect_refused(init0, "init_size is 0");
    expect_refused(short_jump, "header ends at 0x262");
    expect_refused(many_sects, "ends before its protected-mode code");
}

static void test_version_2_12_accepted(void)
{
    g_autofree uint8_t *img = make_image();
    X86SetupHeader h;

    st16(img, X86_HDR_VERSION, 0x020c);
    g_assert_true(x86_setup_header_parse(img, IMAGE_LEN, &h, &error_abort));
}

static void test_truncation(void)
{
    g_autofree uint8_t *img = make_image();
    X86SetupHeader h;
    size_t len;

    for (len = 0; len <= (SETUP_SECTS + 1) * 512; len++) {
        /* A copy of exactly len bytes: ASan sees any read beyond it. */
        g_autofree uint8_t *cut = g_memdup2(img, len ? len : 1);
        Error *err = NULL;

        const char *want = len < 0x208 ? "too short for a setup header" :
            len < 0x26c ? "is cut inside its setup header (0x26c bytes)" :
            "ends before its protected-mode code at 0x800";

        g_assert_false(x86_setup_header_parse(cut, len, &h, &err));
        g_assert_nonnull(err);
        if (!strstr(error_get_pretty(err), want)) {
            g_error("at %zu: \"%s\" lacks \"%s\"", len,
                    error_get_pretty(err), want);
        }
        error_free(err);
    }
    g_assert_true(x86_setup_header_parse(img, len, &h, &error_abort));
    g_assert_cmpuint(h.kernel_size, ==, 1);
}

static void test_plan_values(void)
{
    g_autofree uint8_t *img = make_image();
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    const uint8_t *zp = plan->zero_page;
    X86BootConfig cfg = cfg_256m;
    static const E820Entry want[] = {
        { 0, 0x9fc00, 1 },
        { 0x9fc00, 0x400, 2 },
        { 0xe0000, 0x20000, 2 },
        { 0x100000, 255 * MiB, 1 },
        { 0xfeff8000, 0x8000, 2 },
    };
    unsigned i;

    cfg.initrd_size = 0x123456;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &cfg, plan, &error_abort));
    g_assert_cmphex(plan->kernel_addr, ==, 0x1000000);
    g_assert_cmphex(plan->entry64, ==, 0x1000200);
    g_assert_cmphex(plan->zero_page_addr, ==, 0x7000);
    g_assert_cmphex(plan->cmdline_addr, ==, 0x20000);
    g_assert_cmphex(plan->ram_below_4g, ==, 256 * MiB);
    g_assert_cmphex(plan->initrd_addr, ==, (256 * MiB - 0x123456) & ~0xfff);
    g_assert_cmphex(plan->initrd_addr, ==, 0xfedc000);
    g_assert_cmphex(plan->initrd_size, ==, 0x123456);

    /* The setup header copied as it is, then the loader's fields. */
    g_assert_cmpmem(zp + 0x1f1, 0x202 - 0x1f1, img + 0x1f1, 0x202 - 0x1f1);
    g_assert_cmpmem(zp + 0x202, 4, "HdrS", 4);
    g_assert_cmphex(zp[0x1f1], ==, 3);
    g_assert_cmphex(zp[0x210], ==, 0xff);
    g_assert_cmphex(zp[0x211], ==, 0x01);
    g_assert_cmphex(ld32(zp, 0x228), ==, 0x20000);
    g_assert_cmphex(ld32(zp, 0x218), ==, 0xfedc000);
    g_assert_cmphex(ld32(zp, 0x21c), ==, 0x123456);
    g_assert_cmphex(ld32(zp, 0x260), ==, 0x800000);
    g_assert_cmphex(ld32(zp, 0x0c0), ==, 0);
    g_assert_cmphex(ld32(zp, 0x0c8), ==, 0);
    /* Beyond the header's end (0x26c) stays zero. */
    g_assert_cmphex(zp[0x26c], ==, 0);
    g_assert_cmphex(zp[0x1ef], ==, 0);

    g_assert_cmpuint(plan->e820_count, ==, G_N_ELEMENTS(want));
    g_assert_cmpuint(zp[0x1e8], ==, G_N_ELEMENTS(want));
    for (i = 0; i < G_N_ELEMENTS(want); i++) {
        size_t off = 0x2d0 + i * 20;

        g_assert_cmphex(plan->e820[i].addr, ==, want[i].addr);
        g_assert_cmphex(plan->e820[i].size, ==, want[i].size);
        g_assert_cmpuint(plan->e820[i].type, ==, want[i].type);
        g_assert_cmphex(ld64(zp, off), ==, want[i].addr);
        g_assert_cmphex(ld64(zp, off + 8), ==, want[i].size);
        g_assert_cmphex(ld32(zp, off + 16), ==, want[i].type);
    }
    g_assert_cmphex(ld64(zp, 0x2d0 + 5 * 20), ==, 0);

    x86_boot_set_rsdp(plan, 0xe0000);
    g_assert_cmphex(ld64(zp, 0x70), ==, 0xe0000);
}

static void test_plan_high_ram(void)
{
    g_autofree uint8_t *img = make_image();
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    X86BootConfig cfg = cfg_256m;

    cfg.ram_size = 4096 * MiB;
    cfg.initrd_size = 0x1000;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &cfg, plan, &error_abort));
    g_assert_cmphex(plan->ram_below_4g, ==, 0xc0000000);
    g_assert_cmpuint(plan->e820_count, ==, 6);
    g_assert_cmphex(plan->e820[3].size, ==, 0xc0000000 - 0x100000);
    g_assert_cmphex(plan->e820[5].addr, ==, 0x100000000ULL);
    g_assert_cmphex(plan->e820[5].size, ==, 0x40000000);
    g_assert_cmpuint(plan->e820[5].type, ==, 1);
    /* initrd_addr_max 0x7fffffff is below the end of low RAM. */
    g_assert_cmphex(plan->initrd_addr, ==, 0x7ffff000);

    /* Low RAM stops at the Xen special area, whatever lowmem_end says. */
    cfg.lowmem_end = 0xff000000;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &cfg, plan, &error_abort));
    g_assert_cmphex(plan->ram_below_4g, ==, 0xfeff8000);
    g_assert_cmphex(plan->e820[5].size, ==, 4096 * MiB - 0xfeff8000);
}

static void test_plan_alignment(void)
{
    g_autofree uint8_t *img = make_image();
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    Error *err = NULL;

    st32(img, X86_HDR_PREF_ADDRESS, 0x1100000);
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &cfg_256m, plan,
                                &error_abort));
    g_assert_cmphex(plan->kernel_addr, ==, 0x1200000);
    g_assert_cmphex(plan->entry64, ==, 0x1200200);

    /* Below 1 MiB: moved up if relocatable, refused if not. */
    st32(img, X86_HDR_PREF_ADDRESS, 0x10000);
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &cfg_256m, plan,
                                &error_abort));
    g_assert_cmphex(plan->kernel_addr, ==, 0x200000);
    img[X86_HDR_RELOCATABLE] = 0;
    g_assert_false(x86_boot_plan(img, IMAGE_LEN, &cfg_256m, plan, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "not relocatable"));
    error_free(err);

    /* Not relocatable: exactly at pref_address. */
    st32(img, X86_HDR_PREF_ADDRESS, 0x1100000);
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &cfg_256m, plan,
                                &error_abort));
    g_assert_cmphex(plan->kernel_addr, ==, 0x1100000);
}

/* A pref_address near 2^64 must not wrap around to a small address. */
static void test_plan_wild_pref_address(void)
{
    g_autofree uint8_t *img = make_image();
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    Error *err = NULL;
    int reloc;

    for (reloc = 0; reloc <= 1; reloc++) {
        img[X86_HDR_RELOCATABLE] = reloc;
        st32(img, X86_HDR_PREF_ADDRESS, 0xfff00000);
        st32(img, X86_HDR_PREF_ADDRESS + 4, 0xffffffff);
        g_assert_false(x86_boot_plan(img, IMAGE_LEN, &cfg_256m, plan,
                                     &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "kernel prefers 0xfffffffffff00000, beyond RAM "
                        "below 4 GiB (0x10000000)");
        error_free(err);
        err = NULL;
    }
    /* Just below the end of RAM: rounding up leaves no room. */
    img[X86_HDR_RELOCATABLE] = 1;
    st32(img, X86_HDR_PREF_ADDRESS, 0x0fffffff);
    st32(img, X86_HDR_PREF_ADDRESS + 4, 0);
    g_assert_false(x86_boot_plan(img, IMAGE_LEN, &cfg_256m, plan, &err));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "kernel needs 0x800000 bytes at 0x10000000"));
    error_free(err);
}

static void expect_plan_refused(const uint8_t *img, const X86BootConfig *c,
                                const char *msg)
{
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    Error *err = NULL;

    g_assert_false(x86_boot_plan(img, IMAGE_LEN, c, plan, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), msg)) {
        g_error("\"%s\" lacks \"%s\"", error_get_pretty(err), msg);
    }
    error_free(err);
}

static void test_plan_does_not_fit(void)
{
    g_autofree uint8_t *img = make_image();
    g_autofree char *line = g_strnfill(0x7ff, 'x');
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    X86BootConfig c = cfg_256m;

    /* 16 MiB + 8 MiB of init_size: exactly fits in 24 MiB. */
    c.ram_size = 24 * MiB;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    c.ram_size = 24 * MiB - 1;
    expect_plan_refused(img, &c, "kernel needs 0x800000 bytes at 0x1000000");
    c.ram_size = MiB;
    expect_plan_refused(img, &c, "must reach beyond 1 MiB");

    /* The initrd goes between the kernel's end and the top of RAM. */
    c.ram_size = 32 * MiB;
    c.initrd_size = 8 * MiB;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->initrd_addr, ==, 24 * MiB);
    c.initrd_size = 8 * MiB + 1;
    expect_plan_refused(img, &c, "initrd of 0x800001 bytes does not fit");
    c.initrd_size = 64 * MiB;
    expect_plan_refused(img, &c, "initrd of 0x4000000 bytes does not fit");

    /* initrd_addr_max caps the initrd's end. */
    c.ram_size = 256 * MiB;
    c.initrd_size = 0x1000;
    st32(img, X86_HDR_INITRD_ADDR_MAX, 0x1ffffff);
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->initrd_addr, ==, 0x1fff000);
    st32(img, X86_HDR_INITRD_ADDR_MAX, 0x17fffff);
    expect_plan_refused(img, &c, "does not fit");

    /* The command line: cmdline_size bytes, not one more. */
    c = cfg_256m;
    c.cmdline = line;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->cmdline_addr, ==, 0x20000);
    st32(img, X86_HDR_CMDLINE_SIZE, 0x7fe);
    expect_plan_refused(img, &c, "2047 bytes is longer than the kernel's "
                        "limit of 2046");
}

/* The initrd's placement at each of its bounds. */
static void test_plan_initrd(void)
{
    g_autofree uint8_t *img = make_image();
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    const uint8_t *zp = plan->zero_page;
    X86BootConfig c = cfg_256m;

    /* None: every ramdisk field zero. */
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->initrd_addr, ==, 0);
    g_assert_cmphex(ld32(zp, 0x218), ==, 0);
    g_assert_cmphex(ld32(zp, 0x21c), ==, 0);

    /* A whole number of pages ends exactly at the top of RAM. */
    c.initrd_size = 0x3000;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->initrd_addr, ==, 256 * MiB - 0x3000);
    g_assert_cmphex(ld32(zp, 0x218), ==, 256 * MiB - 0x3000);
    g_assert_cmphex(ld32(zp, 0x21c), ==, 0x3000);
    g_assert_cmphex(ld32(zp, 0x0c0), ==, 0);
    g_assert_cmphex(ld32(zp, 0x0c4), ==, 0);

    /* One byte more than a page: the start moves down a whole page. */
    c.initrd_size = 0x1001;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->initrd_addr, ==, 256 * MiB - 0x2000);
    g_assert_cmphex(plan->initrd_addr & 0xfff, ==, 0);

    /* Exactly from the kernel's end (16 + 8 MiB) to the top of RAM. */
    c.initrd_size = 256 * MiB - 24 * MiB;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->initrd_addr, ==, 24 * MiB);
    c.initrd_size++;
    expect_plan_refused(img, &c, "does not fit between the kernel's end "
                        "0x1800000 and 0x10000000");

    /* Sizes that would wrap an unchecked subtraction. */
    c.initrd_size = UINT64_MAX;
    expect_plan_refused(img, &c, "initrd of 0xffffffffffffffff bytes");
    c.initrd_size = 1ULL << 32;
    expect_plan_refused(img, &c, "does not fit");

    /* initrd_addr_max of 4 GiB - 1: the end of RAM bounds it, no wrap. */
    st32(img, X86_HDR_INITRD_ADDR_MAX, 0xffffffff);
    c.ram_size = 4096 * MiB;
    c.initrd_size = 0x1000;
    g_assert_true(x86_boot_plan(img, IMAGE_LEN, &c, plan, &error_abort));
    g_assert_cmphex(plan->initrd_addr, ==, 0xc0000000 - 0x1000);

    /* initrd_addr_max below the kernel: nowhere to go. */
    st32(img, X86_HDR_INITRD_ADDR_MAX, 0);
    expect_plan_refused(img, &c, "and 0x1 (the lower");
    st32(img, X86_HDR_INITRD_ADDR_MAX, 0xfffff);
    expect_plan_refused(img, &c, "and 0x100000 (the lower");
}

static void test_real_kernel(void)
{
    const char *path = g_getenv("X86_BOOT_TEST_KERNEL");
    g_autofree char *dflt = g_build_filename(g_get_home_dir(), ".cache",
                                             "qemu-xenstore", "kernels",
                                             "vmlinuz", NULL);
    g_autofree char *img = NULL;
    g_autofree X86BootPlan *plan = g_new(X86BootPlan, 1);
    const X86SetupHeader *h = &plan->hdr;
    X86BootConfig c = cfg_256m;
    gsize len;

    if (!path) {
        path = dflt;
    }
    if (!g_file_get_contents(path, &img, &len, NULL)) {
        g_test_skip("no Debian kernel (scripts/fetch-test-kernel.sh)");
        return;
    }
    c.ram_size = 512 * MiB;
    c.initrd_size = 30 * MiB;
    g_assert_true(x86_boot_plan((uint8_t *)img, len, &c, plan,
                                &error_abort));
    g_assert_cmphex(h->version, >=, 0x020c);
    g_assert_cmphex(h->xloadflags & X86_XLF_KERNEL_64, ==, 1);
    g_assert_cmpuint(h->relocatable, ==, 1);
    g_assert_cmphex(h->kernel_alignment, ==, 0x200000);
    g_assert_cmphex(h->pref_address, ==, 0x1000000);
    g_assert_cmpuint(h->setup_sects, >=, 4);
    g_assert_cmpuint(h->kernel_size, >, 4 * MiB);
    g_assert_cmpuint(h->init_size, >, h->kernel_size);
    g_assert_cmphex(h->cmdline_size, >=, 0x7ff);
    g_assert_cmphex(h->initrd_addr_max, ==, 0x7fffffff);
    g_assert_cmphex(h->kernel_offset + h->kernel_size, ==, len);
    g_assert_cmphex(plan->kernel_addr, ==, 0x1000000);
    g_assert_cmphex(plan->entry64, ==, 0x1000200);
    g_assert_cmphex(plan->initrd_addr, ==, 512 * MiB - 30 * MiB);
    g_assert_cmpmem(plan->zero_page + 0x202, 4, "HdrS", 4);
    g_assert_cmphex(plan->zero_page[0x210], ==, 0xff);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86-boot/parse-fields", test_parse_fields);
    g_test_add_func("/x86-boot/setup-sects-zero",
                    test_setup_sects_zero_means_four);
    g_test_add_func("/x86-boot/checks", test_checks);
    g_test_add_func("/x86-boot/version-2.12", test_version_2_12_accepted);
    g_test_add_func("/x86-boot/truncation", test_truncation);
    g_test_add_func("/x86-boot/plan-values", test_plan_values);
    g_test_add_func("/x86-boot/plan-high-ram", test_plan_high_ram);
    g_test_add_func("/x86-boot/plan-alignment", test_plan_alignment);
    g_test_add_func("/x86-boot/plan-wild-pref-address",
                    test_plan_wild_pref_address);
    g_test_add_func("/x86-boot/plan-does-not-fit", test_plan_does_not_fit);
    g_test_add_func("/x86-boot/plan-initrd", test_plan_initrd);
    g_test_add_func("/x86-boot/real-kernel", test_real_kernel);
    return g_test_run();
}
