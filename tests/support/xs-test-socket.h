/*
 * The one socket path a libxenstore test program uses: a private
 * directory, a socket name in it, and XENSTORED_PATH pointing there so
 * that xs_open() finds the server.  Plain glib: the programs that use it
 * include <xenstore.h>, whose names clash with the store's headers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SUPPORT_XS_TEST_SOCKET_H
#define TESTS_SUPPORT_XS_TEST_SOCKET_H

#include <glib.h>

typedef struct XsTestSocket {
    char *dir;
    char *path;                 /* dir/socket */
} XsTestSocket;

/*
 * Make a new directory from the template (ending in XXXXXX) and set
 * XENSTORED_PATH.  Call it before any thread exists: setenv is not
 * thread-safe.
 */
void xs_test_socket_init(XsTestSocket *ts, const char *dir_template);
/* Remove the directory (the socket must be gone) and free the names. */
void xs_test_socket_cleanup(XsTestSocket *ts);

#endif
