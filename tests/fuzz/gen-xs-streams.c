/*
 * Writes saved-state streams of a few representative stores (empty, a
 * booted guest, transactions, quotas, one with every kind of record) into
 * a directory: the seed corpus of fuzz-xs-deserialize, and a test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/xenstore_impl.h"
#include "xs-sample-stores.h"

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
    xt_sample_booted_guest(s, xt_sample_ignore_event, NULL);
    save(s, argv[1], "booted");
    s = xs_impl_create(1);
    xt_sample_booted_guest(s, xt_sample_ignore_event, NULL);
    xt_sample_open_transactions(s, NULL, NULL);
    save(s, argv[1], "transactions");
    s = xs_impl_create(1);
    xt_sample_booted_guest(s, xt_sample_ignore_event, NULL);
    xt_sample_limits(s);
    save(s, argv[1], "limits");
    s = xs_impl_create(1);
    xt_sample_booted_guest(s, xt_sample_ignore_event, NULL);
    xt_sample_limits(s);
    xt_sample_open_transactions(s, NULL, NULL);
    xt_sample_more_records(s, NULL);
    save(s, argv[1], "every-record");
    return 0;
}
