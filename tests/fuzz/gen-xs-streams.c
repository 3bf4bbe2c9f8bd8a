/*
 * Writes saved-state streams of a few representative stores (empty, a
 * booted guest, open transactions, quotas and watches) into a directory:
 * the seed corpus of fuzz-xs-deserialize, and a test of its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/xenstore_impl.h"

static void on_event(void *opaque, const char *path, const char *token)
{
}

static void put(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
                const char *path, const char *value, size_t len)
{
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_byte_array_append(data, (const uint8_t *)value, len);
    g_assert_cmpint(xs_impl_write(s, dom, tx, path, data), ==, 0);
}

static void perms(XenstoreImplState *s, const char *path, const char *p0,
                  const char *p1)
{
    GList *list = g_list_append(NULL, (char *)p0);

    if (p1) {
        list = g_list_append(list, (char *)p1);
    }
    g_assert_cmpint(xs_impl_set_perms(s, 0, XBT_NULL, path, list), ==, 0);
    g_list_free(list);
}

/* The nodes a booted guest 1 has, some of them its own. */
static void booted_guest(XenstoreImplState *s)
{
    put(s, 0, XBT_NULL, "/local/domain/1/name", "guest", 5);
    perms(s, "/local/domain/1", "n0", "r1");
    perms(s, "/local/domain/1/name", "n0", "r1");
    put(s, 0, XBT_NULL, "/local/domain/1/data", "", 0);
    perms(s, "/local/domain/1/data", "n1", NULL);
    put(s, 0, XBT_NULL, "/local/domain/1/device", "", 0);
    perms(s, "/local/domain/1/device", "n1", "r0");
    put(s, 0, XBT_NULL, "/local/domain/1/device/vif/0/state", "4", 1);
    put(s, 1, XBT_NULL, "data/blob", "\0\1\2\xff", 4);
    put(s, 0, XBT_NULL, "/local/domain/0/backend/vif/1/0/state", "4", 1);
    perms(s, "/local/domain/0/backend/vif/1/0", "n0", "r1");
    g_assert_cmpint(xs_impl_watch(s, 1, "device", "tok0", on_event, NULL),
                    ==, 0);
    g_assert_cmpint(xs_impl_watch_depth(s, 1, "/local/domain/1/data", "t1",
                                        1, on_event, NULL), ==, 0);
    g_assert_cmpint(xs_impl_watch(s, 1, "@releaseDomain", "rel",
                                  on_event, NULL), ==, 0);
}

static void open_transactions(XenstoreImplState *s)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    xs_transaction_t t1, t2;
    GList *p = g_list_append(NULL, (char *)"b1");

    booted_guest(s);
    g_assert_cmpint(xs_impl_transaction_start(s, 1, &t1), ==, 0);
    g_assert_cmpint(xs_impl_read(s, 1, t1, "data/blob", data), ==, 0);
    put(s, 1, t1, "data/new/leaf", "x", 1);
    g_assert_cmpint(xs_impl_rm(s, 1, t1, "device/vif/0"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_start(s, 1, &t2), ==, 0);
    g_assert_cmpint(xs_impl_set_perms(s, 1, t2, "data", p), ==, 0);
    g_list_free(p);
}

static void limits(XenstoreImplState *s)
{
    booted_guest(s);
    g_assert_cmpint(xs_impl_set_quota(s, 1, XS_QUOTA_NODES, 50), ==, 0);
    g_assert_cmpint(xs_impl_set_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                      XS_QUOTA_WATCHES, 64), ==, 0);
    xs_impl_set_features(s, 1, 0x5);
    g_assert_cmpint(xs_impl_introduce_domain(s, 1), ==, 0);
    g_assert_cmpint(xs_impl_set_target(s, 2, 1), ==, 0);
    perms(s, "@introduceDomain", "n0", "r1");
}

static void save(XenstoreImplState *s, const char *dir, const char *name)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *file = g_build_filename(dir, name, NULL);
    GByteArray *bytes = xs_impl_serialize(s);

    if (!g_file_set_contents(file, (char *)bytes->data, bytes->len, &err)) {
        fprintf(stderr, "%s\n", err->message);
        exit(1);
    }
    /* A cut stream is a seed too: it must be rejected cleanly. */
    if (bytes->len > 24) {
        g_autofree char *cut = g_strconcat(file, "-cut", NULL);

        if (!g_file_set_contents(cut, (char *)bytes->data,
                                 bytes->len / 2, &err)) {
            fprintf(stderr, "%s\n", err->message);
            exit(1);
        }
    }
    g_byte_array_unref(bytes);
    xs_impl_destroy(s);
}

int main(int argc, char **argv)
{
    XenstoreImplState *s;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    save(xs_impl_create(1), argv[1], "empty");
    s = xs_impl_create(1);
    booted_guest(s);
    save(s, argv[1], "booted");
    s = xs_impl_create(1);
    open_transactions(s);
    save(s, argv[1], "transactions");
    s = xs_impl_create(1);
    limits(s);
    save(s, argv[1], "limits");
    return 0;
}
