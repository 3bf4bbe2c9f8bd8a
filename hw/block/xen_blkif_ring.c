/*
 * The blkif shared ring, backend side: see xen_blkif_ring.h.
 *
 * The guest writes the page while we read it, so every field is read
 * once into private memory and only the copy is checked and used: a
 * request cannot change between its validation and its use.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "xen_blkif_ring.h"
#include "trace.h"

/* The ABI is fixed: a wrong size here would misread every guest. */
G_STATIC_ASSERT(sizeof(BlkifSegment) == 8);
G_STATIC_ASSERT(sizeof(BlkifRequest) == 112);
G_STATIC_ASSERT(offsetof(BlkifRequest, id) == 8);
G_STATIC_ASSERT(offsetof(BlkifRequest, sector_number) == 16);
G_STATIC_ASSERT(offsetof(BlkifRequest, seg) == 24);
G_STATIC_ASSERT(sizeof(BlkifResponse) == 16);
G_STATIC_ASSERT(offsetof(BlkifResponse, status) == 10);
G_STATIC_ASSERT(sizeof(BlkifRingEntry) == 112);
G_STATIC_ASSERT(offsetof(BlkifSring, ring) == 64);
G_STATIC_ASSERT(64 + BLKIF_RING_SIZE_1PAGE * 112 <= BLKIF_RING_PAGE_SIZE);
G_STATIC_ASSERT(64 + 2 * BLKIF_RING_SIZE_1PAGE * 112 > BLKIF_RING_PAGE_SIZE);

void xen_blkif_ring_init(XenBlkifRing *r, void *page, uint32_t nr_ents,
                         uint64_t image_sectors, bool readonly)
{
    BlkifSring *s = page;

    g_assert(nr_ents && !(nr_ents & (nr_ents - 1)));
    memset(r, 0, sizeof(*r));
    r->sring = s;
    r->nr_ents = nr_ents;
    /*
     * Continue from where the responses are: requests the guest put
     * after them are taken; an rsp_prod that is nonsense relative to
     * req_prod is caught by the first get_request.
     */
    r->rsp_prod_pvt = qatomic_read(&s->rsp_prod);
    r->req_cons = r->rsp_prod_pvt;
    r->rsp_pushed = r->rsp_prod_pvt;
    r->image_sectors = image_sectors;
    r->readonly = readonly;
}

/* Segments: the bytes they name, each inside its one page. */
static int16_t check_segments(const BlkifRequest *g, XenBlkifRequest *req,
                              uint64_t *sectors)
{
    uint64_t total = 0;

    for (unsigned int i = 0; i < req->nr_segs; i++) {
        uint8_t first = g->seg[i].first_sect;
        uint8_t last = g->seg[i].last_sect;

        if (first > last || last >= BLKIF_SECTORS_PER_PAGE) {
            trace_xen_blkif_bad_segment(req->id, i, first, last);
            return BLKIF_RSP_ERROR;
        }
        req->segs[i].gref = g->seg[i].gref;
        req->segs[i].offset = first * BLKIF_SECTOR_SIZE;
        req->segs[i].len = (last - first + 1) * BLKIF_SECTOR_SIZE;
        total += last - first + 1;
    }
    *sectors = total;
    return BLKIF_RSP_OKAY;
}

