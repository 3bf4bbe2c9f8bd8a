/*
 * A simulated XenStore frontend for device tests: the guest side of the
 * ring page and the store event channel, shaped like a Linux xenbus
 * driver (barriers, lazy notification, replies and watch events apart).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SUPPORT_XS_GUEST_H
#define TESTS_SUPPORT_XS_GUEST_H

/*
 * A program that includes libxenstore's <xenstore.h> first already has
 * Xen's copy of the same wire ABI, under its own guard.
 */
#ifndef _XS_WIRE_H
#include "hw/xen/interface/io/xs_wire.h"
#endif
#include "hw/xen/interface/event_channel.h"

/* One message taken off the response ring. */
typedef struct XsGuestMsg {
    struct xsd_sockmsg hdr;
    char *body;                 /* hdr.len bytes and a NUL after them */
    unsigned int seq;           /* arrival order, replies and events */
} XsGuestMsg;

typedef struct XsGuest {
    struct xenstore_domain_interface *ring;
    evtchn_port_t port;         /* the guest's store port */
    unsigned int upcalls;       /* times the device raised that port */
    unsigned int sends;         /* EVTCHNOP_send calls the guest made */
    /*
     * Notify after writing only when the device had consumed everything
     * before (it may be idle), as Linux does; otherwise after every
     * write.  After reading, notify only when the ring had been full.
     */
    bool lazy_notify;
    GByteArray *rx;             /* bytes read, not yet a whole message */
    GQueue replies;             /* XsGuestMsg *, in arrival order */
    GQueue events;              /* XsGuestMsg * of type WATCH_EVENT */
    uint32_t next_req_id;
    unsigned int next_seq;
} XsGuest;

/* Attach to a ring page and port; installs the upcall hook. */
void xs_guest_init(XsGuest *g, void *ring, evtchn_port_t port);
void xs_guest_destroy(XsGuest *g);
/* After a load, a reset or a re-bind: the same guest, new page or port. */
void xs_guest_retarget(XsGuest *g, void *ring, evtchn_port_t port);
/* Hook the upcall again (after the event channel state was recreated). */
void xs_guest_hook_upcall(XsGuest *g);

/* Run the main loop until nothing is ready; true if anything ran. */
bool xs_guest_run(void);

/* EVTCHNOP_send on the store port. */
void xs_guest_send(XsGuest *g);

/*
 * Copy at most len bytes into the request ring where there is space and
 * publish them (no notification); returns how many.
 */
size_t xs_guest_put(XsGuest *g, const void *buf, size_t len);

/*
 * Write all of buf as a frontend does: put what fits, notify, and while
 * the ring is full run the main loop and read replies.  Fails the test if
 * the device stops taking bytes.
 */
void xs_guest_write(XsGuest *g, const void *buf, size_t len);

/*
 * Read at most max bytes from the response ring, give the space back,
 * notify when the ring had been full, and sort whole messages into
 * replies and events.  Returns how many bytes were read.
 */
size_t xs_guest_read(XsGuest *g, size_t max);
void xs_guest_read_all(XsGuest *g);

/* A request message; returns its req_id. */
uint32_t xs_guest_queue(XsGuest *g, uint32_t type, uint32_t tx,
                        const void *payload, size_t len);
/* The encoded request, for tests that deliver it themselves. */
GByteArray *xs_guest_encode(uint32_t type, uint32_t req_id, uint32_t tx,
                            const void *payload, size_t len);

/*
 * Run the main loop and read until a reply (or event) is there; NULL if
 * the device went idle without one.
 */
XsGuestMsg *xs_guest_wait_reply(XsGuest *g);
XsGuestMsg *xs_guest_wait_event(XsGuest *g);

/* Queue a request and wait for its reply (req_id checked). */
XsGuestMsg *xs_guest_call(XsGuest *g, uint32_t type, uint32_t tx,
                          const void *payload, size_t len);
#define XS_GUEST_CALL(g, type, tx, lit) \
    xs_guest_call((g), (type), (tx), (lit), sizeof(lit) - 1)

void xs_guest_msg_free(XsGuestMsg *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XsGuestMsg, xs_guest_msg_free)

/* Assert a reply's type and exact payload, or an error name. */
void xs_guest_assert_reply(XsGuestMsg *m, uint32_t type,
                           const void *payload, size_t len);
#define XS_GUEST_ASSERT(m, type, lit) \
    xs_guest_assert_reply((m), (type), (lit), sizeof(lit) - 1)
void xs_guest_assert_error(XsGuestMsg *m, const char *name);
/* 0 for a reply that is not XS_ERROR, else the errno it names (known). */
int xs_guest_error(XsGuestMsg *m);

/* The next watch event is (path, token); no event is pending. */
void xs_guest_assert_event(XsGuest *g, const char *path, const char *token);
void xs_guest_assert_no_event(XsGuest *g);

/*
 * Convenience calls as the guest, each asserting success: read returns
 * a new string; transaction start returns the id; commit retries the
 * whole body on EAGAIN until it commits and returns the attempts.
 */
char *xs_guest_read_str(XsGuest *g, uint32_t tx, const char *path);
char *xs_guest_perms(XsGuest *g, const char *path);   /* "n0,r1" */
void xs_guest_write_str(XsGuest *g, uint32_t tx, const char *path,
                        const char *value);
void xs_guest_watch(XsGuest *g, const char *path, const char *token);
uint32_t xs_guest_tx_start(XsGuest *g);
/* TRANSACTION_END: 0, or the errno of the error reply. */
int xs_guest_tx_end(XsGuest *g, uint32_t tx, bool commit);
typedef void XsGuestTxBody(XsGuest *g, uint32_t tx, void *opaque);
unsigned int xs_guest_transaction(XsGuest *g, XsGuestTxBody *body,
                                  void *opaque);

#endif
