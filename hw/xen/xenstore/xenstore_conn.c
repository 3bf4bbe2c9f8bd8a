/*
 * One XenStore client connection: frames the byte stream from a guest
 * ring or a socket into requests, runs them through the wire codec one at
 * a time, and interleaves replies with a bounded queue of watch events.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/bytestream.h"
#include "hw/xen/xenstore_conn.h"
#include "hw/xen/xenstore_events.h"
#include "trace.h"

struct XsConn {
    XsWireSession sess;
    XsConnKickFn *kick;
    void *kick_opaque;

    /* The one request being received: header, then hdr.len bytes. */
    uint8_t in[XS_WIRE_MSG_MAX];
    size_t in_len;
    bool proto_error;

    /*
     * Unsent output: the rest of one whole message at most, so that a
     * client that does not read holds up at most one message here plus
     * the bounded event queue.
     */
    GByteArray *out;

    XsEventQueue *events;       /* bounded by the "outstanding" quota */
    uint64_t dropped;

    /* Inside xs_conn_process(): events wait so replies keep their place. */
    bool busy;
};

/* The "outstanding" quota of the domain, at least one event. */
static unsigned int event_limit(XsConn *conn)
{
    unsigned int limit = xs_impl_get_quota(conn->sess.store,
                                           conn->sess.dom_id,
                                           XS_QUOTA_WATCH_EVENTS);

    return MAX(limit, 1);
}

/* The queue's bound dropped @ev, the oldest, for a newer one. */
static void event_dropped(void *opaque, const XsEvent *ev)
{
    XsConn *conn = opaque;

    conn->dropped++;
    trace_xenstore_conn_event_drop(conn->sess.dom_id, ev->path, ev->token);
}

/* Move the oldest queued event into the (empty) output stream. */
static void emit_event(XsConn *conn)
{
    g_autoptr(XsEvent) ev = xs_event_queue_pop(conn->events);
    bool fits;

    trace_xenstore_conn_event_emit(conn->sess.dom_id, ev->path, ev->token);
    fits = xs_wire_encode_event(conn->out, ev->path, ev->token);
    /* Checked when queued; a loaded stream is checked when loaded. */
    g_assert(fits);
}

static bool have_whole_request(XsConn *conn)
{
    struct xsd_sockmsg hdr;

    if (conn->in_len < XS_WIRE_HDR_SIZE) {
        return false;
    }
    memcpy(&hdr, conn->in, sizeof(hdr));
    return conn->in_len == XS_WIRE_HDR_SIZE + hdr.len;
}

static void handle_request(XsConn *conn)
{
    struct xsd_sockmsg hdr;

    memcpy(&hdr, conn->in, sizeof(hdr));
    xs_wire_handle_request(&conn->sess, &hdr, conn->in + XS_WIRE_HDR_SIZE,
                           conn->out);
    conn->in_len = 0;
}

void xs_conn_process(XsConn *conn)
{
    if (conn->busy) {
        return;
    }
    conn->busy = true;
    /*
     * One message at a time, and only into an empty output stream: so a
     * reply is never overtaken (the WATCH reply goes out before the event
     * the WATCH fired) and an event never lands inside a message.
     * Events go first, so a client that keeps sending cannot starve them.
     */
    while (!conn->proto_error && !conn->out->len) {
        if (xs_event_queue_length(conn->events)) {
            emit_event(conn);
        } else if (have_whole_request(conn)) {
            handle_request(conn);
        } else {
            break;
        }
    }
    conn->busy = false;
}

