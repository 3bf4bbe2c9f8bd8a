/*
 * libFuzzer target: a hostile guest driving a vbd's blkif ring
 * (hw/block/xen_blkif_ring.c) and request execution (xen_blkif_io.c)
 * against a small image file and a fake grant table.  Requests may be
 * held "in flight" and completed out of order, as the device's worker
 * pool does.  Whatever the input, nothing is written outside the image
 * (a guard region after it in the file and guard pages around the
 * granted pages are checked), nothing is left mapped, and the backend's
 * indexes keep the ring rules.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "xen_blkif_ring.h"
#include "xen_blkif_io.h"

#define IMAGE_SECTORS   32
#define GUARD_SECTORS   8
#define FILE_BYTES      ((IMAGE_SECTORS + GUARD_SECTORS) * BLKIF_SECTOR_SIZE)
#define NR_GRANTS       6       /* refs 0..5 exist; the input may name any */
#define PAGE            4096
#define GUARD_BYTE      0xa5
#define MAX_ACTIONS     2000

/*
 * The input: a flags byte (bit 0 read-only image), a u32 start index,
 * then actions, each an opcode byte (modulo 9) and its arguments; a
 * missing byte reads as 0.  u16/u32 are little endian.
 *
 *  0 PUT_RAW       112 bytes          a request exactly as given, in the
 *                                     next slot; req_prod++
 *  1 PUT           op nsegs sector:u16, then per segment gref:u8 and
 *                  sects:u8 (first = low nibble, last = high nibble)
 *  2 SET_REQ_PROD  how:u8 [v:u32]     req_prod = v (how odd) or
 *                                     req_prod + (int8_t)how
 *  3 SCRIBBLE      field:u8 v:u32     rsp_prod, rsp_event or req_event
 *  4 SERVE                            take, do and answer all, push
 *  5 TAKE          n:u8               take up to n requests and start
 *                                     them (held in flight)
 *  6 COMPLETE      i:u8               finish held request i % held
 *  7 GRANT         ref:u8 how:u8      ref % NR_GRANTS: revoke, grant
 *                                     read-only or writable
 *  8 FINAL_CHECK
 */
enum {
    ACT_PUT_RAW, ACT_PUT, ACT_SET_REQ_PROD, ACT_SCRIBBLE, ACT_SERVE,
    ACT_TAKE, ACT_COMPLETE, ACT_GRANT, ACT_FINAL_CHECK, ACT_COUNT
};

typedef struct Input {
    const uint8_t *p;
    size_t len;
} Input;

typedef struct Fuzz {
    uint8_t *page;
    BlkifSring *s;
    XenBlkifRing ring;
    /* guard page, then each granted page followed by a guard page */
    uint8_t *grant_mem;
    bool granted[NR_GRANTS];
    bool grant_ro[NR_GRANTS];
    unsigned int maps;
    GPtrArray *held;            /* XenBlkifIO in flight */
    uint64_t taken, answered;
} Fuzz;

static int image_fd = -1;

static uint8_t get_u8(Input *in)
{
    uint8_t v = 0;

    if (in->len) {
        v = *in->p++;
        in->len--;
    }
    return v;
}

static uint16_t get_u16(Input *in)
{
    uint16_t v = get_u8(in);

    return v | get_u8(in) << 8;
}

static uint32_t get_u32(Input *in)
{
    uint32_t v = get_u16(in);

    return v | (uint32_t)get_u16(in) << 16;
}

static uint8_t *grant_page(Fuzz *f, unsigned int ref)
{
    return f->grant_mem + (2 * ref + 1) * PAGE;
}

