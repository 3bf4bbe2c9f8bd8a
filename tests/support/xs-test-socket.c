/*
 * The socket path of a libxenstore test program, in a directory of its
 * own that the program removes at the end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include "xs-test-socket.h"

void xs_test_socket_init(XsTestSocket *ts, const char *dir_template)
{
    ts->dir = g_dir_make_tmp(dir_template, NULL);
    g_assert(ts->dir);
    ts->path = g_build_filename(ts->dir, "socket", NULL);
    g_setenv("XENSTORED_PATH", ts->path, TRUE);
}

void xs_test_socket_cleanup(XsTestSocket *ts)
{
    g_rmdir(ts->dir);
    g_clear_pointer(&ts->path, g_free);
    g_clear_pointer(&ts->dir, g_free);
}
