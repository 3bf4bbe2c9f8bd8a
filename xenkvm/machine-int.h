/*
 * The qemu-xenkvm machine's parts, shared by its files: machine.c
 * (memory, boot, vCPU thread, reset), xenkvm-xen.c (the Xen interface:
 * hypercalls, event channels, grant table, the xenstore device),
 * xenkvm-pv.c (the PV backends: disks, consoles) and xenkvm-io.c (the PC
 * devices on ports and MMIO).
 *
 * Locking: one lock, like QEMU's big lock.  The main thread holds it
 * except while it polls; the vCPU thread takes it for each exit it
 * handles and releases it while the guest runs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XENKVM_MACHINE_INT_H
#define XENKVM_MACHINE_INT_H

#include "xenkvm/machine.h"
#include "sysemu/kvm.h"
#include "hw/i386/serial-8250.h"
#include "hw/i386/pci-host.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/kvm/xen_hypercalls.h"
#include "hw/i386/kvm/xen_gnttab.h"
#include "hw/i386/kvm/xen_xenstore.h"
#include "xs-socket-server.h"

/* Guest-physical layout (docs/devel/xenkvm-machine.md). */
#define XK_ACPI_BASE        0xe0000ULL      /* e820-reserved BIOS area */
#define XK_PM_BASE          0x600           /* PM1a event + control */
#define XK_SCI_IRQ          9
#define XK_PLATFORM_SLOT    2
#define XK_PLATFORM_IRQ     11              /* INTx line; unused: vector */
#define XK_PLATFORM_IO      0xc000          /* BAR0 */
#define XK_PLATFORM_MMIO    0xfd000000ULL   /* BAR1: the grant frames */
#define XK_RAM_LIMIT        ACPI_PCI_MEM_BASE /* PCI's window above */
#define XK_UNPLUG_PORT      0x10            /* and 0x12 */
#define XK_I8042_CMD        0x64
#define XK_I8042_RESET      0xfe

/* How a run ended. */
typedef enum XkStop {
    XK_RUNNING,
    XK_POWEROFF,
    XK_REBOOT,
    XK_CRASH,           /* the guest said so (SHUTDOWN_crash) */
    XK_TRIPLE_FAULT,
    XK_ERROR,           /* KVM failed: stop_msg says how */
} XkStop;

struct XenKVMMachine {
    XenKVMConfig cfg;
    char *user_cmdline;         /* as given */
    char *cmdline;              /* with the machine's additions */
    KVMState *kvm;
    KVMVCPU *cpu;
    uint8_t *ram;               /* cfg.ram_size bytes from guest-physical 0 */

    /* Xen (xenkvm-xen.c) */
    XenHypercalls *xh;
    XenGnttab *gt;
    XenXenstoreState *xs;
    XsSocketServer *xs_server;  /* -xenstore-socket, or NULL */
    uint64_t shinfo_gfn;        /* UINT64_MAX until the guest maps it */

    /* PV backends (xenkvm-pv.c) */
    struct XenBlock *disks[XENKVM_CFG_MAX_DISKS];
    struct CharBackend *chardevs[XENKVM_CFG_MAX_CONSOLES];
    struct XenConsole *consoles[XENKVM_CFG_MAX_CONSOLES];

    /* PC devices (xenkvm-io.c) */
    Serial8250 uart;
    bool stdin_watched;
    PciHost pci;
    PciDevice platform;
    AcpiPm pm;
    uint16_t unplugged;         /* last mask written to port 0x10 */

    /* Threads */
    GMutex lock;
    GThread *vcpu_thread;
    XkStop stop;
    char *stop_msg;
};

/* Lock for the vCPU thread's handlers and other threads. */
void xk_lock(XenKVMMachine *m);
void xk_unlock(XenKVMMachine *m);
/* Ask the run to end (under the lock); the first reason wins. */
void xk_request_stop(XenKVMMachine *m, XkStop why, const char *msg);

/* xenkvm-xen.c */
bool xk_xen_init(XenKVMMachine *m, Error **errp);
bool xk_xen_reset(XenKVMMachine *m, Error **errp);
void xk_xen_fini(XenKVMMachine *m);
/* A hypercall exit (under the lock): the guest's RAX. */
uint64_t xk_xen_hypercall(XenKVMMachine *m, const KVMXenHcall *hc);

/* xenkvm-pv.c: after xk_xen_init(); reset after xk_xen_reset() */
bool xk_pv_init(XenKVMMachine *m, Error **errp);
bool xk_pv_reset(XenKVMMachine *m, Error **errp);
void xk_pv_fini(XenKVMMachine *m);

/* xenkvm-io.c */
void xk_io_init(XenKVMMachine *m);
void xk_io_reset(XenKVMMachine *m);
void xk_io_fini(XenKVMMachine *m);
void xk_io_pio(XenKVMMachine *m, uint16_t port, uint8_t size, bool write,
               uint8_t *data);
void xk_io_mmio(XenKVMMachine *m, uint64_t addr, uint32_t len, bool write,
                uint8_t *data);

#endif
