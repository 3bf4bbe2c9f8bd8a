/*
 * Error objects for set-up paths and messages to the user: the small part
 * of QEMU's error API that this project uses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/error.h"

struct Error {
    char *msg;
};

/* Sentinels: their addresses are what callers pass as errp. */
Error *error_abort;
Error *error_fatal;

static void error_setv(Error **errp, const char *suffix, const char *fmt,
                       va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    Error *err;

    if (!errp) {
        return;
    }
    if (errp == &error_abort) {
        fprintf(stderr, "unexpected error: %s%s\n", msg, suffix);
        abort();
    }
    if (errp == &error_fatal) {
        fprintf(stderr, "%s%s\n", msg, suffix);
        exit(1);
    }
    g_assert(*errp == NULL);
    err = g_new0(Error, 1);
    err->msg = g_strconcat(msg, suffix, NULL);
    *errp = err;
}

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_setv(errp, "", fmt, ap);
    va_end(ap);
}

void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
{
    g_autofree char *suffix = g_strdup_printf(": %s", g_strerror(os_errno));
    va_list ap;

    va_start(ap, fmt);
    error_setv(errp, suffix, fmt, ap);
    va_end(ap);
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    g_autofree char *prefix = NULL;
    char *old;
    va_list ap;

    if (!errp || !*errp || errp == &error_abort || errp == &error_fatal) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    old = (*errp)->msg;
    (*errp)->msg = g_strconcat(prefix, old, NULL);
    g_free(old);
}

void error_propagate(Error **dst_errp, Error *local_err)
{
    if (!local_err) {
        return;
    }
    if (dst_errp == &error_abort || dst_errp == &error_fatal) {
        error_setg(dst_errp, "%s", local_err->msg);
    }
    if (!dst_errp || *dst_errp) {
        error_free(local_err);
        return;
    }
    *dst_errp = local_err;
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        g_free(err);
    }
}

void error_free_or_abort(Error **errp)
{
    g_assert(errp && *errp);
    error_free(*errp);
    *errp = NULL;
}

static void report(const char *kind, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    fprintf(stderr, "%s%s%s\n", g_get_prgname() ? g_get_prgname() : "",
            g_get_prgname() ? kind : kind + 2, msg);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(": ", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(": warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(": info: ", fmt, ap);
    va_end(ap);
}

void error_report_err(Error *err)
{
    error_report("%s", error_get_pretty(err));
    error_free(err);
}
