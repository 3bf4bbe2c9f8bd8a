/*
 * The text requests of XenStore: CONTROL commands and the quota names
 * and values of GET_QUOTA / SET_QUOTA.  The codec splits the payload and
 * frames the reply; this file gives the strings their meaning.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_control.h"
#include "trace.h"

bool xs_parse_u32(const char *s, unsigned int *val)
{
    return qemu_strtoui(s, NULL, 10, val) == 0;
}

bool xs_parse_domid(const char *s, unsigned int *domid)
{
    return xs_parse_u32(s, domid) && *domid < DOMID_FIRST_RESERVED;
}

/* @s and its NUL. */
static void put_string(GByteArray *out, const char *s)
{
    g_byte_array_append(out, (const guint8 *)s, strlen(s) + 1);
}

static int parse_quota(const char *name, XsQuota *q)
{
    int v = xs_quota_from_name(name);

    if (v < 0 || v >= XS_QUOTA__MAX) {
        return EINVAL;
    }
    *q = v;
    return 0;
}

int xs_control_get_quota(XenstoreImplState *store, unsigned int caller,
                         const char *const *argv, int argc,
                         GByteArray *out)
{
    unsigned int domid = XS_QUOTA_DEFAULT_DOMID;
    g_autofree char *value = NULL;
    const char *name;
    XsQuota q;

    if (argc > 2) {
        return EINVAL;
    }
    if (argc == 0) {
        trace_xenstore_get_quota(domid, "");
        for (q = 0; q < XS_QUOTA__MAX; q++) {
            put_string(out, xs_quota_name(q));
        }
        return 0;
    }
    if (argc == 2 && !xs_parse_domid(argv[0], &domid)) {
        return EINVAL;
    }
    name = argv[argc - 1];
    if (parse_quota(name, &q)) {
        return EINVAL;
    }
    if (argc == 2 && domid != caller &&
        !xs_impl_is_privileged(store, caller)) {
        return EACCES;
    }
    trace_xenstore_get_quota(domid, name);
    value = g_strdup_printf("%u", xs_impl_get_quota(store, domid, q));
    put_string(out, value);
    return 0;
}

int xs_control_set_quota(XenstoreImplState *store, const char *const *argv,
                         int argc)
{
    unsigned int domid = XS_QUOTA_DEFAULT_DOMID;
    unsigned int value;
    XsQuota q;

    if (argc != 2 && argc != 3) {
        return EINVAL;
    }
    if ((argc == 3 && !xs_parse_domid(argv[0], &domid)) ||
        parse_quota(argv[argc - 2], &q) ||
        !xs_parse_u32(argv[argc - 1], &value)) {
        return EINVAL;
    }
    trace_xenstore_wire_set_quota(domid, argv[argc - 2], value);
    return xs_impl_set_quota(store, domid, q, value);
}

/* --- CONTROL --- */

static const char *const xs_control_commands[] = { "help", "quota" };

/* One "name value" line per quota of @domid (or the defaults). */
static void quota_lines(XenstoreImplState *store, GString *text,
                        unsigned int domid)
{
    for (XsQuota q = 0; q < XS_QUOTA__MAX; q++) {
        g_string_append_printf(text, "%s %u\n", xs_quota_name(q),
                               xs_impl_get_quota(store, domid, q));
    }
}

/* "quota" with @argc - 1 arguments, the text of its reply in @text. */
static int control_quota(XenstoreImplState *store, const char *const *argv,
                         int argc, GString *text)
{
    unsigned int domid, value;
    XsQuota q;
    int err;

    switch (argc) {
    case 1:
        quota_lines(store, text, XS_QUOTA_DEFAULT_DOMID);
        return 0;
    case 2:
        if (!xs_parse_domid(argv[1], &domid)) {
            return EINVAL;
        }
        quota_lines(store, text, domid);
        g_string_append_printf(text, "nodes-owned %u\n",
                               xs_impl_domain_nodes(store, domid));
        return 0;
    case 3:
        if (parse_quota(argv[1], &q) || !xs_parse_u32(argv[2], &value)) {
            return EINVAL;
        }
        err = xs_impl_set_quota(store, XS_QUOTA_DEFAULT_DOMID, q, value);
        if (!err) {
            g_string_append(text, "OK");
        }
        return err;
    default:
        return EINVAL;
    }
}

int xs_control_run(XenstoreImplState *store, const char *const *argv,
                   int argc, GByteArray *out)
{
    g_autoptr(GString) text = g_string_new(NULL);
    int err = 0;

    if (argc < 1) {
        return EINVAL;
    }
    trace_xenstore_control(argv[0]);
    if (!strcmp(argv[0], "help") && argc == 1) {
        for (size_t i = 0; i < ARRAY_SIZE(xs_control_commands); i++) {
            g_string_append_printf(text, "%s\n", xs_control_commands[i]);
        }
    } else if (!strcmp(argv[0], "quota")) {
        err = control_quota(store, argv, argc, text);
    } else {
        err = EINVAL;
    }
    if (!err) {
        put_string(out, text->str);
    }
    return err;
}
