/*
 * Tests of the XenStore database (xenstore_impl) outside transactions:
 * the initial store, paths, nodes, directory listings, permissions and
 * the calls that change a domain, one test per rule of the behaviour
 * reference.  Quotas have their own program, test-xs-node-quota.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

/* ---- the store as created ---------------------------------------- */

static void test_store_default_nodes(void)
{
    g_autoptr(XenstoreImplState) s = xs_impl_create(GUEST);
    static const char *const top[] = { "/", "/local", "/local/domain" };

    for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
        assert_value(s, DOM0, XBT_NULL, top[i], "");
        assert_perms(s, DOM0, XBT_NULL, top[i], "n0");
    }
    assert_dir(s, DOM0, XBT_NULL, "/", "local");
    assert_dir(s, DOM0, XBT_NULL, "/local", "domain");
    assert_dir(s, DOM0, XBT_NULL, "/local/domain", "");
    /* Nothing is made for the guest the store serves. */
    g_assert_false(xt_exists(s, "/local/domain/1"));
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 0);
}

static void test_store_default_nodes_closed_to_guests(void)
{
    g_autoptr(XenstoreImplState) s = xs_impl_create(GUEST);
    static const char *const top[] = { "/", "/local", "/local/domain" };

    for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
        g_autofree char *v = NULL;

        g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, top[i], &v), ==, EACCES);
    }
}

static void test_store_perm_as_string(void)
{
    static const struct {
        unsigned int perm, domid;
        const char *text;
    } cases[] = {
        { XS_PERM_NONE, 0, "n0" },
        { XS_PERM_READ, 1, "r1" },
        { XS_PERM_WRITE, 0, "w0" },
        { XS_PERM_BOTH, 3, "b3" },
        { XS_PERM_BOTH, 32752, "b32752" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *t = xs_perm_as_string(cases[i].perm,
                                               cases[i].domid);
        g_assert_cmpstr(t, ==, cases[i].text);
    }
}

/* ---- paths (spec section 2) ---------------------------------------- */

/* Every call that takes a path answers EINVAL for it and changes nothing. */
static void assert_path_einval_everywhere(XenstoreImplState *s,
                                          unsigned int dom, const char *path)
{
    g_autoptr(XtRecorder) r = xt_rec_new();
    g_autofree char *v = NULL, *names = NULL, *perms = NULL;

    g_test_message("path \"%s\" as domain %u", path, dom);
    g_assert_cmpint(xt_read(s, dom, XBT_NULL, path, &v), ==, EINVAL);
    g_assert_cmpint(xt_write(s, dom, XBT_NULL, path, "x"), ==, EINVAL);
    g_assert_cmpint(xs_impl_mkdir(s, dom, XBT_NULL, path), ==, EINVAL);
    g_assert_cmpint(xs_impl_rm(s, dom, XBT_NULL, path), ==, EINVAL);
    g_assert_cmpint(xt_dir(s, dom, XBT_NULL, path, &names, NULL), ==, EINVAL);
    g_assert_cmpint(xt_get_perms(s, dom, XBT_NULL, path, &perms), ==, EINVAL);
    g_assert_cmpint(xt_set_perms(s, dom, XBT_NULL, path, "n0"), ==, EINVAL);
    g_assert_cmpint(xt_watch(s, dom, path, "t", r), ==, EINVAL);
    g_assert_cmpint(xt_unwatch(s, dom, path, "t", r), ==, EINVAL);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

static void test_paths_empty_rejected(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    assert_path_einval_everywhere(s, DOM0, "");
    assert_path_einval_everywhere(s, GUEST, "");
}

static void test_paths_double_slash_rejected(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const bad[] = {
        "//", "//local", "/local//domain", "/local/domain//1", "a//b",
        "/local/domain/1//x",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_path_einval_everywhere(s, DOM0, bad[i]);
        assert_path_einval_everywhere(s, GUEST, bad[i]);
    }
}

static void test_paths_trailing_slash_rejected(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const bad[] = {
        "/local/", "/local/domain/", "/local/domain/1/", "a/", "a/b/",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_path_einval_everywhere(s, DOM0, bad[i]);
        assert_path_einval_everywhere(s, GUEST, bad[i]);
    }
    /* "/" itself is the root, not a trailing slash. */
    assert_value(s, DOM0, XBT_NULL, "/", "");
}

static void test_paths_bad_bytes_rejected(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    for (unsigned int c = 1; c < 256; c++) {
        char abs_path[] = "/local/domain/1/aXb";
        char rel_path[] = "aXb";
        g_autofree char *v = NULL;

        if (g_ascii_isalnum(c) || c == '-' || c == '/' || c == '_' ||
            c == '@') {
            continue;
        }
        abs_path[strlen(abs_path) - 2] = c;
        rel_path[1] = c;
        g_test_message("byte 0x%02x", c);
        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, abs_path, "v"),
                        ==, EINVAL);
        g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, rel_path, "v"),
                        ==, EINVAL);
        g_assert_cmpint(xt_read(s, DOM0, XBT_NULL, abs_path, &v), ==, EINVAL);
    }
    /* A few bytes through every call. */
    assert_path_einval_everywhere(s, DOM0, "/local/domain/1/a b");
    assert_path_einval_everywhere(s, DOM0, "/local/domain/1/a.b");
    assert_path_einval_everywhere(s, GUEST, "a:b");
    assert_path_einval_everywhere(s, GUEST, "\xc3\xa9t\xc3\xa9");
    assert_dir(s, DOM0, XBT_NULL, "/local/domain/1", "");
}

static void test_paths_allowed_bytes_accepted(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    const char *all = "/local/domain/1/ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "abcdefghijklmnopqrstuvwxyz0123456789-_@";

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, all, "1"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, all, "1");
    /* '@' inside a name is an ordinary byte; only a leading one is special */
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "x@y/-_-", "2"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/local/domain/1/x@y/-_-", "2");
}

static void test_paths_special_rejected_for_node_calls(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const special[] = {
        XS_INTRODUCE_DOMAIN_PATH, XS_RELEASE_DOMAIN_PATH, "@other",
    };
    static const unsigned int doms[] = { DOM0, GUEST };

    for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
        for (size_t d = 0; d < ARRAY_SIZE(doms); d++) {
            g_autofree char *v = NULL, *names = NULL;
            const char *p = special[i];

            g_test_message("%s as domain %u", p, doms[d]);
            g_assert_cmpint(xt_read(s, doms[d], XBT_NULL, p, &v), ==, EINVAL);
            g_assert_cmpint(xt_write(s, doms[d], XBT_NULL, p, "x"),
                            ==, EINVAL);
            g_assert_cmpint(xs_impl_mkdir(s, doms[d], XBT_NULL, p),
                            ==, EINVAL);
            g_assert_cmpint(xs_impl_rm(s, doms[d], XBT_NULL, p), ==, EINVAL);
            g_assert_cmpint(xt_dir(s, doms[d], XBT_NULL, p, &names, NULL),
                            ==, EINVAL);
        }
    }
}

