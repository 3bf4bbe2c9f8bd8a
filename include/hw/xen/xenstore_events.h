/*
 * A bounded queue of undelivered XenStore watch events, shared by the
 * client connections and the backend handles: merging of identical
 * pending events and one overflow policy, drop the oldest.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_EVENTS_H
#define QEMU_XENSTORE_EVENTS_H

/*
 * One watch event waiting to be delivered.  @owner tells the queue's
 * user which of its watches it is for (a backend handle's watch), or is
 * NULL when the token says it (a connection).  @token is never NULL.
 * @key is the queue's own.
 */
typedef struct XsEvent {
    void *owner;
    char *path;
    char *token;
    char *key;
} XsEvent;

void xs_event_free(XsEvent *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XsEvent, xs_event_free)

/*
 * The policy, the same for every user:
 *
 * - Merging: an event identical to one still pending (the same owner,
 *   path and token) is not queued again; the pending one keeps its place.
 *   Its receiver reads the node when it gets the event, so one delivery
 *   covers both changes.  Events on special paths ("@introduceDomain",
 *   "@releaseDomain": a leading '@') are never merged: each stands for a
 *   domain coming or going, and each is delivered or counted as dropped.
 *
 * - Bound: at most the limit (at least 1) events are queued.  An event
 *   that would go past it is queued and the oldest pending event is
 *   dropped, so the queue always holds the most recent changes.  A
 *   receiver that missed an old event still sees every change after it
 *   and, reading the nodes then, their current state; had the newest
 *   been dropped instead, the last change before the receiver caught up
 *   would never be told at all.  The spec allows either ("oldest
 *   dropped or connection stalled"); stalling is not possible for a
 *   store that must not wait for one client.  A dropped event takes
 *   with it the identical later ones merged into it.
 *
 * Events leave in the order they were queued.  A queue is not
 * thread-safe.
 */
typedef struct XsEventQueue XsEventQueue;

/*
 * Called for each event the bound drops, just before it is freed (the
 * queue's user counts and traces it).  It must not touch the queue.
 */
typedef void (XsEventDropFn)(void *opaque, const XsEvent *ev);

XsEventQueue *xs_event_queue_new(unsigned int limit, XsEventDropFn *drop,
                                 void *drop_opaque);
void xs_event_queue_free(XsEventQueue *q);
/* Who hears of a dropped event from now on (a queue built elsewhere). */
void xs_event_queue_set_drop(XsEventQueue *q, XsEventDropFn *drop,
                             void *drop_opaque);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XsEventQueue, xs_event_queue_free)

/*
 * Change the bound (0 counts as 1).  Events already queued stay; the
 * next event queued brings the queue down to the new bound.  A user
 * whose bound is a quota that can change sets it before each push.
 */
void xs_event_queue_set_limit(XsEventQueue *q, unsigned int limit);

typedef enum XsEventPush {
    XS_EVENT_QUEUED,        /* at the tail (the oldest may have gone) */
    XS_EVENT_MERGED,        /* an identical event was pending already */
} XsEventPush;

/* Queue an event (@token NULL is ""), applying the policy above. */
XsEventPush xs_event_queue_push(XsEventQueue *q, void *owner,
                                const char *path, const char *token);

/* The oldest event, taken off the queue (NULL if empty): free it. */
XsEvent *xs_event_queue_pop(XsEventQueue *q);

/* Drop every event (none are reported to the drop function). */
void xs_event_queue_clear(XsEventQueue *q);

/* Drop the events of @owner, e.g. when that watch goes (unreported). */
void xs_event_queue_remove_owner(XsEventQueue *q, void *owner);

unsigned int xs_event_queue_length(XsEventQueue *q);

/* The queued events as WATCH_EVENT messages: header plus payload bytes. */
size_t xs_event_queue_wire_bytes(XsEventQueue *q);

/* Call @fn on each queued event, oldest first; @fn must not change @q. */
void xs_event_queue_foreach(XsEventQueue *q,
                            void (*fn)(void *opaque, const XsEvent *ev),
                            void *opaque);

#endif
