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
#include "trace.h"

/* A watch event waiting for the output stream to be free. */
typedef struct XsQueuedEvent {
    char *path;
    char *token;
    char *key;          /* coalescing key; NULL for @-events */
} XsQueuedEvent;

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

    GQueue events;              /* XsQueuedEvent *, oldest first */
    GHashTable *event_keys;     /* key -> XsQueuedEvent *, for coalescing */
    size_t event_bytes;         /* wire size of the queued events */
    uint64_t dropped;

    /* Inside xs_conn_process(): events wait so replies keep their place. */
    bool busy;
};

static void queued_event_free(XsQueuedEvent *ev)
{
    g_free(ev->path);
    g_free(ev->token);
    g_free(ev->key);
    g_free(ev);
}

/*
 * Identical pending (path, token) pairs are one event: the client reads
 * the node again anyway.  @-events are never merged, each one counts.
 * The key is length-prefixed so no two different pairs share it.
 */
static char *event_key(const char *path, const char *token)
{
    if (path[0] == '@') {
        return NULL;
    }
    return g_strdup_printf("%zu:%s%s", strlen(path), path, token);
}

static XsQueuedEvent *queued_event_new(const char *path, const char *token)
{
    XsQueuedEvent *ev = g_new0(XsQueuedEvent, 1);

    ev->path = g_strdup(path);
    ev->token = g_strdup(token);
    ev->key = event_key(path, token);
    return ev;
}

/* The bytes an event takes as a WATCH_EVENT message. */
static size_t event_wire_size(const XsQueuedEvent *ev)
{
    return XS_WIRE_HDR_SIZE + xs_wire_event_payload_len(ev->path, ev->token);
}

static void clear_events(XsConn *conn)
{
    XsQueuedEvent *ev;

    g_hash_table_remove_all(conn->event_keys);
    while ((ev = g_queue_pop_head(&conn->events))) {
        queued_event_free(ev);
    }
    conn->event_bytes = 0;
}

static XsQueuedEvent *pop_event(XsConn *conn)
{
    XsQueuedEvent *ev = g_queue_pop_head(&conn->events);

    if (ev && ev->key) {
        g_hash_table_remove(conn->event_keys, ev->key);
    }
    if (ev) {
        conn->event_bytes -= event_wire_size(ev);
    }
    return ev;
}

/* The "outstanding" quota of the domain, at least one event. */
static unsigned int event_limit(XsConn *conn)
{
    unsigned int limit = xs_impl_get_quota(conn->sess.store,
                                           conn->sess.dom_id,
                                           XS_QUOTA_WATCH_EVENTS);

    return MAX(limit, 1);
}

