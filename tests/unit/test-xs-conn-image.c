/*
 * Tests of a connection's saved state (XSCN) on a small stream: round
 * trip, the two-step load, every truncation, every bit of every byte
 * flipped.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"

#define GUEST 1

static XenstoreImplState *store_new(void)
{
    XenstoreImplState *s = xs_impl_create(GUEST);
    g_autoptr(GByteArray) empty = g_byte_array_new();
    g_autofree char *owner = xs_perm_as_string(XS_PERM_NONE, GUEST);
    GList *perms = g_list_append(NULL, owner);

    g_assert_cmpint(xs_impl_write(s, DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data", empty), ==, 0);
    g_assert_cmpint(xs_impl_set_perms(s, DOMID_QEMU, XBT_NULL,
                                      "/local/domain/1/data", perms), ==, 0);
    g_list_free(perms);
    return s;
}

static GByteArray *request(uint32_t type, uint32_t tx, const char *payload,
                           size_t len)
{
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = 7, .tx_id = tx, .len = len,
    };
    GByteArray *b = g_byte_array_new();

    g_byte_array_append(b, (const uint8_t *)&hdr, sizeof(hdr));
    g_byte_array_append(b, (const uint8_t *)payload, len);
    return b;
}

static void feed_all(XsConn *c, GByteArray *b, size_t len)
{
    g_assert_cmpuint(xs_conn_feed(c, b->data, len), ==, len);
}

/* Take all the output there is: a bounded number of rounds. */
static GByteArray *drain(XsConn *c)
{
    GByteArray *out = g_byte_array_new();
    const uint8_t *data;
    size_t n;

    for (int i = 0; i < 10000 && (n = xs_conn_peek(c, &data)); i++) {
        g_byte_array_append(out, data, n);
        xs_conn_consume(c, n);
    }
    return out;
}

/*
 * A guest connection with a bit of everything: an open transaction, a
 * reply not yet taken, two events queued behind it, and half a request.
 */
