/*
 * Bottom halves: callbacks deferred to the next main-loop iteration,
 * each a GSource that becomes ready when scheduled.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/aio.h"
#include "trace.h"

struct QEMUBH {
    GSource source;             /* first: the GSource is the allocation */
    QEMUBHFunc *cb;
    void *opaque;
};

static gboolean qemu_bh_dispatch(GSource *source, GSourceFunc unused,
                                 gpointer unused_data)
{
    QEMUBH *bh = (QEMUBH *)source;

    /*
     * Unschedule before the call, so that the callback can schedule
     * itself again (for a later iteration) or delete itself: GLib holds
     * a reference on the source for the length of the dispatch.
     */
    g_source_set_ready_time(source, -1);
    trace_qemu_bh_run(bh);
    bh->cb(bh->opaque);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs qemu_bh_funcs = {
    .dispatch = qemu_bh_dispatch,
};

QEMUBH *aio_bh_new(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    QEMUBH *bh = (QEMUBH *)g_source_new(&qemu_bh_funcs, sizeof(QEMUBH));

    bh->cb = cb;
    bh->opaque = opaque;
    g_source_set_name(&bh->source, "bottom-half");
    g_source_set_ready_time(&bh->source, -1);
    g_source_attach(&bh->source, ctx->gctx);
    trace_qemu_bh_new(bh);
    return bh;
}

void qemu_bh_schedule(QEMUBH *bh)
{
    /* Thread-safe, and wakes the owning context if it is polling. */
    trace_qemu_bh_schedule(bh);
    g_source_set_ready_time(&bh->source, 0);
}

void qemu_bh_cancel(QEMUBH *bh)
{
    trace_qemu_bh_cancel(bh);
    g_source_set_ready_time(&bh->source, -1);
}

void qemu_bh_delete(QEMUBH *bh)
{
    trace_qemu_bh_delete(bh);
    g_source_destroy(&bh->source);
    g_source_unref(&bh->source);
}