void xs_conn_watch_event(void *opaque, const char *path, const char *token)
{
    XsConn *conn = opaque;

    /* Watches registered through the wire always have a token. */
    token = token ?: "";
    if (conn->proto_error ||
        xs_wire_event_payload_len(path, token) > XENSTORE_PAYLOAD_MAX) {
        conn->dropped++;
        trace_xenstore_conn_event_drop(conn->sess.dom_id, path, token);
        return;
    }
    /* The quota may have changed since the last event. */
    xs_event_queue_set_limit(conn->events, event_limit(conn));
    if (xs_event_queue_push(conn->events, NULL, path, token) ==
        XS_EVENT_MERGED) {
        trace_xenstore_conn_event_coalesce(conn->sess.dom_id, path, token);
        return;
    }

    /*
     * Inside process() the loop there emits it after the current reply.
     * Otherwise this may be another connection's store call: emit into an
     * idle stream but handle no request here, and tell the transport.
     */
    if (!conn->busy && !conn->out->len) {
        emit_event(conn);
        if (conn->kick) {
            conn->kick(conn->kick_opaque);
        }
    }
}

XsConn *xs_conn_new(XenstoreImplState *store, unsigned int dom_id,
                    bool domain_wide, XsConnKickFn *kick, void *kick_opaque)
{
    XsConn *conn = g_new0(XsConn, 1);

    xs_wire_session_init(&conn->sess, store, dom_id, domain_wide,
                         xs_conn_watch_event, conn);
    conn->kick = kick;
    conn->kick_opaque = kick_opaque;
    conn->out = g_byte_array_sized_new(XS_WIRE_MSG_MAX);
    conn->events = xs_event_queue_new(event_limit(conn), event_dropped,
                                      conn);
    return conn;
}

void xs_conn_free(XsConn *conn)
{
    if (!conn) {
        return;
    }
    xs_wire_session_destroy(&conn->sess);
    xs_event_queue_free(conn->events);
    g_byte_array_unref(conn->out);
    g_free(conn);
}

size_t xs_conn_input_space(XsConn *conn)
{
    struct xsd_sockmsg hdr;

    if (conn->proto_error) {
        return 0;
    }
    if (conn->in_len < XS_WIRE_HDR_SIZE) {
        return XS_WIRE_HDR_SIZE - conn->in_len;
    }
    memcpy(&hdr, conn->in, sizeof(hdr));
    return XS_WIRE_HDR_SIZE + hdr.len - conn->in_len;
}

size_t xs_conn_feed(XsConn *conn, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t taken = 0;

    while (taken < len) {
        size_t n = MIN(xs_conn_input_space(conn), len - taken);

        if (!n) {
            break;
        }
        memcpy(conn->in + conn->in_len, p + taken, n);
        conn->in_len += n;
        taken += n;
        if (conn->in_len == XS_WIRE_HDR_SIZE) {
            struct xsd_sockmsg hdr;

            memcpy(&hdr, conn->in, sizeof(hdr));
            if (hdr.len > XENSTORE_PAYLOAD_MAX) {
                trace_xenstore_conn_protocol_error(conn->sess.dom_id,
                                                   hdr.type, hdr.len);
                conn->proto_error = true;
                break;
            }
        }
        xs_conn_process(conn);
    }
    return taken;
}

bool xs_conn_protocol_error(XsConn *conn)
{
    return conn->proto_error;
}

size_t xs_conn_peek(XsConn *conn, const uint8_t **data)
{
    *data = conn->out->data;
    return conn->out->len;
}

void xs_conn_consume(XsConn *conn, size_t n)
{
    g_assert(n <= conn->out->len);
    g_byte_array_remove_range(conn->out, 0, n);
    xs_conn_process(conn);
}

void xs_conn_reset(XsConn *conn)
{
    trace_xenstore_conn_reset(conn->sess.dom_id);
    conn->in_len = 0;
    conn->proto_error = false;
    g_byte_array_set_size(conn->out, 0);
    xs_event_queue_clear(conn->events);
    xs_wire_session_reset(&conn->sess);
}

unsigned int xs_conn_queued_events(XsConn *conn)
{
    return xs_event_queue_length(conn->events);
}

size_t xs_conn_pending_bytes(XsConn *conn)
{
    return conn->out->len + xs_event_queue_wire_bytes(conn->events);
}