static void *fake_map(void *opaque, const uint32_t *refs, unsigned int count,
                      bool writable, void **pages)
{
    Fuzz *f = opaque;

    g_assert(count >= 1 && count <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
    for (unsigned int i = 0; i < count; i++) {
        if (refs[i] >= NR_GRANTS || !f->granted[refs[i]] ||
            (writable && f->grant_ro[refs[i]])) {
            return NULL;
        }
    }
    for (unsigned int i = 0; i < count; i++) {
        pages[i] = grant_page(f, refs[i]);
    }
    f->maps++;
    return f;
}

static void fake_unmap(void *opaque, void *handle)
{
    Fuzz *f = opaque;

    g_assert(handle == f && f->maps > 0);
    f->maps--;
}

static const XenBlkifGrantOps fake_ops = {
    .map = fake_map,
    .unmap = fake_unmap,
};

static void set_up_image(void)
{
    uint8_t buf[FILE_BYTES];

    if (image_fd < 0) {
        char *path = NULL;

        image_fd = g_file_open_tmp("fuzz-blkif-XXXXXX", &path, NULL);
        g_assert(image_fd >= 0);
        unlink(path);
        g_free(path);
    }
    memset(buf, 0x3c, IMAGE_SECTORS * BLKIF_SECTOR_SIZE);
    memset(buf + IMAGE_SECTORS * BLKIF_SECTOR_SIZE, GUARD_BYTE,
           GUARD_SECTORS * BLKIF_SECTOR_SIZE);
    g_assert(ftruncate(image_fd, FILE_BYTES) == 0);
    g_assert(pwrite(image_fd, buf, FILE_BYTES, 0) == FILE_BYTES);
}

static void check_guards(Fuzz *f)
{
    uint8_t buf[GUARD_SECTORS * BLKIF_SECTOR_SIZE];
    struct stat st;

    g_assert(fstat(image_fd, &st) == 0 && st.st_size == FILE_BYTES);
    g_assert(pread(image_fd, buf, sizeof(buf),
                   IMAGE_SECTORS * BLKIF_SECTOR_SIZE) == sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert(buf[i] == GUARD_BYTE);
    }
    for (unsigned int g = 0; g <= NR_GRANTS; g++) {
        const uint8_t *guard = f->grant_mem + 2 * g * PAGE;

        for (size_t i = 0; i < PAGE; i++) {
            g_assert(guard[i] == GUARD_BYTE);
        }
    }
}

/* The backend's own indexes never claim more than the ring holds. */
static void check_ring(Fuzz *f)
{
    g_assert(xen_blkif_ring_in_use(&f->ring) <= f->ring.nr_ents);
    g_assert(xen_blkif_ring_in_use(&f->ring) >= f->held->len);
    g_assert(f->answered <= f->taken);
}

static void answer(Fuzz *f, XenBlkifIO *io)
{
    xen_blkif_ring_put_response(&f->ring, io->req.id, io->req.operation,
                                io->status);
    f->answered++;
}

/* Take and start one request: false if none was taken. */
static bool take(Fuzz *f, bool hold)
{
    XenBlkifRequest req;
    XenBlkifIO *io;

    if (xen_blkif_ring_get_request(&f->ring, &req) != 1) {
        return false;
    }
    f->taken++;
    g_assert(req.nr_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
    if (req.status == BLKIF_RSP_OKAY && req.nr_segs) {
        /* What the ring accepts lies inside the image. */
        uint64_t bytes = 0;

        for (unsigned int i = 0; i < req.nr_segs; i++) {
            g_assert(req.segs[i].len && req.segs[i].len % 512 == 0);
            g_assert(req.segs[i].offset + req.segs[i].len <= PAGE);
            bytes += req.segs[i].len;
        }
        g_assert(req.sector <= IMAGE_SECTORS &&
                 bytes / 512 <= IMAGE_SECTORS - req.sector);
        g_assert(!(req.write && f->ring.readonly));
    }
    io = g_new(XenBlkifIO, 1);
    if (!xen_blkif_io_start(io, &req, &fake_ops, f)) {
        answer(f, io);
        g_free(io);
        return true;
    }
    if (hold) {
        g_ptr_array_add(f->held, io);
        return true;
    }
    xen_blkif_io_run(io, image_fd);
    xen_blkif_io_unmap(io, &fake_ops, f);
    answer(f, io);
    g_free(io);
    return true;
}

static void complete(Fuzz *f, unsigned int i)
{
    XenBlkifIO *io;

    if (!f->held->len) {
        return;
    }
    io = g_ptr_array_steal_index(f->held, i % f->held->len);
    xen_blkif_io_run(io, image_fd);
    xen_blkif_io_unmap(io, &fake_ops, f);
    answer(f, io);
    g_free(io);
    xen_blkif_ring_push_responses(&f->ring);
}

static void put(Fuzz *f, const BlkifRequest *r)
{
    memcpy(&f->s->ring[f->s->req_prod & (BLKIF_RING_SIZE_1PAGE - 1)].req, r,
           sizeof(*r));
    f->s->req_prod++;
}

static void run_one(Fuzz *f, Input *in)
{
    BlkifRequest r;

    switch (get_u8(in) % ACT_COUNT) {
    case ACT_PUT_RAW:
        for (size_t i = 0; i < sizeof(r); i++) {
            ((uint8_t *)&r)[i] = get_u8(in);
        }
        put(f, &r);
        break;
    case ACT_PUT: {
        memset(&r, 0, sizeof(r));
        r.operation = get_u8(in);
        r.nr_segments = get_u8(in);
        r.sector_number = get_u16(in);
        r.id = f->s->req_prod;
        for (unsigned int i = 0;
             i < MIN(r.nr_segments, BLKIF_MAX_SEGMENTS_PER_REQUEST); i++) {
            uint8_t sects;

            r.seg[i].gref = get_u8(in);
            sects = get_u8(in);
            r.seg[i].first_sect = sects & 15;
            r.seg[i].last_sect = sects >> 4;
        }
        put(f, &r);
        break;
    }
    case ACT_SET_REQ_PROD: {
        uint8_t how = get_u8(in);

        f->s->req_prod = how & 1 ? get_u32(in)
                                 : f->s->req_prod + (int8_t)how;
        break;
    }
    case ACT_SCRIBBLE: {
        uint8_t field = get_u8(in) % 3;
        uint32_t v = get_u32(in);

        if (field == 0) {
            f->s->rsp_prod = v;
        } else if (field == 1) {
            f->s->rsp_event = v;
        } else {
            f->s->req_event = v;
        }
        break;
    }
    case ACT_SERVE:
        while (take(f, false)) {
            check_ring(f);
        }
        xen_blkif_ring_push_responses(&f->ring);
        break;
    case ACT_TAKE:
        for (unsigned int n = get_u8(in) % 40; n && take(f, true); n--) {
            check_ring(f);
        }
        break;
    case ACT_COMPLETE:
        complete(f, get_u8(in));
        break;
    case ACT_GRANT: {
        unsigned int ref = get_u8(in) % NR_GRANTS;
        uint8_t how = get_u8(in) % 3;

        f->granted[ref] = how != 0;
        f->grant_ro[ref] = how == 1;
        break;
    }
    case ACT_FINAL_CHECK:
        xen_blkif_ring_final_check(&f->ring);
        break;
    }
    check_ring(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    Fuzz f = { 0 };
    uint8_t flags;
    uint32_t start;

    set_up_image();
    f.page = g_malloc0(BLKIF_RING_PAGE_SIZE);
    f.s = (BlkifSring *)f.page;
    f.grant_mem = g_malloc((2 * NR_GRANTS + 1) * PAGE);
    memset(f.grant_mem, GUARD_BYTE, (2 * NR_GRANTS + 1) * PAGE);
    for (unsigned int i = 0; i < NR_GRANTS; i++) {
        f.granted[i] = true;
    }
    f.held = g_ptr_array_new();

    flags = get_u8(&in);
    start = get_u32(&in);
    f.s->req_prod = f.s->rsp_prod = start;
    f.s->req_event = f.s->rsp_event = start + 1;
    xen_blkif_ring_init(&f.ring, f.page, BLKIF_RING_SIZE_1PAGE,
                        IMAGE_SECTORS, flags & 1);

    for (int n = 0; in.len && n < MAX_ACTIONS; n++) {
        run_one(&f, &in);
    }
    /* As a disconnect: finish what is in flight, then nothing is mapped. */
    while (f.held->len) {
        complete(&f, 0);
    }
    g_assert(f.maps == 0);
    check_guards(&f);

    g_ptr_array_free(f.held, TRUE);
    g_free(f.grant_mem);
    g_free(f.page);
    return 0;
}
