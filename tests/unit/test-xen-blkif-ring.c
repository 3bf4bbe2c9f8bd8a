/*
 * The blkif ring and request execution (hw/block/xen_blkif_ring.c,
 * xen_blkif_io.c) against an in-memory ring page, a fake grant table of
 * a few pages, and a temporary image file: what the guest gets back for
 * good and bad requests, what reaches the image, and the index rules.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "xen_blkif_ring.h"
#include "xen_blkif_io.h"

#define IMAGE_SECTORS   64      /* what the ring is told */
#define GUARD_SECTORS   8       /* after it in the file: never written */
#define NR_GRANTS       8
#define PAGE            4096

typedef struct Fixture {
    uint8_t *page;              /* the shared ring */
    BlkifSring *s;
    XenBlkifRing ring;
    int fd;
    char *path;
    uint8_t grant_pages[NR_GRANTS][PAGE];
    bool granted[NR_GRANTS];
    bool grant_ro[NR_GRANTS];
    unsigned int maps;          /* live mappings */
    unsigned int map_calls;
    bool last_map_writable;
} Fixture;

/* The fake grant table: refs 0..NR_GRANTS-1, as the test grants them. */
static void *fake_map(void *opaque, const uint32_t *refs, unsigned int count,
                      bool writable, void **pages)
{
    Fixture *f = opaque;

    f->map_calls++;
    f->last_map_writable = writable;
    g_assert_cmpuint(count, >=, 1);
    g_assert_cmpuint(count, <=, BLKIF_MAX_SEGMENTS_PER_REQUEST);
    for (unsigned int i = 0; i < count; i++) {
        if (refs[i] >= NR_GRANTS || !f->granted[refs[i]] ||
            (writable && f->grant_ro[refs[i]])) {
            return NULL;
        }
    }
    for (unsigned int i = 0; i < count; i++) {
        pages[i] = f->grant_pages[refs[i]];
    }
    f->maps++;
    return f;                   /* any non-NULL handle */
}

static void fake_unmap(void *opaque, void *handle)
{
    Fixture *f = opaque;

    g_assert(handle == f);
    g_assert_cmpuint(f->maps, >, 0);
    f->maps--;
}

static const XenBlkifGrantOps fake_ops = {
    .map = fake_map,
    .unmap = fake_unmap,
};

static uint8_t image_byte(uint64_t off)
{
    return (uint8_t)(off * 7 + (off >> 9) * 13 + 1);
}

static Fixture *fixture_new(uint32_t start_idx, bool readonly)
{
    Fixture *f = g_new0(Fixture, 1);
    size_t len = (IMAGE_SECTORS + GUARD_SECTORS) * BLKIF_SECTOR_SIZE;
    g_autofree uint8_t *img = g_malloc(len);
    GError *err = NULL;

    f->page = g_malloc0(PAGE);
    f->s = (BlkifSring *)f->page;
    f->fd = g_file_open_tmp("blkif-XXXXXX", &f->path, &err);
    g_assert_no_error(err);
    for (size_t i = 0; i < len; i++) {
        img[i] = image_byte(i);
    }
    g_assert_cmpint(pwrite(f->fd, img, len, 0), ==, len);
    for (unsigned int i = 0; i < NR_GRANTS; i++) {
        f->granted[i] = true;
    }
    /* As a frontend initialises the ring, but at any index. */
    f->s->req_prod = f->s->rsp_prod = start_idx;
    f->s->req_event = f->s->rsp_event = start_idx + 1;
    xen_blkif_ring_init(&f->ring, f->page, BLKIF_RING_SIZE_1PAGE,
                        IMAGE_SECTORS, readonly);
    return f;
}

