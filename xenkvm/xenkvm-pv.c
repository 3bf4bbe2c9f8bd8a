/*
 * The machine's PV backends: a vbd per -drive (xvda, xvdb, ...) on the
 * XenBus framework, made once the store and grant table exist, and
 * reset with the guest: a reboot leaves no backend state behind.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "machine-int.h"
#include "hw/xen/xen_block.h"

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
    return true;
}

bool xk_pv_reset(XenKVMMachine *m, Error **errp)
{
    for (unsigned int i = 0; i < m->cfg.nr_disks; i++) {
        if (!xen_block_reset(m->disks[i], errp)) {
            return false;
        }
    }
    return true;
}

void xk_pv_fini(XenKVMMachine *m)
{
    for (unsigned int i = 0; i < XENKVM_CFG_MAX_DISKS; i++) {
        xen_block_free(m->disks[i]);
        m->disks[i] = NULL;
    }
}
