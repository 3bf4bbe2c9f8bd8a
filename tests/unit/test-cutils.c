/*
 * Tests of the strict number parsing in util/cutils.c, which guards every
 * number that comes from a guest, a client or the command line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"

static void test_strtoui_whole_string(void)
{
    unsigned int v = 7;

    g_assert_cmpint(qemu_strtoui("0", NULL, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(qemu_strtoui("4294967295", NULL, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 4294967295u);
    g_assert_cmpint(qemu_strtoui("4294967296", NULL, 10, &v), ==, -ERANGE);
    g_assert_cmpint(qemu_strtoui("99999999999999999999999", NULL, 10, &v),
                    ==, -ERANGE);
}

static void test_strtoui_rejects_junk(void)
{
    unsigned int v = 7;
    static const char *const bad[] = {
        "", " 1", "1 ", "+1", "-1", "1x", "x1", "0x10", "1.0", "\t2",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_cmpint(qemu_strtoui(bad[i], NULL, 10, &v), ==, -EINVAL);
    }
    g_assert_cmpuint(v, ==, 7);
}

static void test_strtoui_endptr(void)
{
    unsigned int v;
    const char *end;

    g_assert_cmpint(qemu_strtoui("12/34", &end, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 12);
    g_assert_cmpstr(end, ==, "/34");
    g_assert_cmpint(qemu_strtoui("/34", &end, 10, &v), ==, -EINVAL);
}

static void test_strtou64_hex(void)
{
    uint64_t v;

    g_assert_cmpint(qemu_strtou64("0xfeff9", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 0xfeff9);
    g_assert_cmpint(qemu_strtou64("ffffffffffffffff", NULL, 16, &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    g_assert_cmpint(qemu_strtou64("10000000000000000", NULL, 16, &v), ==,
                    -ERANGE);
    g_assert_cmpint(qemu_strtou64("0x", NULL, 0, &v), ==, -EINVAL);
}

static void test_strtoi_signed(void)
{
    int v;

    g_assert_cmpint(qemu_strtoi("-1", NULL, 10, &v), ==, 0);
    g_assert_cmpint(v, ==, -1);
    g_assert_cmpint(qemu_strtoi("-2147483648", NULL, 10, &v), ==, 0);
    g_assert_cmpint(v, ==, INT_MIN);
    g_assert_cmpint(qemu_strtoi("2147483648", NULL, 10, &v), ==, -ERANGE);
    g_assert_cmpint(qemu_strtoi("--1", NULL, 10, &v), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/strtoui/whole-string", test_strtoui_whole_string);
    g_test_add_func("/cutils/strtoui/rejects-junk", test_strtoui_rejects_junk);
    g_test_add_func("/cutils/strtoui/endptr", test_strtoui_endptr);
    g_test_add_func("/cutils/strtou64/hex", test_strtou64_hex);
    g_test_add_func("/cutils/strtoi/signed", test_strtoi_signed);
    return g_test_run();
}
