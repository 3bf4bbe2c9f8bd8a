/*
 * The fixture of the wire codec tests: a store with the guest's home,
 * a guest session and two domain 0 sessions recording their events, and
 * requests whose replies are checked for framing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_WIRE_FIXTURE_H
#define TESTS_UNIT_XS_WIRE_FIXTURE_H

#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"

#define GUEST 1             /* the guest domain the store serves */

typedef struct Reply {
    struct xsd_sockmsg hdr;
    uint8_t payload[XENSTORE_PAYLOAD_MAX + 1];
} Reply;

typedef struct Fix {
    XenstoreImplState *s;
    XsWireSession guest;        /* the guest ring: domain 1, domain-wide */
    XsWireSession dom0;         /* two host socket clients */
    XsWireSession dom0b;
    GPtrArray *ev_guest;        /* "path|token" per event delivered */
    GPtrArray *ev_dom0;
    GPtrArray *ev_dom0b;
} Fix;

/* A session's event callback: appends "path|token" to a GPtrArray. */
void record_event(void *opaque, const char *path, const char *token);

/* A new store with the guest's home (owned by it) and the sessions. */
Fix *fix_new(void);
void fix_free(Fix *f);

/*
 * Send one request; check the reply is one well-framed message that
 * echoes req_id and tx_id and carries the request's type or ERROR.
 */
void request(XsWireSession *sess, uint32_t type, uint32_t tx,
             const void *payload, size_t len, Reply *rep);

/* A literal payload with explicit "\0"s; the literal's own NUL is not sent. */
#define REQ(sess, type, tx, lit, rep) \
    request((sess), (type), (tx), (lit), sizeof(lit) - 1, (rep))

/* The reply is an error with that name, or (type, exact payload). */
void assert_error(const Reply *rep, const char *name);
void assert_reply(const Reply *rep, uint32_t type, const void *data,
                  size_t len);

#define ASSERT_REPLY(rep, type, lit) \
    assert_reply((rep), (type), (lit), sizeof(lit) - 1)

#define ASSERT_OK(rep, type) ASSERT_REPLY((rep), (type), "OK\0")

/* Payload from parts joined with NULs after each (printf-like helper). */
size_t build(char *buf, size_t size, const char *const *parts,
             int n);

/* TRANSACTION_START in that session; returns the new id (asserted). */
uint32_t start_tx(XsWireSession *sess);

#endif