static void fixture_free(Fixture *f)
{
    size_t len = (IMAGE_SECTORS + GUARD_SECTORS) * BLKIF_SECTOR_SIZE;
    uint8_t guard[GUARD_SECTORS * BLKIF_SECTOR_SIZE];
    struct stat st;

    /* Nothing is left mapped, nothing was written past the image. */
    g_assert_cmpuint(f->maps, ==, 0);
    g_assert_cmpint(fstat(f->fd, &st), ==, 0);
    if (st.st_size == (off_t)len) {
        g_assert_cmpint(pread(f->fd, guard, sizeof(guard),
                              IMAGE_SECTORS * BLKIF_SECTOR_SIZE),
                        ==, sizeof(guard));
        for (size_t i = 0; i < sizeof(guard); i++) {
            g_assert_cmpuint(guard[i], ==,
                             image_byte(IMAGE_SECTORS * BLKIF_SECTOR_SIZE + i));
        }
    }
    close(f->fd);
    unlink(f->path);
    g_free(f->path);
    g_free(f->page);
    g_free(f);
}

/* The guest puts a request in the next slot and publishes it. */
static void guest_req(Fixture *f, uint8_t op, uint8_t nr_segs, uint64_t id,
                      uint64_t sector, const BlkifSegment *segs)
{
    BlkifRequest *r = &f->s->ring[f->s->req_prod %
                                  BLKIF_RING_SIZE_1PAGE].req;

    memset(r, 0, sizeof(*r));
    r->operation = op;
    r->nr_segments = nr_segs;
    r->handle = 0;
    r->id = id;
    r->sector_number = sector;
    if (segs) {
        memcpy(r->seg, segs,
               MIN(nr_segs, BLKIF_MAX_SEGMENTS_PER_REQUEST) * sizeof(*segs));
    }
    f->s->req_prod++;
}

static BlkifResponse *guest_rsp(Fixture *f, uint32_t idx)
{
    return &f->s->ring[idx % BLKIF_RING_SIZE_1PAGE].rsp;
}

/*
 * The backend's work, synchronously: take every request, do it, answer.
 * Returns whether the push asked for a notification; *taken counts.
 */
static bool serve(Fixture *f, unsigned int *taken)
{
    XenBlkifRequest req;
    XenBlkifIO io;
    unsigned int n = 0;
    int rc;

    while ((rc = xen_blkif_ring_get_request(&f->ring, &req)) == 1) {
        n++;
        if (xen_blkif_io_start(&io, &req, &fake_ops, f)) {
            xen_blkif_io_run(&io, f->fd);
            xen_blkif_io_unmap(&io, &fake_ops, f);
        }
        xen_blkif_ring_put_response(&f->ring, io.req.id, io.req.operation,
                                    io.status);
    }
    if (taken) {
        *taken = n;
    }
    return xen_blkif_ring_push_responses(&f->ring);
}

/* Serve one request and return its response's status. */
static int16_t one(Fixture *f, uint8_t op, uint8_t nr_segs, uint64_t sector,
                   const BlkifSegment *segs)
{
    uint32_t idx = f->s->req_prod;
    unsigned int taken;
    BlkifResponse *rsp;

    guest_req(f, op, nr_segs, 0x1234567890abcdefULL ^ idx, sector, segs);
    serve(f, &taken);
    g_assert_cmpuint(taken, ==, 1);
    g_assert_cmpuint(f->s->rsp_prod, ==, idx + 1);
    rsp = guest_rsp(f, idx);
    g_assert_cmpuint(rsp->id, ==, 0x1234567890abcdefULL ^ idx);
    g_assert_cmpuint(rsp->operation, ==, op);
    return rsp->status;
}

static void test_abi_sizes(void)
{
    g_assert_cmpuint(sizeof(BlkifRequest), ==, 112);
    g_assert_cmpuint(sizeof(BlkifRingEntry), ==, 112);
    g_assert_cmpuint(offsetof(BlkifSring, ring), ==, 64);
    /* io/ring.h: the largest power of two of entries in the page. */
    g_assert_cmpuint((PAGE - 64) / sizeof(BlkifRingEntry), ==, 36);
    g_assert_cmpuint(BLKIF_RING_SIZE_1PAGE, ==, 32);
}

