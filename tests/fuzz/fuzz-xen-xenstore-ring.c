/*
 * libFuzzer target: a hostile guest driving the xen-xenstore device's
 * ring page and event channel.  Each input is a program of guest actions
 * run against a fresh device; after every step that runs device code the
 * page and the device's own indexes are checked against the ring rules.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "qemu/trace-control.h"
#include "hw/xen/interface/io/xs_wire.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "xs-errors.h"

/*
 * The input is a sequence of actions, each an opcode byte (taken modulo
 * 16) and its arguments; a missing argument byte reads as 0 and the
 * input ends the program.  u16/u32 are little endian.
 *
 *  0 STAGE_RAW     n:u8, n bytes    append raw bytes to what the guest
 *                                   will send
 *  1 STAGE_MSG     type:u8 tx:u8 len:u16 n:u8, n bytes
 *                  append a message {type, req_id (a counter), tx_id,
 *                  len & 0x1fff}; tx: 0 none, 1 the last id a
 *                  TRANSACTION_START reply gave, 2 a u32 that follows,
 *                  3 an id no one started (1000); the payload is the n
 *                  bytes repeated up to len (zeros when n = 0)
 *  2 PUSH          n:u8             move up to n + 1 staged bytes into
 *                                   the free part of req[], publish
 *  3 PUSH_HOSTILE  n:u8             the same, ignoring free space
 *  4 SET_REQ_PROD  how:u8 [v:u32]   req_prod = v (how odd) or
 *                                   req_prod + (int8_t)how
 *  5 SET_RSP_CONS  how:u8 [v:u32]   the same for rsp_cons
 *  6 CONSUME       n:u8             read up to n + 1 reply bytes as a
 *                                   guest does, publish rsp_cons
 *  7 SCRIBBLE      field:u8 v:u32   write v over a field the device
 *                                   owns (req_cons, rsp_prod, features,
 *                                   connection, error, evtchn_port)
 *  8 KICK                           EVTCHNOP_send on the store port
 *  9 PUMP                           run the main loop until idle
 * 10 DIRECT_PUMP                    xen_xenstore_pump()
 * 11 RECONNECT                      connection = RECONNECT, kick, pump
 * 12 RESET         how:u8           machine reset (event channels too
 *                                   when how is odd), device reset
 *                                   (both drop the guest's unsent bytes,
 *                                   as a guest starting afresh does)
 * 13 SAVE_LOAD                      save the device and load it back
 *                                   (the first SAVE_LOAD_MAX times; it
 *                                   costs as much as the rest together)
 * 14 REBIND                         close the store port and bind a new
 *                                   one to the device's backend port
 * 15 KICK_PUMP                      KICK then PUMP
 */
enum {
    ACT_STAGE_RAW, ACT_STAGE_MSG, ACT_PUSH, ACT_PUSH_HOSTILE,
    ACT_SET_REQ_PROD, ACT_SET_RSP_CONS, ACT_CONSUME, ACT_SCRIBBLE,
    ACT_KICK, ACT_PUMP, ACT_DIRECT_PUMP, ACT_RECONNECT, ACT_RESET,
    ACT_SAVE_LOAD, ACT_REBIND, ACT_KICK_PUMP,
};

#define GUEST_DOMID     1
#define STAGE_MAX       (64 * 1024)     /* the guest's unsent bytes */
#define PUMP_LIMIT      1000            /* main-loop rounds: more is a hang */
#define UNSTARTED_TX    1000
#define SAVE_LOAD_MAX   2               /* per input */

typedef struct FuzzInput {
    const uint8_t *p;
    size_t len, off;
} FuzzInput;

typedef struct Fuzz {
    FuzzInput in;
    XenXenstoreState *s;
    struct xenstore_domain_interface *xs;
    evtchn_port_t guest_port;
    GByteArray *staged;         /* bytes the guest has yet to push */
    uint32_t req_id;
    uint32_t last_tx;
    /* The reply stream as read, while its framing can be trusted. */
    GByteArray *replies;
    bool replies_framed;
    unsigned int upcalls;
    unsigned int save_loads;
} Fuzz;

static uint8_t get_u8(FuzzInput *in)
{
    return in->off < in->len ? in->p[in->off++] : 0;
}

static uint16_t get_u16(FuzzInput *in)
{
    uint16_t lo = get_u8(in);

    return lo | get_u8(in) << 8;
}

static uint32_t get_u32(FuzzInput *in)
{
    uint32_t lo = get_u16(in);

    return lo | (uint32_t)get_u16(in) << 16;
}

/* ---- the guest ---- */

