/*
 * Tests of the XenStore wire codec: error names, event encoding, the
 * node requests and their payload rules, unknown types, oversized
 * requests and hostile input.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"
#include "xs-wire-fixture.h"

/* ---- error names and event encoding ---- */

static void test_error_names(void)
{
    static const char *const names[] = {
        "EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM",
        "ENOSPC", "EIO", "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN",
        "EISCONN", "E2BIG", "EPERM",
    };
    static const int errs[] = {
        EINVAL, EACCES, EEXIST, EISDIR, ENOENT, ENOMEM, ENOSPC, EIO,
        ENOTEMPTY, ENOSYS, EROFS, EBUSY, EAGAIN, EISCONN, E2BIG, EPERM,
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        g_assert_cmpstr(xs_error_name(errs[i]), ==, names[i]);
        g_assert_cmpint(xs_error_from_name(names[i]), ==, errs[i]);
    }
    /* Outside the table: still a name from it. */
    g_assert_cmpstr(xs_error_name(ENOTDIR), ==, "EIO");
    g_assert_cmpstr(xs_error_name(ERANGE), ==, "EIO");
    g_assert_cmpstr(xs_error_name(0), ==, "EIO");
    g_assert_cmpstr(xs_error_name(-1), ==, "EIO");
    g_assert_cmpint(xs_error_from_name("ENOTDIR"), ==, 0);
    g_assert_cmpint(xs_error_from_name(""), ==, 0);
}

static void test_event_encoding(void)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    struct xsd_sockmsg hdr;
    g_autofree char *path = NULL;
    g_autofree char *token = NULL;

    g_assert(xs_wire_encode_event(out, "/a/b", "tok"));
    memcpy(&hdr, out->data, sizeof(hdr));
    g_assert_cmpuint(hdr.type, ==, XS_WATCH_EVENT);
    g_assert_cmpuint(hdr.req_id, ==, 0);
    g_assert_cmpuint(hdr.tx_id, ==, 0);
    g_assert_cmpuint(hdr.len, ==, 9);
    g_assert_cmpuint(out->len, ==, sizeof(hdr) + 9);
    g_assert(!memcmp(out->data + sizeof(hdr), "/a/b\0tok\0", 9));

    /* Exactly 4096 payload bytes fit; one more is dropped, not cut. */
    path = g_strnfill(3000, 'p');
    token = g_strnfill(XENSTORE_PAYLOAD_MAX - 3000 - 2, 't');
    g_byte_array_set_size(out, 0);
    g_assert(xs_wire_encode_event(out, path, token));
    g_assert_cmpuint(out->len, ==, XS_WIRE_MSG_MAX);
    g_free(token);
    token = g_strnfill(XENSTORE_PAYLOAD_MAX - 3000 - 1, 't');
    g_byte_array_set_size(out, 0);
    g_assert(!xs_wire_encode_event(out, path, token));
    g_assert_cmpuint(out->len, ==, 0);
    g_assert_cmpuint(xs_wire_event_payload_len(path, token), ==,
                     XENSTORE_PAYLOAD_MAX + 1);
}

/* ---- node operations ---- */

static void test_read(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->dom0, XS_WRITE, 0, "/a\0hello", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_READ, 0, "/a\0", &r);
    ASSERT_REPLY(&r, XS_READ, "hello");       /* no NUL added */
    REQ(&f->dom0, XS_READ, 0, "/missing\0", &r);
    assert_error(&r, "ENOENT");
    /* Not NUL-terminated, empty, or two strings: EINVAL. */
    REQ(&f->dom0, XS_READ, 0, "/a", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_READ, 0, "", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_READ, 0, "/a\0/a\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_READ, 0, "\0", &r);
    assert_error(&r, "EINVAL");
    /* Bad path characters come back from the store as EINVAL. */
    REQ(&f->dom0, XS_READ, 0, "/a b\0", &r);
    assert_error(&r, "EINVAL");
    /* The guest cannot read dom0's node; relative paths are its home. */
    REQ(&f->guest, XS_READ, 0, "/a\0", &r);
    assert_error(&r, "EACCES");
    REQ(&f->guest, XS_WRITE, 0, "data/x\0v1", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_READ, 0, "/local/domain/1/data/x\0", &r);
    ASSERT_REPLY(&r, XS_READ, "v1");
    fix_free(f);
}

