/*
 * The XenStore database's top: the store object the public calls
 * (xenstore_impl.c) and save/load (xenstore_impl_save.c) work on, the
 * saved state (XsDb, xenstore_txn.h) and the connections' watches.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_IMPL_INT_H
#define QEMU_XENSTORE_IMPL_INT_H

#include "hw/xen/xenstore_impl.h"
#include "xenstore_txn.h"

struct XenstoreImplState {
    XsDb *db;                   /* what a save carries; a load replaces it */
    XsWatches watches;          /* the connections': a load keeps them */
};

/* xenstore_impl.c */
void xs_impl_swap_db(XenstoreImplState *s, XenstoreImplState *from);

#endif