static void stage(Fuzz *f, const uint8_t *p, size_t n)
{
    n = MIN(n, STAGE_MAX - f->staged->len);
    g_byte_array_append(f->staged, p, n);
}

static void act_stage_raw(Fuzz *f)
{
    uint8_t n = get_u8(&f->in);
    size_t avail = MIN(n, f->in.len - f->in.off);

    stage(f, f->in.p + f->in.off, avail);
    f->in.off += avail;
}

static void act_stage_msg(Fuzz *f)
{
    struct xsd_sockmsg hdr = { .type = get_u8(&f->in) };
    uint8_t tx = get_u8(&f->in);
    g_autofree uint8_t *payload = NULL;
    const uint8_t *src;
    size_t n;

    hdr.req_id = f->req_id++;
    hdr.tx_id = tx % 4 == 0 ? 0 : tx % 4 == 1 ? f->last_tx :
                tx % 4 == 2 ? get_u32(&f->in) : UNSTARTED_TX;
    hdr.len = get_u16(&f->in) & 0x1fff;
    n = get_u8(&f->in);
    n = MIN(n, f->in.len - f->in.off);
    src = f->in.p + f->in.off;
    f->in.off += n;
    payload = g_malloc0(hdr.len + 1);
    for (size_t i = 0; n && i < hdr.len; i++) {
        payload[i] = src[i % n];
    }
    stage(f, (const uint8_t *)&hdr, sizeof(hdr));
    stage(f, payload, hdr.len);
}

static void act_push(Fuzz *f, bool hostile)
{
    struct xenstore_domain_interface *xs = f->xs;
    XENSTORE_RING_IDX prod = xs->req_prod, cons = xs->req_cons;
    size_t n = (size_t)get_u8(&f->in) + 1;

    n = MIN(n, f->staged->len);
    if (!hostile) {
        /* A well-behaved guest trusts req_cons only if it is sane. */
        size_t used = prod - cons;

        n = used > XENSTORE_RING_SIZE ? 0 :
            MIN(n, XENSTORE_RING_SIZE - used);
    }
    for (size_t i = 0; i < n; i++) {
        xs->req[MASK_XENSTORE_IDX(prod + i)] = f->staged->data[i];
    }
    g_byte_array_remove_range(f->staged, 0, n);
    smp_wmb();
    xs->req_prod = prod + n;
}

static uint32_t new_index(Fuzz *f, uint32_t old)
{
    uint8_t how = get_u8(&f->in);

    return how & 1 ? get_u32(&f->in) : old + (int8_t)how;
}

/* Check one whole reply message the device sent. */
static void check_reply(Fuzz *f, const struct xsd_sockmsg *hdr,
                        const uint8_t *payload)
{
    g_assert_cmpuint(hdr->type, <, XS_TYPE_COUNT);
    g_assert_cmpuint(hdr->type, !=, 20);
    if (hdr->type == XS_ERROR) {
        g_assert_cmpint(xt_error_payload_errno(payload, hdr->len), !=, 0);
    } else if (hdr->type == XS_WATCH_EVENT) {
        g_assert_cmpuint(hdr->req_id, ==, 0);
        g_assert_cmpuint(hdr->tx_id, ==, 0);
    } else if (hdr->type == XS_TRANSACTION_START && hdr->len > 1) {
        g_autofree char *id = g_strndup((const char *)payload, hdr->len);

        f->last_tx = strtoul(id, NULL, 10);
    }
}

/* Take whole messages off the front of the reply stream. */
static void parse_replies(Fuzz *f)
{
    struct xsd_sockmsg hdr;

    while (f->replies->len >= sizeof(hdr)) {
        memcpy(&hdr, f->replies->data, sizeof(hdr));
        g_assert_cmpuint(hdr.len, <=, XENSTORE_PAYLOAD_MAX);
        if (f->replies->len < sizeof(hdr) + hdr.len) {
            return;
        }
        check_reply(f, &hdr, f->replies->data + sizeof(hdr));
        g_byte_array_remove_range(f->replies, 0, sizeof(hdr) + hdr.len);
    }
}

static void act_consume(Fuzz *f)
{
    struct xenstore_domain_interface *xs = f->xs;
    XENSTORE_RING_IDX cons = xs->rsp_cons, prod = xs->rsp_prod;
    size_t n = (size_t)get_u8(&f->in) + 1;
    uint8_t buf[XENSTORE_RING_SIZE];

    smp_rmb();
    if (prod - cons > XENSTORE_RING_SIZE) {
        return;     /* a guest would not believe this */
    }
    n = MIN(n, prod - cons);
    for (size_t i = 0; i < n; i++) {
        buf[i] = xs->rsp[MASK_XENSTORE_IDX(cons + i)];
    }
    smp_mb();
    xs->rsp_cons = cons + n;
    if (f->replies_framed) {
        g_byte_array_append(f->replies, buf, n);
        parse_replies(f);
    }
}