uint64_t xs_conn_dropped_events(XsConn *conn)
{
    return conn->dropped;
}

/* --- Save and load --- */

/*
 * The saved state, all numbers little-endian u32:
 *   magic "XSCN", version, flags (bit 0: protocol error),
 *   in_len, in bytes; out_len, out bytes;
 *   event count, then per event: path_len, path, token_len, token
 *   (without NULs);
 *   transaction count, then the ids in ascending order.
 */
#define XS_CONN_MAGIC "XSCN"
#define XS_CONN_VERSION 1
#define XS_CONN_FLAG_PROTO_ERROR 0x1
/* Far more than any quota; only bounds what a corrupt stream may ask. */
#define XS_CONN_LOAD_MAX_ITEMS 65536

static gint cmp_tx(gconstpointer a, gconstpointer b)
{
    uint32_t x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);

    return x < y ? -1 : x > y;
}

static void save_event(void *opaque, const XsEvent *ev)
{
    GByteArray *b = opaque;

    bs_put_blob(b, ev->path, strlen(ev->path));
    bs_put_blob(b, ev->token, strlen(ev->token));
}

GByteArray *xs_conn_save(XsConn *conn)
{
    GByteArray *b = g_byte_array_new();
    GList *txs = g_hash_table_get_keys(conn->sess.transactions);

    bs_put_bytes(b, XS_CONN_MAGIC, 4);
    bs_put_le32(b, XS_CONN_VERSION);
    bs_put_le32(b, conn->proto_error ? XS_CONN_FLAG_PROTO_ERROR : 0);
    bs_put_blob(b, conn->in, conn->in_len);
    bs_put_blob(b, conn->out->data, conn->out->len);
    bs_put_le32(b, xs_event_queue_length(conn->events));
    xs_event_queue_foreach(conn->events, save_event, b);
    txs = g_list_sort(txs, cmp_tx);
    bs_put_le32(b, g_list_length(txs));
    for (GList *l = txs; l; l = l->next) {
        bs_put_le32(b, GPOINTER_TO_UINT(l->data));
    }
    g_list_free(txs);
    return b;
}

/* A length-prefixed string without NULs: a new C string. */
static char *get_string(ByteReader *r, size_t max)
{
    const uint8_t *data;
    uint32_t len;

    if (!br_blob(r, max, &data, &len) || memchr(data, '\0', len)) {
        return NULL;
    }
    return g_strndup((const char *)data, len);
}

/* The state being loaded, checked whole before it replaces the live one. */
struct XsConnImage {
    bool proto_error;
    const uint8_t *in;
    uint32_t in_len;
    const uint8_t *out;
    uint32_t out_len;
    XsEventQueue *events;
    GHashTable *transactions;
};

void xs_conn_image_free(XsConnImage *img)
{
    if (!img) {
        return;
    }
    xs_event_queue_free(img->events);
    g_hash_table_destroy(img->transactions);
    g_free(img);
}

/* A buffered partial request must frame the way feed() would leave it. */
static bool input_is_valid(const XsConnImage *img)
{
    struct xsd_sockmsg hdr;

    if (img->in_len < XS_WIRE_HDR_SIZE) {
        return !img->proto_error;
    }
    memcpy(&hdr, img->in, sizeof(hdr));
    if (img->proto_error) {
        /* The state feed() leaves: just the offending header. */
        return img->in_len == XS_WIRE_HDR_SIZE &&
               hdr.len > XENSTORE_PAYLOAD_MAX;
    }
    return hdr.len <= XENSTORE_PAYLOAD_MAX &&
           img->in_len <= XS_WIRE_HDR_SIZE + hdr.len;
}