static void test_read(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment segs[2] = {
        { .gref = 2, .first_sect = 1, .last_sect = 3 },
        { .gref = 5, .first_sect = 0, .last_sect = 7 },
    };

    memset(f->grant_pages, 0xee, sizeof(f->grant_pages));
    g_assert_cmpint(one(f, BLKIF_OP_READ, 2, 10, segs), ==, BLKIF_RSP_OKAY);
    g_assert_true(f->last_map_writable);
    /* Sectors 10..12 into page 2's sectors 1..3, then 13..20 into 5. */
    for (unsigned int i = 0; i < PAGE; i++) {
        uint8_t want = i < 512 || i >= 4 * 512 ? 0xee
                       : image_byte(10 * 512 + i - 512);
        g_assert_cmpuint(f->grant_pages[2][i], ==, want);
        g_assert_cmpuint(f->grant_pages[5][i], ==, image_byte(13 * 512 + i));
    }
    g_assert_cmpuint(f->grant_pages[3][0], ==, 0xee);
    fixture_free(f);
}

static void test_write(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment seg = { .gref = 1, .first_sect = 2, .last_sect = 4 };
    uint8_t buf[3 * 512];

    memset(f->grant_pages[1], 0x5a, PAGE);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 1, 61, &seg), ==, BLKIF_RSP_OKAY);
    g_assert_false(f->last_map_writable);
    g_assert_cmpint(pread(f->fd, buf, sizeof(buf), 61 * 512), ==,
                    sizeof(buf));
    for (unsigned int i = 0; i < sizeof(buf); i++) {
        g_assert_cmpuint(buf[i], ==, 0x5a);
    }
    /* Neighbours untouched. */
    g_assert_cmpint(pread(f->fd, buf, 1, 61 * 512 - 1), ==, 1);
    g_assert_cmpuint(buf[0], ==, image_byte(61 * 512 - 1));
    fixture_free(f);
}

static void test_flush(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment seg = { .gref = 0, .first_sect = 0, .last_sect = 0 };
    uint8_t b;

    g_assert_cmpint(one(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, NULL), ==,
                    BLKIF_RSP_OKAY);
    /* A bare flush's sector is not looked at. */
    g_assert_cmpint(one(f, BLKIF_OP_FLUSH_DISKCACHE, 0, UINT64_MAX, NULL),
                    ==, BLKIF_RSP_OKAY);
    g_assert_cmpuint(f->map_calls, ==, 0);
    /* A flush with data (Linux's FUA write) writes it. */
    memset(f->grant_pages[0], 0x77, PAGE);
    g_assert_cmpint(one(f, BLKIF_OP_FLUSH_DISKCACHE, 1, 5, &seg), ==,
                    BLKIF_RSP_OKAY);
    g_assert_cmpint(pread(f->fd, &b, 1, 5 * 512 + 511), ==, 1);
    g_assert_cmpuint(b, ==, 0x77);
    g_assert_cmpint(one(f, BLKIF_OP_FLUSH_DISKCACHE, 1, 64, &seg), ==,
                    BLKIF_RSP_ERROR);
    fixture_free(f);
}

static void test_out_of_range(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment seg = { .gref = 0, .first_sect = 0, .last_sect = 1 };

    /* The last two sectors: fine; one further: refused. */
    g_assert_cmpint(one(f, BLKIF_OP_READ, 1, 62, &seg), ==, BLKIF_RSP_OKAY);
    g_assert_cmpint(one(f, BLKIF_OP_READ, 1, 63, &seg), ==, BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 1, 63, &seg), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 1, 64, &seg), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 1, 1000, &seg), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpuint(f->map_calls, ==, 1);
    fixture_free(f);
}