static void test_write(void)
{
    Fix *f = fix_new();
    Reply r;

    /* Binary value with NULs, kept byte for byte. */
    REQ(&f->dom0, XS_WRITE, 0, "/bin\0a\0b\0\0c", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_READ, 0, "/bin\0", &r);
    ASSERT_REPLY(&r, XS_READ, "a\0b\0\0c");
    /* Empty value. */
    REQ(&f->dom0, XS_WRITE, 0, "/empty\0", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_READ, 0, "/empty\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_READ);
    g_assert_cmpuint(r.hdr.len, ==, 0);
    /* No NUL at all: EINVAL. */
    REQ(&f->dom0, XS_WRITE, 0, "/nonul", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_WRITE, 0, "", &r);
    assert_error(&r, "EINVAL");
    /* Missing parents are created. */
    REQ(&f->dom0, XS_WRITE, 0, "/p/q/r\0x", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_READ, 0, "/p/q\0", &r);
    ASSERT_REPLY(&r, XS_READ, "");
    /* A guest may not write outside what it may write. */
    REQ(&f->guest, XS_WRITE, 0, "/local/domain/2\0x", &r);
    assert_error(&r, "EACCES");
    fix_free(f);
}

static void test_mkdir_rm(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->dom0, XS_WRITE, 0, "/d\0keep", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_MKDIR, 0, "/d\0", &r);
    ASSERT_OK(&r, XS_MKDIR);
    REQ(&f->dom0, XS_READ, 0, "/d\0", &r);
    ASSERT_REPLY(&r, XS_READ, "keep");        /* value left alone */
    REQ(&f->dom0, XS_MKDIR, 0, "/d/e/f\0", &r);
    ASSERT_OK(&r, XS_MKDIR);
    REQ(&f->dom0, XS_MKDIR, 0, "/d/g", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_RM, 0, "/d/e\0", &r);
    ASSERT_OK(&r, XS_RM);
    REQ(&f->dom0, XS_READ, 0, "/d/e/f\0", &r);
    assert_error(&r, "ENOENT");
    /* Missing node, parent there: OK; parent missing too: ENOENT. */
    REQ(&f->dom0, XS_RM, 0, "/d/e\0", &r);
    ASSERT_OK(&r, XS_RM);
    REQ(&f->dom0, XS_RM, 0, "/d/e/f\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->dom0, XS_RM, 0, "/d", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_RM, 0, "/\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_RM, 0, "/local\0", &r);
    assert_error(&r, "EACCES");
    fix_free(f);
}