/* A fresh reply stream: after reconnection and reset. */
static void replies_restart(Fuzz *f)
{
    g_byte_array_set_size(f->replies, 0);
    f->replies_framed = true;
}

static void act_scribble(Fuzz *f)
{
    static const size_t fields[] = {
        offsetof(struct xenstore_domain_interface, req_cons),
        offsetof(struct xenstore_domain_interface, rsp_prod),
        offsetof(struct xenstore_domain_interface, server_features),
        offsetof(struct xenstore_domain_interface, connection),
        offsetof(struct xenstore_domain_interface, error),
        offsetof(struct xenstore_domain_interface, evtchn_port),
    };
    size_t off = fields[get_u8(&f->in) % G_N_ELEMENTS(fields)];
    uint32_t v = get_u32(&f->in);

    memcpy((uint8_t *)f->xs + off, &v, sizeof(v));
    if (off == offsetof(struct xenstore_domain_interface, rsp_prod)) {
        /* Replies read against a made-up rsp_prod are not framed. */
        f->replies_framed = false;
    }
}

static void kick(Fuzz *f)
{
    struct evtchn_send send = { .port = f->guest_port };

    /* Fails only on a port the guest does not have: Xen says EINVAL. */
    xen_evtchn_send_op(&send);
}

/* The vCPU's upcall; the guest's handler clears the pending bit. */
static void upcall(void *opaque, evtchn_port_t port)
{
    Fuzz *f = opaque;

    f->upcalls++;
    xen_evtchn_clear_port_pending(port);
}

/* ---- device steps and the rules they must keep ---- */

typedef struct Before {
    struct xenstore_domain_interface page;
    XenXenstoreRingState dev;
    unsigned int upcalls;
} Before;

static void before_step(Fuzz *f, Before *b)
{
    memcpy(&b->page, f->xs, sizeof(b->page));
    xen_xenstore_ring_state(f->s, &b->dev);
    b->upcalls = f->upcalls;
}

/* rsp[] bytes [a, b) are as they were. */
static void check_rsp_kept(const uint8_t *now, const uint8_t *old,
                           uint32_t a, uint32_t b)
{
    g_assert_cmpmem(now + a, b - a, old + a, b - a);
}

/*
 * Outside the free-running window [from, from + n) (n <= 1024) that the
 * device produced, rsp[] is as it was.
 */
static void check_rsp_outside(const uint8_t *now, const uint8_t *old,
                              uint32_t from, uint32_t n)
{
    uint32_t start = MASK_XENSTORE_IDX(from), end = start + n;

    if (end <= XENSTORE_RING_SIZE) {
        check_rsp_kept(now, old, 0, start);
        check_rsp_kept(now, old, end, XENSTORE_RING_SIZE);
    } else {
        check_rsp_kept(now, old, end - XENSTORE_RING_SIZE, start);
    }
}

/*
 * All indexes 0, no error, connected: after a reconnection, and after a
 * reset (which leaves the next pass to adopt the page's indexes).
 */
static void check_fresh_ring(Fuzz *f, bool after_reset)
{
    struct xenstore_domain_interface *xs = f->xs;
    XenXenstoreRingState now;

    xen_xenstore_ring_state(f->s, &now);
    g_assert_false(now.stopped);
    g_assert_cmpint(now.adopt_indexes, ==, after_reset);
    g_assert_cmpuint(now.req_cons, ==, 0);
    g_assert_cmpuint(now.rsp_prod, ==, 0);
    g_assert_cmpuint(xs->req_cons, ==, 0);
    g_assert_cmpuint(xs->req_prod, ==, 0);
    g_assert_cmpuint(xs->rsp_cons, ==, 0);
    g_assert_cmpuint(xs->rsp_prod, ==, 0);
    g_assert_cmpuint(xs->error, ==, XENSTORE_ERROR_NONE);
    g_assert_cmpuint(xs->connection, ==, XENSTORE_CONNECTED);
    replies_restart(f);
}

/*
 * After device code ran: it wrote only what it owns, consumed no byte
 * past req_prod, produced no byte over an unconsumed reply, said so
 * with a notification, and stopped (with the right error) only for a
 * reason.
 */