static void test_paths_special_perms_calls(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *perms = NULL;

    /* Only the two special nodes exist for GET_PERMS / SET_PERMS. */
    assert_perms(s, DOM0, XBT_NULL, XS_INTRODUCE_DOMAIN_PATH, "n0");
    assert_perms(s, DOM0, XBT_NULL, XS_RELEASE_DOMAIN_PATH, "n0");
    g_assert_cmpint(xt_get_perms(s, DOM0, XBT_NULL, "@other", &perms),
                    ==, ENOENT);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "@other", "n0"),
                    ==, ENOENT);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, XS_RELEASE_DOMAIN_PATH,
                                 "n0,r1"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, XS_RELEASE_DOMAIN_PATH, "n0,r1");
    assert_perms(s, DOM0, XBT_NULL, XS_INTRODUCE_DOMAIN_PATH, "n0");
}

static void test_paths_special_watch_any_name(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_watch_ok(s, GUEST, "@anything", "t", r);
    g_assert_cmpint(xt_unwatch(s, GUEST, "@anything", "t", r), ==, 0);
    xt_watch_ok(s, DOM0, XS_INTRODUCE_DOMAIN_PATH, "t", r);
    /* A special name still obeys the byte rules. */
    g_assert_cmpint(xt_watch(s, DOM0, "@a b", "t", r), ==, EINVAL);
    g_assert_cmpint(xt_watch(s, DOM0, "@a.b", "t", r), ==, EINVAL);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

/* At most 2048 bytes after /local/domain/<N>/, whoever asks. */
static void test_paths_domain_relative_part_limit(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *at = xt_long_path("/local/domain/1/", 2048);
    g_autofree char *over = xt_long_path("/local/domain/1/", 2049);
    g_autofree char *other_at = xt_long_path("/local/domain/7/", 2048);
    g_autofree char *other_over = xt_long_path("/local/domain/7/", 2049);
    g_autofree char *first = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, at, "v"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, at, "v");
    assert_path_einval_everywhere(s, DOM0, over);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, other_at, "v"), ==, 0);
    assert_path_einval_everywhere(s, DOM0, other_over);

    /* The owner of the home, within its default quotas, too. */
    first = g_strndup(at, strlen("/local/domain/1/") + 60);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, first), ==, 0);
    g_assert_false(xt_exists(s, at));
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, at, "g"), ==, 0);
    assert_value(s, GUEST, XBT_NULL, at, "g");
    assert_path_einval_everywhere(s, GUEST, over);
}

/* A path outside /local/domain/<N>/ counts whole: at most 2048 bytes. */
static void test_paths_other_path_limit(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *at = xt_long_path("/", 2047);
    g_autofree char *over = xt_long_path("/", 2048);

    g_assert_cmpuint(strlen(at), ==, 2048);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, at, "v"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, at, "v");
    assert_path_einval_everywhere(s, DOM0, over);
}

/* A relative path is at most 2048 bytes. */
static void test_paths_relative_limit(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *at = xt_long_path("", 2048);
    g_autofree char *over = xt_long_path("", 2049);
    g_autofree char *abs_at = g_strconcat("/local/domain/1/", at, NULL);

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, at, "g"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, abs_at, "g");
    assert_path_einval_everywhere(s, GUEST, over);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, at, "d"), ==, 0);
    assert_path_einval_everywhere(s, DOM0, over);
}

/*
 * No absolute path is longer than 3072 bytes.  (Such a path always has a
 * relative part over 2048 as well, so both rules reject it.)
 */
static void test_paths_absolute_limit(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *at = xt_long_path("/local/domain/1/", 3072 - 16);
    g_autofree char *over = xt_long_path("/local/domain/1/", 3073 - 16);

    g_assert_cmpuint(strlen(at), ==, 3072);
    assert_path_einval_everywhere(s, DOM0, at);
    assert_path_einval_everywhere(s, DOM0, over);
    assert_path_einval_everywhere(s, GUEST, at);
    assert_path_einval_everywhere(s, GUEST, over);
}

static void test_paths_relative_resolved_against_home(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "dev/x", "1"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/local/domain/1/dev/x", "1");
    assert_value(s, GUEST, XBT_NULL, "dev/x", "1");
    assert_value(s, GUEST, XBT_NULL, "/local/domain/1/dev/x", "1");
    assert_dir(s, GUEST, XBT_NULL, "dev", "x");
    assert_perms(s, GUEST, XBT_NULL, "dev/x", "n1");
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "dev/x", "n1,r2"),
                    ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/local/domain/1/dev/x", "n1,r2");

    /* Another domain's relative path lands in its own home. */
    g_assert_cmpint(xt_read(s, OTHER, XBT_NULL, "dev/x", &v), ==, ENOENT);
    g_assert_cmpint(xs_impl_mkdir(s, OTHER, XBT_NULL, "dev"), ==, 0);
    g_assert_true(xt_exists(s, "/local/domain/2/dev"));

    /* Domain 0 has a home too. */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "zero", "0"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/local/domain/0/zero", "0");

    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "dev"), ==, 0);
    g_assert_false(xt_exists(s, "/local/domain/1/dev"));
}

static void test_paths_relative_watch_events_relative(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) rel = xt_rec_new();
    g_autoptr(XtRecorder) abs = xt_rec_new();

    xt_watch_ok(s, GUEST, "dev", "r", rel);
    xt_watch_ok(s, GUEST, "/local/domain/1/dev", "a", abs);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/local/domain/1/dev/x",
                             "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(rel), ==, "dev/x|r");
    g_assert_cmpstr(xt_rec_take(abs), ==, "/local/domain/1/dev/x|a");
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "dev", "2"), ==, 0);
    g_assert_cmpstr(xt_rec_take(rel), ==, "dev|r");
    g_assert_cmpstr(xt_rec_take(abs), ==, "/local/domain/1/dev|a");
}

/* ---- nodes ------------------------------------------------------------ */

static void test_nodes_write_read(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const uint8_t binary[] = { 0, 1, 0xff, 0, 'a', 0 };
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", "hello"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/n", "hello");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", "bye"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/n", "bye");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", ""), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/n", "");

    /* Values are bytes: NULs and high bytes survive. */
    g_assert_cmpint(xt_write_bytes(s, DOM0, XBT_NULL, "/n", binary,
                                   sizeof(binary)), ==, 0);
    g_assert_cmpint(xs_impl_read(s, DOM0, XBT_NULL, "/n", data), ==, 0);
    g_assert_cmpmem(data->data, data->len, binary, sizeof(binary));
}

