/*
 * XenStore error names for tests: thin checks over the codec's table,
 * so that no test keeps a copy of it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/xenstore_wire.h"
#include "xs-errors.h"

bool xt_errno_known(int err)
{
    /* Outside the table, xs_error_name() answers "EIO", not err's name. */
    return err == 0 || xs_error_from_name(xs_error_name(err)) == err;
}

const char *xt_errname(int err)
{
    if (err == 0) {
        return "OK";
    }
    return xt_errno_known(err) ? xs_error_name(err) : "(unknown errno)";
}

int xt_error_payload_errno(const void *payload, size_t len)
{
    const char *name = payload;

    if (!len || memchr(name, '\0', len) != name + len - 1) {
        return 0;
    }
    return xs_error_from_name(name);
}
