/*
 * The simulated XenStore frontend of the device tests: writes requests
 * into the shared ring and reads replies back the way a guest's xenbus
 * driver does, through the real page and event channel.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "xs-errors.h"
#include "xs-guest.h"

/* The vCPU's event-channel upcall: count ours and clear the bit. */
static void guest_upcall(void *opaque, evtchn_port_t port)
{
    XsGuest *g = opaque;

    if (port == g->port) {
        g->upcalls++;
        xen_evtchn_clear_port_pending(port);
    }
}

void xs_guest_hook_upcall(XsGuest *g)
{
    xen_evtchn_set_upcall(guest_upcall, g);
}

void xs_guest_init(XsGuest *g, void *ring, evtchn_port_t port)
{
    memset(g, 0, sizeof(*g));
    g->ring = ring;
    g->port = port;
    g->lazy_notify = true;
    g->rx = g_byte_array_new();
    g->next_req_id = 1;
    g_queue_init(&g->replies);
    g_queue_init(&g->events);
    xs_guest_hook_upcall(g);
}

void xs_guest_msg_free(XsGuestMsg *m)
{
    if (m) {
        g_free(m->body);
        g_free(m);
    }
}

void xs_guest_destroy(XsGuest *g)
{
    xen_evtchn_set_upcall(NULL, NULL);
    g_queue_clear_full(&g->replies, (GDestroyNotify)xs_guest_msg_free);
    g_queue_clear_full(&g->events, (GDestroyNotify)xs_guest_msg_free);
    g_byte_array_unref(g->rx);
}

void xs_guest_retarget(XsGuest *g, void *ring, evtchn_port_t port)
{
    g->ring = ring;
    g->port = port;
    xs_guest_hook_upcall(g);
}

bool xs_guest_run(void)
{
    bool ran = false;

    while (main_loop_wait(true)) {
        ran = true;
    }
    return ran;
}

void xs_guest_send(XsGuest *g)
{
    struct evtchn_send send = { .port = g->port };

    g_assert_cmpint(xen_evtchn_send_op(&send), ==, 0);
    g->sends++;
}

size_t xs_guest_put(XsGuest *g, const void *buf, size_t len)
{
    struct xenstore_domain_interface *r = g->ring;
    XENSTORE_RING_IDX cons, prod;
    size_t space, n, off, first;

    cons = qatomic_read(&r->req_cons);
    prod = qatomic_read(&r->req_prod);
    smp_mb();       /* the slots are free only once cons says so */
    g_assert_cmpuint(prod - cons, <=, XENSTORE_RING_SIZE);
    space = XENSTORE_RING_SIZE - (prod - cons);
    n = MIN(len, space);
    off = MASK_XENSTORE_IDX(prod);
    first = MIN(n, XENSTORE_RING_SIZE - off);
    memcpy(r->req + off, buf, first);
    memcpy(r->req, (const uint8_t *)buf + first, n - first);
    smp_wmb();      /* the bytes before the index that publishes them */
    qatomic_set(&r->req_prod, prod + n);
    return n;
}

void xs_guest_write(XsGuest *g, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        XENSTORE_RING_IDX before = qatomic_read(&g->ring->req_prod);
        size_t n = xs_guest_put(g, p, len);

        if (n) {
            smp_mb();
            /* Lazy: a device still busy with older bytes sees these too. */
            if (!g->lazy_notify ||
                qatomic_read(&g->ring->req_cons) == before) {
                xs_guest_send(g);
            }
            p += n;
            len -= n;
            continue;
        }
        /* Full: let the device work; read replies as the reader would. */
        xs_guest_read_all(g);
        if (!xs_guest_run()) {
            xs_guest_read_all(g);
            g_assert_cmpuint(qatomic_read(&g->ring->req_prod) -
                             qatomic_read(&g->ring->req_cons), <,
                             XENSTORE_RING_SIZE);
        }
    }
}

/* Whole messages in rx go to the reply or the event queue. */
static void guest_frame(XsGuest *g)
{
    struct xsd_sockmsg hdr;

    while (g->rx->len >= sizeof(hdr)) {
        XsGuestMsg *m;

        memcpy(&hdr, g->rx->data, sizeof(hdr));
        g_assert_cmpuint(hdr.len, <=, XENSTORE_PAYLOAD_MAX);
        if (g->rx->len < sizeof(hdr) + hdr.len) {
            return;
        }
        m = g_new0(XsGuestMsg, 1);
        m->hdr = hdr;
        m->seq = g->next_seq++;
        m->body = g_malloc(hdr.len + 1);
        memcpy(m->body, g->rx->data + sizeof(hdr), hdr.len);
        m->body[hdr.len] = '\0';
        g_byte_array_remove_range(g->rx, 0, sizeof(hdr) + hdr.len);
        if (hdr.type == XS_WATCH_EVENT) {
            g_assert_cmpuint(hdr.req_id, ==, 0);
            g_assert_cmpuint(hdr.tx_id, ==, 0);
            g_queue_push_tail(&g->events, m);
        } else {
            g_queue_push_tail(&g->replies, m);
        }
    }
}