static void test_nodes_read_appends(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", "value"), ==, 0);
    g_byte_array_append(data, (const guint8 *)"pre-", 4);
    g_assert_cmpint(xs_impl_read(s, DOM0, XBT_NULL, "/n", data), ==, 0);
    g_assert_cmpmem(data->data, data->len, "pre-value", 9);
}

/* The store copies the value: the caller may change or free its array. */
static void test_nodes_write_copies_data(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    GByteArray *data = g_byte_array_new();
    uint8_t big[3000];

    g_byte_array_append(data, (const guint8 *)"first", 5);
    g_assert_cmpint(xs_impl_write(s, DOM0, XBT_NULL, "/n", data), ==, 0);
    memset(data->data, 'X', data->len);
    assert_value(s, DOM0, XBT_NULL, "/n", "first");

    /* Growing the array moves its storage; freeing it ends it. */
    memset(big, 'b', sizeof(big));
    g_byte_array_append(data, big, sizeof(big));
    g_byte_array_free(data, TRUE);
    assert_value(s, DOM0, XBT_NULL, "/n", "first");
}

static void test_nodes_write_creates_intermediates(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/a/b/c", "v"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/a", "");
    assert_value(s, DOM0, XBT_NULL, "/a/b", "");
    assert_value(s, DOM0, XBT_NULL, "/a/b/c", "v");
    assert_dir(s, DOM0, XBT_NULL, "/a", "b");
    assert_dir(s, DOM0, XBT_NULL, "/a/b", "c");
}

static void test_nodes_missing_enoent(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *v = NULL, *names = NULL, *perms = NULL;
    static const char *const missing[] = { "/nope", "/nope/deeper" };

    for (size_t i = 0; i < ARRAY_SIZE(missing); i++) {
        const char *p = missing[i];

        g_assert_cmpint(xt_read(s, DOM0, XBT_NULL, p, &v), ==, ENOENT);
        g_assert_cmpint(xt_dir(s, DOM0, XBT_NULL, p, &names, NULL),
                        ==, ENOENT);
        g_assert_cmpint(xt_get_perms(s, DOM0, XBT_NULL, p, &perms),
                        ==, ENOENT);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, p, "n0"), ==, ENOENT);
    }
}

static void test_nodes_mkdir_new(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/m"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/m", "");
    assert_dir(s, DOM0, XBT_NULL, "/m", "");
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/p/q/r"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/p", "");
    assert_value(s, DOM0, XBT_NULL, "/p/q/r", "");
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "g/h"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/local/domain/1/g/h", "");
    assert_perms(s, DOM0, XBT_NULL, "/local/domain/1/g/h", "n1");
}

/* MKDIR of an existing node succeeds and changes nothing. */
static void test_nodes_mkdir_existing_unchanged(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    uint64_t gen;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/m/child", "c"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/m", "kept"), ==, 0);
    gen = xt_gencnt(s, "/m");
    xt_watch_ok(s, DOM0, "/m", "t", r);

    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/m"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/m", "kept");
    assert_dir(s, DOM0, XBT_NULL, "/m", "child");
    g_assert_cmpuint(xt_gencnt(s, "/m"), ==, gen);
    g_assert_cmpstr(xt_rec_take(r), ==, "");

    /* The same for the owner of a node inside its home. */
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "own", "mine"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "own"), ==, 0);
    assert_value(s, GUEST, XBT_NULL, "own", "mine");
}

static void test_nodes_rm_subtree(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/r/a/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/r/a/c/d", "2"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/r/e", "3"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/r/a"), ==, 0);
    g_assert_false(xt_exists(s, "/r/a"));
    g_assert_false(xt_exists(s, "/r/a/b"));
    g_assert_false(xt_exists(s, "/r/a/c/d"));
    assert_value(s, DOM0, XBT_NULL, "/r/e", "3");
    assert_dir(s, DOM0, XBT_NULL, "/r", "e");
    /* The name can be used again from scratch. */
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/r/a"), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/r/a", "");
}

static void test_nodes_rm_missing(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/r"), ==, 0);
    /* Parent exists: fine, as Xen does. */
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/r/none"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "none"), ==, 0);
    /* Parent missing too. */
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/r/none/deeper"),
                    ==, ENOENT);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "none/deeper"), ==, ENOENT);
    assert_dir(s, DOM0, XBT_NULL, "/r", "");
}

static void test_nodes_rm_root_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/"), ==, EINVAL);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "/"), ==, EINVAL);
    assert_dir(s, DOM0, XBT_NULL, "/", "local");
    g_assert_true(xt_exists(s, "/local/domain/1"));
}

static void test_nodes_directory_sorted(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const names[] = {
        "b", "a", "B", "_x", "10", "9", "a-1", "a0", "-z", "Z", "x@t",
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        g_autofree char *p = g_strconcat("/d/", names[i], NULL);

        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, p, ""), ==, 0);
    }
    assert_dir(s, DOM0, XBT_NULL, "/d", "-z,10,9,B,Z,_x,a,a-1,a0,b,x@t");
}

static void test_nodes_directory_leaf_empty(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    GList *items = (GList *)&items;   /* must be overwritten */
    uint64_t gen = 0;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/leaf", "value"), ==, 0);
    g_assert_cmpint(xs_impl_directory(s, DOM0, XBT_NULL, "/leaf", &gen,
                                      &items), ==, 0);
    g_assert_null(items);
    /* gencnt may be NULL. */
    g_assert_cmpint(xs_impl_directory(s, DOM0, XBT_NULL, "/local", NULL,
                                      &items), ==, 0);
    g_assert_cmpuint(g_list_length(items), ==, 1);
    g_assert_cmpstr(items->data, ==, "domain");
    g_list_free_full(items, g_free);
}

/* gencnt is the node's generation: it moves with every change of it. */
/* Collects names joined with ',' and stops after "stop_after" of them. */
typedef struct DirCollect {
    GString *names;
    int stop_after;
} DirCollect;

static bool dir_collect(void *opaque, const char *name)
{
    DirCollect *c = opaque;

    if (c->names->len) {
        g_string_append_c(c->names, ',');
    }
    g_string_append(c->names, name);
    return --c->stop_after != 0;
}