static void test_directory(void)
{
    Fix *f = fix_new();
    char payload[64];
    Reply r;

    REQ(&f->dom0, XS_MKDIR, 0, "/dir\0", &r);
    REQ(&f->dom0, XS_DIRECTORY, 0, "/dir\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_DIRECTORY);
    g_assert_cmpuint(r.hdr.len, ==, 0);          /* no children */
    REQ(&f->dom0, XS_WRITE, 0, "/dir/b\0", &r);
    REQ(&f->dom0, XS_WRITE, 0, "/dir/a\0", &r);
    REQ(&f->dom0, XS_WRITE, 0, "/dir/c/d\0", &r);
    REQ(&f->dom0, XS_DIRECTORY, 0, "/dir\0", &r);
    ASSERT_REPLY(&r, XS_DIRECTORY, "a\0b\0c\0");
    REQ(&f->dom0, XS_DIRECTORY, 0, "/dir", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_DIRECTORY, 0, "/nodir\0", &r);
    assert_error(&r, "ENOENT");

    /* A listing bigger than one payload: E2BIG (DIRECTORY_PART works). */
    for (int i = 0; i < 200; i++) {
        size_t len = g_snprintf(payload, sizeof(payload),
                                "/big/a-rather-long-child-name-%03d", i);

        request(&f->dom0, XS_WRITE, 0, payload, len + 1, &r);
        ASSERT_OK(&r, XS_WRITE);
    }
    REQ(&f->dom0, XS_DIRECTORY, 0, "/big\0", &r);
    assert_error(&r, "E2BIG");
    REQ(&f->dom0, XS_DIRECTORY_PART, 0, "/big\0" "0\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_DIRECTORY_PART);
    fix_free(f);
}

static void test_perms(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->dom0, XS_WRITE, 0, "/pn\0", &r);
    REQ(&f->dom0, XS_GET_PERMS, 0, "/pn\0", &r);
    ASSERT_REPLY(&r, XS_GET_PERMS, "n0\0");
    REQ(&f->dom0, XS_SET_PERMS, 0, "/pn\0n0\0r1\0", &r);
    ASSERT_OK(&r, XS_SET_PERMS);
    REQ(&f->dom0, XS_GET_PERMS, 0, "/pn\0", &r);
    ASSERT_REPLY(&r, XS_GET_PERMS, "n0\0r1\0");
    REQ(&f->guest, XS_GET_PERMS, 0, "/pn\0", &r);
    ASSERT_REPLY(&r, XS_GET_PERMS, "n0\0r1\0");
    /* Bytes after the last perm string are allowed (reserved field). */
    REQ(&f->dom0, XS_SET_PERMS, 0, "/pn\0b0\0w1\0junk", &r);
    ASSERT_OK(&r, XS_SET_PERMS);
    REQ(&f->dom0, XS_GET_PERMS, 0, "/pn\0", &r);
    ASSERT_REPLY(&r, XS_GET_PERMS, "b0\0w1\0");
    /* No perms at all, or no NUL after the path: EINVAL. */
    REQ(&f->dom0, XS_SET_PERMS, 0, "/pn\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_PERMS, 0, "/pn\0junk", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_PERMS, 0, "/pn", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_PERMS, 0, "/pn\0x5\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_PERMS, 0, "/pn", &r);
    assert_error(&r, "EINVAL");
    /* The guest does not own it. */
    REQ(&f->guest, XS_SET_PERMS, 0, "/pn\0b1\0", &r);
    assert_error(&r, "EACCES");
    /* Special paths: GET_PERMS works, READ does not. */
    REQ(&f->dom0, XS_GET_PERMS, 0, "@releaseDomain\0", &r);
    ASSERT_REPLY(&r, XS_GET_PERMS, "n0\0");
    REQ(&f->dom0, XS_READ, 0, "@releaseDomain\0", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_enosys(void)
{
    static const uint32_t types[] = {
        XS_WATCH_EVENT, XS_ERROR, 20, XS_TYPE_COUNT, 28, 1000, XS_INVALID,
        UINT32_MAX,
    };
    Fix *f = fix_new();
    Reply r;

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        REQ(&f->guest, types[i], 0, "/a\0", &r);
        assert_error(&r, "ENOSYS");
        REQ(&f->dom0, types[i], 7, "", &r);
        assert_error(&r, "ENOSYS");
        g_assert_cmpstr(xs_wire_type_name(types[i]), !=, NULL);
    }
    g_assert_cmpstr(xs_wire_type_name(XS_READ), ==, "READ");
    g_assert_cmpstr(xs_wire_type_name(XS_SET_QUOTA), ==, "SET_QUOTA");
    fix_free(f);
}

static void test_oversized_request(void)
{
    Fix *f = fix_new();
    g_autofree uint8_t *big = g_malloc0(XENSTORE_PAYLOAD_MAX + 1);
    Reply r;

    /* Transports never pass this; a direct caller gets EINVAL. */
    request(&f->dom0, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX + 1, &r);
    assert_error(&r, "EINVAL");
    /* No payload: only a zero length makes sense. */
    {
        struct xsd_sockmsg req = { .type = XS_READ, .req_id = 1, .len = 3 };
        g_autoptr(GByteArray) out = g_byte_array_new();

        xs_wire_handle_request(&f->dom0, &req, NULL, out);
        g_assert_cmpuint(out->len, ==, 16 + 7);
        g_assert(!memcmp(out->data + 16, "EINVAL\0", 7));
        req.len = 0;
        g_byte_array_set_size(out, 0);
        xs_wire_handle_request(&f->dom0, &req, NULL, out);
        g_assert(!memcmp(out->data + 16, "EINVAL\0", 7));
        req.type = XS_GET_QUOTA;
        g_byte_array_set_size(out, 0);
        xs_wire_handle_request(&f->dom0, &req, NULL, out);
        g_assert_cmpuint(((struct xsd_sockmsg *)out->data)->type, ==,
                         XS_GET_QUOTA);
    }
    /* The largest allowed request works. */
    memcpy(big, "/v", 3);
    memset(big + 3, 'x', XENSTORE_PAYLOAD_MAX - 3);
    request(&f->dom0, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX, &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_READ, 0, "/v\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_READ);
    g_assert_cmpuint(r.hdr.len, ==, XENSTORE_PAYLOAD_MAX - 3);
    fix_free(f);
}

/* ---- hostile input ---- */

/* Returns true when the reply was not an error. */
static bool fuzz_one(Fix *f, GRand *rnd, XsWireSession *sess,
                     GArray *txs)
{
    static const char alphabet[] = "/abc@-_019xyz\0\0\0";
    static const char *const prefixes[] = {
        "", "/", "/local/domain/1/", "data/", "@introduceDomain", "/a/b",
        "T", "F", "0", "1", "quota", "help", "nodes",
    };
    uint8_t buf[XENSTORE_PAYLOAD_MAX];
    uint32_t type, tx = 0;
    size_t len = 0;
    Reply r;

    switch (g_rand_int_range(rnd, 0, 10)) {
    case 0:
        type = g_rand_int(rnd);
        break;
    default:
        type = g_rand_int_range(rnd, 0, XS_TYPE_COUNT + 2);
        break;
    }
    switch (g_rand_int_range(rnd, 0, 8)) {
    case 0:
        tx = g_rand_int(rnd);
        break;
    case 1:
    case 2:
        if (txs->len) {
            tx = g_array_index(txs, uint32_t,
                               g_rand_int_range(rnd, 0, txs->len));
        }
        break;
    }
    /* Mostly short strings of path-like bytes; sometimes anything. */
    switch (g_rand_int_range(rnd, 0, 6)) {
    case 0:
        len = g_rand_int_range(rnd, 0, sizeof(buf) + 1);
        for (size_t i = 0; i < len; i++) {
            buf[i] = g_rand_int(rnd);
        }
        break;
    default: {
        int nstr = g_rand_int_range(rnd, 0, 5);

        for (int s = 0; s < nstr && len < 200; s++) {
            const char *pre = prefixes[g_rand_int_range(
                rnd, 0, ARRAY_SIZE(prefixes))];
            int extra = g_rand_int_range(rnd, 0, 12);

            memcpy(buf + len, pre, strlen(pre));
            len += strlen(pre);
            for (int i = 0; i < extra; i++) {
                buf[len++] = alphabet[g_rand_int_range(
                    rnd, 0, sizeof(alphabet) - 1)];
            }
            if (g_rand_int_range(rnd, 0, 5)) {
                buf[len++] = '\0';
            }
        }
        break;
    }
    }
    request(sess, type, tx, buf, len, &r);
    if (type == XS_TRANSACTION_START && r.hdr.type == type) {
        uint32_t id = strtoul((char *)r.payload, NULL, 10);

        g_array_append_val(txs, id);
    }
    return r.hdr.type != XS_ERROR;
}

static void test_garbage(void)
{
    Fix *f = fix_new();
    g_autoptr(GArray) txs = g_array_new(false, false, sizeof(uint32_t));
    GRand *rnd = g_rand_new_with_seed(20240611);
    int rounds = g_test_slow() ? 200000 : 20000;
    int succeeded = 0;

    for (int i = 0; i < rounds; i++) {
        succeeded += fuzz_one(f, rnd, (i & 1) ? &f->guest : &f->dom0, txs);
        /* Keep the event logs from growing with the run. */
        if (f->ev_guest->len > 1000) {
            g_ptr_array_set_size(f->ev_guest, 0);
        }
        if (f->ev_dom0->len > 1000) {
            g_ptr_array_set_size(f->ev_dom0, 0);
        }
    }
    /* The input reaches the handlers, not only the early checks. */
    g_test_message("%d of %d requests succeeded, %u transactions",
                   succeeded, rounds, txs->len);
    g_assert_cmpint(succeeded, >, rounds / 20);
    g_assert_cmpuint(txs->len, >, 10);
    g_rand_free(rnd);
    fix_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-wire/error-names", test_error_names);
    g_test_add_func("/xs-wire/event-encoding", test_event_encoding);
    g_test_add_func("/xs-wire/read", test_read);
    g_test_add_func("/xs-wire/write", test_write);
    g_test_add_func("/xs-wire/mkdir-rm", test_mkdir_rm);
    g_test_add_func("/xs-wire/directory", test_directory);
    g_test_add_func("/xs-wire/perms", test_perms);
    g_test_add_func("/xs-wire/enosys", test_enosys);
    g_test_add_func("/xs-wire/oversized-request", test_oversized_request);
    g_test_add_func("/xs-wire/garbage", test_garbage);
    return g_test_run();
}
