/*
 * Tests of the XenStore database: the path rules (spec section 2),
 * what is a valid path, the length limits, relative paths and specials.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
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
    return g_test_run();
}
