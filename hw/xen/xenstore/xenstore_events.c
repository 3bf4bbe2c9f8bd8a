/*
 * The bounded queue of undelivered watch events that connections and
 * backend handles share; the policy is told in xenstore_events.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/xenstore_wire.h"
#include "hw/xen/xenstore_events.h"

struct XsEventQueue {
    GQueue events;              /* XsEvent *, oldest first */
    GHashTable *keys;           /* key -> its pending XsEvent * */
    unsigned int limit;
    size_t wire_bytes;
    XsEventDropFn *drop;
    void *drop_opaque;
};

void xs_event_free(XsEvent *ev)
{
    if (!ev) {
        return;
    }
    g_free(ev->path);
    g_free(ev->token);
    g_free(ev->key);
    g_free(ev);
}

/*
 * What makes two pending events one; NULL for @-events, never merged.
 * The path is length-prefixed so that no two different pairs share a
 * key.
 */
static char *event_key(void *owner, const char *path, const char *token)
{
    if (path[0] == '@') {
        return NULL;
    }
    return g_strdup_printf("%p:%zu:%s%s", owner, strlen(path), path, token);
}

static size_t event_wire_size(const XsEvent *ev)
{
    return XS_WIRE_HDR_SIZE + xs_wire_event_payload_len(ev->path, ev->token);
}

XsEventQueue *xs_event_queue_new(unsigned int limit, XsEventDropFn *drop,
                                 void *drop_opaque)
{
    XsEventQueue *q = g_new0(XsEventQueue, 1);

    g_queue_init(&q->events);
    /* The keys belong to the events. */
    q->keys = g_hash_table_new(g_str_hash, g_str_equal);
    q->drop = drop;
    q->drop_opaque = drop_opaque;
    xs_event_queue_set_limit(q, limit);
    return q;
}

void xs_event_queue_set_drop(XsEventQueue *q, XsEventDropFn *drop,
                             void *drop_opaque)
{
    q->drop = drop;
    q->drop_opaque = drop_opaque;
}

void xs_event_queue_free(XsEventQueue *q)
{
    if (!q) {
        return;
    }
    xs_event_queue_clear(q);
    g_hash_table_destroy(q->keys);
    g_free(q);
}

void xs_event_queue_set_limit(XsEventQueue *q, unsigned int limit)
{
    q->limit = MAX(limit, 1);
}

/* Take @link's event out of the queue and its index. */
static XsEvent *unlink_event(XsEventQueue *q, GList *link)
{
    XsEvent *ev = link->data;

    g_queue_delete_link(&q->events, link);
    if (ev->key) {
        g_hash_table_remove(q->keys, ev->key);
    }
    q->wire_bytes -= event_wire_size(ev);
    return ev;
}

XsEventPush xs_event_queue_push(XsEventQueue *q, void *owner,
                                const char *path, const char *token)
{
    g_autofree char *key = NULL;
    XsEvent *ev;

    token = token ?: "";
    key = event_key(owner, path, token);
    if (key && g_hash_table_contains(q->keys, key)) {
        return XS_EVENT_MERGED;
    }
    ev = g_new(XsEvent, 1);
    ev->owner = owner;
    ev->path = g_strdup(path);
    ev->token = g_strdup(token);
    ev->key = g_steal_pointer(&key);
    g_queue_push_tail(&q->events, ev);
    if (ev->key) {
        g_hash_table_insert(q->keys, ev->key, ev);
    }
    q->wire_bytes += event_wire_size(ev);

    while (q->events.length > q->limit) {
        XsEvent *old = unlink_event(q, q->events.head);

        if (q->drop) {
            q->drop(q->drop_opaque, old);
        }
        xs_event_free(old);
    }
    return XS_EVENT_QUEUED;
}

XsEvent *xs_event_queue_pop(XsEventQueue *q)
{
    return q->events.head ? unlink_event(q, q->events.head) : NULL;
}

void xs_event_queue_clear(XsEventQueue *q)
{
    XsEvent *ev;

    while ((ev = xs_event_queue_pop(q))) {
        xs_event_free(ev);
    }
}

void xs_event_queue_remove_owner(XsEventQueue *q, void *owner)
{
    GList *next;

    for (GList *l = q->events.head; l; l = next) {
        next = l->next;
        if (((XsEvent *)l->data)->owner == owner) {
            xs_event_free(unlink_event(q, l));
        }
    }
}

unsigned int xs_event_queue_length(XsEventQueue *q)
{
    return q->events.length;
}

size_t xs_event_queue_wire_bytes(XsEventQueue *q)
{
    return q->wire_bytes;
}

void xs_event_queue_foreach(XsEventQueue *q,
                            void (*fn)(void *opaque, const XsEvent *ev),
                            void *opaque)
{
    for (GList *l = q->events.head; l; l = l->next) {
        fn(opaque, l->data);
    }
}