static bool parse_image(ByteReader *r, XsConnImage *img, Error **errp)
{
    uint32_t version, flags, n;

    if (!br_expect(r, XS_CONN_MAGIC, 4)) {
        error_setg(errp, "xenstore connection state: bad magic");
        return false;
    }
    if (!br_u32(r, &version) || version != XS_CONN_VERSION) {
        error_setg(errp, "xenstore connection state: unknown version");
        return false;
    }
    if (!br_u32(r, &flags) || (flags & ~XS_CONN_FLAG_PROTO_ERROR)) {
        error_setg(errp, "xenstore connection state: bad flags");
        return false;
    }
    img->proto_error = flags & XS_CONN_FLAG_PROTO_ERROR;
    if (!br_blob(r, XS_WIRE_MSG_MAX, &img->in, &img->in_len) ||
        !input_is_valid(img)) {
        error_setg(errp, "xenstore connection state: bad input buffer");
        return false;
    }
    if (!br_blob(r, XS_WIRE_MSG_MAX, &img->out, &img->out_len)) {
        error_setg(errp, "xenstore connection state: bad output buffer");
        return false;
    }
    if (!br_u32(r, &n) || n > XS_CONN_LOAD_MAX_ITEMS) {
        error_setg(errp, "xenstore connection state: bad event count");
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        g_autofree char *path = get_string(r, XENSTORE_PAYLOAD_MAX);
        g_autofree char *token = get_string(r, XENSTORE_PAYLOAD_MAX);

        if (!path || !token || !path[0] ||
            xs_wire_event_payload_len(path, token) > XENSTORE_PAYLOAD_MAX) {
            error_setg(errp, "xenstore connection state: bad event %u", i);
            return false;
        }
        if (xs_event_queue_push(img->events, NULL, path, token) ==
            XS_EVENT_MERGED) {
            error_setg(errp, "xenstore connection state: duplicate event");
            return false;
        }
    }
    if (!br_u32(r, &n) || n > XS_CONN_LOAD_MAX_ITEMS) {
        error_setg(errp, "xenstore connection state: bad transaction count");
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t tx;

        if (!br_u32(r, &tx) || tx == XBT_NULL ||
            !g_hash_table_add(img->transactions, GUINT_TO_POINTER(tx))) {
            error_setg(errp, "xenstore connection state: bad transaction");
            return false;
        }
    }
    if (br_remaining(r)) {
        error_setg(errp, "xenstore connection state: %zu trailing bytes",
                   br_remaining(r));
        return false;
    }
    return true;
}

XsConnImage *xs_conn_image_parse(const uint8_t *data, size_t len,
                                 Error **errp)
{
    XsConnImage *img = g_new0(XsConnImage, 1);
    ByteReader r;

    br_init(&r, data, len, false);
    /* Unbounded while loading: the saved queue is taken whole. */
    img->events = xs_event_queue_new(UINT_MAX, NULL, NULL);
    img->transactions = g_hash_table_new(NULL, NULL);
    if (!parse_image(&r, img, errp)) {
        xs_conn_image_free(img);
        return NULL;
    }
    return img;
}

void xs_conn_image_apply(XsConn *conn, XsConnImage *img)
{
    XsEventQueue *events;
    GHashTable *tmp;

    conn->proto_error = img->proto_error;
    memcpy(conn->in, img->in, img->in_len);
    conn->in_len = img->in_len;
    g_byte_array_set_size(conn->out, 0);
    g_byte_array_append(conn->out, img->out, img->out_len);

    /* Swap the loaded queue and set in; free the old ones. */
    events = conn->events;
    conn->events = img->events;
    img->events = events;
    xs_event_queue_set_drop(conn->events, event_dropped, conn);
    tmp = conn->sess.transactions;
    conn->sess.transactions = img->transactions;
    img->transactions = tmp;
    xs_conn_image_free(img);
    trace_xenstore_conn_load(conn->sess.dom_id, conn->in_len, conn->out->len,
                             xs_event_queue_length(conn->events));
}

bool xs_conn_load(XsConn *conn, const uint8_t *data, size_t len,
                  Error **errp)
{
    XsConnImage *img = xs_conn_image_parse(data, len, errp);

    if (!img) {
        return false;
    }
    xs_conn_image_apply(conn, img);
    return true;
}