size_t xs_guest_read(XsGuest *g, size_t max)
{
    struct xenstore_domain_interface *r = g->ring;
    XENSTORE_RING_IDX cons, prod;
    size_t n, off, first;

    cons = qatomic_read(&r->rsp_cons);
    prod = qatomic_read(&r->rsp_prod);
    smp_rmb();      /* the index before the bytes it covers */
    g_assert_cmpuint(prod - cons, <=, XENSTORE_RING_SIZE);
    n = MIN(prod - cons, max);
    if (!n) {
        return 0;
    }
    off = MASK_XENSTORE_IDX(cons);
    first = MIN(n, XENSTORE_RING_SIZE - off);
    g_byte_array_append(g->rx, (const uint8_t *)r->rsp + off, first);
    g_byte_array_append(g->rx, (const uint8_t *)r->rsp, n - first);
    smp_mb();       /* done with the bytes before giving the space back */
    qatomic_set(&r->rsp_cons, cons + n);
    if (!g->lazy_notify ||
        qatomic_read(&r->rsp_prod) - cons >= XENSTORE_RING_SIZE) {
        xs_guest_send(g);
    }
    guest_frame(g);
    return n;
}

void xs_guest_read_all(XsGuest *g)
{
    while (xs_guest_read(g, SIZE_MAX)) {
        /* until the ring is empty */
    }
}

GByteArray *xs_guest_encode(uint32_t type, uint32_t req_id, uint32_t tx,
                            const void *payload, size_t len)
{
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = req_id, .tx_id = tx, .len = len,
    };
    GByteArray *b = g_byte_array_new();

    g_byte_array_append(b, (const uint8_t *)&hdr, sizeof(hdr));
    g_byte_array_append(b, payload, len);
    return b;
}

uint32_t xs_guest_queue(XsGuest *g, uint32_t type, uint32_t tx,
                        const void *payload, size_t len)
{
    uint32_t id = g->next_req_id++;
    g_autoptr(GByteArray) b = xs_guest_encode(type, id, tx, payload, len);

    xs_guest_write(g, b->data, b->len);
    return id;
}

static XsGuestMsg *guest_wait(XsGuest *g, GQueue *q)
{
    for (;;) {
        xs_guest_read_all(g);
        if (!g_queue_is_empty(q)) {
            return g_queue_pop_head(q);
        }
        if (!xs_guest_run()) {
            xs_guest_read_all(g);
            return g_queue_pop_head(q);
        }
    }
}

XsGuestMsg *xs_guest_wait_reply(XsGuest *g)
{
    return guest_wait(g, &g->replies);
}

XsGuestMsg *xs_guest_wait_event(XsGuest *g)
{
    return guest_wait(g, &g->events);
}

XsGuestMsg *xs_guest_call(XsGuest *g, uint32_t type, uint32_t tx,
                          const void *payload, size_t len)
{
    uint32_t id = xs_guest_queue(g, type, tx, payload, len);
    XsGuestMsg *m = xs_guest_wait_reply(g);

    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.req_id, ==, id);
    g_assert_cmpuint(m->hdr.tx_id, ==, tx);
    return m;
}

void xs_guest_assert_reply(XsGuestMsg *m, uint32_t type,
                           const void *payload, size_t len)
{
    g_assert_nonnull(m);
    if (m->hdr.type == XS_ERROR && type != XS_ERROR) {
        g_error("expected type %u, got error %s", type, m->body);
    }
    g_assert_cmpuint(m->hdr.type, ==, type);
    g_assert_cmpmem(m->body, m->hdr.len, payload, len);
}

void xs_guest_assert_error(XsGuestMsg *m, const char *name)
{
    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.type, ==, XS_ERROR);
    g_assert_cmpuint(m->hdr.len, ==, strlen(name) + 1);
    g_assert_cmpstr(m->body, ==, name);
}

int xs_guest_error(XsGuestMsg *m)
{
    int err;

    g_assert_nonnull(m);
    if (m->hdr.type != XS_ERROR) {
        return 0;
    }
    err = xt_error_payload_errno(m->body, m->hdr.len);
    g_assert_cmpint(err, !=, 0);
    return err;
}

