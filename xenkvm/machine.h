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

typedef struct XenKVMConfig {
    uint64_t ram_size;          /* bytes, at most KVM_RAM_LIMIT */
    const char *kernel;         /* bzImage path */
    const char *cmdline;        /* NULL: empty */
    FILE *serial;               /* COM1's output; NULL: -serial none,
                                 * the bytes are dropped */
    uint32_t xen_version;       /* major << 16 | minor */
    const char *initrd;         /* initial ramdisk path; NULL: none */
    uint32_t domid;             /* the guest's, 1 .. DOMID_FIRST_RESERVED-1 */
    const char *name;           /* the guest's name; NULL: unnamed */
    const char *xenstore_socket;    /* serve XenStore here; NULL: don't */
    bool no_reboot;             /* a guest reboot ends the run */
} XenKVMConfig;

typedef struct XenKVMMachine XenKVMMachine;

/* KVM must have Xen support (kvm_xen_check_host); NULL with errp set. */
XenKVMMachine *xenkvm_machine_new(const XenKVMConfig *cfg, Error **errp);
void xenkvm_machine_free(XenKVMMachine *m);

/*
 * Run the guest until it stops: true when it stopped the way a guest
 * may (shutdown hypercall, triple fault), false with errp set when KVM
 * failed.  *why says how it stopped.
 */
bool xenkvm_machine_run(XenKVMMachine *m, const char **why, Error **errp);

#endif