static void test_sector_overflow(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment segs[11];

    for (unsigned int i = 0; i < 11; i++) {
        segs[i] = (BlkifSegment){ .gref = i % NR_GRANTS, .last_sect = 7 };
    }
    /* sector + count wraps to something small: still refused. */
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 1, UINT64_MAX, segs), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 11, UINT64_MAX - 80, segs), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_READ, 11, UINT64_MAX - 7, segs), ==,
                    BLKIF_RSP_ERROR);
    /* Byte offset wrapping 64 bits (sector * 512). */
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 1, 1ULL << 55, segs), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpuint(f->map_calls, ==, 0);
    fixture_free(f);
}

static void test_nr_segments(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment segs[11];

    for (unsigned int i = 0; i < 11; i++) {
        segs[i] = (BlkifSegment){ .gref = 0, .first_sect = 0,
                                  .last_sect = 0 };
    }
    g_assert_cmpint(one(f, BLKIF_OP_READ, 0, 0, segs), ==, BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 0, 0, segs), ==, BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_READ, 12, 0, segs), ==, BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 255, 0, segs), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_FLUSH_DISKCACHE, 12, 0, segs), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpuint(f->map_calls, ==, 0);
    g_assert_cmpint(one(f, BLKIF_OP_READ, 11, 0, segs), ==, BLKIF_RSP_OKAY);
    g_assert_cmpint(one(f, BLKIF_OP_READ, 1, 0, segs), ==, BLKIF_RSP_OKAY);
    fixture_free(f);
}

static void test_bad_sectors(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment segs[2] = {
        { .gref = 0, .first_sect = 0, .last_sect = 7 },
        { .gref = 1, .first_sect = 4, .last_sect = 3 },
    };

    g_assert_cmpint(one(f, BLKIF_OP_READ, 2, 0, segs), ==, BLKIF_RSP_ERROR);
    segs[1] = (BlkifSegment){ .gref = 1, .first_sect = 0, .last_sect = 8 };
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 2, 0, segs), ==, BLKIF_RSP_ERROR);
    segs[1] = (BlkifSegment){ .gref = 1, .first_sect = 8, .last_sect = 8 };
    g_assert_cmpint(one(f, BLKIF_OP_READ, 2, 0, segs), ==, BLKIF_RSP_ERROR);
    segs[1] = (BlkifSegment){ .gref = 1, .first_sect = 255,
                              .last_sect = 255 };
    g_assert_cmpint(one(f, BLKIF_OP_READ, 2, 0, segs), ==, BLKIF_RSP_ERROR);
    g_assert_cmpuint(f->map_calls, ==, 0);
    segs[1] = (BlkifSegment){ .gref = 1, .first_sect = 7, .last_sect = 7 };
    g_assert_cmpint(one(f, BLKIF_OP_READ, 2, 0, segs), ==, BLKIF_RSP_OKAY);
    fixture_free(f);
}

static void test_readonly(void)
{
    Fixture *f = fixture_new(0, true);
    BlkifSegment seg = { .gref = 0, .first_sect = 0, .last_sect = 7 };
    uint8_t b;

    memset(f->grant_pages[0], 0x11, PAGE);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 1, 0, &seg), ==, BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_FLUSH_DISKCACHE, 1, 0, &seg), ==,
                    BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, NULL), ==,
                    BLKIF_RSP_OKAY);
    g_assert_cmpuint(f->map_calls, ==, 0);
    g_assert_cmpint(pread(f->fd, &b, 1, 0), ==, 1);
    g_assert_cmpuint(b, ==, image_byte(0));
    g_assert_cmpint(one(f, BLKIF_OP_READ, 1, 0, &seg), ==, BLKIF_RSP_OKAY);
    g_assert_cmpuint(f->grant_pages[0][0], ==, image_byte(0));
    fixture_free(f);
}

static void test_unsupported_ops(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment seg = { .gref = 0, .first_sect = 0, .last_sect = 0 };
    static const uint8_t ops[] = {
        BLKIF_OP_WRITE_BARRIER, 4, BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT,
        7, 200, 255,
    };

    for (unsigned int i = 0; i < G_N_ELEMENTS(ops); i++) {
        g_assert_cmpint(one(f, ops[i], 1, 0, &seg), ==,
                        BLKIF_RSP_EOPNOTSUPP);
    }
    g_assert_cmpuint(f->map_calls, ==, 0);
    fixture_free(f);
}

