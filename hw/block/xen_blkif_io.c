/*
 * One blkif request against a raw image file: see xen_blkif_io.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xen_blkif_io.h"
#include "trace.h"

bool xen_blkif_io_start(XenBlkifIO *io, const XenBlkifRequest *req,
                        const XenBlkifGrantOps *ops, void *opaque)
{
    uint32_t refs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    void *pages[BLKIF_MAX_SEGMENTS_PER_REQUEST];

    memset(io, 0, sizeof(*io));
    io->req = *req;
    io->status = req->status;
    if (req->status != BLKIF_RSP_OKAY) {
        return false;
    }
    if (!req->nr_segs) {
        return true;            /* a bare flush */
    }
    g_assert(req->nr_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
    for (unsigned int i = 0; i < req->nr_segs; i++) {
        refs[i] = req->segs[i].gref;
    }
    /* A read fills the guest's pages: they must be granted writable. */
    io->map = ops->map(opaque, refs, req->nr_segs, !req->write, pages);
    if (!io->map) {
        trace_xen_blkif_io_map_failed(req->id, req->nr_segs);
        io->status = BLKIF_RSP_ERROR;
        return false;
    }
    for (unsigned int i = 0; i < req->nr_segs; i++) {
        /* offset + len <= 4096: the ring checked first/last_sect. */
        io->iov[i].iov_base = (uint8_t *)pages[i] + req->segs[i].offset;
        io->iov[i].iov_len = req->segs[i].len;
    }
    return true;
}

/* All of iov at offset, retrying short transfers and EINTR. */
static int transfer(int fd, struct iovec *iov, int iovcnt, off_t offset,
                    bool write)
{
    while (iovcnt > 0) {
        ssize_t n = write ? pwritev(fd, iov, iovcnt, offset)
                          : preadv(fd, iov, iovcnt, offset);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            /* The file shrank under us: the range is gone. */
            return -EIO;
        }
        offset += n;
        while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
            n -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + n;
            iov->iov_len -= n;
        }
    }
    return 0;
}

void xen_blkif_io_run(XenBlkifIO *io, int fd)
{
    XenBlkifRequest *req = &io->req;
    struct iovec iov[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    int err = 0;

    if (req->nr_segs) {
        /* A copy: transfer() advances it, io->iov stays as mapped. */
        memcpy(iov, io->iov, sizeof(iov));
        err = transfer(fd, iov, req->nr_segs,
                       (off_t)(req->sector * BLKIF_SECTOR_SIZE), req->write);
    }
    if (!err && req->flush && fdatasync(fd) < 0) {
        err = -errno;
    }
    if (err) {
        trace_xen_blkif_io_failed(req->id, req->operation, -err);
    }
    io->status = err ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
}

void xen_blkif_io_unmap(XenBlkifIO *io, const XenBlkifGrantOps *ops,
                        void *opaque)
{
    if (io->map) {
        ops->unmap(opaque, io->map);
        io->map = NULL;
    }
}