static void after_step(Fuzz *f, const Before *b)
{
    const struct xenstore_domain_interface *old = &b->page;
    struct xenstore_domain_interface *xs = f->xs;
    XenXenstoreRingState now, dev = b->dev;
    uint32_t took, gave;

    if (old->connection == XENSTORE_RECONNECT &&
        xs->connection == XENSTORE_CONNECTED) {
        check_fresh_ring(f, false);
        return;
    }
    xen_xenstore_ring_state(f->s, &now);
    if (dev.adopt_indexes && !now.adopt_indexes) {
        /* First pass since reset: it started from the page's indexes. */
        dev.req_cons = old->req_cons;
        dev.rsp_prod = old->rsp_prod;
    }
    g_assert_cmpmem(xs->req, sizeof(xs->req), old->req, sizeof(old->req));
    g_assert_cmpuint(xs->req_prod, ==, old->req_prod);
    g_assert_cmpuint(xs->rsp_cons, ==, old->rsp_cons);
    g_assert_cmpuint(xs->connection, ==, old->connection);
    g_assert_cmpuint(xs->server_features, ==, old->server_features);
    g_assert_cmpuint(xs->evtchn_port, ==, old->evtchn_port);

    took = now.req_cons - dev.req_cons;
    gave = now.rsp_prod - dev.rsp_prod;
    if (dev.stopped) {
        g_assert_true(now.stopped);
        g_assert_cmpuint(took, ==, 0);
        g_assert_cmpuint(gave, ==, 0);
    }
    if (took) {
        /* Only from a sane index, and never past it. */
        g_assert_cmpuint(old->req_prod - dev.req_cons, <=,
                         XENSTORE_RING_SIZE);
        g_assert_cmpuint(took, <=, old->req_prod - dev.req_cons);
    }
    if (gave) {
        g_assert_cmpuint(dev.rsp_prod - old->rsp_cons, <=,
                         XENSTORE_RING_SIZE);
        g_assert_cmpuint(now.rsp_prod - old->rsp_cons, <=,
                         XENSTORE_RING_SIZE);
    }
    /* Its own indexes it may write again at any time, with its values. */
    g_assert_true(xs->rsp_prod == now.rsp_prod ||
                  (!gave && xs->rsp_prod == old->rsp_prod));
    g_assert_true(xs->req_cons == now.req_cons ||
                  (!took && xs->req_cons == old->req_cons));
    g_assert_cmpuint(gave, <=, XENSTORE_RING_SIZE);
    check_rsp_outside((const uint8_t *)xs->rsp, (const uint8_t *)old->rsp,
                      dev.rsp_prod, gave);
    if ((took || gave) && f->guest_port) {
        g_assert_cmpuint(f->upcalls, >, b->upcalls);
    }

    if (now.stopped && !dev.stopped) {
        bool bad_req = old->req_prod - now.req_cons > XENSTORE_RING_SIZE;
        bool bad_rsp = now.rsp_prod - old->rsp_cons > XENSTORE_RING_SIZE;

        g_assert_true(xs->error == XENSTORE_ERROR_RINGIDX ||
                      xs->error == XENSTORE_ERROR_PROTO);
        if (xs->error == XENSTORE_ERROR_RINGIDX) {
            g_assert_true(bad_req || bad_rsp);
        }
    } else {
        g_assert_cmpuint(xs->error, ==, old->error);
    }
}

static void run_main_loop(void)
{
    unsigned int rounds = 0;

    while (main_loop_wait(true)) {
        g_assert_cmpuint(++rounds, <, PUMP_LIMIT);
    }
}

static void step_pump(Fuzz *f, bool kick_first, bool direct)
{
    Before b;

    if (kick_first) {
        kick(f);
    }
    before_step(f, &b);
    if (direct) {
        xen_xenstore_pump(f->s);
    } else {
        run_main_loop();
    }
    after_step(f, &b);
}

static void step_reconnect(Fuzz *f)
{
    g_byte_array_set_size(f->staged, 0);
    f->xs->connection = XENSTORE_RECONNECT;
    smp_wmb();
    step_pump(f, true, false);
    /* Delivered unless the guest closed its store port. */
    if (f->xs->connection == XENSTORE_CONNECTED) {
        check_fresh_ring(f, false);
    }
}

static void step_reset(Fuzz *f)
{
    Error *err = NULL;

    g_byte_array_set_size(f->staged, 0);
    if (get_u8(&f->in) & 1) {
        xen_evtchn_reset();
    }
    if (!xen_xenstore_reset(f->s, &err)) {
        /* Only when the guest has used up every port. */
        g_assert_nonnull(err);
        error_free(err);
        f->guest_port = 0;
        return;
    }
    f->guest_port = xen_xenstore_guest_port(f->s);
    g_assert_cmpuint(f->xs->server_features, ==, 7);
    g_assert_cmpuint(f->xs->evtchn_port, ==, f->guest_port);
    check_fresh_ring(f, true);
}