/* Check the private copy g and fill req; req->status says the verdict. */
static void validate(XenBlkifRing *r, const BlkifRequest *g,
                     XenBlkifRequest *req)
{
    uint64_t sectors = 0;

    memset(req, 0, sizeof(*req));
    req->id = g->id;
    req->operation = g->operation;
    req->sector = g->sector_number;
    req->nr_segs = g->nr_segments;
    req->status = BLKIF_RSP_OKAY;

    switch (g->operation) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
        if (req->nr_segs < 1) {
            goto bad;
        }
        req->write = g->operation == BLKIF_OP_WRITE;
        break;
    case BLKIF_OP_FLUSH_DISKCACHE:
        /*
         * Linux sends FUA writes as a flush carrying data: write it, then
         * flush.  Without data there is nothing but the flush.
         */
        req->flush = true;
        req->write = req->nr_segs > 0;
        break;
    default:
        /* Barriers, discard, indirect: not advertised, so not done. */
        trace_xen_blkif_unsupported(req->id, g->operation);
        req->nr_segs = 0;
        req->status = BLKIF_RSP_EOPNOTSUPP;
        return;
    }
    if (req->nr_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        goto bad;
    }
    if (req->write && r->readonly) {
        trace_xen_blkif_readonly(req->id);
        goto bad;
    }
    if (check_segments(g, req, &sectors) != BLKIF_RSP_OKAY) {
        goto bad;
    }
    /* sector + sectors <= image_sectors, without overflowing. */
    if (req->nr_segs &&
        (req->sector > r->image_sectors ||
         sectors > r->image_sectors - req->sector)) {
        trace_xen_blkif_out_of_range(req->id, req->sector, sectors,
                                     r->image_sectors);
        goto bad;
    }
    return;

bad:
    trace_xen_blkif_bad_request(req->id, g->operation, g->nr_segments);
    req->nr_segs = 0;
    req->write = req->flush = false;
    req->status = BLKIF_RSP_ERROR;
}

int xen_blkif_ring_get_request(XenBlkifRing *r, XenBlkifRequest *req)
{
    BlkifSring *s = r->sring;
    uint32_t prod;
    BlkifRequest copy;

    if (r->stopped) {
        return -1;
    }
    prod = qatomic_read(&s->req_prod);
    /* The entries up to prod are read only after prod itself. */
    smp_rmb();
    if (prod - r->req_cons > r->nr_ents) {
        /*
         * More requests than the ring holds: the guest's index is made
         * up.  Nothing it says can be trusted any more; stop this ring.
         */
        trace_xen_blkif_hostile_prod(prod, r->req_cons, r->nr_ents);
        r->stopped = true;
        return -1;
    }
    if (prod == r->req_cons ||
        xen_blkif_ring_in_use(r) >= r->nr_ents) {
        return 0;
    }
    /* One copy out of shared memory; only the copy is looked at. */
    memcpy(&copy, &s->ring[r->req_cons & (r->nr_ents - 1)].req,
           sizeof(copy));
    barrier();
    r->req_cons++;
    validate(r, &copy, req);
    return 1;
}

void xen_blkif_ring_put_response(XenBlkifRing *r, uint64_t id,
                                 uint8_t operation, int16_t status)
{
    BlkifResponse rsp = {
        .id = id,
        .operation = operation,
        .status = status,
    };

    if (r->stopped) {
        return;
    }
    /* The slot of a request we took: in_use > 0 means we own it. */
    g_assert(xen_blkif_ring_in_use(r) > 0);
    memcpy(&r->sring->ring[r->rsp_prod_pvt & (r->nr_ents - 1)].rsp, &rsp,
           sizeof(rsp));
    r->rsp_prod_pvt++;
}

bool xen_blkif_ring_push_responses(XenBlkifRing *r)
{
    BlkifSring *s = r->sring;
    uint32_t old, new = r->rsp_prod_pvt;

    if (r->stopped) {
        return false;
    }
    /* Not the page's rsp_prod: the guest may have scribbled on it. */
    old = r->rsp_pushed;
    r->rsp_pushed = new;
    /* Responses are in the page before the index that shows them. */
    smp_wmb();
    qatomic_set(&s->rsp_prod, new);
    /* rsp_event is read after rsp_prod is visible (the guest's order). */
    smp_mb();
    /*
     * Notify if the guest's event index is in (old, new]: it has asked
     * to hear of one of the responses just published.
     */
    return (uint32_t)(new - qatomic_read(&s->rsp_event)) <
           (uint32_t)(new - old);
}

bool xen_blkif_ring_final_check(XenBlkifRing *r)
{
    BlkifSring *s = r->sring;

    if (r->stopped) {
        return false;
    }
    if (qatomic_read(&s->req_prod) != r->req_cons) {
        return true;
    }
    qatomic_set(&s->req_event, r->req_cons + 1);
    /* req_event must be visible before req_prod is read again. */
    smp_mb();
    return qatomic_read(&s->req_prod) != r->req_cons;
}