static void test_nodes_directory_foreach(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(GString) names = g_string_new(NULL);
    DirCollect c = { .names = names, .stop_after = -1 };
    g_autofree char *listed = NULL;
    uint64_t gen = 0, gen_list = 0;
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/c", "1"), ==, 0);

    /* The same names, in the same order, as the listing call. */
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, XBT_NULL, "/d", &gen,
                                              dir_collect, &c), ==, 0);
    g_assert_cmpint(xt_dir(s, DOM0, XBT_NULL, "/d", &listed, &gen_list),
                    ==, 0);
    g_assert_cmpstr(names->str, ==, listed);
    g_assert_cmpstr(names->str, ==, "a,b,c");
    g_assert_cmpuint(gen, ==, gen_list);

    /* Stopping early. */
    g_string_truncate(names, 0);
    c.stop_after = 2;
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, XBT_NULL, "/d", NULL,
                                              dir_collect, &c), ==, 0);
    g_assert_cmpstr(names->str, ==, "a,b");

    /* Inside a transaction: its own children merged in, removed ones out. */
    g_assert_cmpint(xs_impl_transaction_start(s, DOM0, &tx), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/d/bb", "1"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/d/a"), ==, 0);
    g_string_truncate(names, 0);
    c.stop_after = -1;
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, tx, "/d", NULL,
                                              dir_collect, &c), ==, 0);
    g_assert_cmpstr(names->str, ==, "b,bb,c");
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tx, false), ==, 0);

    /* Errors as for the listing call. */
    g_assert_cmpint(xs_impl_directory_foreach(s, GUEST, XBT_NULL, "/d", NULL,
                                              dir_collect, &c), ==, EACCES);
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, XBT_NULL, "/nope",
                                              NULL, dir_collect, &c),
                    ==, ENOENT);
}

static void test_nodes_directory_gencnt(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    uint64_t g0, g1, g2, g3, g4;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "1"), ==, 0);
    g0 = xt_gencnt(s, "/d");
    g_assert_cmpuint(xt_gencnt(s, "/d"), ==, g0);     /* reads leave it */

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "2"), ==, 0);
    g_assert_cmpuint(xt_gencnt(s, "/d"), ==, g0);     /* child's value */

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/b", "3"), ==, 0);
    g1 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g1, !=, g0);                     /* child added */

    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/d/a"), ==, 0);
    g2 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g2, !=, g1);                     /* child removed */
    g_assert_cmpuint(g2, !=, g0);

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d", "own"), ==, 0);
    g3 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g3, !=, g2);                     /* own value */

    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/d", "n0,r1"), ==, 0);
    g4 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g4, !=, g3);                     /* own perms */

    /* Re-adding the same name still gives a new generation. */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "1"), ==, 0);
    g_assert_cmpuint(xt_gencnt(s, "/d"), !=, g4);
    g_assert_cmpuint(xt_gencnt(s, "/d"), !=, g1);
}

/* ---- permissions (spec section 3) ------------------------------------ */

/* What dom may do on path: "rw", "r-", "-w" or "--" (read, write). */
static char *access_of(XenstoreImplState *s, unsigned int dom,
                       const char *path)
{
    g_autofree char *v = NULL, *old = NULL;
    int rerr, werr;

    g_assert_cmpint(xt_read(s, DOM0, XBT_NULL, path, &old), ==, 0);
    rerr = xt_read(s, dom, XBT_NULL, path, &v);
    werr = xt_write(s, dom, XBT_NULL, path, old);
    g_assert(rerr == 0 || rerr == EACCES);
    g_assert(werr == 0 || werr == EACCES);
    return g_strdup_printf("%c%c", rerr ? '-' : 'r', werr ? '-' : 'w');
}

#define assert_access(s, dom, path, expected)                           \
    do {                                                                \
        g_autofree char *a_ = access_of(s, dom, path);                  \
        g_assert_cmpstr(a_, ==, expected);                              \
    } while (0)

static void test_perms_privileged_full_access(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n5");
    assert_access(s, DOM0, "/p", "rw");
    assert_perms(s, DOM0, XBT_NULL, "/p", "n5");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n6,r5"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/p"), ==, 0);

    /* Privilege can be given to and taken from any domain. */
    xt_make(s, "/p", "v", "n5");
    g_assert_true(xs_impl_is_privileged(s, DOM0));
    g_assert_false(xs_impl_is_privileged(s, 7));
    assert_access(s, 7, "/p", "--");
    xs_impl_set_privileged(s, 7, true);
    g_assert_true(xs_impl_is_privileged(s, 7));
    assert_access(s, 7, "/p", "rw");
    g_assert_cmpint(xt_set_perms(s, 7, XBT_NULL, "/p", "n8"), ==, 0);
    xs_impl_set_privileged(s, 7, false);
    assert_access(s, 7, "/p", "--");
}

static void test_perms_owner_full_access(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *names = NULL;

    /* The owner's own letter does not limit it. */
    xt_make(s, "/p", "v", "n1");
    assert_access(s, GUEST, "/p", "rw");
    g_assert_cmpint(xt_dir(s, GUEST, XBT_NULL, "/p", &names, NULL), ==, 0);
    assert_perms(s, GUEST, XBT_NULL, "/p", "n1");
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "r1,n2"), ==, 0);
    assert_access(s, OTHER, "/p", "--");
    assert_access(s, THIRD, "/p", "r-");
    /* Naming the owner again later does not limit it either. */
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "b1,n1"), ==, 0);
    assert_access(s, GUEST, "/p", "rw");
}

static void test_perms_set_target_owner_rights(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/g", "v", "n1");
    xt_make(s, "/t", "v", "n3");
    assert_access(s, OTHER, "/g", "--");

    /* OTHER controls GUEST: owner rights on GUEST's nodes only. */
    g_assert_cmpint(xs_impl_set_target(s, OTHER, GUEST), ==, 0);
    assert_access(s, OTHER, "/g", "rw");
    assert_access(s, OTHER, "/t", "--");
    assert_access(s, GUEST, "/g", "rw");
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/g", "n1,r3"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/g", "n1,r3");
    /* Only privilege changes the owner, also for a controller. */
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/g", "n2"), ==, EPERM);
    /* The target does not get rights the other way round. */
    xt_make(s, "/o", "v", "n2");
    assert_access(s, GUEST, "/o", "--");

    g_assert_cmpint(xs_impl_set_target(s, OTHER, DOMID_INVALID), ==, 0);
    assert_access(s, OTHER, "/g", "--");
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/g", "n1"), ==, EACCES);
}

static void test_perms_first_later_entry_wins(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n1,r2,w2");
    assert_access(s, OTHER, "/p", "r-");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n1,w2,r2"), ==, 0);
    assert_access(s, OTHER, "/p", "-w");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n1,n2,b2"), ==, 0);
    assert_access(s, OTHER, "/p", "--");
    /* A later entry beats the default letter both ways. */
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "b1,n2"), ==, 0);
    assert_access(s, OTHER, "/p", "--");
    assert_access(s, THIRD, "/p", "rw");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n1,b2"), ==, 0);
    assert_access(s, OTHER, "/p", "rw");
    assert_access(s, THIRD, "/p", "--");
}

