/*
 * Fuzz target: the input is a saved-state stream for xs_impl_deserialize.
 * A rejected stream must leave the store as it was; an accepted one must
 * give a store that works, and saves and loads again to the same state.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/xenstore_impl.h"
#include "xs-node-helpers.h"

#define WALK_MAX 2000        /* nodes visited in one loaded store */

static void on_event(void *opaque, const char *path, const char *token)
{
    g_assert(path && *path);
    (*(uint64_t *)opaque)++;
}

static bool same_bytes(GByteArray *a, GByteArray *b)
{
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

/*
 * The calls a toolstack and a guest make first, on whatever the stream
 * restored.  The stream may have taken domain 0's privilege away (it
 * carries each domain's settings): give it back to look at everything.
 */
static void exercise(XenstoreImplState *s)
{
    g_autoptr(GByteArray) value = g_byte_array_new();
    g_autoptr(GString) dump = g_string_new("");
    unsigned int left = WALK_MAX;
    xs_transaction_t tx;

    xs_impl_set_privileged(s, 0, true);
    /* Every node reads back, as a guest tool would read it. */
    xt_dump_tree(s, "/", dump, &left);
    g_byte_array_append(value, (const uint8_t *)"1", 1);
    xs_impl_write(s, 1, XBT_NULL, "data/fuzz", value);
    if (!xs_impl_transaction_start(s, 1, &tx)) {
        xs_impl_write(s, 1, tx, "device/x", value);
        xs_impl_transaction_end(s, 1, tx, true);
    }
    g_assert_cmpint(xs_impl_write(s, 0, XBT_NULL, "/local/domain/1/f",
                                  value), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, 0, XBT_NULL, "/local"), ==, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GByteArray) stream = g_byte_array_new();
    g_autoptr(GByteArray) value = g_byte_array_new();
    XenstoreImplState *s = xs_impl_create(1);
    uint64_t events = 0;
    GByteArray *before, *after;
    int ret;

    /* A store with content and a watch of another domain, to show that
     * a rejected stream changes nothing. */
    g_byte_array_append(value, (const uint8_t *)"v", 1);
    g_assert_cmpint(xs_impl_write(s, 0, XBT_NULL, "/pre/node", value), ==, 0);
    g_assert_cmpint(xs_impl_watch(s, 2, "/pre", "w", on_event, &events),
                    ==, 0);
    before = xs_impl_serialize(s);

    g_byte_array_append(stream, data, size);
    ret = xs_impl_deserialize(s, stream, 1, on_event, &events);
    if (ret) {
        g_assert_cmpint(ret, >, 0);
        after = xs_impl_serialize(s);
        g_assert(same_bytes(before, after));
    } else {
        XenstoreImplState *a = xs_impl_create(1), *b = xs_impl_create(1);
        GByteArray *saved_a, *saved_b;

        /*
         * Loaded into fresh stores, saved, loaded and saved again: the
         * second save is the first (s itself also keeps domain 2's
         * watch, which a save carries and a load as domain 1 drops).
         */
        g_assert_cmpint(xs_impl_deserialize(a, stream, 1, on_event,
                                            &events), ==, 0);
        saved_a = xs_impl_serialize(a);
        g_assert_cmpint(xs_impl_deserialize(b, saved_a, 1, on_event,
                                            &events), ==, 0);
        saved_b = xs_impl_serialize(b);
        g_assert(same_bytes(saved_a, saved_b));
        g_byte_array_unref(saved_a);
        g_byte_array_unref(saved_b);
        exercise(b);
        xs_impl_destroy(a);
        xs_impl_destroy(b);
        after = xs_impl_serialize(s);
        exercise(s);
    }
    g_byte_array_unref(before);
    g_byte_array_unref(after);
    xs_impl_destroy(s);
    return 0;
}