static void test_bad_grants(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment segs[2] = {
        { .gref = 0, .first_sect = 0, .last_sect = 0 },
        { .gref = 0xffffffff, .first_sect = 0, .last_sect = 0 },
    };

    g_assert_cmpint(one(f, BLKIF_OP_READ, 2, 0, segs), ==, BLKIF_RSP_ERROR);
    /* A read needs the pages writable; a write does not. */
    segs[1].gref = 3;
    f->grant_ro[3] = true;
    g_assert_cmpint(one(f, BLKIF_OP_READ, 2, 0, segs), ==, BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 2, 0, segs), ==, BLKIF_RSP_OKAY);
    f->granted[3] = false;
    g_assert_cmpint(one(f, BLKIF_OP_WRITE, 2, 0, segs), ==, BLKIF_RSP_ERROR);
    fixture_free(f);
}

static void test_io_error(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment seg = { .gref = 0, .first_sect = 0, .last_sect = 7 };

    /* The file shrank behind the device's back: errors, no hang. */
    g_assert_cmpint(ftruncate(f->fd, 4 * 512), ==, 0);
    g_assert_cmpint(one(f, BLKIF_OP_READ, 1, 8, &seg), ==, BLKIF_RSP_ERROR);
    g_assert_cmpint(one(f, BLKIF_OP_READ, 1, 0, &seg), ==, BLKIF_RSP_ERROR);
    fixture_free(f);
}

static void test_hostile_req_prod(void)
{
    static const uint32_t bad[] = { 33, 34, 1000, 0x80000000u, 0xffffffffu };

    for (unsigned int i = 0; i < G_N_ELEMENTS(bad); i++) {
        Fixture *f = fixture_new(0xfffffff0u, false);
        BlkifSegment seg = { .gref = 0, .first_sect = 0, .last_sect = 0 };
        XenBlkifRequest req;
        unsigned int taken;

        for (unsigned int j = 0; j < 3; j++) {
            guest_req(f, BLKIF_OP_READ, 1, j, 0, &seg);
        }
        f->s->req_prod = 0xfffffff0u + bad[i];
        g_assert_false(serve(f, &taken));
        g_assert_cmpuint(taken, ==, 0);
        g_assert_true(f->ring.stopped);
        g_assert_cmpuint(f->s->rsp_prod, ==, 0xfffffff0u);
        /* Stopped for good, even if the guest puts things right. */
        f->s->req_prod = 0xfffffff0u + 3;
        g_assert_cmpint(xen_blkif_ring_get_request(&f->ring, &req), ==, -1);
        g_assert_false(xen_blkif_ring_final_check(&f->ring));
        g_assert_cmpuint(f->s->rsp_prod, ==, 0xfffffff0u);
        g_assert_cmpuint(f->map_calls, ==, 0);
        fixture_free(f);
    }

    /* Exactly a ring's worth is legal. */
    Fixture *f = fixture_new(7, false);
    unsigned int taken;

    for (unsigned int j = 0; j < 32; j++) {
        guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, j, 0, NULL);
    }
    serve(f, &taken);
    g_assert_cmpuint(taken, ==, 32);
    g_assert_cmpuint(f->s->rsp_prod, ==, 7 + 32);
    fixture_free(f);
}

