/*
 * The record layout of the XenStore database's saved state, shared by
 * the writer (xenstore_impl_save.c) and the reader (xenstore_impl_load.c):
 * see docs/interop/xenstore-migration.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_IMPL_STREAM_H
#define QEMU_XENSTORE_IMPL_STREAM_H

#define XS_STREAM_IDENT "xenstore"
#define XS_STREAM_VERSION 1
#define XS_STREAM_FLAG_BE 1

enum {
    XS_REC_END = 0,
    XS_REC_CONNECTION_DATA = 2,
    XS_REC_TRANSACTION_DATA = 4,
    XS_REC_NODE_DATA = 5,
    XS_REC_WATCH_DATA_EXTENDED = 8,
    /* Private records: high bit set, body starts with its own version. */
    XS_REC_QEMU_STORE = 0x80000001,     /* counters, default quotas */
    XS_REC_QEMU_DOMAIN = 0x80000002,    /* one domain's settings */
    XS_REC_QEMU_SPECIAL = 0x80000003,   /* perms of an @ path */
    XS_REC_QEMU_NODE_EXT = 0x80000004,  /* follows each NODE_DATA */
    XS_REC_QEMU_TX = 0x80000005,        /* follows TRANSACTION_DATA */
    XS_REC_QEMU_TX_DEP = 0x80000006,    /* a dependency of that tx */
};
#define XS_REC_QEMU_VERSION 2

/* NODE_DATA access values, for transaction nodes */
#define XS_ACCESS_DELETED 0
#define XS_ACCESS_READ 1
#define XS_ACCESS_WRITTEN 2

/* NODE_EXT flags, of a transaction's shadow node */
#define XS_EXT_OWN 1
#define XS_EXT_HIDE 2
#define XS_EXT_CHANGED 4
#define XS_EXT_REMOVED 8
#define XS_EXT_TOUCHED 16
#define XS_EXT_VALUE_SET 32
#define XS_EXT_PERMS_SET 64
#define XS_EXT_CHECK_ABSENT 128
#define XS_EXT_ALL 255

/* QEMU_TX flags */
#define XS_TX_DOOMED 1

#endif
