/*
 * Tests of qemu-xenstored's state file: round trips through a file and
 * through memory, every truncation, every byte damaged (with and without
 * a checksum that matches), and the guest's watches restored.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <glib/gstdio.h>
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_home.h"
#include "xs-state-file.h"

#define GUEST 3
#define HEADER_LEN 16       /* magic, version, domid */
#define DIGEST_LEN 32

static void write_node(XenstoreImplState *s, unsigned int dom,
                       const char *path, const char *value)
{
    g_autoptr(GByteArray) v = g_byte_array_new();

    g_byte_array_append(v, (const uint8_t *)value, strlen(value));
    g_assert_cmpint(xs_impl_write(s, dom, XBT_NULL, path, v), ==, 0);
}

static void count_event(void *opaque, const char *path, const char *token)
{
    unsigned int *n = opaque;

    (*n)++;
}

/*
 * A small store as qemu-xenstored has it: the guest's home, some nodes
 * of dom0 and of the guest, a quota, a guest watch and a guest
 * transaction left open.
 */
static XenstoreImplState *small_store(unsigned int *events)
{
    XenstoreImplState *s = xs_impl_create(GUEST);
    xs_transaction_t tx;

    g_assert_cmpint(xs_home_create(s, GUEST, "saved", 65536), ==, 0);
    g_assert_cmpint(xs_home_publish_store(s, GUEST, 1, 0xfeff9), ==, 0);
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    write_node(s, DOMID_QEMU, "/tool/a", "1");
    write_node(s, GUEST, "data/x", "y");
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, 77), ==, 0);
    g_assert_cmpint(xs_impl_watch(s, GUEST, "data", "t", count_event,
                                  events), ==, 0);
    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &tx), ==, 0);
    write_node(s, DOMID_QEMU, "/tool/b", "2");
    return s;
}