static void test_full_ring(void)
{
    Fixture *f = fixture_new(100, false);
    XenBlkifRequest req;

    for (unsigned int j = 0; j < 32; j++) {
        guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, j, 0, NULL);
    }
    for (unsigned int j = 0; j < 32; j++) {
        g_assert_cmpint(xen_blkif_ring_get_request(&f->ring, &req), ==, 1);
        g_assert_cmpuint(req.id, ==, j);
    }
    /*
     * All 32 response slots are owed: a guest that produces one more
     * anyway (overwriting a slot we have not answered) gets nothing taken.
     */
    f->s->req_prod++;
    g_assert_cmpint(xen_blkif_ring_get_request(&f->ring, &req), ==, 0);
    g_assert_false(f->ring.stopped);
    f->s->req_prod--;
    xen_blkif_ring_put_response(&f->ring, 0, BLKIF_OP_FLUSH_DISKCACHE, 0);
    /* The guest sees the response, then reuses its slot. */
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 32, 0, NULL);
    g_assert_cmpint(xen_blkif_ring_get_request(&f->ring, &req), ==, 1);
    g_assert_cmpuint(req.id, ==, 32);
    fixture_free(f);
}

static void test_copy_before_validate(void)
{
    Fixture *f = fixture_new(0, false);
    BlkifSegment seg = { .gref = 0, .first_sect = 0, .last_sect = 0 };
    XenBlkifRequest req;
    BlkifRequest *shared = &f->s->ring[0].req;

    guest_req(f, BLKIF_OP_READ, 1, 9, 3, &seg);
    g_assert_cmpint(xen_blkif_ring_get_request(&f->ring, &req), ==, 1);
    /* The guest changes its mind afterwards: the taken copy holds. */
    shared->sector_number = UINT64_MAX;
    shared->nr_segments = 200;
    shared->seg[0].last_sect = 200;
    g_assert_cmpint(req.status, ==, BLKIF_RSP_OKAY);
    g_assert_cmpuint(req.sector, ==, 3);
    g_assert_cmpuint(req.nr_segs, ==, 1);
    g_assert_cmpuint(req.segs[0].len, ==, 512);
    fixture_free(f);
}

static void test_notify(void)
{
    Fixture *f = fixture_new(0, false);
    unsigned int taken;

    /* Fresh ring: rsp_event = 1, the first response notifies. */
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 1, 0, NULL);
    g_assert_true(serve(f, &taken));
    /* The guest has not asked again: rsp_event is behind. */
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 2, 0, NULL);
    g_assert_false(serve(f, &taken));
    /* Asking for the next one. */
    f->s->rsp_event = f->s->rsp_prod + 1;
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 3, 0, NULL);
    g_assert_true(serve(f, &taken));
    /* An event index in the middle of a batch notifies once. */
    f->s->rsp_event = f->s->rsp_prod + 2;
    for (unsigned int j = 0; j < 3; j++) {
        guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 4 + j, 0, NULL);
    }
    g_assert_true(serve(f, &taken));
    g_assert_cmpuint(taken, ==, 3);
    /* Beyond the batch: no notification yet. */
    f->s->rsp_event = f->s->rsp_prod + 5;
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 7, 0, NULL);
    g_assert_false(serve(f, &taken));
    /* Nothing new: no notification whatever rsp_event says. */
    f->s->rsp_event = f->s->rsp_prod;
    g_assert_false(serve(f, &taken));
    /* A scribbled rsp_prod does not fool the check (ours is private). */
    f->s->rsp_event = f->s->rsp_prod + 1;
    f->s->rsp_prod += 1;
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 8, 0, NULL);
    g_assert_true(serve(f, &taken));
    f->s->rsp_prod -= 5;
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 9, 0, NULL);
    g_assert_false(serve(f, &taken));
    fixture_free(f);
}

static void test_final_check(void)
{
    Fixture *f = fixture_new(0xfffffffeu, false);
    unsigned int taken;

    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 1, 0, NULL);
    /* Requests there: no need to arm req_event. */
    f->s->req_event = 0;
    g_assert_true(xen_blkif_ring_final_check(&f->ring));
    g_assert_cmpuint(f->s->req_event, ==, 0);
    serve(f, &taken);
    /* Empty: ask for a notification at the very next request. */
    g_assert_false(xen_blkif_ring_final_check(&f->ring));
    g_assert_cmpuint(f->s->req_event, ==, 0xffffffffu + 1);
    guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 2, 0, NULL);
    g_assert_true(xen_blkif_ring_final_check(&f->ring));
    serve(f, &taken);
    g_assert_cmpuint(taken, ==, 1);
    g_assert_false(xen_blkif_ring_final_check(&f->ring));
    g_assert_cmpuint(f->s->req_event, ==, 1);
    fixture_free(f);
}

