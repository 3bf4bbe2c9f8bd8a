/*
 * The qemu-xenkvm machine: one vCPU in a KVM VM with Xen enabled, a
 * Linux bzImage entered in 64-bit mode, COM1 and the Xen hypercalls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XENKVM_MACHINE_H
#define XENKVM_MACHINE_H

#include <stdio.h>
#include "qemu/error.h"

#define XENKVM_CFG_MAX_DISKS    4
#define XENKVM_CFG_MAX_CONSOLES 4

typedef struct XenKVMDiskConfig {
    const char *file;           /* a raw image */
    bool readonly;
} XenKVMDiskConfig;

typedef struct XenKVMConfig {
    uint64_t ram_size;          /* bytes, at most KVM_RAM_LIMIT */
    const char *kernel;         /* bzImage path */
    const char *cmdline;        /* NULL: empty */
    FILE *serial;               /* COM1's output; NULL: -serial none,
                                 * the bytes are dropped */
    bool serial_input;          /* COM1 reads standard input */
    uint32_t xen_version;       /* major << 16 | minor */
    const char *initrd;         /* initial ramdisk path; NULL: none */
    uint32_t domid;             /* the guest's, 1 .. DOMID_FIRST_RESERVED-1;
                                 * 0: XK_DEFAULT_DOMID */
    const char *name;           /* the guest's name; NULL: unnamed */
    const char *xenstore_socket;    /* serve XenStore here; NULL: don't */
    bool no_reboot;             /* a guest reboot ends the run */
    /* PV disks: xvda, xvdb, ... */
    XenKVMDiskConfig disks[XENKVM_CFG_MAX_DISKS];
    unsigned int nr_disks;
    /* Xen consoles' -chardev specs: hvc0 (the console page), hvc1, ... */
    const char *consoles[XENKVM_CFG_MAX_CONSOLES];
    unsigned int nr_consoles;
} XenKVMConfig;

#define XK_DEFAULT_DOMID 1

/* How a run ended. */
typedef enum XenKVMStatus {
    XENKVM_POWEROFF,            /* SCHEDOP_shutdown(poweroff) or ACPI S5 */
    XENKVM_REBOOT,              /* a reboot with no_reboot set */
    XENKVM_CRASH,               /* SCHEDOP_shutdown(crash) */
    XENKVM_TRIPLE_FAULT,
    XENKVM_ERROR,               /* KVM failed, or an exit it cannot handle */
} XenKVMStatus;

typedef struct XenKVMMachine XenKVMMachine;

/* KVM must have Xen support (kvm_xen_check_host); NULL with errp set. */
XenKVMMachine *xenkvm_machine_new(const XenKVMConfig *cfg, Error **errp);
void xenkvm_machine_free(XenKVMMachine *m);

/*
 * Run the guest, its reboots included (unless no_reboot), until it
 * stops; *why says how, in words, valid until the machine is freed.
 * Runs the main loop in the calling thread and the vCPU in another.
 */
XenKVMStatus xenkvm_machine_run(XenKVMMachine *m, const char **why);

#endif
