/*
 * Tests of the XenStore wire codec: DIRECTORY_PART, the paged listing
 * of a directory, inside and outside transactions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"
#include "xs-wire-fixture.h"

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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-wire/directory-part/paging",
                    test_directory_part_paging);
    g_test_add_func("/xs-wire/directory-part/parts",
                    test_directory_part_parts);
    g_test_add_func("/xs-wire/directory-part/transaction",
                    test_directory_part_in_transaction);
    return g_test_run();
}
