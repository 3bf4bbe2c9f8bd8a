/*
 * Helpers shared by the database tests: string wrappers around the
 * xs_impl_* node calls, a tree dump and a recorder of watch events.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

XenstoreImplState *xt_store_new(void)
{
    static const unsigned int homes[] = { GUEST, OTHER, THIRD };
    XenstoreImplState *s = xs_impl_create(GUEST);

    g_assert_nonnull(s);
    for (size_t i = 0; i < ARRAY_SIZE(homes); i++) {
        g_autofree char *path = g_strdup_printf("/local/domain/%u",
                                                homes[i]);
        g_autofree char *perm = g_strdup_printf("n%u", homes[i]);

        g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, path), ==, 0);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, path, perm), ==, 0);
    }
    return s;
}

int xt_write_bytes(XenstoreImplState *s, unsigned int dom,
                   xs_transaction_t tx, const char *path,
                   const void *bytes, size_t len)
{
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_byte_array_append(data, bytes, len);
    return xs_impl_write(s, dom, tx, path, data);
}

int xt_write(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
             const char *path, const char *value)
{
    return xt_write_bytes(s, dom, tx, path, value, strlen(value));
}

int xt_read(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
            const char *path, char **value)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    int err = xs_impl_read(s, dom, tx, path, data);

    *value = NULL;
    if (err == 0) {
        /* An empty GByteArray may have no storage at all. */
        *value = data->len ? g_strndup((const char *)data->data, data->len)
                           : g_strdup("");
    }
    return err;
}

/* Joins a list of strings with ',' and frees the list. */
static char *join_and_free(GList *items)
{
    GString *out = g_string_new("");

    for (GList *l = items; l; l = l->next) {
        if (l != items) {
            g_string_append_c(out, ',');
        }
        g_string_append(out, l->data);
    }
    g_list_free_full(items, g_free);
    return g_string_free(out, FALSE);
}

int xt_dir(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
           const char *path, char **names, uint64_t *gencnt)
{
    GList *items = NULL;
    int err = xs_impl_directory(s, dom, tx, path, gencnt, &items);

    *names = NULL;
    if (err == 0) {
        *names = join_and_free(items);
    } else {
        g_assert_null(items);
    }
    return err;
}

int xt_get_perms(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
                 const char *path, char **perms)
{
    GList *items = NULL;
    int err = xs_impl_get_perms(s, dom, tx, path, &items);

    *perms = NULL;
    if (err == 0) {
        *perms = join_and_free(items);
    } else {
        g_assert_null(items);
    }
    return err;
}

int xt_set_perms(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
                 const char *path, const char *perms_csv)
{
    g_auto(GStrv) parts = NULL;
    GList *perms = NULL;
    int err;

    if (*perms_csv) {
        parts = g_strsplit(perms_csv, ",", -1);
        for (size_t i = 0; parts[i]; i++) {
            perms = g_list_append(perms, parts[i]);
        }
    }
    err = xs_impl_set_perms(s, dom, tx, path, perms);
    g_list_free(perms);   /* the strings belong to parts */
    return err;
}

xs_transaction_t xt_tx_start(XenstoreImplState *s, unsigned int dom)
{
    xs_transaction_t tx = XBT_NULL;

    g_assert_cmpint(xs_impl_transaction_start(s, dom, &tx), ==, 0);
    g_assert_cmpuint(tx, !=, XBT_NULL);
    return tx;
}

int xt_tx_commit(XenstoreImplState *s, unsigned int dom,
                 xs_transaction_t tx)
{
    return xs_impl_transaction_end(s, dom, tx, true);
}

int xt_tx_abort(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx)
{
    return xs_impl_transaction_end(s, dom, tx, false);
}

void xt_make(XenstoreImplState *s, const char *path, const char *value,
             const char *perms_csv)
{
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, path, value), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, path, perms_csv), ==, 0);
}

bool xt_exists(XenstoreImplState *s, const char *path)
{
    g_autofree char *value = NULL;
    int err = xt_read(s, DOM0, XBT_NULL, path, &value);

    g_assert(err == 0 || err == ENOENT);
    return err == 0;
}

uint64_t xt_gencnt(XenstoreImplState *s, const char *path)
{
    g_autofree char *names = NULL;
    uint64_t gencnt = 0;

    g_assert_cmpint(xt_dir(s, DOM0, XBT_NULL, path, &names, &gencnt), ==, 0);
    return gencnt;
}

