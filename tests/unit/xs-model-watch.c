/*
 * The reference model's watches: the events each change fires, with
 * their permission filter, and the watch calls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-model.h"
#include "xs-model-rules.h"
#include "xs-model-int.h"

/* ---- watch events ---- */

static void expect_event(Model *m, MWatch *w, const char *path)
{
    g_ptr_array_add(m->events, g_strdup_printf("%d|%s|%s", w->conn,
                                               path + w->rel_off,
                                               w->token ? w->token
                                                        : "(null)"));
}

static bool watch_may_see(Model *m, MWatch *w, const MPerms *perms)
{
    return can_read(m, perms, w->dom);
}

/* A change to path, seen by those who may read perms. */
void model_fire(Model *m, const char *path, const MPerms *perms)
{
    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (w->canon[0] != '/' || !path_covers(w->canon, path)) {
            continue;
        }
        if (w->depth >= 0 &&
            path_depth(path) - path_depth(w->canon) > (unsigned)w->depth) {
            continue;
        }
        if (watch_may_see(m, w, perms)) {
            expect_event(m, w, path);
        }
    }
}

/* Removal of path: perms are its parent's. */
void model_fire_rm(Model *m, const char *path, const MPerms *perms)
{
    model_fire(m, path, perms);
    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (w->canon[0] == '/' && path_strictly_inside(w->canon, path) &&
            watch_may_see(m, w, perms)) {
            expect_event(m, w, w->canon);
        }
    }
}

void model_fire_special(Model *m, int which)
{
    const char *path = which ? XS_RELEASE_DOMAIN_PATH
                             : XS_INTRODUCE_DOMAIN_PATH;

    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (!strcmp(w->canon, path) &&
            watch_may_see(m, w, &m->special[which])) {
            expect_event(m, w, path);
        }
    }
}

static MWatch *model_find_watch(Model *m, unsigned int dom, int conn,
                                const char *canon, const char *token)
{
    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (w->dom == dom && w->conn == conn && !strcmp(w->canon, canon) &&
            !g_strcmp0(w->token, token)) {
            return w;
        }
    }
    return NULL;
}

void mwatch_free(gpointer p)
{
    MWatch *w = p;

    g_free(w->canon);
    g_free(w->token);
    g_free(w);
}

void model_drop_watches(Model *m, unsigned int dom, int conn)
{
    for (guint i = 0; i < m->watches->len;) {
        MWatch *w = m->watches->pdata[i];

        if (w->dom == dom && (conn < 0 || w->conn == conn)) {
            g_ptr_array_remove_index(m->watches, i);
        } else {
            i++;
        }
    }
}

int model_watch(Model *m, unsigned int dom, int conn, const char *path,
                const char *token, int depth)
{
    g_autofree char *canon = NULL;
    size_t rel_off;
    int want = model_resolve(m, dom, path, true, &canon, &rel_off);

    if (!want && model_find_watch(m, dom, conn, canon, token)) {
        want = EEXIST;
    }
    if (!want && !is_privileged(dom)) {
        unsigned int n = 0;

        for (guint i = 0; i < m->watches->len; i++) {
            n += ((MWatch *)m->watches->pdata[i])->dom == dom;
        }
        if (n >= m->quota[dom][XS_QUOTA_WATCHES]) {
            want = E2BIG;
        }
    }
    if (!want) {
        MWatch *w = g_new0(MWatch, 1);

        w->dom = dom;
        w->conn = conn;
        w->canon = g_steal_pointer(&canon);
        w->token = g_strdup(token);
        w->depth = depth < 0 ? -1 : depth;
        w->rel_off = rel_off;
        g_ptr_array_add(m->watches, w);
        expect_event(m, w, w->canon);
    }
    return want;
}

int model_unwatch(Model *m, unsigned int dom, int conn, const char *path,
                  const char *token)
{
    g_autofree char *canon = NULL;
    size_t rel_off;
    int want = model_resolve(m, dom, path, true, &canon, &rel_off);

    if (!want) {
        MWatch *w = model_find_watch(m, dom, conn, canon, token);

        if (w) {
            g_ptr_array_remove(m->watches, w);
        } else {
            want = ENOENT;
        }
    }
    return want;
}

void model_reset_watches(Model *m, unsigned int dom)
{
    model_drop_watches(m, dom, -1);
    model_drop_txs(m, dom);
}

void model_unwatch_all(Model *m, unsigned int dom, int conn)
{
    model_drop_watches(m, dom, conn);
}