/* Entry 0's letter decides for every domain not named later. */
static void test_perms_default_letter(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const struct {
        const char *perms, *access;
    } cases[] = {
        { "n1", "--" }, { "r1", "r-" }, { "w1", "-w" }, { "b1", "rw" },
        { "n1,r2", "--" }, { "r1,w2", "r-" }, { "w1,n2", "-w" },
        { "b1,r2", "rw" },
    };

    xt_make(s, "/p", "v", "n1");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_test_message("perms %s", cases[i].perms);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p",
                                     cases[i].perms), ==, 0);
        assert_access(s, THIRD, "/p", cases[i].access);
    }
}

/* The four letters as a later entry naming the caller. */
static void test_perms_letters(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const struct {
        const char *perms, *access;
    } cases[] = {
        { "b1,n2", "--" }, { "n1,r2", "r-" }, { "n1,w2", "-w" },
        { "n1,b2", "rw" },
    };

    xt_make(s, "/p", "v", "n1");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_test_message("perms %s", cases[i].perms);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p",
                                     cases[i].perms), ==, 0);
        assert_access(s, OTHER, "/p", cases[i].access);
    }
}

/* READ, DIRECTORY and GET_PERMS all need r; r alone allows them. */
static void test_perms_read_calls_need_read(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *names = NULL, *perms = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/p/c", "v"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n0,w2"), ==, 0);
    g_assert_cmpint(xt_dir(s, OTHER, XBT_NULL, "/p", &names, NULL),
                    ==, EACCES);
    g_assert_cmpint(xt_get_perms(s, OTHER, XBT_NULL, "/p", &perms),
                    ==, EACCES);

    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n0,r2"), ==, 0);
    assert_dir(s, OTHER, XBT_NULL, "/p", "c");
    assert_perms(s, OTHER, XBT_NULL, "/p", "n0,r2");
}

/* Creating needs w on the nearest existing ancestor only. */
static void test_perms_create_needs_write_on_ancestor(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/c", "", "n0,w2");
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, "/c/x/y", "v"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, OTHER, XBT_NULL, "/c/m/n"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/c/x/y", "v");
    assert_value(s, DOM0, XBT_NULL, "/c/m/n", "");

    /* An existing child that OTHER may only read stops it. */
    xt_make(s, "/c/ro", "", "n0,r2");
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, "/c/ro/z", "v"), ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, OTHER, XBT_NULL, "/c/ro/z/w"),
                    ==, EACCES);
    g_assert_false(xt_exists(s, "/c/ro/z"));
    /* No w at all on the ancestor. */
    g_assert_cmpint(xt_write(s, THIRD, XBT_NULL, "/c/t", "v"), ==, EACCES);
    g_assert_false(xt_exists(s, "/c/t"));
}

/* A new node copies its parent's list; an unprivileged creator owns it. */
static void test_perms_new_node_inherits_parent(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/i", "", "n1,r2,w3");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/i/by0", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/by0", "n1,r2,w3");
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "/i/by1", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/by1", "n1,r2,w3");
    g_assert_cmpint(xt_write(s, THIRD, XBT_NULL, "/i/by3/deep", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/by3", "n3,r2,w3");
    assert_perms(s, DOM0, XBT_NULL, "/i/by3/deep", "n3,r2,w3");
    g_assert_cmpint(xs_impl_mkdir(s, THIRD, XBT_NULL, "/i/m3"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/m3", "n3,r2,w3");

    /* The owner's letter is kept. */
    xt_make(s, "/k", "", "r1,w3");
    g_assert_cmpint(xt_write(s, THIRD, XBT_NULL, "/k/x", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/k/x", "r3,w3");
    assert_access(s, OTHER, "/k/x", "r-");
}

/* MKDIR needs w on the node even when it exists and changes nothing. */
static void test_perms_mkdir_existing_needs_write(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_make(s, "/p", "kept", "n0,r2,w3");
    xt_watch_ok(s, DOM0, "/p", "t", r);
    g_assert_cmpint(xs_impl_mkdir(s, OTHER, XBT_NULL, "/p"), ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, THIRD, XBT_NULL, "/p"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/p", "kept");
    assert_perms(s, DOM0, XBT_NULL, "/p", "n0,r2,w3");
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

static void test_perms_rm_needs_write(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "", "n0,w2");
    xt_make(s, "/p/ro", "v", "n0,r2");
    g_assert_cmpint(xs_impl_rm(s, OTHER, XBT_NULL, "/p/ro"), ==, EACCES);
    g_assert_true(xt_exists(s, "/p/ro"));
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p/ro", "n0,w2"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, OTHER, XBT_NULL, "/p/ro"), ==, 0);
    g_assert_false(xt_exists(s, "/p/ro"));
    g_assert_cmpint(xs_impl_rm(s, THIRD, XBT_NULL, "/p"), ==, EACCES);
    g_assert_true(xt_exists(s, "/p"));
}

/* A missing node under an unreadable one answers EACCES, not ENOENT. */
static void test_perms_no_existence_leak(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const hidden[] = {
        "/secret", "/secret/real", "/secret/none", "/secret/none/deeper",
    };
    static const char *const visible[] = {
        "/pub/none", "/pub/none/deeper",
    };

    xt_make(s, "/secret", "", "n0");
    xt_make(s, "/secret/real", "v", "n0");
    xt_make(s, "/pub", "", "r0");

    for (size_t i = 0; i < ARRAY_SIZE(hidden); i++) {
        g_autofree char *v = NULL, *names = NULL, *perms = NULL;
        const char *p = hidden[i];

        g_test_message("%s", p);
        g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, p, &v), ==, EACCES);
        g_assert_cmpint(xt_dir(s, GUEST, XBT_NULL, p, &names, NULL),
                        ==, EACCES);
        g_assert_cmpint(xt_get_perms(s, GUEST, XBT_NULL, p, &perms),
                        ==, EACCES);
        g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, p, "x"), ==, EACCES);
        g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, p), ==, EACCES);
    }
    for (size_t i = 0; i < ARRAY_SIZE(visible); i++) {
        g_autofree char *v = NULL, *names = NULL, *perms = NULL;
        const char *p = visible[i];

        g_test_message("%s", p);
        g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, p, &v), ==, ENOENT);
        g_assert_cmpint(xt_dir(s, GUEST, XBT_NULL, p, &names, NULL),
                        ==, ENOENT);
        g_assert_cmpint(xt_get_perms(s, GUEST, XBT_NULL, p, &perms),
                        ==, ENOENT);
    }
    /* rm of a missing node under a readable existing parent is fine. */
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "/pub/none"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "/pub/none/deeper"),
                    ==, ENOENT);
}

