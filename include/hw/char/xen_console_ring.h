/*
 * The Xen console ring (Xen's io/console.h layout) from the backend's
 * side, as pure logic on a page: guest output is handed to a sink that
 * may take only part of it, and out_cons advances only by what it took,
 * so a slow host reader holds the guest up instead of growing a buffer
 * here; host input goes into in[] only as far as there is room.
 *
 * The guest writes the page (data and all four indexes) concurrently
 * and may be hostile.  The backend keeps its own copies of the indexes
 * it owns (out_cons, in_prod), reads each guest index once per pass,
 * and stops the ring for good (until re-attached) when the guest's
 * index is impossible.  No call ever touches memory outside the page.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_CHAR_XEN_CONSOLE_RING_H
#define HW_CHAR_XEN_CONSOLE_RING_H

typedef uint32_t XENCONS_RING_IDX;

#define XENCONS_IN_SIZE  1024
#define XENCONS_OUT_SIZE 2048

/* The shared page's start, as the guest's hvc_xen sees it. */
struct xencons_interface {
    char in[XENCONS_IN_SIZE];       /* host to guest */
    char out[XENCONS_OUT_SIZE];     /* guest to host */
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};

typedef struct XenConsRing {
    struct xencons_interface *intf;     /* NULL: detached */
    XENCONS_RING_IDX out_cons;          /* ours; published to the page */
    XENCONS_RING_IDX in_prod;           /* ours; published to the page */
    bool stopped;                       /* the guest broke the ring */
} XenConsRing;

/*
 * Start serving intf (4 KiB, the caller's mapping), taking the indexes
 * we own from the page: a guest that attached before us (or a kernel
 * started by kexec) keeps its place.
 */
void xencons_ring_attach(XenConsRing *r, void *intf);
void xencons_ring_detach(XenConsRing *r);
bool xencons_ring_stopped(const XenConsRing *r);

/* Takes up to len bytes, returns how many it took (0 .. len). */
typedef size_t XenConsSinkFn(void *opaque, const uint8_t *buf, size_t len);

/*
 * Hand the guest's pending output to sink until it is all taken or the
 * sink takes less than offered.  Returns the bytes consumed (the caller
 * notifies the guest when > 0: it may be waiting for room).  0 when
 * detached or stopped; a hostile out_prod stops the ring.
 */
size_t xencons_ring_drain_out(XenConsRing *r, XenConsSinkFn *sink,
                              void *opaque);
/* Bytes of guest output waiting (0 when detached, stopped or hostile). */
size_t xencons_ring_out_pending(XenConsRing *r);

/*
 * Room in in[] for host input (0 when detached or stopped; a hostile
 * in_cons stops the ring), and putting it there: copies at most that
 * room of buf, returns how much (the caller notifies when > 0).
 */
size_t xencons_ring_in_room(XenConsRing *r);
size_t xencons_ring_push_in(XenConsRing *r, const uint8_t *buf, size_t len);

#endif
