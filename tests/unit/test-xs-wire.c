/*
 * Tests of the XenStore wire codec: every message type, each payload
 * rule, privileged against guest callers, reply size limits, paged
 * directory listings and hostile input.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"

#define GUEST 1

typedef struct Reply {
    struct xsd_sockmsg hdr;
    uint8_t payload[XENSTORE_PAYLOAD_MAX + 1];
} Reply;

typedef struct Fix {
    XenstoreImplState *s;
    XsWireSession guest;        /* the guest ring: domain 1, domain-wide */
    XsWireSession dom0;         /* two host socket clients */
    XsWireSession dom0b;
    GPtrArray *ev_guest;        /* "path|token" per event delivered */
    GPtrArray *ev_dom0;
    GPtrArray *ev_dom0b;
} Fix;

static uint32_t next_req_id = 100;

static void record_event(void *opaque, const char *path, const char *token)
{
    g_ptr_array_add(opaque, g_strdup_printf("%s|%s", path, token));
}

static Fix *fix_new(void)
{
    Fix *f = g_new0(Fix, 1);
    GList *perms = NULL;
    g_autofree char *p0 = xs_perm_as_string(XS_PERM_NONE, GUEST);

    f->s = xs_impl_create(GUEST);
    f->ev_guest = g_ptr_array_new_with_free_func(g_free);
    f->ev_dom0 = g_ptr_array_new_with_free_func(g_free);
    f->ev_dom0b = g_ptr_array_new_with_free_func(g_free);
    xs_wire_session_init(&f->guest, f->s, GUEST, true, record_event,
                         f->ev_guest);
    xs_wire_session_init(&f->dom0, f->s, DOMID_QEMU, false, record_event,
                         f->ev_dom0);
    xs_wire_session_init(&f->dom0b, f->s, DOMID_QEMU, false, record_event,
                         f->ev_dom0b);
    /* The guest's home, owned by the guest. */
    g_assert_cmpint(xs_impl_mkdir(f->s, DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1"), ==, 0);
    perms = g_list_append(perms, p0);
    g_assert_cmpint(xs_impl_set_perms(f->s, DOMID_QEMU, XBT_NULL,
                                      "/local/domain/1", perms), ==, 0);
    g_list_free(perms);
    return f;
}

static void fix_free(Fix *f)
{
    xs_wire_session_destroy(&f->guest);
    xs_wire_session_destroy(&f->dom0);
    xs_wire_session_destroy(&f->dom0b);
    xs_impl_destroy(f->s);
    g_ptr_array_unref(f->ev_guest);
    g_ptr_array_unref(f->ev_dom0);
    g_ptr_array_unref(f->ev_dom0b);
    g_free(f);
}

/*
 * Send one request; check the reply is one well-framed message that
 * echoes req_id and tx_id and carries the request's type or ERROR.
 */
static void request(XsWireSession *sess, uint32_t type, uint32_t tx,
                    const void *payload, size_t len, Reply *rep)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    struct xsd_sockmsg req = {
        .type = type, .req_id = next_req_id++, .tx_id = tx, .len = len,
    };

    g_byte_array_append(out, (const guint8 *)"junk", 4);
    xs_wire_handle_request(sess, &req, payload, out);
    g_assert_cmpuint(out->len, >=, 4 + sizeof(rep->hdr));
    g_assert(!memcmp(out->data, "junk", 4));
    memcpy(&rep->hdr, out->data + 4, sizeof(rep->hdr));
    g_assert_cmpuint(rep->hdr.len, <=, XENSTORE_PAYLOAD_MAX);
    g_assert_cmpuint(out->len, ==, 4 + sizeof(rep->hdr) + rep->hdr.len);
    g_assert_cmpuint(rep->hdr.req_id, ==, req.req_id);
    g_assert_cmpuint(rep->hdr.tx_id, ==, tx);
    g_assert(rep->hdr.type == type || rep->hdr.type == XS_ERROR);
    memcpy(rep->payload, out->data + 4 + sizeof(rep->hdr), rep->hdr.len);
    rep->payload[rep->hdr.len] = '\0';
    if (rep->hdr.type == XS_ERROR) {
        /* "ENAME\0" with a name from the table. */
        g_assert_cmpuint(rep->hdr.len, ==, strlen((char *)rep->payload) + 1);
        g_assert_cmpint(xs_error_from_name((char *)rep->payload), !=, 0);
    }
}

/* A literal payload with explicit "\0"s; the literal's own NUL is not sent. */
#define REQ(sess, type, tx, lit, rep) \
    request((sess), (type), (tx), (lit), sizeof(lit) - 1, (rep))

static void assert_error(const Reply *rep, const char *name)
{
    g_assert_cmpuint(rep->hdr.type, ==, XS_ERROR);
    g_assert_cmpstr((const char *)rep->payload, ==, name);
}

static void assert_reply(const Reply *rep, uint32_t type, const void *data,
                         size_t len)
{
    if (rep->hdr.type == XS_ERROR) {
        g_error("unexpected error reply %s", rep->payload);
    }
    g_assert_cmpuint(rep->hdr.type, ==, type);
    g_assert_cmpuint(rep->hdr.len, ==, len);
    g_assert(!memcmp(rep->payload, data, len));
}

#define ASSERT_REPLY(rep, type, lit) \
    assert_reply((rep), (type), (lit), sizeof(lit) - 1)
#define ASSERT_OK(rep, type) ASSERT_REPLY((rep), (type), "OK\0")

/* Payload from parts joined with NULs after each (printf-like helper). */
static size_t build(char *buf, size_t size, const char *const *parts,
                    int n)
{
    size_t len = 0;

    for (int i = 0; i < n; i++) {
        size_t l = strlen(parts[i]) + 1;

        g_assert(len + l <= size);
        memcpy(buf + len, parts[i], l);
        len += l;
    }
    return len;
}

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

/* ---- watches ---- */

static void test_watch(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->guest, XS_WATCH, 0, "data\0tok\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    /* The initial event, with epath = wpath as given (relative). */
    g_assert_cmpuint(f->ev_guest->len, ==, 1);
    g_assert_cmpstr(f->ev_guest->pdata[0], ==, "data|tok");
    REQ(&f->guest, XS_WATCH, 0, "data\0tok\0", &r);
    assert_error(&r, "EEXIST");
    REQ(&f->dom0, XS_WRITE, 0, "/local/domain/1/data/x\0v", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 2);
    g_assert_cmpstr(f->ev_guest->pdata[1], ==, "data/x|tok");

    /* tx_id is ignored, even an unknown one. */
    REQ(&f->guest, XS_WATCH, 12345, "/local/domain/1\0abs\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_assert_cmpstr(f->ev_guest->pdata[2], ==, "/local/domain/1|abs");
    REQ(&f->guest, XS_UNWATCH, 999, "/local/domain/1\0abs\0", &r);
    ASSERT_OK(&r, XS_UNWATCH);
    REQ(&f->guest, XS_UNWATCH, 0, "/local/domain/1\0abs\0", &r);
    assert_error(&r, "ENOENT");

    /* Trailing bytes after the token are allowed. */
    REQ(&f->guest, XS_WATCH, 0, "data\0t2\0\0trailing", &r);
    ASSERT_OK(&r, XS_WATCH);
    REQ(&f->guest, XS_UNWATCH, 0, "data\0t2\0garbage", &r);
    ASSERT_OK(&r, XS_UNWATCH);
    /* Missing token, or token not terminated: EINVAL. */
    REQ(&f->guest, XS_WATCH, 0, "data\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "data\0tok", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_UNWATCH, 0, "data\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "", &r);
    assert_error(&r, "EINVAL");
    /* Bad watch path. */
    REQ(&f->guest, XS_WATCH, 0, "da ta\0tok\0", &r);
    assert_error(&r, "EINVAL");
    /* Special watches take any @name. */
    REQ(&f->dom0, XS_WATCH, 0, "@releaseDomain\0rel\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_assert_cmpstr(f->ev_dom0->pdata[0], ==, "@releaseDomain|rel");
    /* An empty token is a token. */
    REQ(&f->dom0, XS_WATCH, 0, "/x\0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_assert_cmpstr(f->ev_dom0->pdata[1], ==, "/x|");
    fix_free(f);
}

static void test_watch_depth(void)
{
    Fix *f = fix_new();
    Reply r;

    /* WATCHDEPTH is on by default: depth 0 is the node itself only. */
    g_assert(xs_impl_get_features(f->s, GUEST) &
             XENSTORE_SERVER_FEATURE_WATCHDEPTH);
    REQ(&f->guest, XS_WATCH, 0, "data\0d0\0" "0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    REQ(&f->guest, XS_WATCH, 0, "data\0d1\0" "1\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    /* An empty third string is the old reserved field: no limit. */
    REQ(&f->guest, XS_WATCH, 0, "data\0dx\0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->guest, XS_WRITE, 0, "data/a/b\0", &r);
    ASSERT_OK(&r, XS_WRITE);
    /* data/a/b is two below data: only the unlimited watch sees it. */
    g_assert_cmpuint(f->ev_guest->len, ==, 1);
    g_assert_cmpstr(f->ev_guest->pdata[0], ==, "data/a/b|dx");
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->guest, XS_WRITE, 0, "data/c\0", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 2);
    REQ(&f->guest, XS_WATCH, 0, "data\0bad\0x\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "data\0bad\0-1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "data\0bad\0" "99999999999\0", &r);
    assert_error(&r, "EINVAL");

    /* Without the feature the third string is an ignored extra. */
    xs_impl_set_features(f->s, GUEST, XENSTORE_SERVER_FEATURE_RECONNECTION);
    REQ(&f->guest, XS_WATCH, 0, "data\0nd\0" "0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    REQ(&f->guest, XS_WATCH, 0, "data\0nd2\0x\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->guest, XS_WRITE, 0, "data/a/b\0", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 3);   /* dx, nd, nd2 */
    fix_free(f);
}

/* ---- transactions ---- */

static uint32_t start_tx(XsWireSession *sess)
{
    unsigned int id;
    Reply r;

    REQ(sess, XS_TRANSACTION_START, 0, "\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_TRANSACTION_START);
    g_assert_cmpuint(r.hdr.len, ==, strlen((char *)r.payload) + 1);
    g_assert(g_ascii_isdigit(r.payload[0]));
    id = strtoul((char *)r.payload, NULL, 10);
    g_assert_cmpuint(id, !=, 0);
    return id;
}

static void test_transactions(void)
{
    Fix *f = fix_new();
    uint32_t tx, tx2;
    Reply r;

    tx = start_tx(&f->guest);
    REQ(&f->guest, XS_WRITE, tx, "data/t\0inside", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->guest, XS_READ, tx, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "inside");
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    assert_error(&r, "ENOENT");                 /* not committed yet */
    /* Non-zero tx_id in TRANSACTION_START: EBUSY, known or not. */
    REQ(&f->guest, XS_TRANSACTION_START, tx, "\0", &r);
    assert_error(&r, "EBUSY");
    REQ(&f->guest, XS_TRANSACTION_START, 4242, "\0", &r);
    assert_error(&r, "EBUSY");
    /* END needs exactly "T\0" or "F\0". */
    REQ(&f->guest, XS_TRANSACTION_END, tx, "X\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "TT\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "inside");
    /* The id is gone after END. */
    REQ(&f->guest, XS_READ, tx, "data/t\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_TRANSACTION_END, 0, "T\0", &r);
    assert_error(&r, "ENOENT");

    /* Abort discards. */
    tx = start_tx(&f->guest);
    REQ(&f->guest, XS_WRITE, tx, "data/t\0aborted", &r);
    REQ(&f->guest, XS_TRANSACTION_END, tx, "F\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "inside");

    /* Conflict: EAGAIN, and the id is gone even so. */
    tx = start_tx(&f->guest);
    REQ(&f->guest, XS_READ, tx, "data/t\0", &r);
    REQ(&f->guest, XS_WRITE, tx, "data/t\0mine", &r);
    REQ(&f->dom0, XS_WRITE, 0, "/local/domain/1/data/t\0theirs", &r);
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T\0", &r);
    assert_error(&r, "EAGAIN");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "F\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "theirs");

    /* Every transactional type checks the id it is given. */
    static const struct {
        uint32_t type;
        const char *payload;
        size_t len;
    } tx_ops[] = {
        { XS_READ, "/a\0", 3 }, { XS_WRITE, "/a\0v", 4 },
        { XS_MKDIR, "/a\0", 3 }, { XS_RM, "/a\0", 3 },
        { XS_DIRECTORY, "/\0", 2 }, { XS_GET_PERMS, "/\0", 2 },
        { XS_SET_PERMS, "/a\0n0\0", 6 }, { XS_DIRECTORY_PART, "/\0" "0\0", 4 },
        { XS_TRANSACTION_END, "F\0", 2 },
    };
    tx = start_tx(&f->dom0);
    tx2 = start_tx(&f->dom0b);
    for (size_t i = 0; i < ARRAY_SIZE(tx_ops); i++) {
        /* Another connection's id, same domain: ENOENT. */
        request(&f->dom0, tx_ops[i].type, tx2, tx_ops[i].payload,
                tx_ops[i].len, &r);
        assert_error(&r, "ENOENT");
        /* Another domain's id: ENOENT. */
        request(&f->guest, tx_ops[i].type, tx, tx_ops[i].payload,
                tx_ops[i].len, &r);
        assert_error(&r, "ENOENT");
        /* A made-up id: ENOENT. */
        request(&f->dom0, tx_ops[i].type, 0xdead, tx_ops[i].payload,
                tx_ops[i].len, &r);
        assert_error(&r, "ENOENT");
    }
    /* The owners still can use them. */
    REQ(&f->dom0, XS_WRITE, tx, "/own\0x", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0b, XS_TRANSACTION_END, tx2, "F\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    /* Non-transactional types ignore the header's tx_id. */
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0xdead, "3\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/3\0");
    fix_free(f);
}

static void test_transaction_limit(void)
{
    Fix *f = fix_new();
    uint32_t ids[10];
    Reply r;

    for (int i = 0; i < 10; i++) {
        ids[i] = start_tx(&f->guest);
    }
    REQ(&f->guest, XS_TRANSACTION_START, 0, "\0", &r);
    assert_error(&r, "ENOSPC");
    REQ(&f->guest, XS_TRANSACTION_END, ids[3], "F\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    start_tx(&f->guest);
    fix_free(f);
}

/* ---- RESET_WATCHES ---- */

static void test_reset_watches(void)
{
    Fix *f = fix_new();
    uint32_t gtx, tx, txb;
    Reply r;

    /* Guest ring: the domain's watches and transactions go. */
    REQ(&f->guest, XS_WATCH, 0, "data\0g\0", &r);
    gtx = start_tx(&f->guest);
    REQ(&f->guest, XS_RESET_WATCHES, 0, "", &r);
    assert_error(&r, "EINVAL");                 /* must end in a NUL */
    REQ(&f->guest, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->dom0, XS_WRITE, 0, "/local/domain/1/data/z\0", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 0);
    REQ(&f->guest, XS_READ, gtx, "data/z\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_UNWATCH, 0, "data\0g\0", &r);
    assert_error(&r, "ENOENT");

    /* A socket client: only its own watches and transactions. */
    REQ(&f->dom0, XS_WATCH, 0, "/w\0a\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "/w\0b\0", &r);
    tx = start_tx(&f->dom0);
    txb = start_tx(&f->dom0b);
    REQ(&f->dom0, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    g_ptr_array_set_size(f->ev_dom0, 0);
    g_ptr_array_set_size(f->ev_dom0b, 0);
    REQ(&f->dom0, XS_WRITE, 0, "/w\0", &r);
    g_assert_cmpuint(f->ev_dom0->len, ==, 0);
    g_assert_cmpuint(f->ev_dom0b->len, ==, 1);
    REQ(&f->dom0, XS_READ, tx, "/w\0", &r);
    assert_error(&r, "ENOENT");
    /* The store really ended it, not just forgot it. */
    g_assert_cmpint(xs_impl_transaction_end(f->s, DOMID_QEMU, tx, false),
                    ==, ENOENT);
    /* txb still works: it reads its snapshot, from before /w. */
    REQ(&f->dom0b, XS_READ, txb, "/w\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->dom0b, XS_READ, txb, "/local\0", &r);
    ASSERT_REPLY(&r, XS_READ, "");
    fix_free(f);
}

/* ---- domain management and privileged types ---- */

static void test_get_domain_path(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "1\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/1\0");
    REQ(&f->dom0, XS_GET_DOMAIN_PATH, 0, "32751\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/32751\0");
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "0\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/0\0");
    static const char *const bad[] = {
        "", "x", "-1", "1x", " 1", "32752", "4294967296", "0x1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        request(&f->guest, XS_GET_DOMAIN_PATH, 0, bad[i],
                strlen(bad[i]) + 1, &r);
        assert_error(&r, "EINVAL");
    }
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "1", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "1\0" "2\0", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_privileged_refused(void)
{
    static const struct {
        uint32_t type;
        const char *payload;
        size_t len;
    } ops[] = {
        { XS_CONTROL, "help\0", 5 },
        { XS_INTRODUCE, "2\0" "100\0" "5\0", 8 },
        { XS_RELEASE, "1\0", 2 },
        { XS_IS_DOMAIN_INTRODUCED, "1\0", 2 },
        { XS_RESUME, "1\0", 2 },
        { XS_SET_TARGET, "1\0" "2\0", 4 },
        { XS_SET_FEATURE, "1\0" "0\0", 4 },
        { XS_SET_QUOTA, "nodes\0" "5\0", 8 },
        { XS_SET_QUOTA, "1\0nodes\0" "5\0", 10 },
        { XS_GET_QUOTA, "2\0nodes\0", 8 },
        { XS_GET_QUOTA, "0\0nodes\0", 8 },
        { XS_GET_FEATURE, "2\0", 2 },
        { XS_GET_FEATURE, "0\0", 2 },
    };
    Fix *f = fix_new();
    Reply r;

    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        request(&f->guest, ops[i].type, 0, ops[i].payload, ops[i].len, &r);
        assert_error(&r, "EACCES");
    }
    /* Nothing changed. */
    g_assert(!xs_impl_is_domain_introduced(f->s, 2));
    g_assert_cmpuint(xs_impl_get_quota(f->s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_NODES), ==, 1000);
    g_assert_cmpuint(xs_impl_get_features(f->s, GUEST), ==,
                     XS_IMPL_DEFAULT_FEATURES);

    /* A domain made unprivileged loses them too. */
    xs_impl_set_privileged(f->s, DOMID_QEMU, false);
    REQ(&f->dom0, XS_RELEASE, 0, "1\0", &r);
    assert_error(&r, "EACCES");
    fix_free(f);
}

/*
 * INTRODUCE, RELEASE, RESUME, SET_TARGET (either domid), SET_QUOTA and
 * SET_FEATURE naming domain 0 or another privileged domain: EINVAL, and
 * the other domain-0 connection keeps its watches and transactions.  The
 * GET_* types still answer for them, and SET_QUOTA without a domid still
 * sets the default.
 */
static void test_privileged_domid_einval(void)
{
    static const char *const domids[] = { "0", "7" };
    Fix *f = fix_new();
    uint32_t txb;
    Reply r;

    REQ(&f->dom0, XS_INTRODUCE, 0, "7\0" "100\0" "5\0", &r);
    ASSERT_OK(&r, XS_INTRODUCE);
    xs_impl_set_privileged(f->s, 7, true);
    REQ(&f->dom0b, XS_WATCH, 0, "/w\0b\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "@introduceDomain\0in\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "@releaseDomain\0out\0", &r);
    txb = start_tx(&f->dom0b);
    g_ptr_array_set_size(f->ev_dom0b, 0);

    for (size_t i = 0; i < ARRAY_SIZE(domids); i++) {
        const char *d = domids[i];
        const struct {
            uint32_t type;
            const char *parts[3];
            int n;
        } ops[] = {
            { XS_INTRODUCE, { d, "100", "5" }, 3 },
            { XS_RELEASE, { d }, 1 },
            { XS_RESUME, { d }, 1 },
            { XS_SET_TARGET, { d, "1" }, 2 },
            { XS_SET_TARGET, { "1", d }, 2 },
            { XS_SET_TARGET, { d, "32756" }, 2 },
            { XS_SET_QUOTA, { d, "nodes", "5" }, 3 },
            { XS_SET_FEATURE, { d, "1" }, 2 },
        };

        for (size_t j = 0; j < ARRAY_SIZE(ops); j++) {
            char buf[64];
            size_t len = build(buf, sizeof(buf), ops[j].parts, ops[j].n);

            request(&f->dom0, ops[j].type, 0, buf, len, &r);
            assert_error(&r, "EINVAL");
        }
    }

    /* Nothing changed. */
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "0\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "F\0");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "7\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "T\0");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "0\0nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1000\0");
    REQ(&f->dom0, XS_GET_FEATURE, 0, "0\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->dom0, XS_GET_FEATURE, 0, "7\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    g_assert_cmpuint(f->ev_dom0b->len, ==, 0);
    REQ(&f->dom0, XS_WRITE, 0, "/w\0", &r);
    ASSERT_OK(&r, XS_WRITE);
    g_assert_cmpuint(f->ev_dom0b->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0b->pdata[0], ==, "/w|b");
    REQ(&f->dom0b, XS_WRITE, txb, "/wb\0", &r);   /* not under the new /w */
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0b, XS_TRANSACTION_END, txb, "T\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);

    /* The default quota is still the privileged caller's to set. */
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nodes\0" "900\0", &r);
    ASSERT_OK(&r, XS_SET_QUOTA);
    REQ(&f->dom0, XS_GET_QUOTA, 0, "nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "900\0");
    fix_free(f);
}

/*
 * RESET_WATCHES from one domain-0 connection drops its own watches and
 * transactions only; the other domain-0 connection keeps its own.  Even
 * a session of domain 0 marked domain-wide resets only itself.
 */
static void test_reset_watches_dom0_clients(void)
{
    Fix *f = fix_new();
    GPtrArray *ev = g_ptr_array_new_with_free_func(g_free);
    XsWireSession wide0;
    uint32_t tx, txb;
    Reply r;

    xs_wire_session_init(&wide0, f->s, DOMID_QEMU, true, record_event, ev);
    REQ(&f->dom0, XS_WATCH, 0, "/w\0a\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "/w\0b\0", &r);
    REQ(&wide0, XS_WATCH, 0, "/w\0c\0", &r);
    tx = start_tx(&f->dom0);
    txb = start_tx(&f->dom0b);

    REQ(&f->dom0, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    REQ(&wide0, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    g_ptr_array_set_size(f->ev_dom0, 0);
    g_ptr_array_set_size(f->ev_dom0b, 0);
    g_ptr_array_set_size(ev, 0);
    REQ(&f->dom0b, XS_WRITE, 0, "/w\0", &r);
    g_assert_cmpuint(f->ev_dom0->len, ==, 0);
    g_assert_cmpuint(ev->len, ==, 0);
    g_assert_cmpuint(f->ev_dom0b->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0b->pdata[0], ==, "/w|b");
    REQ(&f->dom0, XS_TRANSACTION_END, tx, "F\0", &r);
    assert_error(&r, "ENOENT");
    g_assert_cmpint(xs_impl_transaction_end(f->s, DOMID_QEMU, tx, false),
                    ==, ENOENT);
    REQ(&f->dom0b, XS_WRITE, txb, "/wb\0", &r);   /* not under the new /w */
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0b, XS_TRANSACTION_END, txb, "T\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    REQ(&f->dom0b, XS_UNWATCH, 0, "/w\0b\0", &r);
    ASSERT_OK(&r, XS_UNWATCH);
    xs_wire_session_destroy(&wide0);
    g_ptr_array_unref(ev);
    fix_free(f);
}

static void test_domains(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->dom0, XS_WATCH, 0, "@introduceDomain\0intro\0", &r);
    REQ(&f->dom0, XS_WATCH, 0, "@releaseDomain\0rel\0", &r);
    g_ptr_array_set_size(f->ev_dom0, 0);

    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "F\0");
    REQ(&f->dom0, XS_INTRODUCE, 0, "5\0" "4096\0" "3\0", &r);
    ASSERT_OK(&r, XS_INTRODUCE);
    g_assert_cmpuint(f->ev_dom0->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0->pdata[0], ==, "@introduceDomain|intro");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "T\0");
    /* A reserved field after the three is allowed. */
    REQ(&f->dom0, XS_INTRODUCE, 0, "6\0" "1\0" "2\0\0", &r);
    ASSERT_OK(&r, XS_INTRODUCE);
    REQ(&f->dom0, XS_INTRODUCE, 0, "6\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_INTRODUCE, 0, "6\0" "x\0" "2\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_INTRODUCE, 0, "32767\0" "1\0" "2\0", &r);
    assert_error(&r, "EINVAL");

    REQ(&f->dom0, XS_RESUME, 0, "5\0", &r);
    ASSERT_OK(&r, XS_RESUME);
    REQ(&f->dom0, XS_RESUME, 0, "7\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->dom0, XS_RESUME, 0, "x\0", &r);
    assert_error(&r, "EINVAL");

    g_ptr_array_set_size(f->ev_dom0, 0);
    REQ(&f->dom0, XS_RELEASE, 0, "5\0", &r);
    ASSERT_OK(&r, XS_RELEASE);
    g_assert_cmpuint(f->ev_dom0->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0->pdata[0], ==, "@releaseDomain|rel");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "F\0");
    REQ(&f->dom0, XS_RELEASE, 0, "5\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->dom0, XS_RELEASE, 0, "5", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_set_target(void)
{
    Fix *f = fix_new();
    XsWireSession dom2;
    GPtrArray *ev = g_ptr_array_new_with_free_func(g_free);
    Reply r;

    xs_wire_session_init(&dom2, f->s, 2, true, record_event, ev);
    REQ(&f->guest, XS_WRITE, 0, "secret\0s", &r);
    REQ(&dom2, XS_READ, 0, "/local/domain/1/secret\0", &r);
    assert_error(&r, "EACCES");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "1\0", &r);
    ASSERT_OK(&r, XS_SET_TARGET);
    REQ(&dom2, XS_READ, 0, "/local/domain/1/secret\0", &r);
    ASSERT_REPLY(&r, XS_READ, "s");
    /* DOMID_INVALID clears the target. */
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "32756\0", &r);
    ASSERT_OK(&r, XS_SET_TARGET);
    REQ(&dom2, XS_READ, 0, "/local/domain/1/secret\0", &r);
    assert_error(&r, "EACCES");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "32752\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "1\0" "3\0", &r);
    assert_error(&r, "EINVAL");
    xs_wire_session_destroy(&dom2);
    g_ptr_array_unref(ev);
    fix_free(f);
}

static void test_features(void)
{
    Fix *f = fix_new();
    Reply r;

    /* Own domain, with or without the domid; empty string = none. */
    REQ(&f->guest, XS_GET_FEATURE, 0, "", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->guest, XS_GET_FEATURE, 0, "\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->guest, XS_GET_FEATURE, 0, "1\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0" "3\0", &r);
    ASSERT_OK(&r, XS_SET_FEATURE);
    g_assert_cmpuint(xs_impl_get_features(f->s, GUEST), ==, 3);
    REQ(&f->dom0, XS_GET_FEATURE, 0, "1\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "3\0");
    REQ(&f->guest, XS_GET_FEATURE, 0, "", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "3\0");
    REQ(&f->dom0, XS_GET_FEATURE, 0, "", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");

    REQ(&f->guest, XS_GET_FEATURE, 0, "1", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_GET_FEATURE, 0, "1\0" "2\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_GET_FEATURE, 0, "z\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0" "-1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0" "3", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_quotas(void)
{
    Fix *f = fix_new();
    g_autoptr(GString) names = g_string_new(NULL);
    Reply r;

    for (XsQuota q = 0; q < XS_QUOTA__MAX; q++) {
        g_string_append_len(names, xs_quota_name(q),
                            strlen(xs_quota_name(q)) + 1);
    }
    /* The list of names, for anyone. */
    REQ(&f->guest, XS_GET_QUOTA, 0, "", &r);
    assert_reply(&r, XS_GET_QUOTA, names->str, names->len);
    REQ(&f->dom0, XS_GET_QUOTA, 0, "", &r);
    assert_reply(&r, XS_GET_QUOTA, names->str, names->len);
    /* Defaults, and the caller's own values. */
    REQ(&f->guest, XS_GET_QUOTA, 0, "nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1000\0");
    REQ(&f->guest, XS_GET_QUOTA, 0, "1\0outstanding\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1024\0");

    REQ(&f->dom0, XS_SET_QUOTA, 0, "1\0nodes\0" "7\0", &r);
    ASSERT_OK(&r, XS_SET_QUOTA);
    REQ(&f->guest, XS_GET_QUOTA, 0, "1\0nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "7\0");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "1\0nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "7\0");
    REQ(&f->guest, XS_GET_QUOTA, 0, "nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1000\0");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "watches\0" "64\0", &r);
    ASSERT_OK(&r, XS_SET_QUOTA);
    g_assert_cmpuint(xs_impl_get_quota(f->s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_WATCHES), ==, 64);
    REQ(&f->dom0, XS_GET_QUOTA, 0, "2\0watches\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "64\0");

    /* The quota really applies to the guest. */
    for (int i = 0; i < 20; i++) {
        char buf[32];
        size_t len = g_snprintf(buf, sizeof(buf), "data/n%d", i);

        request(&f->guest, XS_WRITE, 0, buf, len + 1, &r);
        if (r.hdr.type == XS_ERROR) {
            assert_error(&r, "ENOSPC");
            break;
        }
        g_assert_cmpint(i, <, 19);
    }

    REQ(&f->dom0, XS_GET_QUOTA, 0, "nosuch\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "1\0nosuch\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "x\0nodes\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "1\0nodes\0extra\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "nodes", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nodes\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nosuch\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nodes\0x\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "40000\0nodes\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "1\0nodes\0" "1\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_control(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->dom0, XS_CONTROL, 0, "help\0", &r);
    ASSERT_REPLY(&r, XS_CONTROL, "help\nquota\n\0");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_CONTROL);
    g_assert(strstr((char *)r.payload, "nodes 1000\n"));
    g_assert(strstr((char *)r.payload, "outstanding 1024\n"));
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0nodes\0" "1234\0", &r);
    ASSERT_REPLY(&r, XS_CONTROL, "OK\0");
    g_assert_cmpuint(xs_impl_get_quota(f->s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_NODES), ==, 1234);
    REQ(&f->guest, XS_WRITE, 0, "data/q\0", &r);
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0" "1\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_CONTROL);
    g_assert(strstr((char *)r.payload, "nodes 1234\n"));
    /* Home (owned by 1) and data, data/q. */
    g_assert(strstr((char *)r.payload, "nodes-owned 3\n"));

    REQ(&f->dom0, XS_CONTROL, 0, "nosuch\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "help", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0x\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0nosuch\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0nodes\0" "1\0" "2\0", &r);
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

/* ---- DIRECTORY_PART ---- */

/* One part; checks its shape and returns the gencnt and the names. */
typedef struct Part {
    char gen[24];
    const uint8_t *names;
    size_t len;
    bool last;
} Part;

static void dir_part_tx(XsWireSession *sess, uint32_t tx, const char *path,
                        unsigned int off, Reply *r, Part *part)
{
    char payload[128];
    size_t len = g_snprintf(payload, sizeof(payload), "%s%c%u", path, 0,
                            off);
    size_t glen;

    request(sess, XS_DIRECTORY_PART, tx, payload, len + 1, r);
    g_assert_cmpuint(r->hdr.type, ==, XS_DIRECTORY_PART);
    g_assert(memchr(r->payload, 0, r->hdr.len));
    glen = strlen((char *)r->payload) + 1;
    g_assert_cmpuint(glen, <=, sizeof(part->gen));
    memcpy(part->gen, r->payload, glen);
    part->names = r->payload + glen;
    part->len = r->hdr.len - glen;
    /* Every part is names each with its NUL; the last adds "". */
    g_assert_cmpuint(part->len, >=, 1);
    g_assert_cmpuint(part->names[part->len - 1], ==, 0);
    part->last = part->len == 1 || part->names[part->len - 2] == 0;
}

static void dir_part(XsWireSession *sess, const char *path,
                     unsigned int off, Reply *r, Part *part)
{
    dir_part_tx(sess, XBT_NULL, path, off, r, part);
}

/*
 * What libxenstore's xs_directory() falls back to on E2BIG: ask from
 * offset 0, append each part, restart when the gencnt changes, stop at
 * the part that ends in an empty string.  @between runs after each part.
 */
static GPtrArray *client_list(XsWireSession *sess, uint32_t tx,
                              const char *path,
                              unsigned int *parts, unsigned int *restarts,
                              void (*between)(void *opaque, unsigned int n),
                              void *opaque)
{
    g_autoptr(GByteArray) strings = g_byte_array_new();
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    char gen[24] = "";
    unsigned int off = 0;
    Reply r;
    Part part;

    *parts = *restarts = 0;
    for (;;) {
        dir_part_tx(sess, tx, path, off, &r, &part);
        ++*parts;
        g_assert_cmpuint(*parts, <, 1000);
        if (off && strcmp(gen, part.gen)) {
            g_byte_array_set_size(strings, 0);
            off = 0;
            ++*restarts;
            continue;
        }
        if (!off) {
            strcpy(gen, part.gen);
        }
        g_byte_array_append(strings, part.names, part.len);
        off += part.len;
        if (part.last) {
            break;
        }
        if (between) {
            between(opaque, *parts);
        }
    }
    /* Drop the final empty string, then split. */
    for (size_t p = 0; p + 1 < strings->len;) {
        const char *s = (const char *)strings->data + p;

        g_ptr_array_add(names, g_strdup(s));
        p += strlen(s) + 1;
    }
    return names;
}

/* A node with an empty value, written directly to the store. */
static void store_write(Fix *f, const char *path)
{
    g_autoptr(GByteArray) empty = g_byte_array_new();

    g_assert_cmpint(xs_impl_write(f->s, DOMID_QEMU, XBT_NULL, path, empty),
                    ==, 0);
}

static void make_children(Fix *f, const char *dir, int n)
{
    for (int i = 0; i < n; i++) {
        g_autofree char *p =
            g_strdup_printf("%s/child-with-a-fairly-long-name-%05d", dir, i);

        store_write(f, p);
    }
}

static void add_child_between(void *opaque, unsigned int n)
{
    Fix *f = opaque;

    if (n == 2) {
        store_write(f, "/big/aaa-new");
    }
}

static void test_directory_part_paging(void)
{
    Fix *f = fix_new();
    g_autoptr(GPtrArray) names = NULL;
    GList *items = NULL;
    unsigned int parts, restarts, i = 0;
    Reply r;

    make_children(f, "/big", 1000);     /* ~37 KB of listing */
    REQ(&f->dom0, XS_DIRECTORY, 0, "/big\0", &r);
    assert_error(&r, "E2BIG");

    names = client_list(&f->dom0, 0, "/big", &parts, &restarts, NULL, NULL);
    g_assert_cmpuint(restarts, ==, 0);
    g_assert_cmpuint(parts, >=, 37000 / XENSTORE_PAYLOAD_MAX);
    g_assert_cmpuint(names->len, ==, 1000);
    g_assert_cmpint(xs_impl_directory(f->s, DOMID_QEMU, XBT_NULL, "/big",
                                      NULL, &items), ==, 0);
    for (GList *l = items; l; l = l->next, i++) {
        g_assert_cmpstr(names->pdata[i], ==, l->data);
    }
    g_list_free_full(items, g_free);
    g_ptr_array_unref(names);

    /* A change between parts: new gencnt, the client starts over. */
    names = client_list(&f->dom0, 0, "/big", &parts, &restarts,
                        add_child_between, f);
    g_assert_cmpuint(restarts, ==, 1);
    g_assert_cmpuint(names->len, ==, 1001);
    g_assert_cmpstr(names->pdata[0], ==, "aaa-new");

    /* The guest sees what it may read only. */
    REQ(&f->guest, XS_DIRECTORY_PART, 0, "/big\0" "0\0", &r);
    assert_error(&r, "EACCES");
    fix_free(f);
}

static void test_directory_part_parts(void)
{
    Fix *f = fix_new();
    g_autoptr(GHashTable) all = g_hash_table_new(g_str_hash, g_str_equal);
    GList *items = NULL;
    unsigned int off = 0;
    size_t total = 0;
    char gen0[24];
    Reply r;
    Part part;

    make_children(f, "/big", 300);
    g_assert_cmpint(xs_impl_directory(f->s, DOMID_QEMU, XBT_NULL, "/big",
                                      NULL, &items), ==, 0);
    for (GList *l = items; l; l = l->next) {
        g_hash_table_add(all, l->data);
        total += strlen(l->data) + 1;
    }

    /* Walk by hand: whole names only, every part but the last full. */
    for (int n = 0;; n++) {
        dir_part(&f->dom0, "/big", off, &r, &part);
        if (!n) {
            strcpy(gen0, part.gen);
        }
        g_assert_cmpstr(part.gen, ==, gen0);
        g_assert_cmpuint(r.hdr.len, <=, XENSTORE_PAYLOAD_MAX);
        for (size_t p = 0; p + (part.last ? 1 : 0) < part.len;) {
            const char *s = (const char *)part.names + p;

            g_assert(g_hash_table_contains(all, s));
            p += strlen(s) + 1;
        }
        if (part.last) {
            g_assert_cmpuint(off + part.len - 1, ==, total);
            break;
        }
        /* Not last: the next name would not have fitted. */
        g_assert_cmpuint(r.hdr.len + 36 + 1, >, XENSTORE_PAYLOAD_MAX);
        off += part.len;
    }
    g_list_free_full(items, g_free);

    /* At or beyond the end: the empty string alone. */
    dir_part(&f->dom0, "/big", total, &r, &part);
    g_assert_cmpuint(part.len, ==, 1);
    dir_part(&f->dom0, "/big", 4000000000u, &r, &part);
    g_assert_cmpuint(part.len, ==, 1);
    /* An offset inside a name is served from that byte. */
    dir_part(&f->dom0, "/big", 3, &r, &part);
    g_assert_cmpstr((const char *)part.names, ==,
                    "ld-with-a-fairly-long-name-00000");

    /* Empty directory: generation, then the empty string. */
    REQ(&f->dom0, XS_MKDIR, 0, "/empty\0", &r);
    dir_part(&f->dom0, "/empty", 0, &r, &part);
    g_assert_cmpuint(part.len, ==, 1);
    g_assert(part.last);
    /* A small directory comes in one part, like DIRECTORY plus "". */
    REQ(&f->dom0, XS_WRITE, 0, "/small/x\0", &r);
    REQ(&f->dom0, XS_WRITE, 0, "/small/y\0", &r);
    dir_part(&f->dom0, "/small", 0, &r, &part);
    g_assert_cmpuint(part.len, ==, 5);
    g_assert(!memcmp(part.names, "x\0y\0", 5));

    /* gencnt is the node's generation: it moves with the child list. */
    REQ(&f->dom0, XS_WRITE, 0, "/small/z\0", &r);
    dir_part(&f->dom0, "/small", 0, &r, &part);
    strcpy(gen0, part.gen);
    REQ(&f->dom0, XS_RM, 0, "/small/z\0", &r);
    dir_part(&f->dom0, "/small", 0, &r, &part);
    g_assert_cmpstr(part.gen, !=, gen0);

    /* Exactly two strings; a decimal offset. */
    static const char *const bad[][3] = {
        { "/small", NULL }, { "/small", "0", "0" }, { "/small", "x" },
        { "/small", "-1" }, { "/small", "" }, { "/small", "0x10" },
        { "/small", "99999999999" }, { "/small", " 1" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char buf[64];
        int n = bad[i][1] ? (bad[i][2] ? 3 : 2) : 1;
        size_t len = build(buf, sizeof(buf), bad[i], n);

        request(&f->dom0, XS_DIRECTORY_PART, 0, buf, len, &r);
        assert_error(&r, "EINVAL");
    }
    REQ(&f->dom0, XS_DIRECTORY_PART, 0, "/small\0" "0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_DIRECTORY_PART, 0, "/nosuch\0" "0\0", &r);
    assert_error(&r, "ENOENT");
    fix_free(f);
}

static void test_directory_part_in_transaction(void)
{
    Fix *f = fix_new();
    g_autoptr(GPtrArray) inside = NULL;
    g_autoptr(GPtrArray) outside = NULL;
    unsigned int parts, restarts;
    uint32_t tx;
    Reply r;

    make_children(f, "/big", 200);
    tx = start_tx(&f->dom0);
    REQ(&f->dom0, XS_WRITE, tx, "/big/in-tx\0", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0, XS_DIRECTORY, tx, "/big\0", &r);
    assert_error(&r, "E2BIG");
    /* The transaction's own listing is paged, not the committed one. */
    inside = client_list(&f->dom0, tx, "/big", &parts, &restarts, NULL,
                         NULL);
    g_assert_cmpuint(inside->len, ==, 201);
    g_assert_cmpstr(inside->pdata[200], ==, "in-tx");
    outside = client_list(&f->dom0, 0, "/big", &parts, &restarts, NULL,
                          NULL);
    g_assert_cmpuint(outside->len, ==, 200);
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
    g_test_add_func("/xs-wire/watch", test_watch);
    g_test_add_func("/xs-wire/watch-depth", test_watch_depth);
    g_test_add_func("/xs-wire/transactions", test_transactions);
    g_test_add_func("/xs-wire/transaction-limit", test_transaction_limit);
    g_test_add_func("/xs-wire/reset-watches", test_reset_watches);
    g_test_add_func("/xs-wire/get-domain-path", test_get_domain_path);
    g_test_add_func("/xs-wire/privileged-refused", test_privileged_refused);
    g_test_add_func("/xs-wire/privileged-domid-einval",
                    test_privileged_domid_einval);
    g_test_add_func("/xs-wire/reset-watches-dom0-clients",
                    test_reset_watches_dom0_clients);
    g_test_add_func("/xs-wire/domains", test_domains);
    g_test_add_func("/xs-wire/set-target", test_set_target);
    g_test_add_func("/xs-wire/features", test_features);
    g_test_add_func("/xs-wire/quotas", test_quotas);
    g_test_add_func("/xs-wire/control", test_control);
    g_test_add_func("/xs-wire/enosys", test_enosys);
    g_test_add_func("/xs-wire/oversized-request", test_oversized_request);
    g_test_add_func("/xs-wire/directory-part/paging",
                    test_directory_part_paging);
    g_test_add_func("/xs-wire/directory-part/parts",
                    test_directory_part_parts);
    g_test_add_func("/xs-wire/directory-part/transaction",
                    test_directory_part_in_transaction);
    g_test_add_func("/xs-wire/garbage", test_garbage);
    return g_test_run();
}
