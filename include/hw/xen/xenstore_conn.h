/*
 * One XenStore client connection (the guest ring, or one host socket
 * client) between a byte transport and the wire codec: input framing,
 * flow control, the output stream, the watch-event queue, save/load.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_CONN_H
#define QEMU_XENSTORE_CONN_H

#include "qemu/error.h"
#include "hw/xen/xenstore_wire.h"

/*
 * Not thread-safe: a connection, its store and every other connection on
 * that store are used from one thread (the main loop).
 */
typedef struct XsConn XsConn;

/*
 * Output appeared while the transport was not calling into the
 * connection (a watch fired by another connection's request, say).  It
 * may be called from inside a store call: it must not call back into the
 * connection or the store, only arrange for the output to be drained
 * later (a bottom half, an fd write handler).
 */
typedef void (XsConnKickFn)(void *opaque);

/*
 * A connection acting as @dom_id on @store.  @domain_wide: it is the
 * domain's only connection (the guest ring), so RESET_WATCHES and
 * xs_conn_reset() reset the domain's watches and transactions in the
 * store; otherwise (socket clients) only this connection's.  It has no
 * effect for domain 0 or another privileged domain (see XsWireSession).
 */
XsConn *xs_conn_new(XenstoreImplState *store, unsigned int dom_id,
                    bool domain_wide, XsConnKickFn *kick, void *kick_opaque);

/* Drops the connection's watches and transactions from the store. */
void xs_conn_free(XsConn *conn);

/*
 * The watch callback (fn, opaque = the connection) through which the
 * store reaches a connection: pass it to xs_impl_deserialize() so that
 * restored watches deliver to the right connection.
 */
void xs_conn_watch_event(void *opaque, const char *path, const char *token);

/*
 * Input.  xs_conn_input_space() says how many bytes the connection
 * takes now: the rest of the one request it buffers.  It is 0 while a
 * whole request waits for the previous reply to be drained, and in the
 * protocol-error state.  xs_conn_feed() takes at most that many of @len
 * bytes (messages may be split anywhere) and returns how many it took;
 * the transport keeps the rest (in the ring, or unread in the socket).
 * Whole requests are handled as soon as the output stream is empty.
 */
size_t xs_conn_input_space(XsConn *conn);
size_t xs_conn_feed(XsConn *conn, const void *buf, size_t len);

/*
 * A request header with len > XENSTORE_PAYLOAD_MAX puts the connection
 * in this state: it takes no more input and handles nothing.  Output
 * already produced can still be drained.  The ring device sets error =
 * PROTO; the socket server closes the connection.
 */
bool xs_conn_protocol_error(XsConn *conn);

/*
 * Output: replies in request order and watch events, whole messages in
 * sequence.  xs_conn_peek() returns the number of bytes ready and points
 * @data at them (valid until the next call into the connection);
 * xs_conn_consume() drops the first @n of them (n <= what peek said)
 * and lets the next reply or event in.  After xs_conn_feed() and
 * xs_conn_consume() the transport should peek again.
 */
size_t xs_conn_peek(XsConn *conn, const uint8_t **data);
void xs_conn_consume(XsConn *conn, size_t n);

/*
 * Handle whatever can be handled now: a queued event or a buffered
 * request when the output stream is empty.  feed and consume do this
 * themselves; call it after xs_conn_load().
 */
void xs_conn_process(XsConn *conn);

/*
 * Ring reconnection: drop the partial request, the pending output, the
 * queued events and the protocol-error state, and drop the watches and
 * transactions as RESET_WATCHES would.
 */
void xs_conn_reset(XsConn *conn);

/* Watch events waiting to be emitted, and those dropped so far. */
unsigned int xs_conn_queued_events(XsConn *conn);
uint64_t xs_conn_dropped_events(XsConn *conn);

/*
 * Bytes the client has yet to take: the unsent output plus the queued
 * events as wire messages.  A transport uses it to tell a client that
 * does not read from one that is merely busy.
 */
size_t xs_conn_pending_bytes(XsConn *conn);

/*
 * Save and load the connection's own state: buffered input, unsent
 * output (a half-sent message too), queued events, its transaction ids
 * and the protocol-error flag.  Watches and transactions themselves are
 * saved with the store.  xs_conn_save() returns a new array.
 * xs_conn_load() replaces that state; on malformed input it sets @errp,
 * returns false and leaves @conn as it was.  Load the store first.
 */
GByteArray *xs_conn_save(XsConn *conn);
bool xs_conn_load(XsConn *conn, const uint8_t *data, size_t len,
                  Error **errp);

/*
 * The same load in two steps, for a caller that must check everything
 * of a larger state before it changes anything: parse and check the
 * saved state (NULL with @errp set if it is malformed), then apply it,
 * which cannot fail, or free it.  The image borrows @data until then.
 */
typedef struct XsConnImage XsConnImage;
XsConnImage *xs_conn_image_parse(const uint8_t *data, size_t len,
                                 Error **errp);
void xs_conn_image_apply(XsConn *conn, XsConnImage *img);  /* frees img */
void xs_conn_image_free(XsConnImage *img);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XsConnImage, xs_conn_image_free)

#endif
