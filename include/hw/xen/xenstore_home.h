/*
 * A guest's home in the store: /local/domain/<domid> with the nodes every
 * emulated guest finds there, and the store/ nodes naming its ring.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_HOME_H
#define QEMU_XENSTORE_HOME_H

#include "hw/xen/xenstore_impl.h"

/*
 * Create /local/domain/<domid> (owned by domain 0, readable by the
 * guest) with domid, name, memory/target (@memory_kib), the platform and
 * control feature nodes, and the guest's own writable nodes (attr, data,
 * device, control/shutdown, ...).  Acts as domain 0.  0, or the errno of
 * the first store call that failed (the nodes before it stay).
 */
int xs_home_create(XenstoreImplState *s, unsigned int domid,
                   const char *name, uint64_t memory_kib);

/*
 * Write store/port (the guest's end of the store event channel) and
 * store/ring-ref (the ring's page frame number) in the guest's home, as
 * domain 0.  0 or an errno.
 */
int xs_home_publish_store(XenstoreImplState *s, unsigned int domid,
                          unsigned int port, uint64_t ring_ref);

#endif
