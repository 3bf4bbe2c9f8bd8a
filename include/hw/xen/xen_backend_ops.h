/*
 * The XenStore operations that the VMM's paravirtual device backends
 * (disk, network, console) use: a table of function pointers, so that a
 * backend works the same against the emulated store or another one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_BACKEND_OPS_H
#define HW_XEN_BACKEND_OPS_H

#include "qemu/error.h"

typedef uint32_t xs_transaction_t;
#ifndef XBT_NULL
#define XBT_NULL 0
#endif

typedef struct qemu_xs_handle qemu_xs_handle;
typedef struct qemu_xs_watch qemu_xs_watch;

/*
 * A watch callback: path is the changed node, valid during the call.  It
 * runs from the main loop, never from inside a store operation, so it may
 * call the store itself.
 */
typedef void (*xs_watch_fn)(void *opaque, const char *path);

/*
 * All calls act as the privileged domain.  Failures return NULL / false
 * / XBT_NULL with errno set to the XenStore error (ENOENT, EACCES, ...).
 */
typedef struct XenstoreBackendOps {
    /* NULL (errno ENODEV, errp set) when there is no xen-xenstore. */
    qemu_xs_handle *(*open)(Error **errp);
    /* Drops the handle's watches and aborts its open transactions. */
    void (*close)(qemu_xs_handle *h);
    /* "/local/domain/<domid>", newly allocated. */
    char *(*get_domain_path)(qemu_xs_handle *h, unsigned int domid);
    /* Child names, NULL-terminated, one g_strfreev()-able array. */
    char **(*directory)(qemu_xs_handle *h, xs_transaction_t t,
                        const char *path, unsigned int *num);
    /* The value plus a NUL not counted in *len; g_free() it. */
    void *(*read)(qemu_xs_handle *h, xs_transaction_t t, const char *path,
                  unsigned int *len);
    bool (*write)(qemu_xs_handle *h, xs_transaction_t t, const char *path,
                  const void *data, unsigned int len);
    /*
     * Create path (empty) owned by owner, domid getting perms
     * (XS_PERM_READ / _WRITE bits) on it.
     */
    bool (*create)(qemu_xs_handle *h, xs_transaction_t t, unsigned int owner,
                   unsigned int domid, unsigned int perms, const char *path);
    /* Remove path and everything below it. */
    bool (*destroy)(qemu_xs_handle *h, xs_transaction_t t, const char *path);
    /* Permission strings ("n0", "r1"), g_strfreev()-able. */
    char **(*get_perms)(qemu_xs_handle *h, xs_transaction_t t,
                        const char *path, unsigned int *num);
    bool (*set_perms)(qemu_xs_handle *h, xs_transaction_t t,
                      const char *path, char **perms, unsigned int num);
    /* fn runs once soon after, then on every change at or below path. */
    qemu_xs_watch *(*watch)(qemu_xs_handle *h, const char *path,
                            xs_watch_fn fn, void *opaque);
    void (*unwatch)(qemu_xs_handle *h, qemu_xs_watch *w);
    xs_transaction_t (*transaction_start)(qemu_xs_handle *h);
    /* false with errno EAGAIN: nothing was applied, start again. */
    bool (*transaction_end)(qemu_xs_handle *h, xs_transaction_t t,
                            bool abort);
} XenstoreBackendOps;

/* The operations on the emulated store of the xen-xenstore device. */
extern const XenstoreBackendOps emu_xenstore_backend_ops;

#endif