/* Many requests in batches of every size, crossing 2^32 in the indexes. */
static void test_wraparound(void)
{
    Fixture *f = fixture_new(0xffffffffu - 40, false);
    uint64_t id = 0;
    unsigned int batch = 1;

    while (id < 600) {
        uint32_t first = f->s->req_prod;
        unsigned int taken;

        for (unsigned int j = 0; j < batch; j++, id++) {
            BlkifSegment seg = { .gref = id % NR_GRANTS,
                                 .first_sect = id % 8, .last_sect = 7 };
            uint64_t sector = id % (IMAGE_SECTORS - 8);

            memset(f->grant_pages[seg.gref], 0, PAGE);
            guest_req(f, BLKIF_OP_READ, 1, id, sector, &seg);
            serve(f, &taken);
            g_assert_cmpuint(taken, ==, 1);
            g_assert_cmpuint(f->grant_pages[seg.gref][(id % 8) * 512], ==,
                             image_byte(sector * 512));
        }
        for (unsigned int j = 0; j < batch; j++) {
            BlkifResponse *rsp = guest_rsp(f, first + j);

            g_assert_cmpuint(rsp->id, ==, id - batch + j);
            g_assert_cmpint(rsp->status, ==, BLKIF_RSP_OKAY);
        }
        g_assert_cmpuint(f->s->rsp_prod, ==, f->s->req_prod);
        batch = batch % 32 + 1;
    }
    /* And many queued at once across the wrap. */
    for (unsigned int round = 0; round < 20; round++) {
        uint32_t first = f->s->req_prod;
        unsigned int taken;

        for (unsigned int j = 0; j < 32; j++) {
            guest_req(f, BLKIF_OP_FLUSH_DISKCACHE, 0, round * 32 + j, 0,
                      NULL);
        }
        serve(f, &taken);
        g_assert_cmpuint(taken, ==, 32);
        for (unsigned int j = 0; j < 32; j++) {
            g_assert_cmpuint(guest_rsp(f, first + j)->id, ==, round * 32 + j);
        }
    }
    g_assert_false(f->ring.stopped);
    fixture_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-blkif/abi-sizes", test_abi_sizes);
    g_test_add_func("/xen-blkif/read", test_read);
    g_test_add_func("/xen-blkif/write", test_write);
    g_test_add_func("/xen-blkif/flush", test_flush);
    g_test_add_func("/xen-blkif/out-of-range", test_out_of_range);
    g_test_add_func("/xen-blkif/sector-overflow", test_sector_overflow);
    g_test_add_func("/xen-blkif/nr-segments", test_nr_segments);
    g_test_add_func("/xen-blkif/bad-sectors", test_bad_sectors);
    g_test_add_func("/xen-blkif/readonly", test_readonly);
    g_test_add_func("/xen-blkif/unsupported-ops", test_unsupported_ops);
    g_test_add_func("/xen-blkif/bad-grants", test_bad_grants);
    g_test_add_func("/xen-blkif/io-error", test_io_error);
    g_test_add_func("/xen-blkif/hostile-req-prod", test_hostile_req_prod);
    g_test_add_func("/xen-blkif/full-ring", test_full_ring);
    g_test_add_func("/xen-blkif/copy-before-validate",
                    test_copy_before_validate);
    g_test_add_func("/xen-blkif/notify", test_notify);
    g_test_add_func("/xen-blkif/final-check", test_final_check);
    g_test_add_func("/xen-blkif/wraparound", test_wraparound);
    return g_test_run();
}
