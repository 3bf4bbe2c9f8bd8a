/*
 * The machine's PV backends: a vbd per -drive (xvda, xvdb, ...) and the
 * Xen consoles of -device xen-console (the first is hvc0 on the console
 * page, the others hvc1.. through XenBus), made once the store and the
 * grant table exist, and reset with the guest: a reboot leaves no
 * backend state behind.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "machine-int.h"
#include "chardev/char.h"
#include "hw/char/xen_console.h"
#include "hw/xen/interface/hvm.h"
#include "hw/xen/xen_block.h"

static bool xk_console_new(XenKVMMachine *m, unsigned int i, Error **errp)
{
    const char *spec = m->cfg.consoles[i];

    /* The terminal has one reader: COM1 when it is on stdio. */
    if (g_str_has_prefix(spec, "stdio") && m->cfg.serial_input) {
        error_setg(errp, "-chardev %s: the terminal is COM1's (-serial "
                   "stdio); give COM1 -serial none or file:PATH", spec);
        return false;
    }
    m->chardevs[i] = qemu_chr_new(spec, errp);
    if (!m->chardevs[i]) {
        return false;
    }
    m->consoles[i] = i == 0 ?
        xen_console_primary_new(m->kvm, m->cfg.domid, m->chardevs[i], errp) :
        xen_console_xenbus_new(m->cfg.domid, i, m->chardevs[i], errp);
    if (!m->consoles[i]) {
        error_prepend(errp, "-device xen-console (hvc%u): ", i);
        return false;
    }
    return true;
}

bool xk_pv_init(XenKVMMachine *m, Error **errp)
{
    for (unsigned int i = 0; i < m->cfg.nr_disks; i++) {
        const XenKVMDiskConfig *d = &m->cfg.disks[i];

        m->disks[i] = xen_block_new(d->file, d->readonly, m->cfg.domid,
                                    XEN_BLOCK_VDEV_XVD(i), errp);
        if (!m->disks[i]) {
            error_prepend(errp, "-drive file=%s: ", d->file);
            return false;
        }
    }
    for (unsigned int i = 0; i < m->cfg.nr_consoles; i++) {
        if (!xk_console_new(m, i, errp)) {
            return false;
        }
    }
    return true;
}

/* After xk_xen_reset(): the event channels and the store are fresh. */
bool xk_pv_reset(XenKVMMachine *m, Error **errp)
{
    for (unsigned int i = 0; i < m->cfg.nr_disks; i++) {
        if (!xen_block_reset(m->disks[i], errp)) {
            return false;
        }
    }
    for (unsigned int i = 0; i < m->cfg.nr_consoles; i++) {
        if (i == 0 ? !xen_console_primary_reset(m->consoles[i], errp)
                   : !xen_console_xenbus_reset(m->consoles[i], errp)) {
            return false;
        }
    }
    /* hvc0's page and port, or none: HVM_PARAM_CONSOLE_PFN 0. */
    xen_hcall_set_param(m->xh, HVM_PARAM_CONSOLE_PFN,
                        m->consoles[0] ? xen_console_pfn(m->consoles[0]) : 0);
    xen_hcall_set_param(m->xh, HVM_PARAM_CONSOLE_EVTCHN,
                        m->consoles[0] ?
                        xen_console_guest_port(m->consoles[0]) : 0);
    return true;
}

void xk_pv_fini(XenKVMMachine *m)
{
    for (unsigned int i = 0; i < XENKVM_CFG_MAX_DISKS; i++) {
        xen_block_free(m->disks[i]);
        m->disks[i] = NULL;
    }
    for (unsigned int i = 0; i < XENKVM_CFG_MAX_CONSOLES; i++) {
        xen_console_free(m->consoles[i]);
        qemu_chr_free(m->chardevs[i]);
        m->consoles[i] = NULL;
        m->chardevs[i] = NULL;
    }
}