static void step_save_load(Fuzz *f)
{
    g_autoptr(GByteArray) saved = xen_xenstore_save(f->s);
    XenXenstoreRingState now;
    Before b;

    before_step(f, &b);
    g_assert_true(xen_xenstore_load(f->s, saved->data, saved->len,
                                    &error_abort));
    xen_xenstore_ring_state(f->s, &now);
    g_assert_cmpmem(f->xs, sizeof(b.page), &b.page, sizeof(b.page));
    g_assert_cmpuint(now.req_cons, ==, b.dev.req_cons);
    g_assert_cmpuint(now.rsp_prod, ==, b.dev.rsp_prod);
    g_assert_cmpint(now.stopped, ==, b.dev.stopped);
    g_assert_cmpint(now.adopt_indexes, ==, b.dev.adopt_indexes);
    /* The load schedules a pump. */
    before_step(f, &b);
    run_main_loop();
    after_step(f, &b);
}

static void step_rebind(Fuzz *f)
{
    struct evtchn_close close = { .port = f->guest_port };
    struct evtchn_bind_interdomain bind = {
        .remote_dom = DOMID_QEMU,
        .remote_port = xen_xenstore_be_port(f->s),
    };

    xen_evtchn_close_op(&close);
    f->guest_port = 0;
    if (!xen_evtchn_bind_interdomain_op(&bind)) {
        f->guest_port = bind.local_port;
    }
}

static void run_action(Fuzz *f, uint8_t op)
{
    switch (op % 16) {
    case ACT_STAGE_RAW:
        act_stage_raw(f);
        break;
    case ACT_STAGE_MSG:
        act_stage_msg(f);
        break;
    case ACT_PUSH:
    case ACT_PUSH_HOSTILE:
        act_push(f, op % 16 == ACT_PUSH_HOSTILE);
        break;
    case ACT_SET_REQ_PROD:
        f->xs->req_prod = new_index(f, f->xs->req_prod);
        break;
    case ACT_SET_RSP_CONS:
        f->xs->rsp_cons = new_index(f, f->xs->rsp_cons);
        f->replies_framed = false;
        break;
    case ACT_CONSUME:
        act_consume(f);
        break;
    case ACT_SCRIBBLE:
        act_scribble(f);
        break;
    case ACT_KICK:
        kick(f);
        break;
    case ACT_PUMP:
        step_pump(f, false, false);
        break;
    case ACT_DIRECT_PUMP:
        step_pump(f, false, true);
        break;
    case ACT_RECONNECT:
        step_reconnect(f);
        break;
    case ACT_RESET:
        step_reset(f);
        break;
    case ACT_SAVE_LOAD:
        if (f->save_loads++ < SAVE_LOAD_MAX) {
            step_save_load(f);
        }
        break;
    case ACT_REBIND:
        step_rebind(f);
        break;
    case ACT_KICK_PUMP:
        step_pump(f, true, false);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XenXenstoreConfig cfg = { .domid = GUEST_DOMID, .name = "fuzz" };
    Fuzz f = { .in = { .p = data, .len = size } };
    static bool traced;

    if (!traced) {
        /* QEMU_TRACE=xen_xenstore_*,xenstore_* shows what an input does. */
        trace_init_from_env();
        traced = true;
    }
    g_assert_true(xen_evtchn_create(GUEST_DOMID, &error_abort));
    f.s = xen_xenstore_realize(&cfg, &error_abort);
    g_assert_true(xen_xenstore_reset(f.s, &error_abort));
    f.xs = xen_xenstore_ring(f.s);
    f.guest_port = xen_xenstore_guest_port(f.s);
    f.staged = g_byte_array_new();
    f.replies = g_byte_array_new();
    f.replies_framed = true;
    xen_evtchn_clear_port_pending(f.guest_port);
    xen_evtchn_set_upcall(upcall, &f);

    while (f.in.off < f.in.len) {
        run_action(&f, get_u8(&f.in));
    }

    xen_evtchn_set_upcall(NULL, NULL);
    xen_xenstore_unrealize(f.s);
    xen_evtchn_destroy();
    /* Nothing of the device may be left in the main loop. */
    g_assert_false(main_loop_wait(true));
    g_byte_array_unref(f.staged);
    g_byte_array_unref(f.replies);
    return 0;
}