/* Move the oldest queued event into the (empty) output stream. */
static void emit_event(XsConn *conn)
{
    XsQueuedEvent *ev = pop_event(conn);
    bool fits;

    trace_xenstore_conn_event_emit(conn->sess.dom_id, ev->path, ev->token);
    fits = xs_wire_encode_event(conn->out, ev->path, ev->token);
    /* Checked when queued; a loaded stream is checked when loaded. */
    g_assert(fits);
    queued_event_free(ev);
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
        if (!g_queue_is_empty(&conn->events)) {
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
    unsigned int limit;
    XsQueuedEvent *ev;
    g_autofree char *key = NULL;

    /* Watches registered through the wire always have a token. */
    token = token ?: "";
    if (conn->proto_error ||
        xs_wire_event_payload_len(path, token) > XENSTORE_PAYLOAD_MAX) {
        conn->dropped++;
        trace_xenstore_conn_event_drop(conn->sess.dom_id, path, token);
        return;
    }
    key = event_key(path, token);
    if (key && g_hash_table_contains(conn->event_keys, key)) {
        trace_xenstore_conn_event_coalesce(conn->sess.dom_id, path, token);
        return;
    }
    ev = queued_event_new(path, token);
    g_queue_push_tail(&conn->events, ev);
    conn->event_bytes += event_wire_size(ev);
    if (ev->key) {
        g_hash_table_insert(conn->event_keys, ev->key, ev);
    }
    limit = event_limit(conn);
    while (conn->events.length > limit) {
        ev = pop_event(conn);
        conn->dropped++;
        trace_xenstore_conn_event_drop(conn->sess.dom_id, ev->path,
                                       ev->token);
        queued_event_free(ev);
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
    g_queue_init(&conn->events);
    /* Keys are owned by the events. */
    conn->event_keys = g_hash_table_new(g_str_hash, g_str_equal);
    return conn;
}

void xs_conn_free(XsConn *conn)
{
    if (!conn) {
        return;
    }
    xs_wire_session_destroy(&conn->sess);
    clear_events(conn);
    g_hash_table_destroy(conn->event_keys);
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
    clear_events(conn);
    xs_wire_session_reset(&conn->sess);
}

unsigned int xs_conn_queued_events(XsConn *conn)
{
    return conn->events.length;
}

size_t xs_conn_pending_bytes(XsConn *conn)
{
    return conn->out->len + conn->event_bytes;
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

GByteArray *xs_conn_save(XsConn *conn)
{
    GByteArray *b = g_byte_array_new();
    GList *txs = g_hash_table_get_keys(conn->sess.transactions);

    bs_put_bytes(b, XS_CONN_MAGIC, 4);
    bs_put_le32(b, XS_CONN_VERSION);
    bs_put_le32(b, conn->proto_error ? XS_CONN_FLAG_PROTO_ERROR : 0);
    bs_put_blob(b, conn->in, conn->in_len);
    bs_put_blob(b, conn->out->data, conn->out->len);
    bs_put_le32(b, conn->events.length);
    for (GList *l = conn->events.head; l; l = l->next) {
        XsQueuedEvent *ev = l->data;

        bs_put_blob(b, ev->path, strlen(ev->path));
        bs_put_blob(b, ev->token, strlen(ev->token));
    }
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
    GQueue events;
    GHashTable *event_keys;
    GHashTable *transactions;
};

void xs_conn_image_free(XsConnImage *img)
{
    XsQueuedEvent *ev;

    if (!img) {
        return;
    }
    while ((ev = g_queue_pop_head(&img->events))) {
        queued_event_free(ev);
    }
    g_hash_table_destroy(img->event_keys);
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
        XsQueuedEvent *ev;

        if (!path || !token || !path[0] ||
            xs_wire_event_payload_len(path, token) > XENSTORE_PAYLOAD_MAX) {
            error_setg(errp, "xenstore connection state: bad event %u", i);
            return false;
        }
        ev = queued_event_new(path, token);
        g_queue_push_tail(&img->events, ev);
        if (ev->key && !g_hash_table_insert(img->event_keys, ev->key, ev)) {
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
    g_queue_init(&img->events);
    img->event_keys = g_hash_table_new(g_str_hash, g_str_equal);
    img->transactions = g_hash_table_new(NULL, NULL);
    if (!parse_image(&r, img, errp)) {
        xs_conn_image_free(img);
        return NULL;
    }
    return img;
}

void xs_conn_image_apply(XsConn *conn, XsConnImage *img)
{
    GHashTable *tmp;

    conn->proto_error = img->proto_error;
    memcpy(conn->in, img->in, img->in_len);
    conn->in_len = img->in_len;
    g_byte_array_set_size(conn->out, 0);
    g_byte_array_append(conn->out, img->out, img->out_len);

    /* Swap the loaded queue, index and set in; free the old ones. */
    clear_events(conn);
    conn->events = img->events;
    g_queue_init(&img->events);
    for (GList *l = conn->events.head; l; l = l->next) {
        conn->event_bytes += event_wire_size(l->data);
    }
    tmp = conn->event_keys;
    conn->event_keys = img->event_keys;
    img->event_keys = tmp;
    tmp = conn->sess.transactions;
    conn->sess.transactions = img->transactions;
    img->transactions = tmp;
    xs_conn_image_free(img);
    trace_xenstore_conn_load(conn->sess.dom_id, conn->in_len, conn->out->len,
                             conn->events.length);
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
