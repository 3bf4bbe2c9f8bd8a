/*
 * XenStore wire codec: one request message in, one reply message out,
 * acting as one client session; plus watch-event messages and error
 * names.  Shared by the guest ring device and the host socket server.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_WIRE_H
#define QEMU_XENSTORE_WIRE_H

#include "hw/xen/interface/io/xs_wire.h"
#include "hw/xen/xenstore_impl.h"

/* Bytes of the header that starts every message. */
#define XS_WIRE_HDR_SIZE ((unsigned int)sizeof(struct xsd_sockmsg))

/* The largest message, header included, in either direction. */
#define XS_WIRE_MSG_MAX (XS_WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX)

/*
 * Who a request comes from.  The codec reads the store, domain and watch
 * identity, and keeps @transactions up to date: TRANSACTION_START adds the
 * new id, TRANSACTION_END removes it, and a request naming an id that is
 * not in the set is refused with ENOENT.  That way one connection can
 * never use another connection's transaction, even of the same domain.
 *
 * @domain_wide says the session is the domain's only connection (the
 * guest ring): RESET_WATCHES then resets the whole domain in the store.
 * Otherwise (a host socket client) it drops only this session's watches
 * and transactions.  A session of domain 0 or of another privileged
 * domain is never domain-wide, whatever @domain_wide says: such a domain
 * has other connections (socket clients, backends) that keep theirs.
 */
typedef struct XsWireSession {
    XenstoreImplState *store;
    unsigned int dom_id;
    bool domain_wide;
    xs_impl_watch_fn *watch_fn;
    void *watch_opaque;
    GHashTable *transactions;    /* set of GUINT_TO_POINTER(tx_id) */
} XsWireSession;

/* Fill in @sess; its transaction set starts empty. */
void xs_wire_session_init(XsWireSession *sess, XenstoreImplState *store,
                          unsigned int dom_id, bool domain_wide,
                          xs_impl_watch_fn *watch_fn, void *watch_opaque);

/*
 * Drop the session's watches and end (abort) its transactions, as
 * RESET_WATCHES does; for a domain-wide session of an unprivileged
 * domain the whole domain's.
 */
void xs_wire_session_reset(XsWireSession *sess);

/* xs_wire_session_reset() and free the transaction set. */
void xs_wire_session_destroy(XsWireSession *sess);

/*
 * Handle one request: @req is its header (host byte order) and @payload
 * its req->len bytes.  Appends exactly one whole reply message (header
 * and at most XENSTORE_PAYLOAD_MAX payload bytes) to @reply, whatever the
 * input: an error reply is type XS_ERROR with "ENAME\0" as payload.
 * Watch callbacks of this and other sessions may run during the call.
 */
void xs_wire_handle_request(XsWireSession *sess,
                            const struct xsd_sockmsg *req,
                            const uint8_t *payload, GByteArray *reply);

/*
 * Append a WATCH_EVENT message "path\0token\0" (req_id = tx_id = 0) to
 * @out.  Returns false, appending nothing, when the two strings do not
 * fit in one message: such an event is dropped, never truncated.
 */
bool xs_wire_encode_event(GByteArray *out, const char *path,
                          const char *token);

/* Payload bytes of the event message for (path, token). */
size_t xs_wire_event_payload_len(const char *path, const char *token);

/*
 * The wire name ("ENOENT", ...) of a positive errno.  Errors outside the
 * XenStore table map to "EIO", so a reply always carries a known name.
 */
const char *xs_error_name(int err);

/* The errno of a wire error name, or 0 when the name is not in the table. */
int xs_error_from_name(const char *name);

/* A printable name of a message type ("READ", ...) for traces and logs. */
const char *xs_wire_type_name(uint32_t type);

#endif