/* One line a node: path, generation, permissions, escaped value. */
void xt_dump_tree(XenstoreImplState *s, const char *path, GString *out,
                  unsigned int *left)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    g_autofree char *perms = NULL;
    GList *children = NULL;
    uint64_t gen = 0;

    if (left) {
        if (!*left) {
            return;
        }
        (*left)--;
    }
    g_assert_cmpint(xs_impl_read(s, DOM0, XBT_NULL, path, data), ==, 0);
    g_assert_cmpint(xt_get_perms(s, DOM0, XBT_NULL, path, &perms), ==, 0);
    g_assert_cmpstr(perms, !=, "");
    g_assert_cmpint(xs_impl_directory(s, DOM0, XBT_NULL, path, &gen,
                                      &children), ==, 0);
    g_string_append_printf(out, "%s %" PRIu64 " %s ", path, gen, perms);
    for (guint i = 0; i < data->len; i++) {
        uint8_t c = data->data[i];

        if (g_ascii_isgraph(c) && c != '\\') {
            g_string_append_c(out, c);
        } else {
            g_string_append_printf(out, "\\x%02x", c);
        }
    }
    g_string_append_c(out, '\n');
    for (GList *l = children; l; l = l->next) {
        g_autofree char *child = g_strdup_printf("%s/%s",
                                                 strcmp(path, "/") ? path : "",
                                                 (char *)l->data);

        xt_dump_tree(s, child, out, left);
    }
    g_list_free_full(children, g_free);
}

char *xt_dump_store(XenstoreImplState *s)
{
    GString *out = g_string_new("");

    xt_dump_tree(s, "/", out, NULL);
    return g_string_free(out, FALSE);
}

char *xt_long_path(const char *prefix, size_t len)
{
    GString *p = g_string_new(prefix);
    size_t left = len;
    unsigned int comp = 0;

    while (left > 0) {
        size_t k;

        if (comp > 0) {
            g_string_append_c(p, '/');
            left--;
        }
        k = MIN(left, 60);
        if (left - k == 1) {
            k++;        /* never leave room for only a trailing '/' */
        }
        for (size_t i = 0; i < k; i++) {
            g_string_append_c(p, 'a' + comp % 26);
        }
        left -= k;
        comp++;
    }
    g_assert_cmpuint(p->len, ==, strlen(prefix) + len);
    return g_string_free(p, FALSE);
}

XtRecorder *xt_rec_new(void)
{
    XtRecorder *r = g_new0(XtRecorder, 1);

    r->log = g_string_new("");
    return r;
}

void xt_rec_free(XtRecorder *r)
{
    g_string_free(r->log, TRUE);
    g_free(r->taken);
    g_free(r);
}

void xt_rec_fn(void *opaque, const char *path, const char *token)
{
    XtRecorder *r = opaque;

    g_assert_nonnull(path);
    if (r->log->len) {
        g_string_append_c(r->log, ' ');
    }
    g_string_append_printf(r->log, "%s|%s", path, token ? token : "(null)");
    r->count++;
}

const char *xt_rec_take(XtRecorder *r)
{
    g_free(r->taken);
    r->taken = g_strdup(r->log->str);
    g_string_truncate(r->log, 0);
    r->count = 0;
    return r->taken;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *xt_rec_take_sorted(XtRecorder *r)
{
    g_auto(GStrv) events = g_strsplit(xt_rec_take(r), " ", -1);

    qsort(events, g_strv_length(events), sizeof(char *), compare_strings);
    g_free(r->taken);
    r->taken = g_strjoinv(" ", events);
    return r->taken;
}

int xt_watch(XenstoreImplState *s, unsigned int dom, const char *path,
             const char *token, XtRecorder *r)
{
    return xs_impl_watch(s, dom, path, token, xt_rec_fn, r);
}

int xt_unwatch(XenstoreImplState *s, unsigned int dom, const char *path,
               const char *token, XtRecorder *r)
{
    return xs_impl_unwatch(s, dom, path, token, xt_rec_fn, r);
}

void xt_watch_ok(XenstoreImplState *s, unsigned int dom, const char *path,
                 const char *token, XtRecorder *r)
{
    g_autofree char *expected = g_strdup_printf("%s|%s", path,
                                                token ? token : "(null)");

    xt_rec_take(r);
    g_assert_cmpint(xt_watch(s, dom, path, token, r), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, expected);
}
