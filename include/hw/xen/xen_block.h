/*
 * A Xen PV block device ("vbd") backed by a raw image file, for the
 * guest's xen-blkfront.  The machine makes one per disk; the XenBus
 * framework (xen_bus.h) runs the handshake and calls the device to
 * connect and disconnect.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_XEN_BLOCK_H
#define HW_XEN_XEN_BLOCK_H

#include "qemu/error.h"
#include "hw/xen/interface/xen.h"

typedef struct XenBlock XenBlock;

/*
 * The virtual-device number of xvd disk n (n < 16): Linux's xvd major
 * 202, 16 minors per disk.  xvda is 51712.
 */
#define XEN_BLOCK_VDEV_XVD(n)   ((202u << 8) | ((unsigned int)(n) << 4))

/*
 * Open the raw image at path (read-only if readonly) and create vbd
 * vdev (its device id and virtual-device) for guest fe_domid in the
 * store.  The image's size is fixed at this point: a whole number of
 * 512-byte sectors is exposed.  NULL with errp on failure.
 */
XenBlock *xen_block_new(const char *path, bool readonly, domid_t fe_domid,
                        unsigned int vdev, Error **errp);

/* Disconnect (waiting for I/O in flight), remove the device, close. */
void xen_block_free(XenBlock *b);

/* The guest rebooted: drop the connection, make the device afresh. */
bool xen_block_reset(XenBlock *b, Error **errp);

#endif
