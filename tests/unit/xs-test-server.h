/*
 * A minimal XenStore Unix-socket server for tests: a store, one thread,
 * one connection (XsConn) per client, acting as domain 0.  It lets tests
 * drive the wire codec with real client libraries.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_TEST_SERVER_H
#define TESTS_UNIT_XS_TEST_SERVER_H

typedef struct XsTestServer XsTestServer;

/* Listen on @socket_path (created) and serve until stopped. */
XsTestServer *xs_test_server_start(const char *socket_path);

/* Stop the thread, close every client, free the store. */
void xs_test_server_stop(XsTestServer *srv);

/* Clients closed for a protocol error so far (any thread may ask). */
unsigned int xs_test_server_protocol_errors(XsTestServer *srv);

#endif