static void test_perms_top_nodes_protected(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const top[] = { "/", "/local", "/local/domain" };

    for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
        g_test_message("%s", top[i]);
        g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, top[i], "x"), ==, EACCES);
        g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, top[i], "b1"),
                        ==, EACCES);
        if (strcmp(top[i], "/") != 0) {
            g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, top[i]),
                            ==, EACCES);
        }
        assert_value(s, DOM0, XBT_NULL, top[i], "");
        assert_perms(s, DOM0, XBT_NULL, top[i], "n0");
    }
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "/local/domain/9", "x"),
                    ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "/local/x"), ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "/local"), ==, EACCES);
    assert_dir(s, DOM0, XBT_NULL, "/local", "domain");
    assert_dir(s, DOM0, XBT_NULL, "/local/domain", "1,2,3");
}

static void test_perms_set_perms_owner(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "n", "v"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "n", "r1,w2,b3"), ==, 0);
    assert_perms(s, GUEST, XBT_NULL, "n", "r1,w2,b3");
    assert_access(s, OTHER, "/local/domain/1/n", "-w");
}

static void test_perms_set_perms_non_owner_eacces(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    /* Even full access is not ownership. */
    xt_make(s, "/p", "v", "n1,b2");
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/p", "n1,b2,b3"),
                    ==, EACCES);
    g_assert_cmpint(xt_set_perms(s, THIRD, XBT_NULL, "/p", "n1,b3"),
                    ==, EACCES);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1,b2");
}

static void test_perms_set_perms_owner_change_eperm(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n1");
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "n2"), ==, EPERM);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "b2,r1"),
                    ==, EPERM);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n2"), ==, 0);
    assert_access(s, GUEST, "/p", "--");
    assert_access(s, OTHER, "/p", "rw");
}

static void test_perms_set_perms_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const bad[] = {
        "", "x1", "R1", "r", "1", "rr1", "r1x", "r 1", "r-1", "r0x1",
        "n1,", "n1,q2", "n1,r", ",n1",
    };

    xt_make(s, "/p", "v", "n1");
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_test_message("perms \"%s\"", bad[i]);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", bad[i]),
                        ==, EINVAL);
        g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", bad[i]),
                        ==, EINVAL);
    }
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1");
}

/* At most "permissions" (5) entries for unprivileged callers. */
static void test_perms_set_perms_quota_enospc(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n1");
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p",
                                 "n1,r2,r3,r4,r5"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p",
                                 "n1,r2,r3,r4,r5,r6"), ==, ENOSPC);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1,r2,r3,r4,r5");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p",
                                 "n1,r2,r3,r4,r5,r6,r7"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1,r2,r3,r4,r5,r6,r7");
}

static void test_perms_special_nodes(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *perms = NULL;

    /* Default "n0": guests may neither read nor change them. */
    g_assert_cmpint(xt_get_perms(s, GUEST, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, &perms),
                    ==, EACCES);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, "n1"), ==, EACCES);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, "n0,r1"), ==, 0);
    assert_perms(s, GUEST, XBT_NULL, XS_INTRODUCE_DOMAIN_PATH, "n0,r1");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, ""), ==, EINVAL);
}

/* ---- domain calls naming a privileged domain ---------------------- */

/* Another privileged domain besides domain 0, for the tests below. */
#define PRIV 7

/* A domain that is introduced, then made privileged. */
static void make_priv_introduced(XenstoreImplState *s)
{
    g_assert_cmpint(xs_impl_introduce_domain(s, PRIV), ==, 0);
    xs_impl_set_privileged(s, PRIV, true);
}

static xs_transaction_t tx_begin(XenstoreImplState *s, unsigned int dom)
{
    xs_transaction_t tx = XBT_NULL;

    g_assert_cmpint(xs_impl_transaction_start(s, dom, &tx), ==, 0);
    g_assert_cmpuint(tx, !=, XBT_NULL);
    return tx;
}

/* INTRODUCE of domain 0 or a privileged domain: EINVAL, no event. */
static void test_domains_introduce_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) intro = xt_rec_new();

    xt_watch_ok(s, DOM0, XS_INTRODUCE_DOMAIN_PATH, "i", intro);
    g_assert_cmpint(xs_impl_introduce_domain(s, DOM0), ==, EINVAL);
    g_assert_false(xs_impl_is_domain_introduced(s, DOM0));
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_introduce_domain(s, PRIV), ==, EINVAL);
    g_assert_false(xs_impl_is_domain_introduced(s, PRIV));
    /* Domain 0 stays refused even when configured unprivileged. */
    xs_impl_set_privileged(s, DOM0, false);
    g_assert_cmpint(xs_impl_introduce_domain(s, DOM0), ==, EINVAL);
    g_assert_false(xs_impl_is_domain_introduced(s, DOM0));
    g_assert_cmpstr(xt_rec_take(intro), ==, "");
    /* A guest is introduced as before. */
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    g_assert_cmpstr(xt_rec_take(intro), ==, "@introduceDomain|i");
}

/*
 * RELEASE of domain 0 or a privileged domain: EINVAL, and every
 * connection of that domain keeps its watches and transactions.
 */
static void test_domains_release_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();
    g_autoptr(XtRecorder) p = xt_rec_new();
    g_autoptr(XtRecorder) rel = xt_rec_new();
    xs_transaction_t ta, tb, tp;

    xt_make(s, "/w", "", "r0");
    make_priv_introduced(s);
    xt_watch_ok(s, DOM0, "/w", "a", a);
    xt_watch_ok(s, DOM0, "/w", "b", b);
    xt_watch_ok(s, PRIV, "/w", "p", p);
    xt_watch_ok(s, DOM0, XS_RELEASE_DOMAIN_PATH, "r", rel);
    ta = tx_begin(s, DOM0);
    tb = tx_begin(s, DOM0);
    tp = tx_begin(s, PRIV);

    g_assert_cmpint(xs_impl_release_domain(s, DOM0), ==, EINVAL);
    g_assert_cmpint(xs_impl_release_domain(s, PRIV), ==, EINVAL);
    g_assert_true(xs_impl_is_domain_introduced(s, PRIV));
    g_assert_cmpstr(xt_rec_take(rel), ==, "");

    /*
     * Nothing was dropped: the watches fire, the transactions commit.
     * (A new child of /w leaves their dependency on /w intact.)
     */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/o", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(a), ==, "/w/o|a");
    g_assert_cmpstr(xt_rec_take(b), ==, "/w/o|b");
    g_assert_cmpstr(xt_rec_take(p), ==, "/w/o|p");
    g_assert_cmpint(xt_write(s, DOM0, ta, "/w/a", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tb, "/w/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, PRIV, tp, "/w/p", "1"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, ta, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tb, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, PRIV, tp, true), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/w", "a,b,o,p");
}

