/*
 * qemu-xenkvm's command line, spelt as QEMU's: parsed into a struct
 * without printing or exiting, so that the unit tests can drive it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XENKVM_OPTIONS_H
#define XENKVM_OPTIONS_H

#include <stdio.h>
#include "qemu/error.h"

#define XENKVM_PROG                 "qemu-xenkvm"
#define XENKVM_DEFAULT_RAM_MIB      512
/* The smallest guest the machine agrees to build (xenkvm_machine_new). */
#define XENKVM_MIN_RAM_MIB          16
/* Xen 4.17, what the guest sees unless -accel kvm,xen-version= says. */
#define XENKVM_DEFAULT_XEN_VERSION  0x40011
/* Xen 4.6: the oldest version QEMU's Xen emulation agrees to emulate. */
#define XENKVM_MIN_XEN_VERSION      0x40006
#define XENKVM_MAX_XEN_VERSION      0xffffff
#define XENKVM_DEFAULT_DOMID        1
#define XENKVM_NAME_MAX             128

/* PV devices: disks (xvda..), character backends, Xen consoles. */
#define XENKVM_MAX_DRIVES           4
#define XENKVM_MAX_CHARDEVS         8
#define XENKVM_MAX_CONSOLES         4

typedef struct XenKVMDrive {
    char *file;                 /* the raw image */
    bool readonly;
} XenKVMDrive;

typedef struct XenKVMChardev {
    char *id;
    char *spec;                 /* the whole -chardev argument */
} XenKVMChardev;

typedef struct XenKVMOptions {
    const char *kernel;         /* required */
    const char *initrd;         /* NULL: none */
    const char *append;         /* NULL: empty command line */
    uint64_t ram_size;          /* bytes */
    const char *serial;         /* "stdio", "none" or "file:PATH" */
    bool nographic;
    uint32_t xen_version;       /* major << 16 | minor */
    uint32_t domid;             /* 1 .. DOMID_FIRST_RESERVED - 1 */
    const char *name;           /* NULL: unnamed; points into argv */
    const char *xenstore_socket;    /* NULL: none served */
    bool no_reboot;
    unsigned smp;               /* always 1 once parsed */
    bool want_help;             /* -help: print xenkvm_usage, exit 0 */
    bool want_version;          /* -version: print the version, exit 0 */
    /* -drive file=IMG,if=xen,format=raw[,readonly=on]: xvda, xvdb, ... */
    XenKVMDrive drives[XENKVM_MAX_DRIVES];
    unsigned nr_drives;
    /* -chardev BACKEND,id=ID,...: parsed in full when the machine starts */
    XenKVMChardev chardevs[XENKVM_MAX_CHARDEVS];
    unsigned nr_chardevs;
    /*
     * -device xen-console,chardev=ID: the first is the guest's hvc0 (the
     * console page), the others hvc1.. through XenBus (device/console/N).
     */
    const char *consoles[XENKVM_MAX_CONSOLES];     /* chardev ids */
    unsigned nr_consoles;
} XenKVMOptions;

/* Free what xenkvm_parse_options() allocated (the drives and chardevs). */
void xenkvm_options_free(XenKVMOptions *o);
/* The -chardev spec with that id, or NULL. */
const char *xenkvm_options_chardev(const XenKVMOptions *o, const char *id);

/*
 * Parses argv into *o (argv must outlive o: strings point into it) and
 * turns on the -trace events as it meets them.  Returns 0 when the
 * machine should run, 1 when -help or -version was asked for (the
 * caller prints; nothing after it is parsed), -1 with errp set to a
 * one-line message (no program name) on any bad command line.
 */
int xenkvm_parse_options(int argc, char **argv, XenKVMOptions *o,
                         Error **errp);

void xenkvm_usage(FILE *f);

/* "qemu-xenkvm VERSION" */
void xenkvm_print_version(FILE *f);

#endif
