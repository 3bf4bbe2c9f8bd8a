/*
 * qemu-xenstored's state file: the guest's whole store in one
 * checksummed file, written so that a crash leaves either the old file
 * or the new one, never half of one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XS_STATE_FILE_H
#define XS_STATE_FILE_H

#include "qemu/error.h"
#include "hw/xen/xenstore_impl.h"

/*
 * Save @store, which serves guest @domid: a temporary file beside @path
 * (mode 0600), then renamed over it.
 */
bool xs_state_file_save(const char *path, XenstoreImplState *store,
                        unsigned int domid, Error **errp);

/*
 * Load a file xs_state_file_save() wrote for the same guest @domid into
 * @store.  All or nothing: the checksum, the header and the framing are
 * checked, then the store stream is loaded (which itself checks all of
 * it before it changes anything).  A corrupt, truncated or foreign file
 * fails with a message saying which, and @store is left as it was.  The
 * guest's watches in the file are restored with (@watch_fn,
 * @watch_opaque).
 */
bool xs_state_file_load(const char *path, XenstoreImplState *store,
                        unsigned int domid, xs_impl_watch_fn *watch_fn,
                        void *watch_opaque, Error **errp);

/*
 * The same without the file: what xs_state_file_save() writes, and
 * loading it from memory (@path only names it in messages).
 */
GByteArray *xs_state_file_contents(XenstoreImplState *store,
                                   unsigned int domid);
bool xs_state_file_load_contents(const char *path, const uint8_t *data,
                                 size_t len, XenstoreImplState *store,
                                 unsigned int domid,
                                 xs_impl_watch_fn *watch_fn,
                                 void *watch_opaque, Error **errp);

#endif