static XsConn *busy_conn(XenstoreImplState *s)
{
    XsConn *c = xs_conn_new(s, GUEST, true, NULL, NULL);
    g_autoptr(GByteArray) start = request(XS_TRANSACTION_START, 0, "", 1);
    g_autoptr(GByteArray) watch = request(XS_WATCH, 0, "data\0t", 7);
    g_autoptr(GByteArray) read = request(XS_READ, 0, "data", 5);
    g_autoptr(GByteArray) tx_reply = NULL;
    g_autoptr(GByteArray) value = g_byte_array_new();

    feed_all(c, start, start->len);
    tx_reply = drain(c);
    g_assert_cmpuint(tx_reply->len, >, sizeof(struct xsd_sockmsg));
    feed_all(c, watch, watch->len);
    g_byte_array_append(value, (const uint8_t *)"v", 1);
    g_assert_cmpint(xs_impl_write(s, DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data/a", value), ==, 0);
    feed_all(c, read, 10);
    g_assert_cmpuint(xs_conn_queued_events(c), ==, 2);
    return c;
}

static bool same(GByteArray *a, GByteArray *b)
{
    return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static void test_round_trip(void)
{
    XenstoreImplState *s = store_new();
    XsConn *c = busy_conn(s);
    XsConn *d = xs_conn_new(s, GUEST, false, NULL, NULL);
    g_autoptr(GByteArray) saved = xs_conn_save(c);
    g_autoptr(GByteArray) again = NULL;
    g_autoptr(GByteArray) from_c = NULL;
    g_autoptr(GByteArray) from_d = NULL;

    g_assert_cmpmem(saved->data, 4, "XSCN", 4);
    g_assert_true(xs_conn_load(d, saved->data, saved->len, &error_abort));
    again = xs_conn_save(d);
    g_assert_true(same(saved, again));
    /* Both owe the client the same bytes. */
    from_c = drain(c);
    from_d = drain(d);
    g_assert_cmpuint(from_c->len, >, 0);
    g_assert_true(same(from_c, from_d));
    xs_conn_free(d);
    xs_conn_free(c);
    xs_impl_destroy(s);
}

/* Parsing changes nothing; applying changes the connection. */
static void test_two_steps(void)
{
    XenstoreImplState *s = store_new();
    XsConn *c = busy_conn(s);
    XsConn *d = xs_conn_new(s, GUEST, false, NULL, NULL);
    g_autoptr(GByteArray) saved = xs_conn_save(c);
    g_autoptr(GByteArray) empty = xs_conn_save(d);
    g_autoptr(GByteArray) now = NULL;
    XsConnImage *img;
    Error *err = NULL;

    img = xs_conn_image_parse(saved->data, saved->len, &error_abort);
    now = xs_conn_save(d);
    g_assert_true(same(empty, now));
    xs_conn_image_free(img);
    g_byte_array_unref(now);
    now = xs_conn_save(d);
    g_assert_true(same(empty, now));

    img = xs_conn_image_parse(saved->data, saved->len - 1, &err);
    g_assert_null(img);
    error_free_or_abort(&err);

    img = xs_conn_image_parse(saved->data, saved->len, &error_abort);
    xs_conn_image_apply(d, img);
    g_byte_array_unref(now);
    now = xs_conn_save(d);
    g_assert_true(same(saved, now));
    xs_conn_free(d);
    xs_conn_free(c);
    xs_impl_destroy(s);
}

/* Refused, saying it is the connection state, and @c as it was. */
static void assert_refused(XsConn *c, const uint8_t *data, size_t len)
{
    g_autoptr(GByteArray) before = xs_conn_save(c);
    g_autoptr(GByteArray) after = NULL;
    Error *err = NULL;

    g_assert_false(xs_conn_load(c, data, len, &err));
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "xenstore connection state: "));
    error_free(err);
    after = xs_conn_save(c);
    g_assert_true(same(before, after));
}

static void test_truncated(void)
{
    XenstoreImplState *s = store_new();
    XsConn *c = busy_conn(s);
    XsConn *d = busy_conn(s);
    g_autoptr(GByteArray) saved = xs_conn_save(c);
    g_autoptr(GByteArray) longer = g_byte_array_new();

    for (size_t len = 0; len < saved->len; len++) {
        assert_refused(d, saved->data, len);
    }
    g_byte_array_append(longer, saved->data, saved->len);
    g_byte_array_append(longer, (const uint8_t *)"", 1);
    assert_refused(d, longer->data, longer->len);
    xs_conn_free(d);
    xs_conn_free(c);
    xs_impl_destroy(s);
}

/*
 * Every bit of every byte: refused with the connection untouched, or
 * loaded as a state that saves to a fixed point and can be served.
 */
static void test_every_bit(void)
{
    XenstoreImplState *s = store_new();
    XsConn *c = busy_conn(s);
    XsConn *d = xs_conn_new(s, GUEST, false, NULL, NULL);
    g_autoptr(GByteArray) saved = xs_conn_save(c);
    g_autoptr(GByteArray) d_state = xs_conn_save(d);
    unsigned int refused = 0, accepted = 0;

    for (size_t off = 0; off < saved->len; off++) {
        for (unsigned int bit = 0; bit < 8; bit++) {
            g_autofree uint8_t *bad = g_memdup2(saved->data, saved->len);
            g_autoptr(GByteArray) once = NULL;
            g_autoptr(GByteArray) twice = NULL;
            g_autoptr(GByteArray) out = NULL;
            const uint8_t *rest;
            Error *err = NULL;
            XsConn *e;

            bad[off] ^= 1u << bit;
            if (!xs_conn_load(d, bad, saved->len, &err)) {
                g_autoptr(GByteArray) after = xs_conn_save(d);

                g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                               "xenstore connection "
                                               "state: "));
                error_free(err);
                g_assert_true(same(d_state, after));
                refused++;
                continue;
            }
            accepted++;
            once = xs_conn_save(d);
            e = xs_conn_new(s, GUEST, false, NULL, NULL);
            g_assert_true(xs_conn_load(e, once->data, once->len,
                                       &error_abort));
            twice = xs_conn_save(e);
            g_assert_true(same(once, twice));
            xs_conn_free(e);
            /* What it owes can all be taken. */
            xs_conn_process(d);
            out = drain(d);
            g_assert_cmpuint(xs_conn_peek(d, &rest), ==, 0);
            g_assert_true(xs_conn_load(d, d_state->data, d_state->len,
                                       &error_abort));
        }
    }
    g_test_message("%u refused, %u accepted", refused, accepted);
    g_assert_cmpuint(refused, >, 0);
    g_assert_cmpuint(accepted, >, 0);
    xs_conn_free(d);
    xs_conn_free(c);
    xs_impl_destroy(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-conn-image/round-trip", test_round_trip);
    g_test_add_func("/xs-conn-image/two-steps", test_two_steps);
    g_test_add_func("/xs-conn-image/truncated", test_truncated);
    g_test_add_func("/xs-conn-image/every-bit", test_every_bit);
    return g_test_run();
}
