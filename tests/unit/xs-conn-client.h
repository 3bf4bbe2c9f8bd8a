/*
 * The client side of the connection tests: a client on one XsConn, the
 * bytes it feeds and drains in chosen amounts, and the messages it gets.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_CONN_CLIENT_H
#define TESTS_UNIT_XS_CONN_CLIENT_H

#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"

#define GUEST 1             /* the guest domain the store serves */

/* A client on one connection, and the transport between them. */
typedef struct Client {
    XsConn *conn;
    GByteArray *to_send;        /* bytes the client wrote, not yet taken */
    GByteArray *received;       /* bytes drained from the connection */
    unsigned int kicks;
} Client;

/* The store the connections share. */
typedef struct Env {
    XenstoreImplState *s;
} Env;

Env *env_new(void);
void env_free(Env *e);

/* A connection of domain dom: the guest ring or a socket client. */
Client *client_new(Env *e, unsigned int dom, bool ring);
void client_free(Client *c);

/* Queue a request in the client's output (not yet fed). */
void client_send(Client *c, uint32_t type, uint32_t req_id,
                 uint32_t tx, const void *payload, size_t len);

#define SEND(c, type, req_id, tx, lit) \
    client_send((c), (type), (req_id), (tx), (lit), sizeof(lit) - 1)

/* Feed at most @max bytes of what the client wrote; returns how many. */
size_t feed_some(Client *c, size_t max);

/* Drain at most @max output bytes into c->received; returns how many. */
size_t drain_some(Client *c, size_t max);

/* The transport loop, moving at most @chunk bytes per step each way. */
void pump(Client *c, size_t chunk);

typedef struct Msg {
    struct xsd_sockmsg hdr;
    char payload[XENSTORE_PAYLOAD_MAX + 1];
} Msg;

/* Take the next whole message off c->received. */
bool next_msg(Client *c, Msg *m);

/* The next message is exactly (type, req_id, payload). */
void expect_msg(Client *c, uint32_t type, uint32_t req_id,
                const void *payload, size_t len);

#define EXPECT(c, type, req_id, lit) \
    expect_msg((c), (type), (req_id), (lit), sizeof(lit) - 1)

#define EXPECT_EVENT(c, lit) EXPECT((c), XS_WATCH_EVENT, 0, lit)

/*
 * Send one request, run the transport, return the reply (the first
 * message: nothing else may be waiting).  Events may follow it.
 */
void roundtrip(Client *c, uint32_t type, uint32_t tx,
               const void *payload, size_t len, Msg *m);

#define ROUNDTRIP(c, type, tx, lit, m) \
    roundtrip((c), (type), (tx), (lit), sizeof(lit) - 1, (m))

/* TRANSACTION_START on the client; returns the new id (asserted). */
uint32_t start_tx(Client *c);

#endif
