/*
 * The randomized model test's run: reporting a mismatch with the calls
 * before it, and the checks every call's answers go through.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-errors.h"
#include "xs-model.h"
#include "xs-random.h"

const unsigned int conn_dom[NCONNS] = { 0, 0, 1, 2, 3 };

/* ---- the run ---- */

void mismatch(Run *r, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (r->failed) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r->failed = true;
    g_test_message("MISMATCH seed %u step %" PRIu64 ": %s", r->seed,
                   r->step, r->op ? r->op : "(set-up)");
    g_test_message("  %s", msg);
    g_test_message("  reproduce: XS_RANDOM_SEED=%u XS_RANDOM_STEPS=%"
                   PRIu64, r->seed, r->step + 1);
    g_test_message("  previous calls, oldest first:");
    for (int i = 1; i <= HISTORY; i++) {
        const char *h = r->history[(r->step + i) % HISTORY];

        if (h) {
            g_test_message("    %s", h);
        }
    }
    g_test_fail();
}

void check_ret(Run *r, int got, int want)
{
    r->last_ret = got;
    if (got != want) {
        mismatch(r, "returned %s, model says %s", xt_errname(got),
                 xt_errname(want));
    }
}