/* RESUME of domain 0 or a privileged domain: EINVAL. */
static void test_domains_resume_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_resume_domain(s, GUEST), ==, ENOENT);
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    g_assert_cmpint(xs_impl_resume_domain(s, GUEST), ==, 0);
    g_assert_cmpint(xs_impl_resume_domain(s, DOM0), ==, EINVAL);
    make_priv_introduced(s);
    g_assert_cmpint(xs_impl_resume_domain(s, PRIV), ==, EINVAL);
    g_assert_true(xs_impl_is_domain_introduced(s, PRIV));
}

/* SET_TARGET naming a privileged domain, either side: EINVAL. */
static void test_domains_set_target_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *v = NULL;

    xt_make(s, "/g", "v", "n1");
    xt_make(s, "/z", "v", "n0");
    xt_make(s, "/p", "v", "n7");
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_set_target(s, OTHER, GUEST), ==, 0);

    g_assert_cmpint(xs_impl_set_target(s, DOM0, GUEST), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, DOM0, DOMID_INVALID), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, GUEST, DOM0), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, PRIV, GUEST), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, OTHER, PRIV), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, OTHER, DOM0), ==, EINVAL);

    /* Nothing changed: OTHER still controls GUEST, nobody else more. */
    g_assert_cmpint(xt_read(s, OTHER, XBT_NULL, "/g", &v), ==, 0);
    g_clear_pointer(&v, g_free);
    g_assert_cmpint(xt_read(s, OTHER, XBT_NULL, "/p", &v), ==, EACCES);
    g_assert_cmpint(xt_read(s, OTHER, XBT_NULL, "/z", &v), ==, EACCES);
    g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, "/z", &v), ==, EACCES);
    xs_impl_set_privileged(s, PRIV, false);
    g_assert_cmpint(xt_read(s, PRIV, XBT_NULL, "/g", &v), ==, EACCES);
}

/*
 * SET_QUOTA for domain 0 or a privileged domain: EINVAL, nothing set.
 * The defaults (no domid) may still be set, and quotas read.
 */
static void test_domains_set_quota_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    unsigned int def_nodes = xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                               XS_QUOTA_NODES);
    unsigned int def_path = xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                              XS_QUOTA_PATH_MAX);

    g_assert_cmpint(xs_impl_set_quota(s, DOM0, XS_QUOTA_NODES, 1), ==,
                    EINVAL);
    g_assert_cmpint(xs_impl_set_quota(s, DOM0, XS_QUOTA_PATH_MAX, 8), ==,
                    EINVAL);
    g_assert_cmpuint(xs_impl_get_quota(s, DOM0, XS_QUOTA_NODES), ==,
                     def_nodes);
    g_assert_cmpuint(xs_impl_get_quota(s, DOM0, XS_QUOTA_PATH_MAX), ==,
                     def_path);
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_set_quota(s, PRIV, XS_QUOTA_WATCHES, 1), ==,
                    EINVAL);
    xs_impl_set_privileged(s, PRIV, false);
    g_assert_cmpuint(xs_impl_get_quota(s, PRIV, XS_QUOTA_WATCHES), ==,
                     xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_WATCHES));

    /* The defaults and a guest's own value are set as before. */
    g_assert_cmpint(xs_impl_set_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                      XS_QUOTA_NODES, def_nodes + 1), ==, 0);
    g_assert_cmpuint(xs_impl_get_quota(s, GUEST, XS_QUOTA_NODES), ==,
                     def_nodes + 1);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, 5), ==, 0);
    g_assert_cmpuint(xs_impl_get_quota(s, GUEST, XS_QUOTA_NODES), ==, 5);
}

/* SET_FEATURE for domain 0 or a privileged domain: EINVAL, nothing set. */
static void test_domains_set_features_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_set_features(s, DOM0, 1), ==, EINVAL);
    g_assert_cmpuint(xs_impl_get_features(s, DOM0), ==,
                     XS_IMPL_DEFAULT_FEATURES);
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_set_features(s, PRIV, 1), ==, EINVAL);
    g_assert_cmpuint(xs_impl_get_features(s, PRIV), ==,
                     XS_IMPL_DEFAULT_FEATURES);
    g_assert_cmpint(xs_impl_set_features(s, GUEST, 1), ==, 0);
    g_assert_cmpuint(xs_impl_get_features(s, GUEST), ==, 1);
}

/*
 * Releasing guest domain 1 ends domain 1's watches and transactions
 * only: two connections of domain 0 (and another guest) keep theirs, and
 * they still work.
 */