static bool same(GByteArray *a, GByteArray *b)
{
    return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static void test_round_trip_file(void)
{
    unsigned int events = 0, restored = 0;
    XenstoreImplState *s = small_store(&events);
    XenstoreImplState *t = xs_impl_create(GUEST);
    g_autofree char *dir = g_dir_make_tmp("xs-state-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "state", NULL);
    g_autoptr(GByteArray) want = xs_impl_serialize(s);
    g_autoptr(GByteArray) got = NULL;
    g_autofree gchar *contents = NULL;
    g_autoptr(GByteArray) expected = xs_state_file_contents(s, GUEST);
    GStatBuf st;
    size_t len;

    g_assert_true(xs_state_file_save(path, s, GUEST, &error_abort));
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_mode & 0777, ==, 0600);
    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    g_assert_cmpmem(contents, len, expected->data, expected->len);
    g_assert_cmpmem(contents, 8, "QXSSTATE", 8);

    g_assert_true(xs_state_file_load(path, t, GUEST, count_event,
                                     &restored, &error_abort));
    got = xs_impl_serialize(t);
    g_assert_true(same(want, got));

    /* The guest's watch came back with the callback given to the load. */
    restored = 0;
    write_node(t, DOMID_QEMU, "/local/domain/3/data/new", "v");
    g_assert_cmpuint(restored, ==, 1);

    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    xs_impl_destroy(t);
    xs_impl_destroy(s);
}

/* Loads @data into @t: NULL if loaded, else the message. */
static char *load_error(XenstoreImplState *t, const uint8_t *data,
                        size_t len)
{
    Error *err = NULL;
    char *msg;

    if (xs_state_file_load_contents("F", data, len, t, GUEST, count_event,
                                    NULL, &err)) {
        g_assert_null(err);
        return NULL;
    }
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

static void assert_refused(XenstoreImplState *t, GByteArray *before,
                           const uint8_t *data, size_t len,
                           const char *what)
{
    g_autofree char *msg = load_error(t, data, len);
    g_autoptr(GByteArray) after = xs_impl_serialize(t);

    g_assert_nonnull(msg);
    if (!strstr(msg, what)) {
        g_error("refused with \"%s\", not for \"%s\"", msg, what);
    }
    g_assert_true(same(before, after));
}

/* A store with content of its own, to see that refusals leave it be. */
static XenstoreImplState *target_store(void)
{
    XenstoreImplState *t = xs_impl_create(GUEST);

    write_node(t, DOMID_QEMU, "/target/only", "here");
    return t;
}

/* Recompute the checksum of a body that ends where the digest starts. */
static void reseal(GByteArray *b)
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    gsize dlen = DIGEST_LEN;
    size_t body = b->len - DIGEST_LEN;

    g_checksum_update(ck, b->data, body);
    g_checksum_get_digest(ck, b->data + body, &dlen);
    g_checksum_free(ck);
}

static void test_refused(void)
{
    unsigned int events = 0;
    XenstoreImplState *s = small_store(&events);
    XenstoreImplState *t = target_store();
    g_autoptr(GByteArray) good = xs_state_file_contents(s, GUEST);
    g_autoptr(GByteArray) before = xs_impl_serialize(t);
    g_autoptr(GByteArray) bad = g_byte_array_new();
    static const uint8_t text[] = "not a state\n";

    assert_refused(t, before, text, sizeof(text) - 1,
                   "F is not a qemu-xenstored state file");
    assert_refused(t, before, good->data, 20, "F: state file truncated");

    /* Every truncation, and a byte too many. */
    for (size_t len = 0; len < good->len; len++) {
        assert_refused(t, before, good->data, len, "F");
    }
    g_byte_array_append(bad, good->data, good->len);
    g_byte_array_append(bad, (const uint8_t *)"", 1);
    assert_refused(t, before, bad->data, bad->len, "checksum mismatch");

    /* Every byte damaged: the magic or the checksum catches it. */
    for (size_t off = 0; off < good->len; off++) {
        g_byte_array_set_size(bad, 0);
        g_byte_array_append(bad, good->data, good->len);
        bad->data[off] ^= 0x20;
        assert_refused(t, before, bad->data, bad->len,
                       off < 8 ? "is not a qemu-xenstored state file" :
                       "corrupt or truncated (checksum mismatch)");
    }

    /* Fields behind a checksum that matches. */
    g_byte_array_set_size(bad, 0);
    g_byte_array_append(bad, good->data, good->len);
    bad->data[8] = 1;
    reseal(bad);
    assert_refused(t, before, bad->data, bad->len,
                   "F: unknown state file version 1");
    bad->data[8] = 2;
    bad->data[12] = 4;
    reseal(bad);
    assert_refused(t, before, bad->data, bad->len,
                   "F: state of domain 4, not of domain 3");
    bad->data[12] = GUEST;
    bad->data[16]++;
    reseal(bad);
    assert_refused(t, before, bad->data, bad->len,
                   "F: malformed state file");
    bad->data[16] -= 2;
    reseal(bad);
    assert_refused(t, before, bad->data, bad->len,
                   "F: malformed state file");
    bad->data[16]++;
    bad->data[20] = '#';
    reseal(bad);
    assert_refused(t, before, bad->data, bad->len, "F: bad store state");

    xs_impl_destroy(t);
    xs_impl_destroy(s);
}

/*
 * Every byte of the store stream damaged behind a checksum that
 * matches: refused with the target untouched, or loaded as a store that
 * saves back to a state that loads again to the same store.
 */
static void test_resealed_damage(void)
{
    unsigned int events = 0, refused = 0, accepted = 0;
    XenstoreImplState *s = small_store(&events);
    XenstoreImplState *t = target_store();
    g_autoptr(GByteArray) good = xs_state_file_contents(s, GUEST);
    g_autoptr(GByteArray) before = xs_impl_serialize(t);
    g_autoptr(GByteArray) bad = g_byte_array_new();

    for (size_t off = HEADER_LEN; off < good->len - DIGEST_LEN; off++) {
        g_autofree char *msg = NULL;

        g_byte_array_set_size(bad, 0);
        g_byte_array_append(bad, good->data, good->len);
        bad->data[off] ^= 1u << (off % 8);
        reseal(bad);
        msg = load_error(t, bad->data, bad->len);
        if (msg) {
            g_autoptr(GByteArray) after = xs_impl_serialize(t);

            g_assert_true(g_str_has_prefix(msg, "F: "));
            g_assert_true(same(before, after));
            refused++;
        } else {
            g_autoptr(GByteArray) again = xs_state_file_contents(t, GUEST);
            XenstoreImplState *u = xs_impl_create(GUEST);
            g_autoptr(GByteArray) once = xs_impl_serialize(t);
            g_autoptr(GByteArray) twice = NULL;

            g_assert_true(xs_state_file_load_contents("F", again->data,
                                                      again->len, u, GUEST,
                                                      count_event, NULL,
                                                      &error_abort));
            twice = xs_impl_serialize(u);
            g_assert_true(same(once, twice));
            xs_impl_destroy(u);
            xs_impl_destroy(t);
            t = target_store();
            accepted++;
        }
    }
    g_test_message("%u refused, %u accepted", refused, accepted);
    g_assert_cmpuint(refused, >, 0);
    xs_impl_destroy(t);
    xs_impl_destroy(s);
}

/* A file that cannot be read, and a save into a missing directory. */
static void test_file_errors(void)
{
    XenstoreImplState *s = xs_impl_create(GUEST);
    Error *err = NULL;

    g_assert_false(xs_state_file_load("/nonexistent/xs-state", s, GUEST,
                                      count_event, NULL, &err));
    g_assert_true(strstr(error_get_pretty(err), "cannot read the state"));
    error_free(err);
    err = NULL;
    g_assert_false(xs_state_file_save("/nonexistent/dir/xs-state", s, GUEST,
                                      &err));
    g_assert_true(strstr(error_get_pretty(err), "cannot save the state"));
    error_free(err);
    xs_impl_destroy(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-state-file/round-trip", test_round_trip_file);
    g_test_add_func("/xs-state-file/refused", test_refused);
    g_test_add_func("/xs-state-file/resealed-damage", test_resealed_damage);
    g_test_add_func("/xs-state-file/file-errors", test_file_errors);
    return g_test_run();
}
