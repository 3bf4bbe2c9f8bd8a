/*
 * Linux bzImage loader: checks a kernel's setup header and plans a 64-bit
 * boot (where the kernel, zero page, command line and initrd go).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "qemu/error.h"

/* Offsets in the bzImage file, and in boot_params (the same). */
#define X86_HDR_SETUP_SECTS     0x1f1
#define X86_HDR_BOOT_FLAG       0x1fe
#define X86_HDR_JUMP            0x200
#define X86_HDR_MAGIC           0x202
#define X86_HDR_VERSION         0x206
#define X86_HDR_TYPE_OF_LOADER  0x210
#define X86_HDR_LOADFLAGS       0x211
#define X86_HDR_CODE32_START    0x214
#define X86_HDR_RAMDISK_IMAGE   0x218
#define X86_HDR_RAMDISK_SIZE    0x21c
#define X86_HDR_CMD_LINE_PTR    0x228
#define X86_HDR_INITRD_ADDR_MAX 0x22c
#define X86_HDR_KERNEL_ALIGN    0x230
#define X86_HDR_RELOCATABLE     0x234
#define X86_HDR_XLOADFLAGS      0x236
#define X86_HDR_CMDLINE_SIZE    0x238
#define X86_HDR_PREF_ADDRESS    0x258
#define X86_HDR_INIT_SIZE       0x260
/* The fields this loader reads end here. */
#define X86_HDR_MIN_END         0x264

/* Offsets in boot_params outside the setup header. */
#define X86_BP_ACPI_RSDP_ADDR   0x070
#define X86_BP_EXT_RAMDISK_IMG  0x0c0
#define X86_BP_EXT_RAMDISK_SIZE 0x0c4
#define X86_BP_EXT_CMD_LINE_PTR 0x0c8
#define X86_BP_E820_ENTRIES     0x1e8
#define X86_BP_HDR_END          0x290
#define X86_BP_E820_TABLE       0x2d0
#define X86_BP_E820_MAX         128
#define X86_BP_SIZE             4096

#define X86_HDR_MAGIC_VALUE     0x53726448  /* "HdrS" */
#define X86_BOOT_FLAG_VALUE     0xaa55
#define X86_BOOT_MIN_VERSION    0x020c      /* 2.12: xloadflags */
#define X86_LOADED_HIGH         0x01
#define X86_XLF_KERNEL_64       0x0001
#define X86_LOADER_UNDEFINED    0xff

#define E820_RAM                1
#define E820_RESERVED           2

/* The Xen special pages (store, console ring): e820-reserved. */
#define X86_XEN_SPECIAL_AREA    0xfeff8000ULL
#define X86_XEN_SPECIAL_SIZE    0x8000ULL

/* Where this loader puts its own pieces in low memory. */
#define X86_BOOT_ZERO_PAGE      0x7000ULL
#define X86_BOOT_CMDLINE        0x20000ULL
#define X86_BOOT_LOW_RAM_END    0x9fc00ULL
#define X86_BOOT_BIOS_AREA      0xe0000ULL
#define X86_BOOT_HIGH_RAM       0x100000ULL
/* The initrd starts on a page boundary. */
#define X86_BOOT_PAGE_SIZE      0x1000ULL

typedef struct X86SetupHeader {
    uint8_t setup_sects;
    uint16_t version;
    uint8_t loadflags;
    uint32_t initrd_addr_max;
    uint32_t kernel_alignment;
    uint8_t relocatable;
    uint16_t xloadflags;
    uint32_t cmdline_size;
    uint64_t pref_address;
    uint32_t init_size;
    /* The header's extent in the file: 0x1f1 up to here. */
    size_t header_end;
    /* The protected-mode kernel: file offset and length. */
    size_t kernel_offset;
    size_t kernel_size;
} X86SetupHeader;

typedef struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} E820Entry;

typedef struct X86BootConfig {
    uint64_t ram_size;      /* bytes of guest RAM in all */
    uint64_t lowmem_end;    /* RAM below 4 GiB stops here, at the latest */
    const char *cmdline;    /* NULL for an empty one */
    /*
     * 0: no initrd.  Otherwise the plan puts it page-aligned as high
     * as min(initrd_addr_max + 1, end of RAM below 4 GiB) allows, above
     * the kernel's init_size and the command line, or fails.
     */
    uint64_t initrd_size;
} X86BootConfig;

typedef struct X86BootPlan {
    X86SetupHeader hdr;
    uint64_t kernel_addr;   /* copy hdr.kernel_size bytes from the image */
    uint64_t entry64;       /* startup_64 */
    uint64_t zero_page_addr;
    uint8_t zero_page[X86_BP_SIZE];
    uint64_t cmdline_addr;  /* the string and its NUL */
    uint64_t initrd_addr;   /* 0 when there is none; copy it here */
    uint64_t initrd_size;   /* also in the zero page's ramdisk fields */
    uint64_t ram_below_4g;  /* where RAM below 4 GiB ends */
    unsigned e820_count;
    E820Entry e820[8];
} X86BootPlan;

/* Reads and checks the setup header of a bzImage of len bytes. */
bool x86_setup_header_parse(const uint8_t *image, size_t len,
                            X86SetupHeader *hdr, Error **errp);

/* Plans the boot of the bzImage: fills *plan or fails with errp set. */
bool x86_boot_plan(const uint8_t *image, size_t len,
                   const X86BootConfig *cfg, X86BootPlan *plan,
                   Error **errp);

/* Records the RSDP's guest address in the plan's zero page. */
void x86_boot_set_rsdp(X86BootPlan *plan, uint64_t rsdp_addr);

#endif
