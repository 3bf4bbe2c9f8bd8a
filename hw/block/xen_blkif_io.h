/*
 * Doing one validated blkif request against a raw image: map the guest
 * pages its segments name, read or write the file through them, flush,
 * unmap.  Grants are reached through a small table of functions so the
 * same code runs on the real grant table (xen_block.c) and on fakes
 * (tests, fuzzer).
 *
 * The three steps are split by thread: map and unmap run where the
 * grant table is used (the main loop), xen_blkif_io_run() only touches
 * the file and the host pointers that map produced, so it may run in a
 * worker thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_BLOCK_XEN_BLKIF_IO_H
#define HW_BLOCK_XEN_BLKIF_IO_H

#include <sys/uio.h>
#include "xen_blkif_ring.h"

typedef struct XenBlkifGrantOps {
    /*
     * Map count refs (1..BLKIF_MAX_SEGMENTS_PER_REQUEST; a ref may
     * repeat), writable if the guest's pages are to be written.
     * pages[i] gets the host address of refs[i]'s whole page.  Returns a
     * handle for unmap, or NULL if any ref is unusable (nothing mapped).
     */
    void *(*map)(void *opaque, const uint32_t *refs, unsigned int count,
                 bool writable, void **pages);
    void (*unmap)(void *opaque, void *handle);
} XenBlkifGrantOps;

typedef struct XenBlkifIO {
    XenBlkifRequest req;
    void *map;                  /* the grant ops' handle while mapped */
    struct iovec iov[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    int16_t status;             /* the response's status once done */
} XenBlkifIO;

/*
 * Take req; map its segments when it has any and is valid.  false: the
 * request is finished already (io->status is its reply; nothing
 * mapped), else run it, then unmap it.
 */
bool xen_blkif_io_start(XenBlkifIO *io, const XenBlkifRequest *req,
                        const XenBlkifGrantOps *ops, void *opaque);

/* Read or write the segments and flush if asked; sets io->status. */
void xen_blkif_io_run(XenBlkifIO *io, int fd);

/* Drop the mapping (if any); io->status stays. */
void xen_blkif_io_unmap(XenBlkifIO *io, const XenBlkifGrantOps *ops,
                        void *opaque);

#endif
