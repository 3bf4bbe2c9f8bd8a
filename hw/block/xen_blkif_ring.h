/*
 * The blkif shared ring (Xen's block-device PV protocol) in the 64-bit
 * x86 layout ("x86_64-abi"), seen from the backend: take requests the
 * guest produces, validate a private copy of each, and produce
 * responses.  Pure logic on a page of memory: no grants, no files, no
 * event channels, so it can be tested and fuzzed on its own.
 *
 * The numbers and layouts are those of Xen's public io/blkif.h and
 * io/ring.h, written out here for the one ABI we speak.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_BLOCK_XEN_BLKIF_RING_H
#define HW_BLOCK_XEN_BLKIF_RING_H

#include "qemu/osdep.h"

#define BLKIF_OP_READ               0
#define BLKIF_OP_WRITE              1
#define BLKIF_OP_WRITE_BARRIER      2
#define BLKIF_OP_FLUSH_DISKCACHE    3
#define BLKIF_OP_DISCARD            5
#define BLKIF_OP_INDIRECT           6

#define BLKIF_RSP_OKAY              0
#define BLKIF_RSP_ERROR             (-1)
#define BLKIF_RSP_EOPNOTSUPP        (-2)

/* Segments a direct request can carry (one page each at most). */
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_SECTOR_SIZE           512
#define BLKIF_SECTORS_PER_PAGE      8   /* 4096 / 512: last_sect <= 7 */

/* The guest's view of one segment: sectors first..last of gref's page. */
typedef struct BlkifSegment {
    uint32_t gref;
    uint8_t first_sect;
    uint8_t last_sect;
    uint16_t pad;
} BlkifSegment;

/* A request as the x86_64 frontend lays it out (id is 8-aligned). */
typedef struct BlkifRequest {
    uint8_t operation;
    uint8_t nr_segments;
    uint16_t handle;
    uint32_t pad;
    uint64_t id;
    uint64_t sector_number;
    BlkifSegment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} BlkifRequest;

typedef struct BlkifResponse {
    uint64_t id;
    uint8_t operation;
    uint8_t pad;
    int16_t status;
    uint32_t pad2;
} BlkifResponse;

typedef union BlkifRingEntry {
    BlkifRequest req;
    BlkifResponse rsp;
} BlkifRingEntry;

/* io/ring.h's shared header: four indexes, then padding to 64 bytes. */
typedef struct BlkifSring {
    uint32_t req_prod;
    uint32_t req_event;
    uint32_t rsp_prod;
    uint32_t rsp_event;
    uint8_t pad[48];
    BlkifRingEntry ring[];
} BlkifSring;

/*
 * Entries in a ring of one page: the largest power of two that fits
 * after the header (the indexes are free-running and taken modulo it).
 */
#define BLKIF_RING_PAGE_SIZE        4096
#define BLKIF_RING_SIZE_1PAGE       32

/* A segment as the backend will do it: len bytes at offset of gref. */
typedef struct XenBlkifSeg {
    uint32_t gref;
    uint16_t offset;
    uint16_t len;
} XenBlkifSeg;

/*
 * A request copied out of the ring and checked.  status is
 * BLKIF_RSP_OKAY when the request is to be done; anything else is the
 * reply to send at once (nothing to do).  nr_segs is 0 for a flush
 * without data.  write says which way data goes (a flush may carry data
 * to write before flushing).
 */
typedef struct XenBlkifRequest {
    uint64_t id;
    uint8_t operation;
    int16_t status;
    bool write;
    bool flush;
    uint64_t sector;            /* first sector of the image */
    unsigned int nr_segs;
    XenBlkifSeg segs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} XenBlkifRequest;

typedef struct XenBlkifRing {
    BlkifSring *sring;          /* the guest's page: every read is suspect */
    uint32_t nr_ents;           /* a power of two */
    uint32_t req_cons;          /* ours: next request to take */
    uint32_t rsp_prod_pvt;      /* ours: responses written, not yet pushed */
    uint32_t rsp_pushed;        /* ours: the rsp_prod we last published */
    uint64_t image_sectors;
    bool readonly;
    bool stopped;               /* the guest broke the ring rules */
} XenBlkifRing;

/*
 * Start on a freshly connected ring: our indexes continue from the
 * guest's (a frontend initialises them to 0, but a reconnecting one may
 * not), and nothing the guest wrote is consumed.
 */
void xen_blkif_ring_init(XenBlkifRing *r, void *page, uint32_t nr_ents,
                         uint64_t image_sectors, bool readonly);

/*
 * Take the next request into *req (validated as above).
 * 1: one was taken; 0: none is there, or no response slot is free for
 * it; -1: the guest's req_prod is impossible (more than a ring ahead of
 * us) and the ring is now stopped for good: nothing more is taken or
 * answered.
 */
int xen_blkif_ring_get_request(XenBlkifRing *r, XenBlkifRequest *req);

/* Write a response into the next slot (not yet visible to the guest). */
void xen_blkif_ring_put_response(XenBlkifRing *r, uint64_t id,
                                 uint8_t operation, int16_t status);

/*
 * Publish the responses written so far; true if the guest asked to be
 * notified of one of them (its rsp_event lies among them).
 */
bool xen_blkif_ring_push_responses(XenBlkifRing *r);

/*
 * Nothing left to take: ask the guest to notify for its next request
 * (req_event) and look once more, so a request produced meanwhile is
 * not left waiting for a notification the guest will not send.  true
 * if there are requests to take.
 */
bool xen_blkif_ring_final_check(XenBlkifRing *r);

/* Responses the guest has not had yet plus requests taken: in flight. */
static inline uint32_t xen_blkif_ring_in_use(const XenBlkifRing *r)
{
    return r->req_cons - r->rsp_prod_pvt;
}

#endif