void xs_guest_assert_event(XsGuest *g, const char *path, const char *token)
{
    g_autoptr(XsGuestMsg) m = xs_guest_wait_event(g);
    g_autofree char *want = g_strdup_printf("%s%c%s", path, 0, token);

    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.type, ==, XS_WATCH_EVENT);
    g_assert_cmpmem(m->body, m->hdr.len, want, strlen(path) +
                    strlen(token) + 2);
}

void xs_guest_assert_no_event(XsGuest *g)
{
    xs_guest_run();
    xs_guest_read_all(g);
    g_assert_cmpuint(g_queue_get_length(&g->events), ==, 0);
}

/* "a" "\0" "b": a payload of C strings each with its NUL. */
static GByteArray *strings(const char *first, ...)
{
    GByteArray *b = g_byte_array_new();
    va_list ap;

    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        g_byte_array_append(b, (const uint8_t *)s, strlen(s) + 1);
    }
    va_end(ap);
    return b;
}

char *xs_guest_read_str(XsGuest *g, uint32_t tx, const char *path)
{
    g_autoptr(GByteArray) p = strings(path, NULL);
    g_autoptr(XsGuestMsg) m = xs_guest_call(g, XS_READ, tx, p->data, p->len);

    g_assert_cmpuint(m->hdr.type, ==, XS_READ);
    return g_strndup(m->body, m->hdr.len);
}

char *xs_guest_perms(XsGuest *g, const char *path)
{
    g_autoptr(GByteArray) p = strings(path, NULL);
    g_autoptr(XsGuestMsg) m = xs_guest_call(g, XS_GET_PERMS, 0, p->data,
                                            p->len);
    GString *s = g_string_new("");

    g_assert_cmpuint(m->hdr.type, ==, XS_GET_PERMS);
    g_assert_cmpuint(m->hdr.len, >, 0);
    g_assert_cmpint(m->body[m->hdr.len - 1], ==, '\0');
    for (size_t off = 0; off < m->hdr.len; off += strlen(m->body + off) + 1) {
        g_string_append_printf(s, "%s%s", off ? "," : "", m->body + off);
    }
    return g_string_free(s, false);
}

void xs_guest_write_str(XsGuest *g, uint32_t tx, const char *path,
                        const char *value)
{
    g_autoptr(GByteArray) p = strings(path, NULL);
    g_autoptr(XsGuestMsg) m = NULL;

    g_byte_array_append(p, (const uint8_t *)value, strlen(value));
    m = xs_guest_call(g, XS_WRITE, tx, p->data, p->len);
    XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
}

void xs_guest_watch(XsGuest *g, const char *path, const char *token)
{
    g_autoptr(GByteArray) p = strings(path, token, NULL);
    g_autoptr(XsGuestMsg) m = xs_guest_call(g, XS_WATCH, 0, p->data, p->len);

    XS_GUEST_ASSERT(m, XS_WATCH, "OK\0");
}

uint32_t xs_guest_tx_start(XsGuest *g)
{
    g_autoptr(XsGuestMsg) m = XS_GUEST_CALL(g, XS_TRANSACTION_START, 0,
                                            "\0");
    uint64_t id;

    g_assert_cmpuint(m->hdr.type, ==, XS_TRANSACTION_START);
    g_assert_cmpint(m->body[m->hdr.len - 1], ==, '\0');
    g_assert_true(g_ascii_string_to_unsigned(m->body, 10, 1, UINT32_MAX,
                                             &id, NULL));
    return id;
}

int xs_guest_tx_end(XsGuest *g, uint32_t tx, bool commit)
{
    g_autoptr(XsGuestMsg) m = xs_guest_call(g, XS_TRANSACTION_END, tx,
                                            commit ? "T" : "F", 2);

    int err = xs_guest_error(m);

    if (err) {
        return err;
    }
    XS_GUEST_ASSERT(m, XS_TRANSACTION_END, "OK\0");
    return 0;
}

unsigned int xs_guest_transaction(XsGuest *g, XsGuestTxBody *body,
                                  void *opaque)
{
    unsigned int attempts = 0;
    int err;

    do {
        uint32_t tx = xs_guest_tx_start(g);

        attempts++;
        body(g, tx, opaque);
        err = xs_guest_tx_end(g, tx, true);
    } while (err == EAGAIN && attempts < 100);
    g_assert_cmpint(err, ==, 0);
    return attempts;
}