static void test_domains_release_keeps_others(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) g = xt_rec_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();
    g_autoptr(XtRecorder) o = xt_rec_new();
    xs_transaction_t tg, ta, tb, to;

    xt_make(s, "/w", "", "r0");
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    xt_watch_ok(s, GUEST, "/w", "g", g);
    xt_watch_ok(s, DOM0, "/w", "a", a);
    xt_watch_ok(s, DOM0, "/w", "b", b);
    xt_watch_ok(s, OTHER, "/w", "o", o);
    tg = tx_begin(s, GUEST);
    ta = tx_begin(s, DOM0);
    tb = tx_begin(s, DOM0);
    to = tx_begin(s, OTHER);
    g_assert_cmpint(xt_write(s, GUEST, tg, "x", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, ta, "/w/a", "1"), ==, 0);

    g_assert_cmpint(xs_impl_release_domain(s, GUEST), ==, 0);

    /* Domain 1's are gone. */
    g_assert_cmpint(xs_impl_transaction_end(s, GUEST, tg, true), ==,
                    ENOENT);
    g_assert_false(xt_exists(s, "/local/domain/1/x"));
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w", "g", g), ==, ENOENT);
    /* Everyone else's fire and commit (a new child leaves /w intact). */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/n", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "");
    g_assert_cmpstr(xt_rec_take(a), ==, "/w/n|a");
    g_assert_cmpstr(xt_rec_take(b), ==, "/w/n|b");
    g_assert_cmpstr(xt_rec_take(o), ==, "/w/n|o");
    g_assert_cmpint(xt_write(s, DOM0, tb, "/w/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, OTHER, to, "/local/domain/2/o", "1"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, ta, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tb, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, OTHER, to, true), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/w", "a,b,n");
    g_assert_true(xt_exists(s, "/local/domain/2/o"));
    g_assert_cmpint(xt_unwatch(s, DOM0, "/w", "a", a), ==, 0);
    g_assert_cmpint(xt_unwatch(s, DOM0, "/w", "b", b), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/xs-node/store/default-nodes", test_store_default_nodes);
    g_test_add_func("/xs-node/store/default-nodes-closed-to-guests",
                    test_store_default_nodes_closed_to_guests);
    g_test_add_func("/xs-node/store/perm-as-string",
                    test_store_perm_as_string);

    g_test_add_func("/xs-node/paths/empty-rejected",
                    test_paths_empty_rejected);
    g_test_add_func("/xs-node/paths/double-slash-rejected",
                    test_paths_double_slash_rejected);
    g_test_add_func("/xs-node/paths/trailing-slash-rejected",
                    test_paths_trailing_slash_rejected);
    g_test_add_func("/xs-node/paths/bad-bytes-rejected",
                    test_paths_bad_bytes_rejected);
    g_test_add_func("/xs-node/paths/allowed-bytes-accepted",
                    test_paths_allowed_bytes_accepted);
    g_test_add_func("/xs-node/paths/special-rejected-for-node-calls",
                    test_paths_special_rejected_for_node_calls);
    g_test_add_func("/xs-node/paths/special-perms-calls",
                    test_paths_special_perms_calls);
    g_test_add_func("/xs-node/paths/special-watch-any-name",
                    test_paths_special_watch_any_name);
    g_test_add_func("/xs-node/paths/domain-relative-part-limit",
                    test_paths_domain_relative_part_limit);
    g_test_add_func("/xs-node/paths/other-path-limit",
                    test_paths_other_path_limit);
    g_test_add_func("/xs-node/paths/relative-limit",
                    test_paths_relative_limit);
    g_test_add_func("/xs-node/paths/absolute-limit",
                    test_paths_absolute_limit);
    g_test_add_func("/xs-node/paths/relative-resolved-against-home",
                    test_paths_relative_resolved_against_home);
    g_test_add_func("/xs-node/paths/relative-watch-events-relative",
                    test_paths_relative_watch_events_relative);

    g_test_add_func("/xs-node/nodes/write-read", test_nodes_write_read);
    g_test_add_func("/xs-node/nodes/read-appends", test_nodes_read_appends);
    g_test_add_func("/xs-node/nodes/write-copies-data",
                    test_nodes_write_copies_data);
    g_test_add_func("/xs-node/nodes/write-creates-intermediates",
                    test_nodes_write_creates_intermediates);
    g_test_add_func("/xs-node/nodes/missing-enoent",
                    test_nodes_missing_enoent);
    g_test_add_func("/xs-node/nodes/mkdir-new", test_nodes_mkdir_new);
    g_test_add_func("/xs-node/nodes/mkdir-existing-unchanged",
                    test_nodes_mkdir_existing_unchanged);
    g_test_add_func("/xs-node/nodes/rm-subtree", test_nodes_rm_subtree);
    g_test_add_func("/xs-node/nodes/rm-missing", test_nodes_rm_missing);
    g_test_add_func("/xs-node/nodes/rm-root-einval",
                    test_nodes_rm_root_einval);
    g_test_add_func("/xs-node/nodes/directory-sorted",
                    test_nodes_directory_sorted);
    g_test_add_func("/xs-node/nodes/directory-leaf-empty",
                    test_nodes_directory_leaf_empty);
    g_test_add_func("/xs-node/nodes/directory-foreach",
                    test_nodes_directory_foreach);
    g_test_add_func("/xs-node/nodes/directory-gencnt",
                    test_nodes_directory_gencnt);

    g_test_add_func("/xs-node/perms/privileged-full-access",
                    test_perms_privileged_full_access);
    g_test_add_func("/xs-node/perms/owner-full-access",
                    test_perms_owner_full_access);
    g_test_add_func("/xs-node/perms/set-target-owner-rights",
                    test_perms_set_target_owner_rights);
    g_test_add_func("/xs-node/perms/first-later-entry-wins",
                    test_perms_first_later_entry_wins);
    g_test_add_func("/xs-node/perms/default-letter",
                    test_perms_default_letter);
    g_test_add_func("/xs-node/perms/letters", test_perms_letters);
    g_test_add_func("/xs-node/perms/read-calls-need-read",
                    test_perms_read_calls_need_read);
    g_test_add_func("/xs-node/perms/create-needs-write-on-ancestor",
                    test_perms_create_needs_write_on_ancestor);
    g_test_add_func("/xs-node/perms/new-node-inherits-parent",
                    test_perms_new_node_inherits_parent);
    g_test_add_func("/xs-node/perms/mkdir-existing-needs-write",
                    test_perms_mkdir_existing_needs_write);
    g_test_add_func("/xs-node/perms/rm-needs-write",
                    test_perms_rm_needs_write);
    g_test_add_func("/xs-node/perms/no-existence-leak",
                    test_perms_no_existence_leak);
    g_test_add_func("/xs-node/perms/top-nodes-protected",
                    test_perms_top_nodes_protected);
    g_test_add_func("/xs-node/perms/set-perms-owner",
                    test_perms_set_perms_owner);
    g_test_add_func("/xs-node/perms/set-perms-non-owner-eacces",
                    test_perms_set_perms_non_owner_eacces);
    g_test_add_func("/xs-node/perms/set-perms-owner-change-eperm",
                    test_perms_set_perms_owner_change_eperm);
    g_test_add_func("/xs-node/perms/set-perms-einval",
                    test_perms_set_perms_einval);
    g_test_add_func("/xs-node/perms/set-perms-quota-enospc",
                    test_perms_set_perms_quota_enospc);
    g_test_add_func("/xs-node/perms/special-nodes", test_perms_special_nodes);

    g_test_add_func("/xs-node/domains/introduce-privileged-einval",
                    test_domains_introduce_privileged_einval);
    g_test_add_func("/xs-node/domains/release-privileged-einval",
                    test_domains_release_privileged_einval);
    g_test_add_func("/xs-node/domains/resume-privileged-einval",
                    test_domains_resume_privileged_einval);
    g_test_add_func("/xs-node/domains/set-target-privileged-einval",
                    test_domains_set_target_privileged_einval);
    g_test_add_func("/xs-node/domains/set-quota-privileged-einval",
                    test_domains_set_quota_privileged_einval);
    g_test_add_func("/xs-node/domains/set-features-privileged-einval",
                    test_domains_set_features_privileged_einval);
    g_test_add_func("/xs-node/domains/release-keeps-others",
                    test_domains_release_keeps_others);

    return g_test_run();
}
